// Symmetric fiber switching on Boost.Context's fcontext primitives: every
// simulated CPU and every kernel context is a stack plus a saved fcontext.
#ifndef VERIDIAN_SIM_FIBER_H_
#define VERIDIAN_SIM_FIBER_H_

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>
#include <cstdint>

namespace sim {

// A suspended fiber: a Boost fcontext, or (low bit set) a fiber prepared by
// PrepareFiber that has not run yet.
using FiberHandle = void*;
using FiberEntry = void (*)(void* arg);

// Prepares a fiber that will run entry(arg) on [stack_base, stack_base+size)
// at its first resumption. The start record lives at the top of the stack.
FiberHandle PrepareFiber(void* stack_base, size_t stack_size, FiberEntry entry, void* arg);

namespace internal {

struct StartRecord;
// Passed with every jump: where the jumper's own context must be saved, and
// the start record when the target has never run.
struct Jump {
  FiberHandle* save;
  const StartRecord* start;
};
inline constexpr uintptr_t kNotStartedTag = 1;
// Turns a prepared, never-run fiber into a Boost context for its first jump.
boost::context::detail::fcontext_t MakeContext(FiberHandle prepared, Jump* jump);

}  // namespace internal

// Suspends the running fiber into *save and resumes `target`. Returns when
// some fiber resumes *save. Inline: it is the simulator's hottest path.
inline void SwitchFiber(FiberHandle* save, FiberHandle target) {
  namespace ctx = boost::context::detail;
  internal::Jump jump{save, nullptr};
  ctx::fcontext_t to = static_cast<ctx::fcontext_t>(target);
  if (reinterpret_cast<uintptr_t>(target) & internal::kNotStartedTag) [[unlikely]] {
    to = internal::MakeContext(target, &jump);
  }
  ctx::transfer_t transfer = ctx::jump_fcontext(to, &jump);
  // Resumed: save the context of whoever switched to us where it asked.
  *static_cast<internal::Jump*>(transfer.data)->save = transfer.fctx;
}

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
