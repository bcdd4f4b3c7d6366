// The real kernel booted in the simulator: self-tests, determinism, and the
// panic and fault paths. Every boot runs in a fresh child process.
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/kernel_run.h"

namespace sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RunResult Boot(const std::string& command_line, uint32_t cpus = 4, uint64_t seed = 1) {
  MachineConfig config = KernelMachineConfig();
  config.cpus = cpus;
  config.seed = seed;
  config.command_line = command_line;
  config.echo_console = false;
  absl::StatusOr<RunResult> result = RunKernelIsolated(config);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : RunResult{};
}

TEST(KernelSimTest, SmokePassesOnFourCpus) {
  RunResult result = Boot("");
  EXPECT_EQ(result.outcome, RunOutcome::kPoweredOff) << result.failure;
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.console, HasSubstr("VeridianOS kernel on sim: 4 cpus"));
  EXPECT_THAT(result.console, HasSubstr("smoke: counter 800 (expected 800)"));
  EXPECT_THAT(result.console, HasSubstr("VERDICT: PASS"));
  EXPECT_EQ(ExitStatusFor(result), kExitPass);
}

TEST(KernelSimTest, SmokePassesAcrossSeedsAndCpuCounts) {
  for (uint32_t cpus : {1u, 2u, 8u}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      RunResult result = Boot("iterations=50", cpus, seed);
      EXPECT_EQ(result.exit_code, 0) << cpus << " cpus, seed " << seed << "\n" << result.console;
      EXPECT_THAT(result.console, HasSubstr("VERDICT: PASS"));
    }
  }
}

TEST(KernelSimTest, SameSeedGivesTheSameTraceHashThreeTimes) {
  RunResult first = Boot("", 4, 42);
  for (int run = 0; run < 2; ++run) {
    RunResult again = Boot("", 4, 42);
    EXPECT_EQ(again.trace_hash, first.trace_hash);
    EXPECT_EQ(again.trace_events, first.trace_events);
    EXPECT_EQ(again.console, first.console);
  }
}

TEST(KernelSimTest, DifferentSeedsInterleaveARacyWorkloadDifferently) {
  std::set<uint64_t> hashes;
  std::set<std::string> outcomes;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    RunResult result = Boot("workload=racy iterations=50", 4, seed);
    ASSERT_EQ(result.exit_code, 0) << result.console;
    hashes.insert(result.trace_hash);
    const size_t at = result.console.find("racy: counter");
    ASSERT_NE(at, std::string::npos);
    outcomes.insert(result.console.substr(at, result.console.find('\n', at) - at));
  }
  EXPECT_EQ(hashes.size(), 6u);
  // The lost updates depend on the interleaving.
  EXPECT_GE(outcomes.size(), 2u);
}

TEST(KernelSimTest, PanicReportsCpuTimeAndABacktraceNamingTheFunction) {
  RunResult result = Boot("workload=panic");
  EXPECT_EQ(result.outcome, RunOutcome::kPanicked);
  EXPECT_EQ(ExitStatusFor(result), kExitPanic);
  EXPECT_THAT(result.console, HasSubstr("KERNEL PANIC on cpu 3 at "));
  EXPECT_THAT(result.failure, HasSubstr("panic requested on the command line"));
  EXPECT_THAT(result.failure, HasSubstr("TriggerRequestedPanic"));
  EXPECT_THAT(result.failure, HasSubstr("host backtrace of cpu 3"));
}

TEST(KernelSimTest, AHostFaultInKernelCodeIsReportedNotACrash) {
  RunResult result = Boot("workload=fault");
  EXPECT_EQ(result.outcome, RunOutcome::kPanicked);
  EXPECT_THAT(result.failure, HasSubstr("Segmentation fault"));
  EXPECT_THAT(result.failure, HasSubstr("TouchNonCanonicalAddress"));
}

TEST(KernelSimTest, UnknownWorkloadIsAClearFailure) {
  RunResult result = Boot("workload=nosuch");
  EXPECT_EQ(result.outcome, RunOutcome::kPoweredOff);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.console, HasSubstr("unknown workload \"nosuch\""));
  EXPECT_THAT(result.console, HasSubstr("smoke"));
  EXPECT_THAT(result.console, Not(HasSubstr("VERDICT: PASS")));
}

TEST(KernelSimTest, MalformedNumberIsAClearFailure) {
  RunResult result = Boot("iterations=12x");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.console, HasSubstr("iterations= must be a decimal number"));
}

// The same check the x86_64 boot tests run in QEMU, here against the
// simulator's MMU walker and TLB model, in every format.
TEST(KernelSimTest, MmuCheckMatchesTheSimulatedMmuInEveryFormat) {
  for (hal::PageTableFormat format :
       {hal::PageTableFormat::kX86_64, hal::PageTableFormat::kAarch64,
        hal::PageTableFormat::kSv39, hal::PageTableFormat::kSv48}) {
    MachineConfig config = KernelMachineConfig();
    config.cpus = 2;
    config.page_table_format = format;
    config.command_line = "workload=mmu_check seed=7 iterations=2000";
    config.echo_console = false;
    absl::StatusOr<RunResult> result = RunKernelIsolated(config);
    ASSERT_TRUE(result.ok()) << result.status();
    const std::string name = hal::PageTableFormatName(format);
    EXPECT_EQ(result->outcome, RunOutcome::kPoweredOff) << name << "\n" << result->failure;
    EXPECT_EQ(result->exit_code, 0) << name << "\n" << result->console;
    EXPECT_THAT(result->console, HasSubstr("mmu_check: seed 7, " + name + " table"));
    EXPECT_THAT(result->console, HasSubstr("2000 accesses checked"));
    EXPECT_THAT(result->console, HasSubstr(", 0 mismatches"));
  }
}

TEST(KernelSimTest, BannerShowsTheMemoryMap) {
  MachineConfig config = KernelMachineConfig();
  config.numa_nodes = 2;
  config.ram_per_node = 16 << 20;
  config.echo_console = false;
  absl::StatusOr<RunResult> result = RunKernelIsolated(config);
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->console, HasSubstr("acpi-reclaim"));
  EXPECT_THAT(result->console, HasSubstr("node 1"));
  EXPECT_THAT(result->console, HasSubstr("2 NUMA node(s)"));
  EXPECT_THAT(result->console, HasSubstr("early memory:"));
}

}  // namespace
}  // namespace sim
