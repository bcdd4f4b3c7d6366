// A model of one CPU's TLB: deterministic, fixed-size, set-associative, one
// array per page size (4 KiB, 2 MiB, 1 GiB) as real cores split them.
// Entries are tagged with the ASID they were filled under; global entries
// match every ASID. Translations stay cached until invalidated, so a missing
// shootdown is visible: the CPU keeps using the old translation.
//
// Semantics the simulator promises (the weakest common to x86_64 with PCIDs,
// AArch64 and RISC-V, so kernel bugs show up on every format):
// - Activating an address space (a new root and/or ASID) flushes nothing.
// - InvalidatePage(va, asid) drops the page's entries tagged `asid` and the
//   page's global entries (x86 INVLPG, AArch64 TLBI VAE1 semantics).
// - InvalidateAll() drops everything, global entries included.
// - Replacement: an invalid way if the set has one, else round robin per set.
// - Sv48 512 GiB leaves are not cached (walked on every access).
#ifndef VERIDIAN_SIM_TLB_H_
#define VERIDIAN_SIM_TLB_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "sim/mmu.h"
#include "src/hal/types.h"

namespace sim {

struct TlbGeometry {
  uint32_t sets;  // A power of two.
  uint32_t ways;
};

struct TlbConfig {
  TlbGeometry small_pages{16, 4};  // 4 KiB.
  TlbGeometry large_pages{8, 4};   // 2 MiB.
  TlbGeometry huge_pages{1, 4};    // 1 GiB.
};

struct TlbStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t invalidations = 0;  // InvalidatePage and InvalidateAll calls.
};

class Tlb {
 public:
  explicit Tlb(const TlbConfig& config);
  static absl::Status Validate(const TlbConfig& config);

  // The cached translation of `address` under `asid`, or nullptr. Counts a
  // hit or a miss. `source`, if not null, receives where the walk found it
  // (for the simulator's stale-TLB check; not hardware state).
  const Translation* Lookup(hal::VirtAddr address, uint16_t asid,
                            const WalkSource** source = nullptr);
  // Caches a walk's result, replacing any entry for the same page and tag.
  void Insert(hal::VirtAddr address, uint16_t asid, const Translation& translation,
              const WalkSource& source = WalkSource{});
  void InvalidatePage(hal::VirtAddr address, uint16_t asid);
  void InvalidateAll();

  const TlbStats& stats() const { return stats_; }
  // Valid entries (tests).
  size_t size() const;

 private:
  // What a lookup compares, apart from what a hit returns, so that a set's
  // tags share a cache line or two.
  struct Tag {
    uint64_t page_number = 0;  // address >> page_shift.
    uint16_t asid = 0;
    bool valid = false;
    bool global = false;  // The translation's; matches every ASID.
  };
  struct Cached {
    Translation translation;
    WalkSource source;
  };
  struct Array {
    uint8_t page_shift = 12;
    uint32_t sets = 1;
    uint32_t ways = 1;
    std::vector<Tag> tags;              // sets * ways, set-major.
    std::vector<Cached> cached;         // Beside tags, index for index.
    std::vector<uint32_t> next_victim;  // Per set.

    size_t SetStart(uint64_t page_number) const { return (page_number & (sets - 1)) * ways; }
  };
  static bool Matches(const Tag& tag, uint64_t page_number, uint16_t asid) {
    return tag.valid && tag.page_number == page_number && (tag.global || tag.asid == asid);
  }
  Array* ArrayFor(uint8_t page_shift);

  std::array<Array, 3> arrays_;
  TlbStats stats_;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TLB_H_
