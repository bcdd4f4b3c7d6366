#include "src/mm/boot_allocator.h"

#include "src/hal/mmu.h"

namespace vos {
namespace {

constexpr hal::PhysAddr RoundUp(hal::PhysAddr value) {
  return (value + hal::kPageSize - 1) & ~(hal::PhysAddr{hal::kPageSize} - 1);
}
constexpr hal::PhysAddr RoundDown(hal::PhysAddr value) {
  return value & ~(hal::PhysAddr{hal::kPageSize} - 1);
}

}  // namespace

void BootAllocator::Init(const hal::MemoryMap& map) {
  region_count_ = 0;
  usable_bytes_ = 0;
  allocated_bytes_ = 0;
  for (size_t i = 0; i < map.count && region_count_ < kMaxRegions; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    if (region.type != hal::MemoryType::kUsable) continue;
    hal::PhysAddr begin = RoundUp(region.base);
    hal::PhysAddr end = RoundDown(region.base + region.size);
    if (begin < kLowMemoryLimit) begin = kLowMemoryLimit;
    if (begin >= end) continue;
    ranges_[region_count_++] = {begin, end};
    usable_bytes_ += end - begin;
  }
}

Result<hal::PhysAddr> BootAllocator::AllocPages(size_t count) {
  const uint64_t bytes = uint64_t{count} * hal::kPageSize;
  if (count == 0) return Status::kInvalidArgument;
  for (size_t i = 0; i < region_count_; ++i) {
    Range& range = ranges_[i];
    if (range.end - range.next < bytes) continue;
    hal::PhysAddr page = range.next;
    range.next += bytes;
    allocated_bytes_ += bytes;
    __builtin_memset(hal::PhysToVirt(page), 0, bytes);
    return page;
  }
  return Status::kNoMemory;
}

size_t BootAllocator::HandOver(FreeRange* out) {
  size_t count = 0;
  for (size_t i = 0; i < region_count_; ++i) {
    Range& range = ranges_[i];
    if (range.next < range.end) out[count++] = {range.next, range.end};
    range.next = range.end;
  }
  return count;
}

}  // namespace vos
