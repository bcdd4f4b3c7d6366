// RISC-V Sv39 / Sv48: full reference (the architecture itself reports only
// "page fault", not why).
//
// The stub runs in M-mode, whose fetches are not translated. Loads and stores
// are made with mstatus.MPRV set and MPP = S or U, so they are translated and
// checked with that mode's permissions; a write is `amoor.d zero`, a store
// that leaves memory as it was. A fetch is an MRET to the address in S or U
// mode. One PMP entry covers RAM, so an access whose physical address is
// outside RAM takes an access fault instead of reaching nothing.
//
// 2.0.1 exposes no translated address, so after a successful access the
// reference finds it: the candidate frames are those holding the loaded value
// at the page offset; it tags them, reloads through the TLB entry the access
// left (no sfence.vma, so no second walk), and restores them.
#include <unicorn/unicorn.h>

#include <cstring>

#include "tests/mm/unicorn_engine.h"
#include "tests/mm/unicorn_reference_formats.h"

namespace testing_support {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kCode = UnicornEngine::kPrivateBase;

// Stub entry points (offsets in the code page).
constexpr uint64_t kLoad = 0x00;    // sfence.vma; ld a0, 0(a1)
constexpr uint64_t kAmo = 0x20;     // sfence.vma; amoor.d a0, zero, (a1)
constexpr uint64_t kFetch = 0x40;   // sfence.vma; csrw mepc, a1; mret
constexpr uint64_t kReload = 0x60;  // ld a0, 0(a1)
constexpr uint64_t kPmp = 0x80;     // csrw pmpaddr0, a2; csrw pmpcfg0, a4
constexpr uint64_t kStore = 0xa0;   // sfence.vma; sd zero, 0(a1)
constexpr uint64_t kDataEnd = 8;    // kLoad and kAmo stop 8 bytes in.

constexpr uint32_t kSfenceVma = 0x12000073;
constexpr uint32_t kLdA0A1 = 0x0005b503;
constexpr uint32_t kAmoorD = 0x4005b52f;
constexpr uint32_t kSdZeroA1 = 0x0005b023;
constexpr uint32_t kCsrwMepcA1 = 0x34159073;
constexpr uint32_t kMret = 0x30200073;
constexpr uint32_t kCsrwPmpaddr0A2 = 0x3b061073;
constexpr uint32_t kCsrwPmpcfg0A4 = 0x3a071073;

constexpr uint64_t kMprv = uint64_t{1} << 17;
constexpr uint64_t kMxr = uint64_t{1} << 19;
constexpr uint64_t kMppSupervisor = uint64_t{1} << 11;  // MPP = S; 0 is U.
constexpr uint64_t kPmpTorRwx = 0x0f;

// mcause values.
constexpr int kFetchAccessFault = 1;
constexpr int kLoadAccessFault = 5;
constexpr int kStoreAccessFault = 7;
constexpr int kFetchPageFault = 12;
constexpr int kLoadPageFault = 13;
constexpr int kStorePageFault = 15;

class RiscvReference final : public UnicornReference {
 public:
  RiscvReference(hal::PageTableFormat format, std::unique_ptr<UnicornEngine> engine)
      : UnicornReference(format), engine_(std::move(engine)) {}

  absl::Status Init() {
    uint32_t code[kPage / 4] = {};
    auto put = [&code](uint64_t offset, std::initializer_list<uint32_t> words) {
      std::memcpy(code + offset / 4, words.begin(), words.size() * 4);
    };
    put(kLoad, {kSfenceVma, kLdA0A1});
    put(kAmo, {kSfenceVma, kAmoorD});
    put(kFetch, {kSfenceVma, kCsrwMepcA1, kMret});
    put(kReload, {kLdA0A1});
    put(kPmp, {kCsrwPmpaddr0A2, kCsrwPmpcfg0A4});
    put(kStore, {kSfenceVma, kSdZeroA1});
    if (uc_mem_write(engine_->uc(), kCode, code, sizeof(code)) != UC_ERR_OK) {
      return absl::InternalError("cannot write the RISC-V stub");
    }
    engine_->Write(UC_RISCV_REG_A2, engine_->ram_end() >> 2);
    engine_->Write(UC_RISCV_REG_A4, kPmpTorRwx);
    if (engine_->Run(kCode + kPmp, kCode + kPmp + 8) != UnicornEngine::kNoException) {
      return absl::InternalError("cannot program the PMP");
    }
    engine_->SaveContext();
    return absl::OkStatus();
  }

  ReferenceOutcome Query(const TranslationRoots& roots, const ReferenceQuery& query) override {
    if (after_fetch_) {
      engine_->RestoreContext();  // Back to M-mode.
      after_fetch_ = false;
    }
    const uint64_t mode = format() == hal::PageTableFormat::kSv39 ? 8 : 9;
    satp_ = mode << 60 | roots.root >> 12;
    engine_->Write(UC_RISCV_REG_SATP, satp_);
    const uint64_t mpp = query.privilege == Privilege::kSupervisor ? kMppSupervisor : 0;
    const uint64_t aligned = query.va & ~uint64_t{7};
    engine_->Write(UC_RISCV_REG_MSTATUS, kMprv | mpp);
    if (query.access == Access::kExecute) return Fetch(query, mpp);

    engine_->EnsureRegion(aligned);
    engine_->Write(UC_RISCV_REG_A1, aligned);
    const uint64_t entry = query.access == Access::kWrite ? kAmo : kLoad;
    int exception = engine_->Run(kCode + entry, kCode + entry + kDataEnd);
    if (entry == kAmo && exception == kLoadAccessFault) {
      // 2.0.1 runs this amoor.d as a load then a store, so a physical address
      // outside RAM faults on the load before the write permission is
      // checked. A plain store tells which comes first on hardware; the PMP
      // keeps it from writing anything.
      exception = engine_->Run(kCode + kStore, kCode + kStore + kDataEnd);
    }
    if (exception != UnicornEngine::kNoException) return Fault(exception);
    ReferenceOutcome outcome;
    outcome.fault = ReferenceFault::kNone;
    outcome.physical = FindPhysical(query, engine_->Read(UC_RISCV_REG_A0));
    return outcome;
  }

 private:
  ReferenceOutcome Fetch(const ReferenceQuery& query, uint64_t mpp) {
    uint64_t target = query.va & ~uint64_t{3};
    // A page-aligned stop address also translates the byte before it.
    if (target % kPage == 0) target += 4;
    engine_->EnsureRegion(target);
    engine_->Write(UC_RISCV_REG_A1, target);
    const int exception = engine_->Run(kCode + kFetch, target);
    after_fetch_ = true;
    if (exception != UnicornEngine::kNoException) return Fault(exception);
    // Executable, so readable with MXR in the same mode: find the address.
    engine_->RestoreContext();
    after_fetch_ = false;
    engine_->Write(UC_RISCV_REG_SATP, satp_);
    const uint64_t aligned = query.va & ~uint64_t{7};
    engine_->Write(UC_RISCV_REG_MSTATUS, kMprv | kMxr | mpp);
    engine_->Write(UC_RISCV_REG_A1, aligned);
    engine_->EnsureRegion(aligned);
    ReferenceOutcome outcome;
    outcome.fault = ReferenceFault::kNone;
    if (engine_->Run(kCode + kLoad, kCode + kLoad + kDataEnd) == UnicornEngine::kNoException) {
      outcome.physical = FindPhysical(query, engine_->Read(UC_RISCV_REG_A0));
    }
    return outcome;
  }

  static ReferenceOutcome Fault(int exception) {
    ReferenceOutcome outcome;
    outcome.raw = static_cast<uint64_t>(exception);
    switch (exception) {
      case kFetchPageFault:
      case kLoadPageFault:
      case kStorePageFault: outcome.fault = ReferenceFault::kPageFault; break;
      case kFetchAccessFault:
      case kLoadAccessFault:
      case kStoreAccessFault: outcome.fault = ReferenceFault::kAccessFault; break;
      default: outcome.fault = ReferenceFault::kOther; break;
    }
    return outcome;
  }

  // The physical address of the query's address, whose aligned 8 bytes just
  // loaded as `loaded` and are still in the TLB; nullopt if it cannot be
  // pinned down.
  std::optional<hal::PhysAddr> FindPhysical(const ReferenceQuery& query, uint64_t loaded) {
    const uint64_t offset = query.va & (kPage - 8);
    candidates_.clear();
    if (query.physical_hint.has_value() && query.physical_hint.value() % kPage == query.va % kPage) {
      const hal::PhysAddr frame = *query.physical_hint & ~(kPage - 1);
      if (auto* host = static_cast<char*>(engine_->Host(frame + offset, 8))) {
        uint64_t word;
        std::memcpy(&word, host, 8);
        if (word == loaded) {
          candidates_.push_back({frame, host});
          if (auto physical = Resolve(query.va, loaded)) return physical;
          candidates_.clear();
        }
      }
    }
    for (const RamSegment& segment : engine_->ram()) {
      char* host = static_cast<char*>(segment.host);
      for (uint64_t frame = 0; frame < segment.bytes; frame += kPage) {
        uint64_t word;
        std::memcpy(&word, host + frame + offset, 8);
        if (word == loaded) {
          candidates_.push_back({segment.physical_base + frame, host + frame + offset});
        }
      }
    }
    return Resolve(query.va, loaded);
  }

  // Tags every candidate, reloads through the TLB and restores them; the tag
  // that comes back names the frame.
  std::optional<hal::PhysAddr> Resolve(uint64_t va, uint64_t loaded) {
    if (candidates_.empty()) return std::nullopt;
    // Tag i is base + i + 1; choose base so that no tag equals `loaded`.
    uint64_t base = loaded ^ 0x5a5a'5a5a'0000'0000;
    while (loaded - base >= 1 && loaded - base <= candidates_.size()) base += candidates_.size() + 1;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      const uint64_t tag = base + i + 1;
      std::memcpy(candidates_[i].host, &tag, 8);
    }
    engine_->Write(UC_RISCV_REG_A1, va & ~uint64_t{7});
    const int exception = engine_->Run(kCode + kReload, kCode + kReload + 4);
    const uint64_t index = engine_->Read(UC_RISCV_REG_A0) - base - 1;
    for (const Candidate& candidate : candidates_) std::memcpy(candidate.host, &loaded, 8);
    if (exception != UnicornEngine::kNoException || index >= candidates_.size()) {
      return std::nullopt;
    }
    return candidates_[index].frame + (va & (kPage - 1));
  }

  struct Candidate {
    hal::PhysAddr frame;
    char* host;  // The 8 bytes at the query's page offset.
  };
  std::unique_ptr<UnicornEngine> engine_;
  std::vector<Candidate> candidates_;
  uint64_t satp_ = 0;
  bool after_fetch_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<UnicornReference>> MakeRiscvReference(
    hal::PageTableFormat format, std::vector<RamSegment> ram) {
  auto engine = UnicornEngine::Create(UC_ARCH_RISCV, UC_MODE_RISCV64, std::move(ram));
  if (!engine.ok()) return engine.status();
  auto reference = std::make_unique<RiscvReference>(format, *std::move(engine));
  if (absl::Status status = reference->Init(); !status.ok()) return status;
  return reference;
}

}  // namespace testing_support
