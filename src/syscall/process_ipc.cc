// What a dying process leaves behind in IPC (process.h: ReleaseProcessIpc).
#include "src/ipc/channel_object.h"
#include "src/ipc/endpoint.h"
#include "src/proc/process.h"
#include "src/syscall/service_registry.h"

namespace vos {

void ReleaseProcessIpc(Process& process) {
  const uint64_t id = process.id().value;
  // Its endpoints' callers and senders get kPeerClosed first, calls its
  // threads took but did not answer included; then clients stop finding its
  // services, then its channels' sleepers wake with kPeerClosed, then its
  // shared mappings go (before its address space does).
  Endpoint::CloseOwnedBy(id);
  ServiceRegistry().UnregisterOwner(id);
  ChannelObject::CloseOwnedBy(id);
  process.shared_mappings().Clear();
}

}  // namespace vos
