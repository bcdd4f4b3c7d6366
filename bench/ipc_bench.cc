// Synchronous IPC round trips on one simulated CPU against a host peer,
// measured in the same process:
//  - kernel: a client kernel thread Calls an endpoint with a 64-byte
//    message; the server answers with ReplyAndReceive. Both directions
//    take the fast path (a direct switch, no run queue), which the
//    benchmark checks through the endpoint's counters.
//  - host: two processes pinned to one CPU ping-pong 64 bytes through a
//    pair of pipes.
// Each iteration is one round trip on both sides. A second kernel benchmark
// sends 4 KiB out of line each way.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "src/ipc/endpoint.h"
#include "src/sched/scheduler.h"
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

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
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
  benchmark::Shutdown();
  return 0;
}
