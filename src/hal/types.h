// Basic machine types shared by every HAL implementation and the portable kernel.
#ifndef VERIDIAN_SRC_HAL_TYPES_H_
#define VERIDIAN_SRC_HAL_TYPES_H_

#include <cstddef>
#include <cstdint>

namespace hal {

using PhysAddr = uint64_t;
using VirtAddr = uint64_t;
// Monotonic time in nanoseconds (simulated nanoseconds in the simulator).
using Nanoseconds = uint64_t;
// Dense CPU index, 0 .. CpuCount()-1. Not the APIC id / MPIDR / hart id.
using CpuId = uint32_t;

inline constexpr size_t kPageSize = 4096;
inline constexpr size_t kMaxCpus = 256;
inline constexpr size_t kMaxNumaNodes = 8;

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_TYPES_H_
