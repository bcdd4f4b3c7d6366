#include "src/cap/object.h"

#include "src/lib/assert.h"

namespace vos {

// The analysis cannot tell derivation_lock() in the callers from
// derivation_lock_ here: these two are the only bypass.
void KernelObject::AddHolder(Rights rights) {
  for (size_t i = 0; i < kMaxWatchedRights; ++i) {
    const Rights watched = watch_.rights[i];
    if (watched != Rights::kNone && HasRights(rights, watched)) ++holders_[i];
  }
}

bool KernelObject::RemoveHolder(Rights rights) {
  bool last = false;
  for (size_t i = 0; i < kMaxWatchedRights; ++i) {
    const Rights watched = watch_.rights[i];
    if (watched == Rights::kNone || !HasRights(rights, watched)) continue;
    VOS_ASSERT_MSG(holders_[i] > 0, "object %p lost a holder it never counted",
                   static_cast<void*>(this));
    last |= --holders_[i] == 0;
  }
  return last;
}

void KernelObject::Release(uint32_t count) {
  // acq_rel: the releasing CPU's writes to the object happen before the
  // release function, which may free it.
  const uint32_t before = references_.FetchSub(count, std::memory_order_acq_rel);
  VOS_ASSERT_MSG(before >= count, "object %p released %u times with %u references",
                 static_cast<void*>(this), count, before);
  if (before == count) release_(*this);
}

}  // namespace vos
