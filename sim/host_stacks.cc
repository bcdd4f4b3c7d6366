#include "sim/host_stacks.h"

#include <cstdlib>

namespace sim {

HostStacks::~HostStacks() {
  for (void* stack : all_) std::free(stack);
}

vos::Result<void*> HostStacks::AllocateStack() {
  if (!free_.empty()) {
    void* stack = free_.back();
    free_.pop_back();
    return stack;
  }
  void* stack = std::aligned_alloc(vos::kKernelStackSize, vos::kKernelStackSize);
  if (stack == nullptr) return vos::Status::kNoMemory;
  all_.push_back(stack);
  return stack;
}

void HostStacks::FreeStack(void* stack) { free_.push_back(stack); }

}  // namespace sim
