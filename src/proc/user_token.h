// Capability tokens as user space sees them (src/abi/syscall.h): >= 0 as an
// int64_t, since results < 0 are errors. A kernel Token's top byte is its
// space's tag (1..255), but a process holds at most abi::kMaxCapabilities =
// 2^23 capabilities, so bit 23 of a token's slot index is always clear: the
// user form moves bit 63 there.
#ifndef VERIDIAN_SRC_PROC_USER_TOKEN_H_
#define VERIDIAN_SRC_PROC_USER_TOKEN_H_

#include <cstdint>

#include "src/abi/syscall.h"
#include "src/cap/token.h"

namespace vos {

inline constexpr unsigned kUserTokenMovedBit = 23;
static_assert(abi::kMaxCapabilities <= (uint32_t{1} << kUserTokenMovedBit) &&
              kUserTokenMovedBit < token::kIndexBits);

constexpr uint64_t ToUserToken(Token token) {
  const uint64_t value = static_cast<uint64_t>(token);
  return (value & ~(uint64_t{1} << 63)) | ((value >> 63) << kUserTokenMovedBit);
}

// Values no token has (bit 63 set) give kInvalidToken, which every space
// rejects with kBadHandle.
constexpr Token FromUserToken(uint64_t value) {
  if ((value >> 63) != 0) return kInvalidToken;
  const uint64_t moved = (value >> kUserTokenMovedBit) & 1;
  return Token{(value & ~(uint64_t{1} << kUserTokenMovedBit)) | (moved << 63)};
}

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_USER_TOKEN_H_
