// RISC-V Sv39 and Sv48 page-table entries (privileged spec, sections
// "Sv39" and "Sv48"): V R W X U G A D in bits 7:0, RSW in 9:8, the PPN in
// 53:10, bits 63:54 zero (no Svpbmt/Svnapot). A valid entry with R, W and X
// all clear points to the next table; any of them set makes it a leaf at any
// level (megapages at level 1, gigapages at level 2).
//
// A and D are set at map time (D only when writable). The spec lets an
// implementation either update them in hardware (Svadu) or raise a page
// fault when A is clear or a store finds D clear; without a fault handler
// that sets them, and with no page reclaim or write-back yet that would use
// them, setting them up front is the only choice that works on both kinds of
// hart. So accessed/dirty report the map-time state on this format.
#ifndef VERIDIAN_SRC_MM_PTE_RISCV_H_
#define VERIDIAN_SRC_MM_PTE_RISCV_H_

#include "src/hal/types.h"
#include "src/mm/pte_format.h"

namespace vos {

// kLevelCount is 3 for Sv39 and 4 for Sv48.
template <int kLevelCount>
struct RiscvPte {
  static constexpr uint64_t kValid = 1ull << 0;
  static constexpr uint64_t kRead = 1ull << 1;
  static constexpr uint64_t kWrite = 1ull << 2;
  static constexpr uint64_t kExecute = 1ull << 3;
  static constexpr uint64_t kUser = 1ull << 4;
  static constexpr uint64_t kGlobal = 1ull << 5;
  static constexpr uint64_t kAccessed = 1ull << 6;
  static constexpr uint64_t kDirty = 1ull << 7;
  static constexpr int kPpnShift = 10;
  static constexpr uint64_t kPpnMask = BitMask(kPpnShift, 44);  // Bits 53:10.

  static constexpr int kLevels = kLevelCount;
  static constexpr int kVirtualBits = kPageShift + kBitsPerLevel * kLevelCount;
  // Canonical: bits 63:kVirtualBits-1 all equal.
  static constexpr uint64_t kLowerHalfEnd = 1ull << (kVirtualBits - 1);
  static constexpr uint64_t kUpperHalfStart = ~uint64_t{0} << (kVirtualBits - 1);
  static constexpr int kPhysicalBits = 56;
  // RSW: reserved for supervisor software in every entry.
  static constexpr int kSoftwareShift = 8;
  static constexpr int kSoftwareBits = 2;
  // A and D are ours (see above): Protect recomputes them.
  static constexpr uint64_t kHardwareAccessedDirty = 0;

  static constexpr bool IsValid(uint64_t entry) { return (entry & kValid) != 0; }
  static constexpr bool IsLeaf(uint64_t entry, int) {
    return (entry & (kRead | kWrite | kExecute)) != 0;
  }
  // Non-leaf entries must keep U, A and D clear; G clear so only leaves
  // decide what is global.
  static constexpr uint64_t TableEntry(hal::PhysAddr table) {
    return ((table >> kPageShift) << kPpnShift) | kValid;
  }
  static constexpr uint64_t LeafEntry(hal::PhysAddr page, int, Perm perms) {
    uint64_t entry = ((page >> kPageShift) << kPpnShift) | kValid | kRead | kAccessed;
    if (HasPerm(perms, Perm::kWrite)) entry |= kWrite | kDirty;
    if (HasPerm(perms, Perm::kExecute)) entry |= kExecute;
    if (HasPerm(perms, Perm::kUser)) entry |= kUser;
    if (HasPerm(perms, Perm::kGlobal)) entry |= kGlobal;
    return entry;
  }
  static constexpr hal::PhysAddr Address(uint64_t entry) {
    return ((entry & kPpnMask) >> kPpnShift) << kPageShift;
  }
  static constexpr Perm Perms(uint64_t entry) {
    Perm perms = Perm::kNone;
    if (entry & kRead) perms |= Perm::kRead;
    if (entry & kWrite) perms |= Perm::kWrite;
    if (entry & kExecute) perms |= Perm::kExecute;
    if (entry & kUser) perms |= Perm::kUser;
    if (entry & kGlobal) perms |= Perm::kGlobal;
    return perms;
  }
  static constexpr bool Accessed(uint64_t entry) { return (entry & kAccessed) != 0; }
  static constexpr bool Dirty(uint64_t entry) { return (entry & kDirty) != 0; }
};

using Sv39Pte = RiscvPte<3>;
using Sv48Pte = RiscvPte<4>;

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PTE_RISCV_H_
