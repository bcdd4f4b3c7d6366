// Self-test "mmu_check": the kernel's page tables against the machine's MMU.
// From a seed ("seed=N") it builds a fresh table in the machine's format with
// vos::PageTable: the kernel's own ranges (hal::KernelMappings) plus random
// 4 KiB / 2 MiB / 1 GiB test pages with random write and execute rights in a
// test window. It activates the table on CPU 0 and checks "iterations=N"
// random loads, stores and fetches with hal::ProbeAccess against what the
// table's Query() says: no fault and the bytes of the expected physical
// address, or a page fault of the expected kind. Halfway it unmaps and
// re-protects some pages (invalidating this CPU's TLB entries) and checks on.
//
// Every owned test frame holds Pattern(physical address) in each 8-byte word,
// so a load through a wrong translation reads the wrong word; the pattern's
// low bytes are the machine's return instruction, so a fetch probe may land
// on any word. 1 GiB pages cannot have 1 GiB frames of their own on a small
// machine: they map the GiB around a few scratch frames and are probed only
// inside those.
//
// On x86_64 under QEMU this is the reference Unicorn cannot be (physical
// addresses, NX, supervisor writes under CR0.WP): docs/unicorn-reference.md.
#include <cstddef>
#include <cstdint>
#include <span>

#include "src/hal/mmu.h"
#include "src/hal/probe.h"
#include "src/hal/types.h"
#include "src/kernel/selftest.h"
#include "src/lib/print.h"
#include "src/lib/split_mix.h"
#include "src/lib/status.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/page_table.h"
#include "src/mm/pte_format.h"

namespace kernel {
namespace {

using vos::PageSize;
using vos::Perm;

constexpr uint64_t kDefaultSeed = 1;
constexpr uint64_t kDefaultAccesses = 4000;

constexpr uint64_t k4KiB = vos::PageBytes(PageSize::k4K);
constexpr uint64_t k2MiB = vos::PageBytes(PageSize::k2M);
constexpr uint64_t k1GiB = vos::PageBytes(PageSize::k1G);
// [64 GiB, 128 GiB): clear of the x86_64 identity map and inside the lower
// half of every format, Sv39's 256 GiB included.
constexpr hal::VirtAddr kWindowBase = 64 * k1GiB;
constexpr uint64_t kWindowGiBs = 64;

constexpr size_t kPages4K = 48;
constexpr size_t kPages2M = 12;
constexpr size_t kPages1G = 3;
constexpr size_t kMaxPages = kPages4K + kPages2M + kPages1G;
// Regions the small pages cluster in, so they share tables.
constexpr size_t kClusters4K = 3;
constexpr size_t kClusters2M = 2;
constexpr size_t kScratchFrames = 8;
constexpr int kPlacementTries = 64;
constexpr size_t kMaxReported = 8;
constexpr size_t kProbeKinds = 3;
constexpr const char* kProbeKindNames[kProbeKinds] = {"read", "write", "execute"};
// ASID 0 is the kernel's; both switches below flush this CPU's TLB anyway.
constexpr uint16_t kAsid = 0;

using Random = vos::SplitMix64;

// Table pages straight from the frame allocator. Nothing else runs on this
// CPU's tables while they change, and every switch flushes the TLB.
class FrameTableSource final : public vos::PageTableSource {
 public:
  vos::Result<hal::PhysAddr> AllocTable() override {
    vos::Result<hal::PhysAddr> frame = vos::Frames().AllocFrame();
    if (frame.ok()) __builtin_memset(hal::PhysToVirt(*frame), 0, hal::kPageSize);
    return frame;
  }
  void FreeTable(hal::PhysAddr table) override { (void)vos::Frames().FreeFrame(table); }
};

struct TestPage {
  hal::VirtAddr va;
  hal::PhysAddr pa;
  PageSize size;
  Perm perms;   // As last asked of the table.
  bool mapped;  // Ditto.
};

struct KindStats {
  uint64_t checked;
  uint64_t allowed;  // Completed without a fault, as expected.
  uint64_t faulted;  // Faulted, as expected.
};

struct Mismatch {
  hal::VirtAddr va;
  hal::ProbeKind kind;
  const char* what;
  bool expect_mapped;
  bool expect_allowed;
  hal::PhysAddr expect_pa;
  uint64_t expect_value;
  hal::ProbeResult got;
};

struct State {
  uint64_t seed;
  uint64_t accesses;
  bool passed;
  TestPage pages[kMaxPages];
  size_t page_count;
  size_t pages_of_size[3];
  hal::PhysAddr scratch[kScratchFrames];
  size_t scratch_count;
  hal::PhysAddr scratch_gib;  // The GiB the 1 GiB test pages map.
  size_t scratch_in_gib;      // scratch[0 .. scratch_in_gib) lie in it.
  uint64_t unmapped_halfway;
  uint64_t protected_halfway;
  KindStats stats[kProbeKinds];
  uint64_t mismatches;
  Mismatch reported[kMaxReported];
};
State state;

uint64_t Pattern(hal::PhysAddr pa) {
  // Unique per 8-byte word below 32 GiB; the low half is the return.
  return ((pa >> 3) << 32) | hal::ProbeReturnInstruction();
}

volatile uint64_t* Word(hal::PhysAddr pa) {
  return static_cast<volatile uint64_t*>(hal::PhysToVirt(pa));
}

void FillPattern(hal::PhysAddr base, uint64_t bytes) {
  for (uint64_t offset = 0; offset < bytes; offset += sizeof(uint64_t)) {
    *Word(base + offset) = Pattern(base + offset);
  }
}

Perm RandomPerms(Random& random) {
  Perm perms = Perm::kRead;
  if (random.OneIn(2)) perms |= Perm::kWrite;
  if (random.OneIn(2)) perms |= Perm::kExecute;
  return perms;
}

bool SameRights(Perm a, Perm b) {
  constexpr Perm kRights = Perm::kRead | Perm::kWrite | Perm::kExecute;
  return (a & kRights) == (b & kRights);
}

void Report(const Mismatch& mismatch) {
  if (state.mismatches < kMaxReported) state.reported[state.mismatches] = mismatch;
  ++state.mismatches;
}

// A failure of the table itself (Map/Unmap/Protect/Query disagreeing with
// what was asked of it), counted with the probe mismatches.
void ReportTableError(hal::VirtAddr va, const char* what) {
  Report({.va = va, .kind = hal::ProbeKind::kRead, .what = what, .got = {}});
}

// --- Building the table ---

vos::Status MapKernel(vos::PageTable& table) {
  constexpr Perm kKernelPerms = Perm::kRead | Perm::kWrite | Perm::kExecute;
  for (const hal::KernelMapping& range : hal::KernelMappings()) {
    if (range.va < kWindowBase + kWindowGiBs * k1GiB && kWindowBase < range.va + range.size) {
      vos::Printf("mmu_check: the kernel range at 0x%lx overlaps the test window\n", range.va);
      return vos::Status::kOutOfRange;
    }
    for (uint64_t offset = 0; offset < range.size; offset += k2MiB) {
      VOS_RETURN_IF_ERROR(
          table.Map(range.va + offset, range.pa + offset, PageSize::k2M, kKernelPerms));
    }
  }
  return vos::Status::kOk;
}

vos::Status AllocScratch() {
  for (size_t i = 0; i < kScratchFrames; ++i) {
    vos::Result<hal::PhysAddr> frame = vos::Frames().AllocFrame();
    if (!frame.ok()) return frame.status();
    state.scratch[state.scratch_count++] = *frame;
    FillPattern(*frame, k4KiB);
  }
  // Keep the frames in the first one's GiB at the front.
  state.scratch_gib = state.scratch[0] & ~(k1GiB - 1);
  for (size_t i = 0; i < state.scratch_count; ++i) {
    if ((state.scratch[i] & ~(k1GiB - 1)) != state.scratch_gib) continue;
    const hal::PhysAddr frame = state.scratch[i];
    state.scratch[i] = state.scratch[state.scratch_in_gib];
    state.scratch[state.scratch_in_gib++] = frame;
  }
  return vos::Status::kOk;
}

vos::Result<hal::PhysAddr> AllocBacking(PageSize size) {
  if (size == PageSize::k1G) return state.scratch_gib;
  const size_t frames = size == PageSize::k4K ? 1 : vos::k2MiBFrames;
  vos::Result<hal::PhysAddr> base =
      vos::Frames().Alloc({.count = frames, .alignment = frames});
  if (base.ok()) FillPattern(*base, frames * hal::kPageSize);
  return base;
}

void FreeBacking(const TestPage& page) {
  if (page.size == PageSize::k1G) return;
  (void)vos::Frames().Free(page.pa, vos::PageBytes(page.size) / hal::kPageSize);
}

// Maps `count` pages of `size` at random places: in one of `clusters`
// (each `cluster_bytes` long), or anywhere in the window when `clusters` is
// empty. A place already taken (kAlreadyExists, also for tables below a huge
// page) is retried elsewhere.
vos::Status MapTestPages(vos::PageTable& table, Random& random, PageSize size, size_t count,
                         std::span<const hal::VirtAddr> clusters, uint64_t cluster_bytes) {
  const uint64_t page_bytes = vos::PageBytes(size);
  for (size_t n = 0; n < count; ++n) {
    vos::Result<hal::PhysAddr> pa = AllocBacking(size);
    if (!pa.ok()) return pa.status();
    TestPage& page = state.pages[state.page_count++];
    page = {.va = 0, .pa = *pa, .size = size, .perms = RandomPerms(random), .mapped = false};
    for (int tries = 0; tries < kPlacementTries && !page.mapped; ++tries) {
      const hal::VirtAddr va =
          clusters.empty()
              ? kWindowBase + random.Below(kWindowGiBs) * k1GiB
              : clusters[random.Below(clusters.size())] +
                    random.Below(cluster_bytes / page_bytes) * page_bytes;
      const vos::Status status = table.Map(va, page.pa, size, page.perms);
      if (status == vos::Status::kAlreadyExists) continue;
      VOS_RETURN_IF_ERROR(status);
      page.va = va;
      page.mapped = true;
    }
    if (!page.mapped) return vos::Status::kAlreadyExists;
    ++state.pages_of_size[static_cast<size_t>(size)];
  }
  return vos::Status::kOk;
}

vos::Status BuildTestPages(vos::PageTable& table, Random& random) {
  VOS_RETURN_IF_ERROR(AllocScratch());
  hal::VirtAddr gibs[kClusters2M];
  for (hal::VirtAddr& gib : gibs) gib = kWindowBase + random.Below(kWindowGiBs) * k1GiB;
  hal::VirtAddr regions[kClusters4K];
  for (hal::VirtAddr& region : regions) {
    region = gibs[random.Below(kClusters2M)] + random.Below(k1GiB / k2MiB) * k2MiB;
  }
  // Small pages first, so huge pages run into their tables.
  VOS_RETURN_IF_ERROR(MapTestPages(table, random, PageSize::k4K, kPages4K, regions, k2MiB));
  VOS_RETURN_IF_ERROR(MapTestPages(table, random, PageSize::k2M, kPages2M, gibs, k1GiB));
  if (state.scratch_in_gib == 0) return vos::Status::kOk;  // Nowhere to probe a 1 GiB page.
  return MapTestPages(table, random, PageSize::k1G, kPages1G, {}, 0);
}

// Unmaps about a sixth of the pages and re-protects about a quarter, each
// followed by this CPU's invalidation, as an address space would do it.
void ChangeSomePages(vos::PageTable& table, Random& random) {
  for (size_t i = 0; i < state.page_count; ++i) {
    TestPage& page = state.pages[i];
    if (!page.mapped) continue;
    if (random.OneIn(6)) {
      vos::Result<vos::Unmapped> unmapped = table.Unmap(page.va);
      if (!unmapped.ok()) {
        ReportTableError(page.va, "Unmap failed");
        continue;
      }
      page.mapped = false;
      ++state.unmapped_halfway;
      // Freed tables may sit in paging-structure caches: drop them all.
      if (unmapped->tables_freed > 0) {
        hal::InvalidateTlbAll();
      } else {
        hal::InvalidateTlbPage(page.va, kAsid);
      }
    } else if (random.OneIn(4)) {
      const Perm perms = RandomPerms(random);
      if (!table.Protect(page.va, perms).ok()) {
        ReportTableError(page.va, "Protect failed");
        continue;
      }
      page.perms = perms;
      ++state.protected_halfway;
      hal::InvalidateTlbPage(page.va, kAsid);
    }
  }
}

// --- Probing ---

// An 8-byte-aligned offset into `page` whose physical word the test owns.
uint64_t RandomOffset(const TestPage& page, Random& random) {
  if (page.size != PageSize::k1G) {
    return random.Below(vos::PageBytes(page.size) / sizeof(uint64_t)) * sizeof(uint64_t);
  }
  const hal::PhysAddr frame = state.scratch[random.Below(state.scratch_in_gib)];
  return frame - page.pa + random.Below(k4KiB / sizeof(uint64_t)) * sizeof(uint64_t);
}

// An address the table does not map: near a test page (the walk ends low in
// the tree) or anywhere in the window (it ends high). 0 if none was found.
hal::VirtAddr RandomHole(const vos::PageTable& table, Random& random) {
  for (int tries = 0; tries < kPlacementTries; ++tries) {
    hal::VirtAddr va;
    if (random.OneIn(2)) {
      const TestPage& page = state.pages[random.Below(state.page_count)];
      const uint64_t step = vos::PageBytes(page.size);
      va = page.va + (random.Below(33) - 16) * step + random.Below(step / 8) * 8;
    } else {
      va = kWindowBase + random.Below(kWindowGiBs * k1GiB / 8) * 8;
    }
    if (va < kWindowBase || va >= kWindowBase + kWindowGiBs * k1GiB) continue;
    if (table.Query(va).status() == vos::Status::kNotFound) return va;
  }
  return 0;
}

// True when the table's answer for `va` in `page` is what was asked of it.
bool QueryAgrees(const vos::Result<vos::Mapping>& mapping, const TestPage& page,
                 hal::VirtAddr va) {
  if (!page.mapped) return !mapping.ok();
  return mapping.ok() && mapping.value().size == page.size && SameRights(mapping.value().perms, page.perms) &&
         mapping.value().pa + (va - mapping.value().va) == page.pa + (va - page.va);
}

bool FaultAsExpected(const hal::ProbeResult& got, hal::VirtAddr va, hal::ProbeKind kind,
                     bool mapped) {
  return got.faulted && got.page_fault && got.fault.address == va &&
         got.fault.present == mapped && got.fault.write == (kind == hal::ProbeKind::kWrite) &&
         got.fault.fetch == (kind == hal::ProbeKind::kExecute) && !got.fault.user;
}

// One access at `va` (inside `page`, or a hole when page is null), checked
// against the table's Query().
void CheckAccess(const vos::PageTable& table, hal::VirtAddr va, const TestPage* page,
                 hal::ProbeKind kind, Random& random) {
  const vos::Result<vos::Mapping> mapping = table.Query(va);
  if (page != nullptr && !QueryAgrees(mapping, *page, va)) {
    ReportTableError(va, "Query disagrees with the mappings made");
    return;
  }
  const bool mapped = mapping.ok();
  const hal::PhysAddr pa = mapped ? mapping.value().pa + (va - mapping.value().va) : 0;
  const bool allowed =
      mapped && (kind == hal::ProbeKind::kRead ||
                 (kind == hal::ProbeKind::kWrite && HasPerm(mapping.value().perms, Perm::kWrite)) ||
                 (kind == hal::ProbeKind::kExecute && HasPerm(mapping.value().perms, Perm::kExecute)));
  const uint64_t stored = random.Next();
  const hal::ProbeResult got = hal::ProbeAccess(va, kind, stored);

  KindStats& stats = state.stats[static_cast<size_t>(kind)];
  ++stats.checked;
  Mismatch mismatch{.va = va, .kind = kind, .what = nullptr, .expect_mapped = mapped,
                    .expect_allowed = allowed, .expect_pa = pa, .expect_value = 0, .got = got};
  if (!allowed) {
    if (FaultAsExpected(got, va, kind, mapped)) {
      ++stats.faulted;
      return;
    }
    mismatch.what = got.faulted ? "wrong fault" : "no fault";
    // A store that should have faulted may have hit the expected word.
    if (!got.faulted && mapped && kind == hal::ProbeKind::kWrite) *Word(pa) = Pattern(pa);
    Report(mismatch);
    return;
  }
  if (got.faulted) {
    mismatch.what = "unexpected fault";
    Report(mismatch);
    return;
  }
  switch (kind) {
    case hal::ProbeKind::kRead:
      mismatch.expect_value = *Word(pa);
      if (got.value != mismatch.expect_value) mismatch.what = "wrong value read";
      break;
    case hal::ProbeKind::kWrite:
      mismatch.expect_value = stored;
      if (*Word(pa) != stored) mismatch.what = "store missed the expected physical word";
      *Word(pa) = Pattern(pa);
      break;
    case hal::ProbeKind::kExecute:
      break;
  }
  if (mismatch.what != nullptr) {
    Report(mismatch);
    return;
  }
  ++stats.allowed;
}

void ProbeRandomly(const vos::PageTable& table, Random& random, uint64_t accesses) {
  for (uint64_t n = 0; n < accesses; ++n) {
    const auto kind = static_cast<hal::ProbeKind>(random.Below(kProbeKinds));
    if (random.OneIn(5)) {
      const hal::VirtAddr hole = RandomHole(table, random);
      if (hole != 0) {
        CheckAccess(table, hole, nullptr, kind, random);
        continue;
      }
    }
    const TestPage& page = state.pages[random.Below(state.page_count)];
    CheckAccess(table, page.va + RandomOffset(page, random), &page, kind, random);
  }
}

// --- The self-test ---

void PrintMismatch(const Mismatch& m) {
  vos::Printf("mmu_check: MISMATCH %s at 0x%lx: %s; expected %s, pa 0x%lx, value 0x%lx; got "
              "%s vector %u code 0x%lx address 0x%lx present %d write %d fetch %d value 0x%lx\n",
              kProbeKindNames[static_cast<size_t>(m.kind)], m.va, m.what,
              !m.expect_mapped ? "not mapped" : (m.expect_allowed ? "allowed" : "protection fault"),
              m.expect_pa, m.expect_value, m.got.faulted ? "fault" : "no fault", m.got.vector,
              m.got.code, m.got.fault.address, m.got.fault.present, m.got.fault.write,
              m.got.fault.fetch, m.got.value);
}

void PrintSummary() {
  vos::Printf("mmu_check: seed %lu, %s table, %zu test pages (4K %zu, 2M %zu, 1G %zu), "
              "%lu unmapped and %lu re-protected halfway\n",
              state.seed, hal::PageTableFormatName(hal::ActivePageTableFormat()),
              state.page_count, state.pages_of_size[0], state.pages_of_size[1],
              state.pages_of_size[2], state.unmapped_halfway, state.protected_halfway);
  uint64_t checked = 0;
  for (const KindStats& stats : state.stats) checked += stats.checked;
  const KindStats* s = state.stats;
  vos::Printf("mmu_check: %lu accesses checked: read %lu (%lu ok, %lu faulted), write %lu "
              "(%lu ok, %lu faulted), execute %lu (%lu ok, %lu faulted), %lu mismatches\n",
              checked, s[0].checked, s[0].allowed, s[0].faulted, s[1].checked, s[1].allowed,
              s[1].faulted, s[2].checked, s[2].allowed, s[2].faulted, state.mismatches);
  for (size_t i = 0; i < state.mismatches && i < kMaxReported; ++i) PrintMismatch(state.reported[i]);
}

// Both outcomes of every kind of access were seen: a run that never faults
// (or never succeeds) proves nothing.
bool CoveredEveryOutcome() {
  for (const KindStats& stats : state.stats) {
    if (stats.allowed == 0 || stats.faulted == 0) return false;
  }
  return true;
}

vos::Status RunCheck() {
  Random random(state.seed);
  const hal::PageTableFormat format = hal::ActivePageTableFormat();
  const vos::VaRange range =
      format == hal::PageTableFormat::kAarch64 ? vos::VaRange::kLower : vos::VaRange::kAll;
  FrameTableSource source;
  vos::Result<vos::PageTable> table = vos::PageTable::Create(format, source, range);
  if (!table.ok()) return table.status();
  VOS_RETURN_IF_ERROR(MapKernel(*table));
  const vos::Status built = BuildTestPages(*table, random);
  if (vos::IsOk(built)) {
    hal::ActivateAddressSpace(table->root(), kAsid);
    hal::InvalidateTlbAll();
    ProbeRandomly(*table, random, state.accesses / 2);
    ChangeSomePages(*table, random);
    ProbeRandomly(*table, random, state.accesses - state.accesses / 2);
    hal::ActivateAddressSpace(0, 0);  // Back to the kernel's own tables.
    hal::InvalidateTlbAll();
  }
  for (size_t i = 0; i < state.page_count; ++i) FreeBacking(state.pages[i]);
  for (size_t i = 0; i < state.scratch_count; ++i) (void)vos::Frames().FreeFrame(state.scratch[i]);
  return built;  // The table's own frames go back when it goes out of scope.
}

bool MmuCheckSetup(const vos::CommandLine& command_line, uint32_t) {
  vos::Result<uint64_t> seed = command_line.GetUint("seed", kDefaultSeed);
  if (!seed.ok()) {
    vos::Printf("mmu_check: seed= must be a decimal number\n");
    return false;
  }
  state.seed = *seed;
  return ParseIterations(command_line, "mmu_check", kDefaultAccesses, &state.accesses);
}

void MmuCheckRun(hal::CpuId cpu) {
  if (cpu != 0) return;
  const vos::Status status = RunCheck();
  if (!vos::IsOk(status)) {
    vos::Printf("mmu_check: could not build the test table (%s)\n", vos::StatusName(status));
    return;
  }
  PrintSummary();
  if (!CoveredEveryOutcome()) {
    vos::Printf("mmu_check: some kind of access never succeeded or never faulted\n");
    return;
  }
  state.passed = state.mismatches == 0;
}

bool MmuCheckFinish() { return state.passed; }

}  // namespace

const SelfTest kMmuCheckTest = {
    .name = "mmu_check",
    .description = "random page tables checked against the MMU (seed=N iterations=N accesses)",
    .setup = MmuCheckSetup,
    .run_on_cpu = MmuCheckRun,
    .finish = MmuCheckFinish,
};

}  // namespace kernel
