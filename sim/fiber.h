// Symmetric fiber switching on Boost.Context's fcontext primitives: every
// simulated CPU and every kernel context is a stack plus a saved fcontext.
#ifndef VERIDIAN_SIM_FIBER_H_
#define VERIDIAN_SIM_FIBER_H_

#include <cstddef>

namespace sim {

// A suspended fiber: a Boost fcontext, or (low bit set) a fiber prepared by
// PrepareFiber that has not run yet.
using FiberHandle = void*;
using FiberEntry = void (*)(void* arg);

// Prepares a fiber that will run entry(arg) on [stack_base, stack_base+size)
// at its first resumption. The start record lives at the top of the stack.
FiberHandle PrepareFiber(void* stack_base, size_t stack_size, FiberEntry entry, void* arg);

// Suspends the running fiber into *save and resumes `target`. Returns when
// some fiber resumes *save.
void SwitchFiber(FiberHandle* save, FiberHandle target);

// An mmap'd stack with a guard page below it.
class FiberStack {
 public:
  explicit FiberStack(size_t size);
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  void* base() const { return base_; }
  size_t size() const { return size_; }

 private:
  void* mapping_;
  void* base_;
  size_t size_;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_FIBER_H_
