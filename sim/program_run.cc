#include "sim/program_run.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <span>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "scenarios/programs/catalog.h"
#include "sim/host_stacks.h"
#include "src/cap/token.h"
#include "src/hal/boot.h"
#include "src/hal/cpu.h"
#include "src/hal/memory_map.h"
#include "src/hal/power.h"
#include "src/hal/trap.h"
#include "src/ipc/ipc_totals.h"
#include "src/lib/print.h"
#include "src/mm/address_space.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_page_source.h"
#include "src/mm/frame_refs.h"
#include "src/mm/heap.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "src/sched/scheduler_start.h"
#include "src/syscall/service_registry.h"

namespace sim {
namespace {

constexpr int kExitSpawnFailed = 1;

// What the kernel command line asks of the runner: the programs, the
// process tables and the time slice.
struct RunOptions {
  std::vector<ProgramSpec> programs;
  ProcessTables tables;
  hal::Nanoseconds time_slice = 50'000;
};

// One run per process, like the kernel image: the runner's state lives as
// long as the process (a stopped run cannot tear address spaces down).
struct Runner {
  explicit Runner(RunOptions options)
      : programs(std::move(options.programs)),
        tables(options.tables),
        time_slice(options.time_slice),
        // A kernel thread per user thread, plus each CPU's idle thread and init.
        memory(tables.user_threads + hal::kMaxCpus + 1),
        processes(new vos::Process[tables.processes]),
        threads(new vos::UserThread[tables.user_threads]) {}

  const std::vector<ProgramSpec> programs;
  const ProcessTables tables;
  const hal::Nanoseconds time_slice;
  HostSchedulerMemory memory;
  std::unique_ptr<vos::Process[]> processes;
  std::unique_ptr<vos::UserThread[]> threads;
};
Runner* runner = nullptr;
// The scenario's seed: the boot secret behind capability tokens.
uint64_t machine_seed = 0;

[[noreturn]] void Fail(const char* what, vos::Status status) {
  vos::Printf("programs: %s failed (%s)\nVERDICT: FAIL\n", what, vos::StatusName(status));
  hal::PowerOff(kExitSpawnFailed);
}

// A program=NAME[,ARG]...[;affinity=CPU[+CPU]...][;cpu=N][;priority=N]
// [;registry_admin] word, after its "program=".
ProgramSpec ReadProgram(absl::string_view word) {
  std::vector<absl::string_view> options = absl::StrSplit(word, ';');
  std::vector<absl::string_view> parts = absl::StrSplit(options[0], ',');
  ProgramSpec spec{std::string(parts[0]), {}};
  for (size_t i = 1; i < parts.size(); ++i) {
    uint64_t value = 0;
    (void)absl::SimpleAtoi(parts[i], &value);
    spec.args.push_back(value);
  }
  for (size_t i = 1; i < options.size(); ++i) {
    absl::string_view option = options[i];
    uint32_t value = 0;
    if (absl::ConsumePrefix(&option, "affinity=")) {
      for (absl::string_view cpu : absl::StrSplit(option, '+')) {
        if (absl::SimpleAtoi(cpu, &value)) spec.affinity.push_back(value);
      }
    } else if (absl::ConsumePrefix(&option, "cpu=") && absl::SimpleAtoi(option, &value)) {
      spec.cpu = value;
    } else if (absl::ConsumePrefix(&option, "priority=") && absl::SimpleAtoi(option, &value)) {
      spec.priority = value;
    } else if (option == "registry_admin") {
      spec.registry_admin = true;
    }
  }
  return spec;
}

// Parses the command line's program= words, max_processes=N,
// max_user_threads=N and tick_ns=N (the scenario parser already checked
// them).
RunOptions ReadCommandLine(const char* command_line) {
  RunOptions options;
  for (absl::string_view word : absl::StrSplit(command_line, ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&word, "program=")) {
      options.programs.push_back(ReadProgram(word));
    } else if (absl::ConsumePrefix(&word, "max_processes=")) {
      (void)absl::SimpleAtoi(word, &options.tables.processes);
    } else if (absl::ConsumePrefix(&word, "max_user_threads=")) {
      (void)absl::SimpleAtoi(word, &options.tables.user_threads);
    } else if (absl::ConsumePrefix(&word, "tick_ns=")) {
      (void)absl::SimpleAtoi(word, &options.time_slice);
    }
  }
  return options;
}

vos::SchedulingOptions SchedulingOf(const ProgramSpec& spec) {
  vos::SchedulingOptions scheduling;
  if (!spec.affinity.empty()) {
    scheduling.affinity = vos::CpuMask{};
    for (uint32_t cpu : spec.affinity) scheduling.affinity.Set(cpu);
  }
  if (spec.cpu) scheduling.first_cpu = *spec.cpu;
  if (spec.priority) scheduling.priority = static_cast<vos::Priority>(*spec.priority);
  return scheduling;
}

// A capability to the kernel's service registry in init's space, which it
// grants to the programs flagged registry_admin; kInvalidToken when none is.
// It carries kRegistryRights (admin, grant, and derive, so that a holder
// can hand on weaker copies).
vos::Token InsertRegistryAdmin(vos::Process& init) {
  bool wanted = false;
  for (const ProgramSpec& spec : runner->programs) wanted = wanted || spec.registry_admin;
  if (!wanted) return vos::kInvalidToken;
  vos::Result<vos::Token> token = init.capabilities().Insert(
      vos::ServiceRegistry(), static_cast<vos::Rights>(vos::abi::kRegistryRights));
  if (!token.ok()) Fail("registry capability", token.status());
  return *token;
}

// Init's kernel thread: spawns the listed programs, then reaps every child
// of init until none is left, reporting each listed program's end.
void InitMain(void*) {
  vos::ProcessConfig config;
  config.processes = {runner->processes.get(), runner->tables.processes};
  config.threads = {runner->threads.get(), runner->tables.user_threads};
  config.programs = programs::Catalog();
  config.capability_secret = machine_seed * 0xd6e8feb86659fd93ull + 0x5851f42d4c957f2dull;
  if (vos::Status s = vos::ProcessManager::Init(config); !vos::IsOk(s)) Fail("process init", s);
  const KernelMemoryUse at_start = MeasureKernelMemory();
  vos::KernelIpcTotals().Reset();
  vos::Process* init = vos::ProcessManager::InitProcess();
  // After the start's measurement: slot-table pages it adds to init's space
  // are freed with that space at Shutdown, before the end's.
  const vos::Token registry_admin = InsertRegistryAdmin(*init);
  std::vector<vos::ProcessId> ids;
  for (const ProgramSpec& spec : runner->programs) {
    const vos::SchedulingOptions scheduling = SchedulingOf(spec);
    std::span<const vos::Token> grants;
    if (spec.registry_admin) grants = {&registry_admin, 1};
    vos::Result<vos::ProcessId> id =
        vos::ProcessManager::Spawn(init, spec.name.data(), spec.name.size(), spec.args.data(),
                                   spec.args.size() * sizeof(uint64_t), nullptr, grants,
                                   &scheduling);
    if (!id.ok()) Fail(absl::StrCat("spawn ", spec.name).c_str(), id.status());
    vos::Printf("programs: spawned %s as pid %lu\n", spec.name.c_str(), id->value);
    ids.push_back(*id);
  }
  for (;;) {
    vos::abi::ExitStatus status{};
    vos::Result<vos::ProcessId> reaped =
        vos::ProcessManager::Wait(init, vos::ProcessId{}, &status, /*no_hang=*/false);
    if (reaped.status() == vos::Status::kNotFound) break;  // No child left.
    if (!reaped.ok()) Fail("wait", reaped.status());
    bool listed = false;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].value != reaped->value) continue;
      listed = true;
      vos::Printf("%s\n", ProgramResultLine(i, runner->programs[i].name, status).c_str());
    }
    if (!listed) {  // An orphan re-parented to init.
      vos::Printf("programs: reaped orphan pid %lu: %s, code %ld\n", reaped->value,
                  ExitReasonName(status.reason), status.code);
    }
  }
  vos::Printf("programs: all reaped\n");
  // The grantees' copies went with them; init's own goes before Shutdown.
  if (registry_admin != vos::kInvalidToken) {
    if (vos::Status s = init->capabilities().Delete(registry_admin); !vos::IsOk(s)) {
      Fail("registry capability delete", s);
    }
  }
  vos::ProcessManager::Shutdown();
  // Every channel is gone with its processes: the totals are complete.
  vos::Printf("%s", IpcSummaryLines(vos::KernelIpcTotals().Read()).c_str());
  const KernelMemoryUse at_end = MeasureKernelMemory();
  if (!(at_end == at_start)) {
    vos::Printf("programs: kernel memory leaked: %lu frames and %lu heap objects at start, "
                "%lu and %lu at end\nVERDICT: FAIL\n",
                at_start.frames, at_start.heap_objects, at_end.frames, at_end.heap_objects);
    hal::PowerOff(kExitSpawnFailed);
  }
  hal::PowerOff(0);
}

void ProgramBoot(const hal::BootInfo& boot_info) {
  runner = new Runner(ReadCommandLine(boot_info.command_line));
  const char* what = nullptr;
  if (vos::Status s = InitKernelMemory(&what); !vos::IsOk(s)) Fail(what, s);
  vos::SchedulerConfig config = runner->memory.Config();
  config.time_slice = runner->time_slice;
  vos::ThreadOptions init;
  init.name = "init";
  const vos::Status status = vos::StartScheduler(config, InitMain, nullptr, init, &what);
  Fail(what, status);
}

}  // namespace

KernelMemoryUse MeasureKernelMemory() {
  KernelMemoryUse use;
  for (uint32_t node = 0; node < vos::Frames().node_count(); ++node) {
    use.frames += vos::Frames().GetNodeStats(node).used;
  }
  const vos::Heap::Stats heap = vos::KernelHeap().stats();
  use.frames -= heap.pages;
  for (const vos::Heap::CacheStats& cache : heap.caches) use.heap_objects += cache.in_use;
  use.heap_objects += heap.large_allocations - heap.large_frees;
  return use;
}

vos::Status InitKernelMemory(const char** what) {
  static vos::BootAllocator boot;
  static vos::FramePageSource heap_pages;
  const hal::MemoryMap& map = hal::GetMemoryMap();
  boot.Init(map);
  *what = "frames";
  VOS_RETURN_IF_ERROR(vos::InitFrameAllocator(map, boot));
  *what = "frame refs";
  VOS_RETURN_IF_ERROR(vos::PageRefs().Init(map));
  *what = "kernel heap";
  return vos::KernelHeap().Init(heap_pages);
}

std::string ProgramCommandLine(const std::vector<ProgramSpec>& programs,
                               const ProcessTables& tables) {
  std::string line;
  for (const ProgramSpec& spec : programs) {
    absl::StrAppend(&line, line.empty() ? "" : " ", "program=", spec.name);
    for (uint64_t arg : spec.args) absl::StrAppend(&line, ",", arg);
    if (!spec.affinity.empty()) {
      absl::StrAppend(&line, ";affinity=", absl::StrJoin(spec.affinity, "+"));
    }
    if (spec.cpu) absl::StrAppend(&line, ";cpu=", *spec.cpu);
    if (spec.priority) absl::StrAppend(&line, ";priority=", *spec.priority);
    if (spec.registry_admin) absl::StrAppend(&line, ";registry_admin");
  }
  // Only when set: the default runs keep their command line (and traces).
  if (tables != ProcessTables{}) {
    absl::StrAppend(&line, " max_processes=", tables.processes,
                    " max_user_threads=", tables.user_threads);
  }
  return line;
}

void UseProgramRunner(MachineConfig* config) {
  machine_seed = config->seed;
  config->boot_entry = ProgramBoot;
  config->trap_handler = kernel::HandleTrap;
  config->page_fault_handler = vos::ResolveUserPageFault;
}

bool IsCatalogProgram(std::string_view name) {
  for (const vos::Program& program : programs::Catalog()) {
    if (name == program.name) return true;
  }
  return false;
}

std::string CatalogProgramNames() {
  std::string names;
  for (const vos::Program& program : programs::Catalog()) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", program.name);
  }
  return names;
}

const char* ExitReasonName(vos::abi::ExitReason reason) {
  switch (reason) {
    case vos::abi::ExitReason::kExited: return "exited";
    case vos::abi::ExitReason::kKilled: return "killed";
    case vos::abi::ExitReason::kFaulted: return "faulted";
  }
  return "?";
}

std::string ProgramResultLine(size_t index, std::string_view name,
                              const vos::abi::ExitStatus& status) {
  return absl::StrFormat("program[%u] %s: %s, code %d", index, name,
                         ExitReasonName(status.reason), status.code);
}

namespace {

constexpr std::string_view kChannelsLine = "ipc channels: ";
constexpr std::string_view kEndpointsLine = "ipc endpoints: ";

// The line of `console` starting with `prefix`, without it.
std::string_view FindLine(std::string_view console, std::string_view prefix) {
  for (size_t at = 0; at < console.size();) {
    const size_t end = std::min(console.find('\n', at), console.size());
    const std::string_view line = console.substr(at, end - at);
    if (line.substr(0, prefix.size()) == prefix) return line.substr(prefix.size());
    at = end + 1;
  }
  return {};
}

}  // namespace

std::string IpcSummaryLines(const vos::IpcTotalsSnapshot& t) {
  return absl::StrFormat(
      "%schannels=%u sent=%u received=%u rate_limited=%u bytes=%u latency_p50_ns=%u "
      "latency_p90_ns=%u latency_p99_ns=%u latency_max_ns=%u\n"
      "%scalls=%u sends=%u round_trip_p50_ns=%u round_trip_p90_ns=%u round_trip_p99_ns=%u "
      "round_trip_max_ns=%u\n",
      std::string(kChannelsLine), t.channels, t.channel_sent, t.channel_received,
      t.channel_rate_limited, t.channel_bytes, t.channel_latency.p50_ns,
      t.channel_latency.p90_ns, t.channel_latency.p99_ns, t.channel_latency.max_ns,
      std::string(kEndpointsLine), t.calls, t.sends, t.call_latency.p50_ns,
      t.call_latency.p90_ns, t.call_latency.p99_ns, t.call_latency.max_ns);
}

std::string FindIpcSummary(std::string_view console) {
  const std::string_view channels = FindLine(console, kChannelsLine);
  const std::string_view endpoints = FindLine(console, kEndpointsLine);
  if (channels.empty() || endpoints.empty()) return "";
  std::string lines;
  for (std::string_view part : {kChannelsLine, channels, std::string_view("\n"), kEndpointsLine,
                                endpoints, std::string_view("\n")}) {
    lines.append(part);
  }
  return lines;
}

std::optional<uint64_t> FindIpcCounter(std::string_view console, std::string_view counter) {
  std::string_view line;
  std::string key;
  absl::string_view name(counter.data(), counter.size());
  if (name == "ipc_rate_limited") {
    line = FindLine(console, kChannelsLine);
    key = "rate_limited";
  } else if (absl::ConsumePrefix(&name, "ipc_channel_")) {
    line = FindLine(console, kChannelsLine);
    key = std::string(name);
  } else if (absl::ConsumePrefix(&name, "ipc_")) {
    line = FindLine(console, kEndpointsLine);
    key = std::string(name);
  }
  for (absl::string_view word : absl::StrSplit(absl::string_view(line.data(), line.size()), ' ',
                                               absl::SkipEmpty())) {
    uint64_t value = 0;
    if (absl::ConsumePrefix(&word, key) && absl::ConsumePrefix(&word, "=") &&
        absl::SimpleAtoi(word, &value)) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<vos::abi::ExitStatus> FindProgramResult(std::string_view console, size_t index,
                                                      std::string_view name) {
  const std::string prefix = absl::StrFormat("program[%u] %s: ", index, name);
  const size_t at = console.find(prefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view line = console.substr(at + prefix.size());
  line = line.substr(0, line.find('\n'));
  const absl::string_view rest(line.data(), line.size());
  for (vos::abi::ExitReason reason : {vos::abi::ExitReason::kExited,
                                      vos::abi::ExitReason::kKilled,
                                      vos::abi::ExitReason::kFaulted}) {
    absl::string_view text = rest;
    if (!absl::ConsumePrefix(&text, ExitReasonName(reason)) ||
        !absl::ConsumePrefix(&text, ", code ")) {
      continue;
    }
    vos::abi::ExitStatus status{0, reason, 0};
    if (absl::SimpleAtoi(text, &status.code)) return status;
  }
  return std::nullopt;
}

}  // namespace sim
