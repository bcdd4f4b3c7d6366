// The kernel heap's size classes: 16 B to 4 KiB in steps of 1.5x (powers of
// two and the midpoints between them). Steps of 2x waste up to half of each
// object to rounding; 1.5x bounds that to a third while keeping the class
// count (16) small enough for per-CPU magazines of every class.
//
// Objects of a class sit at multiples of its size from a page-aligned slab
// start, so each class is naturally aligned to its size's lowest set bit
// (48 B -> 16, 96 B -> 32, 4 KiB -> 4 KiB).
#ifndef VERIDIAN_SRC_MM_SIZE_CLASSES_H_
#define VERIDIAN_SRC_MM_SIZE_CLASSES_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "src/hal/types.h"

namespace vos {

struct SizeClass {
  uint32_t size;
  // Pages per slab: chosen so each slab wastes at most 1/16 of its bytes.
  uint32_t slab_pages;
  // Rounds per magazine: fewer for big objects, so magazines hold a bounded
  // number of bytes (at most 30 rounds, 32 KiB in objects).
  uint32_t magazine_capacity;
  uint32_t objects_per_slab;
  // ceil(2^32 / size): offset / size as a multiply, exact for any offset
  // below 2^18 (slabs are at most 16 KiB).
  uint64_t reciprocal;
  // ceil(2^64 / size): a 32-bit offset is a multiple of size exactly when
  // offset * divisibility (mod 2^64) < divisibility (Lemire, Kaser and Kurz,
  // "Faster remainder by direct computation", 2019). One multiply, no divide.
  uint64_t divisibility;
};

inline constexpr size_t kSizeClassCount = 16;
inline constexpr size_t kMaxSmallSize = 4096;
// What every allocation is aligned to at least (max_align_t).
inline constexpr size_t kMinAlignment = 16;
inline constexpr uint32_t kMagazineMaxRounds = 30;

namespace internal {

constexpr SizeClass MakeSizeClass(uint32_t size, uint32_t slab_pages) {
  const uint32_t bytes = slab_pages * static_cast<uint32_t>(hal::kPageSize);
  const uint32_t by_bytes = (32 * 1024) / size;
  return SizeClass{
      .size = size,
      .slab_pages = slab_pages,
      .magazine_capacity = by_bytes < 8                    ? 8
                           : by_bytes > kMagazineMaxRounds ? kMagazineMaxRounds
                                                           : by_bytes,
      .objects_per_slab = bytes / size,
      .reciprocal = ((uint64_t{1} << 32) + size - 1) / size,
      .divisibility = ~uint64_t{0} / size + 1,
  };
}

}  // namespace internal

inline constexpr std::array<SizeClass, kSizeClassCount> kSizeClasses = {
    internal::MakeSizeClass(16, 1),   internal::MakeSizeClass(32, 1),
    internal::MakeSizeClass(48, 1),   internal::MakeSizeClass(64, 1),
    internal::MakeSizeClass(96, 1),   internal::MakeSizeClass(128, 1),
    internal::MakeSizeClass(192, 1),  internal::MakeSizeClass(256, 1),
    internal::MakeSizeClass(384, 1),  internal::MakeSizeClass(512, 1),
    internal::MakeSizeClass(768, 1),  internal::MakeSizeClass(1024, 1),
    internal::MakeSizeClass(1536, 3), internal::MakeSizeClass(2048, 2),
    internal::MakeSizeClass(3072, 3), internal::MakeSizeClass(4096, 4),
};

namespace internal {

// Class index for each size rounded up to 16 bytes: kClassBySixteenths[(size + 15) / 16].
constexpr std::array<uint8_t, kMaxSmallSize / 16 + 1> MakeClassTable() {
  std::array<uint8_t, kMaxSmallSize / 16 + 1> table{};
  uint8_t index = 0;
  for (size_t i = 0; i < table.size(); ++i) {
    while (kSizeClasses[index].size < i * 16) ++index;
    table[i] = index;
  }
  return table;
}
inline constexpr auto kClassBySixteenths = MakeClassTable();

}  // namespace internal

// The smallest class that holds `size` bytes; size <= kMaxSmallSize.
inline uint32_t SizeClassFor(size_t size) {
  return internal::kClassBySixteenths[(size + 15) >> 4];
}

// The alignment every object of `size_class` has.
constexpr size_t SizeClassAlignment(uint32_t size_class) {
  const uint32_t size = kSizeClasses[size_class].size;
  return size & (~size + 1);
}

// Static checks of the table's promises.
namespace internal {
constexpr bool SizeClassesAreSound() {
  for (size_t i = 0; i < kSizeClassCount; ++i) {
    const SizeClass& c = kSizeClasses[i];
    const uint32_t bytes = c.slab_pages * static_cast<uint32_t>(hal::kPageSize);
    if (c.size % kMinAlignment != 0) return false;
    if (i > 0 && c.size <= kSizeClasses[i - 1].size) return false;
    if ((bytes - c.objects_per_slab * c.size) * 16 > bytes) return false;
    // Span::allocated has one bit per object.
    if (c.objects_per_slab > 256) return false;
  }
  return kSizeClasses[kSizeClassCount - 1].size == kMaxSmallSize;
}
static_assert(SizeClassesAreSound());
}  // namespace internal

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_SIZE_CLASSES_H_
