#include "src/ipc/shared_memory.h"

#include <new>
#include <utility>

#include "src/cap/heap_object.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/lib/assert.h"

namespace vos {
namespace {

void FreeFramesOrPanic(hal::PhysAddr base, uint64_t pages) {
  const Status freed = Frames().Free(base, pages);
  VOS_ASSERT_MSG(IsOk(freed), "freeing shared memory at 0x%lx: %s",
                 static_cast<unsigned long>(base), StatusName(freed));
}

// The node of the usable memory holding `address`.
uint32_t NodeOf(hal::PhysAddr address) {
  const hal::MemoryMap& map = hal::GetMemoryMap();
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    if (region.type == hal::MemoryType::kUsable && address >= region.base &&
        address - region.base < region.size) {
      return region.numa_node;
    }
  }
  VOS_ASSERT_MSG(false, "frame 0x%lx outside usable memory", static_cast<unsigned long>(address));
  return 0;
}

}  // namespace

Result<ObjectRef<SharedMemory>> SharedMemory::Create(uint64_t pages, uint32_t node) {
  if (pages == 0 || pages > kMaxPages) return Status::kInvalidArgument;
  if (node != kCurrentNode && node >= Frames().node_count()) return Status::kInvalidArgument;
  Result<hal::PhysAddr> base = Frames().Alloc({.count = pages, .node = node});
  if (!base.ok()) return base.status();
  Result<ObjectRef<SharedMemory>> object = NewHeapObject<SharedMemory>([&](void* memory) {
    return new (memory) SharedMemory(*base, pages, NodeOf(*base));
  });
  if (!object.ok()) {
    FreeFramesOrPanic(*base, pages);
    return object.status();
  }
  // Zeroed: the frames may hold another process's data.
  __builtin_memset(hal::PhysToVirt(*base), 0, pages * hal::kPageSize);
  return object;
}

void SharedMemory::Destroy(KernelObject& object) {
  SharedMemory& self = static_cast<SharedMemory&>(object);
  FreeFramesOrPanic(self.base_, self.pages_);
  DeleteHeapObject<SharedMemory>(object);
}

SharedMapping::SharedMapping(SharedMapping&& other)
    : memory_(std::move(other.memory_)),
      space_(std::exchange(other.space_, nullptr)),
      address_(std::exchange(other.address_, 0)),
      perms_(std::exchange(other.perms_, Perm::kNone)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) {
  if (this != &other) {
    Unmap();
    memory_ = std::move(other.memory_);
    space_ = std::exchange(other.space_, nullptr);
    address_ = std::exchange(other.address_, 0);
    perms_ = std::exchange(other.perms_, Perm::kNone);
  }
  return *this;
}

void SharedMapping::Unmap() {
  if (!memory_) return;
  // Only regions still mapping this object's frames at their offsets: the
  // owner may have unmapped part of the range and mapped something else.
  const hal::VirtAddr end = address_ + memory_->size();
  for (hal::VirtAddr at = address_; at < end;) {
    const std::optional<Region> region = space_->FindRegion(at);
    if (!region.has_value()) {
      at += hal::kPageSize;
      continue;
    }
    const hal::VirtAddr stop = region->end < end ? region->end : end;
    if (region->kind == RegionKind::kPhysical && region->start >= address_ &&
        region->phys == memory_->base() + (region->start - address_)) {
      // Unmap returns after the shootdown: no CPU reaches the frames after.
      const Status unmapped = space_->Unmap(at, stop - at);
      VOS_ASSERT_MSG(IsOk(unmapped), "unmapping shared memory: %s", StatusName(unmapped));
    }
    at = stop;
  }
  memory_.Reset();
  space_ = nullptr;
  address_ = 0;
  perms_ = Perm::kNone;
}

Result<SharedMapping> MapSharedMemory(ObjectRef<SharedMemory> memory, Rights held,
                                      AddressSpace& space, hal::VirtAddr va, Perm perms) {
  VOS_ASSERT(memory);
  const Perm allowed = Perm::kRead | Perm::kWrite | Perm::kExecute;
  if (!HasPerm(perms, Perm::kRead) || (perms & allowed) != perms) {
    return Status::kInvalidArgument;
  }
  Rights needed = rights::kSharedMemoryMap | Rights::kRead;
  if (HasPerm(perms, Perm::kWrite)) needed = needed | Rights::kWrite;
  if (!HasRights(held, needed) || HasPerm(perms, Perm::kExecute)) {
    return Status::kPermissionDenied;
  }
  Result<hal::VirtAddr> address =
      space.MapSealed(va, memory->size(), perms, memory->base());
  if (!address.ok()) return address.status();
  SharedMapping mapping;
  mapping.memory_ = std::move(memory);
  mapping.space_ = &space;
  mapping.address_ = *address;
  mapping.perms_ = perms;
  return mapping;
}

Result<SharedMapping> MapSharedMemory(CapabilitySpace& caps, Token token, AddressSpace& space,
                                      hal::VirtAddr va, Perm perms) {
  Rights held = Rights::kNone;
  Result<ObjectRef<KernelObject>> object =
      caps.AcquireObject(token, SharedMemory::kType, rights::kSharedMemoryMap, &held);
  if (!object.ok()) return object.status();
  auto memory = ObjectRef<SharedMemory>::Adopt(static_cast<SharedMemory*>(object->Leak()));
  return MapSharedMemory(std::move(memory), held, space, va, perms);
}

}  // namespace vos
