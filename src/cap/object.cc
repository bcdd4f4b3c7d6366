#include "src/cap/object.h"

#include "src/lib/assert.h"

namespace vos {

KernelObject::KernelObject(ObjectType type, ReleaseFunction release)
    : type_(type), release_(release) {
  VOS_ASSERT(type != ObjectType::kNone && type < ObjectType::kCount);
  VOS_ASSERT(release != nullptr);
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
