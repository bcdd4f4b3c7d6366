// Rate limits per sender: one TokenBucket for each sender id (the kernel
// fills Message::sender, so a sender cannot pose as another), all with the
// same RateLimit, so a flooding sender spends only its own tokens and cannot
// starve the others.
//
// At most kMaxSenders buckets. A full bucket behaves exactly like a new one,
// so its entry is recycled for a new sender; when every entry belongs to a
// sender still paying its tokens back, further senders share one overflow
// bucket. (So more than kMaxSenders flooders can still crowd out a sender
// that lands in the overflow bucket: a per-channel cap on top would be the
// next step.)
//
// One lock per set guards its buckets; Admit takes no lock while limiting is
// off. Entries are searched in index order: nothing depends on addresses.
#ifndef VERIDIAN_SRC_IPC_TOKEN_BUCKET_SET_H_
#define VERIDIAN_SRC_IPC_TOKEN_BUCKET_SET_H_

#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"
#include "src/ipc/token_bucket.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class TokenBucketSet {
 public:
  static constexpr size_t kMaxSenders = 16;

  TokenBucketSet() = default;
  TokenBucketSet(const TokenBucketSet&) = delete;
  TokenBucketSet& operator=(const TokenBucketSet&) = delete;

  // Starts limiting every sender to `limit`, each with a full bucket;
  // kInvalidArgument unless limit.valid().
  Status Configure(const RateLimit& limit, hal::Nanoseconds now);
  // Stops limiting.
  void Disable();
  bool enabled() const { return enabled_.Load(std::memory_order_acquire); }

  // kOk, having taken one of `sender`'s tokens, or kRateLimited.
  Status Admit(uint64_t sender, hal::Nanoseconds now) {
    if (!enabled()) [[likely]] return Status::kOk;
    return AdmitSlow(sender, now);
  }
  // Gives back the token Admit took, for a send that did not happen.
  void Refund(uint64_t sender);

  // Senders with a bucket of their own (for tests).
  size_t TrackedSenders();

 private:
  struct Entry {
    uint64_t sender = 0;
    bool used = false;
    TokenBucket bucket;
  };

  Status AdmitSlow(uint64_t sender, hal::Nanoseconds now);
  // `sender`'s bucket, recycling a full one for a new sender; the overflow
  // bucket when none is free.
  TokenBucket& BucketLocked(uint64_t sender, hal::Nanoseconds now) VOS_REQUIRES(lock_);
  Entry* FindLocked(uint64_t sender) VOS_REQUIRES(lock_);

  SpinLock lock_;
  RateLimit limit_ VOS_GUARDED_BY(lock_);
  Entry entries_[kMaxSenders] VOS_GUARDED_BY(lock_);
  TokenBucket overflow_ VOS_GUARDED_BY(lock_);
  hal::Atomic<bool> enabled_{false};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_TOKEN_BUCKET_SET_H_
