// TLB shootdown in the simulator: host time per shootdown of one page, and
// per target CPU, for 1, 4, 16 and 64 target CPUs (the machine has one more:
// the initiator). The targets halt with interrupts enabled and wake on the
// IPI, as idle CPUs running the address space would. Per-target time must
// not grow with the number of targets (total time at most linear).
#include <memory>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "sim/machine.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/power.h"
#include "src/lib/cpu_mask.h"
#include "src/mm/tlb_shootdown.h"

namespace {

benchmark::State* bench_state = nullptr;
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

void Initiator(const hal::BootInfo&) {
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
  for (auto _ : *bench_state) vos::ShootdownTlb(*targets, page);
  hal::PowerOff(0);
}

void BM_TlbShootdown(benchmark::State& state) {
  const auto target_count = static_cast<uint32_t>(state.range(0));
  targets = std::make_unique<vos::AtomicCpuMask>();
  ready = std::make_unique<vos::AtomicCpuMask>();
  sim::MachineConfig config;
  config.cpus = target_count + 1;
  config.ram_per_node = 4 << 20;
  config.cpu_stack_size = 64 * 1024;
  config.max_interleavings = 0;
  config.boot_entry = Initiator;
  config.trap_handler = ServeIpis;
  config.echo_console = false;
  auto machine = sim::Machine::Create(config);
  if (!machine.ok()) {
    state.SkipWithError("cannot create the machine");
    return;
  }
  bench_state = &state;
  sim::RunResult result = (*machine)->Run();
  if (result.outcome != sim::RunOutcome::kPoweredOff) state.SkipWithError(result.failure.c_str());
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
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  // Growth of the whole shootdown with the number of targets: linear (or
  // better) when the ratio is at most the ratio of target counts.
  reporter.PrintRatio("shootdown, 4 targets vs 1", "BM_TlbShootdown/4", "BM_TlbShootdown/1",
                      "at most linear: <= 4x");
  reporter.PrintRatio("shootdown, 16 targets vs 1", "BM_TlbShootdown/16", "BM_TlbShootdown/1",
                      "at most linear: <= 16x");
  reporter.PrintRatio("shootdown, 64 targets vs 1", "BM_TlbShootdown/64", "BM_TlbShootdown/1",
                      "at most linear: <= 64x");
  benchmark::Shutdown();
  return 0;
}
