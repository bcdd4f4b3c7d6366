// Synchronous IPC round trips on one simulated CPU against a host peer,
// measured in the same process:
//  - processes: a client process makes ipc_call_regs syscalls with a
//    64-byte message in its message registers; a server process answers
//    each with ipc_reply_wait_regs, so both directions take the endpoint's
//    fast path and neither touches user memory. The same with IpcMessage
//    buffers in user memory (ipc_call against ipc_reply_wait), 64 bytes and
//    4 KiB.
//  - kernel threads: the same through the kernel API (Call and
//    ReplyAndReceive), without syscalls and user-memory copies; the
//    benchmark checks through the endpoint's counters that every round
//    trip took the fast path.
//  - host: two processes pinned to one CPU ping-pong 64 bytes through a
//    pair of pipes.
// Each iteration is one round trip on both sides. The process benchmarks
// run inside a process machine (see process_bench.cc), after the others;
// the copying ones run again in one without the simulator's stale-TLB
// check, to show what that check costs them.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/ipc/endpoint.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"
#include "tests/support/scheduled_machine.h"

namespace {

constexpr size_t kSmall = 64;

testing_support::ScheduledMachine OneCpu() {
  return {.cpus = 1,
          .max_threads = 8,
          .time_slice = 1'000'000,
          .policy = sim::SchedulePolicy::kRoundRobin,
          .max_interleavings = 0};
}

void NoRelease(vos::KernelObject&) {}

benchmark::State* bench_state = nullptr;
vos::Endpoint* endpoint = nullptr;

// Echoes every request, its out-of-line bytes included.
void Server(void*) {
  static uint8_t bytes[vos::kMaxBulk];
  vos::BulkBuffer bulk{bytes};
  vos::Message request;
  vos::ReplyHandle handle;
  vos::Status status = endpoint->Receive(request, handle, vos::kNoDeadline, &bulk);
  while (status == vos::Status::kOk) {
    status = endpoint->ReplyAndReceive(handle, request, request, handle, vos::kNoDeadline,
                                       vos::Bulk{bytes, bulk.size}, &bulk);
  }
}

// A round trip of `bulk_size` out-of-line bytes each way (plus 64 inline).
void RunCallReply(benchmark::State& state, uint32_t bulk_size) {
  bench_state = &state;
  bool fast = false;
  static uint8_t request_bytes[vos::kMaxBulk];
  static uint8_t reply_bytes[vos::kMaxBulk];
  std::memset(request_bytes, 0xa5, sizeof(request_bytes));
  sim::RunResult result = testing_support::RunScheduled(OneCpu(), [&fast, bulk_size] {
    vos::Endpoint local(NoRelease);
    endpoint = &local;
    vos::Thread* server = testing_support::StartThread(Server, nullptr);
    vos::Scheduler::Yield();  // The server now waits in Receive.
    vos::Message request;
    request.length = kSmall;
    std::memset(request.payload.data(), 0x5a, kSmall);
    vos::Message reply;
    vos::BulkBuffer reply_bulk{reply_bytes};
    for (auto _ : *bench_state) {
      if (endpoint->Call(request, reply, vos::kNoDeadline, vos::Bulk{request_bytes, bulk_size},
                         &reply_bulk) != vos::Status::kOk ||
          reply_bulk.size != bulk_size) {
        bench_state->SkipWithError("call failed");
        break;
      }
    }
    const vos::EndpointStats stats = endpoint->stats();
    fast = stats.slow_calls == 0 && stats.slow_replies == 0 && stats.fast_calls > 0;
    endpoint->Close();
    (void)vos::Scheduler::Join(server->id());
  });
  if (result.outcome != sim::RunOutcome::kPoweredOff) state.SkipWithError("machine failed");
  if (!fast) state.SkipWithError("a round trip left the fast path");
}

void BM_KernelCallReplySmall(benchmark::State& state) { RunCallReply(state, 0); }
BENCHMARK(BM_KernelCallReplySmall)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_KernelCallReply4KiB(benchmark::State& state) { RunCallReply(state, vos::kMaxBulk); }
BENCHMARK(BM_KernelCallReply4KiB)->Repetitions(5)->ReportAggregatesOnly(true);

void PinToCpu0() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

// Host peer: the child echoes whatever it reads from one pipe into the
// other until the pipe closes.
void BM_HostPipePingPong(benchmark::State& state) {
  cpu_set_t saved;
  sched_getaffinity(0, sizeof(saved), &saved);
  PinToCpu0();
  int to_child[2];
  int to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  const pid_t child = fork();
  if (child == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    char buffer[kSmall];
    while (read(to_child[0], buffer, kSmall) == static_cast<ssize_t>(kSmall)) {
      if (write(to_parent[1], buffer, kSmall) != static_cast<ssize_t>(kSmall)) break;
    }
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  char buffer[kSmall];
  std::memset(buffer, 0x5a, kSmall);
  for (auto _ : state) {
    if (write(to_child[1], buffer, kSmall) != static_cast<ssize_t>(kSmall) ||
        read(to_parent[0], buffer, kSmall) != static_cast<ssize_t>(kSmall)) {
      state.SkipWithError("pipe round trip failed");
      break;
    }
  }
  close(to_child[1]);
  close(to_parent[0]);
  int status = 0;
  waitpid(child, &status, 0);
  sched_setaffinity(0, sizeof(saved), &saved);
}
BENCHMARK(BM_HostPipePingPong)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime();

// --- Between processes --------------------------------------------------------

namespace abi = vos::abi;
constexpr uint64_t kRequestAt = abi::kUserDataBase + abi::kMaxArgsSize;
constexpr uint64_t kReplyAt = kRequestAt + sizeof(abi::IpcMessage);

uint64_t ArgAt(vos::user::Args args, size_t index) {
  uint64_t value = 0;
  vos::user::Load(args.address + index * sizeof(value), &value, sizeof(value));
  return value;
}

// ipc_bench_server token: echoes every call (a request of length 0 ends it
// after its answer).
int64_t EchoServer(vos::user::Args args) {
  const uint64_t token = ArgAt(args, 0);
  if (vos::user::IpcReceive(token, kRequestAt) != 0) return 1;
  for (;;) {
    uint32_t length = 0;
    vos::user::Load(kRequestAt + 16, &length, sizeof(length));
    // The request becomes the answer in place: its reply_handle is the one
    // ipc_reply_wait needs.
    const uint64_t deadline = length == 0 ? vos::user::GetTime() + 1 : 0;
    const int64_t result = vos::user::IpcReplyWait(token, kRequestAt, kRequestAt, deadline);
    if (length == 0) return result == static_cast<int64_t>(vos::Status::kTimedOut) ? 0 : 2;
    if (result != 0) return 3;
  }
}

benchmark::State* process_state = nullptr;

// ipc_bench_client size token: the timing loop, one ipc_call per iteration.
int64_t TimedClient(vos::user::Args args) {
  const uint32_t size = static_cast<uint32_t>(ArgAt(args, 0));
  const uint64_t token = ArgAt(args, 1);
  abi::IpcMessage message{};
  message.length = size;
  std::memset(message.data, 0x3c, size);
  vos::user::Store(kRequestAt, &message, abi::kIpcHeaderSize + size);
  for (auto _ : *process_state) {
    if (vos::user::IpcCall(token, kRequestAt, kReplyAt) != 0) return 1;
  }
  message.length = 0;
  vos::user::Store(kRequestAt, &message, abi::kIpcHeaderSize);
  return vos::user::IpcCall(token, kRequestAt, kReplyAt) == 0 ? 0 : 2;
}

// ipc_bench_regs_server token: echoes every register call in place (a
// request of length 0 ends it after its answer).
int64_t RegisterEchoServer(vos::user::Args args) {
  const uint64_t token = ArgAt(args, 0);
  vos::user::RegisterIpcResult in = vos::user::IpcReplyWaitRegs(token, 0, 0);
  while (in.length > 0) {
    in = vos::user::IpcReplyWaitRegs(token, in.reply_handle, static_cast<uint64_t>(in.length));
  }
  if (in.length < 0 || in.reply_handle == 0) return 1;
  const int64_t last =
      vos::user::IpcReplyWaitRegs(token, in.reply_handle, 0, vos::user::GetTime() + 1).length;
  return last == static_cast<int64_t>(vos::Status::kTimedOut) ? 0 : 2;
}

// ipc_bench_regs_client size token: the timing loop, one ipc_call_regs per
// iteration, writing the request and reading the answer as a program would.
int64_t TimedRegisterClient(vos::user::Args args) {
  const uint32_t size = static_cast<uint32_t>(ArgAt(args, 0));
  const uint64_t token = ArgAt(args, 1);
  uint8_t request[abi::kMaxRegisterIpc];
  uint8_t reply[abi::kMaxRegisterIpc] = {};
  std::memset(request, 0x3c, sizeof(request));
  for (auto _ : *process_state) {
    vos::user::WriteMessageRegisters(request, size);
    if (vos::user::IpcCallRegs(token, size).length != size) return 1;
    vos::user::ReadMessageRegisters(reply, size);
  }
  if (std::memcmp(request, reply, size) != 0) return 3;
  return vos::user::IpcCallRegs(token, 0).length == 0 ? 0 : 2;
}

// The floor under a round trip between processes: what its two syscalls
// and two switches cost without any IPC.

// ipc_bench_null: one get_time per iteration, the cheapest syscall.
int64_t TimedNullSyscall(vos::user::Args) {
  for (auto _ : *process_state) benchmark::DoNotOptimize(vos::user::GetTime());
  return 0;
}

// Set by ipc_bench_yield_timer when its loop is done (host memory: the
// harness's own flag, as process_state is).
bool yield_partner_stop = false;

// ipc_bench_yield_partner: yields back until the timer is done.
int64_t YieldPartner(vos::user::Args) {
  while (!yield_partner_stop) {
    if (vos::user::Yield() != 0) return 1;
  }
  return 0;
}

// ipc_bench_yield_timer: one yield per iteration, so each iteration is two
// syscalls and two switches between processes (its and the partner's).
int64_t TimedYield(vos::user::Args) {
  for (auto _ : *process_state) {
    if (vos::user::Yield() != 0) return 1;
  }
  yield_partner_stop = true;
  return 0;
}

const std::array<vos::Program, 7>& BenchPrograms() {
  static const std::array<vos::Program, 7> programs = {{
      {"ipc_bench_server", vos::user::CodeAddress(vos::user::ProgramEntry<EchoServer>)},
      {"ipc_bench_client", vos::user::CodeAddress(vos::user::ProgramEntry<TimedClient>)},
      {"ipc_bench_regs_server",
       vos::user::CodeAddress(vos::user::ProgramEntry<RegisterEchoServer>)},
      {"ipc_bench_regs_client",
       vos::user::CodeAddress(vos::user::ProgramEntry<TimedRegisterClient>)},
      {"ipc_bench_null", vos::user::CodeAddress(vos::user::ProgramEntry<TimedNullSyscall>)},
      {"ipc_bench_yield_partner", vos::user::CodeAddress(vos::user::ProgramEntry<YieldPartner>)},
      {"ipc_bench_yield_timer", vos::user::CodeAddress(vos::user::ProgramEntry<TimedYield>)},
  }};
  return programs;
}

// Spawns program `name` as a child of init with `args`, granted copies of
// init's `grants`.
vos::Result<vos::ProcessId> SpawnProgram(const char* name, std::initializer_list<uint64_t> args,
                                         std::initializer_list<vos::Token> grants = {}) {
  const std::vector<uint64_t> values(args);
  return vos::ProcessManager::Spawn(vos::ProcessManager::InitProcess(), name, std::strlen(name),
                                    values.data(), values.size() * sizeof(uint64_t), nullptr,
                                    std::span<const vos::Token>(grants.begin(), grants.size()));
}

bool ExitedCleanly(vos::ProcessId process) {
  abi::ExitStatus status{};
  return vos::ProcessManager::Wait(vos::ProcessManager::InitProcess(), process, &status, false)
             .ok() &&
         status.reason == abi::ExitReason::kExited && status.code == 0;
}

// One round trip per iteration between a client and a server process
// (ipc_bench_<kind>server and ipc_bench_<kind>client).
void RunProcessCallReply(benchmark::State& state, uint32_t size, bool registers) {
  process_state = &state;
  vos::CapabilitySpace& init = vos::ProcessManager::InitProcess()->capabilities();
  vos::Result<vos::ObjectRef<vos::Endpoint>> endpoint = vos::Endpoint::Create();
  if (!endpoint.ok()) return state.SkipWithError("no endpoint");
  vos::Result<vos::Token> token =
      init.Insert(**endpoint, static_cast<vos::Rights>(abi::kEndpointRights));
  if (!token.ok()) return state.SkipWithError("no capability");
  vos::Result<vos::ProcessId> server =
      SpawnProgram(registers ? "ipc_bench_regs_server" : "ipc_bench_server", {}, {*token});
  vos::Result<vos::ProcessId> client =
      SpawnProgram(registers ? "ipc_bench_regs_client" : "ipc_bench_client", {size}, {*token});
  (void)init.Delete(*token);
  if (!server.ok() || !client.ok()) return state.SkipWithError("spawn failed");
  const bool ok = ExitedCleanly(*client) & ExitedCleanly(*server);
  const vos::EndpointStats stats = (*endpoint)->stats();
  if (!ok) state.SkipWithError("a program failed");
  // The first call may find the server not yet waiting.
  if (stats.slow_calls > 1 || stats.slow_replies > 0) {
    state.SkipWithError("a round trip left the fast path");
  }
}

void BM_ProcessCallReplySmall(benchmark::State& state) {
  RunProcessCallReply(state, kSmall, true);
}
BENCHMARK(BM_ProcessCallReplySmall)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_ProcessCallReplySmallBuffer(benchmark::State& state) {
  RunProcessCallReply(state, kSmall, false);
}
BENCHMARK(BM_ProcessCallReplySmallBuffer)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_ProcessCallReply4KiB(benchmark::State& state) {
  RunProcessCallReply(state, abi::kMaxIpcData, false);
}
BENCHMARK(BM_ProcessCallReply4KiB)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_ProcessNullSyscall(benchmark::State& state) {
  process_state = &state;
  vos::Result<vos::ProcessId> timer = SpawnProgram("ipc_bench_null", {});
  if (!timer.ok()) return state.SkipWithError("spawn failed");
  if (!ExitedCleanly(*timer)) state.SkipWithError("the program failed");
}
BENCHMARK(BM_ProcessNullSyscall)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_ProcessYieldPingPong(benchmark::State& state) {
  process_state = &state;
  yield_partner_stop = false;
  vos::Result<vos::ProcessId> partner = SpawnProgram("ipc_bench_yield_partner", {});
  vos::Result<vos::ProcessId> timer = SpawnProgram("ipc_bench_yield_timer", {});
  if (!partner.ok() || !timer.ok()) return state.SkipWithError("spawn failed");
  if (!(ExitedCleanly(*timer) & ExitedCleanly(*partner))) {
    state.SkipWithError("a program failed");
  }
}
BENCHMARK(BM_ProcessYieldPingPong)->Repetitions(5)->ReportAggregatesOnly(true);

// Runs the process benchmarks matching `spec` in a one-CPU process machine
// and prints their medians against the targets; false if the run failed.
bool RunProcessBenchmarks(const std::string& spec, double pipe, bool check_stale_tlb) {
  testing_support::ProcessMachine machine;
  machine.scheduled.cpus = 1;
  machine.scheduled.time_slice = 1'000'000;
  machine.scheduled.policy = sim::SchedulePolicy::kRoundRobin;
  machine.scheduled.max_interleavings = 0;
  machine.scheduled.configure = [check_stale_tlb](sim::MachineConfig& config) {
    config.check_stale_tlb = check_stale_tlb;
  };
  machine.programs = BenchPrograms();
  const char* suffix = check_stale_tlb ? "" : ", stale-TLB check off";
  return testing_support::RunProcesses(machine, [&spec, pipe, suffix] {
           bench::RatioReporter processes;
           benchmark::RunSpecifiedBenchmarks(&processes, spec);
           const double small = processes.Median("BM_ProcessCallReplySmall");
           const double buffer = processes.Median("BM_ProcessCallReplySmallBuffer");
           const double large = processes.Median("BM_ProcessCallReply4KiB");
           if (small > 0) {
             std::printf("process call+reply, 64 bytes in message registers, fast path%s: "
                         "median %.1f ns (target <= 160 ns)\n",
                         suffix, small);
           }
           if (buffer > 0) {
             std::printf("process call+reply, 64 bytes in IpcMessage buffers%s: "
                         "median %.1f ns\n",
                         suffix, buffer);
           }
           if (large > 0) {
             std::printf("process call+reply, 4 KiB each way%s: median %.1f ns "
                         "(target <= 640 ns)\n",
                         suffix, large);
           }
           const double null_syscall = processes.Median("BM_ProcessNullSyscall");
           const double yield = processes.Median("BM_ProcessYieldPingPong");
           if (null_syscall > 0) {
             std::printf("process null syscall (get_time)%s: median %.1f ns\n", suffix,
                         null_syscall);
           }
           if (yield > 0) {
             std::printf("process yield ping-pong, two syscalls and two switches (the floor "
                         "under a process round trip)%s: median %.1f ns\n",
                         suffix, yield);
           }
           if (small > 0 && pipe > 0) {
             std::printf("host pipe ping-pong vs process call+reply: median %.1f ns vs "
                         "%.1f ns, ratio %.2fx (target >= 30x)\n",
                         pipe, small, pipe / small);
           }
         })
      .child_ok;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  // A --benchmark_filter starting with BM_Process runs only those (in the
  // process machine); any other narrows the first phase (to profile one).
  const std::string filter = benchmark::GetBenchmarkFilter();
  const bool all = filter.empty() || filter == "." || filter == "all";
  const bool processes_only = filter.rfind("BM_Process", 0) == 0;
  bench::RatioReporter reporter;
  if (!processes_only) {
    benchmark::RunSpecifiedBenchmarks(&reporter, all ? "BM_Kernel|BM_Host" : filter);
  }
  const double kernel = reporter.Median("BM_KernelCallReplySmall");
  if (kernel > 0) {
    std::printf("kernel-thread call+reply, 64 bytes, fast path: median %.1f ns "
                "(target <= 160 ns, set for processes)\n",
                kernel);
  }
  const double large = reporter.Median("BM_KernelCallReply4KiB");
  if (large > 0) {
    std::printf("kernel-thread call+reply, 4 KiB each way, fast path: median %.1f ns "
                "(target <= 640 ns, set for processes)\n",
                large);
  }
  reporter.PrintRatio("host pipe ping-pong vs kernel-thread call+reply", "BM_HostPipePingPong",
                      "BM_KernelCallReplySmall", "target >= 30x");
  // Processes, in machines of their own (each run in a forked child).
  const double pipe = reporter.Median("BM_HostPipePingPong");
  bool ok = RunProcessBenchmarks(processes_only ? filter : "BM_Process", pipe, true);
  if (!processes_only) {
    // What the simulator's stale-TLB oracle (a second page walk per TLB hit,
    // see sim::MachineConfig::check_stale_tlb) adds to the copying paths.
    ok &= RunProcessBenchmarks("BM_ProcessCallReply(SmallBuffer|4KiB)", pipe, false);
  }
  benchmark::Shutdown();
  return ok ? 0 : 1;
}
