// The per-CPU layer of the kernel heap, after Bonwick and Adams, "Magazines
// and Vmem" (USENIX 2001). Each CPU holds, per size class, a loaded and a
// previous magazine (stacks of free objects); allocation pops from the
// loaded one and free pushes onto it, under a PreemptionGuard alone. When
// both are empty (or full) the CPU trades one with the class's depot, a
// locked stock of full and empty magazines, and only then reaches the slabs.
#ifndef VERIDIAN_SRC_MM_MAGAZINE_H_
#define VERIDIAN_SRC_MM_MAGAZINE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "src/lib/spinlock.h"
#include "src/mm/size_classes.h"

namespace vos {

struct Magazine {
  Magazine* next;  // In the depot.
  uint32_t count;
  uint32_t capacity;
  void* rounds[kMagazineMaxRounds];
};

namespace internal {
// Loaded and previous start here: a magazine that is both empty and full, so
// the fast paths need no null check and the first use takes the slow path.
inline constinit Magazine empty_magazine{};
}  // namespace internal

// A count written only by its own CPU and read by any: a relaxed load and
// store, so it costs a plain add (no locked instruction, no interleaving point).
class CpuCounter {
 public:
  void Add(uint64_t delta) {
    value_.store(value_.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  uint64_t Get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// One CPU's magazines for one size class. Used only by its own CPU, with
// preemption disabled; never from an interrupt handler.
struct CpuMagazines {
  Magazine* loaded = &internal::empty_magazine;
  Magazine* previous = &internal::empty_magazine;
  CpuCounter allocations;
  CpuCounter frees;

  static bool IsReal(const Magazine* magazine) { return magazine != &internal::empty_magazine; }

  // The fast paths use the loaded magazine alone.
  bool CanPopLoaded() const { return loaded->count != 0; }
  void* PopLoaded() { return loaded->rounds[--loaded->count]; }
  bool CanPushLoaded() const { return loaded->count != loaded->capacity; }
  void PushLoaded(void* object) { loaded->rounds[loaded->count++] = object; }

  // An object from the loaded magazine, else from the previous one when it
  // has any; nullptr when both are empty.
  void* TryPop() {
    if (!CanPopLoaded()) {
      if (previous->count == 0) return nullptr;
      Swap();
    }
    return PopLoaded();
  }

  // Pushes onto the loaded magazine, else onto the previous one when it has
  // room; false when both are full.
  bool TryPush(void* object) {
    if (!CanPushLoaded()) {
      if (previous->count == previous->capacity) return false;
      Swap();
    }
    PushLoaded(object);
    return true;
  }

  // The object most recently freed on this CPU (a cheap double-free check).
  bool IsLastFreed(const void* object) const {
    return loaded->count > 0 && loaded->rounds[loaded->count - 1] == object;
  }

  void Swap() {
    Magazine* magazine = loaded;
    loaded = previous;
    previous = magazine;
  }
};

// A size class's stock of full and empty magazines, shared by all CPUs.
class Depot {
 public:
  constexpr Depot() = default;
  Depot(const Depot&) = delete;
  Depot& operator=(const Depot&) = delete;

  // At most this many full magazines wait in a depot; beyond it, full
  // magazines go back to the slabs, so idle objects do not pile up.
  static constexpr size_t kMaxFull = 16;

  Magazine* TakeFull() VOS_EXCLUDES(lock_);
  Magazine* TakeEmpty() VOS_EXCLUDES(lock_);
  // False (and the magazine stays the caller's) when the depot has kMaxFull.
  [[nodiscard]] bool PutFull(Magazine* magazine) VOS_EXCLUDES(lock_);
  void PutEmpty(Magazine* magazine) VOS_EXCLUDES(lock_);

  // Objects in the depot's full magazines.
  size_t rounds() const VOS_EXCLUDES(lock_);
  size_t magazines() const VOS_EXCLUDES(lock_);

 private:
  static Magazine* Pop(Magazine*& stack);

  mutable SpinLock lock_;
  Magazine* full_ VOS_GUARDED_BY(lock_) = nullptr;
  Magazine* empty_ VOS_GUARDED_BY(lock_) = nullptr;
  size_t full_count_ VOS_GUARDED_BY(lock_) = 0;
  size_t empty_count_ VOS_GUARDED_BY(lock_) = 0;
  size_t rounds_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_MAGAZINE_H_
