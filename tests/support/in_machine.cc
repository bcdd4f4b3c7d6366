#include "tests/support/in_machine.h"

#include <utility>

#include "gtest/gtest.h"
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

void ExpectPoweredOff(const sim::RunResult& result) {
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff)
      << sim::RunOutcomeName(result.outcome) << ": " << result.failure;
}

}  // namespace testing_support
