// Self-tests that break the kernel on purpose, to prove the failure paths:
// "racy" loses updates without a lock (its count depends on the interleaving),
// "panic" panics from a named function, "fault" touches a non-canonical
// address. The last two never reach their finish step.
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/kernel/selftest.h"
#include "src/lib/panic.h"
#include "src/lib/print.h"

namespace kernel {
namespace {

constexpr uint64_t kDefaultIterations = 100;

struct RacyState {
  uint64_t iterations = 0;
  uint32_t cpus = 0;
  // Deliberately unsynchronised: the point of the test.
  volatile uint64_t counter = 0;
};
RacyState racy;

bool RacySetup(const vos::CommandLine& command_line, uint32_t cpus) {
  racy.cpus = cpus;
  return ParseIterations(command_line, "racy", kDefaultIterations, &racy.iterations);
}

void RacyRun(hal::CpuId) {
  for (uint64_t i = 0; i < racy.iterations; ++i) {
    uint64_t value = racy.counter;
    hal::CpuRelax();  // Another CPU may increment here; its update is lost.
    racy.counter = value + 1;
  }
}

bool RacyFinish() {
  const uint64_t expected = racy.iterations * racy.cpus;
  const uint64_t counter = racy.counter;
  vos::Printf("racy: counter %lu of %lu (%lu updates lost to the race)\n", counter, expected,
              expected - counter);
  return true;  // A demonstration, not a check: the count varies by schedule.
}

// noinline keeps the name in the backtrace the panic path must show.
[[gnu::noinline]] void TriggerRequestedPanic() {
  vos::Panic("panic requested on the command line (workload=panic)");
}

hal::Atomic<bool> panic_armed;

bool PanicSetup(const vos::CommandLine&, uint32_t) {
  panic_armed.Store(true);
  return true;
}

void PanicRun(hal::CpuId cpu) {
  // The last CPU panics, so on a multi-CPU machine it is not the boot CPU.
  if (cpu + 1 == hal::CpuCount() || hal::CpuCount() == 1) {
    if (panic_armed.Exchange(false)) TriggerRequestedPanic();
  }
}

bool NeverFinishes() {
  vos::Panic("a self-test that must end the machine returned");
}

[[gnu::noinline]] void TouchNonCanonicalAddress() {
  // Non-canonical on x86_64 (#GP), unmapped everywhere else.
  volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(0xdead000000000000ull);
  vos::Printf("fault: reading %p\n", const_cast<uint64_t*>(bad));
  uint64_t value = *bad;
  vos::Printf("fault: read %lu from a bad address without a fault\n", value);
}

void FaultRun(hal::CpuId cpu) {
  if (cpu == 0) TouchNonCanonicalAddress();
}

bool NoSetup(const vos::CommandLine&, uint32_t) { return true; }

}  // namespace

const SelfTest kRacyTest = {
    .name = "racy",
    .description = "unlocked counter increments; the lost updates depend on the schedule",
    .setup = RacySetup,
    .run_on_cpu = RacyRun,
    .finish = RacyFinish,
};

const SelfTest kPanicTest = {
    .name = "panic",
    .description = "panics from TriggerRequestedPanic (tests the panic path)",
    .setup = PanicSetup,
    .run_on_cpu = PanicRun,
    .finish = NeverFinishes,
};

const SelfTest kFaultTest = {
    .name = "fault",
    .description = "reads a non-canonical address on cpu 0 (tests the fault path)",
    .setup = NoSetup,
    .run_on_cpu = FaultRun,
    .finish = NeverFinishes,
};

}  // namespace kernel
