// Scenarios with [[program]] entries: a boot entry that brings up memory,
// the scheduler on every CPU and the process manager with the user-program
// catalog (scenarios/programs), spawns the programs the kernel command line
// lists under init, reaps every child of init (orphans included) and powers
// off. Each listed program's end is one console line (ProgramResultLine),
// which the scenario verdict reads back. A run that ends with kernel memory
// still held by processes gone (frames or kernel heap objects) fails.
#ifndef VERIDIAN_SIM_PROGRAM_RUN_H_
#define VERIDIAN_SIM_PROGRAM_RUN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/machine.h"
#include "src/abi/syscall.h"
#include "src/ipc/ipc_totals.h"
#include "src/lib/status.h"

namespace sim {

// The kernel's process and user-thread tables in a program run (scenario
// [machine] max_processes, max_user_threads; init takes one process slot).
struct ProcessTables {
  static constexpr uint64_t kMaxProcesses = 4096;
  static constexpr uint64_t kMaxUserThreads = 65536;
  uint64_t processes = 256;
  uint64_t user_threads = 1024;
  bool operator==(const ProcessTables&) const = default;
};

struct ProgramSpec {
  std::string name;  // A catalog program (one word).
  std::vector<uint64_t> args;
  // Where its threads run (vos::SchedulingOptions); unset: as init's
  // (any CPU, the default priority, starting on init's CPU).
  std::vector<uint32_t> affinity;      // CPU indices; empty: every CPU.
  std::optional<uint32_t> cpu;         // The CPU its threads start on.
  std::optional<uint32_t> priority;    // A vos::Priority.
  // Spawned with a capability to the kernel's service registry carrying
  // the admin right (registry_force_unregister): its last argument.
  bool registry_admin = false;
};

// Kernel memory in use, for leak checks across a workload: frames outside
// the kernel heap (address spaces, capability tables, ...) and live kernel
// heap objects (the heap keeps the pages it grew into, so its frames are
// not counted).
struct KernelMemoryUse {
  uint64_t frames = 0;
  uint64_t heap_objects = 0;
  bool operator==(const KernelMemoryUse&) const = default;
};
KernelMemoryUse MeasureKernelMemory();

// Inside a run, before anything else allocates: the frame allocator, the
// frame reference counts and the kernel heap (over frames), as the kernel
// image brings them up. On failure, `*what` names the part that failed.
vos::Status InitKernelMemory(const char** what);

// "program=NAME[,ARG]...[;OPTION]..." per program, in order, then
// "max_processes=N max_user_threads=N" when `tables` are not the defaults.
std::string ProgramCommandLine(const std::vector<ProgramSpec>& programs,
                               const ProcessTables& tables = {});

// Makes `config` boot the program runner (trap and page-fault handlers
// included); the programs come from config->command_line.
void UseProgramRunner(MachineConfig* config);

// True when `name` is a catalog program.
bool IsCatalogProgram(std::string_view name);
std::string CatalogProgramNames();  // "hello, exit_with, ...".

// The console line reporting how listed program `index` ended.
std::string ProgramResultLine(size_t index, std::string_view name,
                              const vos::abi::ExitStatus& status);
const char* ExitReasonName(vos::abi::ExitReason reason);

// The kernel's IPC totals at the end of a run (src/ipc/ipc_totals.h), as the
// runner prints them once every process is reaped: two console lines,
//   ipc channels: channels=N sent=N received=N rate_limited=N bytes=N
//     latency_p50_ns=N latency_p90_ns=N latency_p99_ns=N latency_max_ns=N
//   ipc endpoints: calls=N sends=N round_trip_p50_ns=N ... round_trip_max_ns=N
// (each on one line). Latencies are simulated ns, percentiles histogram
// bucket ceilings.
std::string IpcSummaryLines(const vos::IpcTotalsSnapshot& totals);
// Those lines, from a run's console (empty when the run printed none).
std::string FindIpcSummary(std::string_view console);
// Scenario counters over them: "ipc_channel_" + a channels key ("sent",
// "latency_p99_ns", ...), "ipc_rate_limited", "ipc_" + an endpoints key
// ("calls", "sends", "round_trip_p99_ns", ...); nullopt when the console
// has no such value.
std::optional<uint64_t> FindIpcCounter(std::string_view console, std::string_view counter);

// How listed program `index` ended, read from a run's console; nullopt when
// it was never reaped.
std::optional<vos::abi::ExitStatus> FindProgramResult(std::string_view console, size_t index,
                                                      std::string_view name);

}  // namespace sim

#endif  // VERIDIAN_SIM_PROGRAM_RUN_H_
