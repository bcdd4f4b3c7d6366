// Capability transfer between spaces: the hooks IPC uses to carry
// capabilities in messages.
#ifndef VERIDIAN_SRC_CAP_TRANSFER_H_
#define VERIDIAN_SRC_CAP_TRANSFER_H_

#include "src/cap/capability_space.h"
#include "src/cap/rights.h"
#include "src/cap/token.h"
#include "src/lib/status.h"

namespace vos {

// Both need Rights::kGrant on the source; both fail with kPeerClosed when
// `to` is being destroyed.
//
// Copy: a new capability in `to` with `rights` (a subset of the source's),
// derived from the source, so revoking the source (or an ancestor) revokes
// the copy too.
Result<Token> CopyCapability(CapabilitySpace& from, Token source, CapabilitySpace& to,
                             Rights rights);
// Copy with the source's own rights.
Result<Token> CopyCapability(CapabilitySpace& from, Token source, CapabilitySpace& to);
// Move: the capability leaves `from` (its token goes stale) and appears in
// `to` with the same rights and the same place in the derivation tree.
Result<Token> MoveCapability(CapabilitySpace& from, Token source, CapabilitySpace& to);

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_TRANSFER_H_
