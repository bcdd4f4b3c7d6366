// Small helpers shared by the catalog's programs (user code).
#ifndef VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_
#define VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_

#include <cstdint>
#include <cstring>

#include "src/abi/syscall.h"
#include "src/abi/user_runtime.h"
#include "src/abi/user_syscalls.h"

namespace programs {

// Scratch memory of the main thread: the data region after the arguments.
inline constexpr uint64_t kScratch = vos::abi::kUserDataBase + vos::abi::kMaxArgsSize;

inline uint64_t Arg(vos::user::Args args, size_t index) {
  if ((index + 1) * sizeof(uint64_t) > args.size) return 0;
  uint64_t value = 0;
  vos::user::Load(args.address + index * sizeof(uint64_t), &value, sizeof(value));
  return value;
}

// Copies `size` bytes to user memory at `address`; returns the address.
inline uint64_t Put(uint64_t address, const void* data, size_t size) {
  vos::user::Store(address, data, size);
  return address;
}

// Spawns `name` with `count` uint64_t arguments, staged at kScratch.
inline int64_t SpawnWith(const char* name, const uint64_t* values, size_t count) {
  const size_t name_size = std::strlen(name);
  const uint64_t args = Put(kScratch, values, count * sizeof(uint64_t));
  const uint64_t name_at = Put(kScratch + 1024, name, name_size);
  return vos::user::Spawn(name_at, name_size, count > 0 ? args : 0, count * sizeof(uint64_t));
}

inline void Print(const char* text) {
  const size_t size = std::strlen(text);
  vos::user::DebugWrite(Put(kScratch + 2048, text, size), size);
}

}  // namespace programs

#endif  // VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_
