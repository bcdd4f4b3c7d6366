// Boots a scheduled kernel workload (sim/scheduled_workload.h) once per
// benchmark iteration and reports host time per simulated event or per
// message as the iteration's manual time, so the RatioReporter's medians
// are costs per event and per message. Events are counted two ways:
// interleaving points (each one a step of a simulated CPU and a pick of the
// CPU to run next: the simulator's unit of work) and trace events (CPU
// switches, traps, context switches ...: few on one CPU, which never
// switches CPUs).
#ifndef VERIDIAN_BENCH_SIM_WORKLOAD_H_
#define VERIDIAN_BENCH_SIM_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "benchmark/benchmark.h"
#include "sim/machine.h"

namespace bench {

enum class PerUnit { kInterleaving, kTraceEvent, kMessage };

// Runs the ipc_channels workload on `cpus` CPUs with `messages_per_sender`
// (seed 1, random policy) once per iteration; each iteration's time is its
// host time divided by `unit`. Sets counters per run and per host second of
// interleavings and trace events, and messages per host second; marks the
// benchmark failed if a run does not pass. Returns the last run's result.
sim::RunResult RunIpcChannels(benchmark::State& state, uint32_t cpus,
                              uint32_t messages_per_sender, PerUnit unit);

}  // namespace bench

#endif  // VERIDIAN_BENCH_SIM_WORKLOAD_H_
