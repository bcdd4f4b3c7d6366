// Capability validation (CapabilitySpace::Check: decode the token, index the
// table, one load, one masked compare of generation, type and rights) in
// spaces of 10 .. 1,000,000 capabilities, run as kernel code on a 1-CPU
// simulated machine. Target (issue 5): <= 5 ns, constant across sizes.
//
// Host peer: absl::flat_hash_map from the same 64-bit tokens to {type,
// rights}, with the same type and rights test. A hash table keyed by handle
// value is the usual way to resolve opaque handles (and the best general
// host lookup on the same key set), so the ratio says what putting the slot
// index in the token buys over hashing it.
//
// Two access patterns per size: "hot" cycles through 16 tokens spread over
// the whole space (a process using a few capabilities, the syscall case:
// the O(1) claim is that the space's size does not matter); "random" walks
// all tokens in a shuffled order (informational: at 1M it measures cache
// and TLB misses, for both tables).
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
#include "src/cap/capability_space.h"
#include "tests/mm/sim_page_source.h"

namespace {

using vos::ObjectType;
using vos::Rights;
using vos::Token;

constexpr size_t kHotTokens = 16;
constexpr int64_t kSizes[] = {10, 100, 1000, 10000, 100000, 1000000};

struct BenchObject : vos::KernelObject {
  BenchObject() : vos::KernelObject(ObjectType::kEndpoint, [](vos::KernelObject&) {}) {}
};

// The tokens the loop looks up: `hot` (kHotTokens spread evenly) or all of
// them shuffled.
std::vector<Token> Pattern(const std::vector<Token>& all, bool hot) {
  std::vector<Token> pattern;
  if (hot) {
    for (size_t i = 0; i < kHotTokens; ++i) pattern.push_back(all[i * all.size() / kHotTokens]);
  } else {
    pattern = all;
    std::shuffle(pattern.begin(), pattern.end(), std::mt19937_64(7));
  }
  return pattern;
}

template <typename Lookup>
void Loop(benchmark::State& state, const std::vector<Token>& pattern, Lookup lookup) {
  size_t i = 0;
  const size_t size = pattern.size();
  int64_t failures = 0;
  for (auto _ : state) {
    const bool ok = lookup(pattern[i]);
    benchmark::DoNotOptimize(ok);
    failures += !ok;
    if (++i == size) i = 0;
  }
  if (failures != 0) state.SkipWithError("a valid token was rejected");
}

// Fills a space with `count` capabilities as kernel code on a fresh 1-CPU
// machine, then runs the timing loop there.
void KernelCheck(benchmark::State& state, bool hot) {
  const uint32_t count = static_cast<uint32_t>(state.range(0));
  bench::RunInSim(state, bench::BenchMachine(1, 256ull << 20), [&] {
    testing_support::SimPageSource source(/*poison=*/false);
    BenchObject object;
    vos::CapabilitySpace space;
    space.Init(source, {.max_slots = count});
    std::vector<Token> tokens;
    tokens.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      vos::Result<Token> token = space.Insert(object, Rights::kRead | Rights::kWrite);
      if (!token.ok()) {
        state.SkipWithError("cannot fill the capability space");
        return;
      }
      tokens.push_back(*token);
    }
    Loop(state, Pattern(tokens, hot), [&](Token token) {
      return space.Check(token, ObjectType::kEndpoint, Rights::kRead) == vos::Status::kOk;
    });
  });
}

struct HostEntry {
  ObjectType type;
  Rights rights;
};

void HostHashLookup(benchmark::State& state, bool hot) {
  const size_t count = static_cast<size_t>(state.range(0));
  absl::flat_hash_map<uint64_t, HostEntry> table;
  std::vector<Token> tokens;
  std::mt19937_64 random(1);
  for (size_t i = 0; i < count; ++i) {
    Token token{random()};  // Opaque 64-bit values, as tokens look.
    if (!table.try_emplace(static_cast<uint64_t>(token), HostEntry{ObjectType::kEndpoint,
                                                                   Rights::kRead | Rights::kWrite})
             .second) {
      --i;
      continue;
    }
    tokens.push_back(token);
  }
  Loop(state, Pattern(tokens, hot), [&](Token token) {
    auto it = table.find(static_cast<uint64_t>(token));
    return it != table.end() && it->second.type == ObjectType::kEndpoint &&
           vos::HasRights(it->second.rights, Rights::kRead);
  });
}

void BM_KernelCheckHot(benchmark::State& state) { KernelCheck(state, /*hot=*/true); }
void BM_KernelCheckRandom(benchmark::State& state) { KernelCheck(state, /*hot=*/false); }
void BM_HostHashHot(benchmark::State& state) { HostHashLookup(state, /*hot=*/true); }
void BM_HostHashRandom(benchmark::State& state) { HostHashLookup(state, /*hot=*/false); }

void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int64_t size : kSizes) benchmark->Arg(size);
  benchmark->Repetitions(5)->ReportAggregatesOnly(true);
}

BENCHMARK(BM_KernelCheckHot)->Apply(Sizes);
BENCHMARK(BM_HostHashHot)->Apply(Sizes);
BENCHMARK(BM_KernelCheckRandom)->Apply(Sizes);
BENCHMARK(BM_HostHashRandom)->Apply(Sizes);

void PrintRatios(const bench::RatioReporter& reporter) {
  const std::string smallest = std::to_string(kSizes[0]);
  const std::string largest = std::to_string(kSizes[std::size(kSizes) - 1]);
  for (const std::string pattern : {"Hot", "Random"}) {
    const bool hot = pattern == "Hot";
    const std::string kernel = "BM_KernelCheck" + pattern + "/";
    const std::string host = "BM_HostHash" + pattern + "/";
    for (int64_t size : kSizes) {
      const std::string n = std::to_string(size);
      reporter.PrintRatio("capability check (" + pattern + ", " + n +
                              " capabilities) vs absl::flat_hash_map lookup",
                          kernel + n, host + n,
                          hot ? "target: kernel <= 5 ns at every size" : "informational");
    }
    reporter.PrintRatio("capability check (" + pattern + ") " + largest + " vs " + smallest +
                            " capabilities",
                        kernel + largest, kernel + smallest,
                        hot ? "target: constant, ~1.0x" : "informational (cache misses)");
    reporter.PrintRatio("flat_hash_map (" + pattern + ") " + largest + " vs " + smallest + " keys",
                        host + largest, host + smallest, "informational");
  }
}

}  // namespace

int main(int argc, char** argv) { return bench::Main(argc, argv, PrintRatios); }
