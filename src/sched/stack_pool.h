// A KernelStackSource over one memory region given at construction: a free
// list of size-aligned stacks. The kernel's default until the heap exists;
// tests give it host or simulated memory.
#ifndef VERIDIAN_SRC_SCHED_STACK_POOL_H_
#define VERIDIAN_SRC_SCHED_STACK_POOL_H_

#include <cstddef>

#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/kernel_stack.h"

namespace vos {

class StackPool final : public KernelStackSource {
 public:
  // Uses the kKernelStackSize-aligned stacks that fit in [base, base+size).
  StackPool(void* base, size_t size);
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  Result<void*> AllocateStack() override;
  void FreeStack(void* stack) override;

  size_t capacity() const { return capacity_; }
  size_t free_count() const;

 private:
  struct FreeNode {
    FreeNode* next;
  };
  mutable SpinLock lock_;
  FreeNode* free_ VOS_GUARDED_BY(lock_) = nullptr;
  size_t free_count_ VOS_GUARDED_BY(lock_) = 0;
  size_t capacity_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_STACK_POOL_H_
