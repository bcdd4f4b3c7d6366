#include "src/sched/scheduler_start.h"

#include "src/hal/cpu.h"

namespace vos {

Status StartScheduler(const SchedulerConfig& config, ThreadEntry entry, void* arg,
                      const ThreadOptions& options, const char** what) {
  *what = "scheduler init";
  VOS_RETURN_IF_ERROR(Scheduler::Init(config));
  *what = "first thread";
  VOS_RETURN_IF_ERROR(Scheduler::CreateThread(entry, arg, options).status());
  *what = "cpu start";
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    if (!hal::StartCpu(cpu, [](hal::CpuId) { Scheduler::RunCpu(); })) return Status::kInternal;
  }
  Scheduler::RunCpu();
}

}  // namespace vos
