#include "src/ipc/token_bucket_set.h"

namespace vos {

Status TokenBucketSet::Configure(const RateLimit& limit, hal::Nanoseconds now) {
  if (!limit.valid()) return Status::kInvalidArgument;
  SpinLockGuard guard(lock_);
  limit_ = limit;
  for (Entry& entry : entries_) entry = Entry{};
  overflow_ = TokenBucket(limit, now);
  enabled_.Store(true, std::memory_order_release);
  return Status::kOk;
}

void TokenBucketSet::Disable() {
  SpinLockGuard guard(lock_);
  enabled_.Store(false, std::memory_order_release);
}

Status TokenBucketSet::AdmitSlow(uint64_t sender, hal::Nanoseconds now) {
  SpinLockGuard guard(lock_);
  // Disabled while this CPU waited for the lock.
  if (!enabled_.Load(std::memory_order_relaxed)) return Status::kOk;
  return BucketLocked(sender, now).TryTake(now) ? Status::kOk : Status::kRateLimited;
}

void TokenBucketSet::Refund(uint64_t sender) {
  if (!enabled()) return;
  SpinLockGuard guard(lock_);
  Entry* entry = FindLocked(sender);
  (entry != nullptr ? entry->bucket : overflow_).Return();
}

size_t TokenBucketSet::TrackedSenders() {
  SpinLockGuard guard(lock_);
  size_t count = 0;
  for (const Entry& entry : entries_) count += entry.used ? 1 : 0;
  return count;
}

TokenBucketSet::Entry* TokenBucketSet::FindLocked(uint64_t sender) {
  for (Entry& entry : entries_) {
    if (entry.used && entry.sender == sender) return &entry;
  }
  return nullptr;
}

TokenBucket& TokenBucketSet::BucketLocked(uint64_t sender, hal::Nanoseconds now) {
  if (Entry* entry = FindLocked(sender)) return entry->bucket;
  for (Entry& entry : entries_) {
    if (!entry.used || entry.bucket.FullAt(now)) {
      entry.used = true;
      entry.sender = sender;
      entry.bucket = TokenBucket(limit_, now);
      return entry.bucket;
    }
  }
  return overflow_;
}

}  // namespace vos
