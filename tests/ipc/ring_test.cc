// The lock-free ring: FIFO order, full and empty edges, many laps, and
// exactly-once, per-sender-ordered delivery with producers and consumers
// spinning on 8 simulated CPUs.
#include "src/ipc/ring.h"

#include <atomic>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "tests/ipc/delivery_checker.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_ipc::DeliveryChecker;
using testing_ipc::MakeNumbered;
using testing_support::ExpectPoweredOff;
using testing_support::RunInMachine;
using testing_support::SmallMachine;

uint32_t NumberOf(const Message& message) {
  uint32_t number;
  std::memcpy(&number, message.payload.data(), sizeof(number));
  return number;
}

TEST(MessageRingTest, FifoUpToFullThenEmpty) {
  ExpectPoweredOff(RunInMachine(SmallMachine(1), [] {
    MessageRing<8> ring;
    Message out;
    EXPECT_EQ(ring.TryReceive(out), Status::kWouldBlock);
    EXPECT_FALSE(ring.ReceiveReady());
    EXPECT_TRUE(ring.SendReady());
    for (uint32_t i = 0; i < 8; ++i) ASSERT_EQ(ring.TrySend(MakeNumbered(3, i)), Status::kOk);
    EXPECT_EQ(ring.SizeApprox(), 8u);
    EXPECT_FALSE(ring.SendReady());
    EXPECT_EQ(ring.TrySend(MakeNumbered(3, 99)), Status::kWouldBlock);
    for (uint32_t i = 0; i < 8; ++i) {
      ASSERT_EQ(ring.TryReceive(out), Status::kOk);
      EXPECT_EQ(NumberOf(out), i);
      EXPECT_EQ(out.sender, 3u);
    }
    EXPECT_EQ(ring.TryReceive(out), Status::kWouldBlock);
    EXPECT_EQ(ring.SizeApprox(), 0u);
  }));
}

TEST(MessageRingTest, WrapsAroundManyLaps) {
  ExpectPoweredOff(RunInMachine(SmallMachine(1), [] {
    MessageRing<4> ring;
    Message out;
    uint32_t sent = 0;
    uint32_t received = 0;
    // Uneven batches so the head and tail cross the seam at every offset.
    for (int round = 0; round < 1000; ++round) {
      const int batch = 1 + round % 4;
      for (int i = 0; i < batch; ++i) ASSERT_EQ(ring.TrySend(MakeNumbered(0, sent++)), Status::kOk);
      for (int i = 0; i < batch - (round % 2); ++i) {
        ASSERT_EQ(ring.TryReceive(out), Status::kOk);
        ASSERT_EQ(NumberOf(out), received++);
      }
      while (IsOk(ring.TryReceive(out))) ASSERT_EQ(NumberOf(out), received++);
    }
    EXPECT_EQ(received, sent);
    EXPECT_GT(sent / 4, 500u);  // Many laps.
  }));
}

// Producers and consumers that never sleep: they yield on kWouldBlock.
void RunSpinningContention(uint64_t seed) {
  static constexpr int kProducers = 4;
  static constexpr int kConsumers = 4;
  static constexpr int kPerProducer = 150;
  struct Shared {
    MessageRing<8> ring;
    DeliveryChecker checker{kProducers, kPerProducer, kConsumers};
    std::atomic<int> received{0};
    std::atomic<int> full{0};
    std::atomic<int> empty{0};
    // Far beyond a correct run (~20 us): a lost message fails, not hangs.
    hal::Nanoseconds give_up = hal::Now() + 10'000'000;
  };
  static Shared* shared;
  static int indices[kProducers + kConsumers];
  testing_support::ScheduledMachine machine{.cpus = 8, .seed = seed, .time_slice = 5'000};
  ExpectPoweredOff(testing_support::RunScheduled(machine, [] {
    Shared state;
    shared = &state;
    std::vector<ThreadId> ids;
    for (int p = 0; p < kProducers; ++p) {
      indices[p] = p;
      ids.push_back(testing_support::StartThread(
                        [](void* arg) {
                          const int me = *static_cast<int*>(arg);
                          for (uint32_t n = 0; n < kPerProducer; ++n) {
                            while (shared->ring.TrySend(MakeNumbered(me, n)) != Status::kOk &&
                                   hal::Now() < shared->give_up) {
                              shared->full.fetch_add(1);
                              Scheduler::Yield();
                            }
                          }
                        },
                        &indices[p])
                        ->id());
    }
    for (int c = 0; c < kConsumers; ++c) {
      indices[kProducers + c] = c;
      ids.push_back(testing_support::StartThread(
                        [](void* arg) {
                          const int me = *static_cast<int*>(arg);
                          Message out;
                          while (shared->received.load() < kProducers * kPerProducer &&
                                 hal::Now() < shared->give_up) {
                            if (IsOk(shared->ring.TryReceive(out))) {
                              shared->checker.Record(me, out);
                              shared->received.fetch_add(1);
                            } else {
                              shared->empty.fetch_add(1);
                              Scheduler::Yield();
                            }
                          }
                        },
                        &indices[kProducers + c])
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(state.received.load(), kProducers * kPerProducer);
    state.checker.ExpectEachDeliveredOnce();
    // Both edges were reached under contention.
    EXPECT_GT(state.full.load(), 0);
    EXPECT_GT(state.empty.load(), 0);
    Message out;
    EXPECT_EQ(state.ring.TryReceive(out), Status::kWouldBlock);
  }));
}

TEST(MessageRingTest, ExactlyOnceInSenderOrderOnEightCpus) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    RunSpinningContention(seed);
  }
}

}  // namespace
}  // namespace vos
