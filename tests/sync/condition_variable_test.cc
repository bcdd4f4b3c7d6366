// Condition variables: a bounded buffer with producers and consumers on 8
// CPUs (every item delivered once, capacity never exceeded), and timeouts.
#include "src/sync/condition_variable.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "src/sync/mutex.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::Spin;
using testing_support::StartThread;

constexpr int kCapacity = 4;
constexpr int kProducers = 6;
constexpr int kItemsEach = 150;

struct Buffer {
  Mutex mutex;
  ConditionVariable not_full;
  ConditionVariable not_empty;
  int items[kCapacity] VOS_GUARDED_BY(mutex) = {};
  int size VOS_GUARDED_BY(mutex) = 0;
  int producers_left VOS_GUARDED_BY(mutex) = kProducers;
  std::atomic<int> overflows{0};
  int delivered[kProducers * kItemsEach] = {};
};
Buffer* buffer = nullptr;

void Produce(void* arg) {
  const int first = *static_cast<int*>(arg) * kItemsEach;
  for (int item = first; item < first + kItemsEach; ++item) {
    MutexGuard guard(buffer->mutex);
    while (buffer->size == kCapacity) {
      ASSERT_EQ(buffer->not_full.Wait(buffer->mutex), Status::kOk);
    }
    buffer->items[buffer->size++] = item;
    buffer->not_empty.Signal();
  }
  MutexGuard guard(buffer->mutex);
  if (--buffer->producers_left == 0) buffer->not_empty.Broadcast();
}

void Consume(void*) {
  for (;;) {
    int item;
    {
      MutexGuard guard(buffer->mutex);
      while (buffer->size == 0) {
        if (buffer->producers_left == 0) return;
        ASSERT_EQ(buffer->not_empty.Wait(buffer->mutex), Status::kOk);
      }
      if (buffer->size > kCapacity) buffer->overflows.fetch_add(1);
      item = buffer->items[--buffer->size];
      buffer->not_full.Signal();
    }
    ++buffer->delivered[item];
    Spin(3);
  }
}

TEST(ConditionVariableTest, BoundedBufferDeliversEveryItemOnce) {
  ExpectPoweredOff(RunScheduled({.cpus = 8, .time_slice = 5'000}, [] {
    Buffer state;
    buffer = &state;
    static int indices[kProducers];
    std::vector<ThreadId> ids;
    for (int i = 0; i < kProducers; ++i) {
      indices[i] = i;
      ids.push_back(StartThread(Produce, &indices[i])->id());
    }
    for (int i = 0; i < 5; ++i) ids.push_back(StartThread(Consume, nullptr)->id());
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(state.overflows.load(), 0);
    for (int item = 0; item < kProducers * kItemsEach; ++item) {
      EXPECT_EQ(state.delivered[item], 1) << "item " << item;
    }
  }));
}

TEST(ConditionVariableTest, WaitTimesOutWithTheMutexHeld) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    Mutex mutex;
    ConditionVariable condition;
    MutexGuard guard(mutex);
    const hal::Nanoseconds deadline = hal::Now() + 25'000;
    EXPECT_EQ(condition.Wait(mutex, deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_TRUE(mutex.IsHeldByCurrentThread());
  }));
}

}  // namespace
}  // namespace vos
