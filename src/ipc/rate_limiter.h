// Rate limits per sender, paid for by the sender. A RateLimiter is one
// channel's limit; a RateAccount belongs to one sender (a process) and holds
// its token bucket for each limited channel it sends on. Because the sender
// holds its own buckets, a flooder spends only its own tokens however many
// flooders there are: no bucket is ever shared between two senders.
//
// An account tracks at most kMaxLimits limits at once. A full bucket behaves
// exactly like a new one, so its entry is recycled for another limit; a
// sender whose every bucket is still paying back is refused (kRateLimited)
// on further limited channels until one fills up. That limits only itself.
//
// Each Configure gives the limiter a new key, so buckets kept under an
// earlier configuration (or a dead channel) are never reused; they fill up
// and are recycled. Keys come from one counter: nothing depends on
// addresses, and entries are searched in index order.
#ifndef VERIDIAN_SRC_IPC_RATE_LIMITER_H_
#define VERIDIAN_SRC_IPC_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"
#include "src/ipc/token_bucket.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class RateAccount {
 public:
  static constexpr size_t kMaxLimits = 8;

  RateAccount() = default;
  RateAccount(const RateAccount&) = delete;
  RateAccount& operator=(const RateAccount&) = delete;

  // Forgets every bucket, for a new owner (a reused process slot); only
  // while nothing can send with it, so it takes no lock.
  void Reset();
  // Takes a token from the bucket for limit `key` (a new, full bucket under
  // `limit` if there is none); false if it is empty or no entry is free.
  bool TryTake(uint64_t key, const RateLimit& limit, hal::Nanoseconds now);
  // Gives back a token TryTake took under `key`, if its bucket is still here.
  void Return(uint64_t key);
  // Limits with a bucket here (for tests).
  size_t TrackedLimits();

 private:
  struct Entry {
    uint64_t key = 0;  // 0: unused (keys start at 1).
    TokenBucket bucket;
  };

  Entry* FindLocked(uint64_t key) VOS_REQUIRES(lock_);

  SpinLock lock_;
  Entry entries_[kMaxLimits] VOS_GUARDED_BY(lock_);
};

class RateLimiter {
 public:
  RateLimiter() = default;
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Starts limiting every sender to `limit`, each with a full bucket;
  // kInvalidArgument unless limit.valid().
  Status Configure(const RateLimit& limit);
  // Stops limiting.
  void Disable();
  bool enabled() const { return enabled_.Load(std::memory_order_acquire); }

  // kOk, having taken one of `account`'s tokens, or kRateLimited. A null
  // account is a kernel sender, which no limit applies to.
  Status Admit(RateAccount* account, hal::Nanoseconds now) {
    if (account == nullptr || !enabled()) [[likely]] return Status::kOk;
    return AdmitSlow(*account, now);
  }
  // Gives back the token Admit took, for a send that did not happen (to the
  // current limit's bucket: after a reconfiguration in between, one token
  // of the new limit at most).
  void Refund(RateAccount* account);

 private:
  struct Config {
    uint64_t key;
    RateLimit limit;
  };

  Status AdmitSlow(RateAccount& account, hal::Nanoseconds now);
  // The current configuration; false while disabled.
  bool Read(Config& config);

  SpinLock lock_;
  Config config_ VOS_GUARDED_BY(lock_) = {0, {}};
  hal::Atomic<bool> enabled_{false};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_RATE_LIMITER_H_
