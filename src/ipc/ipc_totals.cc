#include "src/ipc/ipc_totals.h"

#include "src/ipc/ipc_stats.h"

namespace vos {

void IpcTotals::Histogram::Raise(uint64_t value) {
  uint64_t seen = max.load(std::memory_order_relaxed);
  while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

IpcTotalsSnapshot::Latency IpcTotals::Histogram::Read() const {
  uint64_t counts[abi::kLatencyBuckets];
  uint64_t samples = 0;
  for (uint32_t b = 0; b < abi::kLatencyBuckets; ++b) {
    counts[b] = buckets[b].load(std::memory_order_relaxed);
    samples += counts[b];
  }
  const uint64_t highest = max.load(std::memory_order_relaxed);
  return {samples, HistogramPercentile(counts, samples, highest, 50),
          HistogramPercentile(counts, samples, highest, 90),
          HistogramPercentile(counts, samples, highest, 99), highest};
}

void IpcTotals::AddChannel(const abi::ChannelStats& stats) {
  hal::AddToCounter(channels_, 1);
  hal::AddToCounter(channel_sent_, stats.sent);
  hal::AddToCounter(channel_received_, stats.received);
  hal::AddToCounter(channel_rate_limited_, stats.rate_limited);
  hal::AddToCounter(channel_bytes_, stats.bytes_sent);
  for (uint32_t b = 0; b < abi::kLatencyBuckets; ++b) {
    if (stats.latency_buckets[b] != 0) {
      hal::AddToCounter(channel_latency_.buckets[b], stats.latency_buckets[b]);
    }
  }
  channel_latency_.Raise(stats.latency_max_ns);
}

void IpcTotals::CountCall(uint64_t round_trip) {
  hal::AddToCounter(calls_, 1);
  hal::AddToCounter(call_latency_.buckets[LatencyHistogram::BucketOf(round_trip)], 1);
  call_latency_.Raise(round_trip);
}

void IpcTotals::CountSend() { hal::AddToCounter(sends_, 1); }

IpcTotalsSnapshot IpcTotals::Read() const {
  IpcTotalsSnapshot out{};
  out.channels = channels_.load(std::memory_order_relaxed);
  out.channel_sent = channel_sent_.load(std::memory_order_relaxed);
  out.channel_received = channel_received_.load(std::memory_order_relaxed);
  out.channel_rate_limited = channel_rate_limited_.load(std::memory_order_relaxed);
  out.channel_bytes = channel_bytes_.load(std::memory_order_relaxed);
  out.channel_latency = channel_latency_.Read();
  out.calls = calls_.load(std::memory_order_relaxed);
  out.sends = sends_.load(std::memory_order_relaxed);
  out.call_latency = call_latency_.Read();
  return out;
}

void IpcTotals::Reset() {
  for (std::atomic<uint64_t>* counter :
       {&channels_, &channel_sent_, &channel_received_, &channel_rate_limited_, &channel_bytes_,
        &calls_, &sends_, &channel_latency_.max, &call_latency_.max}) {
    counter->store(0, std::memory_order_relaxed);
  }
  for (uint32_t b = 0; b < abi::kLatencyBuckets; ++b) {
    channel_latency_.buckets[b].store(0, std::memory_order_relaxed);
    call_latency_.buckets[b].store(0, std::memory_order_relaxed);
  }
}

namespace {
constinit IpcTotals kernel_totals;  // Trivially destructible: no exit-time work.
}  // namespace

IpcTotals& KernelIpcTotals() { return kernel_totals; }

}  // namespace vos
