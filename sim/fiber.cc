#include "sim/fiber.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace sim {
namespace {

namespace ctx = boost::context::detail;
using internal::Jump;
using internal::kNotStartedTag;

constexpr size_t kGuardSize = 4096;

}  // namespace

namespace internal {
struct StartRecord {
  FiberEntry entry;
  void* arg;
  char* stack_base;
};
}  // namespace internal

namespace {
using internal::StartRecord;

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

namespace internal {

ctx::fcontext_t MakeContext(FiberHandle prepared, Jump* jump) {
  auto* record = reinterpret_cast<StartRecord*>(reinterpret_cast<uintptr_t>(prepared) &
                                                ~kNotStartedTag);
  jump->start = record;
  char* top = reinterpret_cast<char*>(record);
  return ctx::make_fcontext(top, static_cast<size_t>(top - record->stack_base), &FiberMain);
}

}  // namespace internal

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
