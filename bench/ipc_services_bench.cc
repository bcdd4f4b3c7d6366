// The kernel IPC services of task D against host peers, measured in the
// same process, as kernel code on a 1-CPU simulated machine:
//  - registry lookup (Registry::Lookup: lock, probe, take a reference, drop
//    it) with 1 .. 256 names registered; the seed's target is O(1), so the
//    256-name median should match the 1-name one. Host peer: a
//    std::unordered_map<std::string, std::shared_ptr> under a std::mutex,
//    copying the shared_ptr (a reference taken and dropped), the same work.
//  - an AsyncChannel send + receive pair with no rate limit and with a limit
//    that never rejects (what the token bucket and its lock cost a sender),
//    both with statistics on (they always are). Host peer: a std::deque
//    under a std::mutex, push + pop.
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
#include "src/ipc/channel.h"
#include "src/ipc/registry.h"

namespace {

constexpr int64_t kSizes[] = {1, 16, 128, 256};

struct BenchObject : vos::KernelObject {
  BenchObject() : vos::KernelObject(vos::ObjectType::kEndpoint, [](vos::KernelObject&) {}) {}
};

std::vector<std::string> Names(int64_t count) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < count; ++i) names.push_back("service/" + std::to_string(i));
  return names;
}

void BM_KernelRegistryLookup(benchmark::State& state) {
  const std::vector<std::string> names = Names(state.range(0));
  bench::RunInSim(state, bench::BenchMachine(1), [&] {
    // 48 KiB: not on the fiber's stack. Made and destroyed inside the
    // machine, since its lock is the HAL's.
    auto owned = std::make_unique<vos::Registry>();
    vos::Registry& registry = *owned;
    BenchObject object;
    for (const std::string& name : names) {
      if (registry.RegisterObject(object, {name.data(), name.size()}, vos::Rights::kRead, 1) !=
          vos::Status::kOk) {
        state.SkipWithError("register failed");
        return;
      }
    }
    size_t i = 0;
    for (auto _ : state) {
      const std::string& name = names[i];
      vos::Result<vos::Registry::Service> service = registry.Lookup({name.data(), name.size()});
      if (!service.ok()) {
        state.SkipWithError("lookup failed");
        break;
      }
      benchmark::DoNotOptimize(service->object.get());
      if (++i == names.size()) i = 0;
    }
    registry.UnregisterOwner(1);
  });
}

void BM_HostRegistryLookup(benchmark::State& state) {
  const std::vector<std::string> names = Names(state.range(0));
  std::mutex lock;
  std::unordered_map<std::string, std::shared_ptr<int>> table;
  for (const std::string& name : names) table.emplace(name, std::make_shared<int>(0));
  size_t i = 0;
  for (auto _ : state) {
    std::shared_ptr<int> found;
    {
      std::lock_guard<std::mutex> guard(lock);
      auto it = table.find(names[i]);
      if (it != table.end()) found = it->second;
    }
    benchmark::DoNotOptimize(found.get());
    if (++i == names.size()) i = 0;
  }
}

void ChannelPair(benchmark::State& state, bool limited) {
  bench::RunInSim(state, bench::BenchMachine(1), [&] {
    auto owned = std::make_unique<vos::AsyncChannel<vos::kChannelCapacity>>();
    vos::AsyncChannel<vos::kChannelCapacity>& channel = *owned;
    // Never rejects: a billion tokens a second, the largest burst.
    const vos::RateLimit limit = {.tokens_per_second = vos::RateLimit::kMaxTokensPerSecond,
                                  .burst = vos::RateLimit::kMaxBurst};
    if (limited && channel.SetRateLimit(limit) != vos::Status::kOk) {
      state.SkipWithError("limit");
      return;
    }
    vos::Message message;
    message.sender = 7;
    message.length = 64;
    vos::Message out;
    for (auto _ : state) {
      if (channel.TrySend(message) != vos::Status::kOk ||
          channel.TryReceive(out) != vos::Status::kOk) {
        state.SkipWithError("send or receive failed");
        break;
      }
      benchmark::DoNotOptimize(out.length);
    }
  });
}

void BM_KernelChannelPair(benchmark::State& state) { ChannelPair(state, false); }
void BM_KernelChannelPairLimited(benchmark::State& state) { ChannelPair(state, true); }

void BM_HostMutexQueuePair(benchmark::State& state) {
  std::mutex lock;
  std::deque<vos::Message> queue;
  vos::Message message;
  message.sender = 7;
  message.length = 64;
  for (auto _ : state) {
    {
      std::lock_guard<std::mutex> guard(lock);
      queue.push_back(message);
    }
    vos::Message out;
    {
      std::lock_guard<std::mutex> guard(lock);
      out = queue.front();
      queue.pop_front();
    }
    benchmark::DoNotOptimize(out.length);
  }
}

void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int64_t size : kSizes) benchmark->Arg(size);
  benchmark->Repetitions(5)->ReportAggregatesOnly(true);
}

void Repeated(benchmark::internal::Benchmark* benchmark) {
  benchmark->Repetitions(5)->ReportAggregatesOnly(true);
}

BENCHMARK(BM_KernelRegistryLookup)->Apply(Sizes);
BENCHMARK(BM_HostRegistryLookup)->Apply(Sizes);
BENCHMARK(BM_KernelChannelPair)->Apply(Repeated);
BENCHMARK(BM_KernelChannelPairLimited)->Apply(Repeated);
BENCHMARK(BM_HostMutexQueuePair)->Apply(Repeated);

void PrintRatios(const bench::RatioReporter& reporter) {
  for (int64_t size : kSizes) {
    const std::string n = std::to_string(size);
    reporter.PrintRatio("registry lookup (" + n + " names) vs mutex + unordered_map + shared_ptr",
                        "BM_KernelRegistryLookup/" + n, "BM_HostRegistryLookup/" + n,
                        "informational");
  }
  reporter.PrintRatio("registry lookup 256 vs 1 names", "BM_KernelRegistryLookup/256",
                      "BM_KernelRegistryLookup/1", "target: O(1), ~1.0x");
  reporter.PrintRatio("channel send+receive vs mutex + deque push+pop", "BM_KernelChannelPair",
                      "BM_HostMutexQueuePair", "informational");
  reporter.PrintRatio("channel send+receive with a rate limit vs without",
                      "BM_KernelChannelPairLimited", "BM_KernelChannelPair",
                      "informational: the limiter's cost");
}

}  // namespace

int main(int argc, char** argv) { return bench::Main(argc, argv, PrintRatios); }
