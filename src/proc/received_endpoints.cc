#include "src/proc/received_endpoints.h"

#include <new>
#include <utility>

#include "src/mm/heap.h"

namespace vos {

Status ReceivedEndpoints::NoteSlow(Endpoint& endpoint) {
  IrqSpinLockGuard guard(lock_);
  for (Node* node = head_; node != nullptr; node = node->next) {
    if (node->endpoint.get() == &endpoint) {
      last_.store(&endpoint, std::memory_order_relaxed);
      return Status::kOk;
    }
  }
  void* memory = KernelHeap().Allocate(sizeof(Node), alignof(Node));
  if (memory == nullptr) return Status::kNoMemory;
  endpoint.AddReference();
  head_ = new (memory) Node{ObjectRef<Endpoint>::Adopt(&endpoint), head_};
  last_.store(&endpoint, std::memory_order_relaxed);
  return Status::kOk;
}

size_t ReceivedEndpoints::FailTakenCalls(uint64_t taker) {
  Node* list = nullptr;
  {
    IrqSpinLockGuard guard(lock_);
    list = std::exchange(head_, nullptr);
    last_.store(nullptr, std::memory_order_relaxed);
  }
  // Outside the lock: dropping the last reference frees an endpoint.
  size_t failed = 0;
  while (list != nullptr) {
    Node* node = list;
    list = node->next;
    failed += node->endpoint->FailCallsTakenBy(taker);
    node->~Node();
    KernelHeap().Free(node);
  }
  return failed;
}

}  // namespace vos
