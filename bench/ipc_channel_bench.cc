// Async channel throughput (issue 5): the ipc_channels kernel workload
// (src/workloads/ipc_channels.h: a sender and a receiver kernel thread per
// CPU, 8-slot channels, fan-in 4) on 2, 8 and 64 simulated CPUs, in
// messages per host second, against a host peer measured in the same
// process: a bounded queue of the same capacity under a std::mutex and two
// std::condition_variables between one producer and one consumer host
// thread. Each benchmark's time is host ns per message.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "bench/ratio_reporter.h"
#include "bench/sim_bench.h"
#include "bench/sim_workload.h"
#include "benchmark/benchmark.h"

namespace {

constexpr uint32_t kTotalMessages = 4096;
constexpr int kCpuCounts[] = {2, 8, 64};
constexpr size_t kQueueCapacity = 8;

void BM_AsyncChannelPerMessage(benchmark::State& state) {
  const uint32_t cpus = static_cast<uint32_t>(state.range(0));
  bench::RunIpcChannels(state, cpus, kTotalMessages / cpus, bench::PerUnit::kMessage);
}
BENCHMARK(BM_AsyncChannelPerMessage)
    ->Apply([](benchmark::internal::Benchmark* b) {
      for (int cpus : kCpuCounts) b->Arg(cpus);
    })
    ->UseManualTime()
    ->Iterations(3)  // Manual time is per unit: min_time would ask for millions of runs.
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

class HostQueue {
 public:
  void Push(uint64_t value) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [this] { return items_.size() < kQueueCapacity; });
    items_.push_back(value);
    not_empty_.notify_one();
  }
  uint64_t Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [this] { return !items_.empty(); });
    const uint64_t value = items_.front();
    items_.pop_front();
    not_full_.notify_one();
    return value;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<uint64_t> items_;
};

void BM_HostMutexQueuePerMessage(benchmark::State& state) {
  uint64_t checksum = 0;
  double seconds = 0;
  for (auto _ : state) {
    HostQueue queue;
    const auto start = std::chrono::steady_clock::now();
    std::thread producer([&queue] {
      for (uint64_t i = 0; i < kTotalMessages; ++i) queue.Push(i);
    });
    for (uint64_t i = 0; i < kTotalMessages; ++i) checksum += queue.Pop();
    producer.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += elapsed;
    state.SetIterationTime(elapsed / kTotalMessages);
  }
  benchmark::DoNotOptimize(checksum);
  if (seconds > 0) {
    state.counters["messages_per_s"] =
        static_cast<double>(kTotalMessages) * static_cast<double>(state.iterations()) / seconds;
  }
}
BENCHMARK(BM_HostMutexQueuePerMessage)
    ->UseManualTime()
    ->Iterations(5)  // Manual time is per message.
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    const double host = reporter.Median("BM_HostMutexQueuePerMessage");
    std::printf("async channel throughput (median, messages per host second):\n");
    for (int cpus : kCpuCounts) {
      const double ns = reporter.Median("BM_AsyncChannelPerMessage/" + std::to_string(cpus));
      if (ns > 0) std::printf("  %2d simulated cpus: %.2fM msg/s\n", cpus, 1e3 / ns);
    }
    if (host > 0) std::printf("  host mutex+condvar queue, 2 threads: %.2fM msg/s\n", 1e3 / host);
    for (int cpus : kCpuCounts) {
      const std::string name = "BM_AsyncChannelPerMessage/" + std::to_string(cpus);
      reporter.PrintRatio(
          "host ns per message, " + std::to_string(cpus) + " simulated cpus vs the host queue",
          name, "BM_HostMutexQueuePerMessage", "reference, no target");
    }
  });
}
