#include "src/mm/tlb_shootdown.h"

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/ipi.h"
#include "src/hal/mmu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"

namespace vos {
namespace {

struct alignas(64) Request {
  TlbInvalidation what;
  hal::Atomic<uint32_t> pending{0};
};

// inbox[target]: one bit per initiator whose request the target must serve.
struct alignas(64) Inbox {
  AtomicCpuMask from;
};

Request requests[hal::kMaxCpus];
Inbox inboxes[hal::kMaxCpus];
hal::Atomic<uint64_t> initiated{0};
hal::Atomic<uint64_t> ipis_sent{0};
hal::Atomic<uint64_t> served{0};
hal::CpuId skip_for_testing = kNoCpu;

}  // namespace

void InvalidateLocalTlb(const TlbInvalidation& what) {
  if (what.pages > TlbInvalidation::kMaxPagesByPage) {
    hal::InvalidateTlbAll();
    return;
  }
  for (uint64_t page = 0; page < what.pages; ++page) {
    hal::InvalidateTlbPage(what.start + page * hal::kPageSize, what.asid);
  }
}

void ServeTlbShootdowns() {
  const hal::CpuId self = hal::CurrentCpu();
  Inbox& inbox = inboxes[self];
  // Usually empty: a few plain loads, no interleaving point.
  inbox.from.Snapshot().ForEach([&](hal::CpuId initiator) {
    // Clear first: a new request from the same initiator can only come
    // after it saw this one acknowledged. Served only by whoever clears
    // the bit: the IPI of this very request may arrive at the clear's
    // interleaving point (interrupts are on in ShootdownTlb's wait loop),
    // and the nested call it runs finds the bit still set.
    if (!inbox.from.TestAndClear(initiator)) return;
    Request& request = requests[initiator];
    InvalidateLocalTlb(request.what);
    served.FetchAdd(1);
    const uint32_t before = request.pending.FetchSub(1);
    VOS_ASSERT_MSG(before > 0, "cpu %u served cpu %u's TLB shootdown once too often", self,
                   initiator);
  });
}

void ShootdownTlb(const AtomicCpuMask& cpus, const TlbInvalidation& what) {
  PreemptionGuard guard;
  const hal::CpuId self = guard.cpu();
  Request& request = requests[self];
  request.what = what;
  CpuMask targets = cpus.Snapshot();
  if (targets.Has(self)) InvalidateLocalTlb(what);
  targets.Clear(self);
  if (skip_for_testing != kNoCpu) targets.Clear(skip_for_testing);
  request.pending.Store(targets.Count());
  initiated.FetchAdd(1);
  if (targets.Count() == 0) return;
  targets.ForEach([&](hal::CpuId cpu) {
    inboxes[cpu].from.Set(self);
    hal::SendIpi(cpu);
    ipis_sent.FetchAdd(1);
  });
  while (request.pending.Load() != 0) {
    ServeTlbShootdowns();
    hal::CpuRelax();
  }
}

void SetShootdownSkipForTesting(hal::CpuId cpu) { skip_for_testing = cpu; }

TlbShootdownStats GetTlbShootdownStats() {
  return {initiated.Load(), ipis_sent.Load(), served.Load()};
}

}  // namespace vos
