// The endpoints a process has received calls on. When it dies, the calls it
// took there and never answered fail at once (Endpoint::FailCallsTakenBy):
// reply handles are the taker's alone, so another process that may receive
// on the same endpoint cannot answer them. Each endpoint is held by
// reference until then, once however often it is noted; a small heap node
// per endpoint, so a process pins at most one per endpoint it can receive on.
#ifndef VERIDIAN_SRC_PROC_RECEIVED_ENDPOINTS_H_
#define VERIDIAN_SRC_PROC_RECEIVED_ENDPOINTS_H_

#include <atomic>

#include "src/cap/object.h"
#include "src/ipc/endpoint.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class ReceivedEndpoints {
 public:
  ReceivedEndpoints() = default;
  ReceivedEndpoints(const ReceivedEndpoints&) = delete;
  ReceivedEndpoints& operator=(const ReceivedEndpoints&) = delete;

  // Notes `endpoint` before a receive on it; kNoMemory when a new one cannot
  // be recorded (then nothing may be received). The common case, the same
  // endpoint as last time, is one load.
  Status Note(Endpoint& endpoint) {
    if (last_.load(std::memory_order_relaxed) == &endpoint) return Status::kOk;
    return NoteSlow(endpoint);
  }

  // Fails the calls `taker` took on every endpoint noted, and forgets them
  // (the process's teardown: ReleaseProcessIpc). Returns how many failed.
  size_t FailTakenCalls(uint64_t taker);

 private:
  struct Node {
    ObjectRef<Endpoint> endpoint;
    Node* next = nullptr;
  };
  Status NoteSlow(Endpoint& endpoint);

  SpinLock lock_;
  Node* head_ VOS_GUARDED_BY(lock_) = nullptr;
  // The last endpoint noted: on the list, so alive while it is here.
  std::atomic<const Endpoint*> last_{nullptr};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_RECEIVED_ENDPOINTS_H_
