// The simulated machine: CPUs as fibers on one host thread, a seeded
// scheduler of CPUs at every interleaving point, virtual time, per-CPU
// timers, queued IPIs and device interrupts, mmap'd RAM, and the trace.
//
// One Machine runs at a time per process (the HAL functions reach it through
// Machine::Current()).
#ifndef VERIDIAN_SIM_MACHINE_H_
#define VERIDIAN_SIM_MACHINE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/cost_model.h"
#include "sim/fiber.h"
#include "sim/mmu.h"
#include "sim/prng.h"
#include "sim/ram.h"
#include "sim/schedule_index.h"
#include "sim/tlb.h"
#include "sim/trace.h"
#include "src/hal/boot.h"
#include "src/hal/context.h"
#include "src/hal/cpu.h"
#include "src/hal/interleave.h"
#include "src/hal/mmu.h"
#include "src/hal/trap.h"
#include "src/hal/user.h"

namespace sim {

using BootEntry = void (*)(const hal::BootInfo& boot_info);
using TrapHandler = void (*)(hal::Trap& trap);
// The kernel's page-fault resolver for faults on user-memory copies: runs on
// the faulting CPU, may fix the mapping (and invalidate TLB entries), and
// returns true to have the access retried, false to fail the copy.
using PageFaultResolver = bool (*)(const hal::PageFaultInfo& fault);

enum class SchedulePolicy {
  // At each interleaving point, any CPU within the skew window of the
  // earliest runnable CPU, chosen by the seeded generator.
  kRandom,
  // The next runnable CPU by index at every point (benchmarks, debugging).
  kRoundRobin,
  // Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
  // seeded random distinct CPU priorities and pct_depth - 1 seeded change
  // points among the first pct_steps interleaving points, each dropping the
  // running CPU below every other; the highest-priority CPU within the skew
  // window runs (the window keeps a spinning CPU from starving the rest).
  kPct,
};

// A device interrupt raised on `cpu` once its clock reaches `at` (fault
// injection: spurious interrupts).
struct ScheduledInterrupt {
  hal::Nanoseconds at = 0;
  hal::CpuId cpu = 0;
  uint32_t vector = 0;
};

struct MachineConfig {
  uint32_t cpus = 4;
  uint32_t numa_nodes = 1;
  uint64_t ram_per_node = 64ull << 20;
  uint64_t seed = 1;
  SchedulePolicy policy = SchedulePolicy::kRandom;
  uint32_t pct_depth = 3;    // kPct: the bug depth d.
  uint64_t pct_steps = 0;    // kPct: expected interleaving points (k); 0 = max_interleavings.
  // How far (simulated ns) a CPU may run ahead of the slowest runnable one.
  hal::Nanoseconds skew_window = 2'000;
  hal::PageTableFormat page_table_format = hal::PageTableFormat::kX86_64;
  std::string command_line;
  BootEntry boot_entry = nullptr;      // Runs on CPU 0.
  TrapHandler trap_handler = nullptr;  // Every delivered trap.
  PageFaultResolver page_fault_handler = nullptr;  // Null: faults stay unresolved.
  // Stops the run when a CPU uses a TLB entry the page tables no longer
  // back (a missing invalidation or shootdown), instead of letting the stale
  // translation through as hardware would. Costs a second walk per TLB hit.
  bool check_stale_tlb = true;
  TlbConfig tlb;                                   // Every CPU's TLB.
  size_t cpu_stack_size = 256 * 1024;
  // Stops a run that never powers off (0 = no limit).
  uint64_t max_interleavings = 200'000'000;
  bool echo_console = true;  // Also write the console to stdout.
  TraceSink* trace_sink = nullptr;  // Receives every trace event (record, replay).
  // Fault injection. An IPI becomes deliverable ipi_delay after its send (0:
  // at the target's next interleaving point).
  hal::Nanoseconds ipi_delay = 0;
  std::vector<ScheduledInterrupt> device_interrupts;
  CostModel costs;
};

enum class RunOutcome {
  kPoweredOff,  // The kernel called hal::PowerOff.
  kPanicked,    // The kernel panicked (hal::PanicHalt).
  kDeadlocked,  // Every CPU halted with nothing that could wake one.
  kLimitReached,
};
const char* RunOutcomeName(RunOutcome outcome);

struct CpuStats {
  bool started = false;
  hal::Nanoseconds time = 0;
  hal::Nanoseconds halted_time = 0;
  uint64_t interleavings = 0;
  uint64_t switches_in = 0;
  uint64_t timer_traps = 0;
  uint64_t ipi_traps = 0;
  uint64_t device_traps = 0;
  uint64_t context_switches = 0;
  uint64_t tlb_hits = 0;
  uint64_t tlb_misses = 0;
  uint64_t tlb_invalidations = 0;
};

struct RunResult {
  RunOutcome outcome = RunOutcome::kPoweredOff;
  int exit_code = 0;  // From hal::PowerOff.
  uint64_t trace_hash = 0;
  uint64_t trace_events = 0;
  uint64_t interleavings = 0;
  uint64_t cpu_switches = 0;
  hal::Nanoseconds end_time = 0;  // The latest CPU's clock.
  std::vector<CpuStats> cpus;
  std::string console;
  std::string failure;  // Panic message and backtrace, or what deadlocked.
};

// memcpy for copies to and from simulated memory, out of line on purpose:
// GCC expands a memcpy it knows to be at most a page as `rep movsq`, which
// ran several times slower than the C library's vector copy here (a 64-byte
// IpcMessage round trip took 707 ns with it, 577 ns without).
[[gnu::noinline]] void CopyHostBytes(void* to, const void* from, size_t size);

class Machine {
 public:
  static absl::StatusOr<std::unique_ptr<Machine>> Create(MachineConfig config);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Boots config.boot_entry on CPU 0 and runs until power-off, panic,
  // deadlock or the interleaving limit. Once per Machine.
  RunResult Run();

  // The machine being run; only valid inside Run().
  static Machine& Current() {
    if (current_machine_ == nullptr) [[unlikely]] NoCurrentMachine();
    return *current_machine_;
  }

  // Queues a device interrupt for `cpu` (fault injection, tests).
  void InjectDeviceInterrupt(hal::CpuId cpu, uint32_t vector);

  const MachineConfig& config() const { return config_; }
  const Ram& ram() const { return *ram_; }

  // --- The HAL, as the simulator implements it (called from sim/hal.cc). ---
  hal::CpuId current_cpu() const { return current_; }
  uint32_t cpu_count() const { return config_.cpus; }
  bool StartCpu(hal::CpuId cpu, hal::SecondaryEntry entry);
  // The hot path, inline so the fiber switch happens in the HAL entry's own
  // frame: every frame between a switch and the code it resumes costs a
  // mispredicted return after the stack swap.
  void Interleave(hal::InterleaveReason reason) {
    Cpu& cpu = cpus_[current_];
    cpu.stats.time += config_.costs.step[static_cast<size_t>(reason)];
    ++cpu.stats.interleavings;
    if (++interleavings_ > interleaving_limit_) [[unlikely]] LimitReached();
    if (one_cpu_round_robin_) {
      // Nothing to pick.
      MaybeDeliverInterrupts();
      return;
    }
    PickAndDeliver();
  }
  // Interrupts pending here are taken when this CPU next runs: now, or when
  // the scheduler comes back to it.
  void PickAndDeliver() {
    Reschedule();
    MaybeDeliverInterrupts();
  }
  bool InterruptsEnabled() const { return cpus_[current_].interrupts_enabled; }
  // Inline with Interleave: every spinlock with interrupts saved, and every
  // kernel context switch, passes through here.
  void SetInterruptsEnabled(bool enabled) {
    Cpu& cpu = cpus_[current_];
    const bool was_enabled = cpu.interrupts_enabled;
    cpu.interrupts_enabled = enabled;
    if (enabled && !was_enabled) Interleave(hal::InterleaveReason::kInterruptEnable);
  }
  void WaitForInterrupt();
  hal::Nanoseconds Now() const { return cpus_[current_].stats.time; }
  void SetTimerDeadline(hal::Nanoseconds deadline);
  void SendIpi(hal::CpuId target);
  void ContextSwitch(hal::KernelContext* from, hal::KernelContext* to);
  void ActivateAddressSpace(hal::PhysAddr root, uint16_t asid);
  void InvalidateTlbPage(hal::VirtAddr address, uint16_t asid);
  void InvalidateTlbAll();
  bool CopyFromUser(void* destination, hal::VirtAddr source, size_t size);
  bool CopyFromUserNoFault(void* destination, hal::VirtAddr source, size_t size);
  bool CopyToUser(hal::VirtAddr destination, const void* source, size_t size);

  // --- The current CPU's MMU (tests, and later simulated user programs). ---
  // Translates one access through this CPU's TLB, walking the tables on a
  // miss (or on a write through a clean cached entry) and caching the result.
  // No resolver is called; a fault is returned as the hardware reports it.
  WalkResult Translate(hal::VirtAddr address, Access access);
  // AArch64 TTBR1_EL1 of this CPU, the root of the kernel half. No HAL call
  // sets it yet; x86_64 and RISC-V keep the kernel half in every root.
  void SetKernelTranslationRoot(hal::PhysAddr root);
  // RISC-V sstatus.SUM and MXR of this CPU.
  void SetSupervisorUserAccess(bool sum, bool mxr);
  const MmuRegisters& mmu_registers() const { return mmus_[current_].registers; }
  const Tlb& tlb(hal::CpuId cpu) const { return mmus_.at(cpu).tlb; }
  // --- User mode (sim/machine_user.cc): user code on its own fiber. ---
  void UserContextInit(hal::UserContext* context, hal::VirtAddr entry, uint64_t arg0,
                       uint64_t arg1);
  void UserContextRelease(hal::UserContext* context);
  hal::Trap RunUser(hal::UserContext* context);
  // On the user fiber (sim/user_runtime.cc): enters the kernel with `trap`
  // and returns when the kernel resumes the context.
  void UserTrap(const hal::Trap& trap);
  // On the user fiber: one step of user code, an interleaving point that
  // leaves user mode if an interrupt is pending.
  void UserStep();
  // The context the current CPU runs in user mode (null in the kernel).
  hal::UserContext* user_context() const;
  void TraceEvent(hal::TraceKind kind, uint64_t a, uint64_t b);
  void ConsoleWrite(const char* data, size_t length);
  [[noreturn]] void PowerOff(int exit_code);
  [[noreturn]] void PanicHalt();
  // Ends the run from a fatal host signal raised by simulated code.
  [[noreturn]] void HostFault(const char* what);

 private:
  static constexpr hal::Nanoseconds kNoDeadline = ~hal::Nanoseconds{0};

  // What every interleaving point and CPU switch touches comes first, in
  // the struct's first cache line (with 256 CPUs each switch lands on a cold
  // CPU): the flags, interrupt_at, the fibre, and the clock and counters at
  // the head of `stats`.
  struct alignas(64) Cpu {
    hal::CpuId id = 0;
    bool started = false;
    bool halted = false;
    bool interrupts_enabled = false;
    // When an interrupt becomes deliverable: 0 while an IPI or a device
    // interrupt is queued, else the timer deadline. Keeps the check at every
    // interleaving point to one compare.
    hal::Nanoseconds interrupt_at = kNoDeadline;
    FiberHandle suspended = nullptr;  // What the CPU runs, while another CPU runs.
    CpuStats stats;
    hal::Nanoseconds halted_since = 0;
    hal::Nanoseconds timer_deadline = kNoDeadline;
    uint64_t pending_ipis = 0;
    std::deque<uint32_t> pending_devices;
    // Injected faults due later: delayed IPIs (arrival times) and scheduled
    // device interrupts, sorted; future_interrupt_at is the earliest.
    hal::Nanoseconds future_interrupt_at = kNoDeadline;
    std::deque<hal::Nanoseconds> delayed_ipis;
    std::deque<ScheduledInterrupt> scheduled_devices;
    std::unique_ptr<FiberStack> boot_stack;
    hal::SecondaryEntry entry = nullptr;
  };
  static_assert(offsetof(Cpu, stats) + offsetof(CpuStats, switches_in) + 8 <= 64,
                "the per-switch fields fit one cache line");

  explicit Machine(MachineConfig config);
  [[noreturn]] static void NoCurrentMachine();
  static inline Machine* current_machine_ = nullptr;
  static void CpuMain(void* cpu);
  Cpu& current() { return cpus_[current_]; }
  void Record(hal::TraceKind kind, uint64_t a, uint64_t b) {
    trace_.Record(kind, current_, cpus_[current_].stats.time, a, b);
  }
  static bool HasPendingInterrupt(const Cpu& cpu) { return cpu.stats.time >= cpu.interrupt_at; }
  // Recomputes interrupt_at after the CPU's queues or timer changed; a
  // halted CPU's due time is also in the schedule index (WakeDueCpus).
  void UpdateInterruptAt(Cpu& cpu) {
    cpu.interrupt_at = cpu.pending_ipis > 0 || !cpu.pending_devices.empty()
                           ? 0
                           : std::min(cpu.timer_deadline, cpu.future_interrupt_at);
    if (cpu.halted) [[unlikely]] schedule_.SetHalted(cpu.id, cpu.interrupt_at);
  }
  // Moves injected interrupts that are due into the pending queues.
  void PromoteDueInterrupts(Cpu& cpu);
  // One compare on the common path: called at every interleaving point.
  void MaybeDeliverInterrupts() {
    const Cpu& cpu = cpus_[current_];
    if (HasPendingInterrupt(cpu) && cpu.interrupts_enabled) DeliverPendingInterrupts();
  }
  // Wakes the halted CPUs whose next interrupt is due within the skew window
  // of the earliest runnable CPU (first waking the earliest one due if every
  // CPU is halted).
  void WakeDueCpus();
  void DeliverPendingInterrupts();
  void Deliver(hal::Trap& trap);
  // Picks the CPU to run next and switches to it (perhaps the current one).
  void Reschedule() {
    if (halted_cpus_ == 0 && config_.policy == SchedulePolicy::kRoundRobin) {
      // Round robin ignores clocks until a CPU halts (WaitForInterrupt then
      // brings the index's clocks up to date): one bit scan.
      const hal::CpuId next = schedule_.NextRunnableAfter(current_);
      if (next != current_) SwitchToCpu(next);
      return;
    }
    const hal::CpuId next = PickNextCpu();
    if (next != current_) SwitchToCpu(next);
  }
  hal::CpuId PickNextCpu();
  // kPct: the highest-priority CPU within the skew window.
  hal::CpuId PickPctCpu();
  void InitPct();
  void SwitchToCpu(hal::CpuId next) {
    Cpu& from = cpus_[current_];
    ++cpus_[next].stats.switches_in;
    Record(hal::TraceKind::kCpuSwitch, next, 0);
    SetCurrent(next);
    SwitchFiber(&from.suspended, cpus_[next].suspended);
  }
  // The running CPU, also for hal::CurrentCpu's inline read (src/hal/cpu.h).
  void SetCurrent(hal::CpuId cpu) {
    current_ = cpu;
    hal::internal::current_cpu = cpu;
  }
  [[noreturn]] void LimitReached();
  // Dequeues the interrupt to take now (the CPU has one pending).
  hal::Trap TakePendingInterrupt();
  // User-mode state (sim/machine_user.cc). A shared_ptr only for its
  // type-erased deleter: the type is complete in machine_user.cc alone.
  struct UserMode;
  UserMode& user_mode();
  std::shared_ptr<UserMode> user_mode_;
  // The translation registers and TLB of one CPU; kept out of Cpu so the
  // scheduler's hot data stays compact.
  struct CpuMmu {
    MmuRegisters registers;
    Tlb tlb;
  };
  // Whether a user copy calls the page-fault resolver on a fault.
  enum class OnFault : bool { kResolve, kFail };
  // Translate(), then (kResolve) the resolver and a retry while the
  // resolver fixes faults; false if it cannot. Sets `physical` on success.
  bool TranslateResolving(hal::VirtAddr address, Access access, OnFault on_fault,
                          hal::PhysAddr* physical);
  // With check_stale_tlb: stops the run if the tables disagree with `cached`.
  void CheckCachedTranslation(hal::VirtAddr address, Access access, const Translation& cached);
  // Translates [user, user + size) a page at a time with user privilege
  // (resolving faults as `on_fault` says) and calls copy_chunk(host
  // pointer, offset, length) on each piece; false at the first unresolved
  // fault.
  template <typename CopyChunk>
  bool ForEachUserChunk(hal::VirtAddr user, size_t size, AccessKind kind, OnFault on_fault,
                        CopyChunk copy_chunk);
  void Wake(Cpu& cpu, hal::Nanoseconds at);
  [[noreturn]] void Stop(RunOutcome outcome);

  MachineConfig config_;
  std::unique_ptr<Ram> ram_;
  std::vector<Cpu> cpus_;
  std::vector<CpuMmu> mmus_;
  Prng prng_;
  Trace trace_;
  // kPct: the change points (the priorities live in schedule_).
  std::vector<uint64_t> pct_change_points_;
  size_t pct_next_change_ = 0;
  hal::CpuId current_ = 0;
  FiberHandle host_ = nullptr;  // The host stack that called Run().
  hal::BootInfo boot_info_{};
  RunResult result_;
  uint64_t interleavings_ = 0;
  uint32_t halted_cpus_ = 0;
  // Runnable CPUs by clock and index, halted ones by next interrupt: every
  // pick in O(log N). Exact for every CPU but the running one, whose clock
  // it learns at each pick (and, round robin, when it stops running).
  ScheduleIndex schedule_;
  uint64_t interleaving_limit_ = 0;  // max_interleavings, or no limit.
  // One CPU, round robin: interleaving points never pick (the CPU runs on,
  // and round robin draws nothing).
  bool one_cpu_round_robin_ = false;
  bool ran_ = false;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_MACHINE_H_
