#include "sim/trace_codec.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace sim {
namespace {

constexpr uint32_t kEscapeKind = 0x7f;  // Kinds >= this follow the tag as a varint.
constexpr uint8_t kSameB = 0x80;

// Per-block coding state; kinds and CPUs index small tables (an index
// collision only costs bytes, never correctness: both sides share it).
struct State {
  std::array<uint64_t, 256> time{};
  std::array<uint64_t, 128> a{};
  std::array<uint64_t, 128> b{};
};

inline uint64_t ZigZag(uint64_t delta) {
  return (delta << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(delta) >> 63);
}
inline uint64_t UnZigZag(uint64_t value) { return (value >> 1) ^ (~(value & 1) + 1); }

// Unrolled for the common one- and two-byte values: this runs for every
// event of a recorded run.
inline uint8_t* PutVarint(uint64_t value, uint8_t* out) {
  if (value < 0x80) {
    *out = static_cast<uint8_t>(value);
    return out + 1;
  }
  if (value < 0x4000) {
    out[0] = static_cast<uint8_t>(value | 0x80);
    out[1] = static_cast<uint8_t>(value >> 7);
    return out + 2;
  }
  while (value >= 0x80) {
    *out++ = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<uint8_t>(value);
  return out;
}

inline bool GetVarint(std::string_view& in, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    result |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

}  // namespace

size_t EncodeTraceBlock(const TraceEvent* events, size_t count, uint8_t* out) {
  State state;
  uint8_t* const start = out;
  for (size_t i = 0; i < count; ++i) {
    const TraceEvent& event = events[i];
    const uint32_t kind = static_cast<uint32_t>(event.kind());
    const uint32_t cpu = event.cpu();
    const size_t slot = kind & 0x7f;
    const bool same_b = event.b == state.b[slot];
    *out++ = static_cast<uint8_t>(std::min(kind, kEscapeKind) | (same_b ? kSameB : 0));
    if (kind >= kEscapeKind) out = PutVarint(kind, out);
    out = PutVarint(cpu, out);
    out = PutVarint(ZigZag(event.time - state.time[cpu & 0xff]), out);
    out = PutVarint(ZigZag(event.a - state.a[slot]), out);
    if (!same_b) out = PutVarint(ZigZag(event.b - state.b[slot]), out);
    state.time[cpu & 0xff] = event.time;
    state.a[slot] = event.a;
    state.b[slot] = event.b;
  }
  return static_cast<size_t>(out - start);
}

bool DecodeTraceBlock(std::string_view in, size_t count, std::vector<TraceEvent>* events) {
  events->clear();
  events->reserve(count);
  State state;
  for (size_t i = 0; i < count; ++i) {
    if (in.empty()) return false;
    const uint8_t tag = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    uint64_t kind = tag & 0x7f;
    uint64_t cpu, time_delta, a_delta, b_delta = 0;
    if (kind == kEscapeKind && !GetVarint(in, &kind)) return false;
    if (kind > 0xffff || !GetVarint(in, &cpu) || cpu > 0xffff || !GetVarint(in, &time_delta) ||
        !GetVarint(in, &a_delta)) {
      return false;
    }
    const size_t slot = kind & 0x7f;
    if ((tag & kSameB) == 0 && !GetVarint(in, &b_delta)) return false;
    TraceEvent event;
    event.header = kind << 48 | cpu << 32;
    event.time = state.time[cpu & 0xff] + UnZigZag(time_delta);
    event.a = state.a[slot] + UnZigZag(a_delta);
    event.b = (tag & kSameB) != 0 ? state.b[slot] : state.b[slot] + UnZigZag(b_delta);
    state.time[cpu & 0xff] = event.time;
    state.a[slot] = event.a;
    state.b[slot] = event.b;
    events->push_back(event);
  }
  return in.empty();
}

}  // namespace sim
