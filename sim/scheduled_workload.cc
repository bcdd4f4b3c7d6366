#include "sim/scheduled_workload.h"

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "sim/host_stacks.h"
#include "src/hal/boot.h"
#include "src/hal/cpu.h"
#include "src/hal/power.h"
#include "src/hal/trap.h"
#include "src/lib/print.h"
#include "src/sched/scheduler.h"
#include "src/sched/scheduler_start.h"
#include "src/workloads/ipc_channels.h"

namespace sim {
namespace {

// Two threads per CPU, the idle threads and the main thread.
constexpr size_t kMaxThreads = 3 * hal::kMaxCpus + 2;
constexpr uint64_t kDefaultIpcMessages = 32;

struct Runner {
  uint64_t iterations = 0;
  hal::Nanoseconds time_slice = 50'000;
  HostSchedulerMemory memory{kMaxThreads};
};
// The last boot's: a stopped machine cannot tear its threads down, so each
// boot replaces the previous one's.
std::unique_ptr<Runner> runner;

[[noreturn]] void Verdict(bool pass, const char* why) {
  if (pass) {
    vos::Printf("VERDICT: PASS\n");
    hal::PowerOff(0);
  }
  vos::Printf("VERDICT: FAIL %s\n", why);
  hal::PowerOff(1);
}

void IpcChannelsMain(void*) {
  const uint64_t messages = runner->iterations != 0 ? runner->iterations : kDefaultIpcMessages;
  const vos::workloads::IpcChannelsResult result =
      vos::workloads::RunIpcChannels(hal::CpuCount(), static_cast<uint32_t>(messages));
  const uint64_t expected = hal::CpuCount() * messages;
  Verdict(result.errors == 0 && result.sent == expected && result.delivered == expected,
          "ipc_channels");
}

void Boot(const hal::BootInfo& boot_info) {
  runner = std::make_unique<Runner>();
  for (absl::string_view word : absl::StrSplit(boot_info.command_line, ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&word, "iterations=")) (void)absl::SimpleAtoi(word, &runner->iterations);
    if (absl::ConsumePrefix(&word, "tick_ns=")) (void)absl::SimpleAtoi(word, &runner->time_slice);
  }
  vos::SchedulerConfig config = runner->memory.Config();
  config.time_slice = runner->time_slice;
  vos::ThreadOptions main;
  main.name = "main";
  const char* what = nullptr;
  (void)vos::StartScheduler(config, IpcChannelsMain, nullptr, main, &what);
  Verdict(false, what);
}

}  // namespace

bool IsScheduledWorkload(std::string_view name) { return name == "ipc_channels"; }

void UseScheduledWorkload(MachineConfig* config) {
  config->boot_entry = Boot;
  config->trap_handler = kernel::HandleTrap;
}

}  // namespace sim
