// Per-channel counters and a log2 latency histogram. Every update is one
// relaxed atomic add (a max is a load, rarely a CAS): no lock, nothing
// shared with the ring's indices; a send costs two adds, a receive three
// (the received count is the histogram's sample count). They use
// std::atomic directly, not hal::Atomic, on purpose: statistics decide
// nothing, so they are not interleaving points in the simulator and do not
// change the schedules it explores; and on the simulator's one host thread
// an add is a plain load and store (see hal::kOneHostThread).
//
// A reader gets a snapshot that may be mid-update: each counter is exact on
// its own, but a receive's bytes may be counted before its latency.
#ifndef VERIDIAN_SRC_IPC_IPC_STATS_H_
#define VERIDIAN_SRC_IPC_IPC_STATS_H_

#include <atomic>
#include <cstdint>

#include "src/abi/ipc.h"
#include "src/hal/atomic.h"

namespace vos {

class LatencyHistogram {
 public:
  static constexpr uint32_t kBuckets = abi::kLatencyBuckets;

  // The bucket `nanoseconds` falls in (see abi::kLatencyBuckets).
  static uint32_t BucketOf(uint64_t nanoseconds);
  // The largest latency bucket `bucket` holds.
  static uint64_t BucketCeiling(uint32_t bucket);

  void Record(uint64_t nanoseconds);
  // Adds the histogram in the latency_* fields of `stats` (another one's
  // Read) to this one.
  void Add(const abi::ChannelStats& stats);
  // Fills the latency_* fields of `out`.
  void Read(abi::ChannelStats& out) const;
  // Back to empty.
  void Reset();

 private:
  void RaiseMax(uint64_t nanoseconds);

  std::atomic<uint64_t> buckets_[kBuckets] = {};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

// The percentile `percent` (1..100) of a histogram: the ceiling of the
// bucket where the cumulative count first reaches that share of `samples`,
// capped at `max`; 0 with no samples.
uint64_t HistogramPercentile(const uint64_t (&buckets)[abi::kLatencyBuckets], uint64_t samples,
                             uint64_t max, uint32_t percent);

class ChannelCounters {
 public:
  void CountSent(uint32_t bytes) {
    hal::AddToCounter(sent_, 1);
    hal::AddToCounter(bytes_sent_, bytes);
  }
  void CountReceived(uint32_t bytes, uint64_t latency) {
    hal::AddToCounter(bytes_received_, bytes);
    latency_.Record(latency);
  }
  void CountRateLimited() { hal::AddToCounter(rate_limited_, 1); }
  void CountBlockedSend() { hal::AddToCounter(blocked_sends_, 1); }
  void CountBlockedReceive() { hal::AddToCounter(blocked_receives_, 1); }

  // A snapshot in the ABI's layout.
  abi::ChannelStats Read() const;

 private:
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> rate_limited_{0};
  std::atomic<uint64_t> blocked_sends_{0};
  std::atomic<uint64_t> blocked_receives_{0};
  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<uint64_t> bytes_received_{0};
  LatencyHistogram latency_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_IPC_STATS_H_
