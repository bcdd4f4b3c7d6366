#include "src/cap/transfer.h"

namespace vos {

Result<Token> CopyCapability(CapabilitySpace& from, Token source, CapabilitySpace& to,
                             Rights rights) {
  return CapabilitySpace::Mint(from, source, rights, Rights::kGrant, to);
}

Result<Token> CopyCapability(CapabilitySpace& from, Token source, CapabilitySpace& to) {
  return CapabilitySpace::Mint(from, source, std::nullopt, Rights::kGrant, to);
}

Result<Token> MoveCapability(CapabilitySpace& from, Token source, CapabilitySpace& to) {
  return CapabilitySpace::MoveTo(from, source, to);
}

}  // namespace vos
