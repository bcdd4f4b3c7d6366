// The page-table walker against hand-built table bytes, per format: page
// sizes, every fault kind with its normalised info and its exact
// architectural code, A/D handling, and each format's special rules.
#include "sim/mmu.h"

#include <memory>

#include "gtest/gtest.h"
#include "sim/ram.h"
#include "tests/sim/test_page_tables.h"

namespace sim {
namespace {

using hal::PageTableFormat;
using sim_testing::Bit;
using sim_testing::TestPageTables;

constexpr Access kRead{AccessKind::kRead, Privilege::kSupervisor};
constexpr Access kWrite{AccessKind::kWrite, Privilege::kSupervisor};
constexpr Access kFetch{AccessKind::kFetch, Privilege::kSupervisor};
constexpr Access kUserRead{AccessKind::kRead, Privilege::kUser};
constexpr Access kUserWrite{AccessKind::kWrite, Privilege::kUser};
constexpr Access kUserFetch{AccessKind::kFetch, Privilege::kUser};

class MmuTest : public ::testing::Test {
 protected:
  void SetUpFormat(PageTableFormat format) {
    auto ram = Ram::Create(1, 16 << 20);
    ASSERT_TRUE(ram.ok()) << ram.status();
    ram_ = *std::move(ram);
    tables_ = std::make_unique<TestPageTables>(*ram_, format);
    registers_.format = format;
    registers_.root = tables_->NewPage();
  }

  WalkResult Walk(hal::VirtAddr address, Access access) {
    return sim::Walk(*ram_, registers_, address, access);
  }
  // Expects a translation of `address` to `physical` with `page_shift`.
  void ExpectTranslates(hal::VirtAddr address, Access access, hal::PhysAddr physical,
                        int page_shift) {
    const WalkResult result = Walk(address, access);
    ASSERT_EQ(result.outcome, WalkResult::Outcome::kTranslated)
        << std::hex << "va " << address << " code " << result.fault.code;
    EXPECT_EQ(result.translation.Physical(address), physical) << std::hex << address;
    EXPECT_EQ(result.translation.page_shift, page_shift);
  }
  // Expects a fault with this exact normalised info and arch report.
  void ExpectFault(hal::VirtAddr address, Access access, bool present, uint32_t vector,
                   uint64_t code) {
    const WalkResult result = Walk(address, access);
    ASSERT_EQ(result.outcome, WalkResult::Outcome::kFault) << std::hex << address;
    EXPECT_EQ(result.fault.info.address, address);
    EXPECT_EQ(result.fault.info.present, present);
    EXPECT_EQ(result.fault.info.write, access.kind == AccessKind::kWrite);
    EXPECT_EQ(result.fault.info.fetch, access.kind == AccessKind::kFetch);
    EXPECT_EQ(result.fault.info.user, access.privilege == Privilege::kUser);
    EXPECT_EQ(result.fault.vector, vector);
    EXPECT_EQ(result.fault.code, code) << std::hex << "got " << result.fault.code
                                       << " want " << code;
  }

  std::unique_ptr<Ram> ram_;
  std::unique_ptr<TestPageTables> tables_;
  MmuRegisters registers_;
};

// --- x86_64 ----------------------------------------------------------------

constexpr uint64_t kX86Present = Bit(0), kX86Writable = Bit(1), kX86User = Bit(2),
                   kX86Accessed = Bit(5), kX86Dirty = Bit(6), kX86Large = Bit(7),
                   kX86Global = Bit(8), kX86NoExecute = Bit(63);
// #PF error code bits.
constexpr uint64_t kPfP = 1, kPfW = 2, kPfU = 4, kPfRsvd = 8, kPfI = 16;

TEST_F(MmuTest, X86TranslatesFourKibTwoMibAndOneGibPages) {
  SetUpFormat(PageTableFormat::kX86_64);
  const uint64_t flags = kX86Present | kX86Writable;
  tables_->Map(registers_.root, 0x7f12'3456'7000, 0, 0x345000 | flags);
  tables_->Map(registers_.root, 0x4000'0000'0000 - 0x20'0000, 1, 0x600000 | flags | kX86Large);
  tables_->Map(registers_.root, 0xffff'ff80'4000'0000, 2, 0x4000'0000 | flags | kX86Large);
  ExpectTranslates(0x7f12'3456'7abc, kRead, 0x345abc, 12);
  ExpectTranslates(0x3fff'ffe1'2345, kRead, 0x612345, 21);
  ExpectTranslates(0xffff'ff80'7654'3210, kWrite, 0x7654'3210, 30);
}

TEST_F(MmuTest, X86SetsAccessedOnEveryLevelAndDirtyOnWrite) {
  SetUpFormat(PageTableFormat::kX86_64);
  const hal::PhysAddr leaf =
      tables_->Map(registers_.root, 0x1000, 0, 0x345000 | kX86Present | kX86Writable);
  ASSERT_EQ(Walk(0x1000, kRead).outcome, WalkResult::Outcome::kTranslated);
  EXPECT_EQ(tables_->Read(leaf) & (kX86Accessed | kX86Dirty), kX86Accessed);
  EXPECT_NE(tables_->Read(registers_.root) & kX86Accessed, 0u);  // PML4E of va 0x1000.
  EXPECT_FALSE(Walk(0x1000, kRead).translation.dirty);
  const WalkResult write = Walk(0x1000, kWrite);
  EXPECT_TRUE(write.translation.dirty);
  EXPECT_EQ(tables_->Read(leaf) & (kX86Accessed | kX86Dirty), kX86Accessed | kX86Dirty);
}

TEST_F(MmuTest, X86FaultsCarryTheErrorCode) {
  SetUpFormat(PageTableFormat::kX86_64);
  const hal::PhysAddr leaf =
      tables_->Map(registers_.root, 0x40'0000, 0, 0x345000 | kX86Present);  // Read-only.
  tables_->Map(registers_.root, 0x40'1000, 0,
               0x346000 | kX86Present | kX86Writable | kX86User | kX86NoExecute);
  // Not present (the PT slot next to the mapped one, and a missing PML4E).
  ExpectFault(0x40'2000, kUserWrite, false, 14, kPfW | kPfU);
  ExpectFault(0x8000'0000'0000 - 0x1000, kRead, false, 14, 0);
  ExpectFault(0x40'2000, kFetch, false, 14, kPfI);
  // Protection: user access to a supervisor page; write to read-only with WP.
  ExpectFault(0x40'0000, kUserRead, true, 14, kPfP | kPfU);
  ExpectFault(0x40'0000, kWrite, true, 14, kPfP | kPfW);
  // NX (EFER.NXE on): fetch from an XD page sets I/D.
  ExpectFault(0x40'1000, kUserFetch, true, 14, kPfP | kPfU | kPfI);
  // SMEP and SMAP: supervisor fetch or data access to a user page.
  ExpectFault(0x40'1000, kFetch, true, 14, kPfP | kPfI);
  ExpectFault(0x40'1000, kRead, true, 14, kPfP);
  // The faults set no accessed bit.
  EXPECT_EQ(tables_->Read(leaf) & kX86Accessed, 0u);
  // Supervisor fetch of an executable supervisor page works.
  ExpectTranslates(0x40'0123, kFetch, 0x345123, 12);
}

TEST_F(MmuTest, X86ReservedBitsAndNonCanonicalAddresses) {
  SetUpFormat(PageTableFormat::kX86_64);
  // A frame address above MAXPHYADDR (40 bits).
  tables_->Map(registers_.root, 0x1000, 0, Bit(45) | kX86Present | kX86User);
  ExpectFault(0x1000, kUserRead, true, 14, kPfP | kPfU | kPfRsvd);
  // PS in a PML4E is reserved.
  const hal::PhysAddr pml4e = TestPageTables::Slot(registers_.root, 0x1000'0000'0000, 3);
  tables_->Write(pml4e, 0x500000 | kX86Present | kX86Large);
  ExpectFault(0x1000'0000'0000, kRead, true, 14, kPfP | kPfRsvd);
  // Bits 20:13 of a 2 MiB leaf are reserved.
  tables_->Map(registers_.root, 0x20'0000'0000, 1, 0x600000 | Bit(13) | kX86Present | kX86Large);
  ExpectFault(0x20'0000'0000, kRead, true, 14, kPfP | kPfRsvd);
  // Bits 62:52 are ignored.
  tables_->Map(registers_.root, 0x3000, 0, 0x345000 | Bit(55) | kX86Present);
  ExpectTranslates(0x3000, kRead, 0x345000, 12);
  // Non-canonical: #GP, not #PF.
  const WalkResult result = Walk(0x0000'8000'0000'0000, kRead);
  ASSERT_EQ(result.outcome, WalkResult::Outcome::kFault);
  EXPECT_EQ(result.fault.vector, 13u);
}

TEST_F(MmuTest, X86PermissionsCombineOverLevelsAndGlobalComesFromTheLeaf) {
  SetUpFormat(PageTableFormat::kX86_64);
  tables_->Map(registers_.root, 0x1000, 0,
               0x345000 | kX86Present | kX86Writable | kX86User | kX86Global);
  // Clear RW in the PDE: the whole 2 MiB below becomes read-only.
  const hal::PhysAddr pml4e = TestPageTables::Slot(registers_.root, 0x1000, 3);
  const hal::PhysAddr pdpte = TestPageTables::Slot(tables_->Read(pml4e) & ~0xfffull, 0x1000, 2);
  const hal::PhysAddr pde = TestPageTables::Slot(tables_->Read(pdpte) & ~0xfffull, 0x1000, 1);
  tables_->Write(pde, tables_->Read(pde) & ~kX86Writable);
  ExpectFault(0x1000, kUserWrite, true, 14, kPfP | kPfW | kPfU);
  const WalkResult read = Walk(0x1000, kUserRead);
  ASSERT_EQ(read.outcome, WalkResult::Outcome::kTranslated);
  EXPECT_TRUE(read.translation.global);
  EXPECT_FALSE(read.translation.writable);
}

// --- AArch64 ---------------------------------------------------------------

constexpr uint64_t kArmPage = 0x3, kArmBlock = 0x1, kArmApUser = Bit(6),
                   kArmApReadOnly = Bit(7), kArmAccessFlag = Bit(10), kArmNotGlobal = Bit(11),
                   kArmPxn = Bit(53), kArmUxn = Bit(54);
constexpr uint64_t kIl = Bit(25), kWnR = Bit(6);
constexpr uint64_t Esr(uint64_t ec, uint64_t fsc, bool write = false) {
  return ec << 26 | kIl | (write ? kWnR : 0) | fsc;
}

TEST_F(MmuTest, Aarch64TranslatesPagesAndBlocksThroughBothHalves) {
  SetUpFormat(PageTableFormat::kAarch64);
  registers_.kernel_root = tables_->NewPage();
  const uint64_t attrs = kArmAccessFlag;
  tables_->Map(registers_.root, 0x7f12'3456'7000, 0, 0x345000 | attrs | kArmPage);
  tables_->Map(registers_.root, 0x40'0000, 1, 0x600000 | attrs | kArmBlock);
  tables_->Map(registers_.root, 0x80'0000'0000, 2, 0x4000'0000 | attrs | kArmBlock);
  tables_->Map(registers_.kernel_root, 0xffff'0000'1234'5000, 0, 0x789000 | attrs | kArmPage);
  ExpectTranslates(0x7f12'3456'7abc, kRead, 0x345abc, 12);
  ExpectTranslates(0x41'2345, kWrite, 0x612345, 21);
  ExpectTranslates(0x80'1234'5678, kRead, 0x5234'5678, 30);
  ExpectTranslates(0xffff'0000'1234'5678, kRead, 0x789678, 12);
  // The same low bits in the upper half do not reach TTBR0's tables.
  ExpectFault(0xffff'7f12'3456'7000, kRead, false, 0x25, Esr(0x25, 0x04));
  // Neither all zeros nor all ones in VA[63:48]: translation fault, level 0.
  ExpectFault(0x0001'0000'0000'0000, kRead, false, 0x25, Esr(0x25, 0x04));
  ExpectFault(0x8000'0000'0000'0000, kUserWrite, false, 0x24, Esr(0x24, 0x04, true));
}

TEST_F(MmuTest, Aarch64TranslationFaultsReportTheLevel) {
  SetUpFormat(PageTableFormat::kAarch64);
  tables_->Map(registers_.root, 0x1000, 0, 0x345000 | kArmAccessFlag | kArmPage);
  ExpectFault(0x8000'0000'0000, kRead, false, 0x25, Esr(0x25, 0x04));  // L0 empty.
  ExpectFault(0x4000'0000, kRead, false, 0x25, Esr(0x25, 0x05));               // L1 empty.
  ExpectFault(0x20'0000, kRead, false, 0x25, Esr(0x25, 0x06));                 // L2 empty.
  ExpectFault(0x2000, kUserFetch, false, 0x20, Esr(0x20, 0x07));               // L3 empty.
  // A block descriptor at level 3 is reserved; at level 0 it does not exist.
  tables_->Map(registers_.root, 0x3000, 0, 0x345000 | kArmAccessFlag | kArmBlock);
  ExpectFault(0x3000, kRead, false, 0x25, Esr(0x25, 0x07));
  tables_->Write(TestPageTables::Slot(registers_.root, 0x100'0000'0000, 3),
                 kArmAccessFlag | kArmBlock);
  ExpectFault(0x100'0000'0000, kRead, false, 0x25, Esr(0x25, 0x04));
  // An output address above 48 bits: address size fault at the leaf's level.
  tables_->Map(registers_.root, 0x4000, 0, Bit(49) | 0x345000 | kArmAccessFlag | kArmPage);
  ExpectFault(0x4000, kRead, false, 0x25, Esr(0x25, 0x03));
}

TEST_F(MmuTest, Aarch64AccessFlagFaultAndNoHardwareUpdate) {
  SetUpFormat(PageTableFormat::kAarch64);
  const uint64_t descriptor = 0x345000 | kArmApUser | kArmPage;  // AF = 0.
  const hal::PhysAddr leaf = tables_->Map(registers_.root, 0x1000, 0, descriptor);
  tables_->Map(registers_.root, 0x40'0000, 1, 0x400000 | kArmBlock);
  ExpectFault(0x1000, kUserRead, true, 0x24, Esr(0x24, 0x0b));
  ExpectFault(0x1000, kWrite, true, 0x25, Esr(0x25, 0x0b, true));
  ExpectFault(0x40'0000, kRead, true, 0x25, Esr(0x25, 0x0a));  // Level-2 block.
  EXPECT_EQ(tables_->Read(leaf), descriptor);
  tables_->Write(leaf, descriptor | kArmAccessFlag);
  ExpectTranslates(0x1000, kUserWrite, 0x345000, 12);
  EXPECT_EQ(tables_->Read(leaf), descriptor | kArmAccessFlag);  // No DBM: nothing written.
}

TEST_F(MmuTest, Aarch64AccessPermissionsAndExecuteNever) {
  SetUpFormat(PageTableFormat::kAarch64);
  const uint64_t attrs = kArmAccessFlag | kArmPage;
  tables_->Map(registers_.root, 0x1000, 0, 0x301000 | attrs);                   // AP=00.
  tables_->Map(registers_.root, 0x2000, 0, 0x302000 | attrs | kArmApReadOnly);  // AP=10.
  tables_->Map(registers_.root, 0x3000, 0, 0x303000 | attrs | kArmApUser);      // AP=01.
  tables_->Map(registers_.root, 0x4000, 0,
               0x304000 | attrs | kArmApUser | kArmApReadOnly | kArmUxn);       // AP=11.
  tables_->Map(registers_.root, 0x5000, 0, 0x305000 | attrs | kArmPxn);
  // EL1-only page: EL0 data access is a permission fault at level 3.
  ExpectTranslates(0x1000, kWrite, 0x301000, 12);
  ExpectFault(0x1000, kUserRead, true, 0x24, Esr(0x24, 0x0f));
  // Read-only at every EL.
  ExpectFault(0x2000, kWrite, true, 0x25, Esr(0x25, 0x0f, true));
  ExpectFault(0x4000, kUserWrite, true, 0x24, Esr(0x24, 0x0f, true));
  ExpectTranslates(0x4000, kUserRead, 0x304000, 12);
  // UXN stops EL0 fetches; PXN stops EL1 fetches; EL0-writable means PXN.
  ExpectFault(0x4000, kUserFetch, true, 0x20, Esr(0x20, 0x0f));
  ExpectTranslates(0x4000, kFetch, 0x304000, 12);
  ExpectFault(0x5000, kFetch, true, 0x21, Esr(0x21, 0x0f));
  ExpectTranslates(0x3000, kUserFetch, 0x303000, 12);
  ExpectFault(0x3000, kFetch, true, 0x21, Esr(0x21, 0x0f));
  // PAN is off: EL1 may read and write EL0 pages.
  ExpectTranslates(0x3000, kWrite, 0x303000, 12);
}

TEST_F(MmuTest, Aarch64HierarchicalTableBitsAndNotGlobal) {
  SetUpFormat(PageTableFormat::kAarch64);
  const uint64_t attrs = kArmAccessFlag | kArmPage | kArmApUser;
  tables_->Map(registers_.root, 0x1000, 0, 0x301000 | attrs | kArmNotGlobal);
  tables_->Map(registers_.root, 0x4000'1000, 0, 0x302000 | attrs);
  EXPECT_FALSE(Walk(0x1000, kRead).translation.global);
  EXPECT_TRUE(Walk(0x4000'1000, kRead).translation.global);
  // APTable[1] (no writes) and UXNTable in the L1 entry covering 0x4000'0000.
  const hal::PhysAddr l0 = TestPageTables::Slot(registers_.root, 0x4000'0000, 3);
  const hal::PhysAddr l1 = TestPageTables::Slot(tables_->Read(l0) & 0xffff'ffff'f000, 0x4000'0000, 2);
  tables_->Write(l1, tables_->Read(l1) | Bit(62) | Bit(60));
  ExpectFault(0x4000'1000, kUserWrite, true, 0x24, Esr(0x24, 0x0f, true));
  ExpectFault(0x4000'1000, kUserFetch, true, 0x20, Esr(0x20, 0x0f));
  ExpectTranslates(0x1000, kUserWrite, 0x301000, 12);  // The other L1 entry is unaffected.
  // APTable[0]: no EL0 access below.
  tables_->Write(l1, tables_->Read(l1) | Bit(61));
  ExpectFault(0x4000'1000, kUserRead, true, 0x24, Esr(0x24, 0x0f));
}

// --- RISC-V ----------------------------------------------------------------

constexpr uint64_t kRvV = Bit(0), kRvR = Bit(1), kRvW = Bit(2), kRvX = Bit(3), kRvU = Bit(4),
                   kRvG = Bit(5), kRvA = Bit(6), kRvD = Bit(7);
constexpr uint64_t RvLeaf(hal::PhysAddr frame, uint64_t flags) {
  return (frame >> 12) << 10 | flags | kRvV;
}

TEST_F(MmuTest, Sv39TranslatesAllPageSizesAndChecksSignExtension) {
  SetUpFormat(PageTableFormat::kSv39);
  tables_->Map(registers_.root, 0x12'3456'7000, 0, RvLeaf(0x345000, kRvR | kRvW));
  tables_->Map(registers_.root, 0x40'0000, 1, RvLeaf(0x600000, kRvR));
  tables_->Map(registers_.root, 0xffff'ffc0'0000'0000, 2, RvLeaf(0x4000'0000, kRvR | kRvW));
  ExpectTranslates(0x12'3456'7abc, kRead, 0x345abc, 12);
  ExpectTranslates(0x41'2345, kRead, 0x612345, 21);
  ExpectTranslates(0xffff'ffc0'1234'5678, kWrite, 0x1234'5678 + 0x4000'0000, 30);
  // Bit 38 set without bits 63:39: not a valid Sv39 address.
  ExpectFault(0x40'0000'0000, kRead, false, 13, 13);
  ExpectFault(0x40'0000'0000, kWrite, false, 15, 15);
  ExpectFault(0x40'0000'0000, kFetch, false, 12, 12);
}

TEST_F(MmuTest, Sv48WalksFourLevels) {
  SetUpFormat(PageTableFormat::kSv48);
  tables_->Map(registers_.root, 0x7f12'3456'7000, 0, RvLeaf(0x345000, kRvR | kRvU));
  tables_->Map(registers_.root, 0xffff'8000'4000'0000, 2, RvLeaf(0x4000'0000, kRvR | kRvX));
  ExpectTranslates(0x7f12'3456'7abc, kUserRead, 0x345abc, 12);
  ExpectTranslates(0xffff'8000'4000'1234, kFetch, 0x4000'1234, 30);
  ExpectFault(0x8000'0000'0000, kRead, false, 13, 13);  // Sv39-valid shape, not Sv48.
}

TEST_F(MmuTest, RiscvSetsAccessedAndDirtyAfterTheCheck) {
  SetUpFormat(PageTableFormat::kSv39);
  const hal::PhysAddr leaf = tables_->Map(registers_.root, 0x1000, 0, RvLeaf(0x345000, kRvR));
  ExpectFault(0x1000, kWrite, true, 15, 15);
  EXPECT_EQ(tables_->Read(leaf) & (kRvA | kRvD), 0u);
  ExpectTranslates(0x1000, kRead, 0x345000, 12);
  EXPECT_EQ(tables_->Read(leaf) & (kRvA | kRvD), kRvA);
  tables_->Write(leaf, tables_->Read(leaf) | kRvW);
  EXPECT_FALSE(Walk(0x1000, kRead).translation.dirty);
  EXPECT_TRUE(Walk(0x1000, kWrite).translation.dirty);
  EXPECT_EQ(tables_->Read(leaf) & (kRvA | kRvD), kRvA | kRvD);
}

TEST_F(MmuTest, RiscvMalformedEntriesFault) {
  SetUpFormat(PageTableFormat::kSv39);
  tables_->Map(registers_.root, 0x1000, 0, RvLeaf(0x345000, kRvW));  // W without R.
  ExpectFault(0x1000, kRead, false, 13, 13);
  tables_->Map(registers_.root, 0x2000, 0, RvLeaf(0x345000, kRvR) | Bit(60));  // Reserved.
  ExpectFault(0x2000, kRead, false, 13, 13);
  tables_->Map(registers_.root, 0x3000, 0, 0x345000 >> 2 | kRvR);  // V = 0.
  ExpectFault(0x3000, kWrite, false, 15, 15);
  tables_->Map(registers_.root, 0x4000, 0, RvLeaf(0x345000, 0));  // Pointer at level 0.
  ExpectFault(0x4000, kRead, false, 13, 13);
  // A 2 MiB leaf whose frame is only 4 KiB aligned.
  tables_->Map(registers_.root, 0x1'0000'0000, 1, RvLeaf(0x601000, kRvR | kRvX));
  ExpectFault(0x1'0000'0000, kFetch, false, 12, 12);
}

TEST_F(MmuTest, RiscvUserPagesSumAndMxr) {
  SetUpFormat(PageTableFormat::kSv39);
  tables_->Map(registers_.root, 0x1000, 0, RvLeaf(0x301000, kRvR | kRvW | kRvX | kRvU));
  tables_->Map(registers_.root, 0x2000, 0, RvLeaf(0x302000, kRvX | kRvU));  // Execute-only.
  tables_->Map(registers_.root, 0x3000, 0, RvLeaf(0x303000, kRvR | kRvW | kRvG));
  // U-mode: its own pages only.
  ExpectTranslates(0x1000, kUserWrite, 0x301000, 12);
  ExpectFault(0x3000, kUserRead, true, 13, 13);
  // S-mode: user pages only with SUM, and never executable.
  ExpectFault(0x1000, kRead, true, 13, 13);
  registers_.sum = true;
  ExpectTranslates(0x1000, kWrite, 0x301000, 12);
  ExpectFault(0x1000, kFetch, true, 12, 12);
  // MXR makes execute-only pages readable.
  ExpectFault(0x2000, kUserRead, true, 13, 13);
  ExpectTranslates(0x2000, kUserFetch, 0x302000, 12);
  registers_.mxr = true;
  ExpectTranslates(0x2000, kUserRead, 0x302000, 12);
  ExpectFault(0x2000, kUserWrite, true, 15, 15);
  EXPECT_TRUE(Walk(0x3000, kRead).translation.global);
  EXPECT_FALSE(Walk(0x1000, kRead).translation.global);
}

TEST_F(MmuTest, TablePointingOutsideRamIsABusError) {
  SetUpFormat(PageTableFormat::kX86_64);
  tables_->Write(TestPageTables::Slot(registers_.root, 0x1000, 3), (1ull << 36) | kX86Present);
  const WalkResult result = Walk(0x1000, kRead);
  EXPECT_EQ(result.outcome, WalkResult::Outcome::kBusError);
  EXPECT_EQ(result.bus_error_address, 1ull << 36);
}

}  // namespace
}  // namespace sim
