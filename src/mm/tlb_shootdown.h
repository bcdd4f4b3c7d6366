// Cross-CPU TLB shootdown: after a page-table change that removes or narrows
// translations, every CPU that may use the old ones invalidates them, and the
// initiator waits until each has acknowledged.
//
// Each CPU owns one request slot (it has at most one shootdown in flight);
// a target learns of requests from a bit per initiator in its inbox and an
// IPI, and acknowledges by decrementing the initiator's pending count. While
// it waits, an initiator serves requests aimed at itself, so two CPUs
// shooting at each other cannot deadlock. Targets take the IPI only with
// interrupts enabled: code must never wait with interrupts disabled for a
// lock whose holder may be shooting down (address-space locks are taken with
// interrupts enabled).
#ifndef VERIDIAN_SRC_MM_TLB_SHOOTDOWN_H_
#define VERIDIAN_SRC_MM_TLB_SHOOTDOWN_H_

#include <cstdint>

#include "src/hal/types.h"
#include "src/lib/cpu_mask.h"

namespace vos {

struct TlbInvalidation {
  uint16_t asid = 0;
  hal::VirtAddr start = 0;  // Page-aligned.
  uint64_t pages = 0;       // More than kMaxPagesByPage: everything.

  // Beyond this many pages one full flush is cheaper than page by page.
  static constexpr uint64_t kMaxPagesByPage = 32;
};

// Invalidates `what` on this CPU if it is in `cpus`, and on every other CPU
// in `cpus`, returning once all have done it. Call with interrupts enabled
// (or at least with no other CPU waiting on this one with interrupts off).
void ShootdownTlb(const AtomicCpuMask& cpus, const TlbInvalidation& what);

// Invalidation on the calling CPU only.
void InvalidateLocalTlb(const TlbInvalidation& what);

// Serves the requests aimed at the calling CPU. The kernel's IPI handler calls
// it on every IPI (cheap when there are none).
void ServeTlbShootdowns();

// Test-only fault injection: while set, ShootdownTlb skips sending to `cpu`
// (and does not wait for it), so tests can show the stale translation that
// a missing shootdown leaves. kNoCpu turns it off.
inline constexpr hal::CpuId kNoCpu = ~hal::CpuId{0};
void SetShootdownSkipForTesting(hal::CpuId cpu);

struct TlbShootdownStats {
  uint64_t initiated;
  uint64_t ipis_sent;
  uint64_t served;
};
TlbShootdownStats GetTlbShootdownStats();

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_TLB_SHOOTDOWN_H_
