// Sync syscalls: kernel mutexes, rw locks, semaphores and barriers named by
// capabilities (src/sync/sync_object.h).
//
// A lock belongs to the thread that took it: the thread's HeldLocks
// records it with a reference to the object, an unlock by anyone else is
// kPermissionDenied, and a thread that leaves still holding locks (its own
// exit, or its process's death) releases them in ReleaseHeldLocks, so the
// next locker gets the lock rather than deadlocking. Nothing tells that
// locker the holder died: what the lock protected may be half updated.
#include <cstdint>

#include "src/abi/syscall.h"
#include "src/cap/capability_space.h"
#include "src/lib/thread_annotations.h"
#include "src/proc/held_locks.h"
#include "src/sync/sync_object.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos {
namespace syscall {
namespace {

static_assert(static_cast<uint32_t>(abi::ObjectType::kMutex) ==
              static_cast<uint32_t>(ObjectType::kMutex));
static_assert(static_cast<uint32_t>(abi::ObjectType::kRwLock) ==
              static_cast<uint32_t>(ObjectType::kRwLock));
static_assert(static_cast<uint32_t>(abi::ObjectType::kSemaphore) ==
              static_cast<uint32_t>(ObjectType::kSemaphore));
static_assert(static_cast<uint32_t>(abi::ObjectType::kBarrier) ==
              static_cast<uint32_t>(ObjectType::kBarrier));
static_assert(abi::kMaxHeldLocks == HeldLocks::kCapacity);

using Mode = HeldLocks::Mode;

// What a new synchronisation object's capability carries.
constexpr Rights kRights = static_cast<Rights>(abi::kSyncRights);

// Takes the lock of the object `token` names with `take(object)` and records
// the hold in `mode`.
template <TypedKernelObject T, typename Take>
int64_t LockAndRecord(UserThread& self, uint64_t token, Rights rights, Mode mode, Take take) {
  Result<ObjectRef<T>> object = AcquireArgument<T>(self, token, rights);
  if (!object.ok()) return Error(object.status());
  HeldLocks& held = self.held_locks();
  if (held.Find(object->get()) != Mode::kNone) return Error(Status::kAlreadyExists);
  if (held.full()) return Error(Status::kOutOfRange);
  if (Status status = take(**object); !IsOk(status)) return Error(status);
  held.Add(object->Leak(), mode);
  return 0;
}

// Releases one recorded hold and the reference it kept.
void ReleaseHold(KernelObject* object, Mode mode) VOS_NO_THREAD_SAFETY_ANALYSIS {
  switch (mode) {
    case Mode::kMutex:
      static_cast<MutexObject*>(object)->mutex().Unlock();
      break;
    case Mode::kRead:
      static_cast<RwLockObject*>(object)->lock().ReadUnlock();
      break;
    case Mode::kWrite:
      static_cast<RwLockObject*>(object)->lock().WriteUnlock();
      break;
    case Mode::kNone:
      break;
  }
  object->Release();
}

// Unlocks the object `token` names if the caller holds it.
template <TypedKernelObject T>
int64_t UnlockRecorded(UserThread& self, uint64_t token) {
  Result<ObjectRef<T>> object = AcquireArgument<T>(self, token, Rights::kNone);
  if (!object.ok()) return Error(object.status());
  HeldLocks& held = self.held_locks();
  const Mode mode = held.Find(object->get());
  if (mode == Mode::kNone) return Error(Status::kPermissionDenied);
  ReleaseHold(held.Remove(object->get()), mode);
  return 0;
}

}  // namespace

int64_t MutexCreate(UserThread& self, Args) {
  return NewObjectResult(self, MutexObject::Create(), kRights);
}

int64_t MutexLock(UserThread& self, Args args) {
  const hal::Nanoseconds deadline = DeadlineArgument(args[1]);
  return LockAndRecord<MutexObject>(
      self, args[0], Rights::kWrite, Mode::kMutex,
      [deadline](MutexObject& object) { return object.mutex().LockUntil(deadline); });
}

int64_t MutexUnlock(UserThread& self, Args args) {
  return UnlockRecorded<MutexObject>(self, args[0]);
}

int64_t RwLockCreate(UserThread& self, Args) {
  return NewObjectResult(self, RwLockObject::Create(), kRights);
}

int64_t RwLockLock(UserThread& self, Args args) {
  const hal::Nanoseconds deadline = DeadlineArgument(args[2]);
  if (args[1] == abi::kRwLockRead) {
    return LockAndRecord<RwLockObject>(
        self, args[0], Rights::kRead, Mode::kRead,
        [deadline](RwLockObject& object) { return object.lock().ReadLock(deadline); });
  }
  if (args[1] == abi::kRwLockWrite) {
    return LockAndRecord<RwLockObject>(
        self, args[0], Rights::kWrite, Mode::kWrite,
        [deadline](RwLockObject& object) { return object.lock().WriteLock(deadline); });
  }
  return Error(Status::kInvalidArgument);
}

int64_t RwLockUnlock(UserThread& self, Args args) {
  return UnlockRecorded<RwLockObject>(self, args[0]);
}

int64_t SemaphoreCreate(UserThread& self, Args args) {
  if (args[0] > abi::kMaxSemaphoreUnits) return Error(Status::kInvalidArgument);
  return NewObjectResult(self, SemaphoreObject::Create(args[0]), kRights);
}

int64_t SemaphoreDown(UserThread& self, Args args) {
  Result<ObjectRef<SemaphoreObject>> object =
      AcquireArgument<SemaphoreObject>(self, args[0], Rights::kWrite);
  if (!object.ok()) return Error(object.status());
  return Error((*object)->semaphore().Acquire(DeadlineArgument(args[1])));
}

int64_t SemaphoreUp(UserThread& self, Args args) {
  if (args[1] == 0 || args[1] > abi::kMaxSemaphoreUnits) return Error(Status::kInvalidArgument);
  Result<ObjectRef<SemaphoreObject>> object =
      AcquireArgument<SemaphoreObject>(self, args[0], Rights::kWrite);
  if (!object.ok()) return Error(object.status());
  (*object)->semaphore().Release(args[1]);
  return 0;
}

int64_t BarrierCreate(UserThread& self, Args args) {
  if (args[0] == 0 || args[0] > abi::kMaxBarrierParties) return Error(Status::kInvalidArgument);
  return NewObjectResult(self, BarrierObject::Create(static_cast<uint32_t>(args[0])), kRights);
}

int64_t BarrierWait(UserThread& self, Args args) {
  Result<ObjectRef<BarrierObject>> object =
      AcquireArgument<BarrierObject>(self, args[0], Rights::kWrite);
  if (!object.ok()) return Error(object.status());
  return (*object)->barrier().ArriveAndWait() ? 1 : 0;
}

}  // namespace syscall

void ReleaseHeldLocks(UserThread& thread) {
  HeldLocks& held = thread.held_locks();
  for (HeldLocks::Entry entry = held.TakeAny(); entry.object != nullptr;
       entry = held.TakeAny()) {
    syscall::ReleaseHold(entry.object, entry.mode);
  }
}

}  // namespace vos
