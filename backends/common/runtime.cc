// The freestanding C and C++ runtime the compiler assumes: the mem*
// functions clang emits calls to, the few C++ ABI hooks a kernel without
// exceptions or RTTI still references, and the global operator new/delete
// over the kernel heap. Shared by every hardware backend.
#include <cstddef>
#include <cstdint>
#include <new>

#include "src/hal/console.h"
#include "src/hal/power.h"
#include "src/lib/panic.h"
#include "src/mm/heap.h"

namespace {

// For runtime hooks that must never run: there is no way to recover from a
// pure virtual call.
[[noreturn]] void RuntimeFailure(const char* message) {
  size_t length = 0;
  while (message[length] != '\0') ++length;
  hal::ConsoleWrite(message, length);
  hal::PanicHalt();
}

void* NewOrPanic(size_t size, size_t alignment) {
  void* object = vos::KernelHeap().Allocate(size, alignment);
  if (object == nullptr) {
    vos::Panic("operator new: no memory for %zu bytes aligned to %zu", size, alignment);
  }
  return object;
}

}  // namespace

// no_builtin keeps clang from recognising these loops as calls to themselves.
extern "C" {

__attribute__((no_builtin)) void* memset(void* destination, int value, size_t count) {
  auto* d = static_cast<unsigned char*>(destination);
  for (size_t i = 0; i < count; ++i) d[i] = static_cast<unsigned char>(value);
  return destination;
}

__attribute__((no_builtin)) void* memcpy(void* __restrict destination,
                                         const void* __restrict source, size_t count) {
  auto* d = static_cast<unsigned char*>(destination);
  const auto* s = static_cast<const unsigned char*>(source);
  for (size_t i = 0; i < count; ++i) d[i] = s[i];
  return destination;
}

__attribute__((no_builtin)) void* memmove(void* destination, const void* source,
                                          size_t count) {
  auto* d = static_cast<unsigned char*>(destination);
  const auto* s = static_cast<const unsigned char*>(source);
  // Copy forwards unless the destination overlaps the source from above.
  if (reinterpret_cast<uintptr_t>(d) < reinterpret_cast<uintptr_t>(s)) {
    for (size_t i = 0; i < count; ++i) d[i] = s[i];
  } else {
    for (size_t i = count; i > 0; --i) d[i - 1] = s[i - 1];
  }
  return destination;
}

__attribute__((no_builtin)) int memcmp(const void* left, const void* right, size_t count) {
  const auto* l = static_cast<const unsigned char*>(left);
  const auto* r = static_cast<const unsigned char*>(right);
  for (size_t i = 0; i < count; ++i) {
    if (l[i] != r[i]) return l[i] < r[i] ? -1 : 1;
  }
  return 0;
}

// The kernel never exits, so destructors of statics are never registered.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

__attribute__((visibility("hidden"))) void* __dso_handle = &__dso_handle;

void __cxa_pure_virtual() { RuntimeFailure("runtime: pure virtual function called\n"); }

}  // extern "C"

// The global operator new and delete, backed by the kernel heap
// (src/mm/heap.h). There are no exceptions: plain new panics when memory runs
// out, the nothrow forms return null. Host builds of the simulator keep the C
// library's operators; these exist only in the freestanding kernels.
void* operator new(size_t size) { return NewOrPanic(size, vos::kMinAlignment); }
void* operator new[](size_t size) { return NewOrPanic(size, vos::kMinAlignment); }
void* operator new(size_t size, std::align_val_t alignment) {
  return NewOrPanic(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return NewOrPanic(size, static_cast<size_t>(alignment));
}

void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return vos::KernelHeap().Allocate(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return vos::KernelHeap().Allocate(size);
}
void* operator new(size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return vos::KernelHeap().Allocate(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return vos::KernelHeap().Allocate(size, static_cast<size_t>(alignment));
}

void operator delete(void* object) noexcept { vos::KernelHeap().Free(object); }
void operator delete[](void* object) noexcept { vos::KernelHeap().Free(object); }
void operator delete(void* object, size_t size) noexcept { vos::KernelHeap().Free(object, size); }
void operator delete[](void* object, size_t size) noexcept {
  vos::KernelHeap().Free(object, size);
}
void operator delete(void* object, std::align_val_t) noexcept { vos::KernelHeap().Free(object); }
void operator delete[](void* object, std::align_val_t) noexcept {
  vos::KernelHeap().Free(object);
}
void operator delete(void* object, size_t size, std::align_val_t) noexcept {
  vos::KernelHeap().Free(object, size);
}
void operator delete[](void* object, size_t size, std::align_val_t) noexcept {
  vos::KernelHeap().Free(object, size);
}
void operator delete(void* object, const std::nothrow_t&) noexcept {
  vos::KernelHeap().Free(object);
}
void operator delete[](void* object, const std::nothrow_t&) noexcept {
  vos::KernelHeap().Free(object);
}
void operator delete(void* object, std::align_val_t, const std::nothrow_t&) noexcept {
  vos::KernelHeap().Free(object);
}
void operator delete[](void* object, std::align_val_t, const std::nothrow_t&) noexcept {
  vos::KernelHeap().Free(object);
}
