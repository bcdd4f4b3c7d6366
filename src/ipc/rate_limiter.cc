#include "src/ipc/rate_limiter.h"

namespace vos {
namespace {

// Keys of every configuration ever made, from 1.
uint64_t NextKey() {
  static hal::Atomic<uint64_t> last{0};
  return last.FetchAdd(1, std::memory_order_relaxed) + 1;
}

}  // namespace

void RateAccount::Reset() VOS_NO_THREAD_SAFETY_ANALYSIS {
  for (Entry& entry : entries_) entry = Entry{};
}

bool RateAccount::TryTake(uint64_t key, const RateLimit& limit, hal::Nanoseconds now) {
  SpinLockGuard guard(lock_);
  Entry* entry = FindLocked(key);
  if (entry == nullptr) {
    for (Entry& candidate : entries_) {
      if (candidate.key == 0 || candidate.bucket.FullAt(now)) {
        candidate = Entry{key, TokenBucket(limit, now)};
        entry = &candidate;
        break;
      }
    }
    if (entry == nullptr) return false;  // Every bucket is paying back.
  }
  return entry->bucket.TryTake(now);
}

void RateAccount::Return(uint64_t key) {
  SpinLockGuard guard(lock_);
  if (Entry* entry = FindLocked(key)) entry->bucket.Return();
}

size_t RateAccount::TrackedLimits() {
  SpinLockGuard guard(lock_);
  size_t count = 0;
  for (const Entry& entry : entries_) count += entry.key != 0 ? 1 : 0;
  return count;
}

RateAccount::Entry* RateAccount::FindLocked(uint64_t key) {
  for (Entry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

Status RateLimiter::Configure(const RateLimit& limit) {
  if (!limit.valid()) return Status::kInvalidArgument;
  SpinLockGuard guard(lock_);
  config_ = Config{NextKey(), limit};
  enabled_.Store(true, std::memory_order_release);
  return Status::kOk;
}

void RateLimiter::Disable() {
  SpinLockGuard guard(lock_);
  enabled_.Store(false, std::memory_order_release);
}

bool RateLimiter::Read(Config& config) {
  SpinLockGuard guard(lock_);
  config = config_;
  return enabled_.Load(std::memory_order_relaxed);
}

Status RateLimiter::AdmitSlow(RateAccount& account, hal::Nanoseconds now) {
  Config config;
  // Disabled while this CPU waited for the lock.
  if (!Read(config)) return Status::kOk;
  return account.TryTake(config.key, config.limit, now) ? Status::kOk : Status::kRateLimited;
}

void RateLimiter::Refund(RateAccount* account) {
  Config config;
  if (account == nullptr || !enabled() || !Read(config)) return;
  account->Return(config.key);
}

}  // namespace vos
