#include "src/lib/status.h"

namespace vos {

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kInvalidArgument: return "INVALID_ARGUMENT";
    case Status::kNoMemory: return "NO_MEMORY";
    case Status::kNotFound: return "NOT_FOUND";
    case Status::kPermissionDenied: return "PERMISSION_DENIED";
    case Status::kWouldBlock: return "WOULD_BLOCK";
    case Status::kTimedOut: return "TIMED_OUT";
    case Status::kBadHandle: return "BAD_HANDLE";
    case Status::kOutOfRange: return "OUT_OF_RANGE";
    case Status::kAlreadyExists: return "ALREADY_EXISTS";
    case Status::kBusy: return "BUSY";
    case Status::kPeerClosed: return "PEER_CLOSED";
    case Status::kNotSupported: return "NOT_SUPPORTED";
    case Status::kRateLimited: return "RATE_LIMITED";
    case Status::kInternal: return "INTERNAL";
    case Status::kInterrupted: return "INTERRUPTED";
  }
  return "UNKNOWN_STATUS";
}

}  // namespace vos
