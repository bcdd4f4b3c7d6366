// Token buckets: burst, refill at the configured rate, exact integer
// arithmetic (no drift over simulated days, no overflow after long idles),
// clocks that step back, refunds; and TokenBucketSet's per-sender buckets.
#include "src/ipc/token_bucket.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "src/ipc/token_bucket_set.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

constexpr hal::Nanoseconds kSecond = 1'000'000'000;

int TakeAll(TokenBucket& bucket, hal::Nanoseconds now) {
  int taken = 0;
  while (bucket.TryTake(now)) ++taken;
  return taken;
}

TEST(TokenBucketTest, StartsFullWithTheBurst) {
  TokenBucket bucket({.tokens_per_second = 10, .burst = 5}, 1000);
  EXPECT_EQ(bucket.TokensAt(1000), 5u);
  EXPECT_EQ(TakeAll(bucket, 1000), 5);
  EXPECT_FALSE(bucket.TryTake(1000));
}

TEST(TokenBucketTest, RefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket({.tokens_per_second = 1000, .burst = 4}, 0);
  ASSERT_EQ(TakeAll(bucket, 0), 4);
  const hal::Nanoseconds ms = 1'000'000;
  EXPECT_FALSE(bucket.TryTake(ms - 1));  // 0.999999 of a token.
  EXPECT_TRUE(bucket.TryTake(ms));
  EXPECT_FALSE(bucket.TryTake(ms));
  EXPECT_EQ(TakeAll(bucket, 3 * ms + ms / 2), 2);  // 2.5 tokens: two whole.
  EXPECT_TRUE(bucket.TryTake(4 * ms));             // The half and another half.
  EXPECT_EQ(TakeAll(bucket, 100 * ms), 4);         // Capped at the burst.
}

// A rate that does not divide a second: 3 tokens a second, one every
// 333,333,333.3 ns, taken at every 333,333,333 ns. Each step accrues a hair
// under one token: counting whole intervals would admit one per step (about
// 2.6 too many by the end), and truncating each refill to whole tokens would
// admit none. Over ten simulated days the count must be exact.
TEST(TokenBucketTest, NoDriftOverTenSimulatedDays) {
  TokenBucket bucket({.tokens_per_second = 3, .burst = 2}, 0);
  const hal::Nanoseconds step = 333'333'333;
  uint64_t admitted = 0;
  hal::Nanoseconds now = 0;
  for (uint64_t i = 0; i < 2'600'000; ++i, now += step) admitted += TakeAll(bucket, now);
  now -= step;
  // The full bucket, then every whole token accrued: taking all at each
  // step keeps the level below the burst, so none is lost to the cap.
  const uint64_t units = static_cast<uint64_t>(now) * 3;
  EXPECT_EQ(admitted, 2 + units / TokenBucket::kUnitsPerToken);
  EXPECT_GT(now, 10 * 24 * 3600 * kSecond);
}

TEST(TokenBucketTest, LongIdleFillsWithoutOverflow) {
  TokenBucket bucket({.tokens_per_second = RateLimit::kMaxTokensPerSecond,
                      .burst = RateLimit::kMaxBurst},
                     0);
  EXPECT_EQ(TakeAll(bucket, 0), static_cast<int>(RateLimit::kMaxBurst));
  const hal::Nanoseconds far = hal::Nanoseconds{1} << 62;
  EXPECT_TRUE(bucket.FullAt(far));
  EXPECT_EQ(bucket.TokensAt(far), RateLimit::kMaxBurst);
}

TEST(TokenBucketTest, AClockBehindAddsNothing) {
  TokenBucket bucket({.tokens_per_second = 1000, .burst = 1}, 10 * kSecond);
  ASSERT_TRUE(bucket.TryTake(10 * kSecond));
  EXPECT_FALSE(bucket.TryTake(9 * kSecond));  // Another CPU's clock, behind.
  EXPECT_FALSE(bucket.TryTake(10 * kSecond + 999'999));
  EXPECT_TRUE(bucket.TryTake(10 * kSecond + 1'000'000));
}

TEST(TokenBucketTest, ReturnGivesATokenBackUpToTheBurst) {
  TokenBucket bucket({.tokens_per_second = 1, .burst = 2}, 0);
  ASSERT_EQ(TakeAll(bucket, 0), 2);
  bucket.Return();
  EXPECT_TRUE(bucket.TryTake(0));
  bucket.Return();
  bucket.Return();
  bucket.Return();
  EXPECT_EQ(bucket.TokensAt(0), 2u);
}

TEST(RateLimitTest, Validity) {
  EXPECT_TRUE((RateLimit{.tokens_per_second = 1, .burst = 1}.valid()));
  EXPECT_FALSE((RateLimit{.tokens_per_second = 0, .burst = 1}.valid()));
  EXPECT_FALSE((RateLimit{.tokens_per_second = 1, .burst = 0}.valid()));
  EXPECT_FALSE(
      (RateLimit{.tokens_per_second = RateLimit::kMaxTokensPerSecond + 1, .burst = 1}.valid()));
  EXPECT_FALSE((RateLimit{.tokens_per_second = 1, .burst = RateLimit::kMaxBurst + 1}.valid()));
}

// TokenBucketSet takes a SpinLock: run it in a machine.
void InMachine(std::function<void()> body) {
  testing_support::ExpectPoweredOff(
      testing_support::RunInMachine(testing_support::SmallMachine(1), std::move(body)));
}

TEST(TokenBucketSetTest, DisabledAdmitsEverything) {
  InMachine([] {
    TokenBucketSet set;
    EXPECT_FALSE(set.enabled());
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(set.Admit(7, 0), Status::kOk);
    EXPECT_EQ(set.Configure({.tokens_per_second = 0, .burst = 1}, 0), Status::kInvalidArgument);
    EXPECT_FALSE(set.enabled());
  });
}

TEST(TokenBucketSetTest, EachSenderSpendsOnlyItsOwnTokens) {
  InMachine([] {
    TokenBucketSet set;
    ASSERT_EQ(set.Configure({.tokens_per_second = 1000, .burst = 3}, 0), Status::kOk);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(set.Admit(1, 0), Status::kOk);
    EXPECT_EQ(set.Admit(1, 0), Status::kRateLimited);
    EXPECT_EQ(set.Admit(1, 0), Status::kRateLimited);
    // Sender 2 is untouched by sender 1's flood.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(set.Admit(2, 0), Status::kOk);
    EXPECT_EQ(set.Admit(2, 0), Status::kRateLimited);
    // A refund goes back to its sender only.
    set.Refund(2);
    EXPECT_EQ(set.Admit(1, 0), Status::kRateLimited);
    EXPECT_EQ(set.Admit(2, 0), Status::kOk);
    EXPECT_EQ(set.Admit(1, 1'000'000), Status::kOk);
    EXPECT_EQ(set.TrackedSenders(), 2u);
    set.Disable();
    EXPECT_EQ(set.Admit(1, 1'000'000), Status::kOk);
  });
}

TEST(TokenBucketSetTest, FullBucketsAreRecycledAndTheRestShareTheOverflow) {
  InMachine([] {
    TokenBucketSet set;
    ASSERT_EQ(set.Configure({.tokens_per_second = 1000, .burst = 1}, 0), Status::kOk);
    constexpr uint64_t kSenders = TokenBucketSet::kMaxSenders;
    for (uint64_t s = 1; s <= kSenders; ++s) ASSERT_EQ(set.Admit(s, 0), Status::kOk);
    EXPECT_EQ(set.TrackedSenders(), kSenders);
    // Every entry is still paying back: the next two share one bucket.
    EXPECT_EQ(set.Admit(100, 0), Status::kOk);
    EXPECT_EQ(set.Admit(101, 0), Status::kRateLimited);
    // A millisecond later every entry is full again, so sender 101 gets
    // one of its own, and its flood no longer touches the overflow.
    EXPECT_EQ(set.Admit(101, 1'000'000), Status::kOk);
    EXPECT_EQ(set.Admit(101, 1'000'000), Status::kRateLimited);
    EXPECT_EQ(set.TrackedSenders(), kSenders);
  });
}

}  // namespace
}  // namespace vos
