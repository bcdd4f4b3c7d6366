// Channel statistics: the log2 histogram's buckets and percentiles, and the
// counters AsyncChannel keeps: messages, bytes, rate-limit rejections,
// blocked sends and receives, and send-to-receive latency in simulated time.
#include "src/ipc/ipc_stats.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/ipc/channel.h"
#include "src/sched/scheduler.h"
#include "tests/ipc/delivery_checker.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_ipc::MakeNumbered;
using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::StartThread;

TEST(LatencyHistogramTest, BucketsArePowersOfTwo) {
  EXPECT_EQ(LatencyHistogram::BucketOf(0), 0u);
  EXPECT_EQ(LatencyHistogram::BucketOf(1), 0u);
  EXPECT_EQ(LatencyHistogram::BucketOf(2), 1u);
  EXPECT_EQ(LatencyHistogram::BucketOf(3), 1u);
  EXPECT_EQ(LatencyHistogram::BucketOf(4), 2u);
  EXPECT_EQ(LatencyHistogram::BucketOf(1023), 9u);
  EXPECT_EQ(LatencyHistogram::BucketOf(1024), 10u);
  EXPECT_EQ(LatencyHistogram::BucketOf(~uint64_t{0}), 63u);
  for (uint32_t b = 0; b < LatencyHistogram::kBuckets; ++b) {
    EXPECT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketCeiling(b)), b);
  }
}

TEST(LatencyHistogramTest, PercentilesAreBucketCeilingsCappedAtTheMax) {
  LatencyHistogram histogram;
  // 100 samples: 50 of 100 ns, 40 of 1000 ns, 9 of 10'000 ns, 1 of 50'000.
  for (int i = 0; i < 50; ++i) histogram.Record(100);
  for (int i = 0; i < 40; ++i) histogram.Record(1000);
  for (int i = 0; i < 9; ++i) histogram.Record(10'000);
  histogram.Record(50'000);
  abi::ChannelStats stats{};
  histogram.Read(stats);
  EXPECT_EQ(stats.latency_samples, 100u);
  EXPECT_EQ(stats.latency_sum_ns, 50u * 100 + 40u * 1000 + 9u * 10'000 + 50'000);
  EXPECT_EQ(stats.latency_max_ns, 50'000u);
  EXPECT_EQ(stats.latency_p50_ns, 127u);     // [64, 128)
  EXPECT_EQ(stats.latency_p90_ns, 1023u);    // [512, 1024)
  EXPECT_EQ(stats.latency_p99_ns, 16'383u);  // [8192, 16384)
  EXPECT_EQ(stats.latency_buckets[6], 50u);
  EXPECT_EQ(stats.latency_buckets[9], 40u);
  EXPECT_EQ(stats.latency_buckets[13], 9u);
  EXPECT_EQ(stats.latency_buckets[15], 1u);
  // The top bucket's ceiling is above the max: the max is reported.
  uint64_t buckets[abi::kLatencyBuckets] = {};
  buckets[15] = 1;
  EXPECT_EQ(HistogramPercentile(buckets, 1, 40'000, 99), 40'000u);
  const uint64_t none[abi::kLatencyBuckets] = {};
  EXPECT_EQ(HistogramPercentile(none, 0, 0, 50), 0u);
}

TEST(LatencyHistogramTest, AddMergesAnotherHistogramsReadAndResetEmpties) {
  LatencyHistogram first;
  first.Record(100);
  first.Record(5000);
  abi::ChannelStats first_stats{};
  first.Read(first_stats);
  LatencyHistogram total;
  total.Record(300);
  total.Add(first_stats);
  abi::ChannelStats stats{};
  total.Read(stats);
  EXPECT_EQ(stats.latency_samples, 3u);
  EXPECT_EQ(stats.latency_sum_ns, 5400u);
  EXPECT_EQ(stats.latency_max_ns, 5000u);
  EXPECT_EQ(stats.latency_buckets[LatencyHistogram::BucketOf(100)], 1u);
  EXPECT_EQ(stats.latency_buckets[LatencyHistogram::BucketOf(300)], 1u);
  EXPECT_EQ(stats.latency_buckets[LatencyHistogram::BucketOf(5000)], 1u);
  EXPECT_EQ(stats.latency_p50_ns, LatencyHistogram::BucketCeiling(LatencyHistogram::BucketOf(300)));
  // A smaller max does not lower it.
  LatencyHistogram small;
  small.Record(7);
  abi::ChannelStats small_stats{};
  small.Read(small_stats);
  total.Add(small_stats);
  total.Read(stats);
  EXPECT_EQ(stats.latency_samples, 4u);
  EXPECT_EQ(stats.latency_max_ns, 5000u);

  total.Reset();
  total.Read(stats);
  EXPECT_EQ(stats.latency_samples, 0u);
  EXPECT_EQ(stats.latency_sum_ns, 0u);
  EXPECT_EQ(stats.latency_max_ns, 0u);
  EXPECT_EQ(stats.latency_p99_ns, 0u);
}

TEST(ChannelStatsTest, CountsMessagesBytesAndLatencyInSimulatedTime) {
  ExpectPoweredOff(RunScheduled({.cpus = 1}, [] {
    AsyncChannel<4> channel;
    const hal::Nanoseconds sent_at = hal::Now();
    ASSERT_EQ(channel.TrySend(MakeNumbered(1, 10)), Status::kOk);
    ASSERT_EQ(channel.TrySend(MakeNumbered(1, 11)), Status::kOk);
    Scheduler::SleepFor(30'000);
    Message out;
    ASSERT_EQ(channel.TryReceive(out), Status::kOk);
    const hal::Nanoseconds received_at = hal::Now();
    ASSERT_EQ(channel.TryReceive(out), Status::kOk);
    EXPECT_EQ(channel.TryReceive(out), Status::kWouldBlock);
    const abi::ChannelStats stats = channel.stats();
    EXPECT_EQ(stats.sent, 2u);
    EXPECT_EQ(stats.received, 2u);
    EXPECT_EQ(stats.bytes_sent, 2 * uint64_t{out.length});
    EXPECT_EQ(stats.bytes_received, 2 * uint64_t{out.length});
    EXPECT_EQ(stats.rate_limited, 0u);
    EXPECT_EQ(stats.blocked_sends + stats.blocked_receives, 0u);
    EXPECT_EQ(stats.latency_samples, 2u);
    // Each waited the 30 us sleep, and no more than from its send to the
    // first receive's end, plus the second receive.
    EXPECT_GE(stats.latency_max_ns, 30'000u);
    EXPECT_LE(stats.latency_max_ns, received_at - sent_at + 5'000);
    EXPECT_GE(stats.latency_sum_ns, 60'000u);
    EXPECT_EQ(stats.latency_buckets[LatencyHistogram::BucketOf(stats.latency_max_ns)], 2u);
  }));
}

TEST(ChannelStatsTest, CountsRateLimitedAndBlockedOperations) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static AsyncChannel<2>* channel;
    AsyncChannel<2> local;
    channel = &local;
    RateAccount first, second;
    ASSERT_EQ(channel->SetRateLimit({.tokens_per_second = 1000, .burst = 3}), Status::kOk);
    ASSERT_EQ(channel->TrySend(MakeNumbered(1, 0), &first), Status::kOk);
    ASSERT_EQ(channel->TrySend(MakeNumbered(1, 1), &first), Status::kOk);
    // Full ring: the token comes back.
    EXPECT_EQ(channel->TrySend(MakeNumbered(1, 2), &first), Status::kWouldBlock);
    Message out;
    ASSERT_EQ(channel->TryReceive(out), Status::kOk);
    ASSERT_EQ(channel->TrySend(MakeNumbered(1, 2), &first), Status::kOk);
    ASSERT_EQ(channel->TryReceive(out), Status::kOk);
    EXPECT_EQ(channel->TrySend(MakeNumbered(1, 3), &first), Status::kRateLimited);
    // Never sleeps.
    EXPECT_EQ(channel->Send(MakeNumbered(1, 3), kNoDeadline, &first), Status::kRateLimited);
    EXPECT_EQ(channel->TrySend(MakeNumbered(2, 0), &second), Status::kOk);  // Another sender.
    abi::ChannelStats stats = channel->stats();
    EXPECT_EQ(stats.sent, 4u);
    EXPECT_EQ(stats.rate_limited, 2u);

    // A receiver that finds the ring empty blocks once per Receive.
    channel->ClearRateLimit();
    ASSERT_EQ(channel->TryReceive(out), Status::kOk);
    ASSERT_EQ(channel->TryReceive(out), Status::kOk);
    Thread* receiver = StartThread(
        [](void*) {
          Message message;
          ASSERT_EQ(channel->Receive(message), Status::kOk);
        },
        nullptr);
    ASSERT_NE(receiver, nullptr);
    const ThreadId receiver_id = receiver->id();
    Scheduler::SleepFor(20'000);
    ASSERT_EQ(channel->Send(MakeNumbered(1, 4)), Status::kOk);
    ASSERT_TRUE(Scheduler::Join(receiver_id).ok());
    // A sender that finds it full blocks once per Send.
    ASSERT_EQ(channel->Send(MakeNumbered(1, 5)), Status::kOk);
    ASSERT_EQ(channel->Send(MakeNumbered(1, 6)), Status::kOk);
    Thread* sender = StartThread(
        [](void*) { ASSERT_EQ(channel->Send(MakeNumbered(1, 7)), Status::kOk); }, nullptr);
    ASSERT_NE(sender, nullptr);
    const ThreadId sender_id = sender->id();
    Scheduler::SleepFor(20'000);
    ASSERT_EQ(channel->Receive(out), Status::kOk);
    ASSERT_TRUE(Scheduler::Join(sender_id).ok());
    stats = channel->stats();
    EXPECT_EQ(stats.blocked_receives, 1u);
    EXPECT_EQ(stats.blocked_sends, 1u);
    EXPECT_EQ(stats.sent, 8u);
    EXPECT_EQ(stats.received, 6u);
    EXPECT_EQ(stats.latency_samples, 6u);
  }));
}

}  // namespace
}  // namespace vos
