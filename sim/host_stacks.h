// Kernel thread stacks from the host heap, for kernel code the simulator
// runs with the scheduler (scenario programs, tests). Stacks are reused once
// a thread is reaped and freed with the source. Calls come with interrupts
// disabled on the one host thread that runs every simulated CPU, so no lock.
#ifndef VERIDIAN_SIM_HOST_STACKS_H_
#define VERIDIAN_SIM_HOST_STACKS_H_

#include <vector>

#include "src/sched/kernel_stack.h"

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

}  // namespace sim

#endif  // VERIDIAN_SIM_HOST_STACKS_H_
