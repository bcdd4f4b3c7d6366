// The header every kernel object embeds (by deriving from KernelObject): a
// type tag, checked when a capability is looked up, and a reference count.
// Each capability holds one reference, and so does each ObjectRef; the
// object's release function runs when the last one goes.
//
// The header also carries the lock that guards the derivation tree of the
// object's capabilities (see derivation_tree.h): every capability in one tree
// names the same object, so trees of different objects never contend.
//
// Holders. An object may ask to hear when the last capability carrying a
// given right goes (HolderWatch): CapabilitySpace counts, under the
// derivation lock, the capabilities in every space that carry each watched
// right, and calls the watch's function when a count falls to zero (the last
// one deleted, revoked, or destroyed with its space). That is how a server
// side lives exactly as long as someone can serve it: an endpoint closes
// when its last receive capability goes, wherever that capability was moved
// or copied to (in the spirit of Zircon's peer-closed signal and of seL4's
// cleanup when an endpoint's final capability goes).
#ifndef VERIDIAN_SRC_CAP_OBJECT_H_
#define VERIDIAN_SRC_CAP_OBJECT_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "src/cap/rights.h"
#include "src/hal/atomic.h"
#include "src/lib/assert.h"
#include "src/lib/spinlock.h"
#include "src/lib/thread_annotations.h"

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
  kRegistry,
  kCount,
};

class KernelObject;

// Which rights' holders an object counts, and what to call when the last
// capability carrying one of them goes: with no lock held, while the caller
// still holds a reference. A count only falls to zero after it rose, so an
// object no capability ever carried a watched right to is never told.
inline constexpr size_t kMaxWatchedRights = 2;
struct HolderWatch {
  using LastHolderFunction = void (*)(KernelObject& object);
  Rights rights[kMaxWatchedRights] = {};  // Each one right, or kNone.
  LastHolderFunction last_holder_gone = nullptr;
};

class KernelObject {
 public:
  // Called once, when the last reference goes; typically frees the object.
  using ReleaseFunction = void (*)(KernelObject& object);

  // Starts with one reference, the creator's.
  constexpr KernelObject(ObjectType type, ReleaseFunction release,
                         HolderWatch watch = HolderWatch())
      : type_(type), release_(release), watch_(watch) {
    VOS_ASSERT(type != ObjectType::kNone && type < ObjectType::kCount);
    VOS_ASSERT(release != nullptr);
    VOS_ASSERT(watch.last_holder_gone != nullptr ||
               (watch.rights[0] == Rights::kNone && watch.rights[1] == Rights::kNone));
  }
  KernelObject(const KernelObject&) = delete;
  KernelObject& operator=(const KernelObject&) = delete;

  ObjectType type() const { return type_; }
  uint32_t reference_count() const { return references_.Load(std::memory_order_relaxed); }

  void AddReference() { references_.FetchAdd(1, std::memory_order_relaxed); }
  // Drops `count` references; runs the release function if they were the last.
  void Release(uint32_t count = 1);

  // Guards the derivation tree of this object's capabilities.
  SpinLock& derivation_lock() { return derivation_lock_; }

  // Capabilities carrying the `index`-th watched right, in every space.
  uint32_t holders(size_t index) {
    SpinLockGuard guard(derivation_lock_);
    return holders_[index];
  }

 protected:
  ~KernelObject() = default;

 private:
  friend class CapabilitySpace;

  // Under derivation_lock(): a capability with `rights` appeared, or went
  // (true when it was the last holder of a watched right: the caller calls
  // LastHolderGone once the lock is released).
  void AddHolder(Rights rights) VOS_NO_THREAD_SAFETY_ANALYSIS;
  [[nodiscard]] bool RemoveHolder(Rights rights) VOS_NO_THREAD_SAFETY_ANALYSIS;
  void LastHolderGone() { watch_.last_holder_gone(*this); }

  hal::Atomic<uint32_t> references_{1};
  const ObjectType type_;
  const ReleaseFunction release_;
  const HolderWatch watch_;
  SpinLock derivation_lock_;
  uint32_t holders_[kMaxWatchedRights] VOS_GUARDED_BY(derivation_lock_) = {};
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
