// Shared-memory syscalls: shm_create, shm_map, shm_unmap
// (src/ipc/shared_memory.h). Each mapping is kept in the process's
// SharedMappings table, which holds its reference to the object and is
// emptied before the process's address space goes. Mappings are sealed
// regions: nothing can later widen their permissions, and they are never
// cloned without a reference.
#include <cstdint>

#include "src/abi/syscall.h"
#include "src/hal/cpu.h"
#include "src/ipc/shared_memory.h"
#include "src/mm/pte_format.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

static_assert(abi::kSharedMemoryRights == static_cast<uint64_t>(SharedMemory::kCreatorRights) &&
              abi::kRightSharedMemoryMap == static_cast<uint64_t>(rights::kSharedMemoryMap) &&
              abi::kMaxSharedPages == SharedMemory::kMaxPages);

}  // namespace

int64_t ShmCreate(UserThread& self, Args args) {
  const uint64_t pages = args[0];
  const uint64_t cpu_hint = args[1];
  if (pages == 0 || pages > abi::kMaxSharedPages) return Error(Status::kInvalidArgument);
  if (cpu_hint > hal::CpuCount()) return Error(Status::kInvalidArgument);
  // The calling CPU's node unless told the receiver's CPU.
  const hal::CpuId cpu =
      cpu_hint == 0 ? hal::CurrentCpu() : static_cast<hal::CpuId>(cpu_hint - 1);
  return NewObjectResult(self, SharedMemory::Create(pages, SharedMemory::NodeOfCpu(cpu)),
                         SharedMemory::kCreatorRights);
}

int64_t ShmMap(UserThread& self, Args args) {
  if (args[2] > 1) return Error(Status::kInvalidArgument);
  Process& process = self.process();
  // Checked first so that a full table costs no map and unmap; Add checks
  // again (another thread may have filled it meanwhile).
  if (process.shared_mappings().full()) return Error(Status::kOutOfRange);
  const Perm perms = args[2] == 1 ? Perm::kRead | Perm::kWrite : Perm::kRead;
  Result<SharedMapping> mapping = MapSharedMemory(process.capabilities(), TokenArgument(args[0]),
                                                  process.space(), args[1], perms);
  if (!mapping.ok()) return Error(mapping.status());
  const hal::VirtAddr address = mapping->address();
  if (Status added = process.shared_mappings().Add(std::move(*mapping)); !IsOk(added)) {
    return Error(added);
  }
  return static_cast<int64_t>(address);
}

int64_t ShmUnmap(UserThread& self, Args args) {
  return Error(self.process().shared_mappings().Remove(args[0]));
}

}  // namespace vos::syscall
