// The asynchronous channel: receivers sleep until a send wakes them, senders
// sleep until a receive makes room, both time out in simulated time, and
// sleeping senders and receivers on 8 CPUs deliver every message exactly
// once, in per-sender order; closing wakes everyone with kPeerClosed.
#include "src/ipc/channel.h"

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
using testing_support::RunScheduled;
using testing_support::StartThread;

uint32_t NumberOf(const Message& message) {
  uint32_t number;
  std::memcpy(&number, message.payload.data(), sizeof(number));
  return number;
}

TEST(AsyncChannelTest, SleepingReceiverIsWokenBySend) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static AsyncChannel<4>* channel;
    static Message received;
    static hal::Nanoseconds woke_at;
    AsyncChannel<4> local;
    channel = &local;
    Thread* receiver = StartThread(
        [](void*) {
          ASSERT_EQ(channel->Receive(received), Status::kOk);
          woke_at = hal::Now();
        },
        nullptr);
    ASSERT_NE(receiver, nullptr);
    const ThreadId id = receiver->id();
    Scheduler::SleepFor(20'000);
    EXPECT_EQ(channel->SleepingReceiversApprox(), 1u);  // Asleep, not spinning.
    const hal::Nanoseconds sent_at = hal::Now();
    ASSERT_EQ(channel->Send(MakeNumbered(5, 77)), Status::kOk);
    EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(received.sender, 5u);
    EXPECT_EQ(NumberOf(received), 77u);
    EXPECT_GE(woke_at, sent_at);
    EXPECT_EQ(channel->SleepingReceiversApprox(), 0u);
  }));
}

TEST(AsyncChannelTest, SleepingSenderIsWokenByReceive) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static AsyncChannel<2>* channel;
    AsyncChannel<2> local;
    channel = &local;
    ASSERT_EQ(channel->TrySend(MakeNumbered(0, 0)), Status::kOk);
    ASSERT_EQ(channel->TrySend(MakeNumbered(0, 1)), Status::kOk);
    Thread* sender = StartThread(
        [](void*) { ASSERT_EQ(channel->Send(MakeNumbered(0, 2)), Status::kOk); }, nullptr);
    ASSERT_NE(sender, nullptr);
    const ThreadId id = sender->id();
    Scheduler::SleepFor(20'000);
    EXPECT_EQ(channel->SleepingSendersApprox(), 1u);
    EXPECT_EQ(channel->SizeApprox(), 2u);
    Message out;
    ASSERT_EQ(channel->Receive(out), Status::kOk);
    EXPECT_EQ(NumberOf(out), 0u);
    EXPECT_TRUE(Scheduler::Join(id).ok());
    for (uint32_t expected : {1u, 2u}) {
      ASSERT_EQ(channel->TryReceive(out), Status::kOk);
      EXPECT_EQ(NumberOf(out), expected);
    }
    EXPECT_EQ(channel->TryReceive(out), Status::kWouldBlock);
  }));
}

TEST(AsyncChannelTest, ReceiveAndSendTimeOutAtTheirDeadlines) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    AsyncChannel<2> channel;
    Message out;
    hal::Nanoseconds deadline = hal::Now() + 40'000;
    EXPECT_EQ(channel.Receive(out, deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_LT(hal::Now(), deadline + 5'000);

    ASSERT_EQ(channel.Send(MakeNumbered(1, 0)), Status::kOk);
    ASSERT_EQ(channel.Send(MakeNumbered(1, 1)), Status::kOk);
    deadline = hal::Now() + 40'000;
    EXPECT_EQ(channel.Send(MakeNumbered(1, 2), deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_LT(hal::Now(), deadline + 5'000);

    // Nothing was lost or added by the timeouts.
    EXPECT_EQ(channel.SleepingReceiversApprox() + channel.SleepingSendersApprox(), 0u);
    for (uint32_t expected : {0u, 1u}) {
      ASSERT_EQ(channel.Receive(out, hal::Now() + 1'000), Status::kOk);
      EXPECT_EQ(NumberOf(out), expected);
    }
    EXPECT_EQ(channel.TryReceive(out), Status::kWouldBlock);
  }));
}

TEST(AsyncChannelTest, CloseWakesSleepersWithPeerClosedAndKeepsQueuedMessages) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static AsyncChannel<2>* empty;
    static AsyncChannel<2>* full;
    static Status receiver_status;
    static Status sender_status;
    AsyncChannel<2> local_empty;
    AsyncChannel<2> local_full;
    empty = &local_empty;
    full = &local_full;
    ASSERT_EQ(full->TrySend(MakeNumbered(0, 0)), Status::kOk);
    ASSERT_EQ(full->TrySend(MakeNumbered(0, 1)), Status::kOk);
    Thread* receiver = StartThread(
        [](void*) {
          Message out;
          receiver_status = empty->Receive(out);
        },
        nullptr);
    Thread* sender =
        StartThread([](void*) { sender_status = full->Send(MakeNumbered(0, 2)); }, nullptr);
    ASSERT_NE(receiver, nullptr);
    ASSERT_NE(sender, nullptr);
    const ThreadId receiver_id = receiver->id();
    const ThreadId sender_id = sender->id();
    Scheduler::SleepFor(20'000);
    EXPECT_EQ(empty->SleepingReceiversApprox(), 1u);
    EXPECT_EQ(full->SleepingSendersApprox(), 1u);
    empty->Close();
    full->Close();
    EXPECT_TRUE(Scheduler::Join(receiver_id).ok());
    EXPECT_TRUE(Scheduler::Join(sender_id).ok());
    EXPECT_EQ(receiver_status, Status::kPeerClosed);
    EXPECT_EQ(sender_status, Status::kPeerClosed);

    // Queued messages drain; then every call reports the closed peer.
    Message out;
    for (uint32_t expected : {0u, 1u}) {
      ASSERT_EQ(full->Receive(out), Status::kOk);
      EXPECT_EQ(NumberOf(out), expected);
    }
    EXPECT_EQ(full->Receive(out), Status::kPeerClosed);
    EXPECT_EQ(full->TryReceive(out), Status::kPeerClosed);
    EXPECT_EQ(empty->TrySend(MakeNumbered(0, 3)), Status::kPeerClosed);
    EXPECT_EQ(empty->Send(MakeNumbered(0, 3), hal::Now() + 1'000), Status::kPeerClosed);
  }));
}

// Senders and receivers that sleep: a 4-slot ring keeps both sides blocking.
void RunBlockingContention(uint64_t seed) {
  static constexpr int kProducers = 4;
  static constexpr int kConsumers = 4;
  static constexpr int kPerProducer = 150;
  static constexpr int kPerConsumer = kProducers * kPerProducer / kConsumers;
  struct Shared {
    AsyncChannel<4> channel;
    DeliveryChecker checker{kProducers, kPerProducer, kConsumers};
    std::atomic<int> most_sleeping_senders{0};
    std::atomic<int> most_sleeping_receivers{0};
    // Far beyond a correct run (~50 us): a lost wake-up fails, not hangs.
    hal::Nanoseconds give_up = hal::Now() + 10'000'000;
  };
  static Shared* shared;
  static int indices[kProducers + kConsumers];
  ExpectPoweredOff(RunScheduled({.cpus = 8, .seed = seed, .time_slice = 5'000}, [] {
    Shared state;
    shared = &state;
    auto note_most = [](std::atomic<int>& most, int now) {
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
    };
    static void (*note)(std::atomic<int>&, int);
    note = note_most;
    std::vector<ThreadId> ids;
    for (int p = 0; p < kProducers; ++p) {
      indices[p] = p;
      ids.push_back(StartThread(
                        [](void* arg) {
                          const int me = *static_cast<int*>(arg);
                          for (uint32_t n = 0; n < kPerProducer; ++n) {
                            ASSERT_EQ(shared->channel.Send(MakeNumbered(me, n), shared->give_up),
                                      Status::kOk);
                            note(shared->most_sleeping_senders,
                                 static_cast<int>(shared->channel.SleepingSendersApprox()));
                          }
                        },
                        &indices[p])
                        ->id());
    }
    for (int c = 0; c < kConsumers; ++c) {
      indices[kProducers + c] = c;
      ids.push_back(StartThread(
                        [](void* arg) {
                          const int me = *static_cast<int*>(arg);
                          Message out;
                          for (int n = 0; n < kPerConsumer; ++n) {
                            ASSERT_EQ(shared->channel.Receive(out, shared->give_up), Status::kOk);
                            shared->checker.Record(me, out);
                            note(shared->most_sleeping_receivers,
                                 static_cast<int>(shared->channel.SleepingReceiversApprox()));
                          }
                        },
                        &indices[kProducers + c])
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    state.checker.ExpectEachDeliveredOnce();
    Message out;
    EXPECT_EQ(state.channel.TryReceive(out), Status::kWouldBlock);
    // Both sides really slept (or the test did not exercise the wake-ups).
    EXPECT_GT(state.most_sleeping_senders.load(), 0);
    EXPECT_GT(state.most_sleeping_receivers.load(), 0);
  }));
}

TEST(AsyncChannelTest, SleepingSendersAndReceiversOnEightCpusDeliverExactlyOnce) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    RunBlockingContention(seed);
  }
}

}  // namespace
}  // namespace vos
