#include "tests/cap/cap_test_support.h"

#include <atomic>

#include "gtest/gtest.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "tests/support/in_machine.h"

namespace testing_support {

void RunWithSource(uint32_t cpus, std::function<void(SimPageSource&)> body, uint64_t seed) {
  sim::MachineConfig config = SmallMachine(cpus, seed);
  config.ram_per_node = 128 << 20;
  auto result = RunInMachine(std::move(config), [&] {
    SimPageSource source(/*poison=*/true);
    body(source);
    EXPECT_EQ(source.outstanding_pages(), 0u) << "capability tables leaked pages";
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

namespace {
std::function<void(hal::CpuId)>* all_cpus_body = nullptr;
std::atomic<uint32_t> cpus_finished{0};
}  // namespace

void OnAllCpus(std::function<void(hal::CpuId)> body) {
  all_cpus_body = &body;
  cpus_finished = 0;
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    ASSERT_TRUE(hal::StartCpu(cpu, [](hal::CpuId self) {
      (*all_cpus_body)(self);
      ++cpus_finished;
      for (;;) hal::WaitForInterrupt();
    }));
  }
  body(0);
  ++cpus_finished;
  while (cpus_finished < hal::CpuCount()) hal::CpuRelax();
  all_cpus_body = nullptr;
}

}  // namespace testing_support
