// Synchronous endpoints on kernel threads: call/reply, one-way sends,
// timeouts, closing, the direct-switch fast path, and many clients and
// servers on 1 and 8 CPUs under random schedules, checked call by call.
#include "src/ipc/endpoint.h"

#include <atomic>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "src/cap/rights.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "tests/ipc/delivery_checker.h"
#include "tests/mm/sim_page_source.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_ipc::MakeNumbered;
using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::StartThread;
using testing_support::SumOverCpus;

void NoRelease(KernelObject&) {}

uint32_t NumberOf(const Message& message) {
  uint32_t number;
  std::memcpy(&number, message.payload.data(), sizeof(number));
  return number;
}

// The server's answer to a request: a function of its sender and number,
// so a reply delivered to the wrong caller is caught.
Message AnswerTo(const Message& request) {
  return MakeNumbered(request.sender, NumberOf(request) * 3 + static_cast<uint32_t>(request.sender));
}

// Serves `endpoint` with ReplyAndReceive until it closes; returns the
// number of requests it answered.
uint64_t Serve(Endpoint& endpoint) {
  Message request;
  ReplyHandle handle;
  uint64_t answered = 0;
  Status status = endpoint.Receive(request, handle);
  while (status == Status::kOk) {
    if (handle == ReplyHandle{}) {  // A one-way Send: nothing to answer.
      status = endpoint.Receive(request, handle);
      continue;
    }
    ++answered;
    status = endpoint.ReplyAndReceive(handle, AnswerTo(request), request, handle);
    if (status == Status::kNotFound) status = endpoint.Receive(request, handle);  // Caller gone.
  }
  EXPECT_EQ(status, Status::kPeerClosed);
  return answered;
}

TEST(EndpointTest, CallGetsItsReplyOnOneAndFourCpus) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    ExpectPoweredOff(RunScheduled({.cpus = cpus}, [] {
      static Endpoint* endpoint;
      static uint64_t answered;
      Endpoint local(NoRelease);
      endpoint = &local;
      Thread* server = StartThread([](void*) { answered = Serve(*endpoint); }, nullptr);
      ASSERT_NE(server, nullptr);
      const ThreadId id = server->id();
      for (uint32_t n = 0; n < 50; ++n) {
        Message reply;
        const Message request = MakeNumbered(7, n);
        ASSERT_EQ(endpoint->Call(request, reply), Status::kOk);
        EXPECT_EQ(NumberOf(reply), NumberOf(AnswerTo(request)));
      }
      endpoint->Close();
      EXPECT_TRUE(Scheduler::Join(id).ok());
      EXPECT_EQ(answered, 50u);
      const EndpointStats stats = endpoint->stats();
      EXPECT_EQ(stats.fast_calls + stats.slow_calls, 50u);
      EXPECT_EQ(endpoint->AwaitingReplies() + endpoint->WaitingSenders(), 0u);
    }));
  }
}

// On one CPU the server is always waiting when the client calls, so every
// call and every reply goes through the direct switch, never the run queue.
TEST(EndpointTest, FastPathSwitchesDirectlyWhenTheReceiverWaits) {
  ExpectPoweredOff(RunScheduled({.cpus = 1}, [] {
    static Endpoint* endpoint;
    Endpoint local(NoRelease);
    endpoint = &local;
    Thread* server = StartThread([](void*) { Serve(*endpoint); }, nullptr);
    ASSERT_NE(server, nullptr);
    const ThreadId id = server->id();
    Scheduler::SleepFor(10'000);  // The server is now asleep in Receive.
    ASSERT_EQ(endpoint->WaitingReceivers(), 1u);
    const uint64_t handoffs_before = SumOverCpus(&CpuSchedulerStats::handoffs);
    const uint64_t switches_before = SumOverCpus(&CpuSchedulerStats::context_switches);
    constexpr uint32_t kCalls = 20;
    for (uint32_t n = 0; n < kCalls; ++n) {
      Message reply;
      ASSERT_EQ(endpoint->Call(MakeNumbered(1, n), reply), Status::kOk);
      EXPECT_EQ(NumberOf(reply), n * 3 + 1);
    }
    const EndpointStats stats = endpoint->stats();
    EXPECT_EQ(stats.fast_calls, kCalls);
    EXPECT_EQ(stats.slow_calls, 0u);
    EXPECT_EQ(stats.fast_replies, kCalls);
    EXPECT_EQ(stats.slow_replies, 0u);
    // Two switches per round trip, both direct.
    EXPECT_EQ(SumOverCpus(&CpuSchedulerStats::handoffs) - handoffs_before, 2 * kCalls);
    EXPECT_EQ(SumOverCpus(&CpuSchedulerStats::handoff_fallbacks), 0u);
    EXPECT_EQ(SumOverCpus(&CpuSchedulerStats::context_switches) - switches_before, 2 * kCalls);
    endpoint->Close();
    EXPECT_TRUE(Scheduler::Join(id).ok());
  }));
}

// The hand-off falls back to the run queue when the receiver may not run
// on the caller's CPU; the call still completes.
TEST(EndpointTest, HandOffRespectsAffinity) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    Endpoint local(NoRelease);
    endpoint = &local;
    ASSERT_EQ(Scheduler::SetAffinity(CpuMask::Only(0)), Status::kOk);
    ThreadOptions options;
    options.affinity = CpuMask::Only(1);
    Thread* server = StartThread([](void*) { Serve(*endpoint); }, nullptr, options);
    ASSERT_NE(server, nullptr);
    const ThreadId id = server->id();
    Scheduler::SleepFor(10'000);
    ASSERT_EQ(endpoint->WaitingReceivers(), 1u);
    const uint64_t fallbacks = Scheduler::CpuStats(0).handoff_fallbacks;
    Message reply;
    ASSERT_EQ(endpoint->Call(MakeNumbered(2, 3), reply), Status::kOk);
    EXPECT_EQ(NumberOf(reply), 3u * 3 + 2);
    EXPECT_EQ(endpoint->stats().fast_calls, 1u);  // The endpoint's choice...
    EXPECT_EQ(Scheduler::CpuStats(0).handoff_fallbacks, fallbacks + 1);  // ...not allowed here.
    EXPECT_EQ(Scheduler::CpuStats(0).handoffs, 0u);
    EXPECT_EQ(Scheduler::Lookup(id)->cpu(), 1u);
    endpoint->Close();
    EXPECT_TRUE(Scheduler::Join(id).ok());
  }));
}

// A low-priority server does not jump ahead of a higher-priority thread
// queued on the caller's CPU: the hand-off falls back and the queued thread
// runs first.
TEST(EndpointTest, HandOffRespectsPriorities) {
  ExpectPoweredOff(RunScheduled({.cpus = 1, .body_priority = kDefaultPriority + 2}, [] {
    static Endpoint* endpoint;
    static std::atomic<bool> medium_ran{false};
    static bool medium_ran_before_server = false;
    Endpoint local(NoRelease);
    endpoint = &local;
    ThreadOptions low;
    low.priority = kDefaultPriority;
    Thread* server = StartThread(
        [](void*) {
          Message request;
          ReplyHandle handle;
          ASSERT_EQ(endpoint->Receive(request, handle), Status::kOk);
          medium_ran_before_server = medium_ran.load();
          ASSERT_EQ(endpoint->Reply(handle, AnswerTo(request)), Status::kOk);
        },
        nullptr, low);
    ASSERT_NE(server, nullptr);
    const ThreadId server_id = server->id();
    Scheduler::SleepFor(10'000);  // The server now waits in Receive.
    ThreadOptions medium;
    medium.priority = kDefaultPriority + 1;
    Thread* runner = StartThread([](void*) { medium_ran = true; }, nullptr, medium);
    ASSERT_NE(runner, nullptr);  // Queued: we have the higher priority.
    const ThreadId runner_id = runner->id();
    EXPECT_FALSE(medium_ran.load());
    Message reply;
    ASSERT_EQ(endpoint->Call(MakeNumbered(1, 1), reply), Status::kOk);
    EXPECT_TRUE(medium_ran_before_server);
    EXPECT_EQ(Scheduler::CpuStats(0).handoff_fallbacks, 1u);
    EXPECT_TRUE(Scheduler::Join(server_id).ok());
    EXPECT_TRUE(Scheduler::Join(runner_id).ok());
  }));
}

// A 4 KiB request and reply travel out of line, copied once each way; more
// than kMaxBulk is refused before anything is sent.
TEST(EndpointTest, LargeMessagesTravelOutOfLine) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    Endpoint local(NoRelease);
    endpoint = &local;
    Thread* server = StartThread(
        [](void*) {
          static uint8_t in[kMaxBulk];
          static uint8_t out[kMaxBulk];
          BulkBuffer bulk{in};
          Message request;
          ReplyHandle handle;
          Status status = endpoint->Receive(request, handle, kNoDeadline, &bulk);
          while (status == Status::kOk) {
            for (uint32_t i = 0; i < bulk.size; ++i) out[i] = static_cast<uint8_t>(in[i] + 1);
            status = endpoint->ReplyAndReceive(handle, request, request, handle, kNoDeadline,
                                               Bulk{out, bulk.size}, &bulk);
          }
        },
        nullptr);
    ASSERT_NE(server, nullptr);
    const ThreadId id = server->id();
    static uint8_t request_bytes[kMaxBulk + 1];
    static uint8_t reply_bytes[kMaxBulk];
    for (uint32_t i = 0; i < kMaxBulk; ++i) request_bytes[i] = static_cast<uint8_t>(i * 7);
    for (uint32_t size : {kMaxBulk, 100u, 0u}) {
      SCOPED_TRACE(size);
      BulkBuffer reply_bulk{reply_bytes, 12345};
      Message reply;
      ASSERT_EQ(endpoint->Call(MakeNumbered(1, size), reply, kNoDeadline,
                               Bulk{request_bytes, size}, &reply_bulk),
                Status::kOk);
      EXPECT_EQ(NumberOf(reply), size);
      ASSERT_EQ(reply_bulk.size, size);
      for (uint32_t i = 0; i < size; ++i) {
        ASSERT_EQ(reply_bytes[i], static_cast<uint8_t>(i * 7 + 1)) << i;
      }
    }
    Message reply;
    EXPECT_EQ(endpoint->Call(MakeNumbered(1, 0), reply, kNoDeadline,
                             Bulk{request_bytes, kMaxBulk + 1}),
              Status::kInvalidArgument);
    EXPECT_EQ(endpoint->Send(MakeNumbered(1, 0), kNoDeadline, Bulk{request_bytes, kMaxBulk + 1}),
              Status::kInvalidArgument);
    EXPECT_EQ(endpoint->stats().fast_calls + endpoint->stats().slow_calls, 3u);
    endpoint->Close();
    EXPECT_TRUE(Scheduler::Join(id).ok());
  }));
}

// A caller that finds no receiver queues (slow path); the receiver that
// comes later takes it, and Reply wakes the caller normally.
TEST(EndpointTest, SlowPathWhenNoReceiverWaits) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    static Message reply;
    static Status status;
    Endpoint local(NoRelease);
    endpoint = &local;
    Thread* client = StartThread(
        [](void*) { status = endpoint->Call(MakeNumbered(4, 9), reply); }, nullptr);
    ASSERT_NE(client, nullptr);
    const ThreadId id = client->id();
    Scheduler::SleepFor(10'000);
    ASSERT_EQ(endpoint->WaitingSenders(), 1u);
    Message request;
    ReplyHandle handle;
    ASSERT_EQ(endpoint->Receive(request, handle), Status::kOk);
    EXPECT_EQ(request.sender, 4u);
    EXPECT_EQ(NumberOf(request), 9u);
    EXPECT_NE(handle, ReplyHandle{});
    EXPECT_EQ(endpoint->AwaitingReplies(), 1u);
    ASSERT_EQ(endpoint->Reply(handle, AnswerTo(request)), Status::kOk);
    EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(status, Status::kOk);
    EXPECT_EQ(NumberOf(reply), 9u * 3 + 4);
    // The handle is spent: a second reply, or a made-up one, reaches nobody.
    EXPECT_EQ(endpoint->Reply(handle, reply), Status::kNotFound);
    EXPECT_EQ(endpoint->Reply(ReplyHandle{}, reply), Status::kNotFound);
    EXPECT_EQ(endpoint->Reply(ReplyHandle{handle.value + 1}, reply), Status::kNotFound);
    const EndpointStats stats = endpoint->stats();
    EXPECT_EQ(stats.slow_calls, 1u);
    EXPECT_EQ(stats.slow_replies, 1u);
    EXPECT_EQ(stats.fast_calls + stats.fast_replies, 0u);
  }));
}

TEST(EndpointTest, SendBlocksUntilAReceiverTakesIt) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    static hal::Nanoseconds sent_at;
    Endpoint local(NoRelease);
    endpoint = &local;
    Thread* sender = StartThread(
        [](void*) {
          ASSERT_EQ(endpoint->Send(MakeNumbered(2, 5)), Status::kOk);
          sent_at = hal::Now();
        },
        nullptr);
    ASSERT_NE(sender, nullptr);
    const ThreadId id = sender->id();
    Scheduler::SleepFor(30'000);
    EXPECT_EQ(endpoint->WaitingSenders(), 1u);  // Still blocked: nobody received.
    const hal::Nanoseconds received_at = hal::Now();
    Message out;
    ReplyHandle handle{99};
    ASSERT_EQ(endpoint->Receive(out, handle), Status::kOk);
    EXPECT_EQ(handle, ReplyHandle{});  // Nothing to answer.
    EXPECT_EQ(NumberOf(out), 5u);
    EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_GE(sent_at, received_at);
    EXPECT_EQ(endpoint->stats().sends, 1u);
  }));
}

TEST(EndpointTest, TimeoutsInSimulatedTimeLoseNothing) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    Endpoint endpoint(NoRelease);
    Message out;
    ReplyHandle handle;
    // Nobody sends: the receive times out at its deadline.
    hal::Nanoseconds deadline = hal::Now() + 40'000;
    EXPECT_EQ(endpoint.Receive(out, handle, deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_LT(hal::Now(), deadline + 5'000);
    // Nobody receives: send and call time out, and leave nothing queued.
    deadline = hal::Now() + 40'000;
    EXPECT_EQ(endpoint.Send(MakeNumbered(0, 1), deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    Message reply;
    EXPECT_EQ(endpoint.Call(MakeNumbered(0, 2), reply, hal::Now() + 40'000), Status::kTimedOut);
    EXPECT_EQ(endpoint.Call(MakeNumbered(0, 3), reply, hal::Now() - 1), Status::kTimedOut);
    EXPECT_EQ(endpoint.WaitingSenders() + endpoint.WaitingReceivers(), 0u);
    EXPECT_EQ(endpoint.Receive(out, handle, hal::Now() + 1'000), Status::kTimedOut);
    EXPECT_EQ(endpoint.stats().timeouts, 4u);
  }));
}

// A call taken by a server that does not answer in time: the caller gets
// kTimedOut, and the late reply reaches nobody.
TEST(EndpointTest, CallerTimesOutWaitingForTheReply) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    static Status status;
    static hal::Nanoseconds deadline;
    Endpoint local(NoRelease);
    endpoint = &local;
    deadline = hal::Now() + 50'000;
    Thread* client = StartThread(
        [](void*) {
          Message reply;
          status = endpoint->Call(MakeNumbered(3, 1), reply, deadline);
        },
        nullptr);
    ASSERT_NE(client, nullptr);
    const ThreadId id = client->id();
    Message request;
    ReplyHandle handle;
    ASSERT_EQ(endpoint->Receive(request, handle), Status::kOk);
    EXPECT_EQ(endpoint->AwaitingReplies(), 1u);
    EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(status, Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_EQ(endpoint->AwaitingReplies(), 0u);
    EXPECT_EQ(endpoint->Reply(handle, AnswerTo(request)), Status::kNotFound);
  }));
}

// Closing wakes every kind of sleeper with kPeerClosed: queued senders and
// callers, a caller whose request the (dying) server took, and receivers.
TEST(EndpointTest, CloseWakesEverySleeperWithPeerClosed) {
  ExpectPoweredOff(RunScheduled({.cpus = 4}, [] {
    static Endpoint* busy;  // Has senders queued and a call being served.
    static Endpoint* idle;  // Has a receiver waiting.
    static Status statuses[4];
    Endpoint local_busy(NoRelease);
    Endpoint local_idle(NoRelease);
    busy = &local_busy;
    idle = &local_idle;
    std::vector<ThreadId> ids;
    auto start = [&](ThreadEntry entry) {
      Thread* thread = StartThread(entry, nullptr);
      ASSERT_NE(thread, nullptr);
      ids.push_back(thread->id());
    };
    start([](void*) {
      Message reply;
      statuses[0] = busy->Call(MakeNumbered(0, 0), reply);  // Taken, never answered.
    });
    Scheduler::SleepFor(10'000);
    Message request;
    ReplyHandle handle;
    ASSERT_EQ(busy->Receive(request, handle), Status::kOk);
    start([](void*) {
      Message reply;
      statuses[1] = busy->Call(MakeNumbered(1, 0), reply);  // Queued.
    });
    start([](void*) { statuses[2] = busy->Send(MakeNumbered(2, 0)); });
    start([](void*) {
      Message out;
      ReplyHandle handle;
      statuses[3] = idle->Receive(out, handle);
    });
    Scheduler::SleepFor(20'000);
    EXPECT_EQ(busy->AwaitingReplies(), 1u);
    EXPECT_EQ(busy->WaitingSenders(), 2u);
    EXPECT_EQ(idle->WaitingReceivers(), 1u);
    EXPECT_FALSE(busy->closed());
    busy->Close();
    EXPECT_TRUE(busy->closed());
    idle->Close();
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    for (Status status : statuses) EXPECT_EQ(status, Status::kPeerClosed);
    EXPECT_EQ(busy->Reply(handle, request), Status::kPeerClosed);
    Message reply;
    EXPECT_EQ(busy->Call(request, reply), Status::kPeerClosed);
    EXPECT_EQ(busy->Send(request), Status::kPeerClosed);
    EXPECT_EQ(idle->Receive(request, handle), Status::kPeerClosed);
    EXPECT_EQ(busy->WaitingSenders() + busy->AwaitingReplies() + idle->WaitingReceivers(), 0u);
  }));
}

// The server side lives with its receive capabilities: a revocation that
// leaves one, and send-only capabilities, keep it open; deleting the last
// closes it, waking a queued caller and one whose call was taken.
TEST(EndpointTest, ClosesWhenTheLastReceiveCapabilityGoes) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Endpoint* endpoint;
    static Status statuses[2];
    testing_support::SimPageSource source;
    CapabilitySpace space;
    space.Init(source);
    Endpoint local(NoRelease);
    endpoint = &local;
    const Rights kServer = rights::kEndpointReceive | rights::kEndpointSend | Rights::kDerive;
    Result<Token> server = space.Insert(local, kServer);
    Result<Token> client = space.Insert(local, rights::kEndpointSend);
    ASSERT_TRUE(server.ok() && client.ok());
    Result<Token> worker = space.Derive(*server, rights::kEndpointReceive);
    ASSERT_TRUE(worker.ok());
    std::vector<ThreadId> ids;
    for (uint32_t i = 0; i < 2; ++i) {
      Thread* thread = StartThread(
          [](void* index) {
            Message reply;
            const uint32_t n = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(index));
            statuses[n] = endpoint->Call(MakeNumbered(n, 0), reply);
          },
          reinterpret_cast<void*>(uintptr_t{i}));
      ASSERT_NE(thread, nullptr);
      ids.push_back(thread->id());
      Scheduler::SleepFor(10'000);
    }
    Message request;
    ReplyHandle handle;
    ASSERT_EQ(local.Receive(request, handle), Status::kOk);  // Taken, never answered.
    EXPECT_EQ(local.WaitingSenders() + local.AwaitingReplies(), 2u);
    EXPECT_EQ(local.holders(0), 2u);
    EXPECT_EQ(space.Revoke(*server), Status::kOk);  // The worker's goes.
    EXPECT_EQ(space.Delete(*client), Status::kOk);
    EXPECT_EQ(local.holders(0), 1u);
    EXPECT_FALSE(local.closed());
    EXPECT_EQ(space.Delete(*server), Status::kOk);
    EXPECT_TRUE(local.closed());
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    for (Status status : statuses) EXPECT_EQ(status, Status::kPeerClosed);
    space.Destroy();
  }));
}

// Many clients calling, and also sending one-way, with deadlines, against
// several servers: every call that returns kOk got the answer to its own
// request, every request a server answered belongs to exactly one call,
// and every send that returned kOk was received exactly once (and one that
// timed out, never).
struct Contention {
  static constexpr int kClients = 6;
  static constexpr int kPerClient = 60;
  Endpoint endpoint{NoRelease};
  // Per client and number: calls taken by a server / answered (surely) by
  // it / replies accepted by the caller / sends received / sends reported
  // delivered.
  std::atomic<int> taken[kClients][kPerClient];
  std::atomic<int> answered[kClients][kPerClient];
  std::atomic<int> accepted[kClients][kPerClient];
  std::atomic<int> received[kClients][kPerClient];
  std::atomic<int> delivered[kClients][kPerClient];
  std::atomic<int> timed_out{0};
  Contention() {
    for (int c = 0; c < kClients; ++c) {
      for (int n = 0; n < kPerClient; ++n) {
        taken[c][n] = answered[c][n] = accepted[c][n] = received[c][n] = delivered[c][n] = 0;
      }
    }
  }
};
Contention* contention;

void ContentionServer(void*) {
  Endpoint& endpoint = contention->endpoint;
  Message request;
  ReplyHandle handle;
  Status status = endpoint.Receive(request, handle);
  while (status == Status::kOk) {
    const int client = static_cast<int>(request.sender);
    const uint32_t number = NumberOf(request);
    if (handle == ReplyHandle{}) {
      ++contention->received[client][number];
      status = endpoint.Receive(request, handle);
      continue;
    }
    ++contention->taken[client][number];
    status = endpoint.ReplyAndReceive(handle, AnswerTo(request), request, handle);
    // kOk: answered, and the next request is in. (kPeerClosed may come
    // either before or after answering: not counted.)
    if (status == Status::kOk) ++contention->answered[client][number];
    if (status == Status::kNotFound) status = endpoint.Receive(request, handle);
  }
  EXPECT_EQ(status, Status::kPeerClosed);
}

void ContentionClient(void* arg) {
  const int me = static_cast<int>(reinterpret_cast<uintptr_t>(arg));
  for (uint32_t n = 0; n < Contention::kPerClient; ++n) {
    const Message request = MakeNumbered(me, n);
    // Some deadlines are short enough to expire under load.
    const hal::Nanoseconds deadline = hal::Now() + ((n % 3 == 0) ? 1'500 : 5'000'000);
    if ((n + me) % 4 == 0) {
      const Status status = contention->endpoint.Send(request, deadline);
      if (status == Status::kOk) ++contention->delivered[me][n];
      if (status == Status::kTimedOut) ++contention->timed_out;
      EXPECT_TRUE(status == Status::kOk || status == Status::kTimedOut) << StatusName(status);
      continue;
    }
    Message reply;
    const Status status = contention->endpoint.Call(request, reply, deadline);
    if (status == Status::kOk) {
      EXPECT_EQ(reply.sender, request.sender);
      EXPECT_EQ(NumberOf(reply), NumberOf(AnswerTo(request)));
      ++contention->accepted[me][n];
    } else {
      EXPECT_EQ(status, Status::kTimedOut) << StatusName(status);
      ++contention->timed_out;
    }
  }
}

void RunContention(uint32_t cpus, uint64_t seed, int servers) {
  ExpectPoweredOff(RunScheduled({.cpus = cpus, .seed = seed, .time_slice = 5'000}, [servers] {
    Contention state;
    contention = &state;
    std::vector<ThreadId> server_ids;
    std::vector<ThreadId> client_ids;
    for (int s = 0; s < servers; ++s) {
      server_ids.push_back(StartThread(ContentionServer, nullptr)->id());
    }
    for (uintptr_t c = 0; c < Contention::kClients; ++c) {
      client_ids.push_back(StartThread(ContentionClient, reinterpret_cast<void*>(c))->id());
    }
    for (ThreadId id : client_ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    state.endpoint.Close();
    for (ThreadId id : server_ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    int calls_accepted = 0;
    for (int c = 0; c < Contention::kClients; ++c) {
      for (int n = 0; n < Contention::kPerClient; ++n) {
        SCOPED_TRACE(testing::Message() << "client " << c << " number " << n);
        // Taken at most once; what was answered was accepted, and what
        // was accepted had been taken.
        EXPECT_LE(state.taken[c][n].load(), 1);
        EXPECT_LE(state.answered[c][n].load(), state.accepted[c][n].load());
        EXPECT_LE(state.accepted[c][n].load(), state.taken[c][n].load());
        EXPECT_EQ(state.received[c][n].load(), state.delivered[c][n].load());
        calls_accepted += state.accepted[c][n].load();
      }
    }
    EXPECT_GT(calls_accepted, 0);
    const EndpointStats stats = state.endpoint.stats();
    EXPECT_EQ(stats.timeouts, static_cast<uint64_t>(state.timed_out.load()));
    EXPECT_GT(stats.fast_calls + stats.slow_calls, 0u);
  }));
}

// One CPU has one schedule whatever the seed.
TEST(EndpointTest, ManyClientsOneServerOnOneCpu) { RunContention(1, 1, 1); }

TEST(EndpointTest, ManyClientsOneServerOnEightCpus) {
  for (uint64_t seed : {1, 2, 3, 4}) {
    SCOPED_TRACE(seed);
    RunContention(8, seed, 1);
  }
}

TEST(EndpointTest, ManyClientsThreeServersOnEightCpus) {
  for (uint64_t seed : {5, 6, 7, 8}) {
    SCOPED_TRACE(seed);
    RunContention(8, seed, 3);
  }
}

}  // namespace
}  // namespace vos
