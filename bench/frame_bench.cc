// The frame allocator as kernel code on a 1-CPU simulated machine: alloc+free
// of one 4 KiB frame (the per-CPU cache path) against glibc malloc(4096) +
// free measured in the same process. For information, also a 16-frame
// request (bitmap) and a 2 MiB-aligned 512-frame request (buddy), both under
// the node lock.
#include <cstdlib>
#include <memory>

#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
#include "src/hal/memory_map.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"

namespace {

using BenchBody = void (*)(vos::FrameAllocator& frames, benchmark::State& state);

// Runs `body` on CPU 0 of a fresh 1-CPU machine, with its own frame allocator
// over the machine's memory.
void RunInSim(benchmark::State& state, BenchBody body) {
  bench::RunInSim(state, bench::BenchMachine(), [&] {
    vos::BootAllocator boot;
    boot.Init(hal::GetMemoryMap());
    auto frames = std::make_unique<vos::FrameAllocator>();
    if (!vos::IsOk(frames->Init(hal::GetMemoryMap(), boot))) {
      state.SkipWithError("frame allocator init failed");
      return;
    }
    body(*frames, state);
  });
}

void BM_GlibcMalloc4096Free(benchmark::State& state) {
  for (auto _ : state) {
    void* page = std::malloc(4096);
    benchmark::DoNotOptimize(page);
    std::free(page);
  }
}
BENCHMARK(BM_GlibcMalloc4096Free)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_FrameAllocFree(benchmark::State& state) {
  RunInSim(state, [](vos::FrameAllocator& frames, benchmark::State& s) {
    for (auto _ : s) {
      vos::Result<hal::PhysAddr> frame = frames.AllocFrame();
      benchmark::DoNotOptimize(*frame);
      if (!vos::IsOk(frames.FreeFrame(*frame))) s.SkipWithError("free failed");
    }
  });
}
BENCHMARK(BM_FrameAllocFree)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_FrameAlloc16Bitmap(benchmark::State& state) {
  RunInSim(state, [](vos::FrameAllocator& frames, benchmark::State& s) {
    for (auto _ : s) {
      vos::Result<hal::PhysAddr> run = frames.Alloc({.count = 16});
      benchmark::DoNotOptimize(*run);
      if (!vos::IsOk(frames.Free(*run, 16))) s.SkipWithError("free failed");
    }
  });
}
BENCHMARK(BM_FrameAlloc16Bitmap)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_FrameAlloc512Buddy(benchmark::State& state) {
  RunInSim(state, [](vos::FrameAllocator& frames, benchmark::State& s) {
    for (auto _ : s) {
      vos::Result<hal::PhysAddr> run =
          frames.Alloc({.count = vos::k2MiBFrames, .alignment = vos::k2MiBFrames});
      benchmark::DoNotOptimize(*run);
      if (!vos::IsOk(frames.Free(*run, vos::k2MiBFrames))) s.SkipWithError("free failed");
    }
  });
}
BENCHMARK(BM_FrameAlloc512Buddy)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    reporter.PrintRatio("frame alloc+free of one 4 KiB frame vs glibc malloc(4096)+free",
                        "BM_FrameAllocFree", "BM_GlibcMalloc4096Free",
                        "target <= 1.0x and <= 50 ns");
    reporter.PrintRatio("16-frame bitmap alloc+free vs glibc malloc(4096)+free (information)",
                        "BM_FrameAlloc16Bitmap", "BM_GlibcMalloc4096Free", "no target");
    reporter.PrintRatio("512-frame 2 MiB-aligned buddy alloc+free vs glibc (information)",
                        "BM_FrameAlloc512Buddy", "BM_GlibcMalloc4096Free", "no target");
  });
}
