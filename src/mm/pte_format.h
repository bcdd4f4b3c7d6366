// What every page-table format shares: the permission set a mapping asks for,
// the page sizes, and the radix-tree geometry (512 eight-byte entries per
// 4 KiB table, 9 bits of virtual address per level). Level 0 holds 4 KiB
// pages, level 1 2 MiB blocks, level 2 1 GiB blocks.
//
// The per-format encodings (pte_x86_64.h, pte_aarch64.h, pte_riscv.h) are
// "format traits": structs of constants and constexpr functions with the same
// names, so one walker template (page_table.cc) serves them all.
#ifndef VERIDIAN_SRC_MM_PTE_FORMAT_H_
#define VERIDIAN_SRC_MM_PTE_FORMAT_H_

#include <cstddef>
#include <cstdint>

#include "src/hal/types.h"

namespace vos {

// Access a mapping grants. Every mapping is readable (x86_64 cannot express
// a present page that is not), so kRead is required; kWrite and kExecute add
// to it. kUser makes the page reachable from user mode; kGlobal keeps its TLB
// entries across address-space switches (kernel mappings).
enum class Perm : uint8_t {
  kNone = 0,
  kRead = 1 << 0,
  kWrite = 1 << 1,
  kExecute = 1 << 2,
  kUser = 1 << 3,
  kGlobal = 1 << 4,
};

constexpr Perm operator|(Perm a, Perm b) {
  return static_cast<Perm>(static_cast<uint8_t>(a) | static_cast<uint8_t>(b));
}
constexpr Perm operator&(Perm a, Perm b) {
  return static_cast<Perm>(static_cast<uint8_t>(a) & static_cast<uint8_t>(b));
}
constexpr Perm& operator|=(Perm& a, Perm b) { return a = a | b; }
// True when `set` holds every permission of `wanted`.
constexpr bool HasPerm(Perm set, Perm wanted) { return (set & wanted) == wanted; }
inline constexpr Perm kAllPerms =
    Perm::kRead | Perm::kWrite | Perm::kExecute | Perm::kUser | Perm::kGlobal;

enum class PageSize : uint8_t {
  k4K = 0,  // The value is the level that holds the leaf.
  k2M = 1,
  k1G = 2,
};

inline constexpr size_t kEntriesPerTable = 512;
inline constexpr int kBitsPerLevel = 9;
inline constexpr int kPageShift = 12;

constexpr int LeafLevel(PageSize size) { return static_cast<int>(size); }
constexpr PageSize PageSizeAtLevel(int level) { return static_cast<PageSize>(level); }
constexpr int LevelShift(int level) { return kPageShift + kBitsPerLevel * level; }
constexpr uint64_t LevelBytes(int level) { return uint64_t{1} << LevelShift(level); }
constexpr uint64_t PageBytes(PageSize size) { return LevelBytes(LeafLevel(size)); }
constexpr size_t LevelIndex(uint64_t va, int level) {
  return (va >> LevelShift(level)) & (kEntriesPerTable - 1);
}
constexpr uint64_t BitMask(int low, int count) {
  return count == 64 ? ~uint64_t{0} : ((uint64_t{1} << count) - 1) << low;
}

static_assert(kEntriesPerTable * sizeof(uint64_t) == hal::kPageSize);

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PTE_FORMAT_H_
