// Capability rights: what the holder of a capability may do with its object.
// Rights are only ever masked, never added: a derived or transferred
// capability has a subset of its source's rights.
#ifndef VERIDIAN_SRC_CAP_RIGHTS_H_
#define VERIDIAN_SRC_CAP_RIGHTS_H_

#include <cstdint>

namespace vos {

// 16 bits: bits 0..7 are generic, bits 8..15 mean something per object type.
enum class Rights : uint16_t {
  kNone = 0,
  kRead = 1 << 0,
  kWrite = 1 << 1,
  // May be transferred (copied or moved) into another capability space.
  kGrant = 1 << 2,
  // May mint derived capabilities (children in the derivation tree).
  kDerive = 1 << 3,
  kAll = 0xffff,
};

constexpr Rights operator|(Rights a, Rights b) {
  return static_cast<Rights>(static_cast<uint16_t>(a) | static_cast<uint16_t>(b));
}
constexpr Rights operator&(Rights a, Rights b) {
  return static_cast<Rights>(static_cast<uint16_t>(a) & static_cast<uint16_t>(b));
}
constexpr Rights operator~(Rights a) { return static_cast<Rights>(~static_cast<uint16_t>(a)); }

// True when every right in `wanted` is in `held`.
constexpr bool HasRights(Rights held, Rights wanted) { return (wanted & ~held) == Rights::kNone; }

// The n-th right specific to an object type (n in 0..7).
constexpr Rights TypeRight(unsigned n) { return static_cast<Rights>(1u << (8 + n)); }

// Per-type rights. Bits overlap between types; a right is only checked
// together with the object's type.
namespace rights {
inline constexpr Rights kProcessCreateThread = TypeRight(0);
inline constexpr Rights kProcessKill = TypeRight(1);
inline constexpr Rights kThreadSuspend = TypeRight(0);
inline constexpr Rights kThreadSetPriority = TypeRight(1);
inline constexpr Rights kMemoryMap = TypeRight(0);
inline constexpr Rights kMemoryExecute = TypeRight(1);
inline constexpr Rights kEndpointSend = TypeRight(0);
inline constexpr Rights kEndpointReceive = TypeRight(1);
inline constexpr Rights kEndpointRegister = TypeRight(2);
inline constexpr Rights kChannelSend = TypeRight(0);
inline constexpr Rights kChannelReceive = TypeRight(1);
inline constexpr Rights kChannelConfigure = TypeRight(2);
inline constexpr Rights kChannelRegister = TypeRight(3);
inline constexpr Rights kSharedMemoryMap = TypeRight(0);
inline constexpr Rights kRegistryAdmin = TypeRight(0);  // Unregister any name.
}  // namespace rights

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_RIGHTS_H_
