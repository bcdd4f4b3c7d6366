#include "sim/kernel_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"
#include "src/hal/boot.h"
#include "src/hal/trap.h"

namespace sim {
namespace {

// The child's result travels over a pipe as fixed fields plus two strings.
struct WireHeader {
  int32_t outcome;
  int32_t exit_code;
  uint64_t trace_hash;
  uint64_t trace_events;
  uint64_t interleavings;
  uint64_t cpu_switches;
  uint64_t end_time;
  uint64_t cpu_count;
  uint64_t console_length;
  uint64_t failure_length;
};

bool WriteAll(int fd, const void* data, size_t length) {
  const char* p = static_cast<const char*>(data);
  while (length > 0) {
    ssize_t written = write(fd, p, length);
    if (written <= 0) return false;
    p += written;
    length -= static_cast<size_t>(written);
  }
  return true;
}

bool ReadAll(int fd, void* data, size_t length) {
  char* p = static_cast<char*>(data);
  while (length > 0) {
    ssize_t got = read(fd, p, length);
    if (got <= 0) return false;
    p += got;
    length -= static_cast<size_t>(got);
  }
  return true;
}

[[noreturn]] void RunChild(const MachineConfig& config, int fd) {
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  RunResult result;
  if (machine.ok()) {
    result = (*machine)->Run();
  } else {
    result.outcome = RunOutcome::kPanicked;
    result.failure = std::string(machine.status().message());
  }
  WireHeader header{static_cast<int32_t>(result.outcome), result.exit_code, result.trace_hash,
                    result.trace_events, result.interleavings, result.cpu_switches,
                    result.end_time, result.cpus.size(), result.console.size(),
                    result.failure.size()};
  bool ok = WriteAll(fd, &header, sizeof(header)) &&
            WriteAll(fd, result.cpus.data(), result.cpus.size() * sizeof(CpuStats)) &&
            WriteAll(fd, result.console.data(), result.console.size()) &&
            WriteAll(fd, result.failure.data(), result.failure.size());
  _exit(ok ? 0 : 1);
}

}  // namespace

MachineConfig KernelMachineConfig() {
  MachineConfig config;
  config.boot_entry = &kernel::KernelMain;
  config.trap_handler = &kernel::HandleTrap;
  return config;
}

absl::StatusOr<RunResult> RunKernelIsolated(const MachineConfig& config) {
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError(absl::StrFormat("pipe: %s", strerror(errno)));
  std::fflush(stdout);
  pid_t child = fork();
  if (child < 0) return absl::InternalError(absl::StrFormat("fork: %s", strerror(errno)));
  if (child == 0) {
    close(fds[0]);
    RunChild(config, fds[1]);
  }
  close(fds[1]);
  WireHeader header{};
  RunResult result;
  bool ok = ReadAll(fds[0], &header, sizeof(header));
  if (ok) {
    result.cpus.resize(header.cpu_count);
    result.console.resize(header.console_length);
    result.failure.resize(header.failure_length);
    ok = ReadAll(fds[0], result.cpus.data(), header.cpu_count * sizeof(CpuStats)) &&
         ReadAll(fds[0], result.console.data(), header.console_length) &&
         ReadAll(fds[0], result.failure.data(), header.failure_length);
  }
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrFormat("the simulator child process died (wait status 0x%x)", status));
  }
  result.outcome = static_cast<RunOutcome>(header.outcome);
  result.exit_code = header.exit_code;
  result.trace_hash = header.trace_hash;
  result.trace_events = header.trace_events;
  result.interleavings = header.interleavings;
  result.cpu_switches = header.cpu_switches;
  result.end_time = header.end_time;
  return result;
}

int ExitStatusFor(const RunResult& result) {
  switch (result.outcome) {
    case RunOutcome::kPoweredOff: return result.exit_code == 0 ? kExitPass : kExitKernelFailed;
    case RunOutcome::kPanicked: return kExitPanic;
    case RunOutcome::kDeadlocked: return kExitDeadlock;
    case RunOutcome::kLimitReached: return kExitLimit;
  }
  return kExitPanic;
}

std::string FormatSummary(const MachineConfig& config, const RunResult& result) {
  std::string out = absl::StrFormat(
      "\n== simulator summary: %u cpus, %u NUMA node(s) x %u MiB, seed %u ==\n", config.cpus,
      config.numa_nodes, config.ram_per_node >> 20, config.seed);
  absl::StrAppendFormat(&out, "%4s %12s %6s %12s %9s %7s %7s %7s\n", "cpu", "time(ns)", "busy",
                        "interleave", "switch-in", "timer", "ipi", "device");
  for (size_t i = 0; i < result.cpus.size(); ++i) {
    const CpuStats& cpu = result.cpus[i];
    if (!cpu.started) {
      absl::StrAppendFormat(&out, "%4u  (not started)\n", i);
      continue;
    }
    const double busy = cpu.time == 0 ? 0.0 : 100.0 * (cpu.time - cpu.halted_time) / cpu.time;
    absl::StrAppendFormat(&out, "%4u %12u %5.1f%% %12u %9u %7u %7u %7u\n", i, cpu.time, busy,
                          cpu.interleavings, cpu.switches_in, cpu.timer_traps, cpu.ipi_traps,
                          cpu.device_traps);
  }
  absl::StrAppendFormat(&out, "simulated time: %u ns, interleaving points: %u, cpu switches: %u\n",
                        result.end_time, result.interleavings, result.cpu_switches);
  absl::StrAppendFormat(&out, "outcome: %s", RunOutcomeName(result.outcome));
  if (result.outcome == RunOutcome::kPoweredOff) {
    absl::StrAppendFormat(&out, " (exit code %d)", result.exit_code);
  }
  absl::StrAppendFormat(&out, "\ntrace events: %u\ntrace hash: %016x\n", result.trace_events,
                        result.trace_hash);
  return out;
}

}  // namespace sim
