#include "src/sched/scheduler.h"

#include <algorithm>
#include <atomic>
#include <new>

#include "src/hal/context.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/time.h"
#include "src/kernel/percpu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/lib/spinlock.h"
#include "src/sched/run_queue.h"
#include "src/sched/wait_queue.h"

namespace vos {
namespace {

// One CPU's scheduler. `lock` guards the run queue, `current` and the slice
// and real-time accounting. It is held across a context switch and released
// by the thread switched to (FinishSwitch), so no other CPU sees a thread in
// the queue whose context is not saved yet.
struct alignas(64) CpuState {
  hal::CpuId id = 0;
  SpinLock lock;
  RunQueue queue VOS_GUARDED_BY(lock);
  Thread* current = nullptr;    // Written under lock; read locally any time.
  Thread* idle = nullptr;
  Thread* previous = nullptr;   // The thread being switched away from.
  Thread* migrating = nullptr;  // `previous`, when it must move to another CPU.
  // A wait-queue lock HandOff left held for the thread it switched to.
  SpinLock* handed_lock = nullptr;
  // Queued threads, readable without the lock for balancing decisions;
  // written only under `lock` (a plain store: no locked instruction on the
  // switch path).
  std::atomic<uint32_t> queued{0};
  std::atomic<bool> need_resched{false};
  hal::Nanoseconds accounted_at = 0;  // `current` ran since then, unaccounted.
  hal::Nanoseconds timer_armed = kNoDeadline;
  // A timer interrupt found expired timers while the interrupted code held
  // a spinlock (or a PreemptionGuard): their callbacks run when it lets go
  // (RunDeferredTimers), not in the interrupt. A callback takes its
  // waiter's lock (WaitQueue::OnTimeout), whose holder on another CPU may
  // be waiting, interrupts off, for a lock the interrupted code holds with
  // interrupts on: a capability's derivation lock, under an endpoint's
  // while a message carries capabilities.
  bool timers_deferred = false;
  hal::Nanoseconds rt_window_end = 0;
  hal::Nanoseconds rt_used = 0;
  bool rt_throttled = false;
  hal::Nanoseconds halted_at = 0;
  hal::KernelContext boot_context;  // Abandoned by RunCpu.
  TimerQueue timers;
  CpuSchedulerStats stats;
};

struct State {
  SchedulerConfig config;
  uint32_t cpus = 0;
  ThreadTable table;
  CpuState cpu[hal::kMaxCpus];
  // CPUs halted in their idle loop; a bit is cleared by whoever kicks it.
  std::atomic<uint64_t> idle_words[CpuMask::kWords];
  // CPUs with queued threads (CpuState::queued > 0), so that balancing
  // visits only those.
  std::atomic<uint64_t> queued_cpus[CpuMask::kWords];
  void (*switch_out_hook)() = nullptr;  // Scheduler::SetSwitchOutHook.
};
State state;

CpuState& ThisCpu() { return state.cpu[hal::CurrentCpu()]; }

// Updates a CpuState::queued under its CPU's lock, and the CPU's bit in
// queued_cpus; returns the old value.
uint32_t AddQueued(CpuState& cpu, int delta) {
  const uint32_t old = cpu.queued.load(std::memory_order_relaxed);
  const uint32_t now = old + delta;
  cpu.queued.store(now, std::memory_order_relaxed);
  if ((old == 0) != (now == 0)) {
    const uint64_t bit = uint64_t{1} << (cpu.id % 64);
    if (now != 0) {
      state.queued_cpus[cpu.id / 64].fetch_or(bit, std::memory_order_relaxed);
    } else {
      state.queued_cpus[cpu.id / 64].fetch_and(~bit, std::memory_order_relaxed);
    }
  }
  return old;
}

// A snapshot of per-CPU bit words (each word read once).
CpuMask SnapshotOf(const std::atomic<uint64_t> (&words)[CpuMask::kWords]) {
  std::array<uint64_t, CpuMask::kWords> bits;
  for (size_t word = 0; word < CpuMask::kWords; ++word) {
    bits[word] = words[word].load(std::memory_order_acquire);
  }
  return CpuMask::FromWords(bits);
}

void MarkIdle(hal::CpuId cpu) {
  state.idle_words[cpu / 64].fetch_or(uint64_t{1} << (cpu % 64), std::memory_order_acq_rel);
}
// True if this call cleared the bit, so only one kicker sends the IPI.
bool ClaimIdle(hal::CpuId cpu) {
  const uint64_t bit = uint64_t{1} << (cpu % 64);
  return (state.idle_words[cpu / 64].fetch_and(~bit, std::memory_order_acq_rel) & bit) != 0;
}

// The first idle CPU `mask` allows, scanning from `start` (wrapping).
hal::CpuId FindIdleCpu(const CpuMask& mask, hal::CpuId start) {
  return (SnapshotOf(state.idle_words) & mask).NextFrom(start, state.cpus);
}

void OnTimerTrap();
void OnInterruptExit();
void OnDeferredPreemption();

}  // namespace

// The scheduler's internals, with access to Thread's private state.
struct SchedulerImpl {
  static bool IsRealTime(const Thread* thread) {
    return ClassOf(thread->effective_priority()) == PriorityClass::kRealTime;
  }

  static void CheckStack(const Thread* thread) {
    const StackHeader* header = StackHeaderOf(thread->stack_);
    VOS_ASSERT_MSG(header->canary == StackHeader::kCanary && header->owner == thread,
                   "kernel stack overflow in thread %s", thread->name_);
  }

  // Charges `current` for the time since it was last accounted: statistics,
  // its slice, and the CPU's real-time budget.
  static void StartRealTimeWindowIfDue(CpuState& cpu, hal::Nanoseconds now)
      VOS_REQUIRES(cpu.lock) {
    if (now < cpu.rt_window_end) return;
    cpu.rt_window_end = now + state.config.rt_period;
    cpu.rt_used = 0;
    cpu.rt_throttled = false;
  }

  static void Account(CpuState& cpu, hal::Nanoseconds now) VOS_REQUIRES(cpu.lock) {
    Thread* current = cpu.current;
    const hal::Nanoseconds ran = now - cpu.accounted_at;
    cpu.accounted_at = now;
    if (current == cpu.idle) {
      cpu.stats.idle_time += ran;
      return;
    }
    current->stats_.run_time += ran;
    current->slice_left_ = ran >= current->slice_left_ ? 0 : current->slice_left_ - ran;
    StartRealTimeWindowIfDue(cpu, now);
    if (IsRealTime(current)) {
      cpu.rt_used += ran;
      if (cpu.rt_used >= state.config.rt_runtime &&
          state.config.rt_runtime < state.config.rt_period && !cpu.rt_throttled) {
        cpu.rt_throttled = true;
        ++cpu.stats.rt_throttles;
      }
    }
  }

  // The next thread to run (already dequeued), or null for the idle thread.
  static Thread* PickLocked(CpuState& cpu, hal::Nanoseconds now) VOS_REQUIRES(cpu.lock) {
    StartRealTimeWindowIfDue(cpu, now);
    Thread* next = nullptr;
    // Over its real-time budget, the CPU goes to lower threads first; if
    // none wants it, real-time threads keep running.
    if (cpu.rt_throttled) next = cpu.queue.PopHighest(RunQueue::kBelowRealTime);
    if (next == nullptr) next = cpu.queue.PopHighest();
    if (next != nullptr) AddQueued(cpu, -1);
    return next;
  }

  // Whether `current` should give way to the best queued thread.
  static bool ShouldPreemptLocked(CpuState& cpu) VOS_REQUIRES(cpu.lock) {
    if (cpu.queue.empty()) return false;
    if (cpu.current == cpu.idle) return true;
    const Priority best = cpu.queue.HighestPriority();
    const Priority mine = cpu.current->effective_priority();
    if (best > mine) return true;
    if (cpu.rt_throttled && IsRealTime(cpu.current) &&
        cpu.queue.HasAny(RunQueue::kBelowRealTime)) {
      return true;
    }
    return best == mine && cpu.current->slice_left_ == 0;
  }

  // Arms the CPU timer for the earliest of: a timeout, the end of the
  // current slice, the end of a real-time throttle. Only ever moves the
  // deadline earlier: a timer that fires early is re-armed by OnTimer, which
  // keeps the context-switch path free of timer programming.
  static void ProgramTimer(CpuState& cpu, hal::Nanoseconds now) VOS_REQUIRES(cpu.lock) {
    // Deferred timers are due already: no interrupt for them, or it would
    // come back at once while the locks they wait for are still held.
    hal::Nanoseconds deadline = cpu.timers_deferred ? kNoDeadline : cpu.timers.NextDeadline();
    // An exhausted slice already asked for a switch (maybe deferred by a
    // PreemptionGuard): no timer for it, or it would fire again at once.
    if (cpu.current != cpu.idle && cpu.current->slice_left_ > 0) {
      deadline = std::min(deadline, now + cpu.current->slice_left_);
    }
    if (cpu.rt_throttled) deadline = std::min(deadline, cpu.rt_window_end);
    if (deadline < cpu.timer_armed || cpu.timer_armed <= now) {
      cpu.timer_armed = deadline;
      if (deadline == kNoDeadline) {
        hal::TimerCancel();
      } else {
        hal::TimerSetDeadline(deadline);
      }
    }
  }

  // Steps 1-3 of a context switch; step 4 is FinishSwitch, run by the next
  // thread. Called with interrupts disabled and cpu.lock held; returns with
  // the lock released (possibly much later, on another CPU).
  static void RescheduleLocked(CpuState& cpu) VOS_NO_THREAD_SAFETY_ANALYSIS {
    // 1. Put the current thread back if it is still runnable.
    Thread* prev = cpu.current;
    const hal::Nanoseconds now = hal::Now();
    Account(cpu, now);
    cpu.need_resched.store(false, std::memory_order_relaxed);
    bool migrate = false;
    if (prev != cpu.idle && prev->state() == ThreadState::kRunning) {
      prev->state_.store(ThreadState::kRunnable, std::memory_order_relaxed);
      if (prev->affinity_.Has(cpu.id)) {
        // Preempted with slice left: it goes first again at its level.
        cpu.queue.Enqueue(prev, /*at_front=*/prev->slice_left_ > 0);
        AddQueued(cpu, 1);
      } else {
        migrate = true;
      }
    }
    // 2. Pick the next thread.
    Thread* next = PickLocked(cpu, now);
    if (next == nullptr) next = cpu.idle;
    if (next->slice_left_ == 0) next->slice_left_ = state.config.time_slice;
    if (next == prev) {
      prev->state_.store(ThreadState::kRunning, std::memory_order_relaxed);
      ProgramTimer(cpu, now);
      cpu.lock.Release();
      return;
    }
    // 3. Switch.
    SwitchLocked(cpu, prev, next, now, migrate);
  }

  // Step 3 of a context switch, shared with HandOff: `next` (not queued)
  // becomes `cpu`'s current thread. prev stays on_cpu until FinishSwitch on
  // the other side, which also releases cpu.lock.
  static void SwitchLocked(CpuState& cpu, Thread* prev, Thread* next, hal::Nanoseconds now,
                           bool migrate) VOS_NO_THREAD_SAFETY_ANALYSIS {
    next->state_.store(ThreadState::kRunning, std::memory_order_relaxed);
    next->on_cpu_.store(true, std::memory_order_relaxed);
    next->cpu_.store(cpu.id, std::memory_order_relaxed);
    ++next->stats_.switches_in;
    next->stats_.last_switch_in = now;
    cpu.current = next;
    cpu.previous = prev;
    cpu.migrating = migrate ? prev : nullptr;
    ++cpu.stats.context_switches;
    ProgramTimer(cpu, now);
    CheckStack(prev);
    if (state.switch_out_hook != nullptr) state.switch_out_hook();
    hal::ContextSwitch(&prev->context_, &next->context_);
    // Resumed, on whichever CPU switched back to us.
    FinishSwitch(ThisCpu());
  }

  // Whether `cpu` may run `next` now instead of its queued threads (see
  // Scheduler::HandOff).
  static bool MayHandOffLocked(CpuState& cpu, const Thread* next) VOS_REQUIRES(cpu.lock) {
    if (!next->affinity_.Has(cpu.id)) return false;
    if (next->on_cpu_.load(std::memory_order_acquire)) return false;
    if (cpu.queue.empty()) return true;
    if (cpu.queue.HighestPriority() > next->effective_priority()) return false;
    return !(cpu.rt_throttled && IsRealTime(next) && cpu.queue.HasAny(RunQueue::kBelowRealTime));
  }

  static void HandOff(Thread* next, SpinLock* held) VOS_NO_THREAD_SAFETY_ANALYSIS {
    VOS_ASSERT_MSG(next->state() == ThreadState::kBlocked && !next->queued_ &&
                       next->blocked_on_ == nullptr,
                   "hand-off to thread %s, which is not taken off a wait queue", next->name_);
    CpuState& cpu = ThisCpu();
    Thread* prev = cpu.current;
    cpu.lock.Acquire();
    const hal::Nanoseconds now = hal::Now();
    Account(cpu, now);
    if (!MayHandOffLocked(cpu, next)) [[unlikely]] {
      ++cpu.stats.handoff_fallbacks;
      cpu.lock.Release();
      MakeRunnable(next, /*new_thread=*/false);  // Under `held`, as any wake-up.
      held->Release();
      Scheduler::Reschedule();
      return;
    }
    // prev is blocked: a waker that finds it waits for FinishSwitch.
    VOS_ASSERT(prev != cpu.idle && prev->state() != ThreadState::kRunning);
    cpu.need_resched.store(false, std::memory_order_relaxed);  // next is the best choice.
    if (next->cpu() != cpu.id) ++next->stats_.migrations;
    if (next->slice_left_ == 0) next->slice_left_ = state.config.time_slice;
    ++cpu.stats.handoffs;
    cpu.handed_lock = held;
    SwitchLocked(cpu, prev, next, now, /*migrate=*/false);
  }

  // 4. On the thread just switched to: let go of the previous one.
  static void FinishSwitch(CpuState& cpu) VOS_NO_THREAD_SAFETY_ANALYSIS {
    Thread* prev = cpu.previous;
    Thread* migrating = cpu.migrating;
    cpu.previous = nullptr;
    cpu.migrating = nullptr;
    // Decided before letting go of prev: once on_cpu_ is false another CPU
    // may pull it from our queue, run it to its exit and reap it there.
    const bool exited = prev != nullptr && prev->state() == ThreadState::kExited;
    if (prev != nullptr) prev->on_cpu_.store(false, std::memory_order_release);
    cpu.lock.Release();
    if (migrating != nullptr) MakeRunnable(migrating, /*new_thread=*/false);
    if (exited) Reap(prev);
  }

  // First code of every thread, on its own stack.
  static void ThreadStart(void* arg) {
    Thread* self = static_cast<Thread*>(arg);
    FinishSwitch(ThisCpu());
    hal::InterruptsEnable();
    self->entry_(self->arg_);
    Scheduler::Exit(0);
  }

  // Gives back an exited thread's stack once nothing runs on it, then frees
  // it (detached) or tells its joiner.
  static void Reap(Thread* thread) {
    VOS_ASSERT_MSG(thread->stack_ != nullptr, "thread %s (id %lu) reaped twice", thread->name_,
                   thread->id_.value);
    state.config.stacks->FreeStack(thread->stack_);
    thread->stack_ = nullptr;
    if (thread->detached_) {
      state.table.Free(thread);
      return;
    }
    WaitQueue& joiners = *thread->joiners_;
    IrqSpinLockGuard guard(joiners.lock());
    thread->reaped_ = true;
    joiners.WakeAllLocked();
  }

  // Chooses the CPU for a thread about to become runnable.
  static hal::CpuId SelectCpu(Thread* thread, bool new_thread) {
    const CpuMask& allowed = thread->affinity_;
    hal::CpuId last = thread->cpu();
    if (!allowed.Has(last) || last >= state.cpus) {
      last = allowed.NextFrom(last < state.cpus ? last : 0, state.cpus);
      VOS_ASSERT_MSG(last != CpuMask::kNone, "thread %s may run on no CPU", thread->name_);
    }
    if (new_thread || !state.config.load_balancing) return last;
    // A woken thread prefers an idle CPU to waiting behind a busy one.
    const CpuState& home = state.cpu[last];
    if (home.current != home.idle || home.queued.load(std::memory_order_relaxed) > 0) {
      const hal::CpuId idle = FindIdleCpu(allowed, last);
      if (idle != CpuMask::kNone) return idle;
    }
    return last;
  }

  static void MakeRunnable(Thread* thread, bool new_thread) VOS_NO_THREAD_SAFETY_ANALYSIS {
    // A thread that blocked on another CPU may not be switched out yet.
    while (thread->on_cpu_.load(std::memory_order_acquire)) hal::CpuRelax();
    const hal::CpuId target = SelectCpu(thread, new_thread);
    CpuState& cpu = state.cpu[target];
    cpu.lock.Acquire();
    if (!new_thread && thread->cpu() != target) ++thread->stats_.migrations;
    thread->cpu_.store(target, std::memory_order_relaxed);
    thread->state_.store(ThreadState::kRunnable, std::memory_order_relaxed);
    cpu.queue.Enqueue(thread);
    const uint32_t queued = AddQueued(cpu, 1) + 1;
    const bool preempt = ShouldPreemptLocked(cpu);
    if (preempt) cpu.need_resched.store(true, std::memory_order_relaxed);
    cpu.lock.Release();
    const hal::CpuId me = hal::CurrentCpu();
    if (preempt) {
      if (target != me) {
        ClaimIdle(target);
        ++state.cpu[me].stats.kicks;
      }
      // To this CPU too: taken when interrupts are next enabled, which is a
      // preemption point (a trap's exit, or the end of a wake-up path).
      hal::SendIpi(target);
    } else if (state.config.load_balancing && queued > 0) {
      // The target is busy: wake an idle CPU that may run it, to pull it.
      const hal::CpuId idle = FindIdleCpu(thread->affinity_, target + 1);
      if (idle != CpuMask::kNone && idle != target && ClaimIdle(idle)) {
        ++state.cpu[me].stats.kicks;
        hal::SendIpi(idle);
      }
    }
  }

  // Takes one thread `cpu` may run from the CPU with the most queued
  // threads, if that has at least `margin` more than `cpu`. Interrupts
  // disabled, no lock held. Returns whether it took one.
  static bool Pull(CpuState& cpu, uint32_t margin) VOS_NO_THREAD_SAFETY_ANALYSIS {
    const uint32_t mine = cpu.queued.load(std::memory_order_relaxed);
    CpuState* victim = nullptr;
    uint32_t most = mine + margin - 1;
    // Only CPUs with queued threads can have more than `most` (>= 0).
    SnapshotOf(state.queued_cpus).ForEachFrom(cpu.id + 1, state.cpus, [&](hal::CpuId other) {
      const uint32_t queued = state.cpu[other].queued.load(std::memory_order_relaxed);
      if (other != cpu.id && queued > most) {
        most = queued;
        victim = &state.cpu[other];
      }
    });
    if (victim == nullptr) return false;
    victim->lock.Acquire();
    Thread* thread =
        victim->queue.FindHighest([&](Thread* t) { return t->affinity_.Has(cpu.id); });
    if (thread != nullptr) {
      victim->queue.Remove(thread);
      AddQueued(*victim, -1);
      // In transit: runnable, on no queue; SetEffectivePriority follows cpu_.
      thread->cpu_.store(cpu.id, std::memory_order_relaxed);
    }
    victim->lock.Release();
    if (thread == nullptr) return false;
    cpu.lock.Acquire();
    ++thread->stats_.migrations;
    ++cpu.stats.pulled;
    cpu.queue.Enqueue(thread);
    AddQueued(cpu, 1);
    if (ShouldPreemptLocked(cpu)) cpu.need_resched.store(true, std::memory_order_relaxed);
    cpu.lock.Release();
    return true;
  }

  [[noreturn]] static void IdleLoop(void*) VOS_NO_THREAD_SAFETY_ANALYSIS {
    FinishSwitch(ThisCpu());  // From RunCpu's boot context.
    for (;;) {
      hal::InterruptsDisable();
      CpuState& cpu = ThisCpu();  // The idle thread never migrates.
      if (state.config.load_balancing && cpu.queued.load(std::memory_order_relaxed) == 0) {
        Pull(cpu, /*margin=*/1);
      }
      cpu.lock.Acquire();
      if (!cpu.queue.empty()) {
        RescheduleLocked(cpu);  // Back here when the CPU runs out of work.
        continue;
      }
      // Marked under the lock: a MakeRunnable that missed the mark found
      // the queue with its thread, and one that sees it sends an IPI.
      MarkIdle(cpu.id);
      ++cpu.stats.idle_halts;
      cpu.lock.Release();
      hal::WaitForInterrupt();  // The interrupt may switch to a thread.
      ClaimIdle(cpu.id);
    }
  }

  static void OnTimer() VOS_NO_THREAD_SAFETY_ANALYSIS {
    CpuState& cpu = ThisCpu();
    const hal::Nanoseconds now = hal::Now();
    ++cpu.stats.timer_ticks;
    if (PreemptionEnabled(cpu.id)) {
      cpu.timers.RunExpired(now);
    } else if (cpu.timers.NextDeadline() <= now) {
      cpu.timers_deferred = true;
      ++cpu.stats.deferred_timer_runs;
      DeferPreemption(cpu.id);  // Calls OnDeferredPreemption when it lets go.
    }
    cpu.lock.Acquire();
    cpu.timer_armed = kNoDeadline;
    Account(cpu, now);
    if (cpu.current != cpu.idle) {
      if (ShouldPreemptLocked(cpu)) {
        cpu.need_resched.store(true, std::memory_order_relaxed);
      } else if (cpu.current->slice_left_ == 0) {
        cpu.current->slice_left_ = state.config.time_slice;  // Alone at its level.
      }
    }
    ProgramTimer(cpu, now);
    const bool busy = cpu.current != cpu.idle;
    cpu.lock.Release();
    if (busy && state.config.load_balancing) Pull(cpu, /*margin=*/2);
  }

  // Runs the timers OnTimer deferred, with interrupts off, once this CPU
  // holds no spinlock and no PreemptionGuard.
  static void RunDeferredTimers() VOS_NO_THREAD_SAFETY_ANALYSIS {
    CpuState& cpu = ThisCpu();
    if (!cpu.timers_deferred) return;
    cpu.timers_deferred = false;
    const hal::Nanoseconds now = hal::Now();
    cpu.timers.RunExpired(now);
    cpu.lock.Acquire();
    ProgramTimer(cpu, now);
    cpu.lock.Release();
  }

  // The preemption point: at interrupt exit, and when the last
  // PreemptionGuard of a CPU that deferred a switch goes away.
  static void PreemptIfNeeded() {
    CpuState& cpu = ThisCpu();
    if (!cpu.need_resched.load(std::memory_order_relaxed)) return;
    if (!PreemptionEnabled(cpu.id)) {
      DeferPreemption(cpu.id);
      return;
    }
    if (cpu.current != cpu.idle && cpu.current->state() == ThreadState::kRunning) {
      ++cpu.current->stats_.preemptions;
      ++cpu.stats.preemptions;
    }
    Scheduler::Reschedule();
  }
};

namespace {
void OnTimerTrap() { SchedulerImpl::OnTimer(); }
void OnInterruptExit() { SchedulerImpl::PreemptIfNeeded(); }
void OnDeferredPreemption() {
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  SchedulerImpl::RunDeferredTimers();
  if (saved.enabled) {
    SchedulerImpl::PreemptIfNeeded();
  } else {
    // Inside the caller's interrupts-off section (a spinlock released in
    // it, or taken before it): not a place to switch. The next interrupt
    // exit, or the next end of a deferral, does it.
    DeferPreemption(hal::CurrentCpu());
  }
  hal::InterruptsRestore(saved);
}
}  // namespace

// --- Public interface ----------------------------------------------------------

Status Scheduler::Init(const SchedulerConfig& config) VOS_NO_THREAD_SAFETY_ANALYSIS {
  const uint32_t cpus = config.cpus != 0 ? config.cpus : hal::CpuCount();
  if (config.stacks == nullptr || cpus > hal::CpuCount() || config.time_slice == 0 ||
      config.threads.size() <= cpus) {
    return Status::kInvalidArgument;
  }
  state.config = config;
  state.cpus = cpus;
  state.switch_out_hook = nullptr;
  state.table.Init(config.threads);
  for (auto& word : state.idle_words) word.store(0, std::memory_order_relaxed);
  for (auto& word : state.queued_cpus) word.store(0, std::memory_order_relaxed);
  for (hal::CpuId id = 0; id < cpus; ++id) {
    CpuState& cpu = *new (&state.cpu[id]) CpuState();
    cpu.id = id;
    kernel::PerCpu& hooks = kernel::CpuData(id);
    hooks.on_timer = OnTimerTrap;
    hooks.on_interrupt_exit = OnInterruptExit;
    internal::preemption_counts[id] = {};  // A previous run may have died holding one.
    ThreadOptions options;
    options.name = "idle";
    options.priority = 0;
    options.affinity = CpuMask::Only(id);
    options.cpu = id;
    Result<Thread*> idle = CreateThread(nullptr, nullptr, options);
    if (!idle.ok()) return idle.status();
    cpu.idle = *idle;
    cpu.current = cpu.idle;
  }
  internal::deferred_preemption_hook = OnDeferredPreemption;
  return Status::kOk;
}

void Scheduler::RunCpu() VOS_NO_THREAD_SAFETY_ANALYSIS {
  hal::InterruptsDisable();
  CpuState& cpu = ThisCpu();
  VOS_ASSERT_MSG(cpu.id < state.cpus && cpu.idle != nullptr, "cpu %u is not scheduled",
                 hal::CurrentCpu());
  cpu.lock.Acquire();  // Released by FinishSwitch in the idle thread.
  cpu.accounted_at = hal::Now();
  cpu.idle->on_cpu_.store(true, std::memory_order_relaxed);
  cpu.idle->state_.store(ThreadState::kRunning, std::memory_order_relaxed);
  hal::ContextSwitch(&cpu.boot_context, &cpu.idle->context_);
  Panic("cpu %u resumed its abandoned boot context", cpu.id);
}

Result<Thread*> Scheduler::CreateThread(ThreadEntry entry, void* arg,
                                        const ThreadOptions& options) {
  const bool idle = entry == nullptr;
  if ((options.affinity & CpuMask::FirstN(state.cpus)).Empty() ||
      options.priority >= kPriorityCount) {
    return Status::kInvalidArgument;
  }
  Result<Thread*> slot = state.table.Allocate();
  if (!slot.ok()) return slot.status();
  Thread* thread = *slot;
  Result<void*> stack = state.config.stacks->AllocateStack();
  if (!stack.ok()) {
    state.table.Free(thread);
    return stack.status();
  }
  *StackHeaderOf(*stack) = StackHeader{thread, StackHeader::kCanary};
  thread->name_ = options.name;
  thread->detached_ = options.detached;
  thread->joined_ = false;
  thread->reaped_ = false;
  thread->exit_code_ = 0;
  thread->stack_ = *stack;
  thread->entry_ = idle ? nullptr : entry;
  thread->arg_ = arg;
  thread->base_priority_ = options.priority;
  thread->effective_priority_.store(options.priority, std::memory_order_relaxed);
  thread->affinity_ = options.affinity;
  thread->on_cpu_.store(false, std::memory_order_relaxed);
  thread->slice_left_ = 0;
  thread->blocked_on_ = nullptr;
  thread->wait_result_ = Status::kOk;
  thread->timeout_ = Timer{};
  thread->interrupted_.store(false, std::memory_order_relaxed);
  thread->interruptible_ = false;
  VOS_ASSERT(thread->interrupters_.Load(std::memory_order_relaxed) == 0);
  thread->waiting_for_ = nullptr;
  thread->contended_mutexes_ = nullptr;
  thread->stats_ = ThreadStats{};
  thread->stats_.created_at = hal::Now();
  thread->user_data = 0;
  hal::ContextInit(&thread->context_, *stack, kKernelStackSize,
                   idle ? &SchedulerImpl::IdleLoop : &SchedulerImpl::ThreadStart, thread);
  hal::CpuId cpu = options.cpu;
  thread->context_.trace_id = idle ? hal::kIdleTraceBit | cpu : thread->id_.value;
  if (cpu >= state.cpus || !options.affinity.Has(cpu)) {
    // The creator's CPU: safe to read racily, any CPU is a valid choice.
    cpu = hal::CurrentCpu();
  }
  thread->cpu_.store(cpu, std::memory_order_relaxed);
  if (idle) {
    thread->state_.store(ThreadState::kRunnable, std::memory_order_release);
    return thread;
  }
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  MakeRunnable(thread, /*new_thread=*/true);
  hal::InterruptsRestore(saved);
  return thread;
}

Result<int64_t> Scheduler::Join(ThreadId id, hal::Nanoseconds deadline) {
  Result<Thread*> claimed = state.table.ClaimForJoin(id);
  if (!claimed.ok()) return claimed.status();
  Thread* thread = *claimed;
  VOS_ASSERT_MSG(thread != Current(), "thread %s joins itself", thread->name_);
  WaitQueue& joiners = *thread->joiners_;
  {
    IrqSpinLockGuard guard(joiners.lock());
    while (!thread->reaped_) {
      if (joiners.BlockLocked(deadline) == Status::kTimedOut && !thread->reaped_) {
        break;
      }
    }
    if (!thread->reaped_) {
      state.table.UnclaimJoin(thread);
      return Status::kTimedOut;
    }
  }
  const int64_t code = thread->exit_code_;
  state.table.Free(thread);
  return code;
}

void Scheduler::Exit(int64_t code) {
  hal::InterruptsDisable();
  Thread* self = Current();
  VOS_ASSERT_MSG(self->contended_mutexes_ == nullptr && self->waiting_for_ == nullptr,
                 "thread %s exits owning a mutex others wait for", self->name_);
  self->exit_code_ = code;
  CpuState& cpu = ThisCpu();
  cpu.lock.Acquire();
  self->state_.store(ThreadState::kExited, std::memory_order_release);
  SchedulerImpl::RescheduleLocked(cpu);
  Panic("exited thread %s was resumed", self->name_);
}

Thread* Scheduler::Lookup(ThreadId id) { return state.table.Lookup(id); }

void Scheduler::Reschedule() VOS_NO_THREAD_SAFETY_ANALYSIS {
  // RescheduleLocked releases the lock (on the far side of the switch).
  CpuState& cpu = ThisCpu();
  cpu.lock.Acquire();
  SchedulerImpl::RescheduleLocked(cpu);
}

void Scheduler::HandOff(Thread* next, SpinLock* held) { SchedulerImpl::HandOff(next, held); }

SpinLock* Scheduler::TakeHandedLock() {
  CpuState& cpu = ThisCpu();
  SpinLock* lock = cpu.handed_lock;
  cpu.handed_lock = nullptr;
  return lock;
}

void Scheduler::MakeRunnable(Thread* thread, bool new_thread) {
  SchedulerImpl::MakeRunnable(thread, new_thread);
}

void Scheduler::Yield() VOS_NO_THREAD_SAFETY_ANALYSIS {
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  CpuState& cpu = ThisCpu();
  VOS_ASSERT_MSG(PreemptionEnabled(cpu.id), "yield under a PreemptionGuard");
  Thread* self = cpu.current;
  ++self->stats_.yields;
  self->slice_left_ = 0;  // To the back of its level.
  cpu.lock.Acquire();
  SchedulerImpl::RescheduleLocked(cpu);
  hal::InterruptsRestore(saved);
}

void Scheduler::SleepUntil(hal::Nanoseconds deadline) {
  WaitQueue never_woken;
  IrqSpinLockGuard guard(never_woken.lock());
  while (never_woken.BlockLocked(deadline, ThreadState::kSleeping) != Status::kTimedOut) {
  }
}

void Scheduler::SleepFor(hal::Nanoseconds duration) { SleepUntil(hal::Now() + duration); }

void Scheduler::SetPriority(Thread* thread, Priority priority) {
  VOS_ASSERT(priority < kPriorityCount);
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  const Priority old_base = thread->base_priority_;
  thread->base_priority_ = priority;
  // Keep an inherited boost above the new base.
  const Priority effective = thread->effective_priority();
  if (effective == old_base || priority > effective) SetEffectivePriority(thread, priority);
  hal::InterruptsRestore(saved);
}

void Scheduler::SetEffectivePriority(Thread* thread, Priority priority)
    VOS_NO_THREAD_SAFETY_ANALYSIS {
  for (;;) {
    const hal::CpuId where = thread->cpu();
    CpuState& cpu = state.cpu[where];
    cpu.lock.Acquire();
    if (thread->cpu() != where) {  // Pulled to another CPU meanwhile.
      cpu.lock.Release();
      continue;
    }
    const bool in_run_queue = thread->state() == ThreadState::kRunnable && thread->queued_;
    if (in_run_queue) cpu.queue.Remove(thread);
    thread->effective_priority_.store(priority, std::memory_order_relaxed);
    if (in_run_queue) cpu.queue.Enqueue(thread);
    const bool preempt = SchedulerImpl::ShouldPreemptLocked(cpu);
    if (preempt) cpu.need_resched.store(true, std::memory_order_relaxed);
    cpu.lock.Release();
    if (preempt) hal::SendIpi(where);
    return;
  }
}

Status Scheduler::SetAffinity(const CpuMask& mask) VOS_NO_THREAD_SAFETY_ANALYSIS {
  if ((mask & CpuMask::FirstN(state.cpus)).Empty()) return Status::kInvalidArgument;
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  CpuState& cpu = ThisCpu();
  cpu.lock.Acquire();
  Current()->affinity_ = mask;
  if (mask.Has(cpu.id)) {
    cpu.lock.Release();
  } else {
    SchedulerImpl::RescheduleLocked(cpu);  // Moves us (see `migrating`).
  }
  hal::InterruptsRestore(saved);
  return Status::kOk;
}

TimerQueue& Scheduler::LocalTimers() { return ThisCpu().timers; }

void Scheduler::SetSwitchOutHook(void (*hook)()) { state.switch_out_hook = hook; }

uint32_t Scheduler::cpu_count() { return state.cpus; }

CpuSchedulerStats Scheduler::CpuStats(hal::CpuId cpu) { return state.cpu[cpu].stats; }

size_t Scheduler::LiveThreads() { return state.table.live(); }

}  // namespace vos
