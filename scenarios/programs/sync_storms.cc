// mutex_storm, rwlock_storm, barrier_storm, semaphore_pool: threads of one
// process hammering a kernel synchronisation object, each checking an
// invariant that breaks if the object lets a thread through when it should
// not. Exit codes: 0 the invariant held; 1 it broke; 2 an object could not
// be created; 3 a thread could not be created or joined; 4 a sync call
// failed in some thread; 5 bad arguments.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::user::Args;
namespace user = vos::user;

constexpr int64_t kBroken = 1;
constexpr int64_t kNoObject = 2;
constexpr int64_t kNoThread = 3;
constexpr int64_t kCallFailed = 4;
constexpr int64_t kBadArguments = 5;

// Shared by the process's threads.
constexpr uint64_t kShared = kBuffers;
constexpr uint64_t kToken = kShared;          // The object under test.
constexpr uint64_t kHelper = kShared + 8;     // A second object (a mutex).
constexpr uint64_t kIterations = kShared + 16;
constexpr uint64_t kParameter = kShared + 24;  // Per program.
constexpr uint64_t kFailure = kShared + 32;    // The worst code any thread saw.
constexpr uint64_t kData = kShared + 64;       // The protected state.
constexpr uint64_t kThreadIds = kScratch + 16384;
constexpr uint64_t kMaxThreads = 1024;
constexpr uint64_t kPerThread = kThreadIds + kMaxThreads * sizeof(uint64_t);

// Records a thread's failure (the worst code wins); returns the thread's
// exit code, 0 (thread exit codes are not kept).
int64_t Fail(int64_t code) {
  if (static_cast<int64_t>(Get64(kFailure)) < code) Set64(kFailure, static_cast<uint64_t>(code));
  return 0;
}

// Starts `count` threads at `entry(index)` and joins them all; returns 0,
// kNoThread, or the worst code a thread reported through Fail.
int64_t StartAndJoin(uint64_t count, user::Entry entry) {
  if (count == 0 || count > kMaxThreads) return kBadArguments;
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t tid = user::ThreadCreate(entry, i);
    if (tid < 0) return kNoThread;
    Set64(kThreadIds + i * sizeof(uint64_t), static_cast<uint64_t>(tid));
  }
  int64_t result = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t tid = Get64(kThreadIds + i * sizeof(uint64_t));
    if (user::ThreadJoin(tid) != 0 || user::CapDelete(tid) != 0) result = kNoThread;
  }
  const int64_t failed = static_cast<int64_t>(Get64(kFailure));
  return failed > result ? failed : result;
}

template <int64_t (*Function)(uint64_t)>
int64_t RunThreads(uint64_t count) {
  return StartAndJoin(count, &user::ThreadEntry<Function>);
}

// --- mutex_storm threads iterations: each thread adds 1 to a shared
// counter `iterations` times, as a load, a preemptible step and a store
// under the kernel mutex; the total must be threads x iterations.
int64_t MutexWorker(uint64_t) {
  const uint64_t mutex = Get64(kToken);
  for (uint64_t i = Get64(kIterations); i > 0; --i) {
    if (user::MutexLock(mutex) != 0) return Fail(kCallFailed);
    const uint64_t value = Get64(kData);
    user::Compute(1);
    Set64(kData, value + 1);
    if (user::MutexUnlock(mutex) != 0) return Fail(kCallFailed);
  }
  return 0;
}

int64_t MutexStorm(Args args) {
  const uint64_t threads = Arg(args, 0);
  const uint64_t iterations = Arg(args, 1);
  const int64_t mutex = user::MutexCreate();
  if (mutex <= 0) return kNoObject;
  Set64(kToken, static_cast<uint64_t>(mutex));
  Set64(kIterations, iterations);
  if (int64_t failed = RunThreads<MutexWorker>(threads)) return failed;
  return Get64(kData) == threads * iterations ? 0 : kBroken;
}

// --- rwlock_storm readers writers iterations: writers keep two words
// summing to zero (one up, a preemptible step, the other down) under the
// write lock; readers, under the read lock, must never see another sum.
// Afterwards the first word counts every write.
int64_t RwWorker(uint64_t index) {
  const uint64_t lock = Get64(kToken);
  const bool writer = index < Get64(kParameter);
  for (uint64_t i = Get64(kIterations); i > 0; --i) {
    if (user::RwLockLock(lock, writer ? vos::abi::kRwLockWrite : vos::abi::kRwLockRead) != 0) {
      return Fail(kCallFailed);
    }
    const uint64_t up = Get64(kData);
    user::Compute(1);
    const uint64_t down = Get64(kData + 8);
    if (up + down != 0) Fail(kBroken);
    if (writer) {
      Set64(kData, up + 1);
      user::Compute(1);
      Set64(kData + 8, down - 1);
    }
    if (user::RwLockUnlock(lock) != 0) return Fail(kCallFailed);
  }
  return 0;
}

int64_t RwLockStorm(Args args) {
  const uint64_t readers = Arg(args, 0);
  const uint64_t writers = Arg(args, 1);
  const uint64_t iterations = Arg(args, 2);
  if (writers == 0) return kBadArguments;
  const int64_t lock = user::RwLockCreate();
  if (lock <= 0) return kNoObject;
  Set64(kToken, static_cast<uint64_t>(lock));
  Set64(kIterations, iterations);
  Set64(kParameter, writers);  // Threads below this index write.
  if (int64_t failed = RunThreads<RwWorker>(readers + writers)) return failed;
  return Get64(kData) == writers * iterations ? 0 : kBroken;
}

// --- barrier_storm threads phases: before each phase's barrier a thread
// records that it reached the phase; past the barrier every thread must
// have reached it (nobody passes early). The one thread per phase the
// barrier names as the last to arrive counts it, under a kernel mutex:
// there must be exactly one per phase.
int64_t BarrierWorker(uint64_t index) {
  const uint64_t barrier = Get64(kToken);
  const uint64_t mutex = Get64(kHelper);
  const uint64_t threads = Get64(kParameter);
  const uint64_t progress = kPerThread;  // Phases reached, one word per thread.
  for (uint64_t phase = 1; phase <= Get64(kIterations); ++phase) {
    Set64(progress + index * sizeof(uint64_t), phase);
    user::Compute(index % 3);
    const int64_t last = user::BarrierWait(barrier);
    if (last < 0) return Fail(kCallFailed);
    for (uint64_t other = 0; other < threads; ++other) {
      if (Get64(progress + other * sizeof(uint64_t)) < phase) Fail(kBroken);
    }
    if (last == 1) {
      if (user::MutexLock(mutex) != 0) return Fail(kCallFailed);
      Set64(kData, Get64(kData) + 1);
      if (user::MutexUnlock(mutex) != 0) return Fail(kCallFailed);
    }
  }
  return 0;
}

int64_t BarrierStorm(Args args) {
  const uint64_t threads = Arg(args, 0);
  const uint64_t phases = Arg(args, 1);
  if (threads == 0 || threads > vos::abi::kMaxBarrierParties) return kBadArguments;
  const int64_t barrier = user::BarrierCreate(threads);
  const int64_t mutex = user::MutexCreate();
  if (barrier <= 0 || mutex <= 0) return kNoObject;
  Set64(kToken, static_cast<uint64_t>(barrier));
  Set64(kHelper, static_cast<uint64_t>(mutex));
  Set64(kIterations, phases);
  Set64(kParameter, threads);
  if (int64_t failed = RunThreads<BarrierWorker>(threads)) return failed;
  return Get64(kData) == phases ? 0 : kBroken;
}

// --- semaphore_pool threads iterations units: a pool of `units` units,
// each thread taking one, working and giving it back `iterations` times;
// the number in use, counted under a kernel mutex, must never exceed the
// pool, and the pool is full again at the end.
int64_t PoolWorker(uint64_t index) {
  const uint64_t pool = Get64(kToken);
  const uint64_t mutex = Get64(kHelper);
  const uint64_t units = Get64(kParameter);
  for (uint64_t i = Get64(kIterations); i > 0; --i) {
    if (user::SemaphoreDown(pool) != 0) return Fail(kCallFailed);
    if (user::MutexLock(mutex) != 0) return Fail(kCallFailed);
    const uint64_t in_use = Get64(kData) + 1;
    Set64(kData, in_use);
    if (in_use > units) Fail(kBroken);
    if (in_use > Get64(kData + 8)) Set64(kData + 8, in_use);  // The most at once.
    if (user::MutexUnlock(mutex) != 0) return Fail(kCallFailed);
    user::Compute(1 + index % 4);
    if (user::MutexLock(mutex) != 0) return Fail(kCallFailed);
    Set64(kData, Get64(kData) - 1);
    if (user::MutexUnlock(mutex) != 0) return Fail(kCallFailed);
    if (user::SemaphoreUp(pool, 1) != 0) return Fail(kCallFailed);
  }
  return 0;
}

int64_t SemaphorePool(Args args) {
  const uint64_t threads = Arg(args, 0);
  const uint64_t iterations = Arg(args, 1);
  const uint64_t units = Arg(args, 2);
  if (units == 0) return kBadArguments;
  const int64_t pool = user::SemaphoreCreate(units);
  const int64_t mutex = user::MutexCreate();
  if (pool <= 0 || mutex <= 0) return kNoObject;
  Set64(kToken, static_cast<uint64_t>(pool));
  Set64(kHelper, static_cast<uint64_t>(mutex));
  Set64(kIterations, iterations);
  Set64(kParameter, units);
  if (int64_t failed = RunThreads<PoolWorker>(threads)) return failed;
  if (Get64(kData) != 0) return kBroken;
  // Every unit is back: exactly `units` can be taken without waiting.
  for (uint64_t i = 0; i < units; ++i) {
    if (user::SemaphoreDown(static_cast<uint64_t>(pool), user::GetTime() + 1) != 0) {
      return kBroken;
    }
  }
  const int64_t extra = user::SemaphoreDown(static_cast<uint64_t>(pool), user::GetTime() + 1000);
  return extra == static_cast<int64_t>(vos::Status::kTimedOut) ? 0 : kBroken;
}

}  // namespace

const vos::user::Entry kMutexStorm = &vos::user::ProgramEntry<MutexStorm>;
const vos::user::Entry kRwLockStorm = &vos::user::ProgramEntry<RwLockStorm>;
const vos::user::Entry kBarrierStorm = &vos::user::ProgramEntry<BarrierStorm>;
const vos::user::Entry kSemaphorePool = &vos::user::ProgramEntry<SemaphorePool>;

}  // namespace programs
