// The kernel's blocking synchronisation (this folder) as kernel objects, so
// user programs can name them by capability (src/syscall/sync_syscalls.cc):
// a priority-inheriting mutex, a reader-writer lock, a counting semaphore
// and a barrier. Each is freed when its last reference goes; whoever holds
// a lock keeps a reference, so deleting every capability never frees a
// lock that is held.
#ifndef VERIDIAN_SRC_SYNC_SYNC_OBJECT_H_
#define VERIDIAN_SRC_SYNC_SYNC_OBJECT_H_

#include <cstdint>

#include "src/cap/object.h"
#include "src/lib/status.h"
#include "src/sync/barrier.h"
#include "src/sync/mutex.h"
#include "src/sync/rw_lock.h"
#include "src/sync/semaphore.h"

namespace vos {

class MutexObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kMutex;
  static Result<ObjectRef<MutexObject>> Create();

  Mutex& mutex() { return mutex_; }

 private:
  MutexObject();
  Mutex mutex_;
};

class RwLockObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kRwLock;
  static Result<ObjectRef<RwLockObject>> Create();

  RwLock& lock() { return lock_; }

 private:
  RwLockObject();
  RwLock lock_;
};

class SemaphoreObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kSemaphore;
  static Result<ObjectRef<SemaphoreObject>> Create(uint64_t initial);

  Semaphore& semaphore() { return semaphore_; }

 private:
  explicit SemaphoreObject(uint64_t initial);
  Semaphore semaphore_;
};

class BarrierObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kBarrier;
  // `parties` > 0.
  static Result<ObjectRef<BarrierObject>> Create(uint32_t parties);

  Barrier& barrier() { return barrier_; }

 private:
  explicit BarrierObject(uint32_t parties);
  Barrier barrier_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_SYNC_OBJECT_H_
