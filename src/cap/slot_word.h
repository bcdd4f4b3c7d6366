// The state of a capability slot in one atomic 64-bit word, so validating a
// token is one load and one masked compare:
//
//   bits  0..9   pins: lookups holding the slot's object pointer (slot_table.h)
//   bit   10     valid: the slot holds a capability
//   bits 11..15  object type
//   bits 16..31  rights
//   bits 32..63  generation
//
// Only the pins change while a capability is valid; invalidating it bumps
// the generation in the same store, so every token for it goes stale at once.
#ifndef VERIDIAN_SRC_CAP_SLOT_WORD_H_
#define VERIDIAN_SRC_CAP_SLOT_WORD_H_

#include <cstdint>

#include "src/cap/object.h"
#include "src/cap/rights.h"

namespace vos::slot_word {

inline constexpr uint64_t kPinMask = (1u << 10) - 1;
inline constexpr uint64_t kValid = 1u << 10;
inline constexpr unsigned kTypeShift = 11;
inline constexpr uint64_t kTypeMask = uint64_t{0x1f} << kTypeShift;
inline constexpr unsigned kRightsShift = 16;
inline constexpr uint64_t kRightsMask = uint64_t{0xffff} << kRightsShift;
inline constexpr unsigned kGenerationShift = 32;
inline constexpr uint64_t kGenerationMask = ~uint64_t{0} << kGenerationShift;

static_assert(static_cast<unsigned>(ObjectType::kCount) <= 32);

constexpr uint64_t Make(uint32_t generation, ObjectType type, Rights rights) {
  return (uint64_t{generation} << kGenerationShift) |
         (uint64_t{static_cast<uint16_t>(rights)} << kRightsShift) |
         (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | kValid;
}
// A free or invalidated slot: only the generation.
constexpr uint64_t MakeEmpty(uint32_t generation) {
  return uint64_t{generation} << kGenerationShift;
}

constexpr uint32_t Generation(uint64_t word) {
  return static_cast<uint32_t>(word >> kGenerationShift);
}
constexpr bool IsValid(uint64_t word) { return (word & kValid) != 0; }
constexpr ObjectType Type(uint64_t word) {
  return static_cast<ObjectType>((word & kTypeMask) >> kTypeShift);
}
constexpr Rights RightsOf(uint64_t word) {
  return static_cast<Rights>((word & kRightsMask) >> kRightsShift);
}
constexpr uint32_t Pins(uint64_t word) { return static_cast<uint32_t>(word & kPinMask); }

// True when `word` holds a valid capability of generation `generation`, of
// type `type` (any when kNone) with at least `rights`: one compare.
constexpr bool Matches(uint64_t word, uint32_t generation, ObjectType type, Rights rights) {
  const uint64_t wanted_rights = uint64_t{static_cast<uint16_t>(rights)} << kRightsShift;
  const uint64_t type_mask = type == ObjectType::kNone ? 0 : kTypeMask;
  const uint64_t mask = kGenerationMask | kValid | type_mask | wanted_rights;
  const uint64_t expected = (uint64_t{generation} << kGenerationShift) | kValid |
                            (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | wanted_rights;
  return (word & mask) == expected;
}

}  // namespace vos::slot_word

#endif  // VERIDIAN_SRC_CAP_SLOT_WORD_H_
