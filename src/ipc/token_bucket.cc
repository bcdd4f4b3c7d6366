#include "src/ipc/token_bucket.h"

#include "src/lib/assert.h"

namespace vos {

TokenBucket::TokenBucket(const RateLimit& limit, hal::Nanoseconds now)
    : rate_(limit.tokens_per_second),
      capacity_(uint64_t{limit.burst} * kUnitsPerToken),
      level_(capacity_),
      last_(now) {
  VOS_ASSERT_MSG(limit.valid(), "invalid rate limit %lu/s burst %u",
                 static_cast<unsigned long>(limit.tokens_per_second), limit.burst);
}

void TokenBucket::Refill(hal::Nanoseconds now) {
  // Clocks of different CPUs may disagree a little: an earlier `now` adds
  // nothing and does not move `last_` back. A default bucket never fills.
  if (now <= last_ || rate_ == 0) return;
  const uint64_t elapsed = now - last_;
  last_ = now;
  const uint64_t room = capacity_ - level_;
  // elapsed * rate_ > room exactly when elapsed > room / rate_; checking
  // that first keeps the product below `room` (no overflow).
  level_ = elapsed > room / rate_ ? capacity_ : level_ + elapsed * rate_;
}

bool TokenBucket::TryTake(hal::Nanoseconds now) {
  Refill(now);
  if (level_ < kUnitsPerToken) return false;
  level_ -= kUnitsPerToken;
  return true;
}

void TokenBucket::Return() {
  level_ = capacity_ - level_ < kUnitsPerToken ? capacity_ : level_ + kUnitsPerToken;
}

bool TokenBucket::FullAt(hal::Nanoseconds now) {
  Refill(now);
  return level_ == capacity_;
}

uint64_t TokenBucket::TokensAt(hal::Nanoseconds now) {
  Refill(now);
  return level_ / kUnitsPerToken;
}

}  // namespace vos
