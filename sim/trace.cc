#include "sim/trace.h"

namespace sim {
namespace {

// The XXH64 accumulator round.
inline uint64_t Round(uint64_t accumulator, uint64_t input) {
  accumulator += input * 0xc2b2ae3d27d4eb4full;
  accumulator = (accumulator << 31) | (accumulator >> 33);
  return accumulator * 0x9e3779b185ebca87ull;
}

}  // namespace

uint64_t Trace::HashEvents(uint64_t seed, const TraceEvent* events, size_t count) {
  // Four lanes, one per event field: independent chains the CPU overlaps.
  uint64_t lanes[4] = {seed, seed ^ 1, seed ^ 2, seed ^ 3};
  for (size_t i = 0; i < count; ++i) {
    lanes[0] = Round(lanes[0], events[i].header);
    lanes[1] = Round(lanes[1], events[i].time);
    lanes[2] = Round(lanes[2], events[i].a);
    lanes[3] = Round(lanes[3], events[i].b);
  }
  uint64_t hash = Round(seed, count);
  for (uint64_t lane : lanes) hash = Round(hash, lane);
  return hash;
}

void Trace::FoldBlock() {
  if (sink_ != nullptr) sink_->Consume(block_.data(), used_);
  hash_ = HashEvents(hash_, block_.data(), used_);
  used_ = 0;
}

uint64_t Trace::hash() const { return HashEvents(hash_, block_.data(), used_); }

}  // namespace sim
