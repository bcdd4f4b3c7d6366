// The run's trace: every CPU switch the scheduler makes and every kernel
// event, folded into a hash that identifies the interleaving. Events are
// buffered in blocks and hashed a block at a time over independent lanes, so
// recording one costs a few stores rather than a chain of multiplies on the
// simulator's hottest path. A TraceSink, when attached, receives each block
// as it fills (trace files, replay checking: sim/trace_file.h).
#ifndef VERIDIAN_SIM_TRACE_H_
#define VERIDIAN_SIM_TRACE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "src/hal/trace.h"
#include "src/hal/types.h"

namespace sim {

struct TraceEvent {
  uint64_t header;  // kind << 48 | cpu << 32.
  hal::Nanoseconds time;
  uint64_t a;
  uint64_t b;

  hal::TraceKind kind() const { return static_cast<hal::TraceKind>(header >> 48); }
  hal::CpuId cpu() const { return static_cast<hal::CpuId>(header >> 32 & 0xffff); }
  bool operator==(const TraceEvent&) const = default;
};

// Receives the events in order, a block at a time (once per kBlockEvents
// events, so a virtual call costs nothing measurable).
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void Consume(const TraceEvent* events, size_t count) = 0;
};

class Trace {
 public:
  static constexpr size_t kBlockEvents = 256;

  void Record(hal::TraceKind kind, hal::CpuId cpu, hal::Nanoseconds time, uint64_t a,
              uint64_t b) {
    block_[used_] = {static_cast<uint64_t>(kind) << 48 | uint64_t{cpu} << 32, time, a, b};
    if (++used_ == kBlockEvents) FoldBlock();
    ++count_;
  }

  // The hash of every event so far (the partial block included).
  uint64_t hash() const;
  uint64_t count() const { return count_; }

  void set_sink(TraceSink* sink) { sink_ = sink; }
  // Hands the partial block to the sink (the run ended); the events stay
  // buffered, so hash() is unchanged.
  void FlushToSink() {
    if (sink_ != nullptr && used_ > 0) sink_->Consume(block_.data(), used_);
  }

 private:
  // Hashes the buffered events into hash_ and empties the buffer.
  void FoldBlock();
  static uint64_t HashEvents(uint64_t seed, const TraceEvent* events, size_t count);

  std::array<TraceEvent, kBlockEvents> block_;
  size_t used_ = 0;
  uint64_t hash_ = 0x5645524944494e31ull;
  uint64_t count_ = 0;
  TraceSink* sink_ = nullptr;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_H_
