// cap_revoke and revoke_victim: revoking a capability while the children
// it was lent to are using it.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::Status;
using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

// revoke_victim's codes besides the error that ended its use.
constexpr int64_t kNeverWorked = 100;
constexpr int64_t kNeverRevoked = 101;
constexpr uint64_t kVictimRounds = 1'000'000;

// --- revoke_victim work ready: ups semaphore `work` (a lent capability),
// then `ready` once, then `work` again and again until that fails; exits
// with the error (kBadHandle once revoked), 100 if `work` never worked,
// 101 if it never failed.
int64_t Victim(Args args) {
  const uint64_t work = Arg(args, 0);
  const uint64_t ready = Arg(args, 1);
  if (user::SemaphoreUp(work, 1) != 0) return kNeverWorked;
  if (const int64_t told = user::SemaphoreUp(ready, 1); told != 0) return told;
  for (uint64_t i = 0; i < kVictimRounds; ++i) {
    if (const int64_t result = user::SemaphoreUp(work, 1); result != 0) return result;
    user::Yield();
  }
  return kNeverRevoked;
}

// --- cap_revoke children: lends `children` revoke_victims a capability
// derived from its semaphore's, revokes it while they use it, and checks
// that each then failed with kBadHandle while its own capabilities (the
// root and the revoked one itself) still work. Exits 0, or: 1 a victim
// ended otherwise, 2 a capability of its own stopped working or an object
// could not be made, 3 a child could not be started, 4 bad arguments.
constexpr uint64_t kMaxVictims = 64;

int64_t CapRevoke(Args args) {
  const uint64_t children = Arg(args, 0);
  if (children == 0 || children > kMaxVictims) return 4;
  const int64_t work = user::SemaphoreCreate(0);
  const int64_t ready = user::SemaphoreCreate(0);
  if (work <= 0 || ready <= 0) return 2;
  const int64_t lent = user::CapDerive(static_cast<uint64_t>(work),
                                       abi::kRightWrite | abi::kRightGrant);
  if (lent <= 0) return 2;
  uint64_t victims[kMaxVictims];
  for (uint64_t i = 0; i < children; ++i) {
    const uint64_t grants[] = {static_cast<uint64_t>(lent), static_cast<uint64_t>(ready)};
    const int64_t child = SpawnGranting("revoke_victim", nullptr, 0, grants, 2);
    if (child <= 0) return 3;
    victims[i] = static_cast<uint64_t>(child);
  }
  // Every victim has used its copy; they keep using it while it goes.
  for (uint64_t i = 0; i < children; ++i) {
    if (user::SemaphoreDown(static_cast<uint64_t>(ready)) != 0) return 2;
  }
  if (user::CapRevoke(static_cast<uint64_t>(lent)) != 0) return 2;
  int64_t result = 0;
  for (uint64_t i = 0; i < children; ++i) {
    const vos::Result<abi::ExitStatus> status = WaitChild(victims[i], kBuffers);
    if (!status.ok()) return 3;
    if (!ExitedWith(status.value(), Code(Status::kBadHandle))) result = 1;
    if (user::CapDelete(victims[i]) != 0) result = 2;
  }
  // Revoking removed what was derived from `lent`, not `lent` itself.
  if (user::SemaphoreUp(static_cast<uint64_t>(lent), 1) != 0) return 2;
  if (user::SemaphoreDown(static_cast<uint64_t>(work)) != 0) return 2;
  return result;
}

}  // namespace

const vos::user::Entry kCapRevoke = &vos::user::ProgramEntry<CapRevoke>;
const vos::user::Entry kRevokeVictim = &vos::user::ProgramEntry<Victim>;

}  // namespace programs
