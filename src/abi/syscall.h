// The syscall ABI: the contract between user programs and the kernel, shared
// by the simulator's user programs and bare-metal ones. Append only.
//
// Calling convention (hal::SyscallArgs): `number` is a Syscall value and
// args[0..5] its arguments, in the architecture's argument registers (x86_64
// rax; rdi rsi rdx r10 r8 r9 - AArch64 x8; x0..x5 - RISC-V a7; a0..a5). The
// result comes back in one register (hal::UserContext::return_value) as an
// int64_t: >= 0 is success (a value or 0), < 0 is a vos::Status
// (src/lib/status.h, whose numbering is part of this ABI).
//
// Pointers are user virtual addresses; the kernel reads and writes them only
// through the MMU with user permissions, so a bad pointer returns
// kInvalidArgument and never faults the kernel. Unknown numbers return
// kNotSupported.
#ifndef VERIDIAN_SRC_ABI_SYSCALL_H_
#define VERIDIAN_SRC_ABI_SYSCALL_H_

#include <cstdint>

namespace vos::abi {

enum class Syscall : uint64_t {
  // exit(code): ends the calling process (every thread) with `code`.
  kExit = 0,
  // thread_exit(code): ends the calling thread; the last one to go ends the
  // process with `code`.
  kThreadExit = 1,
  // spawn(name, name_len, args, args_len) -> pid: starts catalog program
  // `name` as a child; its entry gets a copy of the `args` bytes (at most
  // kMaxArgsSize) at kUserDataBase. kNotFound for an unknown program.
  kSpawn = 2,
  // thread_create(entry, arg) -> tid: a new thread of the calling process
  // running entry(arg, 0) (a user code address).
  kThreadCreate = 3,
  // wait(pid, status, flags) -> pid: reaps a zombie child (pid, or any
  // child for kAnyChild), writing its ExitStatus to `status` unless it is 0.
  // Blocks unless flags has kWaitNoHang (then 0 when none is ready).
  // kNotFound when no such child exists.
  kWait = 4,
  // kill(pid, code) -> 0: ends the process (the caller or a descendant) with
  // ExitReason::kKilled and `code`. kPermissionDenied for other processes.
  kKill = 5,
  // yield() -> 0
  kYield = 6,
  // sleep(nanoseconds) -> 0: at least that much simulated/monotonic time.
  kSleep = 7,
  // process_info(pid or 0 for self, out) -> 0: fills a ProcessInfo. Any
  // live or zombie process may be queried.
  kProcessInfo = 8,
  // thread_info(tid or 0 for self, out) -> 0: fills a ThreadInfo; threads of
  // the calling process only.
  kThreadInfo = 9,
  // get_time() -> monotonic nanoseconds.
  kGetTime = 10,
  // thread_join(tid) -> 0: waits until that thread of the calling process
  // has exited (exit codes of threads are not kept). kInvalidArgument for
  // the caller's own or a malformed id.
  kThreadJoin = 11,
  // debug_write(text, length) -> length: writes to the kernel console.
  kDebugWrite = 12,
  kCount,
};

// The pid of init, the first process: every orphan's new parent.
inline constexpr uint64_t kInitPid = (uint64_t{1} << 32) | 0;  // Slot 0, generation 1.
inline constexpr uint64_t kAnyChild = ~uint64_t{0};
inline constexpr uint64_t kWaitNoHang = 1;

// Where a new process finds its arguments (entry(args, args_len)): the start
// of a private read-write region of kUserDataSize bytes that the rest of the
// program may use freely.
inline constexpr uint64_t kUserDataBase = 0x100000;
inline constexpr uint64_t kUserDataSize = 64 * 1024;
inline constexpr uint64_t kMaxArgsSize = 4096;
inline constexpr uint64_t kMaxNameSize = 64;
inline constexpr uint64_t kMaxDebugWrite = 256;
// The most capabilities one process may hold (its limit may be lower).
inline constexpr uint32_t kMaxCapabilities = 1u << 23;

enum class ExitReason : uint32_t {
  kExited = 1,   // exit / last thread_exit: `code` is the program's.
  kKilled = 2,   // kill: `code` is the killer's.
  kFaulted = 3,  // An unresolvable fault: `code` is the faulting address.
};

struct ExitStatus {
  int64_t code;
  ExitReason reason;
  uint32_t reserved;
};

enum class ProcessState : uint32_t { kRunning = 1, kExiting = 2, kZombie = 3 };

struct ProcessInfo {
  uint64_t pid;
  uint64_t parent;  // 0 for init.
  ProcessState state;
  uint32_t threads;          // Live threads.
  uint64_t threads_created;  // Over the process's life.
  uint64_t children;         // Live and zombie children.
  uint64_t syscalls;
  uint64_t page_faults;      // Faults taken in user mode (resolved or not).
  uint64_t created_at;       // Monotonic nanoseconds.
  ExitStatus exit;           // Valid once state is kZombie.
};

struct ThreadInfo {
  uint64_t tid;
  uint64_t pid;
  uint32_t state;     // vos::ThreadState of the scheduler.
  uint32_t cpu;
  uint32_t priority;  // Effective.
  uint32_t reserved;
  uint64_t switches_in;
  uint64_t preemptions;
  uint64_t run_time;  // Nanoseconds.
};

}  // namespace vos::abi

#endif  // VERIDIAN_SRC_ABI_SYSCALL_H_
