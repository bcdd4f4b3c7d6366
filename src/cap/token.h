// Capability tokens: the 64-bit names user space holds for capabilities.
//
//   bits  0..23  slot index in the holder's capability space
//   bits 24..55  the slot's generation when the capability was created
//   bits 56..63  the space's tag (never 0)
//
// A token means nothing by itself: the kernel resolves it in the calling
// process's own space only, so a token can at worst name a capability the
// caller already holds. Stale tokens fail because a slot's generation
// changes whenever its capability goes; generations start at a per-space,
// per-slot pseudo-random value and spaces carry different tags, so a guessed
// token or one from another space matches a live slot with probability
// about 2^-40.
#ifndef VERIDIAN_SRC_CAP_TOKEN_H_
#define VERIDIAN_SRC_CAP_TOKEN_H_

#include <cstdint>

namespace vos {

enum class Token : uint64_t {};

// No capability has this token (its tag is 0).
inline constexpr Token kInvalidToken = Token{0};

namespace token {

inline constexpr unsigned kIndexBits = 24;
inline constexpr unsigned kGenerationShift = 24;
inline constexpr unsigned kTagShift = 56;
inline constexpr uint32_t kMaxSlots = 1u << kIndexBits;

constexpr Token Make(uint32_t index, uint32_t generation, uint8_t tag) {
  return Token{(uint64_t{tag} << kTagShift) | (uint64_t{generation} << kGenerationShift) |
               (index & (kMaxSlots - 1))};
}
constexpr uint32_t Index(Token t) { return static_cast<uint64_t>(t) & (kMaxSlots - 1); }
constexpr uint32_t Generation(Token t) {
  return static_cast<uint32_t>(static_cast<uint64_t>(t) >> kGenerationShift);
}
constexpr uint8_t Tag(Token t) { return static_cast<uint8_t>(static_cast<uint64_t>(t) >> kTagShift); }

}  // namespace token
}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_TOKEN_H_
