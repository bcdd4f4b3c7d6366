#include "tests/support/in_machine.h"

#include <utility>

#include <atomic>

#include "gtest/gtest.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "sim/run_body.h"

namespace testing_support {

sim::MachineConfig SmallMachine(uint32_t cpus, uint64_t seed) {
  sim::MachineConfig config;
  config.cpus = cpus;
  config.seed = seed;
  config.echo_console = false;
  return config;
}

sim::RunResult RunInMachine(sim::MachineConfig config, std::function<void()> body) {
  absl::StatusOr<sim::RunResult> result = sim::RunBody(std::move(config), body);
  if (!result.ok()) {
    ADD_FAILURE() << "cannot create the machine: " << result.status();
    sim::RunResult failed;
    failed.outcome = sim::RunOutcome::kPanicked;
    return failed;
  }
  return *std::move(result);
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

void ExpectPoweredOff(const sim::RunResult& result) {
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff)
      << sim::RunOutcomeName(result.outcome) << ": " << result.failure;
}

}  // namespace testing_support
