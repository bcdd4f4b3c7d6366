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
#if defined(__x86_64__)
  // jump_fcontext leaves by an indirect jmp, never a ret, so a plain call
  // would push a return-stack-buffer entry nothing pops, and every later ret
  // on the resumed fiber would be mispredicted. Enter it with a jmp and a
  // pushed return address instead. The red zone is stepped over first.
  void* fctx = to;
  void* data = &jump;
  asm volatile(
      "leaq -128(%%rsp), %%rsp\n\t"
      "leaq 1f(%%rip), %%rax\n\t"
      "pushq %%rax\n\t"
      "jmp jump_fcontext\n\t"
      "1:\n\t"
      "leaq 128(%%rsp), %%rsp\n\t"
      : "+D"(fctx), "+S"(data)
      :
      : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2",
        "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)",
        "st(7)", "mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7");
  ctx::transfer_t transfer{fctx, data};
#else
  ctx::transfer_t transfer = ctx::jump_fcontext(to, &jump);
#endif
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
