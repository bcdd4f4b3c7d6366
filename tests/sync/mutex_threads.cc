#include "tests/sync/mutex_threads.h"

#include "src/sched/scheduler.h"
#include "src/sched/timer_queue.h"
#include "tests/support/scheduled_machine.h"

namespace testing_support {

vos::ThreadOptions WithPriority(vos::Priority priority) {
  vos::ThreadOptions options;
  options.priority = priority;
  return options;
}

vos::Thread* StartHolder(MutexHolder& holder) {
  vos::Thread* thread = StartThread(
      [](void* arg) {
        MutexHolder& self = *static_cast<MutexHolder*>(arg);
        self.mutex->Lock();
        self.holds.store(true);
        while (!self.release.load()) vos::Scheduler::SleepFor(1'000);
        self.mutex->Unlock();
      },
      &holder, WithPriority(vos::MakePriority(vos::PriorityClass::kNormal, 1)));
  while (!holder.holds.load()) vos::Scheduler::SleepFor(1'000);
  return thread;
}

vos::Thread* StartLocker(TimedLocker& locker, vos::Priority priority) {
  return StartThread(
      [](void* arg) {
        TimedLocker& self = *static_cast<TimedLocker*>(arg);
        self.result = self.mutex->LockUntil(self.timeout == TimedLocker::kNoTimeout
                                                ? vos::kNoDeadline
                                                : hal::Now() + self.timeout);
        if (self.result == vos::Status::kOk) self.mutex->Unlock();
      },
      &locker, WithPriority(priority));
}

}  // namespace testing_support
