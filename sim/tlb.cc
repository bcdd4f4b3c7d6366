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
    array.tags.resize(size_t{array.sets} * array.ways);
    array.cached.resize(array.tags.size());
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
    const size_t start = array.SetStart(page_number);
    for (size_t index = start; index < start + array.ways; ++index) {
      if (Matches(array.tags[index], page_number, asid)) {
        ++stats_.hits;
        Cached& cached = array.cached[index];
        if (source != nullptr) *source = &cached.source;
        return &cached.translation;
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
  const size_t start = array->SetStart(page_number);
  const size_t end = start + array->ways;
  size_t slot = end;
  for (size_t index = start; index < end && slot == end; ++index) {
    if (Matches(array->tags[index], page_number, asid)) slot = index;
  }
  for (size_t index = start; index < end && slot == end; ++index) {
    if (!array->tags[index].valid) slot = index;
  }
  if (slot == end) {
    uint32_t& victim = array->next_victim[page_number & (array->sets - 1)];
    slot = start + victim;
    if (++victim == array->ways) victim = 0;
  }
  array->tags[slot] = {page_number, asid, true, translation.global};
  array->cached[slot] = {translation, source};
}

void Tlb::InvalidatePage(hal::VirtAddr address, uint16_t asid) {
  ++stats_.invalidations;
  for (Array& array : arrays_) {
    const uint64_t page_number = address >> array.page_shift;
    const size_t start = array.SetStart(page_number);
    for (size_t index = start; index < start + array.ways; ++index) {
      Tag& tag = array.tags[index];
      if (Matches(tag, page_number, asid)) tag.valid = false;
    }
  }
}

void Tlb::InvalidateAll() {
  ++stats_.invalidations;
  for (Array& array : arrays_) {
    for (Tag& tag : array.tags) tag.valid = false;
  }
}

size_t Tlb::size() const {
  size_t valid = 0;
  for (const Array& array : arrays_) {
    for (const Tag& tag : array.tags) valid += tag.valid ? 1 : 0;
  }
  return valid;
}

}  // namespace sim
