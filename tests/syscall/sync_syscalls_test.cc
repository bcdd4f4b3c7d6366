// The sync syscalls (mutex, rw lock, semaphore, barrier) from simulated user
// mode: bad tokens, wrong types, missing rights and bad arguments get the
// documented errors; unlocking what the caller does not hold is
// kPermissionDenied; a lock whose holder thread exits, or whose process is
// killed, is released to the next locker. The programs live here; the test
// body acts for init. (Every run also fails on leaked frames or heap
// objects: see tests/support/process_machine.h.)
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/hal/time.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "src/sync/sync_object.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::Code;
using programs::Get64;
using programs::kScratch;
using programs::Set64;
using testing_support::ExpectExit;
using testing_support::InitCapabilities;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;
using testing_support::SpawnGranting;

// Results a helper thread leaves for the main thread (thread exit codes are
// not kept).
constexpr uint64_t kThreadResult = kScratch + 8;

int64_t After(uint64_t nanoseconds) { return user::GetTime() + nanoseconds; }

// Another thread of the holder's process: may not unlock its mutex, and
// times out locking it. Leaves 0 or a check number at kThreadResult.
int64_t Intruder(uint64_t mutex) {
  int64_t result = 0;
  if (user::MutexUnlock(mutex) != Code(Status::kPermissionDenied)) {
    result = 1;
  } else if (user::MutexLock(mutex, After(50'000)) != Code(Status::kTimedOut)) {
    result = 2;
  }
  Set64(kThreadResult, static_cast<uint64_t>(result));
  return 0;
}

// Every call that takes a token, with `token`: each must fail with `want`.
int64_t ExpectEverywhere(uint64_t token, Status want, int64_t first) {
  const int64_t results[] = {
      user::MutexLock(token, After(1000)), user::MutexUnlock(token),
      user::RwLockLock(token, abi::kRwLockRead, After(1000)),
      user::RwLockLock(token, abi::kRwLockWrite, After(1000)), user::RwLockUnlock(token),
      user::SemaphoreDown(token, After(1000)), user::SemaphoreUp(token, 1),
      user::BarrierWait(token),
  };
  for (int64_t i = 0; i < static_cast<int64_t>(std::size(results)); ++i) {
    if (results[i] != Code(want)) return first + i;
  }
  return 0;
}

// sync_abuse: exits 0 when every misuse got its documented error, else the
// number of the first check that failed.
int64_t Abuse(user::Args) {
  // 1-19: tokens that name nothing.
  if (int64_t failed = ExpectEverywhere(1, Status::kBadHandle, 1)) return failed;
  if (int64_t failed = ExpectEverywhere(0x5eed1234567, Status::kBadHandle, 10)) return failed;
  const int64_t mutex = user::MutexCreate();
  const int64_t rw = user::RwLockCreate();
  const int64_t sem = user::SemaphoreCreate(0);
  const int64_t barrier = user::BarrierCreate(1);
  if (mutex <= 0 || rw <= 0 || sem <= 0 || barrier <= 0) return 20;
  const uint64_t info_at = kScratch + 64;
  if (user::CapInspect(mutex, info_at) != 0) return 21;
  abi::CapabilityInfo info;
  user::Load(info_at, &info, sizeof(info));
  if (info.type != abi::ObjectType::kMutex || info.rights != abi::kSyncRights) return 22;
  // 30-39: objects of the wrong type.
  if (user::SemaphoreDown(mutex, After(1000)) != Code(Status::kInvalidArgument)) return 30;
  if (user::MutexLock(sem) != Code(Status::kInvalidArgument)) return 31;
  if (user::RwLockLock(mutex, abi::kRwLockRead) != Code(Status::kInvalidArgument)) return 32;
  if (user::BarrierWait(rw) != Code(Status::kInvalidArgument)) return 33;
  if (user::MutexUnlock(rw) != Code(Status::kInvalidArgument)) return 34;
  if (user::RwLockUnlock(barrier) != Code(Status::kInvalidArgument)) return 35;
  // 40-49: bad arguments.
  if (user::RwLockLock(rw, 2) != Code(Status::kInvalidArgument)) return 40;
  if (user::SemaphoreUp(sem, 0) != Code(Status::kInvalidArgument)) return 41;
  if (user::SemaphoreUp(sem, abi::kMaxSemaphoreUnits + 1) != Code(Status::kInvalidArgument)) {
    return 42;
  }
  if (user::SemaphoreCreate(abi::kMaxSemaphoreUnits + 1) != Code(Status::kInvalidArgument)) {
    return 43;
  }
  if (user::BarrierCreate(0) != Code(Status::kInvalidArgument)) return 44;
  if (user::BarrierCreate(abi::kMaxBarrierParties + 1) != Code(Status::kInvalidArgument)) {
    return 45;
  }
  // 50-59: unlocking what the caller does not hold; relocking what it does.
  if (user::MutexUnlock(mutex) != Code(Status::kPermissionDenied)) return 50;
  if (user::RwLockUnlock(rw) != Code(Status::kPermissionDenied)) return 51;
  if (user::MutexLock(mutex) != 0) return 52;
  if (user::MutexLock(mutex) != Code(Status::kAlreadyExists)) return 53;
  Set64(kThreadResult, 99);
  const int64_t intruder = user::ThreadCreate(&user::ThreadEntry<Intruder>, mutex);
  if (intruder <= 0 || user::ThreadJoin(intruder) != 0) return 54;
  if (const uint64_t result = Get64(kThreadResult); result != 0) return 54 + result;  // 55, 56
  if (user::MutexUnlock(mutex) != 0) return 57;
  if (user::MutexUnlock(mutex) != Code(Status::kPermissionDenied)) return 58;
  // 60-69: rights.
  const int64_t mutex_read = user::CapDerive(mutex, abi::kRightRead);
  if (mutex_read <= 0) return 60;
  if (user::MutexLock(mutex_read) != Code(Status::kPermissionDenied)) return 61;
  const int64_t rw_read = user::CapDerive(rw, abi::kRightRead);
  if (rw_read <= 0) return 62;
  if (user::RwLockLock(rw_read, abi::kRwLockWrite) != Code(Status::kPermissionDenied)) return 63;
  if (user::RwLockLock(rw_read, abi::kRwLockRead) != 0) return 64;
  if (user::RwLockLock(rw, abi::kRwLockWrite) != Code(Status::kAlreadyExists)) return 65;
  if (user::RwLockUnlock(rw) != 0) return 66;  // Any capability to it unlocks.
  if (user::RwLockLock(rw, abi::kRwLockWrite) != 0 || user::RwLockUnlock(rw) != 0) return 67;
  if (user::SemaphoreUp(user::CapDerive(sem, abi::kRightRead), 1) !=
      Code(Status::kPermissionDenied)) {
    return 68;
  }
  // 70-79: semaphore and barrier.
  if (user::SemaphoreDown(sem, After(10'000)) != Code(Status::kTimedOut)) return 70;
  if (user::SemaphoreUp(sem, 2) != 0) return 71;
  if (user::SemaphoreDown(sem) != 0 || user::SemaphoreDown(sem) != 0) return 72;
  if (user::SemaphoreDown(sem, After(10'000)) != Code(Status::kTimedOut)) return 73;
  if (user::BarrierWait(barrier) != 1 || user::BarrierWait(barrier) != 1) return 74;
  // 80-89: at most kMaxHeldLocks held at once.
  int64_t mutexes[abi::kMaxHeldLocks + 1];
  for (int64_t& m : mutexes) {
    m = user::MutexCreate();
    if (m <= 0) return 80;
  }
  for (uint64_t i = 0; i < abi::kMaxHeldLocks; ++i) {
    if (user::MutexLock(mutexes[i]) != 0) return 81;
  }
  if (user::MutexLock(mutexes[abi::kMaxHeldLocks]) != Code(Status::kOutOfRange)) return 82;
  if (user::RwLockLock(rw, abi::kRwLockRead) != Code(Status::kOutOfRange)) return 83;
  for (uint64_t i = 0; i < abi::kMaxHeldLocks; ++i) {
    if (user::MutexUnlock(mutexes[i]) != 0) return 84;
  }
  if (user::MutexLock(mutexes[abi::kMaxHeldLocks]) != 0) return 85;
  // 90-99: a deleted capability names nothing, though the lock held through
  // it stays held (and is released when this process ends).
  if (user::CapDelete(mutexes[abi::kMaxHeldLocks]) != 0) return 90;
  if (user::MutexUnlock(mutexes[abi::kMaxHeldLocks]) != Code(Status::kBadHandle)) return 91;
  return 0;
}

// Locks the mutex or rw lock in the caller's thread and exits the thread
// holding it; leaves 1 at kThreadResult once it holds it.
int64_t LockAndLeave(uint64_t which) {
  const uint64_t token = Get64(kScratch + 16);
  const int64_t locked = which == 0 ? user::MutexLock(token)
                                    : user::RwLockLock(token, abi::kRwLockWrite);
  Set64(kThreadResult, locked == 0 ? 1 : 2);
  return 0;
}

// thread_exit_holding: a thread that exits holding a mutex (then a rw
// lock's write side) releases it: the main thread gets it at once. Exits 0
// or the failed check's number.
int64_t ThreadExitHolding(user::Args) {
  for (uint64_t which : {0, 1}) {
    const int64_t token = which == 0 ? user::MutexCreate() : user::RwLockCreate();
    if (token <= 0) return 1;
    Set64(kScratch + 16, static_cast<uint64_t>(token));
    Set64(kThreadResult, 0);
    const int64_t thread = user::ThreadCreate(&user::ThreadEntry<LockAndLeave>, which);
    if (thread <= 0 || user::ThreadJoin(thread) != 0) return 2;
    if (Get64(kThreadResult) != 1) return 3;
    const int64_t relocked = which == 0
                                 ? user::MutexLock(token, After(1'000'000))
                                 : user::RwLockLock(token, abi::kRwLockRead, After(1'000'000));
    if (relocked != 0) return 4 + static_cast<int64_t>(which);
    if ((which == 0 ? user::MutexUnlock(token) : user::RwLockUnlock(token)) != 0) return 6;
  }
  return 0;
}

// lock_and_sleep kind lock signal: takes `lock` (kind 0: a mutex, 1: a rw
// lock's write side), ups semaphore `signal`, and sleeps until killed.
int64_t LockAndSleep(user::Args args) {
  const uint64_t kind = Arg(args, 0);
  const uint64_t lock = Arg(args, 1);
  const int64_t locked =
      kind == 0 ? user::MutexLock(lock) : user::RwLockLock(lock, abi::kRwLockWrite);
  if (locked != 0) return 1;
  if (user::SemaphoreUp(Arg(args, 2), 1) != 0) return 2;
  user::Sleep(~uint64_t{0} >> 1);
  return 3;
}

// lock_waiter kind lock: takes `lock` (as lock_and_sleep) with no deadline,
// releases it and exits 0.
int64_t LockWaiter(user::Args args) {
  const uint64_t kind = Arg(args, 0);
  const uint64_t lock = Arg(args, 1);
  if (kind == 0) return user::MutexLock(lock) == 0 && user::MutexUnlock(lock) == 0 ? 0 : 1;
  return user::RwLockLock(lock, abi::kRwLockRead) == 0 && user::RwLockUnlock(lock) == 0 ? 0 : 1;
}

const std::array<Program, 4>& Programs() {
  static const std::array<Program, 4> programs = {{
      {"sync_abuse", user::CodeAddress(user::ProgramEntry<Abuse>)},
      {"thread_exit_holding", user::CodeAddress(user::ProgramEntry<ThreadExitHolding>)},
      {"lock_and_sleep", user::CodeAddress(user::ProgramEntry<LockAndSleep>)},
      {"lock_waiter", user::CodeAddress(user::ProgramEntry<LockWaiter>)},
  }};
  return programs;
}

template <typename T>
Token InsertIntoInit(Result<ObjectRef<T>> object) {
  EXPECT_TRUE(object.ok());
  Result<Token> token = InitCapabilities().Insert(**object, static_cast<Rights>(abi::kSyncRights));
  EXPECT_TRUE(token.ok());
  return *token;
}

TEST(SyncSyscallsTest, MisuseGetsTheDocumentedErrors) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus, 1, Programs()), [] {
      Result<ProcessId> abuse = testing_support::Spawn("sync_abuse");
      ASSERT_TRUE(abuse.ok());
      ExpectExit(*abuse, abi::ExitReason::kExited, 0);
    });
  }
}

TEST(SyncSyscallsTest, AThreadThatExitsHoldingALockReleasesIt) {
  for (uint64_t seed : {1, 2}) {
    RunProcesses(MakeProcessMachine(2, seed, Programs()), [] {
      Result<ProcessId> program = testing_support::Spawn("thread_exit_holding");
      ASSERT_TRUE(program.ok());
      ExpectExit(*program, abi::ExitReason::kExited, 0);
    });
  }
}

// kind 0: a mutex; 1: a rw lock. The holder is killed while a second
// process waits for the lock without a deadline: the waiter gets it.
void RunKilledHolder(uint64_t kind, uint32_t cpus) {
  RunProcesses(MakeProcessMachine(cpus, 1, Programs()), [kind] {
    Result<ObjectRef<MutexObject>> mutex = MutexObject::Create();
    Result<ObjectRef<RwLockObject>> rw = RwLockObject::Create();
    Result<ObjectRef<SemaphoreObject>> signal = SemaphoreObject::Create(0);
    ASSERT_TRUE(mutex.ok() && rw.ok() && signal.ok());
    const Token lock = kind == 0 ? InsertIntoInit(std::move(mutex)) : InsertIntoInit(std::move(rw));
    const Token signal_token = InsertIntoInit(std::move(signal));
    Result<ProcessId> holder = SpawnGranting("lock_and_sleep", {kind}, {lock, signal_token});
    ASSERT_TRUE(holder.ok());
    Result<ObjectRef<SemaphoreObject>> held_signal =
        InitCapabilities().Acquire<SemaphoreObject>(signal_token, Rights::kNone);
    ASSERT_TRUE(held_signal.ok());
    ASSERT_EQ((*held_signal)->semaphore().Acquire(hal::Now() + 10'000'000), Status::kOk)
        << "the holder never took the lock";
    // Held: a kernel thread's timed attempt fails (and withdraws its boost).
    if (kind == 0) {
      Result<ObjectRef<MutexObject>> object =
          InitCapabilities().Acquire<MutexObject>(lock, Rights::kNone);
      ASSERT_TRUE(object.ok());
      EXPECT_EQ((*object)->mutex().LockUntil(hal::Now() + 100'000), Status::kTimedOut);
    } else {
      Result<ObjectRef<RwLockObject>> object =
          InitCapabilities().Acquire<RwLockObject>(lock, Rights::kNone);
      ASSERT_TRUE(object.ok());
      EXPECT_EQ((*object)->lock().ReadLock(hal::Now() + 100'000), Status::kTimedOut);
    }
    Result<ProcessId> waiter = SpawnGranting("lock_waiter", {kind}, {lock});
    ASSERT_TRUE(waiter.ok());
    Scheduler::SleepFor(200'000);
    abi::ProcessInfo info{};
    ASSERT_EQ(ProcessManager::QueryProcess(*waiter, &info), Status::kOk);
    EXPECT_EQ(info.state, abi::ProcessState::kRunning) << "the waiter got a held lock";
    ASSERT_EQ(ProcessManager::Kill(*holder, 77), Status::kOk);
    ExpectExit(*holder, abi::ExitReason::kKilled, 77);
    ExpectExit(*waiter, abi::ExitReason::kExited, 0);
    EXPECT_EQ(InitCapabilities().Delete(lock), Status::kOk);
    EXPECT_EQ(InitCapabilities().Delete(signal_token), Status::kOk);
  });
}

TEST(SyncSyscallsTest, AKilledHoldersMutexGoesToTheNextLocker) {
  RunKilledHolder(0, 1);
  RunKilledHolder(0, 4);
}

TEST(SyncSyscallsTest, AKilledHoldersRwLockGoesToTheNextLocker) {
  RunKilledHolder(1, 1);
  RunKilledHolder(1, 4);
}

}  // namespace
}  // namespace vos
