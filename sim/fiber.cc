#include "sim/fiber.h"

#include <sys/mman.h>

#include <boost/context/detail/fcontext.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace sim {
namespace {

namespace ctx = boost::context::detail;

constexpr uintptr_t kNotStartedTag = 1;
constexpr size_t kGuardSize = 4096;

struct StartRecord {
  FiberEntry entry;
  void* arg;
  char* stack_base;
};

// Passed with every jump: where the jumper's own context must be saved, and
// the start record when the target has never run.
struct Jump {
  FiberHandle* save;
  const StartRecord* start;
};

[[noreturn]] void FiberMain(ctx::transfer_t transfer) {
  Jump* jump = static_cast<Jump*>(transfer.data);
  const StartRecord start = *jump->start;
  *jump->save = transfer.fctx;
  start.entry(start.arg);
  std::fprintf(stderr, "sim: a fiber's entry function returned; fibers must never return\n");
  std::abort();
}

}  // namespace

FiberHandle PrepareFiber(void* stack_base, size_t stack_size, FiberEntry entry, void* arg) {
  uintptr_t top = reinterpret_cast<uintptr_t>(stack_base) + stack_size;
  auto* record = reinterpret_cast<StartRecord*>((top - sizeof(StartRecord)) & ~uintptr_t{63});
  *record = {entry, arg, static_cast<char*>(stack_base)};
  return reinterpret_cast<FiberHandle>(reinterpret_cast<uintptr_t>(record) | kNotStartedTag);
}

void SwitchFiber(FiberHandle* save, FiberHandle target) {
  Jump jump{save, nullptr};
  const uintptr_t bits = reinterpret_cast<uintptr_t>(target);
  if (bits & kNotStartedTag) {
    auto* record = reinterpret_cast<StartRecord*>(bits & ~kNotStartedTag);
    jump.start = record;
    char* top = reinterpret_cast<char*>(record);
    target = ctx::make_fcontext(top, static_cast<size_t>(top - record->stack_base), &FiberMain);
  }
  ctx::transfer_t transfer = ctx::jump_fcontext(static_cast<ctx::fcontext_t>(target), &jump);
  // Resumed: save the context of whoever switched to us where it asked.
  *static_cast<Jump*>(transfer.data)->save = transfer.fctx;
}

FiberStack::FiberStack(size_t size) : size_(size) {
  mapping_ = mmap(nullptr, size + kGuardSize, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping_ == MAP_FAILED) {
    std::perror("sim: mmap of a fiber stack");
    std::abort();
  }
  mprotect(mapping_, kGuardSize, PROT_NONE);
  base_ = static_cast<char*>(mapping_) + kGuardSize;
}

FiberStack::~FiberStack() { munmap(mapping_, size_ + kGuardSize); }

}  // namespace sim
