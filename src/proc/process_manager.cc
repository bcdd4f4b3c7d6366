#include "src/proc/process_manager.h"

#include <algorithm>
#include <optional>

#include "src/cap/transfer.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/time.h"
#include "src/hal/user.h"
#include "src/lib/assert.h"
#include "src/lib/spinlock.h"
#include "src/mm/frame_page_source.h"
#include "src/proc/process_object.h"
#include "src/proc/process_table.h"
#include "src/proc/user_access.h"
#include "src/proc/user_token.h"
#include "src/sched/scheduler.h"

namespace vos {

namespace {

struct State {
  ProcessTable table;
  std::span<const Program> programs;
  ResourceLimits limits;
  uint64_t capability_secret = 0;
  FramePageSource capability_pages;  // Every capability space's slot tables.
  Process* init = nullptr;
  UserThread* free_threads VOS_GUARDED_BY(ProcessTreeLock()) = nullptr;
};
State state;

// The process wait queues are guarded by the tree lock (see process.h), which
// the analysis cannot tell from the queues' own lock member: these two are
// the only bypass.
void WakeAllTreeLocked(WaitQueue& queue) VOS_REQUIRES(ProcessTreeLock())
    VOS_NO_THREAD_SAFETY_ANALYSIS {
  queue.WakeAllLocked();
}
void BlockTreeLocked(WaitQueue& queue) VOS_REQUIRES(ProcessTreeLock())
    VOS_NO_THREAD_SAFETY_ANALYSIS {
  (void)queue.BlockLocked();
}

// Gives `process` an empty capability space. Its tokens depend on the boot
// secret, which user code never sees, and on the process's id and creation
// time, so two processes' tokens differ.
void InitCapabilities(Process& process, std::optional<CapabilitySpace>& space) {
  CapabilitySpace::Options options;
  options.max_slots = std::clamp(process.limits().max_capabilities, 1u, abi::kMaxCapabilities);
  options.seed = state.capability_secret ^ (process.id().value * 0x9e3779b97f4a7c15ull) ^
                 process.stats().created_at;
  if (options.seed == 0) options.seed = 1;  // 0 would pick a per-space default.
  space.emplace();
  space->Init(state.capability_pages, options);
}

// A capability to `object` with `rights` in `space`.
template <typename T>
Result<Token> InsertNew(CapabilitySpace& space, Result<ObjectRef<T>> object, Rights rights) {
  if (!object.ok()) return object.status();
  return space.Insert(**object, rights);  // The capability takes its own reference.
}

// Copies `grants` from `from` into `to` with their rights, writing each
// copy's user token to `space` from `at` on.
Status CopyGrants(CapabilitySpace& from, std::span<const Token> grants, CapabilitySpace& to,
                  AddressSpace& space, hal::VirtAddr at) {
  for (Token grant : grants) {
    Result<Token> copy = CopyCapability(from, grant, to);
    if (!copy.ok()) return copy.status();
    const uint64_t value = ToUserToken(*copy);
    ScopedUserAccess access(space);
    if (!access.CopyOut(at, &value, sizeof(value))) return Status::kNoMemory;
    at += sizeof(value);
  }
  return Status::kOk;
}

// An affinity with a scheduled CPU, a first CPU inside it, a real priority.
bool IsValid(const SchedulingOptions& scheduling) {
  const CpuMask usable = scheduling.affinity & CpuMask::FirstN(Scheduler::cpu_count());
  return !usable.Empty() && scheduling.priority < kPriorityCount &&
         (scheduling.first_cpu == CpuMask::kNone || usable.Has(scheduling.first_cpu));
}

}  // namespace

// Tree operations; a friend of Process and UserThread.
struct ProcessTree {
  // --- Tree helpers, all under the tree lock. ---

  static void LinkChildLocked(Process* parent, Process* child) VOS_REQUIRES(ProcessTreeLock()) {
    child->parent_ = parent;
    child->prev_sibling_ = nullptr;
    child->next_sibling_ = parent->first_child_;
    if (parent->first_child_ != nullptr) parent->first_child_->prev_sibling_ = child;
    parent->first_child_ = child;
    ++parent->children_;
  }

  static void UnlinkChildLocked(Process* child) VOS_REQUIRES(ProcessTreeLock()) {
    Process* parent = child->parent_;
    if (child->prev_sibling_ != nullptr) {
      child->prev_sibling_->next_sibling_ = child->next_sibling_;
    } else {
      parent->first_child_ = child->next_sibling_;
    }
    if (child->next_sibling_ != nullptr) child->next_sibling_->prev_sibling_ = child->prev_sibling_;
    child->parent_ = child->next_sibling_ = child->prev_sibling_ = nullptr;
    --parent->children_;
  }

  static void LinkThreadLocked(Process* process, UserThread* thread) VOS_REQUIRES(ProcessTreeLock()) {
    thread->prev_ = nullptr;
    thread->next_ = process->threads_;
    if (process->threads_ != nullptr) process->threads_->prev_ = thread;
    process->threads_ = thread;
    ++process->live_threads_;
  }

  static void UnlinkThreadLocked(Process* process, UserThread* thread) VOS_REQUIRES(ProcessTreeLock()) {
    if (thread->prev_ != nullptr) {
      thread->prev_->next_ = thread->next_;
    } else {
      process->threads_ = thread->next_;
    }
    if (thread->next_ != nullptr) thread->next_->prev_ = thread->prev_;
    thread->next_ = thread->prev_ = nullptr;
    --process->live_threads_;
  }

  // A thread still being created (linked, not yet given its id and
  // scheduler thread) is never found.
  static UserThread* FindThreadLocked(Process* process, ThreadId id) VOS_REQUIRES(ProcessTreeLock()) {
    for (UserThread* t = process->threads_; t != nullptr; t = t->next_) {
      if (t->thread_ != nullptr && t->id_ == id) return t;
    }
    return nullptr;
  }

  // Sets the exit status (first caller wins) and wakes every thread of
  // `process` that is blocked, so each notices and leaves: through
  // WaitQueue::Interrupt every interruptible wait (sleep, IPC, channels,
  // sync objects), now or later.
  static void ExitLocked(Process* process, const abi::ExitStatus& status)
      VOS_REQUIRES(ProcessTreeLock()) {
    if (process->exiting_.load(std::memory_order_relaxed)) return;
    process->exit_ = status;
    process->state_ = ProcessState::kExiting;
    process->exiting_.store(true, std::memory_order_release);
    WakeAllTreeLocked(process->child_waiters_);
    WakeAllTreeLocked(process->thread_waiters_);
    for (UserThread* t = process->threads_; t != nullptr; t = t->next_) {
      // Not yet published threads have no waits: they check exiting_ first.
      if (t->thread_ != nullptr) WaitQueue::Interrupt(t->thread_);
      // A thread running user code on another CPU may have no timer armed
      // (alone on its CPU): an IPI makes it trap, and it sees exiting_.
      if (t->thread_ != nullptr && t->thread_->state() == ThreadState::kRunning &&
          t->thread_->cpu() != hal::CurrentCpu()) {
        hal::SendIpi(t->thread_->cpu());
      }
    }
  }

  // Runs with interrupts enabled: the address space's teardown shoots down
  // TLBs. Nothing else refers to either space any more; the capabilities go
  // first, so the process holds nothing once it is a zombie.
  static void Teardown(Process* process) {
    ReleaseProcessIpc(*process);
    process->capabilities_.reset();
    process->space_.reset();
    IrqSpinLockGuard guard(ProcessTreeLock());
    Process* init = state.init;
    bool zombie_to_init = false;
    while (Process* child = process->first_child_) {
      UnlinkChildLocked(child);
      LinkChildLocked(init, child);
      zombie_to_init |= child->state_ == ProcessState::kZombie;
    }
    if (zombie_to_init) WakeAllTreeLocked(init->child_waiters_);
    process->state_ = ProcessState::kZombie;
    WakeAllTreeLocked(process->parent_->child_waiters_);
  }

  // The slot forgets its thread's id: a reused slot must not answer to it
  // while its new thread is being created.
  static void FreeThreadSlotLocked(UserThread* thread) VOS_REQUIRES(ProcessTreeLock()) {
    thread->process_ = nullptr;
    thread->thread_ = nullptr;
    thread->id_ = ThreadId{};
    thread->next_ = state.free_threads;
    state.free_threads = thread;
  }

};

Process::Process() : child_waiters_(ProcessTreeLock()), thread_waiters_(ProcessTreeLock()) {}

Status ProcessManager::Init(const ProcessConfig& config) {
  // A user thread's space stays active across its syscall until it
  // switches out (ScopedUserAccess).
  Scheduler::SetSwitchOutHook(&AddressSpace::DeactivateOnSwitch);
  IrqSpinLockGuard guard(ProcessTreeLock());
  state.table.Init(config.processes);
  state.programs = config.programs;
  state.limits = config.limits;
  state.free_threads = nullptr;
  for (size_t i = config.threads.size(); i-- > 0;) {
    ProcessTree::FreeThreadSlotLocked(&config.threads[i]);
  }
  Result<Process*> init = state.table.AllocateLocked();
  if (!init.ok()) return init.status();
  Process* process = *init;
  VOS_ASSERT(process->id_.value == abi::kInitPid);
  process->state_ = ProcessState::kRunning;
  process->exiting_.store(false, std::memory_order_relaxed);
  process->program_ = nullptr;
  process->parent_ = process->first_child_ = nullptr;
  process->children_ = 0;
  process->threads_ = nullptr;
  process->live_threads_ = 0;
  process->limits_ = config.limits;
  process->scheduling_ = SchedulingOptions{};
  process->stats_.created_at = hal::Now();
  state.capability_secret = config.capability_secret;
  InitCapabilities(*process, process->capabilities_);
  state.init = process;
  return Status::kOk;
}

Process* ProcessManager::InitProcess() { return state.init; }

void ProcessManager::Shutdown() {
  VOS_ASSERT(LiveProcesses() == 1);
  state.init->capabilities_.reset();
}

std::span<const Program> ProcessManager::programs() { return state.programs; }

size_t ProcessManager::LiveProcesses() {
  IrqSpinLockGuard guard(ProcessTreeLock());
  return state.table.LiveLocked();
}

Result<ProcessId> ProcessManager::Spawn(Process* parent, const char* name, size_t name_size,
                                        const void* args, size_t args_size,
                                        Token* child_token, std::span<const Token> grants,
                                        const SchedulingOptions* scheduling) {
  const Program* program = FindProgram(state.programs, name, name_size);
  if (program == nullptr) return Status::kNotFound;
  if (scheduling != nullptr && !IsValid(*scheduling)) return Status::kInvalidArgument;
  const size_t entry_args_size = args_size + grants.size() * sizeof(uint64_t);
  if (entry_args_size > abi::kMaxArgsSize) return Status::kInvalidArgument;
  Process* process;
  {
    IrqSpinLockGuard guard(ProcessTreeLock());
    if (parent->exiting()) return Status::kBusy;
    if (parent->children_ >= parent->limits_.max_children) return Status::kOutOfRange;
    Result<Process*> slot = state.table.AllocateLocked();
    if (!slot.ok()) return slot.status();
    process = *slot;
    // Exiting until it is linked in: nothing can find it yet anyway.
    process->state_ = ProcessState::kExiting;
    process->exiting_.store(false, std::memory_order_relaxed);
    process->program_ = program;
    process->exit_ = {};
    process->first_child_ = nullptr;
    process->children_ = 0;
    process->threads_ = nullptr;
    process->live_threads_ = 0;
    process->limits_ = state.limits;
    process->scheduling_ = scheduling != nullptr ? *scheduling : parent->scheduling_;
    process->stats_.syscalls.store(0, std::memory_order_relaxed);
    process->stats_.page_faults.store(0, std::memory_order_relaxed);
    process->stats_.threads_created = 0;
    process->stats_.created_at = hal::Now();
    process->rate_account_.Reset();  // Nothing owed by the slot's last process.
  }
  InitCapabilities(*process, process->capabilities_);
  process->space_.emplace();
  Status status = process->space_->Init();
  if (IsOk(status)) {
    Result<hal::VirtAddr> data = process->space_->Map(abi::kUserDataBase, abi::kUserDataSize,
                                                      Perm::kRead | Perm::kWrite,
                                                      RegionKind::kPrivate);
    status = data.status();
  }
  if (IsOk(status) && args_size > 0) {
    ScopedUserAccess access(*process->space_);
    if (!access.CopyOut(abi::kUserDataBase, args, args_size)) status = Status::kNoMemory;
  }
  if (IsOk(status) && !grants.empty()) {
    status = CopyGrants(parent->capabilities(), grants, *process->capabilities_,
                        *process->space_, abi::kUserDataBase + args_size);
  }
  Token token = kInvalidToken;
  if (IsOk(status) && child_token != nullptr) {
    Result<Token> inserted = InsertNew(parent->capabilities(), ProcessObject::Create(process->id_),
                                       ProcessObject::kChildRights);
    status = inserted.status();
    if (inserted.ok()) token = *inserted;
  }
  if (IsOk(status)) {
    IrqSpinLockGuard guard(ProcessTreeLock());
    ProcessTree::LinkChildLocked(parent, process);
    process->state_ = ProcessState::kRunning;
  }
  if (IsOk(status)) {
    Result<ThreadId> thread =
        CreateThread(process, program->entry, abi::kUserDataBase, entry_args_size);
    if (thread.ok()) {
      if (child_token != nullptr) *child_token = token;
      return process->id_;
    }
    status = thread.status();
    IrqSpinLockGuard guard(ProcessTreeLock());
    ProcessTree::UnlinkChildLocked(process);
  }
  if (token != kInvalidToken) (void)parent->capabilities().Delete(token);
  process->capabilities_.reset();
  process->space_.reset();
  IrqSpinLockGuard guard(ProcessTreeLock());
  process->state_ = ProcessState::kZombie;
  state.table.FreeLocked(process);
  return status;
}

Result<ThreadId> ProcessManager::CreateThread(Process* process, hal::VirtAddr entry,
                                              uint64_t arg0, uint64_t arg1, Token* token) {
  UserThread* thread;
  {
    IrqSpinLockGuard guard(ProcessTreeLock());
    if (process->exiting()) return Status::kBusy;
    if (process->live_threads_ >= process->limits_.max_threads) return Status::kOutOfRange;
    thread = state.free_threads;
    if (thread == nullptr) return Status::kNoMemory;
    state.free_threads = thread->next_;
    thread->process_ = process;
    thread->published_.store(false, std::memory_order_relaxed);
    thread->exit_requested_ = false;
    thread->exit_code_ = 0;
    ProcessTree::LinkThreadLocked(process, thread);
    ++process->stats_.threads_created;
  }
  hal::UserContextInit(&thread->context_, entry, 0, arg0, arg1);
  ThreadOptions options;
  options.name = process->name();
  options.detached = true;
  options.priority = process->scheduling_.priority;
  options.affinity = process->scheduling_.affinity;
  options.cpu = process->scheduling_.first_cpu;
  Result<Thread*> created = Scheduler::CreateThread(UserThreadMain, thread, options);
  // The token exists before the thread runs user code; without one, the
  // thread leaves at once (it cannot be the last: its creator is running).
  Status inserted = Status::kOk;
  Token new_token = kInvalidToken;
  if (created.ok() && token != nullptr) {
    Result<Token> result = InsertNew(process->capabilities(),
                                     ThreadObject::Create(process->id_, (*created)->id()),
                                     ThreadObject::kCreatorRights);
    inserted = result.status();
    if (result.ok()) new_token = *result;
  }
  IrqSpinLockGuard guard(ProcessTreeLock());
  if (!created.ok()) {
    hal::UserContextRelease(&thread->context_);
    ProcessTree::UnlinkThreadLocked(process, thread);
    ProcessTree::FreeThreadSlotLocked(thread);
    return created.status();
  }
  // The thread cannot have exited: it waits for published_ first.
  thread->thread_ = *created;
  thread->id_ = (*created)->id();
  thread->exit_requested_ = !IsOk(inserted);
  thread->published_.store(true, std::memory_order_release);
  if (!IsOk(inserted)) return inserted;
  if (token != nullptr) *token = new_token;
  return thread->id_;
}

void ProcessManager::Exit(Process* process, const abi::ExitStatus& status) {
  IrqSpinLockGuard guard(ProcessTreeLock());
  ProcessTree::ExitLocked(process, status);
}

Status ProcessManager::Kill(ProcessId target, int64_t code) {
  IrqSpinLockGuard guard(ProcessTreeLock());
  Process* process = state.table.LookupLocked(target);
  if (process == nullptr) return Status::kNotFound;
  if (process == state.init) return Status::kPermissionDenied;
  ProcessTree::ExitLocked(process, abi::ExitStatus{code, abi::ExitReason::kKilled, 0});
  return Status::kOk;
}

Result<ProcessId> ProcessManager::Wait(Process* parent, ProcessId child, abi::ExitStatus* status,
                                       bool no_hang) {
  IrqSpinLockGuard guard(ProcessTreeLock());
  for (;;) {
    if (parent->exiting()) return Status::kBusy;
    Process* zombie = nullptr;
    if (child.valid()) {
      Process* process = state.table.LookupLocked(child);
      if (process == nullptr || process->parent_ != parent) return Status::kNotFound;
      if (process->state_ == ProcessState::kZombie) zombie = process;
    } else {
      if (parent->first_child_ == nullptr) return Status::kNotFound;
      for (Process* p = parent->first_child_; p != nullptr; p = p->next_sibling_) {
        if (p->state_ == ProcessState::kZombie) {
          zombie = p;
          break;
        }
      }
    }
    if (zombie != nullptr) {
      const ProcessId id = zombie->id_;
      if (status != nullptr) *status = zombie->exit_;
      ProcessTree::UnlinkChildLocked(zombie);
      state.table.FreeLocked(zombie);
      return id;
    }
    if (no_hang) return ProcessId{};
    BlockTreeLocked(parent->child_waiters_);
  }
}

void ProcessManager::Sleep(UserThread& thread, hal::Nanoseconds deadline) {
  IrqSpinLockGuard guard(thread.sleep_queue_.lock());
  while (!thread.process_->exiting() && hal::Now() < deadline) {
    // Interruptible: a kill ends it (and any later one) at once.
    (void)thread.sleep_queue_.BlockLocked(deadline, ThreadState::kSleeping, nullptr,
                                          Interruptible::kYes);
  }
}

Status ProcessManager::JoinThread(UserThread& self, ThreadId id) {
  if (!id.valid() || id == self.id_) return Status::kInvalidArgument;
  Process* process = self.process_;
  IrqSpinLockGuard guard(ProcessTreeLock());
  while (ProcessTree::FindThreadLocked(process, id) != nullptr) {
    if (process->exiting()) return Status::kBusy;
    BlockTreeLocked(process->thread_waiters_);
  }
  return Status::kOk;
}

Status ProcessManager::QueryProcess(ProcessId id, abi::ProcessInfo* info) {
  IrqSpinLockGuard guard(ProcessTreeLock());
  Process* process = state.table.LookupLocked(id);
  if (process == nullptr) return Status::kNotFound;
  *info = abi::ProcessInfo{};
  info->pid = process->id_.value;
  info->parent = process->parent_ != nullptr ? process->parent_->id_.value : 0;
  info->state = process->state_ == ProcessState::kZombie    ? abi::ProcessState::kZombie
                : process->state_ == ProcessState::kExiting ? abi::ProcessState::kExiting
                                                            : abi::ProcessState::kRunning;
  info->threads = process->live_threads_;
  info->threads_created = process->stats_.threads_created;
  info->children = process->children_;
  info->syscalls = process->stats_.syscalls.load(std::memory_order_relaxed);
  info->page_faults = process->stats_.page_faults.load(std::memory_order_relaxed);
  info->created_at = process->stats_.created_at;
  if (process->state_ == ProcessState::kZombie) info->exit = process->exit_;
  return Status::kOk;
}

Status ProcessManager::QueryThread(ProcessId process_id, ThreadId id, abi::ThreadInfo* info) {
  IrqSpinLockGuard guard(ProcessTreeLock());
  Process* process = state.table.LookupLocked(process_id);
  if (process == nullptr) return Status::kNotFound;
  const UserThread* thread = ProcessTree::FindThreadLocked(process, id);
  if (thread == nullptr) return Status::kNotFound;
  // Alive while it is on the list: it unlinks itself before it exits.
  const Thread& t = *thread->thread_;
  *info = abi::ThreadInfo{};
  info->tid = thread->id_.value;
  info->pid = process->id_.value;
  info->state = static_cast<uint32_t>(t.state());
  info->cpu = t.cpu();
  info->priority = t.effective_priority();
  info->switches_in = t.stats().switches_in;
  info->preemptions = t.stats().preemptions;
  info->run_time = t.stats().run_time;
  return Status::kOk;
}

void ProcessManager::FinishThread(UserThread* thread) {
  Process* process = thread->process_;
  hal::UserContextRelease(&thread->context_);
  bool last;
  {
    IrqSpinLockGuard guard(ProcessTreeLock());
    ProcessTree::UnlinkThreadLocked(process, thread);
    WakeAllTreeLocked(process->thread_waiters_);
    last = process->live_threads_ == 0;
    if (last) {
      ProcessTree::ExitLocked(process, abi::ExitStatus{thread->exit_code_, abi::ExitReason::kExited, 0});
    }
    ProcessTree::FreeThreadSlotLocked(thread);
  }
  if (last) ProcessTree::Teardown(process);
  Scheduler::Exit(0);
}

}  // namespace vos
