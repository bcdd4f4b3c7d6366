#include "src/ipc/ipc_stats.h"

#include <bit>

namespace vos {

uint32_t LatencyHistogram::BucketOf(uint64_t nanoseconds) {
  return nanoseconds < 2 ? 0 : static_cast<uint32_t>(std::bit_width(nanoseconds)) - 1;
}

uint64_t LatencyHistogram::BucketCeiling(uint32_t bucket) {
  return bucket + 1 >= 64 ? ~uint64_t{0} : (uint64_t{2} << bucket) - 1;
}

void LatencyHistogram::Record(uint64_t nanoseconds) {
  hal::AddToCounter(buckets_[BucketOf(nanoseconds)], 1);
  hal::AddToCounter(sum_, nanoseconds);
  RaiseMax(nanoseconds);
}

void LatencyHistogram::Add(const abi::ChannelStats& stats) {
  for (uint32_t b = 0; b < kBuckets; ++b) {
    if (stats.latency_buckets[b] != 0) hal::AddToCounter(buckets_[b], stats.latency_buckets[b]);
  }
  hal::AddToCounter(sum_, stats.latency_sum_ns);
  RaiseMax(stats.latency_max_ns);
}

void LatencyHistogram::RaiseMax(uint64_t nanoseconds) {
  uint64_t max = max_.load(std::memory_order_relaxed);
  while (nanoseconds > max &&
         !max_.compare_exchange_weak(max, nanoseconds, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::Reset() {
  for (std::atomic<uint64_t>& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

void LatencyHistogram::Read(abi::ChannelStats& out) const {
  out.latency_samples = 0;
  for (uint32_t b = 0; b < kBuckets; ++b) {
    out.latency_buckets[b] = buckets_[b].load(std::memory_order_relaxed);
    out.latency_samples += out.latency_buckets[b];
  }
  out.latency_sum_ns = sum_.load(std::memory_order_relaxed);
  out.latency_max_ns = max_.load(std::memory_order_relaxed);
  out.latency_p50_ns =
      HistogramPercentile(out.latency_buckets, out.latency_samples, out.latency_max_ns, 50);
  out.latency_p90_ns =
      HistogramPercentile(out.latency_buckets, out.latency_samples, out.latency_max_ns, 90);
  out.latency_p99_ns =
      HistogramPercentile(out.latency_buckets, out.latency_samples, out.latency_max_ns, 99);
}

uint64_t HistogramPercentile(const uint64_t (&buckets)[abi::kLatencyBuckets], uint64_t samples,
                             uint64_t max, uint32_t percent) {
  if (samples == 0) return 0;
  // The rank of the percentile sample, rounded up: ceil(samples * p / 100)
  // without overflowing the product.
  const uint64_t rank = samples / 100 * percent + (samples % 100 * percent + 99) / 100;
  uint64_t seen = 0;
  for (uint32_t b = 0; b < abi::kLatencyBuckets; ++b) {
    seen += buckets[b];
    if (seen >= rank) {
      const uint64_t ceiling = LatencyHistogram::BucketCeiling(b);
      return ceiling < max ? ceiling : max;
    }
  }
  return max;  // A snapshot taken mid-update.
}

abi::ChannelStats ChannelCounters::Read() const {
  abi::ChannelStats out{};
  out.sent = sent_.load(std::memory_order_relaxed);
  out.rate_limited = rate_limited_.load(std::memory_order_relaxed);
  out.blocked_sends = blocked_sends_.load(std::memory_order_relaxed);
  out.blocked_receives = blocked_receives_.load(std::memory_order_relaxed);
  out.bytes_sent = bytes_sent_.load(std::memory_order_relaxed);
  out.bytes_received = bytes_received_.load(std::memory_order_relaxed);
  latency_.Read(out);
  out.received = out.latency_samples;  // Every received message has a latency.
  return out;
}

}  // namespace vos
