// The barrier: no thread starts phase k+1 before every thread finished
// phase k, on 8 CPUs, and exactly one thread per phase is told it was last.
#include "src/sync/barrier.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"
#include "src/sched/scheduler.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::RunScheduled;
using testing_support::Spin;
using testing_support::StartThread;

constexpr int kThreads = 12;
constexpr int kPhases = 40;

struct Shared {
  Barrier barrier{kThreads};
  std::atomic<int> finished[kPhases] = {};
  std::atomic<int> last_count[kPhases] = {};
  std::atomic<int> violations{0};
};
Shared* shared = nullptr;

TEST(BarrierTest, PhasesNeverOverlap) {
  sim::RunResult result = RunScheduled({.cpus = 8, .time_slice = 5'000}, [] {
    Shared state;
    shared = &state;
    static int indices[kThreads];
    std::vector<ThreadId> ids;
    for (int i = 0; i < kThreads; ++i) {
      indices[i] = i;
      ids.push_back(StartThread(
                        [](void* arg) {
                          const int me = *static_cast<int*>(arg);
                          for (int phase = 0; phase < kPhases; ++phase) {
                            // Everyone must have finished the previous phase.
                            if (phase > 0 && shared->finished[phase - 1].load() != kThreads) {
                              shared->violations.fetch_add(1);
                            }
                            Spin((me * 7 + phase * 3) % 20);
                            shared->finished[phase].fetch_add(1);
                            if (shared->barrier.ArriveAndWait()) {
                              shared->last_count[phase].fetch_add(1);
                            }
                          }
                        },
                        &indices[i])
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(state.violations.load(), 0);
    for (int phase = 0; phase < kPhases; ++phase) {
      EXPECT_EQ(state.finished[phase].load(), kThreads);
      EXPECT_EQ(state.last_count[phase].load(), 1) << "phase " << phase;
    }
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

}  // namespace
}  // namespace vos
