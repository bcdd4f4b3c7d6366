// The reference against the architecture manuals: hand-written table bytes
// per format, and what each manual says the CPU does with them.
#include "tests/mm/unicorn_reference.h"

#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "gtest/gtest.h"

namespace testing_support {
namespace {

using hal::PageTableFormat;

}  // namespace

void PrintTo(ReferenceFault fault, std::ostream* os) { *os << ReferenceFaultName(fault); }

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kNodeBytes = 8 * kMiB;

// Guest RAM as two separately mapped nodes, like the simulator's NUMA RAM.
class GuestRam {
 public:
  GuestRam() {
    for (int node = 0; node < 2; ++node) {
      void* host = mmap(nullptr, kNodeBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      segments_.push_back({node * kNodeBytes, host, kNodeBytes});
    }
  }
  ~GuestRam() {
    for (const RamSegment& segment : segments_) munmap(segment.host, segment.bytes);
  }
  const std::vector<RamSegment>& segments() const { return segments_; }
  uint64_t* At(hal::PhysAddr address) {
    const RamSegment& segment = segments_[address / kNodeBytes];
    return reinterpret_cast<uint64_t*>(static_cast<char*>(segment.host) +
                                       (address - segment.physical_base));
  }
  void Set(hal::PhysAddr table, size_t index, uint64_t entry) { At(table)[index] = entry; }

 private:
  std::vector<RamSegment> segments_;
};

std::unique_ptr<UnicornReference> MakeReference(PageTableFormat format, const GuestRam& ram) {
  auto reference = UnicornReference::Create(format, ram.segments());
  EXPECT_TRUE(reference.ok()) << reference.status();
  return reference.ok() ? *std::move(reference) : nullptr;
}

ReferenceQuery Read(uint64_t va, Privilege privilege = Privilege::kSupervisor) {
  return {va, Access::kRead, privilege};
}
ReferenceQuery Write(uint64_t va, Privilege privilege = Privilege::kSupervisor) {
  return {va, Access::kWrite, privilege};
}
ReferenceQuery Fetch(uint64_t va, Privilege privilege = Privilege::kSupervisor) {
  return {va, Access::kExecute, privilege};
}

constexpr Privilege kUser = Privilege::kUser;

// Prints the query rate over a mapped page (not asserted); `physical` is
// the page's frame, passed as the hint.
void ReportRate(UnicornReference& reference, const TranslationRoots& roots, uint64_t va,
                hal::PhysAddr physical) {
  constexpr int kQueries = 20'000;
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < kQueries; ++i) {
    const uint64_t offset = (i % 512) * 8;
    const ReferenceOutcome outcome = reference.Query(
        roots, {va + offset, i % 3 == 0 ? Access::kWrite : Access::kRead, Privilege::kSupervisor,
                physical + offset});
    ASSERT_FALSE(outcome.faulted());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("%s: %.0f queries/s\n", hal::PageTableFormatName(reference.format()),
              kQueries / seconds);
}

// ---------------------------------------------------------------- AArch64 --
// VMSAv8-64 stage 1, 4 KiB granule. Descriptor bits: [1:0] 11 table/page,
// 01 block; AttrIndx [4:2]; AP[2:1] at [7:6]; AF 10; PXN 53; UXN 54.
namespace a64 {
constexpr uint64_t kTable = 3, kPage = 3, kBlock = 1;
constexpr uint64_t kAf = 1 << 10;
constexpr uint64_t kApEl1Rw = 0 << 6, kApBothRw = 1 << 6, kApEl1Ro = 2 << 6, kApBothRo = 3 << 6;
constexpr uint64_t kPxn = uint64_t{1} << 53, kUxn = uint64_t{1} << 54;
constexpr hal::PhysAddr kL0 = 0x1000, kL1 = 0x2000, kL2 = 0x3000, kL3 = 0x4000;
constexpr hal::PhysAddr kUpperL0 = 0x5000, kUpperL1 = 0x6000;
constexpr uint64_t kBase = 0x4000'0000;  // L0[0] L1[1] L2[0] L3[i].

TranslationRoots Build(GuestRam& ram) {
  ram.Set(kL0, 0, kL1 | kTable);
  ram.Set(kL1, 1, kL2 | kTable);
  ram.Set(kL2, 0, kL3 | kTable);
  ram.Set(kL3, 0, 0x20'0000 | kPage | kAf | kApEl1Rw | kUxn);
  ram.Set(kL3, 1, 0x20'1000 | kPage | kAf | kApEl1Ro);
  ram.Set(kL3, 2, 0x20'2000 | kPage | kApEl1Rw);  // AF clear.
  ram.Set(kL3, 3, 0x20'3000 | kPage | kAf | kApBothRw | kPxn);
  ram.Set(kL3, 4, 0x20'4000 | kPage | kAf | kApBothRo | kUxn | kPxn);
  // L3[5] stays invalid.
  ram.Set(kL2, 1, 0x40'0000 | kBlock | kAf | kApEl1Rw);                   // 2 MiB.
  ram.Set(kL1, 2, 0xc000'0000 | kBlock | kAf | kApEl1Rw);                 // 1 GiB.
  ram.Set(kUpperL0, 511, kUpperL1 | kTable);                             // TTBR1 half.
  ram.Set(kUpperL1, 511, 0x4000'0000 | kBlock | kAf | kApEl1Rw | kUxn);  // Top GiB.
  return {kL0, kUpperL0};
}
}  // namespace a64

void ExpectPhysical(const ReferenceOutcome& outcome, hal::PhysAddr physical) {
  EXPECT_EQ(outcome.fault, ReferenceFault::kNone) << outcome.raw;
  ASSERT_TRUE(outcome.physical.has_value());
  EXPECT_EQ(*outcome.physical, physical);
}

void ExpectFault(const ReferenceOutcome& outcome, ReferenceFault fault, int level) {
  EXPECT_EQ(outcome.fault, fault) << outcome.raw;
  EXPECT_EQ(outcome.level, level);
}

TEST(UnicornReferenceAarch64, TranslatesPagesBlocksAndBothHalves) {
  GuestRam ram;
  const TranslationRoots roots = a64::Build(ram);
  auto reference = MakeReference(PageTableFormat::kAarch64, ram);
  ASSERT_NE(reference, nullptr);
  ExpectPhysical(reference->Query(roots, Read(a64::kBase + 0x123)), 0x20'0123);
  ExpectPhysical(reference->Query(roots, Write(a64::kBase + 0x8)), 0x20'0008);
  ExpectPhysical(reference->Query(roots, Read(0x4020'1234)), 0x40'1234);
  ExpectPhysical(reference->Query(roots, Read(0x8000'5678)), 0xc000'5678);
  ExpectPhysical(reference->Query(roots, Read(0xffff'ffff'c000'1008)), 0x4000'1008);
}

TEST(UnicornReferenceAarch64, ReportsFaultKindAndLevel) {
  GuestRam ram;
  const TranslationRoots roots = a64::Build(ram);
  auto reference = MakeReference(PageTableFormat::kAarch64, ram);
  ASSERT_NE(reference, nullptr);
  // Invalid leaf, invalid L0 entry, non-canonical (bits 63:48 mixed).
  ExpectFault(reference->Query(roots, Read(a64::kBase + 0x5000)), ReferenceFault::kTranslation, 3);
  ExpectFault(reference->Query(roots, Read(0x0000'4000'0000'0000)), ReferenceFault::kTranslation, 0);
  EXPECT_TRUE(reference->Query(roots, Read(0x0010'0000'0000'0000)).faulted());
  // AF = 0: the hardware does not set it (no FEAT_HAFDBS), it faults.
  ExpectFault(reference->Query(roots, Read(a64::kBase + 0x2000)), ReferenceFault::kAccessFlag, 3);
  // EL1-only page from EL0; read-only page written; EL0-read-only written by EL0.
  ExpectFault(reference->Query(roots, Read(a64::kBase, kUser)), ReferenceFault::kPermission, 3);
  ExpectFault(reference->Query(roots, Write(a64::kBase + 0x1000)), ReferenceFault::kPermission, 3);
  ExpectFault(reference->Query(roots, Write(a64::kBase + 0x4000, kUser)),
              ReferenceFault::kPermission, 3);
  ExpectPhysical(reference->Query(roots, Read(a64::kBase + 0x4000, kUser)), 0x20'4000);
  ExpectPhysical(reference->Query(roots, Write(a64::kBase + 0x3010, kUser)), 0x20'3010);
  // PAR_EL1.FST holds the raw code: permission fault, level 3 = 0b001111.
  EXPECT_EQ(reference->Query(roots, Write(a64::kBase + 0x1000)).raw >> 1 & 0x3f, 0x0fu);
}

TEST(UnicornReferenceAarch64, ChecksExecuteNever) {
  GuestRam ram;
  const TranslationRoots roots = a64::Build(ram);
  auto reference = MakeReference(PageTableFormat::kAarch64, ram);
  ASSERT_NE(reference, nullptr);
  // A fetch's permission fault has no level: the instruction abort's ESR is
  // not readable from Unicorn's interrupt hook.
  ExpectPhysical(reference->Query(roots, Fetch(a64::kBase + 0x40)), 0x20'0040);       // UXN only.
  ExpectFault(reference->Query(roots, Fetch(a64::kBase + 0x40, kUser)),              // UXN.
              ReferenceFault::kPermission, -1);
  ExpectFault(reference->Query(roots, Fetch(a64::kBase + 0x3000)),                   // PXN.
              ReferenceFault::kPermission, -1);
  ExpectPhysical(reference->Query(roots, Fetch(a64::kBase + 0x3000, kUser)), 0x20'3000);
  ExpectFault(reference->Query(roots, Fetch(a64::kBase + 0x4000, kUser)),            // UXN.
              ReferenceFault::kPermission, -1);
  ExpectFault(reference->Query(roots, Fetch(a64::kBase + 0x5000)), ReferenceFault::kTranslation, 3);
  // A read after fetches still runs at EL1 with the stub's flags.
  ExpectPhysical(reference->Query(roots, Read(a64::kBase + 0x10)), 0x20'0010);
}

TEST(UnicornReferenceAarch64, SeesTableEditsAtOnce) {
  GuestRam ram;
  const TranslationRoots roots = a64::Build(ram);
  auto reference = MakeReference(PageTableFormat::kAarch64, ram);
  ASSERT_NE(reference, nullptr);
  ASSERT_FALSE(reference->Query(roots, Fetch(a64::kBase + 0x8)).faulted());
  ram.Set(a64::kL3, 0, 0);
  EXPECT_EQ(reference->Query(roots, Read(a64::kBase + 0x8)).fault, ReferenceFault::kTranslation);
  EXPECT_EQ(reference->Query(roots, Fetch(a64::kBase + 0x8)).fault, ReferenceFault::kTranslation);
  ram.Set(a64::kL3, 0, 0x30'0000 | a64::kPage | a64::kAf);
  ExpectPhysical(reference->Query(roots, Read(a64::kBase + 0x8)), 0x30'0008);
  ExpectPhysical(reference->Query(roots, Fetch(a64::kBase + 0x8)), 0x30'0008);
  ReportRate(*reference, roots, a64::kBase, 0x30'0000);
}

// ----------------------------------------------------------------- RISC-V --
// Privileged spec, Sv39/Sv48: V R W X U G A D = bits 0..7, PPN from bit 10.
namespace rv {
constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kA = 64, kD = 128;
constexpr hal::PhysAddr kTop = 0x7000, kL2 = 0x1000, kL1 = 0x2000, kL0 = 0x3000;
constexpr uint64_t kBase = 0x4000'0000;  // L2[1] L1[0] L0[i] (Sv48: L3[0] first).

uint64_t Leaf(hal::PhysAddr physical, uint64_t bits) { return physical >> 12 << 10 | bits; }
uint64_t Next(hal::PhysAddr table) { return table >> 12 << 10 | kV; }

TranslationRoots Build(GuestRam& ram, PageTableFormat format) {
  ram.Set(kL2, 1, Next(kL1));
  ram.Set(kL1, 0, Next(kL0));
  ram.Set(kL0, 0, Leaf(0x20'0000, kV | kR | kW | kA | kD));
  ram.Set(kL0, 1, Leaf(0x20'1000, kV | kR | kA));
  ram.Set(kL0, 2, Leaf(0x20'2000, kV | kR | kW | kX | kU | kA | kD));
  ram.Set(kL0, 3, Leaf(0x20'3000, kV | kX | kA));  // Execute-only.
  // L0[4] stays invalid.
  ram.Set(kL0, 5, Leaf(0x20'5000, kV | kR | kW));  // A and D clear.
  ram.Set(kL0, 6, Leaf(0x2000'0000, kV | kR | kW | kA | kD));  // Outside RAM.
  ram.Set(kL0, 7, kR | kW);                                    // V clear.
  ram.Set(kL0, 8, Leaf(0x2000'0000, kV | kR | kA));            // Read-only, outside RAM.
  ram.Set(kL1, 1, Leaf(0x40'0000, kV | kR | kW | kX | kA | kD));   // 2 MiB.
  ram.Set(kL1, 2, Leaf(0x40'1000, kV | kR | kA));                  // Misaligned 2 MiB.
  ram.Set(kL2, 2, Leaf(0, kV | kR | kW | kA | kD));                // 1 GiB.
  // Distinct data, so that the address is also checked by value.
  *ram.At(0x20'0008) = 0x1122'3344'5566'7788;
  if (format == PageTableFormat::kSv48) {
    ram.Set(kTop, 0, Next(kL2));
    return {kTop, 0};
  }
  return {kL2, 0};
}

class UnicornReferenceRiscv : public ::testing::TestWithParam<PageTableFormat> {};

TEST_P(UnicornReferenceRiscv, TranslatesPagesAndSuperpages) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram, GetParam());
  auto reference = MakeReference(GetParam(), ram);
  ASSERT_NE(reference, nullptr);
  ExpectPhysical(reference->Query(roots, Read(kBase + 0x8)), 0x20'0008);
  ExpectPhysical(reference->Query(roots, Read(kBase + 0x123)), 0x20'0123);  // Zeros: tagged.
  ExpectPhysical(reference->Query(roots, Write(kBase + 0x10)), 0x20'0010);
  ExpectPhysical(reference->Query(roots, Read(0x4020'1238)), 0x40'1238);
  ExpectPhysical(reference->Query(roots, Read(0x8012'3458)), 0x12'3458);
  ExpectPhysical(reference->Query(roots, Read(0x8080'0000 + 0x10)), 0x80'0010);  // Node 1.
  ExpectPhysical(reference->Query(roots, Write(0x8080'0000 + 0x10)), 0x80'0010);
  ExpectPhysical(reference->Query(roots, Write(0x8012'3458)), 0x12'3458);
  ExpectPhysical(reference->Query(roots, Write(0x4020'1238)), 0x40'1238);
  EXPECT_EQ(*ram.At(0x20'0008), 0x1122'3344'5566'7788u);  // The probe restored RAM.
}

TEST_P(UnicornReferenceRiscv, ChecksPermissionsPerMode) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram, GetParam());
  auto reference = MakeReference(GetParam(), ram);
  ASSERT_NE(reference, nullptr);
  auto fault = [&](const ReferenceQuery& query) { return reference->Query(roots, query).raw; };
  EXPECT_EQ(fault(Write(kBase + 0x1000)), 15u);       // Read-only page.
  EXPECT_EQ(fault(Read(kBase, kUser)), 13u);          // Supervisor page from U.
  EXPECT_EQ(fault(Read(kBase + 0x2000)), 13u);        // User page from S (SUM = 0).
  EXPECT_EQ(fault(Fetch(kBase + 0x2000)), 12u);       // S never executes U pages.
  EXPECT_EQ(fault(Fetch(kBase)), 12u);                // X clear.
  EXPECT_EQ(fault(Read(kBase + 0x3000)), 13u);        // Execute-only (MXR = 0).
  EXPECT_EQ(fault(Read(kBase + 0x4000)), 13u);        // Invalid.
  EXPECT_EQ(fault(Read(kBase + 0x7000)), 13u);        // V clear, R/W set.
  EXPECT_EQ(fault(Read(0x4040'0000)), 13u);           // Misaligned superpage.
  EXPECT_EQ(fault(Read(kBase + 0x6000)), 5u);         // Physical address outside RAM.
  EXPECT_EQ(fault(Write(kBase + 0x6000)), 7u);
  EXPECT_EQ(fault(Write(kBase + 0x8000)), 15u);  // The permission check comes first.
  EXPECT_EQ(fault(Read(kBase + 0x8000)), 5u);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 0x6000)).fault, ReferenceFault::kAccessFault);
  EXPECT_EQ(reference->Query(roots, Write(kBase + 0x6000)).fault, ReferenceFault::kAccessFault);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 0x4000)).fault, ReferenceFault::kPageFault);
  ExpectPhysical(reference->Query(roots, Read(kBase + 0x2010, kUser)), 0x20'2010);
  ExpectPhysical(reference->Query(roots, Fetch(kBase + 0x2010, kUser)), 0x20'2010);
  ExpectPhysical(reference->Query(roots, Fetch(kBase + 0x3000)), 0x20'3000);
  ExpectPhysical(reference->Query(roots, Fetch(0x4020'0100)), 0x40'0100);
  // Non-canonical: Sv39 needs bits 63:39 equal to bit 38, Sv48 63:48 to 47.
  EXPECT_EQ(fault(Read(GetParam() == PageTableFormat::kSv39 ? 0x40'0000'0000 : 0x1'0000'0000'0000)),
            13u);
}

TEST_P(UnicornReferenceRiscv, WalkerSetsAccessedAndDirty) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram, GetParam());
  auto reference = MakeReference(GetParam(), ram);
  ASSERT_NE(reference, nullptr);
  ExpectPhysical(reference->Query(roots, Read(kBase + 0x5000)), 0x20'5000);
  EXPECT_EQ(*ram.At(kL0 + 5 * 8) & (kA | kD), kA);
  ExpectPhysical(reference->Query(roots, Write(kBase + 0x5000)), 0x20'5000);
  EXPECT_EQ(*ram.At(kL0 + 5 * 8) & (kA | kD), kA | kD);
}

TEST_P(UnicornReferenceRiscv, SeesTableEditsAtOnce) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram, GetParam());
  auto reference = MakeReference(GetParam(), ram);
  ASSERT_NE(reference, nullptr);
  ASSERT_FALSE(reference->Query(roots, Read(kBase + 0x8)).faulted());
  ram.Set(kL0, 0, 0);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 0x8)).raw, 13u);
  ram.Set(kL0, 0, Leaf(0x30'0000, kV | kR | kX | kA));
  ExpectPhysical(reference->Query(roots, Read(kBase + 0x8)), 0x30'0008);
  ExpectPhysical(reference->Query(roots, Fetch(kBase + 0x8)), 0x30'0008);
  EXPECT_EQ(reference->Query(roots, Write(kBase + 0x8)).raw, 15u);
  ReportRate(*reference, roots, 0x4020'0000, 0x40'0000);
}

INSTANTIATE_TEST_SUITE_P(Formats, UnicornReferenceRiscv,
                         ::testing::Values(PageTableFormat::kSv39, PageTableFormat::kSv48),
                         [](const auto& info) { return hal::PageTableFormatName(info.param); });
}  // namespace rv

// ----------------------------------------------------------------- x86_64 --
// Intel SDM vol. 3 ch. 4.5: P 0, R/W 1, U/S 2, A 5, D 6, PS 7, XD 63.
namespace x86 {
constexpr uint64_t kP = 1, kRw = 2, kUs = 4, kA = 32, kPs = 128;
constexpr uint64_t kXd = uint64_t{1} << 63;
constexpr hal::PhysAddr kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint64_t kBase = 0x4000'0000;  // PML4[0] PDPT[1] PD[0] PT[i].

TranslationRoots Build(GuestRam& ram) {
  ram.Set(kPml4, 0, kPdpt | kP | kRw | kUs);
  ram.Set(kPdpt, 1, kPd | kP | kRw | kUs);
  ram.Set(kPd, 0, kPt | kP | kRw | kUs);
  ram.Set(kPt, 0, 0x20'0000 | kP | kRw);
  ram.Set(kPt, 1, 0x20'1000 | kP);                 // Read-only.
  ram.Set(kPt, 2, 0x20'2000 | kP | kRw | kUs);     // User.
  // PT[3] stays not present.
  ram.Set(kPt, 4, 0x20'4000 | kP | kRw | kXd);     // No-execute.
  ram.Set(kPd, 1, 0x40'0000 | kP | kRw | kPs);     // 2 MiB.
  ram.Set(kPdpt, 2, 0x8000'0000 | kP | kRw | kPs); // 1 GiB.
  return {kPml4, 0};
}

TEST(UnicornReferenceX86_64, ChecksPresenceAndWriteProtect) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram);
  auto reference = MakeReference(PageTableFormat::kX86_64, ram);
  ASSERT_NE(reference, nullptr);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 8)).fault, ReferenceFault::kNone);
  EXPECT_EQ(reference->Query(roots, Write(kBase + 8)).fault, ReferenceFault::kNone);
  EXPECT_FALSE(reference->Query(roots, Read(kBase + 8)).physical.has_value());
  EXPECT_EQ(reference->Query(roots, Read(kBase + 0x1008)).fault, ReferenceFault::kNone);
  const ReferenceOutcome read_only = reference->Query(roots, Write(kBase + 0x1008));
  EXPECT_EQ(read_only.fault, ReferenceFault::kPageFault);  // CR0.WP = 1.
  EXPECT_EQ(read_only.raw, 14u);
  EXPECT_EQ(read_only.fault_address, kBase + 0x1008);
  // No SMAP: the supervisor reaches user pages.
  EXPECT_EQ(reference->Query(roots, Write(kBase + 0x2008)).fault, ReferenceFault::kNone);
  for (const ReferenceQuery& query :
       {Read(kBase + 0x3010), Write(kBase + 0x3010), Read(0x0000'1000'0000'0000)}) {
    const ReferenceOutcome outcome = reference->Query(roots, query);
    EXPECT_EQ(outcome.fault, ReferenceFault::kPageFault);
    EXPECT_EQ(outcome.fault_address, query.va);
  }
  EXPECT_EQ(reference->Query(roots, Read(0x4020'1234)).fault, ReferenceFault::kNone);
  EXPECT_EQ(reference->Query(roots, Write(0x8123'4568)).fault, ReferenceFault::kNone);
  // Non-canonical: #GP, not #PF.
  const ReferenceOutcome non_canonical = reference->Query(roots, Read(0x0000'8000'0000'0000));
  EXPECT_EQ(non_canonical.fault, ReferenceFault::kOther);
  EXPECT_EQ(non_canonical.raw, 13u);
}

TEST(UnicornReferenceX86_64, CannotCheckNoExecuteFetchOrUserMode) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram);
  auto reference = MakeReference(PageTableFormat::kX86_64, ram);
  ASSERT_NE(reference, nullptr);
  EXPECT_FALSE(reference->capabilities().execute);
  EXPECT_FALSE(reference->capabilities().fetch);
  EXPECT_FALSE(reference->capabilities().user_privilege);
  // XD is stripped from the walked copy (with EFER.NXE stuck at 0 it would be
  // a reserved bit), so an XD page is checked like any other.
  EXPECT_EQ(reference->Query(roots, Read(kBase + 0x4000)).fault, ReferenceFault::kNone);
  EXPECT_EQ(reference->Query(roots, Fetch(kBase + 0x10)).fault, ReferenceFault::kUnchecked);
  EXPECT_EQ(reference->Query(roots, Read(kBase, kUser)).fault, ReferenceFault::kUnchecked);
}

TEST(UnicornReferenceX86_64, LeavesKernelTablesAloneAndSeesEdits) {
  GuestRam ram;
  const TranslationRoots roots = Build(ram);
  auto reference = MakeReference(PageTableFormat::kX86_64, ram);
  ASSERT_NE(reference, nullptr);
  ASSERT_EQ(reference->Query(roots, Write(kBase + 8)).fault, ReferenceFault::kNone);
  EXPECT_EQ(*ram.At(kPt) & kA, 0u);  // A/D went to the reference's copy.
  ram.Set(kPt, 0, 0);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 8)).fault, ReferenceFault::kPageFault);
  ram.Set(kPt, 0, 0x20'0000 | kP);
  EXPECT_EQ(reference->Query(roots, Read(kBase + 8)).fault, ReferenceFault::kNone);
  EXPECT_EQ(reference->Query(roots, Write(kBase + 8)).fault, ReferenceFault::kPageFault);
  ReportRate(*reference, roots, 0x4020'0000, 0x40'0000);
}
}  // namespace x86

}  // namespace
}  // namespace testing_support
