// Capability syscalls: cap_inspect, cap_derive, cap_delete, cap_revoke.
#include "src/abi/syscall.h"
#include "src/cap/capability_space.h"
#include "src/proc/process_object.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

// The ABI spells out the kernel's object types and rights.
static_assert(static_cast<uint32_t>(abi::ObjectType::kProcess) ==
              static_cast<uint32_t>(ObjectType::kProcess));
static_assert(static_cast<uint32_t>(abi::ObjectType::kThread) ==
              static_cast<uint32_t>(ObjectType::kThread));
static_assert(static_cast<uint32_t>(abi::ObjectType::kAddressSpace) ==
              static_cast<uint32_t>(ObjectType::kAddressSpace));
static_assert(static_cast<uint32_t>(abi::ObjectType::kMemoryRegion) ==
              static_cast<uint32_t>(ObjectType::kMemoryRegion));
static_assert(static_cast<uint32_t>(abi::ObjectType::kEndpoint) ==
              static_cast<uint32_t>(ObjectType::kEndpoint));
static_assert(static_cast<uint32_t>(abi::ObjectType::kChannel) ==
              static_cast<uint32_t>(ObjectType::kChannel));
static_assert(static_cast<uint32_t>(abi::ObjectType::kSharedMemory) ==
              static_cast<uint32_t>(ObjectType::kSharedMemory));
static_assert(static_cast<uint32_t>(abi::ObjectType::kInterrupt) ==
              static_cast<uint32_t>(ObjectType::kInterrupt));
static_assert(abi::kRightRead == static_cast<uint64_t>(Rights::kRead));
static_assert(abi::kRightWrite == static_cast<uint64_t>(Rights::kWrite));
static_assert(abi::kRightGrant == static_cast<uint64_t>(Rights::kGrant));
static_assert(abi::kRightDerive == static_cast<uint64_t>(Rights::kDerive));
static_assert(abi::kRightProcessCreateThread ==
              static_cast<uint64_t>(rights::kProcessCreateThread));
static_assert(abi::kRightProcessKill == static_cast<uint64_t>(rights::kProcessKill));
static_assert(abi::kAllRights == static_cast<uint64_t>(Rights::kAll));
static_assert(abi::kChildRights == static_cast<uint64_t>(ProcessObject::kChildRights));
static_assert(abi::kThreadRights == static_cast<uint64_t>(ThreadObject::kCreatorRights));

CapabilitySpace& SpaceOf(UserThread& self) { return self.process().capabilities(); }

}  // namespace

int64_t CapInspect(UserThread& self, Args args) {
  Result<CapabilitySpace::Info> info = SpaceOf(self).Inspect(TokenArgument(args[0]));
  if (!info.ok()) return Error(info.status());
  const abi::CapabilityInfo out{static_cast<abi::ObjectType>(info->type),
                                static_cast<uint32_t>(info->rights)};
  ScopedUserAccess access(self);
  if (!access.CopyOut(args[1], &out, sizeof(out))) return Error(Status::kInvalidArgument);
  return 0;
}

int64_t CapDerive(UserThread& self, Args args) {
  if (args[1] > abi::kAllRights) return Error(Status::kInvalidArgument);
  Result<Token> token =
      SpaceOf(self).Derive(TokenArgument(args[0]), static_cast<Rights>(args[1]));
  if (!token.ok()) return Error(token.status());
  return TokenResult(*token);
}

int64_t CapDelete(UserThread& self, Args args) {
  return Error(SpaceOf(self).Delete(TokenArgument(args[0])));
}

int64_t CapRevoke(UserThread& self, Args args) {
  return Error(SpaceOf(self).Revoke(TokenArgument(args[0])));
}

}  // namespace vos::syscall
