// A user address space: its regions (private anonymous memory, shared
// anonymous memory, fixed physical ranges), its page table, and the CPUs it
// is active on.
//
// Pages are mapped lazily: the first access faults and HandleFault maps a
// zeroed frame (or the region's physical frame). CloneInto shares private
// pages copy-on-write: both spaces map them read-only and the first write in
// either copies the frame (or just makes it writable again when it is no
// longer shared). Unmapping frees the frames whose last mapping went, after
// the TLB shootdown, so no CPU can still reach a freed frame.
//
// TLBs: ASIDs tag translations, so a CPU keeps entries of an address space
// after switching away. Shootdowns go to exactly the CPUs where it is active;
// a CPU that activates it again after a shootdown it missed flushes its TLB
// first (each space counts its shootdowns; each CPU remembers the count it
// last saw).
//
// Locking: one lock per space, taken with interrupts enabled (a shootdown
// waits for IPIs; see tlb_shootdown.h).
#ifndef VERIDIAN_SRC_MM_ADDRESS_SPACE_H_
#define VERIDIAN_SRC_MM_ADDRESS_SPACE_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/hal/atomic.h"
#include "src/hal/mmu.h"
#include "src/hal/trap.h"
#include "src/hal/types.h"
#include "src/lib/cpu_mask.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/mm/page_table.h"
#include "src/mm/pte_format.h"

namespace vos {

enum class RegionKind : uint8_t {
  kPrivate,   // Anonymous, zero-filled on first touch; copy-on-write in clones.
  kShared,    // Anonymous, zero-filled on first touch; shared with clones.
  kPhysical,  // A fixed physical range (devices, boot images); frames not owned.
};

struct Region {
  hal::VirtAddr start;
  hal::VirtAddr end;  // Exclusive.
  Perm perms;         // kRead, kWrite, kExecute; kUser is implied.
  RegionKind kind;
  hal::PhysAddr phys;  // kPhysical: the frame mapped at `start`.
  // Frames a kernel object owns (shared memory), mapped with the most its
  // capability allowed: Protect and CloneInto refuse the region.
  bool sealed = false;
};

struct AddressSpaceStats {
  uint64_t resident_pages;  // Leaf mappings in the page table.
  uint64_t demand_faults;   // Pages mapped on first touch.
  uint64_t cow_copies;      // Writes that copied a shared frame.
  uint64_t cow_reuses;      // Writes that found the frame no longer shared.
  uint64_t bad_faults;      // Faults no region allows (the thread's bug).
  uint64_t shootdowns;
};

class AddressSpace;

// Where an address space's page tables come from (the frame allocator).
// Tables freed by an operation are held until its shootdown is done.
class AddressSpaceTables final : public PageTableSource {
 public:
  explicit AddressSpaceTables(AddressSpace& owner) : owner_(owner) {}
  Result<hal::PhysAddr> AllocTable() override;
  void FreeTable(hal::PhysAddr table) override;

 private:
  AddressSpace& owner_;
};

class AddressSpace {
 public:
  static constexpr size_t kMaxRegions = 64;
  // User addresses: above the first 64 KiB (null pointers fault) and below
  // 256 GiB, the lower half of the smallest format (Sv39).
  static constexpr hal::VirtAddr kUserBase = 0x10000;
  static constexpr hal::VirtAddr kUserEnd = hal::VirtAddr{1} << 38;
  static constexpr uint16_t kMaxAsid = 4095;  // x86_64 PCIDs are 12 bits.

  AddressSpace();
  // Unmaps everything and frees the tables and the ASID. It must not be
  // active on any CPU.
  ~AddressSpace();
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  // Creates the page table in the machine's format and takes an ASID.
  // kNoMemory when tables or ASIDs run out.
  Status Init();

  // Adds a region of `size` bytes (whole pages) at `va`, or anywhere when va
  // is 0; returns its start. kInvalidArgument for unaligned or empty ranges,
  // perms without kRead or with other than kRead/kWrite/kExecute, or an
  // unaligned physical base; kOutOfRange outside [kUserBase, kUserEnd);
  // kAlreadyExists when it overlaps a region; kNoMemory when no gap fits or
  // the region table is full.
  Result<hal::VirtAddr> Map(hal::VirtAddr va, uint64_t size, Perm perms, RegionKind kind,
                            hal::PhysAddr phys = 0);
  // As Map for a kPhysical region that is sealed (see Region::sealed).
  Result<hal::VirtAddr> MapSealed(hal::VirtAddr va, uint64_t size, Perm perms,
                                  hal::PhysAddr phys);
  // Removes [va, va + size) from every region it overlaps (splitting them),
  // unmapping and releasing its pages. Parts with no region are ignored.
  Status Unmap(hal::VirtAddr va, uint64_t size);
  // Sets the permissions of [va, va + size), which must lie in regions;
  // kPermissionDenied when one of them is sealed.
  Status Protect(hal::VirtAddr va, uint64_t size, Perm perms);
  // Copies every region and mapping into `child` (an Init'ed, empty space):
  // private pages copy-on-write, shared and physical ones shared.
  // kNotSupported, copying nothing, when a region is sealed: its frames
  // would be mapped without the reference their owner counts.
  Status CloneInto(AddressSpace& child);

  // Resolves a page fault at user privilege in this space: true when the
  // access may be retried, false when no region allows it.
  bool HandleFault(const hal::PageFaultInfo& fault);

  // Makes this the calling CPU's user address space.
  void Activate();
  // The calling CPU's user address space (null: none).
  static AddressSpace* Current();
  // Leaves the calling CPU with no user address space.
  static void DeactivateCurrent();
  // DeactivateCurrent for the scheduler's switch-out hook
  // (Scheduler::SetSwitchOutHook), where interrupts are already disabled.
  static void DeactivateOnSwitch();

  std::optional<Region> FindRegion(hal::VirtAddr va);
  // The mapping of `va` in the page table, if any.
  Result<Mapping> Query(hal::VirtAddr va);
  AddressSpaceStats stats();
  size_t region_count();
  hal::PhysAddr root() const { return table_->root(); }
  uint16_t asid() const { return asid_; }
  const AtomicCpuMask& active_cpus() const { return active_; }

 private:
  friend class AddressSpaceTables;
  class Gather;

  // Leaves `cpu`, the calling CPU, with no user address space.
  static void Deactivate(hal::CpuId cpu);

  Region* FindRegionLocked(hal::VirtAddr va) VOS_REQUIRES(lock_);
  bool Overlaps(hal::VirtAddr start, hal::VirtAddr end) VOS_REQUIRES(lock_);
  Result<hal::VirtAddr> FindGap(uint64_t size) VOS_REQUIRES(lock_);
  Result<hal::VirtAddr> MapRegion(hal::VirtAddr va, uint64_t size, Perm perms, RegionKind kind,
                                  hal::PhysAddr phys, bool sealed);
  Status InsertRegion(const Region& region) VOS_REQUIRES(lock_);
  void EraseRegion(size_t index) VOS_REQUIRES(lock_);
  // Splits the region containing `va` so that a region starts at `va`.
  Status SplitAt(hal::VirtAddr va) VOS_REQUIRES(lock_);
  Status MapPage(hal::VirtAddr page, hal::PhysAddr frame, Perm perms) VOS_REQUIRES(lock_);
  void UnmapPage(hal::VirtAddr page, const Region& region, Gather& gather) VOS_REQUIRES(lock_);
  bool ResolveMissing(const Region& region, hal::VirtAddr page) VOS_REQUIRES(lock_);
  bool ResolveWrite(const Region& region, const Mapping& mapping) VOS_REQUIRES(lock_);
  // Invalidates [start, start + pages) on every CPU where this is active.
  void Shootdown(hal::VirtAddr start, uint64_t pages);
  static Perm PagePerms(Perm region_perms) { return region_perms | Perm::kUser; }

  SpinLock lock_;
  AddressSpaceTables tables_{*this};
  std::optional<PageTable> table_;
  uint16_t asid_ = 0;
  Region regions_[kMaxRegions] VOS_GUARDED_BY(lock_) = {};
  size_t region_count_ VOS_GUARDED_BY(lock_) = 0;
  AddressSpaceStats stats_ VOS_GUARDED_BY(lock_) = {};
  Gather* gather_ VOS_GUARDED_BY(lock_) = nullptr;  // The operation in progress.

  AtomicCpuMask active_;
  AtomicCpuMask ever_active_;  // Flushed when the ASID is given back.
  hal::Atomic<uint64_t> shootdown_count_{0};
  uint64_t seen_shootdowns_[hal::kMaxCpus] = {};  // Per CPU, written by that CPU.
};

// The page-fault resolver for user-memory accesses: the calling CPU's
// address space resolves it, if it has one.
bool ResolveUserPageFault(const hal::PageFaultInfo& fault);

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_ADDRESS_SPACE_H_
