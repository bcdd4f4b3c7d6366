// TLB shootdowns from every CPU at once, with IPIs delayed: each CPU serves
// the others' requests while it waits for its own, with interrupts enabled,
// so an IPI can arrive in the middle of serving the very request it
// announces. Every request must be served exactly once by each target:
// serving one twice panics (the initiator would have gone on too early).
#include "src/mm/tlb_shootdown.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/lib/cpu_mask.h"
#include "tests/support/in_machine.h"
#include "tests/support/isolated.h"
#include "tests/support/shootdown_ipis.h"

namespace vos {
namespace {

constexpr uint32_t kCpus = 4;
constexpr int kRounds = 40;

AtomicCpuMask everyone;
hal::Atomic<uint32_t> finished;

// Shoots down one page everywhere kRounds times, then keeps serving the
// others until all are done.
void Shooter(hal::CpuId) {
  hal::InterruptsEnable();
  TlbInvalidation what;
  what.asid = 1;
  what.start = 0x40'0000;
  what.pages = 1;
  for (int i = 0; i < kRounds; ++i) ShootdownTlb(everyone, what);
  finished.FetchAdd(1);
  while (finished.Load() != kCpus) {
    ServeTlbShootdowns();
    hal::CpuRelax();
  }
}

// A secondary CPU's entry must not return: it goes on serving.
void SecondaryShooter(hal::CpuId cpu) {
  Shooter(cpu);
  for (;;) {
    ServeTlbShootdowns();
    hal::CpuRelax();
  }
}

TEST(TlbShootdownTest, ConcurrentShootdownsWithDelayedIpisServeEachRequestOnce) {
  for (uint64_t delay : {1, 3, 10, 40}) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      SCOPED_TRACE(testing::Message() << "ipi delay " << delay << " ns, seed " << seed);
      sim::MachineConfig config = testing_support::SmallMachine(kCpus, seed);
      config.trap_handler = testing_support::ServeShootdownIpis;
      config.ipi_delay = delay;
      testing_support::RunIsolated([&config] {
        testing_support::ExpectPoweredOff(testing_support::RunInMachine(config, [] {
          finished.Store(0);
          for (hal::CpuId cpu = 0; cpu < kCpus; ++cpu) everyone.Set(cpu);
          for (hal::CpuId cpu = 1; cpu < kCpus; ++cpu) ASSERT_TRUE(hal::StartCpu(cpu, SecondaryShooter));
          Shooter(0);
          const TlbShootdownStats stats = GetTlbShootdownStats();
          EXPECT_EQ(stats.initiated, uint64_t{kCpus} * kRounds);
          EXPECT_EQ(stats.ipis_sent, stats.initiated * (kCpus - 1));
          EXPECT_EQ(stats.served, stats.ipis_sent);
        }));
      });
    }
  }
}

}  // namespace
}  // namespace vos
