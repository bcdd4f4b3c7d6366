// Map + unmap of one 4 KiB page in a page table whose intermediate tables
// already exist (a neighbouring page keeps them), run as kernel code on a
// 1-CPU simulated machine, in each format; against the host kernel's
// mmap(MAP_POPULATE) + munmap of one page, measured in the same process.
#include <sys/mman.h>

#include <string>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "sim/machine.h"
#include "src/hal/power.h"
#include "src/mm/page_table.h"
#include "tests/mm/table_pool.h"

namespace {

constexpr size_t kPage = 4096;
constexpr hal::VirtAddr kVa = 0x7f12'3456'7000;  // Some user address.
constexpr hal::PhysAddr kPa = 0x4000'0000;

void BM_HostMmapMunmap(benchmark::State& state) {
  for (auto _ : state) {
    void* page = mmap(nullptr, kPage, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (page == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      break;
    }
    benchmark::DoNotOptimize(page);
    munmap(page, kPage);
  }
}
BENCHMARK(BM_HostMmapMunmap)->Repetitions(5)->ReportAggregatesOnly(true);

benchmark::State* sim_state = nullptr;
hal::PageTableFormat sim_format = hal::PageTableFormat::kX86_64;
bool sim_failed = false;

void MapUnmapBoot(const hal::BootInfo&) {
  testing_support::TablePool pool(64);
  const vos::VaRange range = sim_format == hal::PageTableFormat::kAarch64
                                 ? vos::VaRange::kLower
                                 : vos::VaRange::kAll;
  vos::Result<vos::PageTable> table = vos::PageTable::Create(sim_format, pool, range);
  const vos::Perm perms = vos::Perm::kRead | vos::Perm::kWrite | vos::Perm::kUser;
  // Sv39 reaches 256 GiB per half: keep the address inside every format.
  const hal::VirtAddr va = kVa & ((1ull << 37) - 1);
  if (!table.ok() || table->Map(va + kPage, kPa + kPage, vos::PageSize::k4K, perms) !=
                         vos::Status::kOk) {
    sim_failed = true;
    hal::PowerOff(1);
  }
  for (auto _ : *sim_state) {
    if (table->Map(va, kPa, vos::PageSize::k4K, perms) != vos::Status::kOk) sim_failed = true;
    vos::Result<vos::Unmapped> gone = table->Unmap(va);
    if (!gone.ok() || gone->tables_freed != 0) sim_failed = true;
    benchmark::DoNotOptimize(gone);
  }
  hal::PowerOff(0);
}

void IgnoreTraps(hal::Trap&) {}

void BM_PageTableMapUnmap(benchmark::State& state, hal::PageTableFormat format) {
  sim::MachineConfig config;
  config.cpus = 1;
  config.ram_per_node = 4 << 20;
  config.page_table_format = format;
  config.max_interleavings = 0;
  config.boot_entry = MapUnmapBoot;
  config.trap_handler = IgnoreTraps;
  config.echo_console = false;
  auto machine = sim::Machine::Create(config);
  if (!machine.ok()) {
    state.SkipWithError("cannot create the machine");
    return;
  }
  sim_state = &state;
  sim_format = format;
  sim_failed = false;
  sim::RunResult result = (*machine)->Run();
  if (result.outcome != sim::RunOutcome::kPoweredOff || result.exit_code != 0 || sim_failed) {
    state.SkipWithError("map/unmap failed inside the machine");
  }
}

struct FormatBench {
  const char* name;
  hal::PageTableFormat format;
};
constexpr FormatBench kFormats[] = {
    {"BM_PageTableMapUnmap_x86_64", hal::PageTableFormat::kX86_64},
    {"BM_PageTableMapUnmap_aarch64", hal::PageTableFormat::kAarch64},
    {"BM_PageTableMapUnmap_sv39", hal::PageTableFormat::kSv39},
    {"BM_PageTableMapUnmap_sv48", hal::PageTableFormat::kSv48},
};

}  // namespace

int main(int argc, char** argv) {
  for (const FormatBench& bench : kFormats) {
    benchmark::RegisterBenchmark(bench.name, BM_PageTableMapUnmap, bench.format)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (const FormatBench& bench : kFormats) {
    reporter.PrintRatio(std::string("page map+unmap (") + bench.name + ") vs host mmap+munmap",
                        bench.name, "BM_HostMmapMunmap", "target <= 150 ns and <= 0.1x");
  }
  benchmark::Shutdown();
  return 0;
}
