// Kernel-wide IPC totals since boot, for the simulator's run summary and
// scenario checks: channel messages and their send-to-receive latency, and
// endpoint calls with their round-trip time, all in simulated (monotonic)
// nanoseconds.
//
// Nothing is added on a channel's hot path: a channel object folds its own
// counters (ChannelCounters) in when it is destroyed (AddChannel), so the
// totals cover every channel gone by the time they are read; a run that
// reaps every process reads them complete. Calls are counted by the syscall
// layer as they return. Relaxed atomics, like the per-channel counters:
// statistics decide nothing.
#ifndef VERIDIAN_SRC_IPC_IPC_TOTALS_H_
#define VERIDIAN_SRC_IPC_IPC_TOTALS_H_

#include <atomic>
#include <cstdint>

#include "src/abi/ipc.h"
#include "src/ipc/ipc_stats.h"

namespace vos {

// A snapshot, percentiles included (bucket ceilings: see abi::ChannelStats).
struct IpcTotalsSnapshot {
  struct Latency {
    uint64_t samples;
    uint64_t p50_ns;
    uint64_t p90_ns;
    uint64_t p99_ns;
    uint64_t max_ns;
  };
  uint64_t channels;  // Channel objects destroyed (their counters are in).
  uint64_t channel_sent;
  uint64_t channel_received;
  uint64_t channel_rate_limited;
  uint64_t channel_bytes;
  Latency channel_latency;
  uint64_t calls;  // Endpoint calls answered.
  uint64_t sends;  // One-way endpoint messages delivered.
  Latency call_latency;
};

class IpcTotals {
 public:
  // Folds in the counters of a channel about to go.
  void AddChannel(const abi::ChannelStats& stats);
  // An answered endpoint call that took `round_trip` ns.
  void CountCall(uint64_t round_trip);
  void CountSend();

  IpcTotalsSnapshot Read() const;
  // Back to zero (a new boot in the same host process).
  void Reset();

 private:
  std::atomic<uint64_t> channels_{0};
  std::atomic<uint64_t> channel_sent_{0};
  std::atomic<uint64_t> channel_received_{0};
  std::atomic<uint64_t> channel_rate_limited_{0};
  std::atomic<uint64_t> channel_bytes_{0};
  LatencyHistogram channel_latency_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> sends_{0};
  LatencyHistogram call_latency_;
};

// The kernel's instance.
IpcTotals& KernelIpcTotals();

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_IPC_TOTALS_H_
