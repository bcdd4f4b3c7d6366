// AArch64 (4 KiB granule, 48-bit, TTBR0/TTBR1): full reference.
//
// Reads and writes are checked with AT S1E{1,0}{R,W} and PAR_EL1, which gives
// the physical address or the fault kind and level without taking an
// exception. Fetches are real: ERET to the address at EL1 or EL0 and see
// whether the instruction fetch aborts (AT has no execute variant).
//
// The stub runs at EL1 with the MMU on (2.0.1 cannot be moved to EL3: the
// EL is cached in its translation flags), so its page must be mapped by the
// tables being walked. The reference walks a private copy of the TTBR0 root
// table with one extra top-level slot for the stub; every other entry is the
// kernel's, and AArch64 hardware never writes table entries (no TCR.HA).
#include <unicorn/unicorn.h>

#include <cstring>

#include "tests/mm/unicorn_engine.h"
#include "tests/mm/unicorn_reference_formats.h"

namespace testing_support {
namespace {

constexpr uint64_t kPage = 4096;
// Private region layout.
constexpr uint64_t kShadowRoot = UnicornEngine::kPrivateBase;
constexpr uint64_t kStubL1 = kShadowRoot + 1 * kPage;
constexpr uint64_t kStubL2 = kShadowRoot + 2 * kPage;
constexpr uint64_t kStubL3 = kShadowRoot + 3 * kPage;
constexpr uint64_t kCode = kShadowRoot + 4 * kPage;

// Stub entry points (offsets in the code page); each flushes the TLB first.
constexpr uint64_t kAtS1e1r = 0x000;
constexpr uint64_t kAtS1e1w = 0x040;
constexpr uint64_t kAtS1e0r = 0x080;
constexpr uint64_t kAtS1e0w = 0x0c0;
constexpr uint64_t kAtEnd = 0x18;  // Each AT entry stops 0x18 bytes in.
constexpr uint64_t kEret = 0x100;

constexpr uint32_t kTlbiVmalle1 = 0xd508871f;
constexpr uint32_t kDsbSy = 0xd5033f9f;
constexpr uint32_t kIsb = 0xd5033fdf;
constexpr uint32_t kMrsX0Par = 0xd5387400;
constexpr uint32_t kEretInsn = 0xd69f03e0;
constexpr uint32_t kAtX1[] = {0xd5087801, 0xd5087821, 0xd5087841, 0xd5087861};  // e1r e1w e0r e0w

// Descriptors.
constexpr uint64_t kTable = 0b11;
constexpr uint64_t kPageDesc = 0b11;
constexpr uint64_t kAf = uint64_t{1} << 10;
constexpr uint64_t kOutputMask = 0x0000'ffff'ffff'f000;

// System registers through UC_ARM64_REG_CP_REG: (op0, op1, crn, crm, op2).
struct SysReg {
  uint32_t op0, op1, crn, crm, op2;
};
constexpr SysReg kScrEl3 = {3, 6, 1, 1, 0};
constexpr SysReg kSctlrEl1 = {3, 0, 1, 0, 0};
constexpr SysReg kTcrEl1 = {3, 0, 2, 0, 2};
constexpr SysReg kSpsrEl1 = {3, 0, 4, 0, 0};
constexpr SysReg kElrEl1 = {3, 0, 4, 0, 1};

// EL1 is AArch64 (without it 2.0.1 walks LPAE). NS stays 0: with NS = 1 the
// stub's fetches abort.
constexpr uint64_t kScrRw = uint64_t{1} << 10;
// T0SZ = T1SZ = 16 (48-bit halves), TG0 = 4K, TG1 = 4K, IPS = 48 bits.
constexpr uint64_t kTcr = 16 | (uint64_t{16} << 16) | (uint64_t{2} << 30) | (uint64_t{5} << 32);
constexpr uint64_t kSpsrEl1h = 0x3c5;  // DAIF masked.
constexpr uint64_t kSpsrEl0t = 0x3c0;
constexpr int kPrefetchAbort = 3;

class Aarch64Reference final : public UnicornReference {
 public:
  explicit Aarch64Reference(std::unique_ptr<UnicornEngine> engine)
      : UnicornReference(hal::PageTableFormat::kAarch64), engine_(std::move(engine)) {}

  absl::Status Init() {
    uint32_t code[kPage / 4] = {};
    for (int i = 0; i < 4; ++i) {
      uint32_t* entry = code + (kAtS1e1r + i * 0x40) / 4;
      const uint32_t sequence[] = {kTlbiVmalle1, kDsbSy, kIsb, kAtX1[i], kIsb, kMrsX0Par};
      std::memcpy(entry, sequence, sizeof(sequence));
    }
    const uint32_t eret[] = {kTlbiVmalle1, kDsbSy, kIsb, kEretInsn};
    std::memcpy(code + kEret / 4, eret, sizeof(eret));
    if (uc_mem_write(engine_->uc(), kCode, code, sizeof(code)) != UC_ERR_OK) {
      return absl::InternalError("cannot write the AArch64 stub");
    }
    const uint64_t l1 = kStubL2 | kTable, l2 = kStubL3 | kTable;
    // EL1 read-write, EL0 no access, executable at EL1.
    const uint64_t l3 = kCode | kPageDesc | kAf;
    uc_mem_write(engine_->uc(), kStubL1, &l1, 8);
    uc_mem_write(engine_->uc(), kStubL2, &l2, 8);
    uc_mem_write(engine_->uc(), kStubL3, &l3, 8);

    // 2.0.1 looks a fetch address up in its region list before the walk.
    engine_->EnsureRegion(uint64_t{510} << 39);
    engine_->EnsureRegion(uint64_t{511} << 39);
    WriteSys(kScrEl3, kScrRw);
    engine_->Write(UC_ARM64_REG_MAIR_EL1, 0xff);
    WriteSys(kTcrEl1, kTcr);
    WriteSys(kSctlrEl1, ReadSys(kSctlrEl1) | 1);  // M.
    engine_->SaveContext();
    return absl::OkStatus();
  }

  ReferenceOutcome Query(const TranslationRoots& roots, const ReferenceQuery& query) override {
    if (after_fetch_) {
      engine_->RestoreContext();  // Back to EL1 with the stub's flags.
      after_fetch_ = false;
    }
    const uint64_t stub_va = PrepareTables(roots, query.va);
    engine_->Write(UC_ARM64_REG_X1, query.va);
    if (query.access != Access::kExecute) {
      const bool user = query.privilege == Privilege::kUser;
      const bool write = query.access == Access::kWrite;
      return At(stub_va, (user ? kAtS1e0r : kAtS1e1r) + (write ? 0x40 : 0), query.va);
    }
    // A fetch walks like an EL1 read; AT reports walk faults with their kind.
    ReferenceOutcome outcome = At(stub_va, kAtS1e1r, query.va);
    if (outcome.faulted()) return outcome;
    uint64_t target = query.va & ~uint64_t{3};
    if (target % kPage == 0) target += 4;  // Same page; stay clear of the page boundary.
    engine_->EnsureRegion(target);
    WriteSys(kElrEl1, target);
    WriteSys(kSpsrEl1, query.privilege == Privilege::kUser ? kSpsrEl0t : kSpsrEl1h);
    const int exception = engine_->Run(stub_va + kEret, target);
    after_fetch_ = true;
    if (exception == UnicornEngine::kNoException) return outcome;
    ReferenceOutcome fault;
    fault.raw = static_cast<uint64_t>(exception);
    // The walk succeeded above, so an instruction abort here is a permission
    // fault (PXN/UXN, or EL1 fetching from an EL0-writable page).
    fault.fault =
        exception == kPrefetchAbort ? ReferenceFault::kPermission : ReferenceFault::kOther;
    // The level is unknown: ESR_EL1 is not readable from the hook.
    return fault;
  }

 private:
  // Copies the TTBR0 root into the shadow, adds the stub's slot, loads the
  // TTBRs and returns the stub's virtual address.
  uint64_t PrepareTables(const TranslationRoots& roots, uint64_t va) {
    uint64_t shadow[512] = {};
    if (const void* root = engine_->Host(roots.root, kPage)) std::memcpy(shadow, root, kPage);
    const bool lower_half = (va >> 55 & 1) == 0;
    const size_t slot = lower_half && (va >> 39 & 511) == 511 ? 510 : 511;
    shadow[slot] = kStubL1 | kTable;
    uc_mem_write(engine_->uc(), kShadowRoot, shadow, sizeof(shadow));
    engine_->Write(UC_ARM64_REG_TTBR0_EL1, kShadowRoot);
    engine_->Write(UC_ARM64_REG_TTBR1_EL1, roots.upper_root);
    return uint64_t{slot} << 39;  // The stub's L1/L2/L3 map its code at slot offset 0.
  }

  ReferenceOutcome At(uint64_t stub_va, uint64_t entry, uint64_t va) {
    ReferenceOutcome outcome;
    const int exception = engine_->Run(stub_va + entry, stub_va + entry + kAtEnd);
    if (exception != UnicornEngine::kNoException) {
      outcome.fault = ReferenceFault::kOther;
      outcome.raw = static_cast<uint64_t>(exception);
      return outcome;
    }
    const uint64_t par = engine_->Read(UC_ARM64_REG_X0);
    outcome.raw = par;
    if ((par & 1) == 0) {
      outcome.fault = ReferenceFault::kNone;
      outcome.physical = (par & kOutputMask) | (va & (kPage - 1));
      return outcome;
    }
    const uint64_t status = par >> 1 & 0x3f;  // FST.
    outcome.level = static_cast<int>(status & 3);
    switch (status >> 2) {
      case 0: outcome.fault = ReferenceFault::kAddressSize; break;
      case 1: outcome.fault = ReferenceFault::kTranslation; break;
      case 2: outcome.fault = ReferenceFault::kAccessFlag; break;
      case 3: outcome.fault = ReferenceFault::kPermission; break;
      default: outcome.fault = ReferenceFault::kOther; break;
    }
    return outcome;
  }

  void WriteSys(SysReg reg, uint64_t value) {
    uc_arm64_cp_reg cp = {reg.crn, reg.crm, reg.op0, reg.op1, reg.op2, value};
    uc_reg_write(engine_->uc(), UC_ARM64_REG_CP_REG, &cp);
  }
  uint64_t ReadSys(SysReg reg) {
    uc_arm64_cp_reg cp = {reg.crn, reg.crm, reg.op0, reg.op1, reg.op2, 0};
    uc_reg_read(engine_->uc(), UC_ARM64_REG_CP_REG, &cp);
    return cp.val;
  }

  std::unique_ptr<UnicornEngine> engine_;
  bool after_fetch_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<UnicornReference>> MakeAarch64Reference(
    std::vector<RamSegment> ram) {
  auto engine = UnicornEngine::Create(UC_ARCH_ARM64, UC_MODE_ARM, std::move(ram));
  if (!engine.ok()) return engine.status();
  auto reference = std::make_unique<Aarch64Reference>(*std::move(engine));
  if (absl::Status status = reference->Init(); !status.ok()) return status;
  return reference;
}

}  // namespace testing_support
