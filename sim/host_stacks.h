// Kernel thread stacks (and thread slots) from the host heap, for kernel
// code the simulator runs with the scheduler (scenario programs, tests).
// Stacks are reused once a thread is reaped and freed with the source.
// Calls come with interrupts disabled on the one host thread that runs
// every simulated CPU, so no lock.
#ifndef VERIDIAN_SIM_HOST_STACKS_H_
#define VERIDIAN_SIM_HOST_STACKS_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "src/sched/kernel_stack.h"
#include "src/sched/scheduler.h"
#include "src/sched/thread_table.h"

namespace sim {

class HostStacks final : public vos::KernelStackSource {
 public:
  HostStacks() = default;
  HostStacks(const HostStacks&) = delete;
  HostStacks& operator=(const HostStacks&) = delete;
  ~HostStacks();

  vos::Result<void*> AllocateStack() override;
  void FreeStack(void* stack) override;

 private:
  std::vector<void*> all_;
  std::vector<void*> free_;
};

// All the host memory the scheduler needs: stacks and `max_threads` thread
// slots (idle threads included).
class HostSchedulerMemory {
 public:
  explicit HostSchedulerMemory(size_t max_threads)
      : slots_(new vos::ThreadSlot[max_threads]), max_threads_(max_threads) {}

  // A scheduler configuration over this memory, the rest at its defaults.
  vos::SchedulerConfig Config() {
    vos::SchedulerConfig config;
    config.stacks = &stacks_;
    config.threads = {slots_.get(), max_threads_};
    return config;
  }

 private:
  HostStacks stacks_;
  std::unique_ptr<vos::ThreadSlot[]> slots_;
  size_t max_threads_;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_HOST_STACKS_H_
