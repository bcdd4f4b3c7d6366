#include "tests/cap/cap_test_support.h"

#include "gtest/gtest.h"
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

}  // namespace testing_support
