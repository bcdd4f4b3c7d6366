// The kernel's one service registry (src/ipc/registry.h), behind the
// registry syscalls; a dying process's names leave it (ReleaseProcessIpc).
#ifndef VERIDIAN_SRC_SYSCALL_SERVICE_REGISTRY_H_
#define VERIDIAN_SRC_SYSCALL_SERVICE_REGISTRY_H_

#include "src/ipc/registry.h"

namespace vos {

Registry& ServiceRegistry();

}  // namespace vos

#endif  // VERIDIAN_SRC_SYSCALL_SERVICE_REGISTRY_H_
