#include "sim/machine.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_format.h"
#include "sim/backtrace.h"

// hal::CurrentCpu's inline read (src/hal/cpu.h); kept by Machine::SetCurrent.
hal::CpuId hal::internal::current_cpu = 0;

namespace sim {
namespace {

// Simulated kernel code runs on fiber stacks; a bad pointer or a stack
// overflow there must end the run with a report, not kill the host quietly.
constexpr size_t kSignalStackSize = 256 * 1024;
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

void OnFatalSignal(int signal, siginfo_t* info, void*) {
  // Let the same signal be caught again by a later run in this process.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  char what[160];
  std::snprintf(what, sizeof(what), "host signal %d (%s) at address %p in simulated code",
                signal, strsignal(signal), info->si_addr);
  Machine::Current().HostFault(what);
}

ScheduleIndex::Tracking TrackingFor(SchedulePolicy policy) {
  switch (policy) {
    case SchedulePolicy::kRoundRobin:
      return ScheduleIndex::Tracking::kRunnable;
    case SchedulePolicy::kRandom:
      return ScheduleIndex::Tracking::kCandidates;
    case SchedulePolicy::kPct:
      return ScheduleIndex::Tracking::kCandidatePriorities;
  }
  return ScheduleIndex::Tracking::kCandidatePriorities;
}

class SignalGuard {
 public:
  SignalGuard() : stack_(kSignalStackSize) {
    stack_t alt{};
    alt.ss_sp = stack_.data();
    alt.ss_size = stack_.size();
    sigaltstack(&alt, &old_stack_);
    struct sigaction action {};
    action.sa_sigaction = OnFatalSignal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kFatalSignals); ++i) {
      sigaction(kFatalSignals[i], &action, &old_actions_[i]);
    }
  }
  ~SignalGuard() {
    for (size_t i = 0; i < std::size(kFatalSignals); ++i) {
      sigaction(kFatalSignals[i], &old_actions_[i], nullptr);
    }
    sigaltstack(&old_stack_, nullptr);
  }

 private:
  std::vector<char> stack_;
  stack_t old_stack_{};
  struct sigaction old_actions_[std::size(kFatalSignals)] {};
};

}  // namespace

const char* RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kPoweredOff: return "powered off";
    case RunOutcome::kPanicked: return "kernel panic";
    case RunOutcome::kDeadlocked: return "deadlock";
    case RunOutcome::kLimitReached: return "interleaving limit reached";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Machine>> Machine::Create(MachineConfig config) {
  if (config.cpus == 0 || config.cpus > hal::kMaxCpus) {
    return absl::InvalidArgumentError(
        absl::StrFormat("cpus must be 1..%d, got %u", hal::kMaxCpus, config.cpus));
  }
  if (config.boot_entry == nullptr || config.trap_handler == nullptr) {
    return absl::InvalidArgumentError("a machine needs a boot entry and a trap handler");
  }
  if (config.cpu_stack_size < 16 * 1024) {
    return absl::InvalidArgumentError("cpu stacks must be at least 16 KiB");
  }
  if (absl::Status tlb = Tlb::Validate(config.tlb); !tlb.ok()) return tlb;
  if (config.policy == SchedulePolicy::kPct && config.pct_depth == 0) {
    return absl::InvalidArgumentError("pct depth must be at least 1");
  }
  for (const ScheduledInterrupt& interrupt : config.device_interrupts) {
    if (interrupt.cpu >= config.cpus) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "a device interrupt is scheduled on cpu %u of %u", interrupt.cpu, config.cpus));
    }
  }
  absl::StatusOr<std::unique_ptr<Ram>> ram = Ram::Create(config.numa_nodes, config.ram_per_node);
  if (!ram.ok()) return ram.status();
  std::unique_ptr<Machine> machine(new Machine(std::move(config)));
  machine->ram_ = *std::move(ram);
  return machine;
}

Machine::Machine(MachineConfig config)
    : config_(std::move(config)),
      cpus_(config_.cpus),
      prng_(config_.seed),
      schedule_(config_.cpus, config_.skew_window, TrackingFor(config_.policy)) {
  for (hal::CpuId id = 0; id < cpus_.size(); ++id) cpus_[id].id = id;
  mmus_.reserve(cpus_.size());
  for (size_t i = 0; i < cpus_.size(); ++i) {
    MmuRegisters registers;
    registers.format = config_.page_table_format;
    mmus_.push_back({registers, Tlb(config_.tlb)});
  }
  interleaving_limit_ =
      config_.max_interleavings == 0 ? ~uint64_t{0} : config_.max_interleavings;
  one_cpu_round_robin_ = config_.cpus == 1 && config_.policy == SchedulePolicy::kRoundRobin;
  trace_.set_sink(config_.trace_sink);
  std::vector<ScheduledInterrupt> injected = config_.device_interrupts;
  std::stable_sort(injected.begin(), injected.end(),
                   [](const auto& x, const auto& y) { return x.at < y.at; });
  for (const ScheduledInterrupt& interrupt : injected) {
    Cpu& cpu = cpus_[interrupt.cpu];
    cpu.scheduled_devices.push_back(interrupt);
    cpu.future_interrupt_at = std::min(cpu.future_interrupt_at, interrupt.at);
    UpdateInterruptAt(cpu);
  }
  if (config_.policy == SchedulePolicy::kPct) InitPct();
}

void Machine::InitPct() {
  // Distinct initial priorities d .. d+n-1 in a seeded random order (Fisher-
  // Yates), then d-1 change points; change point i lowers to d-1-i.
  const uint32_t depth = config_.pct_depth;
  std::vector<uint32_t> priorities(cpus_.size());
  for (uint32_t i = 0; i < priorities.size(); ++i) priorities[i] = depth + i;
  for (uint32_t i = static_cast<uint32_t>(priorities.size()); i > 1; --i) {
    std::swap(priorities[i - 1], priorities[prng_.Below(i)]);
  }
  uint64_t steps = config_.pct_steps != 0 ? config_.pct_steps : config_.max_interleavings;
  if (steps == 0) steps = 1'000'000;
  for (uint32_t i = 1; i < depth; ++i) pct_change_points_.push_back(1 + prng_.Next() % steps);
  std::sort(pct_change_points_.begin(), pct_change_points_.end());
  for (hal::CpuId id = 0; id < priorities.size(); ++id) schedule_.SetPriority(id, priorities[id]);
}

hal::CpuId Machine::PickPctCpu() {
  while (pct_next_change_ < pct_change_points_.size() &&
         interleavings_ >= pct_change_points_[pct_next_change_]) {
    schedule_.SetPriority(current_,
                          config_.pct_depth - 1 - static_cast<uint32_t>(pct_next_change_));
    ++pct_next_change_;
  }
  // Priorities are distinct: the best candidate does not depend on order.
  return schedule_.BestCandidate();
}

void Machine::PromoteDueInterrupts(Cpu& cpu) {
  while (!cpu.delayed_ipis.empty() && cpu.delayed_ipis.front() <= cpu.stats.time) {
    cpu.delayed_ipis.pop_front();
    ++cpu.pending_ipis;
  }
  while (!cpu.scheduled_devices.empty() && cpu.scheduled_devices.front().at <= cpu.stats.time) {
    cpu.pending_devices.push_back(cpu.scheduled_devices.front().vector);
    cpu.scheduled_devices.pop_front();
  }
  cpu.future_interrupt_at = kNoDeadline;
  if (!cpu.delayed_ipis.empty()) cpu.future_interrupt_at = cpu.delayed_ipis.front();
  if (!cpu.scheduled_devices.empty()) {
    cpu.future_interrupt_at = std::min(cpu.future_interrupt_at, cpu.scheduled_devices.front().at);
  }
  UpdateInterruptAt(cpu);
}

Machine::~Machine() = default;

void Machine::NoCurrentMachine() {
  std::fprintf(stderr, "sim: a HAL function was called outside Machine::Run\n");
  std::abort();
}

RunResult Machine::Run() {
  if (ran_) {
    result_.outcome = RunOutcome::kPanicked;
    result_.failure = "Machine::Run called twice";
    return result_;
  }
  ran_ = true;
  SignalGuard signals;
  current_machine_ = this;
  boot_info_ = {config_.command_line.c_str(), "sim"};
  Cpu& boot = cpus_[0];
  boot.started = true;
  schedule_.Insert(0, boot.stats.time);
  boot.boot_stack = std::make_unique<FiberStack>(config_.cpu_stack_size);
  boot.suspended =
      PrepareFiber(boot.boot_stack->base(), boot.boot_stack->size(), &CpuMain, &boot);
  SetCurrent(0);
  SwitchFiber(&host_, boot.suspended);
  // Back on the host stack: Stop() ended the run.
  current_machine_ = nullptr;
  return result_;
}

void Machine::CpuMain(void* cpu_pointer) {
  Machine& machine = Current();
  Cpu& cpu = *static_cast<Cpu*>(cpu_pointer);
  machine.Record(hal::TraceKind::kCpuStart, cpu.id, 0);
  if (cpu.id == 0) {
    machine.config_.boot_entry(machine.boot_info_);
  } else {
    cpu.entry(cpu.id);
  }
  machine.result_.failure = absl::StrFormat("cpu %u's entry function returned", cpu.id);
  machine.Stop(RunOutcome::kPanicked);
}

bool Machine::StartCpu(hal::CpuId id, hal::SecondaryEntry entry) {
  if (id >= cpus_.size() || cpus_[id].started || entry == nullptr) return false;
  Cpu& cpu = cpus_[id];
  cpu.started = true;
  cpu.entry = entry;
  cpu.stats.time = Now() + config_.costs.cpu_start;
  schedule_.Insert(id, cpu.stats.time);
  cpu.boot_stack = std::make_unique<FiberStack>(config_.cpu_stack_size);
  cpu.suspended = PrepareFiber(cpu.boot_stack->base(), cpu.boot_stack->size(), &CpuMain, &cpu);
  return true;
}

void Machine::LimitReached() {
  result_.failure = absl::StrFormat("stopped after %u interleaving points without power-off",
                                    config_.max_interleavings);
  Stop(RunOutcome::kLimitReached);
}

void Machine::DeliverPendingInterrupts() {
  for (;;) {
    Cpu& cpu = current();
    if (!cpu.interrupts_enabled || !HasPendingInterrupt(cpu)) return;
    hal::Trap trap = TakePendingInterrupt();
    Deliver(trap);
  }
}

hal::Trap Machine::TakePendingInterrupt() {
  Cpu& cpu = current();
  if (cpu.stats.time >= cpu.future_interrupt_at) PromoteDueInterrupts(cpu);
  hal::Trap trap{};
  if (cpu.stats.time >= cpu.timer_deadline) {
    cpu.timer_deadline = kNoDeadline;
    UpdateInterruptAt(cpu);
    trap.kind = hal::TrapKind::kTimer;
    ++cpu.stats.timer_traps;
  } else if (cpu.pending_ipis > 0) {
    --cpu.pending_ipis;
    UpdateInterruptAt(cpu);
    trap.kind = hal::TrapKind::kIpi;
    ++cpu.stats.ipi_traps;
  } else {
    trap.kind = hal::TrapKind::kDevice;
    trap.vector = cpu.pending_devices.front();
    cpu.pending_devices.pop_front();
    UpdateInterruptAt(cpu);
    ++cpu.stats.device_traps;
  }
  return trap;
}

void Machine::Deliver(hal::Trap& trap) {
  Cpu& cpu = current();
  cpu.interrupts_enabled = false;
  cpu.stats.time += config_.costs.trap_entry;
  Record(hal::TraceKind::kTrapEnter, static_cast<uint64_t>(trap.kind), trap.vector);
  config_.trap_handler(trap);
  // The handler may have switched contexts: return from the trap on the CPU
  // this context runs on now.
  current().interrupts_enabled = true;
}

void Machine::Wake(Cpu& cpu, hal::Nanoseconds at) {
  if (!cpu.halted) return;
  cpu.halted = false;
  --halted_cpus_;
  cpu.stats.time = std::max(cpu.stats.time, at);
  cpu.stats.halted_time += cpu.stats.time - cpu.halted_since;
  schedule_.ClearHalted(cpu.id);
  schedule_.Insert(cpu.id, cpu.stats.time);
}

void Machine::WakeDueCpus() {
  hal::Nanoseconds earliest = schedule_.Earliest();
  if (earliest == kNoDeadline) {
    // Every CPU is halted: jump time forward to the first timer (or
    // injected interrupt) to fire, the lowest CPU index on ties. A halted
    // CPU has nothing pending now, so interrupt_at is its next timer or
    // injected interrupt.
    if (schedule_.FirstDueTime() == kNoDeadline) {
      result_.failure = "every started CPU is halted and none has a timer armed or an "
                        "interrupt pending: nothing can ever run again";
      Stop(RunOutcome::kDeadlocked);
    }
    Cpu& next_timer = cpus_[schedule_.FirstDueHalted()];
    Wake(next_timer, next_timer.interrupt_at);
    earliest = next_timer.stats.time;
  }
  // Waking does not depend on order: each woken CPU only gets its own clock.
  const hal::Nanoseconds horizon = earliest + config_.skew_window;
  while (schedule_.FirstDueTime() <= horizon) {
    Cpu& cpu = cpus_[schedule_.FirstDueHalted()];
    Wake(cpu, cpu.interrupt_at);
  }
}

hal::CpuId Machine::PickNextCpu() {
  schedule_.SetClock(current_, cpus_[current_].stats.time);
  if (halted_cpus_ > 0) WakeDueCpus();
  if (config_.policy == SchedulePolicy::kRoundRobin) return schedule_.NextRunnableAfter(current_);
  // Waking may have added CPUs behind the old earliest clock: Update()
  // follows the earliest clock whichever way it moved.
  schedule_.Update();
  if (config_.policy == SchedulePolicy::kPct) return PickPctCpu();
  return schedule_.KthCandidate(prng_.Below(schedule_.candidate_count()));
}

void Machine::WaitForInterrupt() {
  Cpu& cpu = current();
  cpu.interrupts_enabled = true;
  if (!HasPendingInterrupt(cpu)) {
    cpu.halted = true;
    if (halted_cpus_++ == 0 && config_.policy == SchedulePolicy::kRoundRobin) {
      // Round robin kept no clocks while every CPU ran: the wake-ups of
      // halted CPUs follow the earliest runnable one from now on.
      for (const Cpu& other : cpus_) {
        if (other.started && !other.halted) schedule_.SetClock(other.id, other.stats.time);
      }
    }
    schedule_.Erase(cpu.id);
    schedule_.SetHalted(cpu.id, cpu.interrupt_at);
    cpu.halted_since = cpu.stats.time;
    Record(hal::TraceKind::kCpuHalt, 0, 0);
    Reschedule();  // Comes back once something woke this CPU.
  }
  DeliverPendingInterrupts();
}

void Machine::SetTimerDeadline(hal::Nanoseconds deadline) {
  current().timer_deadline = deadline;
  UpdateInterruptAt(current());
  Record(hal::TraceKind::kTimerArm, deadline, 0);
}

void Machine::SendIpi(hal::CpuId target) {
  if (target >= cpus_.size()) {
    result_.failure = absl::StrFormat("kernel sent an IPI to cpu %u of %u", target, cpus_.size());
    Stop(RunOutcome::kPanicked);
  }
  Cpu& to = cpus_[target];
  Record(hal::TraceKind::kIpiSend, target, 0);
  if (config_.ipi_delay > 0) {
    // Fault injection: deliverable once the target's clock reaches the
    // arrival time; a halted target is woken then (WakeDueCpus).
    const hal::Nanoseconds arrival = Now() + config_.ipi_delay;
    to.delayed_ipis.insert(
        std::upper_bound(to.delayed_ipis.begin(), to.delayed_ipis.end(), arrival), arrival);
    to.future_interrupt_at = std::min(to.future_interrupt_at, to.delayed_ipis.front());
    UpdateInterruptAt(to);
  } else {
    ++to.pending_ipis;
    to.interrupt_at = 0;
    Wake(to, Now() + config_.costs.ipi_latency);
  }
  Interleave(hal::InterleaveReason::kIpiSend);
}

void Machine::InjectDeviceInterrupt(hal::CpuId target, uint32_t vector) {
  Cpu& to = cpus_.at(target);
  to.pending_devices.push_back(vector);
  to.interrupt_at = 0;
  Wake(to, to.stats.time);
}

void Machine::ContextSwitch(hal::KernelContext* from, hal::KernelContext* to) {
  Cpu& cpu = current();
  cpu.stats.time += config_.costs.context_switch;
  ++cpu.stats.context_switches;
  Record(hal::TraceKind::kContextSwitch, to->trace_id, from->trace_id);
  SwitchFiber(&from->saved_sp, to->saved_sp);
}

void Machine::ActivateAddressSpace(hal::PhysAddr root, uint16_t asid) {
  MmuRegisters& registers = mmus_[current_].registers;
  registers.root = root;
  registers.asid = asid;
  Record(hal::TraceKind::kAddressSpace, root, asid);
}

void Machine::TraceEvent(hal::TraceKind kind, uint64_t a, uint64_t b) { Record(kind, a, b); }

void Machine::ConsoleWrite(const char* data, size_t length) {
  result_.console.append(data, length);
  if (config_.echo_console) {
    std::fwrite(data, 1, length, stdout);
    std::fflush(stdout);
  }
}

void Machine::PowerOff(int exit_code) {
  result_.exit_code = exit_code;
  Stop(RunOutcome::kPoweredOff);
}

void Machine::PanicHalt() {
  // The kernel printed its reason last; repeat it with the backtrace.
  std::string reason = "(no panic message)";
  const size_t at = result_.console.rfind("KERNEL PANIC");
  if (at != std::string::npos) {
    reason = result_.console.substr(at, result_.console.find('\n', at) - at);
  }
  result_.failure = absl::StrFormat("%s\nhost backtrace of cpu %u at %u ns:\n%s", reason,
                                    current_, Now(), CurrentBacktrace());
  Stop(RunOutcome::kPanicked);
}

void Machine::HostFault(const char* what) {
  result_.failure = absl::StrFormat("%s, on cpu %u at %u ns; host backtrace:\n%s", what,
                                    current_, Now(), CurrentBacktrace());
  Stop(RunOutcome::kPanicked);
}

void Machine::Stop(RunOutcome outcome) {
  trace_.FlushToSink();
  result_.outcome = outcome;
  result_.trace_hash = trace_.hash();
  result_.trace_events = trace_.count();
  result_.interleavings = interleavings_;
  result_.cpu_switches = 0;
  result_.cpus.clear();
  for (Cpu& cpu : cpus_) {
    if (cpu.halted) cpu.stats.halted_time += cpu.stats.time - cpu.halted_since;
    cpu.stats.started = cpu.started;
    const TlbStats& tlb = mmus_[cpu.id].tlb.stats();
    cpu.stats.tlb_hits = tlb.hits;
    cpu.stats.tlb_misses = tlb.misses;
    cpu.stats.tlb_invalidations = tlb.invalidations;
    result_.end_time = std::max(result_.end_time, cpu.stats.time);
    result_.cpu_switches += cpu.stats.switches_in;
    result_.cpus.push_back(cpu.stats);
  }
  FiberHandle abandoned;
  SwitchFiber(&abandoned, host_);
  std::abort();  // Nothing resumes a stopped machine.
}

}  // namespace sim
