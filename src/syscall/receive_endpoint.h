// The endpoint a receive syscall names (ipc_receive, ipc_reply_wait and their
// register forms): checked for rights::kEndpointReceive and noted in the
// caller's ReceivedEndpoints, so the calls it takes there fail if it dies.
#ifndef VERIDIAN_SRC_SYSCALL_RECEIVE_ENDPOINT_H_
#define VERIDIAN_SRC_SYSCALL_RECEIVE_ENDPOINT_H_

#include <cstdint>

#include "src/ipc/endpoint.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {

inline Result<ObjectRef<Endpoint>> ReceiveEndpointArgument(UserThread& self, uint64_t value) {
  Result<ObjectRef<Endpoint>> endpoint =
      AcquireArgument<Endpoint>(self, value, rights::kEndpointReceive);
  if (!endpoint.ok()) return endpoint;
  if (Status noted = self.process().received_endpoints().Note(**endpoint); !IsOk(noted)) {
    return noted;
  }
  return endpoint;
}

// The taker id a receive passes to the endpoint (Endpoint::FailCallsTakenBy).
inline uint64_t TakerOf(UserThread& self) { return self.process().id().value; }

}  // namespace vos::syscall

#endif  // VERIDIAN_SRC_SYSCALL_RECEIVE_ENDPOINT_H_
