// Map + unmap of one 4 KiB page in a page table whose intermediate tables
// already exist (a neighbouring page keeps them), run as kernel code on a
// 1-CPU simulated machine, in each format; against the host kernel's
// mmap(MAP_POPULATE) + munmap of one page, measured in the same process.
#include <sys/mman.h>

#include <string>

#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
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

// Map+unmap in `format` as kernel code on a fresh 1-CPU machine.
void BM_PageTableMapUnmap(benchmark::State& state, hal::PageTableFormat format) {
  sim::MachineConfig config = bench::BenchMachine(1, 4 << 20);
  config.page_table_format = format;
  bench::RunInSim(state, config, [&] {
    testing_support::TablePool pool(64);
    const vos::VaRange range =
        format == hal::PageTableFormat::kAarch64 ? vos::VaRange::kLower : vos::VaRange::kAll;
    vos::Result<vos::PageTable> table = vos::PageTable::Create(format, pool, range);
    const vos::Perm perms = vos::Perm::kRead | vos::Perm::kWrite | vos::Perm::kUser;
    // Sv39 reaches 256 GiB per half: keep the address inside every format.
    const hal::VirtAddr va = kVa & ((1ull << 37) - 1);
    if (!table.ok() || table->Map(va + kPage, kPa + kPage, vos::PageSize::k4K, perms) !=
                           vos::Status::kOk) {
      state.SkipWithError("cannot set up the page table");
      return;
    }
    bool failed = false;
    for (auto _ : state) {
      if (table->Map(va, kPa, vos::PageSize::k4K, perms) != vos::Status::kOk) failed = true;
      vos::Result<vos::Unmapped> gone = table->Unmap(va);
      if (!gone.ok() || gone->tables_freed != 0) failed = true;
      benchmark::DoNotOptimize(gone);
    }
    if (failed) state.SkipWithError("map/unmap failed inside the machine");
  });
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
  for (const FormatBench& format : kFormats) {
    benchmark::RegisterBenchmark(format.name, BM_PageTableMapUnmap, format.format)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
  }
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    for (const FormatBench& format : kFormats) {
      reporter.PrintRatio(std::string("page map+unmap (") + format.name + ") vs host mmap+munmap",
                          format.name, "BM_HostMmapMunmap", "target <= 150 ns and <= 0.1x");
    }
  });
}
