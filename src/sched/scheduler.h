// The scheduler: per-CPU run queues with O(1) priority pick, round-robin
// time slices on each CPU's one-shot timer, preemption at interrupt exit
// (deferred while a vos::PreemptionGuard is held), affinity, deterministic
// load balancing, halting idle CPUs, and the thread lifecycle.
//
// Boot: the boot CPU calls Init, creates its first threads and calls RunCpu;
// every secondary CPU calls RunCpu from its entry. RunCpu turns the calling
// boot context into the CPU's idle loop.
//
// Balancing (deterministic: every choice is a function of the scheduler's
// state, scanned in CPU index order):
//  - a woken thread goes to its last CPU, or to an idle CPU its affinity
//    allows when that one is busy;
//  - a new thread goes to ThreadOptions::cpu or its creator's CPU, and an
//    idle CPU the thread may run on is kicked with an IPI;
//  - an idle CPU pulls the highest-priority thread it may run from the CPU
//    with the most queued threads;
//  - at each time-slice tick a busy CPU pulls one thread from a CPU with at
//    least two more queued threads than itself.
//
// Starvation: priorities are strict, except that real-time threads get at
// most rt_runtime of every rt_period on a CPU while lower threads are queued
// there; a normal thread queued behind real-time threads therefore runs
// within rt_period. Lower normal levels can be starved by higher ones.
//
// Locks, in order: a wait queue's lock (the inheritance lock first for
// mutexes), then one CPU's scheduler lock, then that CPU's timer queue lock.
// Two CPU locks are never held together.
#ifndef VERIDIAN_SRC_SCHED_SCHEDULER_H_
#define VERIDIAN_SRC_SCHED_SCHEDULER_H_

#include <cstdint>
#include <span>

#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/lib/cpu_mask.h"
#include "src/lib/spinlock.h"
#include "src/sched/kernel_stack.h"
#include "src/sched/priority.h"
#include "src/sched/thread.h"
#include "src/sched/thread_table.h"
#include "src/sched/timer_queue.h"

namespace vos {

struct SchedulerConfig {
  KernelStackSource* stacks = nullptr;
  // Storage of every thread, idle threads included (one per CPU).
  std::span<ThreadSlot> threads;
  // CPUs that will call RunCpu: 0 .. cpus-1 (0 = hal::CpuCount()).
  uint32_t cpus = 0;
  hal::Nanoseconds time_slice = 1'000'000;
  // Real-time bandwidth per CPU while lower-priority threads wait there.
  // rt_runtime >= rt_period turns the limit off.
  hal::Nanoseconds rt_period = 1'000'000;
  hal::Nanoseconds rt_runtime = 950'000;
  bool load_balancing = true;
};

struct CpuSchedulerStats {
  uint64_t context_switches = 0;
  uint64_t preemptions = 0;    // Involuntary switches.
  uint64_t timer_ticks = 0;
  uint64_t idle_halts = 0;     // Times the idle loop halted the CPU.
  uint64_t pulled = 0;         // Threads this CPU took from others.
  uint64_t kicks = 0;          // IPIs sent to wake or preempt another CPU.
  uint64_t rt_throttles = 0;   // Real-time windows cut short for others.
  uint64_t handoffs = 0;       // Direct switches to a woken thread (HandOff).
  uint64_t handoff_fallbacks = 0;  // Hand-offs that went through the run queue.
  // Timer interrupts whose expired timers waited for the interrupted code
  // to release its spinlocks (see OnTimer).
  uint64_t deferred_timer_runs = 0;
  hal::Nanoseconds idle_time = 0;
};

class Scheduler {
 public:
  // On the boot CPU, interrupts disabled, before other CPUs start. Resets
  // every scheduler structure (tests boot many machines in one process) and
  // installs the trap and preemption hooks of every CPU.
  static Status Init(const SchedulerConfig& config);
  // The end of every CPU's boot path: becomes the CPU's idle loop.
  [[noreturn]] static void RunCpu();

  // A new runnable thread running entry(arg); when entry returns the thread
  // exits with code 0.
  static Result<Thread*> CreateThread(ThreadEntry entry, void* arg,
                                      const ThreadOptions& options = {});
  // Waits until thread `id` exits, frees it, and returns its exit code;
  // kTimedOut at `deadline`, kNotFound / kInvalidArgument for an id that
  // cannot be joined.
  static Result<int64_t> Join(ThreadId id, hal::Nanoseconds deadline = kNoDeadline);
  [[noreturn]] static void Exit(int64_t code);
  // The live thread `id` names, or null (see ThreadTable::Lookup).
  static Thread* Lookup(ThreadId id);

  // The calling thread (found from the stack pointer: no migration race).
  static Thread* Current() { return CurrentStackHeader()->owner; }
  static void Yield();
  static void SleepUntil(hal::Nanoseconds deadline);
  static void SleepFor(hal::Nanoseconds duration);
  // Changes a thread's base priority (inherited boosts are kept).
  static void SetPriority(Thread* thread, Priority priority);
  // Restricts the calling thread to `mask` (moving it now if needed);
  // kInvalidArgument if the mask has no scheduled CPU.
  static Status SetAffinity(const CpuMask& mask);

  // Installs the function every context switch calls on the switching CPU
  // just before it leaves the outgoing thread (interrupts disabled, the
  // CPU's run lock held): the process layer drops the user address space
  // that thread left active. Init clears it.
  static void SetSwitchOutHook(void (*hook)());

  static uint32_t cpu_count();
  static CpuSchedulerStats CpuStats(hal::CpuId cpu);
  static size_t LiveThreads();

 private:
  friend class WaitQueue;
  friend class Mutex;
  friend struct SchedulerImpl;

  // Switches the current CPU to its best runnable thread (maybe the same),
  // after putting the current one back if it is still running. Interrupts
  // disabled, no lock held.
  static void Reschedule();
  // The direct switch of a synchronous IPC hand-off (WaitQueue::BlockLocked
  // with a successor): the current thread has committed to sleep, and
  // `next` was just taken off a wait queue (blocked, on no queue, woken by
  // nobody else). Runs `next` on this CPU at once, without a run-queue
  // round trip, when the rules allow it: its affinity includes this CPU, it
  // has finished switching out wherever it last ran, and no queued thread
  // here has a higher priority (nor would it break a real-time throttle).
  // An equal-priority queued thread is passed over: the sleeper donates the
  // rest of its turn. Otherwise `next` is woken normally and this CPU
  // reschedules. `held` is the caller's wait-queue lock, still held: a
  // direct switch passes it to `next`, which would take it first thing
  // (TakeHandedLock); otherwise it is released. Interrupts disabled, no
  // other lock held, no preemption guard.
  static void HandOff(Thread* next, SpinLock* held);
  // On a thread just switched to: the lock HandOff passed to it, or null.
  static SpinLock* TakeHandedLock();
  // Makes a blocked, sleeping or new thread runnable on a CPU chosen by the
  // rules above. Interrupts disabled; waits for the thread to be switched
  // out if it is still on its way off a CPU.
  static void MakeRunnable(Thread* thread, bool new_thread);
  // Sets the inherited priority, re-sorting the thread in its run queue and
  // preempting where that changes who should run. Interrupts disabled.
  static void SetEffectivePriority(Thread* thread, Priority priority);
  // This CPU's timeout queue (for WaitQueue deadlines).
  static TimerQueue& LocalTimers();
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_SCHEDULER_H_
