// The simulated MMU's page-table walker: translates one virtual address by
// reading the page-table bytes in simulated RAM exactly as the selected
// architecture's hardware does, and reports faults with that hardware's own
// error information. Written from the architecture manuals, independently of
// src/mm, so the two implementations check each other.
//
// Modelled hardware configuration (fixed; documented once here):
// - x86_64: 4-level paging, CR0.WP=1, EFER.NXE=1, CR4.PGE=1, CR4.SMEP=1 and
//   CR4.SMAP=1 with EFLAGS.AC=0 (the kernel never touches user pages with
//   supervisor accesses: user copies are made at user privilege), no PKE,
//   MAXPHYADDR = 40 (QEMU TCG's default, so the bare-metal cross-check
//   agrees). The walker sets A in every entry used and D in the leaf on a
//   write, only when the access succeeds. A non-canonical address raises #GP.
// - AArch64: EL1&0 regime, 4 KiB granule, T0SZ = T1SZ = 16, IPS = 48 bits,
//   TTBR0 for VA[63:48] all zeros and TTBR1 for all ones; hierarchical
//   APTable/UXNTable/PXNTable honoured; PAN off; SCTLR.WXN off; no FEAT_HAFDBS
//   (AF=0 raises an access-flag fault, nothing is written back), as Unicorn
//   2.0.1 behaves. EL0-writable pages are never executable at EL1.
// - RISC-V Sv39/Sv48: no Svnapot/Svpbmt (bits 63:54 must be zero); A and D are
//   set by the walker (Svadu behaviour, as Unicorn 2.0.1 does), after the
//   permission check passes; sstatus.SUM and MXR come from MmuRegisters.
#ifndef VERIDIAN_SIM_MMU_H_
#define VERIDIAN_SIM_MMU_H_

#include <cstdint>
#include <cstring>

#include "sim/ram.h"
#include "src/hal/mmu.h"
#include "src/hal/trap.h"
#include "src/hal/types.h"

namespace sim {

enum class AccessKind : uint8_t { kRead, kWrite, kFetch };

// The privilege the permission check uses. Kernel copies to and from user
// memory use kUser (AArch64 LDTR/STTR semantics), and their faults report
// user = true with the user-mode arch code (AArch64 EC 0x24, where a real
// LDTR fault is taken from EL1 with EC 0x25; x86 U=1 in the error code).
enum class Privilege : uint8_t { kSupervisor, kUser };

struct Access {
  AccessKind kind;
  Privilege privilege;
};

// One CPU's translation registers, reduced to what the walker reads.
struct MmuRegisters {
  hal::PageTableFormat format = hal::PageTableFormat::kX86_64;
  hal::PhysAddr root = 0;         // CR3, TTBR0_EL1 or satp.PPN << 12.
  hal::PhysAddr kernel_root = 0;  // TTBR1_EL1; unused by the other formats.
  uint16_t asid = 0;              // PCID, TTBR0.ASID or satp.ASID.
  bool sum = false;               // RISC-V sstatus.SUM.
  bool mxr = false;               // RISC-V sstatus.MXR.
  bool smap = true;               // x86_64 CR4.SMAP (SMEP is always on).
};

// Where a successful walk's answer came from: the translation roots and
// every page-table entry the walk read (as host pointers into simulated RAM,
// which stays mapped for the machine's life), with the values RAM held after
// the walk (A/D bits set). While all of them are unchanged, walking again
// gives the same translation; the stale-TLB check compares them instead of
// walking.
struct WalkSource {
  static constexpr uint32_t kMaxEntries = 4;  // 4-level x86_64, AArch64, Sv48.
  hal::PhysAddr root = ~hal::PhysAddr{0};  // Matches no root until a walk fills it.
  hal::PhysAddr kernel_root = 0;
  uint32_t count = 0;
  const uint64_t* entries[kMaxEntries] = {};
  uint64_t values[kMaxEntries] = {};
};

// A successful walk's result, which the TLB caches: where the page is and
// its effective permissions (every level's restrictions already combined).
struct Translation {
  hal::PhysAddr page = 0;  // Physical base of the page.
  uint8_t page_shift = 12;  // 12, 21 or 30.
  uint8_t level = 0;        // The leaf's level in the architecture's numbering.
  bool global = false;
  // x86_64 / RISC-V: the walk set (or found) D. A write through a cached
  // clean translation walks again so D gets set, as the hardware does.
  bool dirty = false;
  bool user = false;      // Accessible at user privilege.
  bool readable = false;  // Always true except RISC-V execute-only pages.
  bool writable = false;
  bool user_executable = false;
  bool kernel_executable = false;

  hal::PhysAddr Physical(hal::VirtAddr address) const {
    return page | (address & ((uint64_t{1} << page_shift) - 1));
  }
};

// A fault as the architecture reports it, plus the normalised form.
struct MmuFault {
  hal::PageFaultInfo info;
  // x86_64: the vector (14 #PF, 13 #GP). AArch64: ESR_EL1.EC (0x20/0x21
  // instruction abort, 0x24/0x25 data abort, lower/same EL). RISC-V: scause
  // (12 fetch, 13 load, 15 store/AMO page fault).
  uint32_t vector = 0;
  // x86_64: the #PF error code (P W U RSVD I/D), 0 for #GP. AArch64: the whole
  // ESR_EL1 (EC, IL, WnR, DFSC/IFSC with the level). RISC-V: scause again.
  uint64_t code = 0;
};

struct WalkResult {
  enum class Outcome : uint8_t {
    kTranslated,
    kFault,
    // A table pointer or the root led outside simulated RAM: the machine
    // cannot continue (real hardware would take a machine check or hang).
    kBusError,
  };
  Outcome outcome = Outcome::kFault;
  Translation translation;
  MmuFault fault;
  hal::PhysAddr bus_error_address = 0;
};

enum class WalkEffects : uint8_t {
  kUpdateFlags,  // As the hardware: set A/D bits where the format has them.
  kNone,         // Leave RAM untouched (the stale-TLB check's second look).
};

// Walks the tables under `registers` for `address` and checks `access`
// against the leaf. Sets A/D bits in RAM as described above, unless told not to.
// When the walk translates and `source` is not null, fills it (what the TLB
// keeps beside the entry; apart from the result, which is copied on every
// TLB hit and does not need it).
WalkResult Walk(const Ram& ram, const MmuRegisters& registers, hal::VirtAddr address,
                Access access, WalkEffects effects = WalkEffects::kUpdateFlags,
                WalkSource* source = nullptr);

// True if `registers` and RAM still hold what `source` recorded, so a new
// walk would give the same translation.
inline bool SourceUnchanged(const MmuRegisters& registers, const WalkSource& source) {
  if (source.root != registers.root || source.kernel_root != registers.kernel_root) return false;
  for (uint32_t i = 0; i < source.count; ++i) {
    uint64_t value;
    std::memcpy(&value, source.entries[i], sizeof(value));
    if (value != source.values[i]) return false;
  }
  return true;
}

// Whether `access` may use `t`, per architecture, given the modelled
// configuration above. Inline, with the two below: every TLB hit asks.
inline bool Allowed(const MmuRegisters& registers, const Translation& t, Access access) {
  const bool user = access.privilege == Privilege::kUser;
  const bool fetch = access.kind == AccessKind::kFetch;
  const bool write = access.kind == AccessKind::kWrite;
  switch (registers.format) {
    case hal::PageTableFormat::kX86_64:
      if (user && !t.user) return false;
      // A supervisor fetch from a user page is an SMEP violation, a data
      // access one of SMAP (when enabled).
      if (!user && t.user && (fetch || registers.smap)) return false;
      if (write && !t.writable) return false;  // CR0.WP = 1.
      return !fetch || t.user_executable;
    case hal::PageTableFormat::kAarch64:
      if (fetch) return user ? t.user_executable : t.kernel_executable;
      if (user && !t.user) return false;
      return !write || t.writable;
    case hal::PageTableFormat::kSv39:
    case hal::PageTableFormat::kSv48:
      if (user ? !t.user : t.user && (fetch || !registers.sum)) return false;
      if (fetch) return t.user_executable;
      if (write) return t.writable;
      return t.readable || (registers.mxr && t.user_executable);
  }
  return false;
}

// The fault an access that Allowed refuses reports.
MmuFault PermissionFault(const MmuRegisters& registers, const Translation& translation,
                         hal::VirtAddr address, Access access);

// Checks `access` against an already found (e.g. TLB-cached) translation,
// exactly as the walk's final step does. Returns true and leaves `fault`
// alone when the access is allowed.
inline bool CheckPermissions(const MmuRegisters& registers, const Translation& translation,
                             hal::VirtAddr address, Access access, MmuFault* fault) {
  if (Allowed(registers, translation, access)) return true;
  *fault = PermissionFault(registers, translation, address, access);
  return false;
}

}  // namespace sim

#endif  // VERIDIAN_SIM_MMU_H_
