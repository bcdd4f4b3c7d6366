// The boot CPU's scheduler bring-up, as scheduler.h's Boot paragraph says:
// Init, the first thread, every secondary CPU into RunCpu, then RunCpu.
#ifndef VERIDIAN_SRC_SCHED_SCHEDULER_START_H_
#define VERIDIAN_SRC_SCHED_SCHEDULER_START_H_

#include "src/lib/status.h"
#include "src/sched/scheduler.h"
#include "src/sched/thread.h"

namespace vos {

// Initializes the scheduler with `config`, creates the first thread
// (`entry`(`arg`) with `options`), starts CPUs 1 .. hal::CpuCount()-1 in
// RunCpu and turns this CPU into its idle loop. Returns only if a step
// failed, with `*what` naming it ("scheduler init", "first thread" or
// "cpu start": every CPU must start, since the scheduler counts on all).
Status StartScheduler(const SchedulerConfig& config, ThreadEntry entry, void* arg,
                      const ThreadOptions& options, const char** what);

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_SCHEDULER_START_H_
