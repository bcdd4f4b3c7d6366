// Small helpers shared by the catalog's programs (user code).
#ifndef VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_
#define VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_

#include <cstdint>
#include <cstring>

#include "src/abi/syscall.h"
#include "src/abi/user_runtime.h"
#include "src/abi/user_syscalls.h"
#include "src/lib/status.h"

namespace programs {

// Scratch memory of the main thread: the data region after the arguments.
inline constexpr uint64_t kScratch = vos::abi::kUserDataBase + vos::abi::kMaxArgsSize;
// Past the first 8 KiB of scratch, where SpawnGranting stages its arguments
// and the helpers' small results go: a program's own buffers.
inline constexpr uint64_t kBuffers = kScratch + 8192;

inline uint64_t Arg(vos::user::Args args, size_t index) {
  if ((index + 1) * sizeof(uint64_t) > args.size) return 0;
  uint64_t value = 0;
  vos::user::Load(args.address + index * sizeof(uint64_t), &value, sizeof(value));
  return value;
}

// The last argument (where a spawn grant's token arrives), 0 when none.
inline uint64_t LastArg(vos::user::Args args) {
  const size_t count = args.size / sizeof(uint64_t);
  return count == 0 ? 0 : Arg(args, count - 1);
}

// A status as a syscall returns it.
constexpr int64_t Code(vos::Status status) { return static_cast<int64_t>(status); }

// One uint64_t of user memory (shared by the process's threads).
inline uint64_t Get64(uint64_t address) {
  uint64_t value = 0;
  vos::user::Load(address, &value, sizeof(value));
  return value;
}
inline void Set64(uint64_t address, uint64_t value) {
  vos::user::Store(address, &value, sizeof(value));
}

// Copies `size` bytes to user memory at `address`; returns the address.
inline uint64_t Put(uint64_t address, const void* data, size_t size) {
  vos::user::Store(address, data, size);
  return address;
}

// Blocks until the process is killed, on a semaphore nobody raises.
// Returns only if that went wrong: the semaphore's creation error, or what
// its down returned.
inline int64_t BlockUntilKilled() {
  const int64_t semaphore = vos::user::SemaphoreCreate(0);
  if (semaphore < 0) return semaphore;
  return vos::user::SemaphoreDown(static_cast<uint64_t>(semaphore));
}

// Spawns `name` with `count` uint64_t arguments, staged at kScratch, and
// copies of `grant_count` capability tokens (which follow the arguments).
inline int64_t SpawnGranting(const char* name, const uint64_t* values, size_t count,
                             const uint64_t* grants, size_t grant_count) {
  const size_t name_size = std::strlen(name);
  const uint64_t args = count > 0 ? Put(kScratch, values, count * sizeof(uint64_t)) : 0;
  const uint64_t name_at = Put(kScratch + 1024, name, name_size);
  const uint64_t grants_at =
      grant_count > 0 ? Put(kScratch + 1536, grants, grant_count * sizeof(uint64_t)) : 0;
  return vos::user::Spawn(name_at, name_size, args, count * sizeof(uint64_t), grants_at,
                          grant_count);
}

inline int64_t SpawnWith(const char* name, const uint64_t* values, size_t count) {
  return SpawnGranting(name, values, count, nullptr, 0);
}

// Waits for the child `token` names (abi::kAnyChild: any child), its exit
// status staged in user memory at `status_at`; the status, or the wait's
// error.
inline vos::Result<vos::abi::ExitStatus> WaitChild(uint64_t token, uint64_t status_at) {
  const int64_t reaped = vos::user::Wait(token, status_at);
  if (reaped < 0) return static_cast<vos::Status>(reaped);
  vos::abi::ExitStatus status;
  vos::user::Load(status_at, &status, sizeof(status));
  return status;
}

// Whether a process ended by exiting (not killed, not faulted) with `code`.
inline bool ExitedWith(const vos::abi::ExitStatus& status, int64_t code) {
  return status.reason == vos::abi::ExitReason::kExited && status.code == code;
}

// Sends `value` as one channel message, staged in user memory at `at`.
template <typename T>
int64_t SendValue(uint64_t channel, uint64_t at, const T& value) {
  return vos::user::ChannelSend(channel, Put(at, &value, sizeof(value)), sizeof(value));
}

// Receives one channel message into user memory at `at` (the sender's pid at
// `sender_at` unless 0); the message's length, or the error. `value` is set
// only when the message is a whole T.
template <typename T>
int64_t ReceiveValue(uint64_t channel, uint64_t at, T& value, uint64_t sender_at = 0) {
  const int64_t length = vos::user::ChannelReceive(channel, at, sizeof(value), 0, sender_at);
  if (length == static_cast<int64_t>(sizeof(value))) vos::user::Load(at, &value, sizeof(value));
  return length;
}

// A capability to the registry service `name` (`size` bytes, staged at
// `at` before each try) with `rights`, looked up every 10 us until it
// appears, for at most 1000 tries (its server may not have registered
// yet); a negative status when it never does, or the lookup fails.
inline int64_t LookUpUntilFound(uint64_t at, const char* name, size_t size, uint64_t rights) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int64_t token = vos::user::RegistryLookup(Put(at, name, size), size, rights);
    if (token != Code(vos::Status::kNotFound)) return token;
    vos::user::Sleep(10'000);
  }
  return Code(vos::Status::kNotFound);
}

inline void Print(const char* text) {
  const size_t size = std::strlen(text);
  vos::user::DebugWrite(Put(kScratch + 2048, text, size), size);
}

}  // namespace programs

#endif  // VERIDIAN_SCENARIOS_PROGRAMS_USER_HELPERS_H_
