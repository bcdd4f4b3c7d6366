// Atomics and barriers for kernel code. Read-modify-write operations are
// interleaving points (see interleave.h), so the simulator can explore every
// order in which CPUs reach them; plain loads and stores are not.
#ifndef VERIDIAN_SRC_HAL_ATOMIC_H_
#define VERIDIAN_SRC_HAL_ATOMIC_H_

#include <atomic>

#include "src/hal/interleave.h"

namespace hal {

// Whether every simulated CPU runs on one host thread: true in the
// simulator, which switches CPUs only at interleaving points, so between two
// of them a plain load and store are already atomic and a locked instruction
// would only cost time (a fifth of a simulated context switch). Hardware
// builds use the locked instructions.
#if VOS_HAL_ONE_HOST_THREAD
inline constexpr bool kOneHostThread = true;
#else
inline constexpr bool kOneHostThread = false;
#endif

// The read-modify-write primitives of Atomic and SpinLock. Callers pass an
// interleaving point first: that is where another CPU may run.
template <typename T>
bool CompareExchangeWord(std::atomic<T>& word, T& expected, T desired, std::memory_order order) {
  if constexpr (kOneHostThread) {
    const T seen = word.load(std::memory_order_relaxed);
    if (seen != expected) {
      expected = seen;
      return false;
    }
    word.store(desired, std::memory_order_relaxed);
    return true;
  } else {
    return word.compare_exchange_strong(expected, desired, order);
  }
}

// Adds `delta` to a statistics counter (relaxed; never an interleaving
// point, so counting does not change the schedule).
inline void AddToCounter(std::atomic<uint64_t>& counter, uint64_t delta) {
  if constexpr (kOneHostThread) {
    counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  } else {
    counter.fetch_add(delta, std::memory_order_relaxed);
  }
}

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
    value_.store(value, kOneHostThread ? std::memory_order_relaxed : order);
  }
  T Exchange(T value, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    if constexpr (kOneHostThread) return Replace([value](T) { return value; });
    return value_.exchange(value, order);
  }
  bool CompareExchange(T& expected, T desired,
                       std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    return CompareExchangeWord(value_, expected, desired, order);
  }
  T FetchAdd(T delta, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    if constexpr (kOneHostThread) {
      return Replace([delta](T old) { return static_cast<T>(old + delta); });
    }
    return value_.fetch_add(delta, order);
  }
  T FetchSub(T delta, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    if constexpr (kOneHostThread) {
      return Replace([delta](T old) { return static_cast<T>(old - delta); });
    }
    return value_.fetch_sub(delta, order);
  }
  T FetchOr(T bits, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    if constexpr (kOneHostThread) {
      return Replace([bits](T old) { return static_cast<T>(old | bits); });
    }
    return value_.fetch_or(bits, order);
  }
  T FetchAnd(T bits, std::memory_order order = std::memory_order_seq_cst) {
    InterleavingPoint(InterleaveReason::kAtomicRmw);
    if constexpr (kOneHostThread) {
      return Replace([bits](T old) { return static_cast<T>(old & bits); });
    }
    return value_.fetch_and(bits, order);
  }

 private:
  // One host thread only: stores `update(old)` and returns old.
  template <typename Update>
  T Replace(Update update) {
    const T old = value_.load(std::memory_order_relaxed);
    value_.store(update(old), std::memory_order_relaxed);
    return old;
  }

  std::atomic<T> value_;
};

// On one host thread only the compiler can reorder: a signal fence stops it.
inline void MemoryBarrier() {
  if constexpr (kOneHostThread) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}
inline void AcquireBarrier() { std::atomic_thread_fence(std::memory_order_acquire); }
inline void ReleaseBarrier() { std::atomic_thread_fence(std::memory_order_release); }

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_ATOMIC_H_
