// Process ids: slot index in the low 32 bits, the slot's generation in the
// high 32, as ThreadIds; generation 0 is never used, so ProcessId{0} names
// no process and a reaped process's id never names the slot's next occupant.
// The value is what the ABI calls a pid.
#ifndef VERIDIAN_SRC_PROC_PROCESS_ID_H_
#define VERIDIAN_SRC_PROC_PROCESS_ID_H_

#include <cstdint>

namespace vos {

struct ProcessId {
  uint64_t value = 0;

  static constexpr ProcessId Make(uint32_t index, uint32_t generation) {
    return ProcessId{(uint64_t{generation} << 32) | index};
  }
  constexpr uint32_t index() const { return static_cast<uint32_t>(value); }
  constexpr uint32_t generation() const { return static_cast<uint32_t>(value >> 32); }
  constexpr bool valid() const { return generation() != 0; }
  constexpr bool operator==(const ProcessId&) const = default;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROCESS_ID_H_
