// Token buckets: burst, refill at the configured rate, exact integer
// arithmetic (no drift over simulated days, no overflow after long idles),
// clocks that step back, refunds; and RateLimiter with the senders' own
// buckets (RateAccount).
#include "src/ipc/token_bucket.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "src/ipc/rate_limiter.h"
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

// RateLimiter and RateAccount take SpinLocks: run them in a machine.
void InMachine(std::function<void()> body) {
  testing_support::ExpectPoweredOff(
      testing_support::RunInMachine(testing_support::SmallMachine(1), std::move(body)));
}

TEST(RateLimiterTest, DisabledOrWithoutAnAccountAdmitsEverything) {
  InMachine([] {
    RateLimiter limiter;
    RateAccount account;
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Admit(&account, 0), Status::kOk);
    EXPECT_EQ(limiter.Configure({.tokens_per_second = 0, .burst = 1}), Status::kInvalidArgument);
    EXPECT_FALSE(limiter.enabled());
    ASSERT_EQ(limiter.Configure({.tokens_per_second = 1, .burst = 1}), Status::kOk);
    // A kernel sender (no account) is never limited.
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Admit(nullptr, 0), Status::kOk);
    EXPECT_EQ(account.TrackedLimits(), 0u);
  });
}

TEST(RateLimiterTest, EachSenderSpendsOnlyItsOwnTokens) {
  InMachine([] {
    RateLimiter limiter;
    RateAccount one, two;
    ASSERT_EQ(limiter.Configure({.tokens_per_second = 1000, .burst = 3}), Status::kOk);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter.Admit(&one, 0), Status::kOk);
    EXPECT_EQ(limiter.Admit(&one, 0), Status::kRateLimited);
    EXPECT_EQ(limiter.Admit(&one, 0), Status::kRateLimited);
    // Sender two is untouched by sender one's flood.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Admit(&two, 0), Status::kOk);
    EXPECT_EQ(limiter.Admit(&two, 0), Status::kRateLimited);
    // A refund goes back to its sender only.
    limiter.Refund(&two);
    EXPECT_EQ(limiter.Admit(&one, 0), Status::kRateLimited);
    EXPECT_EQ(limiter.Admit(&two, 0), Status::kOk);
    EXPECT_EQ(limiter.Admit(&one, 1'000'000), Status::kOk);
    EXPECT_EQ(one.TrackedLimits(), 1u);
    limiter.Disable();
    EXPECT_EQ(limiter.Admit(&one, 1'000'000), Status::kOk);
  });
}

// The weakness of a table of buckets held by the channel: with more
// flooders than entries, a victim could land in a bucket they share. Here
// every sender brings its own, so 100 flooders leave the victim's alone.
TEST(RateLimiterTest, ManyFloodersCannotSpendAVictimsTokens) {
  InMachine([] {
    RateLimiter limiter;
    ASSERT_EQ(limiter.Configure({.tokens_per_second = 1000, .burst = 1}), Status::kOk);
    static RateAccount flooders[100];  // Too big for a kernel stack.
    RateAccount victim;
    for (RateAccount& flooder : flooders) {
      flooder.Reset();
      ASSERT_EQ(limiter.Admit(&flooder, 0), Status::kOk);
      ASSERT_EQ(limiter.Admit(&flooder, 0), Status::kRateLimited);
    }
    EXPECT_EQ(limiter.Admit(&victim, 0), Status::kOk);
    EXPECT_EQ(limiter.Admit(&victim, 0), Status::kRateLimited);
    for (RateAccount& flooder : flooders) {
      ASSERT_EQ(limiter.Admit(&flooder, 1'000'000), Status::kOk);
    }
    EXPECT_EQ(limiter.Admit(&victim, 1'000'000), Status::kOk);
  });
}

// A new configuration starts every sender with a full bucket under it; the
// old buckets are recycled once full, and a sender limited on more channels
// than it has entries for is refused there until one fills: only itself.
TEST(RateLimiterTest, AnAccountRecyclesFullBucketsAndRefusesBeyondItsEntries) {
  InMachine([] {
    RateAccount account;
    RateLimiter limiters[RateAccount::kMaxLimits + 1];
    for (size_t i = 0; i < RateAccount::kMaxLimits; ++i) {
      ASSERT_EQ(limiters[i].Configure({.tokens_per_second = 1000, .burst = 1}), Status::kOk);
      ASSERT_EQ(limiters[i].Admit(&account, 0), Status::kOk);
    }
    EXPECT_EQ(account.TrackedLimits(), RateAccount::kMaxLimits);
    RateLimiter& extra = limiters[RateAccount::kMaxLimits];
    ASSERT_EQ(extra.Configure({.tokens_per_second = 1000, .burst = 1}), Status::kOk);
    // Every entry is paying back.
    EXPECT_EQ(extra.Admit(&account, 0), Status::kRateLimited);
    // A millisecond later they are full again: one is recycled.
    EXPECT_EQ(extra.Admit(&account, 1'000'000), Status::kOk);
    EXPECT_EQ(extra.Admit(&account, 1'000'000), Status::kRateLimited);
    EXPECT_EQ(account.TrackedLimits(), RateAccount::kMaxLimits);
    // Reconfigured: a fresh, full bucket.
    ASSERT_EQ(extra.Configure({.tokens_per_second = 1000, .burst = 2}), Status::kOk);
    EXPECT_EQ(extra.Admit(&account, 1'000'000), Status::kOk);
    EXPECT_EQ(extra.Admit(&account, 1'000'000), Status::kOk);
    EXPECT_EQ(extra.Admit(&account, 1'000'000), Status::kRateLimited);
  });
}

}  // namespace
}  // namespace vos
