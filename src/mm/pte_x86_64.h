// x86_64 4-level paging entries (Intel SDM vol. 3A, section 4.5, tables
// 4-14 to 4-20). One layout for every level: PS (bit 7) marks a 2 MiB or
// 1 GiB leaf in a PDE or PDPTE; in a level-0 PTE bit 7 is PAT, left 0
// (write-back). Needs EFER.NXE for bit 63 and CPUID PDPE1GB for 1 GiB pages.
#ifndef VERIDIAN_SRC_MM_PTE_X86_64_H_
#define VERIDIAN_SRC_MM_PTE_X86_64_H_

#include "src/hal/types.h"
#include "src/mm/pte_format.h"

namespace vos {

struct X86_64Pte {
  static constexpr uint64_t kPresent = 1ull << 0;
  static constexpr uint64_t kWritable = 1ull << 1;
  static constexpr uint64_t kUser = 1ull << 2;
  static constexpr uint64_t kAccessed = 1ull << 5;
  static constexpr uint64_t kDirty = 1ull << 6;
  static constexpr uint64_t kHuge = 1ull << 7;  // PS.
  static constexpr uint64_t kGlobal = 1ull << 8;
  static constexpr uint64_t kNoExecute = 1ull << 63;
  static constexpr uint64_t kAddressMask = BitMask(12, 40);  // Bits 51:12.

  static constexpr int kLevels = 4;
  // Canonical: bits 63:47 all equal.
  static constexpr uint64_t kLowerHalfEnd = 1ull << 47;
  static constexpr uint64_t kUpperHalfStart = ~uint64_t{0} << 47;
  static constexpr int kPhysicalBits = 52;
  // Bits 58:52 are ignored by the walker in every entry (59-62 are the
  // protection key of leaves under CR4.PKE, so they stay clear).
  static constexpr int kSoftwareShift = 52;
  static constexpr int kSoftwareBits = 7;
  // The walker sets A and D itself (with a locked update), so Protect keeps
  // them and ClearAccessedDirty is meaningful.
  static constexpr uint64_t kHardwareAccessedDirty = kAccessed | kDirty;

  static constexpr bool IsValid(uint64_t entry) { return (entry & kPresent) != 0; }
  static constexpr bool IsLeaf(uint64_t entry, int level) {
    return level == 0 || (entry & kHuge) != 0;
  }
  // Intermediate entries grant everything; the leaf decides. A is preset so
  // the walker never has to write a table entry.
  static constexpr uint64_t TableEntry(hal::PhysAddr table) {
    return table | kPresent | kWritable | kUser | kAccessed;
  }
  static constexpr uint64_t LeafEntry(hal::PhysAddr page, int level, Perm perms) {
    uint64_t entry = page | kPresent;
    if (level > 0) entry |= kHuge;
    if (HasPerm(perms, Perm::kWrite)) entry |= kWritable;
    if (HasPerm(perms, Perm::kUser)) entry |= kUser;
    if (HasPerm(perms, Perm::kGlobal)) entry |= kGlobal;
    if (!HasPerm(perms, Perm::kExecute)) entry |= kNoExecute;
    return entry;
  }
  // For a huge leaf the low address bits hold PAT (bit 12); callers align.
  static constexpr hal::PhysAddr Address(uint64_t entry) { return entry & kAddressMask; }
  static constexpr Perm Perms(uint64_t entry) {
    Perm perms = Perm::kRead;
    if (entry & kWritable) perms |= Perm::kWrite;
    if (!(entry & kNoExecute)) perms |= Perm::kExecute;
    if (entry & kUser) perms |= Perm::kUser;
    if (entry & kGlobal) perms |= Perm::kGlobal;
    return perms;
  }
  static constexpr bool Accessed(uint64_t entry) { return (entry & kAccessed) != 0; }
  static constexpr bool Dirty(uint64_t entry) { return (entry & kDirty) != 0; }
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PTE_X86_64_H_
