#include "src/ipc/ipc_totals.h"

namespace vos {
namespace {

IpcTotalsSnapshot::Latency Summary(const LatencyHistogram& histogram) {
  abi::ChannelStats stats{};
  histogram.Read(stats);
  return {stats.latency_samples, stats.latency_p50_ns, stats.latency_p90_ns,
          stats.latency_p99_ns, stats.latency_max_ns};
}

}  // namespace

void IpcTotals::AddChannel(const abi::ChannelStats& stats) {
  hal::AddToCounter(channels_, 1);
  hal::AddToCounter(channel_sent_, stats.sent);
  hal::AddToCounter(channel_received_, stats.received);
  hal::AddToCounter(channel_rate_limited_, stats.rate_limited);
  hal::AddToCounter(channel_bytes_, stats.bytes_sent);
  channel_latency_.Add(stats);
}

void IpcTotals::CountCall(uint64_t round_trip) {
  hal::AddToCounter(calls_, 1);
  call_latency_.Record(round_trip);
}

void IpcTotals::CountSend() { hal::AddToCounter(sends_, 1); }

IpcTotalsSnapshot IpcTotals::Read() const {
  IpcTotalsSnapshot out{};
  out.channels = channels_.load(std::memory_order_relaxed);
  out.channel_sent = channel_sent_.load(std::memory_order_relaxed);
  out.channel_received = channel_received_.load(std::memory_order_relaxed);
  out.channel_rate_limited = channel_rate_limited_.load(std::memory_order_relaxed);
  out.channel_bytes = channel_bytes_.load(std::memory_order_relaxed);
  out.channel_latency = Summary(channel_latency_);
  out.calls = calls_.load(std::memory_order_relaxed);
  out.sends = sends_.load(std::memory_order_relaxed);
  out.call_latency = Summary(call_latency_);
  return out;
}

void IpcTotals::Reset() {
  for (std::atomic<uint64_t>* counter :
       {&channels_, &channel_sent_, &channel_received_, &channel_rate_limited_, &channel_bytes_,
        &calls_, &sends_}) {
    counter->store(0, std::memory_order_relaxed);
  }
  channel_latency_.Reset();
  call_latency_.Reset();
}

namespace {
constinit IpcTotals kernel_totals;  // Trivially destructible: no exit-time work.
}  // namespace

IpcTotals& KernelIpcTotals() { return kernel_totals; }

}  // namespace vos
