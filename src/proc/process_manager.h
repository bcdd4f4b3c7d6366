// Process lifecycle: spawn from the program catalog, user threads, exit,
// kill, wait and the parent/child tree.
//
// Lifecycle of a process:
//  1. Spawn allocates a slot, builds the address space (a private data
//     region at abi::kUserDataBase holding the arguments) and the capability
//     space, links the process under its parent and starts its first user
//     thread.
//  2. Exit (exit syscall, the last thread_exit, a kill or an unresolvable
//     fault) sets the exit status once and marks the process exiting; every
//     thread leaves at its next return to user mode, and blocked ones are
//     woken to do so.
//  3. The last thread to leave destroys the capability space (every
//     capability the process held goes, and what was derived from them
//     moves up to their parents) and the address space, hands the
//     children to init (waking init if a zombie came with them) and makes
//     the process a zombie, waking its parent.
//  4. The parent's wait reaps the zombie: the slot is freed and its id dies.
//
// Init (abi::kInitPid) is the first process. It has no threads of its own:
// the kernel thread that calls Init acts for it, and must reap its children
// (the orphans re-parented to it too) with Wait.
#ifndef VERIDIAN_SRC_PROC_PROCESS_MANAGER_H_
#define VERIDIAN_SRC_PROC_PROCESS_MANAGER_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "src/abi/syscall.h"
#include "src/cap/token.h"
#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/proc/process.h"
#include "src/proc/process_id.h"
#include "src/proc/program_catalog.h"
#include "src/sched/thread.h"

namespace vos {

struct ProcessConfig {
  std::span<Process> processes;      // Process slots, init's included.
  std::span<UserThread> threads;     // User-thread slots for all processes.
  std::span<const Program> programs;
  ResourceLimits limits;             // Of every new process.
  // Mixed into every capability space's first slot generations with the
  // process's id and creation time, so user code cannot predict tokens:
  // boot entropy on hardware; the simulator derives it from its seed.
  uint64_t capability_secret = 0;
};

class ProcessManager {
 public:
  // Resets every process structure (tests boot many machines in one host
  // process) and creates init. After Scheduler::Init, on a kernel thread or
  // the boot CPU; interrupts enabled.
  static Status Init(const ProcessConfig& config);
  static Process* InitProcess();
  // Destroys init's capability space: the last step before power-off, once
  // every child of init is reaped (the process slots may then be freed).
  static void Shutdown();

  // Spawns program `name` (`name_size` bytes) as a child of `parent`, with
  // a copy of `args`. kNotFound: no such program; kInvalidArgument: args
  // too long; kOutOfRange: parent's child limit; kNoMemory; kBusy: the
  // parent is exiting. With `child_token`, the parent's capability space
  // also gets a capability to the child (ProcessObject::kChildRights)
  // before the child runs, or the spawn fails with the space's error.
  // Each of `grants` (capabilities of the parent with Rights::kGrant) is
  // copied into the child's space, derived from the parent's (so revoking
  // that removes the copy), and its user token (user_token.h) follows the
  // args bytes as a uint64_t. Interrupts enabled.
  static Result<ProcessId> Spawn(Process* parent, const char* name, size_t name_size,
                                 const void* args, size_t args_size,
                                 Token* child_token = nullptr,
                                 std::span<const Token> grants = {},
                                 const SchedulingOptions* scheduling = nullptr);
  // A new user thread of `process` at user code address `entry`. With
  // `token`, the process also gets a capability to the thread
  // (ThreadObject::kCreatorRights) before the thread runs user code.
  static Result<ThreadId> CreateThread(Process* process, hal::VirtAddr entry, uint64_t arg0,
                                       uint64_t arg1, Token* token = nullptr);
  // Ends `process` with `status` unless it already ends; wakes its threads.
  static void Exit(Process* process, const abi::ExitStatus& status);
  // Ends `target` with ExitReason::kKilled. Who may is the caller's concern
  // (syscalls: a capability with rights::kProcessKill); init never ends
  // (kPermissionDenied).
  static Status Kill(ProcessId target, int64_t code);
  // Reaps a zombie child of `parent` (`child`, or any for an invalid id):
  // its id, or ProcessId{} with `no_hang` and none ready. kNotFound: no such
  // child; kBusy: `parent` itself is exiting.
  static Result<ProcessId> Wait(Process* parent, ProcessId child, abi::ExitStatus* status,
                                bool no_hang);
  // Blocks `thread` until `deadline` or until its process is ending.
  static void Sleep(UserThread& thread, hal::Nanoseconds deadline);
  // Waits until `process` has no live thread `id`.
  static Status JoinThread(UserThread& self, ThreadId id);

  static Status QueryProcess(ProcessId id, abi::ProcessInfo* info);
  // Live thread `id` of `process`.
  static Status QueryThread(ProcessId process, ThreadId id, abi::ThreadInfo* info);
  static std::span<const Program> programs();
  static size_t LiveProcesses();

 private:
  friend void UserThreadMain(void* arg);
  // The last step of a user thread: unlinks it and, if it was the last,
  // tears the process down. Then the scheduler thread exits.
  [[noreturn]] static void FinishThread(UserThread* thread);
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROCESS_MANAGER_H_
