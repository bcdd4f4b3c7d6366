// The compact coding of one block of trace events: per event a tag byte
// (kind, and whether b repeats the kind's previous b), then varints of the
// CPU, the time since that CPU's previous event, and a (and b) as zigzag
// deltas from the same kind's previous values. Every block starts from zero
// state, so blocks decode independently.
#ifndef VERIDIAN_SIM_TRACE_CODEC_H_
#define VERIDIAN_SIM_TRACE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace.h"

namespace sim {

// The most bytes one event can take (tag, then five varints of at most 10).
inline constexpr size_t kMaxEncodedEventBytes = 1 + 5 * 10;

// Writes the coded events to `out`, which must hold count *
// kMaxEncodedEventBytes bytes; returns the bytes written.
size_t EncodeTraceBlock(const TraceEvent* events, size_t count, uint8_t* out);

// Decodes exactly `count` events from `payload` into *events (replacing its
// contents); false if the payload is malformed or has bytes left over.
bool DecodeTraceBlock(std::string_view payload, size_t count, std::vector<TraceEvent>* events);

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_CODEC_H_
