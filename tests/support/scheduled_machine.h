// Runs a test body as the first kernel thread of a simulated machine on
// which every CPU runs the scheduler (src/sched), with the kernel's trap
// dispatch: timer slices, preemption, IPIs and idle halts all work as in
// the kernel. The machine powers off when the body returns.
#ifndef VERIDIAN_TESTS_SUPPORT_SCHEDULED_MACHINE_H_
#define VERIDIAN_TESTS_SUPPORT_SCHEDULED_MACHINE_H_

#include <cstdint>
#include <functional>

#include "sim/machine.h"
#include "src/hal/types.h"
#include "src/sched/priority.h"
#include "src/sched/scheduler.h"
#include "src/sched/thread.h"

namespace testing_support {

struct ScheduledMachine {
  uint32_t cpus = 1;
  uint64_t seed = 1;
  // Thread slots (idle threads included) and kernel stacks: host memory.
  size_t max_threads = 256;
  hal::Nanoseconds time_slice = 50'000;
  hal::Nanoseconds rt_period = 1'000'000;
  hal::Nanoseconds rt_runtime = 950'000;
  bool load_balancing = true;
  vos::Priority body_priority = vos::kDefaultPriority;
  sim::SchedulePolicy policy = sim::SchedulePolicy::kRandom;
  uint64_t max_interleavings = 200'000'000;
  // Last changes to the machine's configuration (page-fault resolver, RAM).
  std::function<void(sim::MachineConfig&)> configure;
};

sim::RunResult RunScheduled(const ScheduledMachine& machine, std::function<void()> body);

// Inside a run: `steps` interleaving points of busy work that never yields
// (only the timer can take the CPU away).
void Spin(uint64_t steps);

// Inside a run: creates a thread, failing the test (and returning null) if
// that fails.
vos::Thread* StartThread(vos::ThreadEntry entry, void* arg,
                         const vos::ThreadOptions& options = {});

// Inside a run: `field` of the scheduler's statistics, summed over every
// scheduled CPU.
uint64_t SumOverCpus(uint64_t vos::CpuSchedulerStats::*field);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_SCHEDULED_MACHINE_H_
