#include "sim/tlb.h"

#include <bit>

#include "absl/strings/str_format.h"

namespace sim {
namespace {

constexpr uint8_t kPageShifts[3] = {12, 21, 30};

}  // namespace

absl::Status Tlb::Validate(const TlbConfig& config) {
  for (const TlbGeometry& geometry :
       {config.small_pages, config.large_pages, config.huge_pages}) {
    if (!std::has_single_bit(geometry.sets) || geometry.ways == 0 ||
        uint64_t{geometry.sets} * geometry.ways > (1u << 16)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "a TLB array needs a power-of-two number of sets, at least one way and at most "
          "65536 entries; got %u sets x %u ways",
          geometry.sets, geometry.ways));
    }
  }
  return absl::OkStatus();
}

Tlb::Tlb(const TlbConfig& config) {
  const TlbGeometry geometries[3] = {config.small_pages, config.large_pages, config.huge_pages};
  for (size_t i = 0; i < arrays_.size(); ++i) {
    Array& array = arrays_[i];
    array.page_shift = kPageShifts[i];
    array.sets = geometries[i].sets;
    array.ways = geometries[i].ways;
    array.entries.resize(size_t{array.sets} * array.ways);
    array.next_victim.assign(array.sets, 0);
  }
}

Tlb::Array* Tlb::ArrayFor(uint8_t page_shift) {
  for (Array& array : arrays_) {
    if (array.page_shift == page_shift) return &array;
  }
  return nullptr;
}

const Translation* Tlb::Lookup(hal::VirtAddr address, uint16_t asid,
                               const WalkSource** source) {
  for (Array& array : arrays_) {
    const uint64_t page_number = address >> array.page_shift;
    Entry* set = array.Set(page_number);
    for (uint32_t way = 0; way < array.ways; ++way) {
      if (Matches(set[way], page_number, asid)) {
        ++stats_.hits;
        if (source != nullptr) *source = &set[way].source;
        return &set[way].translation;
      }
    }
  }
  ++stats_.misses;
  return nullptr;
}

void Tlb::Insert(hal::VirtAddr address, uint16_t asid, const Translation& translation,
                 const WalkSource& source) {
  Array* array = ArrayFor(translation.page_shift);
  if (array == nullptr) return;  // No walker produces other sizes.
  const uint64_t page_number = address >> array->page_shift;
  Entry* set = array->Set(page_number);
  Entry* slot = nullptr;
  for (uint32_t way = 0; way < array->ways && slot == nullptr; ++way) {
    if (Matches(set[way], page_number, asid)) slot = &set[way];
  }
  for (uint32_t way = 0; way < array->ways && slot == nullptr; ++way) {
    if (!set[way].valid) slot = &set[way];
  }
  if (slot == nullptr) {
    uint32_t& victim = array->next_victim[page_number & (array->sets - 1)];
    slot = &set[victim];
    if (++victim == array->ways) victim = 0;
  }
  *slot = {true, asid, page_number, translation, source};
}

void Tlb::InvalidatePage(hal::VirtAddr address, uint16_t asid) {
  ++stats_.invalidations;
  for (Array& array : arrays_) {
    const uint64_t page_number = address >> array.page_shift;
    Entry* set = array.Set(page_number);
    for (uint32_t way = 0; way < array.ways; ++way) {
      if (Matches(set[way], page_number, asid)) set[way].valid = false;
    }
  }
}

void Tlb::InvalidateAll() {
  ++stats_.invalidations;
  for (Array& array : arrays_) {
    for (Entry& entry : array.entries) entry.valid = false;
  }
}

size_t Tlb::size() const {
  size_t valid = 0;
  for (const Array& array : arrays_) {
    for (const Entry& entry : array.entries) valid += entry.valid ? 1 : 0;
  }
  return valid;
}

}  // namespace sim
