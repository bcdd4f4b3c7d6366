#include "src/ipc/registry.h"

#include <algorithm>

#include "src/lib/assert.h"

namespace vos {
namespace {

bool SameName(std::span<const char> a, const char* b, size_t b_length) {
  return a.size() == b_length && std::equal(a.begin(), a.end(), b);
}

// The right that lets an object of `type` be registered.
Result<Rights> RegisterRight(ObjectType type) {
  switch (type) {
    case ObjectType::kEndpoint: return rights::kEndpointRegister;
    case ObjectType::kChannel: return rights::kChannelRegister;
    default: return Status::kInvalidArgument;
  }
}

}  // namespace

void Registry::NeverReleased(KernelObject& object) {
  VOS_ASSERT_MSG(false, "registry %p released by its capabilities", static_cast<void*>(&object));
}

Registry::~Registry() {
  SpinLockGuard guard(lock_);
  for (Slot& slot : slots_) {
    if (slot.object != nullptr) slot.object->Release();
    slot = Slot{};
  }
  size_ = 0;
}

size_t Registry::HomeOf(std::span<const char> name) {
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits.
  for (char c : name) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ull;
  }
  return static_cast<size_t>(hash ^ (hash >> 32)) & (kSlots - 1);
}

Registry::Slot* Registry::FindLocked(std::span<const char> name) {
  for (size_t i = HomeOf(name);; i = (i + 1) & (kSlots - 1)) {
    Slot& slot = slots_[i];
    // At most half the slots are used, so every run ends at a free one.
    if (slot.object == nullptr) return nullptr;
    if (SameName(name, slot.name.data(), slot.name_length)) return &slot;
  }
}

Status Registry::Register(CapabilitySpace& caps, Token object, std::span<const char> name,
                          Rights rights, OwnerId owner) {
  Rights held = Rights::kNone;
  Result<ObjectRef<KernelObject>> acquired =
      caps.AcquireObject(object, ObjectType::kNone, Rights::kNone, &held);
  if (!acquired.ok()) return acquired.status();
  Result<Rights> needed = RegisterRight((*acquired)->type());
  if (!needed.ok()) return needed.status();
  if (!HasRights(held, *needed) || !HasRights(held, rights)) return Status::kPermissionDenied;
  return RegisterObject(**acquired, name, rights, owner);
}

Status Registry::RegisterObject(KernelObject& object, std::span<const char> name, Rights rights,
                                OwnerId owner) {
  if (!ValidName(name)) return Status::kInvalidArgument;
  SpinLockGuard guard(lock_);
  if (FindLocked(name) != nullptr) return Status::kAlreadyExists;
  if (size_ == kCapacity) return Status::kOutOfRange;
  size_t i = HomeOf(name);
  while (slots_[i].object != nullptr) i = (i + 1) & (kSlots - 1);
  Slot& slot = slots_[i];
  object.AddReference();
  slot.object = &object;
  slot.owner = owner;
  slot.rights = rights;
  slot.name_length = static_cast<uint8_t>(name.size());
  std::copy(name.begin(), name.end(), slot.name.begin());
  ++size_;
  return Status::kOk;
}

Result<Registry::Service> Registry::Lookup(std::span<const char> name) {
  if (!ValidName(name)) return Status::kInvalidArgument;
  SpinLockGuard guard(lock_);
  const Slot* slot = FindLocked(name);
  if (slot == nullptr) return Status::kNotFound;
  slot->object->AddReference();
  return Service{ObjectRef<KernelObject>::Adopt(slot->object), slot->rights};
}

Result<Token> Registry::LookupInto(std::span<const char> name, CapabilitySpace& caps,
                                   Rights rights) {
  Result<Service> service = Lookup(name);
  if (!service.ok()) return service.status();
  if (!HasRights(service->rights, rights)) return Status::kPermissionDenied;
  return caps.Insert(*service->object, rights);
}

KernelObject* Registry::EraseLocked(Slot& erased) {
  KernelObject* object = erased.object;
  // Backward shift: move each later entry of the run into the hole unless
  // its home lies cyclically in (hole, entry], where it would not be found.
  size_t hole = static_cast<size_t>(&erased - slots_);
  for (size_t i = (hole + 1) & (kSlots - 1); slots_[i].object != nullptr;
       i = (i + 1) & (kSlots - 1)) {
    const size_t home = HomeOf({slots_[i].name.data(), slots_[i].name_length});
    const bool stays = ((i - home) & (kSlots - 1)) < ((i - hole) & (kSlots - 1));
    if (stays) continue;
    slots_[hole] = slots_[i];
    hole = i;
  }
  slots_[hole] = Slot{};
  --size_;
  return object;
}

Status Registry::UnregisterIf(std::span<const char> name, bool any_owner, OwnerId caller) {
  if (!ValidName(name)) return Status::kInvalidArgument;
  KernelObject* released;
  {
    SpinLockGuard guard(lock_);
    Slot* slot = FindLocked(name);
    if (slot == nullptr) return Status::kNotFound;
    if (!any_owner && slot->owner != caller) return Status::kPermissionDenied;
    released = EraseLocked(*slot);
  }
  // Outside the lock: the release function may free the object.
  released->Release();
  return Status::kOk;
}

Status Registry::Unregister(std::span<const char> name, OwnerId caller) {
  return UnregisterIf(name, false, caller);
}

Status Registry::ForceUnregister(std::span<const char> name) {
  return UnregisterIf(name, true, 0);
}

size_t Registry::UnregisterOwner(OwnerId owner) {
  size_t removed = 0;
  for (;;) {
    KernelObject* released = nullptr;
    {
      SpinLockGuard guard(lock_);
      for (Slot& slot : slots_) {
        if (slot.object != nullptr && slot.owner == owner) {
          released = EraseLocked(slot);
          break;
        }
      }
    }
    if (released == nullptr) return removed;
    released->Release();
    ++removed;
  }
}

size_t Registry::size() {
  SpinLockGuard guard(lock_);
  return size_;
}

}  // namespace vos
