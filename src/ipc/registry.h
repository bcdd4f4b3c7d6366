// The service registry: names -> kernel objects (endpoints and channels), so
// a client can find a server it holds no capability to yet.
//
// Authority. Registering needs a capability to the endpoint with
// rights::kEndpointRegister (to the channel with rights::kChannelRegister); the
// entry publishes `rights`, which must be a subset of that capability's, and
// keeps its own reference to the object. A lookup yields the object and those
// rights, and a client can mint from it a capability with at most them
// (LookupInto). An entry is removed by its registrant only (the owner id the
// kernel recorded, the registering process's id), by UnregisterOwner when that
// process dies, or by ForceUnregister, which the syscall layer reserves to
// holders of a capability to the registry itself (it is a kernel object of type
// kRegistry) with rights::kRegistryAdmin: an administrator. Revoking the
// registrant's capability does not withdraw the name: an entry is a root of
// authority of its own until unregistered.
//
// Structure: a fixed table of 2 * kCapacity slots, open addressing with
// linear probing from a fixed hash (FNV-1a) of the name, and backward-shift
// deletion (no tombstones), so a lookup probes a short run of slots whatever
// the history: O(1) expected at a load factor of at most 1/2. Nothing
// depends on addresses, so every run is deterministic. One lock guards the
// table; a lookup holds it only to find the slot and take a reference.
#ifndef VERIDIAN_SRC_IPC_REGISTRY_H_
#define VERIDIAN_SRC_IPC_REGISTRY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "src/cap/capability_space.h"
#include "src/cap/object.h"
#include "src/cap/rights.h"
#include "src/cap/token.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class Registry final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kRegistry;
  static constexpr size_t kCapacity = 256;
  static constexpr size_t kMaxNameLength = 64;
  // Who registered a name: the kernel's id of the registering process.
  using OwnerId = uint64_t;

  struct Service {
    ObjectRef<KernelObject> object;
    Rights rights;  // The most a capability minted from it may carry.
  };

  // Capabilities to it hold references, which never drop the last one:
  // the registry's owner keeps it and destroys it.
  constexpr Registry() : KernelObject(kType, &NeverReleased) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  // Drops the references of the entries left.
  ~Registry();

  // Registers the endpoint or channel `object` names in `caps` under
  // `name`, publishing `rights`. kBadHandle / kInvalidArgument (neither an
  // endpoint nor a channel) / kPermissionDenied (no rights::kEndpointRegister
  // or rights::kChannelRegister, or `rights` beyond the capability's) from
  // the capability; kInvalidArgument for an empty name or one longer than
  // kMaxNameLength; kAlreadyExists; kOutOfRange when full.
  Status Register(CapabilitySpace& caps, Token object, std::span<const char> name,
                  Rights rights, OwnerId owner);
  // The same without a capability check: for the kernel's own services.
  Status RegisterObject(KernelObject& object, std::span<const char> name, Rights rights,
                        OwnerId owner);

  // The service named `name`; kNotFound, kInvalidArgument for a bad name.
  Result<Service> Lookup(std::span<const char> name);
  // Looks `name` up and inserts into `caps` a capability with `rights`,
  // which must be a subset of the published ones (else kPermissionDenied).
  Result<Token> LookupInto(std::span<const char> name, CapabilitySpace& caps, Rights rights);

  // Removes `name` if `caller` registered it: kNotFound, kPermissionDenied.
  Status Unregister(std::span<const char> name, OwnerId caller);
  // Removes `name` whoever registered it (see the class comment).
  Status ForceUnregister(std::span<const char> name);
  // Removes every name `owner` registered (its process died); returns how
  // many.
  size_t UnregisterOwner(OwnerId owner);

  size_t size();

 private:
  static constexpr size_t kSlots = 2 * kCapacity;
  static_assert((kSlots & (kSlots - 1)) == 0, "slots are a power of two");

  struct Slot {
    KernelObject* object = nullptr;  // Holds a reference; null when free.
    OwnerId owner = 0;
    Rights rights = Rights::kNone;
    uint8_t name_length = 0;
    std::array<char, kMaxNameLength> name{};
  };

  static void NeverReleased(KernelObject& object);
  static bool ValidName(std::span<const char> name) {
    return !name.empty() && name.size() <= kMaxNameLength;
  }
  static size_t HomeOf(std::span<const char> name);
  // The slot holding `name`, or null.
  Slot* FindLocked(std::span<const char> name) VOS_REQUIRES(lock_);
  // Empties `slot` (dropping its reference after the lock goes: returned)
  // and shifts later entries of its run back.
  KernelObject* EraseLocked(Slot& slot) VOS_REQUIRES(lock_);
  Status UnregisterIf(std::span<const char> name, bool any_owner, OwnerId caller);

  SpinLock lock_;
  Slot slots_[kSlots] VOS_GUARDED_BY(lock_);
  size_t size_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_REGISTRY_H_
