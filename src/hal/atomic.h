// Atomics and barriers for kernel code. Read-modify-write operations are
// interleaving points (see interleave.h), so the simulator can explore every
// order in which CPUs reach them; plain loads and stores are not.
#ifndef VERIDIAN_SRC_HAL_ATOMIC_H_
#define VERIDIAN_SRC_HAL_ATOMIC_H_

#include <atomic>

#include "src/hal/interleave.h"

namespace hal {

template <typename T>
class Atomic {
 public:
  constexpr Atomic() : value_() {}
  constexpr explicit Atomic(T initial) : value_(initial) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T Load(std::memory_order order = std::memory_order_seq_cst) const {
    return value_.load(order);
  }
  void Store(T value, std::memory_order order = std::memory_order_seq_cst) {
    value_.store(value, order);
  }
  T Exchange(T value, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.exchange(value, order);
  }
  bool CompareExchange(T& expected, T desired,
                       std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.compare_exchange_strong(expected, desired, order);
  }
  T FetchAdd(T delta, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.fetch_add(delta, order);
  }
  T FetchSub(T delta, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.fetch_sub(delta, order);
  }
  T FetchOr(T bits, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.fetch_or(bits, order);
  }
  T FetchAnd(T bits, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return value_.fetch_and(bits, order);
  }

 private:
  std::atomic<T> value_;
};

inline void MemoryBarrier() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void AcquireBarrier() { std::atomic_thread_fence(std::memory_order_acquire); }
inline void ReleaseBarrier() { std::atomic_thread_fence(std::memory_order_release); }

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_ATOMIC_H_
