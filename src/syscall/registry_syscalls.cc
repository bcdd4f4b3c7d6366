// Registry syscalls: registry_register, registry_lookup, registry_unregister,
// registry_force_unregister on the kernel's service registry. Names come from
// user memory (at most abi::kMaxServiceName bytes); the registrant is the
// calling process, so only it can unregister a name, and its death removes
// them all; a holder of the registry's own capability with the admin right
// can remove any.
#include <cstdint>

#include "src/abi/syscall.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"
#include "src/syscall/service_registry.h"
#include "src/syscall/tokens.h"

namespace vos {
namespace {

static_assert(abi::kMaxServiceName == Registry::kMaxNameLength);
static_assert(abi::kRightEndpointRegister == static_cast<uint64_t>(rights::kEndpointRegister));
static_assert(abi::kRightRegistryAdmin == static_cast<uint64_t>(rights::kRegistryAdmin));
static_assert(static_cast<uint32_t>(abi::ObjectType::kRegistry) ==
              static_cast<uint32_t>(ObjectType::kRegistry));

// Constant-initialised and never destroyed: no exit-time work in any kernel.
union RegistryStorage {
  constexpr RegistryStorage() : registry() {}
  ~RegistryStorage() {}
  Registry registry;
};
constinit RegistryStorage registry_storage;

}  // namespace

Registry& ServiceRegistry() { return registry_storage.registry; }

namespace syscall {
namespace {

// A name argument copied into `name`; kInvalidArgument for a bad length or
// buffer.
struct Name {
  char bytes[abi::kMaxServiceName];
  uint64_t length = 0;
  std::span<const char> span() const { return {bytes, length}; }
};

Status ReadName(UserThread& self, uint64_t address, uint64_t length, Name& out) {
  if (length == 0 || length > abi::kMaxServiceName) return Status::kInvalidArgument;
  ScopedUserAccess access(self);
  if (!access.CopyIn(out.bytes, address, length)) return Status::kInvalidArgument;
  out.length = length;
  return Status::kOk;
}

}  // namespace

int64_t RegistryRegister(UserThread& self, Args args) {
  if (args[3] > abi::kAllRights) return Error(Status::kInvalidArgument);
  Name name;
  if (Status status = ReadName(self, args[1], args[2], name); !IsOk(status)) {
    return Error(status);
  }
  return Error(ServiceRegistry().Register(self.process().capabilities(), TokenArgument(args[0]),
                                          name.span(), static_cast<Rights>(args[3]),
                                          self.process().id().value));
}

int64_t RegistryLookup(UserThread& self, Args args) {
  if (args[2] > abi::kAllRights) return Error(Status::kInvalidArgument);
  Name name;
  if (Status status = ReadName(self, args[0], args[1], name); !IsOk(status)) {
    return Error(status);
  }
  Result<Token> token = ServiceRegistry().LookupInto(name.span(), self.process().capabilities(),
                                                     static_cast<Rights>(args[2]));
  if (!token.ok()) return Error(token.status());
  return TokenResult(*token);
}

int64_t RegistryUnregister(UserThread& self, Args args) {
  Name name;
  if (Status status = ReadName(self, args[0], args[1], name); !IsOk(status)) {
    return Error(status);
  }
  return Error(ServiceRegistry().Unregister(name.span(), self.process().id().value));
}

int64_t RegistryForceUnregister(UserThread& self, Args args) {
  Result<ObjectRef<Registry>> registry =
      AcquireArgument<Registry>(self, args[0], rights::kRegistryAdmin);
  if (!registry.ok()) return Error(registry.status());
  Name name;
  if (Status status = ReadName(self, args[1], args[2], name); !IsOk(status)) {
    return Error(status);
  }
  return Error((*registry)->ForceUnregister(name.span()));
}

}  // namespace syscall
}  // namespace vos
