#include "tests/support/scheduled_machine.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "sim/host_stacks.h"
#include "src/hal/cpu.h"
#include "src/hal/power.h"
#include "src/hal/trap.h"
#include "src/sched/scheduler.h"
#include "src/sched/scheduler_start.h"
#include "tests/support/in_machine.h"

namespace testing_support {
namespace {

struct Run {
  const ScheduledMachine* machine;
  std::function<void()>* body;
  std::unique_ptr<sim::HostSchedulerMemory> memory;
};
Run* current_run = nullptr;

void MainThread(void*) {
  (*current_run->body)();
  hal::PowerOff(0);
}

void Boot() {
  Run& run = *current_run;
  vos::SchedulerConfig config = run.memory->Config();
  config.time_slice = run.machine->time_slice;
  config.rt_period = run.machine->rt_period;
  config.rt_runtime = run.machine->rt_runtime;
  config.load_balancing = run.machine->load_balancing;
  vos::ThreadOptions main;
  main.name = "main";
  main.priority = run.machine->body_priority;
  const char* what = nullptr;
  const vos::Status status = vos::StartScheduler(config, MainThread, nullptr, main, &what);
  FAIL() << what << ": " << vos::StatusName(status);
}

}  // namespace

sim::RunResult RunScheduled(const ScheduledMachine& machine, std::function<void()> body) {
  Run run;
  run.machine = &machine;
  run.body = &body;
  run.memory = std::make_unique<sim::HostSchedulerMemory>(machine.max_threads);
  current_run = &run;
  sim::MachineConfig config = SmallMachine(machine.cpus, machine.seed);
  config.trap_handler = kernel::HandleTrap;
  config.policy = machine.policy;
  config.max_interleavings = machine.max_interleavings;
  if (machine.configure) machine.configure(config);
  sim::RunResult result = RunInMachine(std::move(config), Boot);
  current_run = nullptr;
  return result;
}

void Spin(uint64_t steps) {
  for (uint64_t i = 0; i < steps; ++i) hal::CpuRelax();
}

vos::Thread* StartThread(vos::ThreadEntry entry, void* arg, const vos::ThreadOptions& options) {
  vos::Result<vos::Thread*> thread = vos::Scheduler::CreateThread(entry, arg, options);
  EXPECT_TRUE(thread.ok()) << vos::StatusName(thread.status());
  return thread.ok() ? *thread : nullptr;
}

uint64_t SumOverCpus(uint64_t vos::CpuSchedulerStats::*field) {
  uint64_t sum = 0;
  for (hal::CpuId cpu = 0; cpu < vos::Scheduler::cpu_count(); ++cpu) {
    sum += vos::Scheduler::CpuStats(cpu).*field;
  }
  return sum;
}

}  // namespace testing_support
