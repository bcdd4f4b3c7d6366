// TLB shootdown in the simulator: host time per shootdown of one page, and
// per target CPU, for 1, 4, 16 and 64 target CPUs (the machine has one more:
// the initiator). The targets halt with interrupts enabled and wake on the
// IPI, as idle CPUs running the address space would. Per-target time must
// not grow with the number of targets (total time at most linear).
#include <memory>

#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/lib/cpu_mask.h"
#include "src/mm/tlb_shootdown.h"

namespace {

// Fresh per machine (clearing them needs the HAL: atomics interleave).
std::unique_ptr<vos::AtomicCpuMask> targets;
std::unique_ptr<vos::AtomicCpuMask> ready;

void Target(hal::CpuId cpu) {
  hal::InterruptsEnable();
  ready->Set(cpu);
  for (;;) hal::WaitForInterrupt();
}

void ServeIpis(hal::Trap& trap) {
  if (trap.kind == hal::TrapKind::kIpi) vos::ServeTlbShootdowns();
}

void BM_TlbShootdown(benchmark::State& state) {
  const auto target_count = static_cast<uint32_t>(state.range(0));
  targets = std::make_unique<vos::AtomicCpuMask>();
  ready = std::make_unique<vos::AtomicCpuMask>();
  sim::MachineConfig config = bench::BenchMachine(target_count + 1, 4 << 20);
  config.cpu_stack_size = 64 * 1024;
  config.trap_handler = ServeIpis;
  const sim::RunResult result = bench::RunInSim(state, config, [&] {
    const uint32_t cpus = hal::CpuCount();
    for (hal::CpuId cpu = 1; cpu < cpus; ++cpu) {
      targets->Set(cpu);
      hal::StartCpu(cpu, Target);
    }
    while (ready->Snapshot().Count() != cpus - 1) hal::CpuRelax();
    vos::TlbInvalidation page;
    page.asid = 1;
    page.start = 0x400000;
    page.pages = 1;
    for (auto _ : state) vos::ShootdownTlb(*targets, page);
  });
  state.counters["interleavings"] = benchmark::Counter(
      static_cast<double>(result.interleavings), benchmark::Counter::kAvgIterations);
  // Seconds per (iteration x target), shown in ns.
  state.counters["per_target"] = benchmark::Counter(
      target_count, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TlbShootdown)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Repetitions(3)->ReportAggregatesOnly(
    true);

}  // namespace

int main(int argc, char** argv) {
  // Growth of the whole shootdown with the number of targets: linear (or
  // better) when the ratio is at most the ratio of target counts.
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    reporter.PrintRatio("shootdown, 4 targets vs 1", "BM_TlbShootdown/4", "BM_TlbShootdown/1",
                        "at most linear: <= 4x");
    reporter.PrintRatio("shootdown, 16 targets vs 1", "BM_TlbShootdown/16", "BM_TlbShootdown/1",
                        "at most linear: <= 16x");
    reporter.PrintRatio("shootdown, 64 targets vs 1", "BM_TlbShootdown/64", "BM_TlbShootdown/1",
                        "at most linear: <= 64x");
  });
}
