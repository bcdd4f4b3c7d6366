// Zero-copy IPC: a shared-memory object owns physically contiguous frames
// that several address spaces map at once, each with permissions no greater
// than its capability allows.
//
// Placement: frames come from a chosen NUMA node (the receiving CPU's, via
// NodeOfCpu), falling back to the nearest node with room.
//
// Lifetime. The object owns its frames. Every mapping (SharedMapping)
// holds a reference to the object, as every capability does, and unmaps
// (with its TLB shootdown) before dropping it; so the frames go back to the
// allocator only when the last capability, reference and mapping are all
// gone, and no CPU can still reach them. A mapping is a sealed kPhysical
// region of the address space: the process layer must keep the
// SharedMapping for as long as the region exists (unmapping through it).
// Sealing makes AddressSpace::Protect refuse to widen (or change) its
// permissions and CloneInto refuse to copy it without a reference: map the
// object into a child anew.
#ifndef VERIDIAN_SRC_IPC_SHARED_MEMORY_H_
#define VERIDIAN_SRC_IPC_SHARED_MEMORY_H_

#include <cstdint>

#include "src/cap/capability_space.h"
#include "src/cap/object.h"
#include "src/cap/rights.h"
#include "src/cap/token.h"
#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/mm/address_space.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/pte_format.h"

namespace vos {

class SharedMemory final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kSharedMemory;
  // What the creator's capability carries.
  static constexpr Rights kCreatorRights = Rights::kRead | Rights::kWrite | Rights::kGrant |
                                           Rights::kDerive | rights::kSharedMemoryMap;
  // 256 MiB: one object may not take a node's memory by itself.
  static constexpr uint64_t kMaxPages = 65536;

  // `pages` zeroed contiguous frames, on `node` (kCurrentNode: the calling
  // CPU's) or the nearest node with room. kInvalidArgument for 0 or more
  // than kMaxPages pages or a node the machine lacks; kNoMemory.
  static Result<ObjectRef<SharedMemory>> Create(uint64_t pages, uint32_t node = kCurrentNode);
  // The node to place memory for a receiver running on `cpu`.
  static uint32_t NodeOfCpu(hal::CpuId cpu) { return Frames().CpuNode(cpu); }

  hal::PhysAddr base() const { return base_; }
  uint64_t pages() const { return pages_; }
  uint64_t size() const { return pages_ * hal::kPageSize; }
  // The NUMA node the frames are on.
  uint32_t node() const { return node_; }

 private:
  SharedMemory(hal::PhysAddr base, uint64_t pages, uint32_t node)
      : KernelObject(kType, &Destroy), base_(base), pages_(pages), node_(node) {}
  static void Destroy(KernelObject& object);

  const hal::PhysAddr base_;
  const uint64_t pages_;
  const uint32_t node_;
};

// One mapping of a SharedMemory object into an address space, which must
// outlive it. Move-only; destroying it unmaps.
class SharedMapping {
 public:
  SharedMapping() = default;
  SharedMapping(SharedMapping&& other);
  SharedMapping& operator=(SharedMapping&& other);
  ~SharedMapping() { Unmap(); }

  hal::VirtAddr address() const { return address_; }
  uint64_t size() const { return memory_ ? memory_->size() : 0; }
  Perm perms() const { return perms_; }
  bool mapped() const { return static_cast<bool>(memory_); }

  // Unmaps the range (the parts still this object's regions: a region the
  // owner replaced is left alone) and drops the reference. Idempotent.
  void Unmap();

 private:
  friend Result<SharedMapping> MapSharedMemory(ObjectRef<SharedMemory> memory, Rights held,
                                               AddressSpace& space, hal::VirtAddr va,
                                               Perm perms);

  ObjectRef<SharedMemory> memory_;
  AddressSpace* space_ = nullptr;
  hal::VirtAddr address_ = 0;
  Perm perms_ = Perm::kNone;
};

// Maps all of `memory` into `space` at `va` (0: anywhere) with `perms`,
// given the rights `held` of the capability it came from: it needs
// rights::kSharedMemoryMap and Rights::kRead, and Rights::kWrite for
// Perm::kWrite; shared memory is never executable. kPermissionDenied when
// the rights do not allow `perms`; kInvalidArgument for perms without
// kRead; the errors of AddressSpace::Map.
Result<SharedMapping> MapSharedMemory(ObjectRef<SharedMemory> memory, Rights held,
                                      AddressSpace& space, hal::VirtAddr va, Perm perms);
// The same for the object `token` names in `caps`; the capability's errors
// first (kBadHandle, kInvalidArgument for another type, kPermissionDenied).
Result<SharedMapping> MapSharedMemory(CapabilitySpace& caps, Token token, AddressSpace& space,
                                      hal::VirtAddr va, Perm perms);

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_SHARED_MEMORY_H_
