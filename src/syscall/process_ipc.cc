// What a dying process leaves behind in IPC (process.h: ReleaseProcessIpc).
#include "src/proc/process.h"
#include "src/syscall/service_registry.h"

namespace vos {

void ReleaseProcessIpc(Process& process) {
  const uint64_t id = process.id().value;
  // Clients stop finding its services, then its shared mappings go (before
  // its address space does). The endpoints and channels only it could serve
  // close when its capability space goes next (object.h: HolderWatch).
  ServiceRegistry().UnregisterOwner(id);
  process.shared_mappings().Clear();
  // Calls it took and never answered: nobody else can name them.
  process.received_endpoints().FailTakenCalls(id);
}

}  // namespace vos
