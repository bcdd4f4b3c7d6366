// What the benchmarks of kernel code share: a machine to run the timing loop
// on as kernel code, and a main() that prints the kernel-vs-host ratios.
#ifndef VERIDIAN_BENCH_SIM_BENCH_H_
#define VERIDIAN_BENCH_SIM_BENCH_H_

#include <cstdint>
#include <functional>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "sim/machine.h"

namespace bench {

// `cpus` CPUs with `ram_per_node` bytes of RAM, no interleaving limit, no
// console echo.
sim::MachineConfig BenchMachine(uint32_t cpus = 1, uint64_t ram_per_node = 64 << 20);

// Runs `body` (which runs the timing loop) as kernel code on CPU 0 of a
// machine built from `config`; marks the benchmark failed when the machine
// cannot be made or does not power off with exit code 0.
sim::RunResult RunInSim(benchmark::State& state, const sim::MachineConfig& config,
                        const std::function<void()>& body);

// A benchmark binary's main(): runs the benchmarks with a RatioReporter,
// then print_ratios(reporter).
int Main(int argc, char** argv, const std::function<void(const RatioReporter&)>& print_ratios);

}  // namespace bench

#endif  // VERIDIAN_BENCH_SIM_BENCH_H_
