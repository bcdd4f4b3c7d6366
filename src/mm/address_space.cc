#include "src/mm/address_space.h"

#include "src/hal/cpu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_refs.h"
#include "src/mm/tlb_shootdown.h"

namespace vos {
namespace {

constexpr uint64_t kPage = hal::kPageSize;

AddressSpace* current_spaces[hal::kMaxCpus] = {};

// ASIDs in use, one bit each; ASID 0 is the kernel's.
SpinLock asid_lock;
uint64_t asid_bits[(AddressSpace::kMaxAsid + 64) / 64] VOS_GUARDED_BY(asid_lock) = {1};

Result<uint16_t> AllocAsid() {
  SpinLockGuard guard(asid_lock);
  for (uint32_t asid = 1; asid <= AddressSpace::kMaxAsid; ++asid) {
    uint64_t& word = asid_bits[asid / 64];
    const uint64_t bit = uint64_t{1} << (asid % 64);
    if ((word & bit) == 0) {
      word |= bit;
      return static_cast<uint16_t>(asid);
    }
  }
  return Status::kNoMemory;
}

void FreeAsid(uint16_t asid) {
  SpinLockGuard guard(asid_lock);
  asid_bits[asid / 64] &= ~(uint64_t{1} << (asid % 64));
}

bool IsPageAligned(uint64_t value) { return value % kPage == 0; }

Result<hal::PhysAddr> AllocZeroedFrame() {
  Result<hal::PhysAddr> frame = Frames().AllocFrame();
  if (frame.ok()) __builtin_memset(hal::PhysToVirt(*frame), 0, kPage);
  return frame;
}

void FreeFrameOrPanic(hal::PhysAddr frame) {
  const Status status = Frames().FreeFrame(frame);
  VOS_ASSERT_MSG(IsOk(status), "freeing frame 0x%lx: %s", static_cast<unsigned long>(frame),
                 StatusName(status));
}

}  // namespace

// Collects what one operation unmaps: the range to invalidate, and frames and
// tables that may be reused only once no CPU can reach them. Flushed (one
// shootdown, then the frees) when full and when the operation ends.
class AddressSpace::Gather {
 public:
  explicit Gather(AddressSpace& space) VOS_REQUIRES(space.lock_) : space_(space) {
    space_.gather_ = this;
  }
  ~Gather() VOS_NO_THREAD_SAFETY_ANALYSIS {
    Flush();
    space_.gather_ = nullptr;
  }

  void AddPage(hal::VirtAddr page) {
    if (pages_ == 0 || page < low_) low_ = page;
    if (pages_ == 0 || page + kPage > high_) high_ = page + kPage;
    pages_ = (high_ - low_) / kPage;
  }
  void FreeFrameLater(hal::PhysAddr frame) {
    if (frame_count_ == kCapacity) Flush();
    frames_[frame_count_++] = frame;
  }
  void FreeTableLater(hal::PhysAddr table) {
    if (table_count_ == kCapacity) Flush();
    tables_[table_count_++] = table;
  }
  void Flush() {
    if (pages_ > 0) space_.Shootdown(low_, pages_);
    for (size_t i = 0; i < frame_count_; ++i) FreeFrameOrPanic(frames_[i]);
    for (size_t i = 0; i < table_count_; ++i) FreeFrameOrPanic(tables_[i]);
    pages_ = frame_count_ = table_count_ = 0;
  }

 private:
  static constexpr size_t kCapacity = 64;
  AddressSpace& space_;
  hal::VirtAddr low_ = 0;
  hal::VirtAddr high_ = 0;
  uint64_t pages_ = 0;
  hal::PhysAddr frames_[kCapacity];
  hal::PhysAddr tables_[kCapacity];
  size_t frame_count_ = 0;
  size_t table_count_ = 0;
};

Result<hal::PhysAddr> AddressSpaceTables::AllocTable() { return AllocZeroedFrame(); }

// Called by the page table inside operations that hold the owner's lock.
void AddressSpaceTables::FreeTable(hal::PhysAddr table) VOS_NO_THREAD_SAFETY_ANALYSIS {
  if (owner_.gather_ != nullptr) {
    owner_.gather_->FreeTableLater(table);
  } else {
    FreeFrameOrPanic(table);  // Never reachable by a walker (see ~AddressSpace).
  }
}

AddressSpace::AddressSpace() = default;

Status AddressSpace::Init() {
  VOS_ASSERT_MSG(!table_.has_value(), "address space initialised twice");
  const hal::PageTableFormat format = hal::ActivePageTableFormat();
  const VaRange range =
      format == hal::PageTableFormat::kAarch64 ? VaRange::kLower : VaRange::kAll;
  Result<uint16_t> asid = AllocAsid();
  if (!asid.ok()) return asid.status();
  Result<PageTable> table = PageTable::Create(format, tables_, range);
  if (!table.ok()) {
    FreeAsid(*asid);
    return table.status();
  }
  table_.emplace(std::move(*table));
  asid_ = *asid;
  return Status::kOk;
}

AddressSpace::~AddressSpace() {
  if (!table_.has_value()) return;
  const CpuMask active = active_.Snapshot();
  VOS_ASSERT_MSG(active.Count() == 0, "address space (asid %u) destroyed while active on %u cpus",
                 asid_, active.Count());
  {
    SpinLockGuard guard(lock_);
    Gather gather(*this);
    while (region_count_ > 0) {
      const Region region = regions_[region_count_ - 1];
      for (hal::VirtAddr page = region.start; page < region.end; page += kPage) {
        UnmapPage(page, region, gather);
      }
      --region_count_;
    }
  }
  // CPUs that ran this space may still hold its tagged entries: flush them
  // before the tables and the ASID are reused.
  TlbInvalidation everything;
  everything.asid = asid_;
  everything.pages = ~uint64_t{0};
  ShootdownTlb(ever_active_, everything);
  table_.reset();
  FreeAsid(asid_);
}

// --- Regions ---

Region* AddressSpace::FindRegionLocked(hal::VirtAddr va) {
  size_t low = 0;
  size_t high = region_count_;
  while (low < high) {
    const size_t middle = (low + high) / 2;
    if (regions_[middle].end <= va) {
      low = middle + 1;
    } else if (regions_[middle].start > va) {
      high = middle;
    } else {
      return &regions_[middle];
    }
  }
  return nullptr;
}

bool AddressSpace::Overlaps(hal::VirtAddr start, hal::VirtAddr end) {
  for (size_t i = 0; i < region_count_; ++i) {
    if (regions_[i].start < end && start < regions_[i].end) return true;
  }
  return false;
}

Result<hal::VirtAddr> AddressSpace::FindGap(uint64_t size) {
  hal::VirtAddr candidate = kUserBase;
  for (size_t i = 0; i < region_count_; ++i) {
    if (regions_[i].start >= candidate && regions_[i].start - candidate >= size) return candidate;
    if (regions_[i].end > candidate) candidate = regions_[i].end;
  }
  if (kUserEnd - candidate >= size) return candidate;
  return Status::kNoMemory;
}

Status AddressSpace::InsertRegion(const Region& region) {
  if (region_count_ == kMaxRegions) return Status::kNoMemory;
  size_t at = region_count_;
  while (at > 0 && regions_[at - 1].start > region.start) {
    regions_[at] = regions_[at - 1];
    --at;
  }
  regions_[at] = region;
  ++region_count_;
  return Status::kOk;
}

void AddressSpace::EraseRegion(size_t index) {
  for (size_t i = index; i + 1 < region_count_; ++i) regions_[i] = regions_[i + 1];
  --region_count_;
}

Status AddressSpace::SplitAt(hal::VirtAddr va) {
  Region* region = FindRegionLocked(va);
  if (region == nullptr || region->start == va) return Status::kOk;
  Region upper = *region;
  upper.start = va;
  if (upper.kind == RegionKind::kPhysical) upper.phys += va - region->start;
  region->end = va;
  return InsertRegion(upper);
}

// --- Mapping ---

Result<hal::VirtAddr> AddressSpace::Map(hal::VirtAddr va, uint64_t size, Perm perms,
                                        RegionKind kind, hal::PhysAddr phys) {
  return MapRegion(va, size, perms, kind, phys, /*sealed=*/false);
}

Result<hal::VirtAddr> AddressSpace::MapSealed(hal::VirtAddr va, uint64_t size, Perm perms,
                                              hal::PhysAddr phys) {
  return MapRegion(va, size, perms, RegionKind::kPhysical, phys, /*sealed=*/true);
}

Result<hal::VirtAddr> AddressSpace::MapRegion(hal::VirtAddr va, uint64_t size, Perm perms,
                                              RegionKind kind, hal::PhysAddr phys,
                                              bool sealed) {
  const Perm allowed = Perm::kRead | Perm::kWrite | Perm::kExecute;
  if (size == 0 || !IsPageAligned(va) || !IsPageAligned(size) || !IsPageAligned(phys) ||
      !HasPerm(perms, Perm::kRead) || (perms & allowed) != perms) {
    return Status::kInvalidArgument;
  }
  SpinLockGuard guard(lock_);
  if (va == 0) {
    Result<hal::VirtAddr> gap = FindGap(size);
    if (!gap.ok()) return gap.status();
    va = *gap;
  } else if (va < kUserBase || va >= kUserEnd || kUserEnd - va < size) {
    return Status::kOutOfRange;
  } else if (Overlaps(va, va + size)) {
    return Status::kAlreadyExists;
  }
  VOS_RETURN_IF_ERROR(InsertRegion({va, va + size, perms, kind, phys, sealed}));
  return va;
}

Status AddressSpace::MapPage(hal::VirtAddr page, hal::PhysAddr frame, Perm perms) {
  VOS_RETURN_IF_ERROR(table_->Map(page, frame, PageSize::k4K, PagePerms(perms)));
  ++stats_.resident_pages;
  return Status::kOk;
}

void AddressSpace::UnmapPage(hal::VirtAddr page, const Region& region, Gather& gather) {
  Result<Unmapped> unmapped = table_->Unmap(page);
  if (!unmapped.ok()) return;  // Never touched.
  --stats_.resident_pages;
  gather.AddPage(page);
  if (region.kind == RegionKind::kPhysical) return;
  const hal::PhysAddr frame = unmapped->mapping.pa;
  if (PageRefs().Unref(frame) == 0) gather.FreeFrameLater(frame);
}

Status AddressSpace::Unmap(hal::VirtAddr va, uint64_t size) {
  if (size == 0 || !IsPageAligned(va) || !IsPageAligned(size) || va + size < va) {
    return Status::kInvalidArgument;
  }
  const hal::VirtAddr end = va + size;
  SpinLockGuard guard(lock_);
  // Splitting may need two free slots; check before changing anything.
  if (region_count_ + 2 > kMaxRegions) return Status::kNoMemory;
  VOS_RETURN_IF_ERROR(SplitAt(va));
  VOS_RETURN_IF_ERROR(SplitAt(end));
  Gather gather(*this);
  for (size_t i = 0; i < region_count_;) {
    const Region region = regions_[i];
    if (region.start >= va && region.end <= end) {
      for (hal::VirtAddr page = region.start; page < region.end; page += kPage) {
        UnmapPage(page, region, gather);
      }
      EraseRegion(i);
    } else {
      ++i;
    }
  }
  return Status::kOk;
}

Status AddressSpace::Protect(hal::VirtAddr va, uint64_t size, Perm perms) {
  const Perm allowed = Perm::kRead | Perm::kWrite | Perm::kExecute;
  if (size == 0 || !IsPageAligned(va) || !IsPageAligned(size) || va + size < va ||
      !HasPerm(perms, Perm::kRead) || (perms & allowed) != perms) {
    return Status::kInvalidArgument;
  }
  const hal::VirtAddr end = va + size;
  SpinLockGuard guard(lock_);
  for (hal::VirtAddr at = va; at < end;) {
    const Region* region = FindRegionLocked(at);
    if (region == nullptr) return Status::kNotFound;
    if (region->sealed) return Status::kPermissionDenied;
    at = region->end;
  }
  if (region_count_ + 2 > kMaxRegions) return Status::kNoMemory;
  VOS_RETURN_IF_ERROR(SplitAt(va));
  VOS_RETURN_IF_ERROR(SplitAt(end));
  Gather gather(*this);
  for (size_t i = 0; i < region_count_; ++i) {
    Region& region = regions_[i];
    if (region.start < va || region.end > end) continue;
    region.perms = perms;
    for (hal::VirtAddr page = region.start; page < region.end; page += kPage) {
      Result<Mapping> mapping = table_->Query(page);
      if (!mapping.ok()) continue;
      Perm page_perms = PagePerms(perms);
      // A private page shared copy-on-write stays read-only until written.
      if (region.kind == RegionKind::kPrivate && PageRefs().Count(mapping->pa) > 1) {
        page_perms = page_perms & (Perm::kRead | Perm::kExecute | Perm::kUser);
      }
      Result<Mapping> old = table_->Protect(page, page_perms);
      VOS_ASSERT(old.ok());
      gather.AddPage(page);
    }
  }
  return Status::kOk;
}

Status AddressSpace::CloneInto(AddressSpace& child) {
  VOS_ASSERT_MSG(&child != this, "an address space cannot be cloned into itself");
  SpinLockGuard guard(lock_);
  SpinLockGuard child_guard(child.lock_);
  if (child.region_count_ != 0) return Status::kAlreadyExists;
  for (size_t i = 0; i < region_count_; ++i) {
    if (regions_[i].sealed) return Status::kNotSupported;
  }
  Gather gather(*this);
  for (size_t i = 0; i < region_count_; ++i) {
    const Region& region = regions_[i];
    VOS_RETURN_IF_ERROR(child.InsertRegion(region));
    for (hal::VirtAddr page = region.start; page < region.end; page += kPage) {
      Result<Mapping> mapping = table_->Query(page);
      if (!mapping.ok()) continue;
      Perm perms = mapping->perms;
      if (region.kind == RegionKind::kPrivate && HasPerm(perms, Perm::kWrite)) {
        perms = perms & (Perm::kRead | Perm::kExecute | Perm::kUser);
        Result<Mapping> old = table_->Protect(page, perms);
        VOS_ASSERT(old.ok());
        gather.AddPage(page);
      }
      if (region.kind != RegionKind::kPhysical) PageRefs().Ref(mapping->pa);
      const Status mapped = child.table_->Map(page, mapping->pa, PageSize::k4K, perms);
      if (!IsOk(mapped)) {
        if (region.kind != RegionKind::kPhysical) PageRefs().Unref(mapping->pa);
        return mapped;  // The child keeps what it has; its destructor frees it.
      }
      ++child.stats_.resident_pages;
    }
  }
  return Status::kOk;
}

// --- Faults ---

bool AddressSpace::HandleFault(const hal::PageFaultInfo& fault) {
  const hal::VirtAddr page = fault.address & ~(kPage - 1);
  SpinLockGuard guard(lock_);
  const Region* region = FindRegionLocked(fault.address);
  if (region == nullptr || (fault.write && !HasPerm(region->perms, Perm::kWrite)) ||
      (fault.fetch && !HasPerm(region->perms, Perm::kExecute))) {
    ++stats_.bad_faults;
    return false;
  }
  Result<Mapping> mapping = table_->Query(page);
  if (!mapping.ok()) return ResolveMissing(*region, page);
  if (fault.write && !HasPerm(mapping->perms, Perm::kWrite)) return ResolveWrite(*region, *mapping);
  // Another CPU resolved it first, or this CPU's TLB held an older entry.
  TlbInvalidation stale;
  stale.asid = asid_;
  stale.start = page;
  stale.pages = 1;
  InvalidateLocalTlb(stale);
  return true;
}

bool AddressSpace::ResolveMissing(const Region& region, hal::VirtAddr page) {
  hal::PhysAddr frame;
  if (region.kind == RegionKind::kPhysical) {
    frame = region.phys + (page - region.start);
  } else {
    Result<hal::PhysAddr> fresh = AllocZeroedFrame();
    if (!fresh.ok()) return false;
    frame = *fresh;
    PageRefs().SetFirst(frame);
  }
  if (!IsOk(MapPage(page, frame, region.perms))) {
    if (region.kind != RegionKind::kPhysical && PageRefs().Unref(frame) == 0) {
      FreeFrameOrPanic(frame);
    }
    return false;
  }
  ++stats_.demand_faults;
  return true;
}

bool AddressSpace::ResolveWrite(const Region& region, const Mapping& mapping) {
  VOS_ASSERT_MSG(region.kind == RegionKind::kPrivate,
                 "write fault on a read-only page of a writable %s region at 0x%lx",
                 region.kind == RegionKind::kShared ? "shared" : "physical",
                 static_cast<unsigned long>(mapping.va));
  Gather gather(*this);
  const Perm perms = PagePerms(region.perms);
  if (PageRefs().Count(mapping.pa) == 1) {
    // The other sharers are gone: the frame is ours to write.
    Result<Mapping> old = table_->Protect(mapping.va, perms);
    VOS_ASSERT(old.ok());
    gather.AddPage(mapping.va);
    ++stats_.cow_reuses;
    return true;
  }
  Result<hal::PhysAddr> copy = Frames().AllocFrame();
  if (!copy.ok()) return false;
  __builtin_memcpy(hal::PhysToVirt(*copy), hal::PhysToVirt(mapping.pa), kPage);
  PageRefs().SetFirst(*copy);
  Result<Unmapped> old = table_->Unmap(mapping.va);
  VOS_ASSERT(old.ok());
  const Status mapped = table_->Map(mapping.va, *copy, PageSize::k4K, perms);
  VOS_ASSERT_MSG(IsOk(mapped), "remapping a copied page failed: %s", StatusName(mapped));
  gather.AddPage(mapping.va);
  if (PageRefs().Unref(mapping.pa) == 0) gather.FreeFrameLater(mapping.pa);
  ++stats_.cow_copies;
  return true;
}

// --- TLBs and activation ---

void AddressSpace::Shootdown(hal::VirtAddr start, uint64_t pages) {
  // Count first: a CPU activating this space concurrently either is in the
  // mask read below or sees the new count and flushes (see Activate).
  shootdown_count_.FetchAdd(1);
  TlbInvalidation what;
  what.asid = asid_;
  what.start = start;
  what.pages = pages;
  ShootdownTlb(active_, what);
}

void AddressSpace::Activate() {
  PreemptionGuard guard;
  const hal::CpuId cpu = guard.cpu();
  AddressSpace*& current = current_spaces[cpu];
  if (current == this) return;
  if (current != nullptr) current->active_.Clear(cpu);
  active_.Set(cpu);
  // Only this CPU sets its bit, and nothing clears it before teardown: a
  // plain test spares an interleaving point on every switch back.
  if (!ever_active_.Has(cpu)) ever_active_.Set(cpu);
  current = this;
  hal::ActivateAddressSpace(root(), asid_);
  const uint64_t shootdowns = shootdown_count_.Load();
  if (seen_shootdowns_[cpu] != shootdowns) {
    // Shootdowns happened while this CPU was elsewhere: its tagged entries
    // for this space may be stale.
    hal::InvalidateTlbAll();
    seen_shootdowns_[cpu] = shootdowns;
  }
}

AddressSpace* AddressSpace::Current() { return current_spaces[hal::CurrentCpu()]; }

void AddressSpace::DeactivateCurrent() {
  PreemptionGuard guard;
  Deactivate(guard.cpu());
}

void AddressSpace::DeactivateOnSwitch() { Deactivate(hal::CurrentCpu()); }

void AddressSpace::Deactivate(hal::CpuId cpu) {
  AddressSpace*& current = current_spaces[cpu];
  if (current == nullptr) return;
  current->active_.Clear(cpu);
  current = nullptr;
  hal::ActivateAddressSpace(0, 0);
}

// --- Queries ---

std::optional<Region> AddressSpace::FindRegion(hal::VirtAddr va) {
  SpinLockGuard guard(lock_);
  const Region* region = FindRegionLocked(va);
  if (region == nullptr) return std::nullopt;
  return *region;
}

Result<Mapping> AddressSpace::Query(hal::VirtAddr va) {
  SpinLockGuard guard(lock_);
  return table_->Query(va);
}

AddressSpaceStats AddressSpace::stats() {
  SpinLockGuard guard(lock_);
  return stats_;
}

size_t AddressSpace::region_count() {
  SpinLockGuard guard(lock_);
  return region_count_;
}

bool ResolveUserPageFault(const hal::PageFaultInfo& fault) {
  AddressSpace* space = AddressSpace::Current();
  return space != nullptr && space->HandleFault(fault);
}

}  // namespace vos
