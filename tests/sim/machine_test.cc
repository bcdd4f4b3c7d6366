// Tests of the simulated machine itself, with small entry functions instead
// of the kernel: interrupt delivery, timers, IPIs, halting, determinism.
#include "sim/machine.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/hal/context.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/hal/power.h"
#include "src/hal/time.h"

namespace sim {
namespace {

using ::testing::HasSubstr;

// State shared by the entry functions of one test; reset by each test.
struct Probe {
  uint32_t cpus = 0;
  int done = 0;
  std::vector<std::vector<int>> ipis;  // [target] -> handled count.
  std::vector<std::pair<hal::CpuId, hal::Nanoseconds>> timer_fires;
  std::vector<hal::Nanoseconds> deadlines;
  std::vector<uint32_t> devices;
  bool trap_with_interrupts_enabled = false;
  std::vector<hal::CpuId> order;
};
Probe probe;

void CountingTrapHandler(hal::Trap& trap) {
  if (hal::InterruptsEnabled()) probe.trap_with_interrupts_enabled = true;
  const hal::CpuId cpu = hal::CurrentCpu();
  switch (trap.kind) {
    case hal::TrapKind::kIpi:
      ++probe.ipis[cpu][0];
      break;
    case hal::TrapKind::kTimer:
      probe.timer_fires.push_back({cpu, hal::Now()});
      break;
    case hal::TrapKind::kDevice:
      probe.devices.push_back(trap.vector);
      break;
    default:
      break;
  }
}

void ResetProbe(uint32_t cpus) {
  probe = Probe{};
  probe.cpus = cpus;
  probe.ipis.assign(cpus, std::vector<int>(1, 0));
}

MachineConfig TestConfig(uint32_t cpus, void (*entry)(const hal::BootInfo&)) {
  MachineConfig config;
  config.cpus = cpus;
  config.boot_entry = entry;
  config.trap_handler = CountingTrapHandler;
  config.echo_console = false;
  config.ram_per_node = 8 << 20;
  ResetProbe(cpus);
  return config;
}

RunResult RunOrDie(const MachineConfig& config) {
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  EXPECT_TRUE(machine.ok()) << machine.status();
  return (*machine)->Run();
}

// Starts every CPU at `entry`, runs `entry` on CPU 0 too, waits for all and
// powers off with 0.
void StartAllAndWait(hal::SecondaryEntry entry) {
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) ASSERT_TRUE(hal::StartCpu(cpu, entry));
  entry(0);
  hal::InterruptsEnable();
  while (probe.done < static_cast<int>(hal::CpuCount())) hal::CpuRelax();
  hal::PowerOff(0);
}

// --- IPIs ---------------------------------------------------------------

constexpr int kIpisPerPair = 25;

[[noreturn]] void IdleAfter() {
  ++probe.done;
  for (;;) hal::WaitForInterrupt();
}

void IpiSender(hal::CpuId self) {
  // Interrupts stay disabled while sending: every IPI queues until the
  // target (this CPU included) enables them.
  for (int round = 0; round < kIpisPerPair; ++round) {
    for (hal::CpuId target = 0; target < hal::CpuCount(); ++target) hal::SendIpi(target);
  }
  if (self != 0) IdleAfter();
  ++probe.done;
}

void DrainingIpiBoot(const hal::BootInfo&) {
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    ASSERT_TRUE(hal::StartCpu(cpu, [](hal::CpuId self) { IpiSender(self); }));
  }
  IpiSender(0);
  hal::InterruptsEnable();
  const int expected = kIpisPerPair * static_cast<int>(hal::CpuCount());
  for (;;) {
    bool all = probe.done == static_cast<int>(hal::CpuCount());
    for (hal::CpuId cpu = 0; cpu < hal::CpuCount(); ++cpu) {
      all = all && probe.ipis[cpu][0] >= expected;
    }
    if (all) break;
    hal::CpuRelax();
  }
  // Let any duplicate show up before stopping.
  for (int i = 0; i < 200; ++i) hal::CpuRelax();
  hal::PowerOff(0);
}

TEST(MachineTest, AllQueuedIpisArriveOnceEvenOnHaltedCpus) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    MachineConfig config = TestConfig(4, DrainingIpiBoot);
    config.seed = seed;
    RunResult result = RunOrDie(config);
    ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff) << result.failure;
    for (hal::CpuId cpu = 0; cpu < 4; ++cpu) {
      EXPECT_EQ(probe.ipis[cpu][0], 4 * kIpisPerPair) << "cpu " << cpu << " seed " << seed;
    }
  }
}

// --- Timers -------------------------------------------------------------

void TimerBoot(const hal::BootInfo&) {
  // Every CPU arms one deadline and halts; halted CPUs wake in deadline order.
  static constexpr hal::Nanoseconds kDeadlines[] = {70'000, 20'000, 50'000, 30'000};
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    ASSERT_TRUE(hal::StartCpu(cpu, [](hal::CpuId self) {
      hal::TimerSetDeadline(kDeadlines[self]);
      hal::WaitForInterrupt();
      IdleAfter();
    }));
  }
  hal::TimerSetDeadline(kDeadlines[0]);
  hal::WaitForInterrupt();
  ++probe.done;
  hal::InterruptsEnable();
  while (probe.done < static_cast<int>(hal::CpuCount())) hal::CpuRelax();
  hal::PowerOff(0);
}

TEST(MachineTest, TimersFireInSimulatedTimeOrderAndNeverEarly) {
  RunResult result = RunOrDie(TestConfig(4, TimerBoot));
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff) << result.failure;
  ASSERT_EQ(probe.timer_fires.size(), 4u);
  std::vector<hal::CpuId> order;
  for (auto [cpu, when] : probe.timer_fires) order.push_back(cpu);
  EXPECT_EQ(order, (std::vector<hal::CpuId>{1, 3, 2, 0}));
  static constexpr hal::Nanoseconds kDeadlines[] = {70'000, 20'000, 50'000, 30'000};
  for (auto [cpu, when] : probe.timer_fires) EXPECT_GE(when, kDeadlines[cpu]);
  // The halted time is accounted to the CPUs.
  EXPECT_GT(result.cpus[0].halted_time, 60'000u);
}

void MaskedTimerBoot(const hal::BootInfo&) {
  hal::TimerSetDeadline(100);
  // Interrupts are disabled: spinning past the deadline must not deliver.
  while (hal::Now() < 1'000) hal::CpuRelax();
  probe.deadlines.push_back(probe.timer_fires.size());
  hal::InterruptsEnable();  // Delivers here.
  probe.deadlines.push_back(probe.timer_fires.size());
  hal::PowerOff(0);
}

TEST(MachineTest, MaskedTimerWaitsForInterruptEnable) {
  RunResult result = RunOrDie(TestConfig(1, MaskedTimerBoot));
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff) << result.failure;
  EXPECT_EQ(probe.deadlines, (std::vector<hal::Nanoseconds>{0, 1}));
}

void RearmBoot(const hal::BootInfo&) {
  hal::TimerSetDeadline(5'000);
  hal::TimerSetDeadline(500);  // Replaces the first deadline.
  hal::InterruptsEnable();
  while (hal::Now() < 10'000) hal::CpuRelax();
  hal::TimerSetDeadline(20'000);
  hal::TimerCancel();
  while (hal::Now() < 30'000) hal::CpuRelax();
  hal::PowerOff(0);
}

TEST(MachineTest, RearmingReplacesAndCancelStopsTheTimer) {
  RunResult result = RunOrDie(TestConfig(1, RearmBoot));
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff);
  ASSERT_EQ(probe.timer_fires.size(), 1u);
  EXPECT_GE(probe.timer_fires[0].second, 500u);
  EXPECT_LT(probe.timer_fires[0].second, 5'000u);
}

// --- Devices, deadlock, limits, errors ------------------------------------

Machine* device_machine = nullptr;

void DeviceBoot(const hal::BootInfo&) {
  device_machine->InjectDeviceInterrupt(0, 33);
  device_machine->InjectDeviceInterrupt(0, 34);
  hal::WaitForInterrupt();
  hal::PowerOff(0);
}

TEST(MachineTest, DeviceInterruptsAreDeliveredOnceInOrder) {
  MachineConfig config = TestConfig(1, DeviceBoot);
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  ASSERT_TRUE(machine.ok());
  device_machine = machine->get();
  RunResult result = (*machine)->Run();
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff);
  EXPECT_EQ(probe.devices, (std::vector<uint32_t>{33, 34}));
}

void DeadlockBoot(const hal::BootInfo&) {
  ASSERT_TRUE(hal::StartCpu(1, [](hal::CpuId) {
    for (;;) hal::WaitForInterrupt();
  }));
  for (;;) hal::WaitForInterrupt();
}

TEST(MachineTest, AllCpusHaltedWithNothingPendingIsADeadlock) {
  RunResult result = RunOrDie(TestConfig(2, DeadlockBoot));
  EXPECT_EQ(result.outcome, RunOutcome::kDeadlocked);
  EXPECT_THAT(result.failure, HasSubstr("halted"));
}

void SpinForeverBoot(const hal::BootInfo&) {
  for (;;) hal::CpuRelax();
}

TEST(MachineTest, InterleavingLimitStopsARunawayKernel) {
  MachineConfig config = TestConfig(1, SpinForeverBoot);
  config.max_interleavings = 1000;
  RunResult result = RunOrDie(config);
  EXPECT_EQ(result.outcome, RunOutcome::kLimitReached);
  EXPECT_EQ(result.interleavings, 1001u);
}

TEST(MachineTest, ImpossibleMachinesAreRejected) {
  MachineConfig config = TestConfig(0, SpinForeverBoot);
  EXPECT_FALSE(Machine::Create(config).ok());
  config.cpus = hal::kMaxCpus + 1;
  EXPECT_FALSE(Machine::Create(config).ok());
  config.cpus = 1;
  config.numa_nodes = 9;
  EXPECT_FALSE(Machine::Create(config).ok());
  config.numa_nodes = 1;
  config.ram_per_node = 1000;
  EXPECT_FALSE(Machine::Create(config).ok());
  config.ram_per_node = 8 << 20;
  config.boot_entry = nullptr;
  EXPECT_FALSE(Machine::Create(config).ok());
}

void StartCpuBoot(const hal::BootInfo&) {
  probe.order.push_back(hal::StartCpu(1, [](hal::CpuId) { IdleAfter(); }) ? 1 : 0);
  probe.order.push_back(hal::StartCpu(1, [](hal::CpuId) { IdleAfter(); }) ? 1 : 0);
  probe.order.push_back(hal::StartCpu(2, [](hal::CpuId) { IdleAfter(); }) ? 1 : 0);
  hal::PowerOff(0);
}

TEST(MachineTest, StartCpuRefusesMissingAndRunningCpus) {
  RunResult result = RunOrDie(TestConfig(2, StartCpuBoot));
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff);
  EXPECT_EQ(probe.order, (std::vector<hal::CpuId>{1, 0, 0}));
}

// --- Memory ----------------------------------------------------------------

void MemoryBoot(const hal::BootInfo&) {
  const hal::MemoryMap& map = hal::GetMemoryMap();
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    if (region.type != hal::MemoryType::kUsable) continue;
    char* first = static_cast<char*>(hal::PhysToVirt(region.base));
    char* last = static_cast<char*>(hal::PhysToVirt(region.base + region.size - 1));
    *first = 1;
    *last = 2;
    if (hal::VirtToPhys(last) != region.base + region.size - 1) hal::PowerOff(1);
  }
  hal::PowerOff(0);
}

TEST(MachineTest, MemoryMapHasReservedHolesAndNumaNodes) {
  MachineConfig config = TestConfig(1, MemoryBoot);
  config.numa_nodes = 2;
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  ASSERT_TRUE(machine.ok());
  const hal::MemoryMap& map = (*machine)->ram().memory_map();
  EXPECT_EQ(map.numa_node_count, 2u);
  uint64_t usable = 0;
  int reserved = 0;
  bool node1 = false;
  for (size_t i = 0; i < map.count; ++i) {
    if (map.regions[i].type == hal::MemoryType::kUsable) usable += map.regions[i].size;
    if (map.regions[i].type != hal::MemoryType::kUsable) ++reserved;
    if (map.regions[i].numa_node == 1) node1 = true;
    if (i > 0) {  // Sorted, no overlap.
      EXPECT_EQ(map.regions[i - 1].base + map.regions[i - 1].size, map.regions[i].base);
    }
  }
  EXPECT_GE(reserved, 3);
  EXPECT_TRUE(node1);
  EXPECT_LT(usable, 2 * config.ram_per_node);
  EXPECT_EQ(map.numa_distance[0 * 2 + 1], 20);
  EXPECT_EQ(map.numa_distance[1 * 2 + 1], 10);
  RunResult result = (*machine)->Run();
  EXPECT_EQ(result.outcome, RunOutcome::kPoweredOff);
  EXPECT_EQ(result.exit_code, 0);
}

// --- Kernel contexts -------------------------------------------------------

hal::KernelContext main_context;
hal::KernelContext worker_context;

void PingPongBoot(const hal::BootInfo&) {
  static std::vector<char> stack(64 * 1024);
  hal::ContextInit(&worker_context, stack.data(), stack.size(), [](void*) {
    for (;;) {
      probe.order.push_back(hal::CurrentCpu() + 100);
      hal::ContextSwitch(&worker_context, &main_context);
    }
  }, nullptr);
  for (int i = 0; i < 3; ++i) {
    probe.order.push_back(hal::CurrentCpu());
    hal::ContextSwitch(&main_context, &worker_context);
  }
  hal::PowerOff(0);
}

TEST(MachineTest, KernelContextsSwitchOnOneCpu) {
  RunResult result = RunOrDie(TestConfig(1, PingPongBoot));
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff) << result.failure;
  EXPECT_EQ(probe.order, (std::vector<hal::CpuId>{0, 100, 0, 100, 0, 100}));
  EXPECT_EQ(result.cpus[0].context_switches, 6u);
}

// --- Determinism ------------------------------------------------------------

void RecordOrderBoot(const hal::BootInfo&) {
  StartAllAndWait([](hal::CpuId cpu) {
    for (int i = 0; i < 20; ++i) {
      probe.order.push_back(hal::CurrentCpu());
      hal::CpuRelax();
    }
    if (cpu != 0) IdleAfter();
    ++probe.done;
  });
}

TEST(MachineTest, SameSeedSameInterleavingDifferentSeedDifferent) {
  MachineConfig config = TestConfig(4, RecordOrderBoot);
  config.seed = 7;
  RunResult first = RunOrDie(config);
  std::vector<hal::CpuId> first_order = probe.order;
  ResetProbe(4);
  RunResult again = RunOrDie(config);
  EXPECT_EQ(probe.order, first_order);
  EXPECT_EQ(again.trace_hash, first.trace_hash);
  config.seed = 8;
  ResetProbe(4);
  RunResult other = RunOrDie(config);
  EXPECT_NE(probe.order, first_order);
  EXPECT_NE(other.trace_hash, first.trace_hash);
}

TEST(MachineTest, RoundRobinVisitsCpusInIndexOrder) {
  MachineConfig config = TestConfig(3, RecordOrderBoot);
  config.policy = SchedulePolicy::kRoundRobin;
  config.costs.cpu_start = 0;
  RunResult result = RunOrDie(config);
  ASSERT_EQ(result.outcome, RunOutcome::kPoweredOff);
  // Once all three run, each CPU records one step per turn.
  std::vector<hal::CpuId> tail(probe.order.end() - 6, probe.order.end());
  EXPECT_THAT(tail, ::testing::AnyOf(
                        ::testing::ElementsAre(0, 1, 2, 0, 1, 2), ::testing::ElementsAre(1, 2, 0, 1, 2, 0),
                        ::testing::ElementsAre(2, 0, 1, 2, 0, 1)));
}

}  // namespace
}  // namespace sim
