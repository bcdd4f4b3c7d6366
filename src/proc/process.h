// A process: an address space, the user threads running in it, its place in
// the parent/child tree, its exit status, limits and statistics. Processes
// live in a ProcessTable; ProcessManager (process_manager.h) creates, ends
// and reaps them.
//
// Locking: every field marked "tree" is guarded by the process tree lock
// (ProcessManager::TreeLock()), which also guards the table and the
// children/thread wait queues, so a waiter checks its condition and blocks
// under the lock its waker takes. exiting_ may be read without it.
#ifndef VERIDIAN_SRC_PROC_PROCESS_H_
#define VERIDIAN_SRC_PROC_PROCESS_H_

#include <atomic>
#include <cstdint>
#include <optional>

#include "src/abi/syscall.h"
#include "src/cap/capability_space.h"
#include "src/hal/types.h"
#include "src/hal/user.h"
#include "src/ipc/rate_limiter.h"
#include "src/mm/address_space.h"
#include "src/proc/held_locks.h"
#include "src/proc/process_id.h"
#include "src/proc/received_endpoints.h"
#include "src/proc/shared_mappings.h"
#include "src/proc/program_catalog.h"
#include "src/lib/cpu_mask.h"
#include "src/sched/priority.h"
#include "src/sched/thread.h"
#include "src/sched/wait_queue.h"

namespace vos {

class Process;
struct ProcessTree;  // process_manager.cc

enum class ProcessState : uint8_t {
  kFree,     // A table slot with no process.
  kRunning,  // Has threads (or is init).
  kExiting,  // Killed or exited; its threads are leaving.
  kZombie,   // No threads, no address space: waits for its parent's wait.
};

struct ResourceLimits {
  uint32_t max_threads = 1024;    // Live threads at once.
  uint32_t max_children = 1024;   // Live and zombie children at once.
  // Capabilities held at once (at most abi::kMaxCapabilities).
  uint32_t max_capabilities = 4096;
};

struct ProcessStats {
  std::atomic<uint64_t> syscalls{0};
  std::atomic<uint64_t> page_faults{0};  // Taken in user mode.
  uint64_t threads_created = 0;          // tree
  hal::Nanoseconds created_at = 0;
};

// The kernel's side of a user thread: its saved user context, its process
// and its scheduler thread (which runs UserThreadMain).
class UserThread {
 public:
  UserThread() = default;
  UserThread(const UserThread&) = delete;
  UserThread& operator=(const UserThread&) = delete;

  Process& process() const { return *process_; }
  ThreadId id() const { return id_; }
  hal::UserContext& context() { return context_; }
  // thread_exit was called: leave at the next return to user mode.
  void RequestExit(int64_t code) {
    exit_requested_ = true;
    exit_code_ = code;
  }
  // Only the thread itself uses its table.
  HeldLocks& held_locks() { return held_locks_; }

 private:
  friend class ProcessManager;
  friend struct ProcessTree;
  friend void UserThreadMain(void* arg);

  hal::UserContext context_;
  Process* process_ = nullptr;
  Thread* thread_ = nullptr;  // tree
  ThreadId id_;
  // Set by the creator once id_ and thread_ are written; the thread waits
  // for it before it runs user code (it could otherwise exit first).
  std::atomic<bool> published_{false};
  bool exit_requested_ = false;  // Only the thread itself touches these.
  int64_t exit_code_ = 0;
  UserThread* next_ = nullptr;  // tree: the process's list, or the free list.
  UserThread* prev_ = nullptr;
  WaitQueue sleep_queue_;  // sleep(): woken by its deadline or a kill.
  HeldLocks held_locks_;
};

// Where a process's user threads run: each thread it creates gets these,
// and the processes it spawns inherit them.
struct SchedulingOptions {
  Priority priority = kDefaultPriority;
  CpuMask affinity = CpuMask::All();
  // The CPU new threads start on (balancing may move them within the
  // affinity); kNone: the creator's, if the affinity allows.
  hal::CpuId first_cpu = CpuMask::kNone;
};

class Process {
 public:
  Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  ProcessId id() const { return id_; }
  const char* name() const { return program_ != nullptr ? program_->name : "init"; }
  bool exiting() const { return exiting_.load(std::memory_order_acquire); }
  AddressSpace& space() { return *space_; }
  const ResourceLimits& limits() const { return limits_; }
  const SchedulingOptions& scheduling() const { return scheduling_; }
  ProcessStats& stats() { return stats_; }

  // Names every kernel object the process can reach. Exists from spawn
  // until the last thread leaves (for init: always), so only the process's
  // own threads (init: the kernel thread acting for it) may use it.
  CapabilitySpace& capabilities() { return *capabilities_; }
  // Its shared-memory mappings (shm_map); emptied before the space goes.
  SharedMappings& shared_mappings() { return shared_mappings_; }
  // The endpoints it received on: its unanswered calls fail when it dies.
  ReceivedEndpoints& received_endpoints() { return received_endpoints_; }
  // Its rate-limit buckets, one per limited channel it sends on.
  RateAccount& rate_account() { return rate_account_; }

 private:
  friend class ProcessManager;
  friend class ProcessTable;
  friend struct ProcessTree;

  ProcessId id_;                   // tree
  uint32_t generation_ = 0;        // tree
  ProcessState state_ = ProcessState::kFree;  // tree
  std::atomic<bool> exiting_{false};
  const Program* program_ = nullptr;
  abi::ExitStatus exit_{};  // tree; set once, by the first exit or kill.

  // Tree links (tree): children are a doubly linked list through siblings.
  Process* parent_ = nullptr;
  Process* first_child_ = nullptr;
  Process* next_sibling_ = nullptr;
  Process* prev_sibling_ = nullptr;
  uint32_t children_ = 0;

  UserThread* threads_ = nullptr;  // tree
  uint32_t live_threads_ = 0;      // tree

  // Constructed at spawn, destroyed by the last thread to leave.
  std::optional<AddressSpace> space_;
  std::optional<CapabilitySpace> capabilities_;
  SharedMappings shared_mappings_;
  ReceivedEndpoints received_endpoints_;
  RateAccount rate_account_;
  ResourceLimits limits_;
  SchedulingOptions scheduling_;  // Set at spawn.
  ProcessStats stats_;

  WaitQueue child_waiters_;   // In wait(): woken when a child turns zombie.
  WaitQueue thread_waiters_;  // In thread_join(): woken when a thread exits.
  Process* next_free_ = nullptr;  // tree
};

// The kernel side of every user thread: runs user code until it traps,
// handles the trap, and leaves when the thread or its process ends.
void UserThreadMain(void* arg);

// Defined by the syscall dispatcher (src/syscall): runs `args` for `thread`
// with interrupts enabled and returns the result register's value.
int64_t DispatchSyscall(UserThread& thread, const hal::SyscallArgs& args);

// Defined by the sync syscalls (src/syscall): releases every lock in
// `thread`'s HeldLocks. Called by the thread itself as it leaves.
void ReleaseHeldLocks(UserThread& thread);

// Defined by the IPC syscalls (src/syscall): what a dying process leaves in
// IPC (its registry names, its shared-memory mappings, the calls it took and
// never answered). Called by its last thread, before the capability and
// address spaces go (endpoints and channels only it could serve close with
// its capabilities).
void ReleaseProcessIpc(Process& process);

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROCESS_H_
