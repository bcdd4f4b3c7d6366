// IPC structures of the syscall ABI (append only, like syscall.h).
#ifndef VERIDIAN_SRC_ABI_IPC_H_
#define VERIDIAN_SRC_ABI_IPC_H_

#include <cstdint>
#include <type_traits>

namespace vos::abi {

// Latency histogram buckets: bucket 0 counts latencies of 0 and 1 ns,
// bucket b >= 1 those in [2^b, 2^(b+1)) ns.
inline constexpr uint32_t kLatencyBuckets = 64;

// A channel's counters since it was created. Latency is simulated (or
// monotonic) nanoseconds from a message's send to its receive; percentiles
// are the upper bound of the histogram bucket that holds them (so within 2x
// above the true value), capped at the maximum.
struct ChannelStats {
  uint64_t sent;              // Messages enqueued.
  uint64_t received;          // Messages dequeued.
  uint64_t rate_limited;      // Sends rejected with kRateLimited.
  uint64_t blocked_sends;     // Sends that had to wait for room.
  uint64_t blocked_receives;  // Receives that had to wait for a message.
  uint64_t bytes_sent;        // Payload bytes.
  uint64_t bytes_received;
  uint64_t latency_samples;  // Received messages with a latency measured.
  uint64_t latency_sum_ns;
  uint64_t latency_max_ns;
  uint64_t latency_p50_ns;
  uint64_t latency_p90_ns;
  uint64_t latency_p99_ns;
  uint64_t latency_buckets[kLatencyBuckets];
};
static_assert(std::is_trivially_copyable_v<ChannelStats> &&
              std::is_standard_layout_v<ChannelStats>);
static_assert(sizeof(ChannelStats) == (13 + kLatencyBuckets) * 8, "no padding in the ABI");

}  // namespace vos::abi

#endif  // VERIDIAN_SRC_ABI_IPC_H_
