// An independent reference for page-table translation: Unicorn's emulated CPU
// of the architecture walks the raw table bytes in the guest's physical RAM
// and reports what the hardware would do for one access (the physical
// address, or the fault and its architectural code).
//
// It shares no code with the kernel's page tables (src/mm) or the simulator's
// MMU (sim/): the only inputs are the RAM bytes, the format, the roots and the
// query. What Unicorn 2.0.1 can check differs per format; see
// docs/unicorn-reference.md and ReferenceCapabilities.
//
// One engine per reference, reused across queries; the TLB is flushed for
// every query, so tables may be edited between queries. Not thread-safe.
// Side effects on RAM: the RISC-V walker sets accessed/dirty bits in the
// tables as its hardware does, and the RISC-V physical-address probe briefly
// rewrites (and restores) 8 bytes per candidate frame. x86_64 walks a private
// copy of the path, so its A/D updates stay there.
#ifndef VERIDIAN_TESTS_MM_UNICORN_REFERENCE_H_
#define VERIDIAN_TESTS_MM_UNICORN_REFERENCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "src/hal/mmu.h"
#include "src/hal/types.h"

namespace testing_support {

// Guest physical [physical_base, physical_base + bytes) is `host`.
struct RamSegment {
  hal::PhysAddr physical_base = 0;
  void* host = nullptr;
  uint64_t bytes = 0;
};

enum class Access : uint8_t { kRead, kWrite, kExecute };
enum class Privilege : uint8_t { kSupervisor, kUser };

// The format-specific translation set-up.
struct TranslationRoots {
  hal::PhysAddr root = 0;        // CR3, satp's root, or TTBR0_EL1.
  hal::PhysAddr upper_root = 0;  // AArch64 TTBR1_EL1 (VA bit 55 set); else unused.
};

struct ReferenceQuery {
  hal::VirtAddr va = 0;
  Access access = Access::kRead;
  Privilege privilege = Privilege::kSupervisor;
  // Where the caller believes the access goes. Never changes the answer; it
  // only makes the RISC-V reference fast (its address is found by tagging
  // RAM: a right hint is confirmed with one tag, otherwise all RAM is scanned).
  std::optional<hal::PhysAddr> physical_hint;
};

enum class ReferenceFault : uint8_t {
  kNone,         // Translated.
  kTranslation,  // AArch64 translation fault: an invalid entry (not present).
  kAccessFlag,   // AArch64: the leaf's AF bit is clear.
  kPermission,   // AArch64 permission fault.
  kAddressSize,  // AArch64 address size fault.
  kPageFault,    // RISC-V / x86_64 page fault: the hardware does not say why.
  kAccessFault,  // RISC-V access fault: the physical address is outside RAM.
  kOther,        // Any other exception (raw holds its number).
  kUnchecked,    // This format's reference cannot check this query.
};
const char* ReferenceFaultName(ReferenceFault fault);

struct ReferenceOutcome {
  ReferenceFault fault = ReferenceFault::kUnchecked;
  // The translated address, when fault == kNone and the format can tell it.
  std::optional<hal::PhysAddr> physical;
  // AArch64: PAR_EL1 as AT left it. RISC-V, x86_64: Unicorn's interrupt
  // number (RISC-V mcause: 12/13/15 page faults, 1/5/7 access faults; x86 14
  // #PF, 13 #GP); 0 without a fault.
  uint64_t raw = 0;
  int level = -1;  // AArch64: the level PAR_EL1 reports for a fault.
  std::optional<uint64_t> fault_address;  // x86_64: CR2 after a #PF.

  bool faulted() const { return fault != ReferenceFault::kNone; }
};

// What a format's reference can check on Unicorn 2.0.1.
struct ReferenceCapabilities {
  bool physical_address = false;  // Reports where a translated access goes.
  bool fault_kind = false;        // Tells not-present / permission / access flag apart.
  bool user_privilege = false;    // Can run user-mode queries.
  bool fetch = false;             // Can run instruction fetches.
  bool execute = false;           // Fetches check execute permission, not only the walk.
};

class UnicornReference {
 public:
  // `ram` is the guest's physical RAM; each segment is mapped into the engine
  // at its physical base (uc_mem_map_ptr), so table edits are seen at once.
  static absl::StatusOr<std::unique_ptr<UnicornReference>> Create(
      hal::PageTableFormat format, std::vector<RamSegment> ram);
  static ReferenceCapabilities CapabilitiesOf(hal::PageTableFormat format);

  virtual ~UnicornReference() = default;

  hal::PageTableFormat format() const { return format_; }
  ReferenceCapabilities capabilities() const { return CapabilitiesOf(format_); }

  // What the emulated CPU does for `query` with tables rooted at `roots`.
  // Queries the format cannot check return fault == kUnchecked.
  virtual ReferenceOutcome Query(const TranslationRoots& roots, const ReferenceQuery& query) = 0;

 protected:
  explicit UnicornReference(hal::PageTableFormat format) : format_(format) {}

 private:
  hal::PageTableFormat format_;
};

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_UNICORN_REFERENCE_H_
