// AArch64 VMSAv8-64 stage 1 descriptors, 4 KiB granule, 48-bit VA and OA,
// 4 levels (Arm ARM DDI 0487, D8.3 "Translation table descriptor formats").
// Bits 1:0 are 0b11 for a table (levels 3..1) or a page (level 0) and 0b01
// for a block (2 MiB at level 1, 1 GiB at level 2 in this file's numbering,
// which is the Arm ARM's level 2 and 1).
//
// Leaves are normal memory: AttrIndx selects MAIR_EL1 attribute
// kMairNormalIndex, which the backend programs as kMairNormalAttr, and
// inner shareable. AF is set at map time: we do not enable hardware Access
// flag management (TCR_EL1.HA), and a clear AF would fault on first access.
// There is no dirty bit without FEAT_HAFDBS (DBM), so Query reports dirty as
// false on this format.
#ifndef VERIDIAN_SRC_MM_PTE_AARCH64_H_
#define VERIDIAN_SRC_MM_PTE_AARCH64_H_

#include "src/hal/types.h"
#include "src/mm/pte_format.h"

namespace vos {

struct Aarch64Pte {
  static constexpr uint64_t kValid = 1ull << 0;
  static constexpr uint64_t kTableOrPage = 1ull << 1;  // Clear: a block.
  static constexpr int kAttrIndxShift = 2;             // Bits 4:2.
  static constexpr uint64_t kApUser = 1ull << 6;       // AP[1]: EL0 access.
  static constexpr uint64_t kApReadOnly = 1ull << 7;   // AP[2].
  static constexpr uint64_t kInnerShareable = 3ull << 8;  // SH = 0b11.
  static constexpr uint64_t kAccessFlag = 1ull << 10;
  static constexpr uint64_t kNotGlobal = 1ull << 11;   // nG.
  static constexpr uint64_t kPrivilegedNoExecute = 1ull << 53;  // PXN.
  static constexpr uint64_t kUserNoExecute = 1ull << 54;        // UXN.
  static constexpr uint64_t kAddressMask = BitMask(12, 36);      // Bits 47:12.

  static constexpr uint64_t kMairNormalIndex = 0;
  // Normal memory, inner and outer write-back, read- and write-allocate.
  static constexpr uint64_t kMairNormalAttr = 0xff;

  static constexpr int kLevels = 4;
  // TTBR0 covers [0, 2^48), TTBR1 [2^64 - 2^48, 2^64) (T0SZ = T1SZ = 16).
  static constexpr uint64_t kLowerHalfEnd = 1ull << 48;
  static constexpr uint64_t kUpperHalfStart = ~uint64_t{0} << 48;
  static constexpr int kPhysicalBits = 48;
  // Bits 58:55 are reserved for software in block and page descriptors and
  // ignored in table descriptors (58:52).
  static constexpr int kSoftwareShift = 55;
  static constexpr int kSoftwareBits = 4;
  // Without FEAT_HAFDBS the hardware never writes descriptors.
  static constexpr uint64_t kHardwareAccessedDirty = 0;

  static constexpr bool IsValid(uint64_t entry) { return (entry & kValid) != 0; }
  static constexpr bool IsLeaf(uint64_t entry, int level) {
    return level == 0 || (entry & kTableOrPage) == 0;
  }
  // No hierarchical restriction (APTable, XNTable, PXNTable all 0).
  static constexpr uint64_t TableEntry(hal::PhysAddr table) {
    return table | kValid | kTableOrPage;
  }
  // AP[2:1]: 00 EL1 RW, 01 EL1+EL0 RW, 10 EL1 RO, 11 EL1+EL0 RO. The kernel
  // never executes user pages (PXN always set on them, as the architecture
  // implies for EL0-writable ones); user code never executes kernel pages.
  static constexpr uint64_t LeafEntry(hal::PhysAddr page, int level, Perm perms) {
    uint64_t entry = page | kValid | (level == 0 ? kTableOrPage : 0) |
                     (kMairNormalIndex << kAttrIndxShift) | kInnerShareable | kAccessFlag;
    const bool user = HasPerm(perms, Perm::kUser);
    const bool execute = HasPerm(perms, Perm::kExecute);
    if (user) entry |= kApUser;
    if (!HasPerm(perms, Perm::kWrite)) entry |= kApReadOnly;
    if (!HasPerm(perms, Perm::kGlobal)) entry |= kNotGlobal;
    if (user) {
      entry |= kPrivilegedNoExecute | (execute ? 0 : kUserNoExecute);
    } else {
      entry |= kUserNoExecute | (execute ? 0 : kPrivilegedNoExecute);
    }
    return entry;
  }
  static constexpr hal::PhysAddr Address(uint64_t entry) { return entry & kAddressMask; }
  static constexpr Perm Perms(uint64_t entry) {
    Perm perms = Perm::kRead;
    const bool user = (entry & kApUser) != 0;
    if (!(entry & kApReadOnly)) perms |= Perm::kWrite;
    if (user) perms |= Perm::kUser;
    if (!(entry & (user ? kUserNoExecute : kPrivilegedNoExecute))) perms |= Perm::kExecute;
    if (!(entry & kNotGlobal)) perms |= Perm::kGlobal;
    return perms;
  }
  static constexpr bool Accessed(uint64_t entry) { return (entry & kAccessFlag) != 0; }
  static constexpr bool Dirty(uint64_t) { return false; }
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PTE_AARCH64_H_
