#include "src/sched/stack_pool.h"

#include <cstdint>

#include "src/lib/assert.h"

namespace vos {

StackPool::StackPool(void* base, size_t size) {
  uintptr_t start = reinterpret_cast<uintptr_t>(base);
  const uintptr_t end = start + size;
  start = (start + kKernelStackSize - 1) & ~(uintptr_t{kKernelStackSize} - 1);
  // No lock: nothing else can see the pool yet (and no CPU may exist yet).
  for (uintptr_t stack = start; stack + kKernelStackSize <= end; stack += kKernelStackSize) {
    FreeNode* node = reinterpret_cast<FreeNode*>(stack);
    node->next = free_;
    free_ = node;
    ++free_count_;
    ++capacity_;
  }
}

Result<void*> StackPool::AllocateStack() {
  IrqSpinLockGuard guard(lock_);
  if (free_ == nullptr) return Status::kNoMemory;
  FreeNode* stack = free_;
  free_ = stack->next;
  --free_count_;
  return static_cast<void*>(stack);
}

void StackPool::FreeStack(void* stack) {
  VOS_ASSERT_MSG((reinterpret_cast<uintptr_t>(stack) & (kKernelStackSize - 1)) == 0,
                 "stack %p is not one of this pool's", stack);
  IrqSpinLockGuard guard(lock_);
  FreeNode* node = static_cast<FreeNode*>(stack);
  node->next = free_;
  free_ = node;
  ++free_count_;
}

size_t StackPool::free_count() const {
  IrqSpinLockGuard guard(lock_);
  return free_count_;
}

}  // namespace vos
