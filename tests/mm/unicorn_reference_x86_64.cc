// x86_64 (4-level, 48-bit): fault oracle only.
//
// 2.0.1 walks the tables (present, write with CR0.WP, page sizes, reserved
// bits) and raises #PF with CR2, but then accesses the virtual address as if
// it were physical, so the translated address is not observable. It also
// ignores EFER writes: NX cannot be enabled (bit 63 is then a reserved bit)
// and there is no user mode. Fetches are not usable either: the first fetch
// from a page raises a #PF with CR2 = 0 even where a later one succeeds (and
// NX could not be checked anyway). So the reference checks supervisor reads
// and writes for "faults or not, and where".
//
// The walk runs on a private copy of the path the query's address takes
// (root, and each next-level table), with bit 63 (NX) cleared: the tables'
// other bits are walked as they are, and the accessed/dirty bits the walker
// sets land in the copy, not in the kernel's tables. The stub is mapped at its
// own physical address (2.0.1 fetches from there) through private tables.
#include <unicorn/unicorn.h>

#include <cstring>

#include "tests/mm/unicorn_engine.h"
#include "tests/mm/unicorn_reference_formats.h"

namespace testing_support {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kBase = UnicornEngine::kPrivateBase;
// Private region layout: the copied walk path, then the stub's own tables.
constexpr uint64_t kPath[4] = {kBase, kBase + kPage, kBase + 2 * kPage, kBase + 3 * kPage};
constexpr uint64_t kStubPdpt = kBase + 4 * kPage;
constexpr uint64_t kStubPd = kBase + 5 * kPage;
constexpr uint64_t kStubPt = kBase + 6 * kPage;
constexpr uint64_t kCode = kBase + 7 * kPage;  // Virtual == physical.
constexpr size_t kStubPml4Index = kCode >> 39 & 511;
constexpr size_t kStubPdptIndex = kCode >> 30 & 511;
static_assert((kCode >> 21 & 511) == 0, "the stub PD maps its code through entry 0");

// Stub entry points (offsets in the code page); each flushes the address.
// Byte accesses, so that an access never spills into the next page.
constexpr uint64_t kRead = 0x00;   // invlpg [rcx]; mov al, [rcx]
constexpr uint64_t kWrite = 0x10;  // invlpg [rcx]; or byte [rcx], 0
constexpr uint8_t kStub[] = {
    0x0f, 0x01, 0x39, 0x8a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // read, ends at +5
    0x0f, 0x01, 0x39, 0x80, 0x09, 0x00,                              // write, ends at +6
};
constexpr uint64_t kReadEnd = kRead + 5;
constexpr uint64_t kWriteEnd = kWrite + 6;

constexpr uint64_t kPresent = 1;
constexpr uint64_t kWritable = 2;
constexpr uint64_t kLarge = 1 << 7;
constexpr uint64_t kNx = uint64_t{1} << 63;
constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000;
constexpr uint64_t kCr0 = 0x8001'0033;  // PG, WP, NE, ET, MP, PE.
constexpr uint64_t kCr4Pae = 1 << 5;
constexpr int kPageFault = 14;

class X86_64Reference final : public UnicornReference {
 public:
  explicit X86_64Reference(std::unique_ptr<UnicornEngine> engine)
      : UnicornReference(hal::PageTableFormat::kX86_64), engine_(std::move(engine)) {}

  absl::Status Init() {
    const uint64_t pdpt_entry = kStubPd | kPresent | kWritable;
    const uint64_t pd_entry = kStubPt | kPresent | kWritable;
    const uint64_t pt_entry = kCode | kPresent | kWritable;
    uc_engine* uc = engine_->uc();
    if (uc_mem_write(uc, kCode, kStub, sizeof(kStub)) != UC_ERR_OK ||
        uc_mem_write(uc, kStubPdpt + kStubPdptIndex * 8, &pdpt_entry, 8) != UC_ERR_OK ||
        uc_mem_write(uc, kStubPd, &pd_entry, 8) != UC_ERR_OK ||
        uc_mem_write(uc, kStubPt + (kCode >> 12 & 511) * 8, &pt_entry, 8) != UC_ERR_OK) {
      return absl::InternalError("cannot write the x86_64 stub");
    }
    engine_->Write(UC_X86_REG_CR4, kCr4Pae);
    engine_->Write(UC_X86_REG_CR3, kPath[0]);
    engine_->Write(UC_X86_REG_CR0, kCr0);
    // A #PF taken through the hook leaves the CPU mid-exception (the next is
    // a #DF): every query starts from this clean state.
    engine_->SaveContext();
    return absl::OkStatus();
  }

  ReferenceOutcome Query(const TranslationRoots& roots, const ReferenceQuery& query) override {
    ReferenceOutcome outcome;
    if (query.privilege == Privilege::kUser || query.access == Access::kExecute ||
        query.va >> 30 == kCode >> 30) {
      return outcome;  // kUnchecked: no user mode, no usable fetch, the stub's own gigabyte.
    }
    engine_->RestoreContext();
    CopyWalkPath(roots.root, query.va);
    engine_->Write(UC_X86_REG_CR3, kPath[0]);
    engine_->Write(UC_X86_REG_RCX, query.va);
    engine_->EnsureRegion(query.va);
    const int exception = query.access == Access::kWrite
                              ? engine_->Run(kCode + kWrite, kCode + kWriteEnd)
                              : engine_->Run(kCode + kRead, kCode + kReadEnd);
    outcome.raw = exception == UnicornEngine::kNoException ? 0 : static_cast<uint64_t>(exception);
    if (exception == UnicornEngine::kNoException) {
      outcome.fault = ReferenceFault::kNone;
    } else if (exception == kPageFault) {
      outcome.fault = ReferenceFault::kPageFault;
      outcome.fault_address = engine_->Read(UC_X86_REG_CR2);
    } else {
      outcome.fault = ReferenceFault::kOther;
    }
    return outcome;
  }

 private:
  // Copies the tables `va` walks through into kPath (NX cleared, each entry
  // on the path re-pointed at the next copy), then maps the stub.
  void CopyWalkPath(hal::PhysAddr root, uint64_t va) {
    uint64_t tables[4][512];
    std::memset(tables, 0, sizeof(tables));
    hal::PhysAddr source = root;
    int depth = 0;
    for (int level = 3; level >= 0; --level, ++depth) {
      const void* host = engine_->Host(source, kPage);
      if (host == nullptr) break;
      std::memcpy(tables[depth], host, kPage);
      uint64_t& entry = tables[depth][va >> (12 + 9 * level) & 511];
      entry &= ~kNx;
      if ((entry & kPresent) == 0 || level == 0 || (entry & kLarge) != 0) break;
      source = entry & kAddressMask;
      entry = (entry & ~kAddressMask) | kPath[depth + 1];
    }
    // The stub: through the copied PDPT when `va` shares its PML4 slot.
    uint64_t& stub_slot = tables[0][kStubPml4Index];
    if ((va >> 39 & 511) == kStubPml4Index && (stub_slot & kPresent) != 0) {
      tables[1][kStubPdptIndex] = kStubPd | kPresent | kWritable;
    } else {
      stub_slot = kStubPdpt | kPresent | kWritable;
    }
    uc_mem_write(engine_->uc(), kPath[0], tables, sizeof(tables));
  }

  std::unique_ptr<UnicornEngine> engine_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<UnicornReference>> MakeX86_64Reference(
    std::vector<RamSegment> ram) {
  auto engine = UnicornEngine::Create(UC_ARCH_X86, UC_MODE_64, std::move(ram));
  if (!engine.ok()) return engine.status();
  auto reference = std::make_unique<X86_64Reference>(*std::move(engine));
  if (absl::Status status = reference->Init(); !status.ok()) return status;
  return reference;
}

}  // namespace testing_support
