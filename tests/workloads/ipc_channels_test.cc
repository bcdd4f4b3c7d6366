// The ipc_channels workload on a scheduled machine: every message delivered
// once on 1, 3 and 8 CPUs, and its checks fail a run whose senders skip
// messages (as a lossy channel would) instead of passing or hanging it.
#include "src/workloads/ipc_channels.h"

#include "gtest/gtest.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos::workloads {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;

TEST(IpcChannelsTest, DeliversEveryMessageOnce) {
  for (uint32_t cpus : {1u, 3u, 8u}) {
    SCOPED_TRACE(cpus);
    static uint32_t machine_cpus;
    machine_cpus = cpus;
    ExpectPoweredOff(RunScheduled({.cpus = cpus, .max_threads = 32}, [] {
      const IpcChannelsResult result = RunIpcChannels(machine_cpus, 24);
      EXPECT_EQ(result.sent, machine_cpus * 24u);
      EXPECT_EQ(result.delivered, machine_cpus * 24u);
      EXPECT_EQ(result.errors, 0u);
    }));
  }
}

TEST(IpcChannelsTest, SkippedMessagesAreReportedAsErrors) {
  ExpectPoweredOff(RunScheduled({.cpus = 8, .max_threads = 32}, [] {
    const IpcChannelsResult result =
        RunIpcChannels(8, 24, /*give_up=*/2'000'000, /*skip_every=*/10);
    EXPECT_EQ(result.sent, 8u * (24 - 2));
    EXPECT_LT(result.delivered, 8u * 24);
    EXPECT_GT(result.errors, 0u);
  }));
}

}  // namespace
}  // namespace vos::workloads
