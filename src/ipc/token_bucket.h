// A token bucket in simulated (monotonic) time: `rate` tokens a second up to
// `burst` banked, one taken per admitted event.
//
// Integer arithmetic only, exact: the level counts thousand-millionths of a
// token, so each nanosecond adds exactly `tokens_per_second` units and a
// token costs 10^9. Nothing is rounded, so over any run the admitted events
// are at most burst + floor(rate * elapsed / 1 s) and the limit never drifts.
//
// Not synchronised: its owner serialises calls (see RateAccount).
#ifndef VERIDIAN_SRC_IPC_TOKEN_BUCKET_H_
#define VERIDIAN_SRC_IPC_TOKEN_BUCKET_H_

#include <cstdint>

#include "src/hal/types.h"

namespace vos {

struct RateLimit {
  static constexpr uint64_t kMaxTokensPerSecond = 1'000'000'000;
  static constexpr uint32_t kMaxBurst = 1u << 20;

  uint64_t tokens_per_second = 0;  // 1..kMaxTokensPerSecond.
  uint32_t burst = 1;              // 1..kMaxBurst: tokens banked at most.

  bool valid() const {
    return tokens_per_second >= 1 && tokens_per_second <= kMaxTokensPerSecond && burst >= 1 &&
           burst <= kMaxBurst;
  }
};

class TokenBucket {
 public:
  // Units of level per token.
  static constexpr uint64_t kUnitsPerToken = 1'000'000'000;

  TokenBucket() = default;
  // Starts full at `now`. `limit` must be valid().
  TokenBucket(const RateLimit& limit, hal::Nanoseconds now);

  // Takes one token if there is one at `now`.
  bool TryTake(hal::Nanoseconds now);
  // Gives back a token taken for an event that did not happen.
  void Return();
  // Whether the bucket is full at `now`: it then behaves exactly like a new
  // one, so its owner may recycle it.
  bool FullAt(hal::Nanoseconds now);
  // Whole tokens available at `now`.
  uint64_t TokensAt(hal::Nanoseconds now);

 private:
  void Refill(hal::Nanoseconds now);

  uint64_t rate_ = 0;      // Units added per nanosecond.
  uint64_t capacity_ = 0;  // Units.
  uint64_t level_ = 0;     // Units.
  hal::Nanoseconds last_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_TOKEN_BUCKET_H_
