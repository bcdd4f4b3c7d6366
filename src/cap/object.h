// The header every kernel object embeds (by deriving from KernelObject): a
// type tag, checked when a capability is looked up, and a reference count.
// Each capability holds one reference, and so does each ObjectRef; the
// object's release function runs when the last one goes.
//
// The header also carries the lock that guards the derivation tree of the
// object's capabilities (see derivation_tree.h): every capability in one tree
// names the same object, so trees of different objects never contend.
#ifndef VERIDIAN_SRC_CAP_OBJECT_H_
#define VERIDIAN_SRC_CAP_OBJECT_H_

#include <concepts>
#include <cstdint>
#include <utility>

#include "src/hal/atomic.h"
#include "src/lib/spinlock.h"

namespace vos {

// 5 bits in a capability slot (slot_word.h): at most 31 types. kNone names no
// object; as a lookup's wanted type it means "any type".
enum class ObjectType : uint8_t {
  kNone = 0,
  kProcess,
  kThread,
  kAddressSpace,
  kMemoryRegion,
  kEndpoint,
  kChannel,
  kSharedMemory,
  kInterrupt,
  kMutex,
  kRwLock,
  kSemaphore,
  kBarrier,
  kCount,
};

class KernelObject {
 public:
  // Called once, when the last reference goes; typically frees the object.
  using ReleaseFunction = void (*)(KernelObject& object);

  // Starts with one reference, the creator's.
  KernelObject(ObjectType type, ReleaseFunction release);
  KernelObject(const KernelObject&) = delete;
  KernelObject& operator=(const KernelObject&) = delete;

  ObjectType type() const { return type_; }
  uint32_t reference_count() const { return references_.Load(std::memory_order_relaxed); }

  void AddReference() { references_.FetchAdd(1, std::memory_order_relaxed); }
  // Drops `count` references; runs the release function if they were the last.
  void Release(uint32_t count = 1);

  // Guards the derivation tree of this object's capabilities.
  SpinLock& derivation_lock() { return derivation_lock_; }

 protected:
  ~KernelObject() = default;

 private:
  hal::Atomic<uint32_t> references_{1};
  const ObjectType type_;
  const ReleaseFunction release_;
  SpinLock derivation_lock_;
};

// Kernel object types declare `static constexpr ObjectType kType`.
template <typename T>
concept TypedKernelObject = std::derived_from<T, KernelObject> && requires {
  { T::kType } -> std::convertible_to<ObjectType>;
};

// An owned reference to a kernel object: keeps it alive, even after every
// capability to it has been revoked. Move-only.
template <typename T>
class ObjectRef {
 public:
  ObjectRef() = default;
  // Takes over a reference the caller already owns.
  static ObjectRef Adopt(T* object) { return ObjectRef(object); }
  ObjectRef(ObjectRef&& other) : object_(std::exchange(other.object_, nullptr)) {}
  ObjectRef& operator=(ObjectRef&& other) {
    if (this != &other) {
      Reset();
      object_ = std::exchange(other.object_, nullptr);
    }
    return *this;
  }
  ~ObjectRef() { Reset(); }

  T* get() const { return object_; }
  T* operator->() const { return object_; }
  T& operator*() const { return *object_; }
  explicit operator bool() const { return object_ != nullptr; }

  // Gives up ownership without dropping the reference.
  T* Leak() { return std::exchange(object_, nullptr); }
  void Reset() {
    if (object_ != nullptr) static_cast<KernelObject*>(std::exchange(object_, nullptr))->Release();
  }

 private:
  explicit ObjectRef(T* object) : object_(object) {}
  T* object_ = nullptr;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_OBJECT_H_
