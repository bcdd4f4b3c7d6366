// registry_admin: an administrator removes a name it did not register with
// registry_force_unregister. Its authority is the capability to the registry
// that the runner grants to a [[program]] with registry_admin = true (its
// last argument). A child, ra_squatter, registers "squat" and blocks; once
// the name shows: a child holding the registry capability without the
// admin right (ra_no_admin), a forged token and an unknown name are
// refused; the forced unregister removes "squat" while the squatter lives
// on; then the squatter is killed and reaped.
// Exit codes: exit_codes.h's (kNoChild, kCallFailed) and those below.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::Status;
using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

// The last argument is no registry capability with the admin right: the
// scenario did not set registry_admin.
constexpr int64_t kNoAdminToken = 10;
constexpr int64_t kNeverRegistered = 11;     // "squat" never appeared.
constexpr int64_t kNotAdminAllowed = 12;     // ra_no_admin was not refused.
constexpr int64_t kForgedAllowed = 13;       // A forged token: not kBadHandle.
constexpr int64_t kUnknownNameAllowed = 14;  // An unknown name: not kNotFound.
constexpr int64_t kRefusalsRemovedIt = 15;   // "squat" went with a refused call.
constexpr int64_t kForceFailed = 16;         // The forced unregister failed.
constexpr int64_t kStillRegistered = 17;     // "squat" is found after it.
constexpr int64_t kSquatterEnded = 18;       // The squatter did not live on.
constexpr int64_t kSquatterNotKilled = 19;   // Its end is not the kill.

constexpr char kSquat[] = "squat";
constexpr uint64_t kSquatSize = sizeof(kSquat) - 1;
constexpr char kUnknown[] = "nobody-registered-this";
constexpr uint64_t kUnknownSize = sizeof(kUnknown) - 1;
constexpr uint64_t kNameAt = kBuffers;
constexpr uint64_t kInfoAt = kNameAt + 64;
constexpr uint64_t kWaitAt = kInfoAt + 64;
constexpr int64_t kKillCode = 9;

uint64_t Squat() { return Put(kNameAt, kSquat, kSquatSize); }

// Whether `token` names a registry capability with the admin right.
bool IsRegistryAdmin(uint64_t token) {
  if (user::CapInspect(token, kInfoAt) != 0) return false;
  abi::CapabilityInfo info;
  user::Load(kInfoAt, &info, sizeof(info));
  return info.type == abi::ObjectType::kRegistry && (info.rights & abi::kRightRegistryAdmin) != 0;
}

// ra_squatter: registers an endpoint as "squat" and blocks until killed.
int64_t Squatter(Args) {
  const int64_t endpoint = user::EndpointCreate();
  const int64_t semaphore = user::SemaphoreCreate(0);
  if (endpoint < 0 || semaphore < 0) return kNoObject;
  if (user::RegistryRegister(static_cast<uint64_t>(endpoint), Squat(), kSquatSize,
                             abi::kRightEndpointSend) != 0) {
    return kCallFailed;
  }
  user::SemaphoreDown(static_cast<uint64_t>(semaphore));
  return kBroken;  // Not reached: only the kill ends the wait.
}

// ra_no_admin: holds a registry capability without the admin right (its
// last argument), which must not remove "squat".
int64_t NoAdmin(Args args) {
  return user::RegistryForceUnregister(LastArg(args), Squat(), kSquatSize) ==
                 Code(Status::kPermissionDenied)
             ? 0
             : kBroken;
}

// The checks before the forced unregister: every call without the
// authority is refused, and the name stays.
int64_t CheckRefusals(uint64_t registry) {
  const int64_t weaker = user::CapDerive(registry, abi::kRightRead | abi::kRightGrant);
  if (weaker < 0) return kCallFailed;
  const uint64_t grant = static_cast<uint64_t>(weaker);
  const int64_t child = SpawnGranting("ra_no_admin", nullptr, 0, &grant, 1);
  if (child < 0) return kNoChild;
  const vos::Result<abi::ExitStatus> status = WaitChild(static_cast<uint64_t>(child), kWaitAt);
  if (!status.ok()) return kCallFailed;
  if (!ExitedWith(status.value(), 0)) return kNotAdminAllowed;
  if (user::RegistryForceUnregister(registry ^ 0x5a5a, Squat(), kSquatSize) !=
      Code(Status::kBadHandle)) {
    return kForgedAllowed;
  }
  if (user::RegistryForceUnregister(registry, Put(kNameAt, kUnknown, kUnknownSize),
                                    kUnknownSize) != Code(Status::kNotFound)) {
    return kUnknownNameAllowed;
  }
  return user::RegistryLookup(Squat(), kSquatSize, abi::kRightEndpointSend) >= 0
             ? 0
             : kRefusalsRemovedIt;
}

// The forced unregister of "squat", once the name shows and every call
// without the authority was refused; the squatter must live on.
int64_t RemoveSquat(uint64_t registry, uint64_t squatter) {
  if (LookUpUntilFound(kNameAt, kSquat, kSquatSize, abi::kRightEndpointSend) < 0) {
    return kNeverRegistered;
  }
  if (const int64_t failed = CheckRefusals(registry); failed != 0) return failed;
  if (user::RegistryForceUnregister(registry, Squat(), kSquatSize) != 0) return kForceFailed;
  if (user::RegistryLookup(Squat(), kSquatSize, abi::kRightEndpointSend) !=
      Code(Status::kNotFound)) {
    return kStillRegistered;
  }
  // Nothing to reap yet: losing its name did not end the squatter.
  return user::Wait(squatter, kWaitAt, abi::kWaitNoHang) == 0 ? 0 : kSquatterEnded;
}

int64_t Admin(Args args) {
  const uint64_t registry = LastArg(args);
  if (!IsRegistryAdmin(registry)) return kNoAdminToken;
  const int64_t spawned = SpawnWith("ra_squatter", nullptr, 0);
  if (spawned < 0) return kNoChild;
  const uint64_t squatter = static_cast<uint64_t>(spawned);
  const int64_t verdict = RemoveSquat(registry, squatter);
  // The squatter goes whatever the verdict: a failed check must not leave
  // the run blocked on it.
  const int64_t kill_result = user::Kill(squatter, kKillCode);
  const vos::Result<abi::ExitStatus> status = WaitChild(squatter, kWaitAt);
  if (verdict != 0) return verdict;
  if (kill_result != 0 || !status.ok()) return kCallFailed;
  const abi::ExitStatus& end = status.value();
  const bool killed_by_us = end.reason == abi::ExitReason::kKilled && end.code == kKillCode;
  return killed_by_us ? 0 : kSquatterNotKilled;
}

}  // namespace

const vos::user::Entry kRegistryAdmin = &vos::user::ProgramEntry<Admin>;
const vos::user::Entry kRaSquatter = &vos::user::ProgramEntry<Squatter>;
const vos::user::Entry kRaNoAdmin = &vos::user::ProgramEntry<NoAdmin>;

}  // namespace programs
