#include "src/sched/thread.h"

namespace vos {

const char* ThreadStateName(ThreadState state) {
  switch (state) {
    case ThreadState::kFree: return "free";
    case ThreadState::kRunnable: return "runnable";
    case ThreadState::kRunning: return "running";
    case ThreadState::kBlocked: return "blocked";
    case ThreadState::kSleeping: return "sleeping";
    case ThreadState::kExited: return "exited";
  }
  return "unknown";
}

}  // namespace vos
