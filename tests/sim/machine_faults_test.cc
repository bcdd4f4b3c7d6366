// The machine's fault injection (scheduled device interrupts, delayed IPIs),
// the PCT policy and the trace sink, on bare boot functions (no kernel).
#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "sim/machine.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/power.h"
#include "src/hal/time.h"

namespace sim {
namespace {

struct TrapRecord {
  hal::CpuId cpu;
  hal::TrapKind kind;
  uint32_t vector;
  hal::Nanoseconds time;
};
std::vector<TrapRecord> traps;

void RecordTrap(hal::Trap& trap) {
  traps.push_back({hal::CurrentCpu(), trap.kind, trap.vector, hal::Now()});
}

MachineConfig Config(uint32_t cpus, BootEntry boot) {
  MachineConfig config;
  config.cpus = cpus;
  config.ram_per_node = 4 << 20;
  config.boot_entry = boot;
  config.trap_handler = RecordTrap;
  config.echo_console = false;
  return config;
}

RunResult RunMachine(const MachineConfig& config) {
  traps.clear();
  auto machine = Machine::Create(config);
  EXPECT_TRUE(machine.ok()) << machine.status();
  return (*machine)->Run();
}

// CPU 0 idles with interrupts on until 100 us, then powers off.
void IdleUntil100us(const hal::BootInfo&) {
  hal::InterruptsEnable();
  hal::TimerSetDeadline(100'000);
  while (hal::Now() < 100'000) hal::WaitForInterrupt();
  hal::PowerOff(0);
}

TEST(MachineFaultsTest, ScheduledDeviceInterruptsArriveAtTheirTime) {
  MachineConfig config = Config(1, IdleUntil100us);
  config.device_interrupts = {{50'000, 0, 41}, {20'000, 0, 40}};
  const RunResult result = RunMachine(config);
  EXPECT_EQ(result.outcome, RunOutcome::kPoweredOff);
  std::vector<TrapRecord> devices;
  for (const TrapRecord& trap : traps) {
    if (trap.kind == hal::TrapKind::kDevice) devices.push_back(trap);
  }
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].vector, 40u);
  EXPECT_GE(devices[0].time, 20'000u);
  EXPECT_LT(devices[0].time, 21'000u);  // The halted CPU was woken for it.
  EXPECT_EQ(devices[1].vector, 41u);
  EXPECT_GE(devices[1].time, 50'000u);
  EXPECT_EQ(result.cpus[0].device_traps, 2u);
}

TEST(MachineFaultsTest, DeviceInterruptOnAMissingCpuIsRejected) {
  MachineConfig config = Config(2, IdleUntil100us);
  config.device_interrupts = {{10, 2, 40}};
  EXPECT_FALSE(Machine::Create(config).ok());
}

hal::Nanoseconds ipi_sent_at = 0;

// CPU 1 idles; CPU 0 sends it one IPI at about 10 us.
void SendOneIpi(const hal::BootInfo&) {
  hal::StartCpu(1, [](hal::CpuId) {
    hal::InterruptsEnable();
    for (;;) hal::WaitForInterrupt();
  });
  hal::TimerSetDeadline(10'000);
  hal::InterruptsEnable();
  while (hal::Now() < 10'000) hal::WaitForInterrupt();
  ipi_sent_at = hal::Now();
  hal::SendIpi(1);
  hal::TimerSetDeadline(200'000);
  while (hal::Now() < 200'000) hal::WaitForInterrupt();
  hal::PowerOff(0);
}

hal::Nanoseconds IpiArrival(hal::Nanoseconds delay) {
  MachineConfig config = Config(2, SendOneIpi);
  config.ipi_delay = delay;
  EXPECT_EQ(RunMachine(config).outcome, RunOutcome::kPoweredOff);
  for (const TrapRecord& trap : traps) {
    if (trap.kind == hal::TrapKind::kIpi) return trap.time;
  }
  ADD_FAILURE() << "no IPI delivered";
  return 0;
}

TEST(MachineFaultsTest, DelayedIpisArriveLate) {
  const hal::Nanoseconds prompt = IpiArrival(0) - ipi_sent_at;
  const hal::Nanoseconds delayed = IpiArrival(50'000) - ipi_sent_at;
  EXPECT_LT(prompt, 5'000u);
  EXPECT_GE(delayed, 50'000u);
  EXPECT_LT(delayed, 55'000u);
}

// Four CPUs spin; which one runs most is up to the policy.
void SpinAll(const hal::BootInfo&) {
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    hal::StartCpu(cpu, [](hal::CpuId) {
      for (;;) hal::CpuRelax();
    });
  }
  for (int i = 0; i < 2'000; ++i) hal::CpuRelax();
  hal::PowerOff(0);
}

class CountingSink : public TraceSink {
 public:
  void Consume(const TraceEvent*, size_t count) override { events += count; }
  uint64_t events = 0;
};

TEST(MachineFaultsTest, PctIsDeterministicAndDiffersFromRandom) {
  MachineConfig config = Config(4, SpinAll);
  config.policy = SchedulePolicy::kPct;
  config.pct_depth = 3;
  config.pct_steps = 4'000;
  CountingSink sink;
  config.trace_sink = &sink;
  const RunResult a = RunMachine(config);
  EXPECT_EQ(a.outcome, RunOutcome::kPoweredOff);
  EXPECT_EQ(sink.events, a.trace_events);  // The sink saw every event.
  config.trace_sink = nullptr;
  EXPECT_EQ(RunMachine(config).trace_hash, a.trace_hash);
  config.seed = 2;
  EXPECT_NE(RunMachine(config).trace_hash, a.trace_hash);
  config.seed = 1;
  config.policy = SchedulePolicy::kRandom;
  EXPECT_NE(RunMachine(config).trace_hash, a.trace_hash);
}

TEST(MachineFaultsTest, PctRunsTheHighestPriorityCpuWithinTheWindow) {
  // Depth 1: no change points, so one CPU has the top priority throughout
  // and runs whenever its clock is inside the skew window: it takes the
  // most interleaving points.
  MachineConfig config = Config(4, SpinAll);
  config.policy = SchedulePolicy::kPct;
  config.pct_depth = 1;
  config.pct_steps = 4'000;
  config.costs.cpu_start = 0;
  const RunResult result = RunMachine(config);
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff);
  uint64_t most = 0, total = 0;
  for (const CpuStats& cpu : result.cpus) {
    most = std::max(most, cpu.interleavings);
    total += cpu.interleavings;
  }
  EXPECT_GT(most * 4, total);  // More than a fair share.
}

}  // namespace
}  // namespace sim
