// The kernel's entry: banner, early memory, self-test selection, secondary
// CPUs, verdict, power-off.
#include "src/hal/atomic.h"
#include "src/hal/boot.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/hal/power.h"
#include "src/kernel/selftest.h"
#include "src/lib/command_line.h"
#include "src/lib/print.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_page_source.h"
#include "src/mm/frame_refs.h"
#include "src/mm/heap.h"

namespace kernel {
namespace {

constexpr int kExitFail = 1;
constexpr int kExitBadCommandLine = 2;

vos::BootAllocator boot_allocator;
const SelfTest* self_test = nullptr;
hal::Atomic<uint32_t> cpus_done;
// Secondaries wait for it: the self-test is set up once the CPU count is known.
hal::Atomic<bool> go;

void PrintMemoryMap(const hal::MemoryMap& map) {
  uint64_t usable = 0;
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    vos::Printf("  memory [0x%012lx, 0x%012lx) %9lu KiB %-12s node %u\n", region.base,
                region.base + region.size, region.size >> 10, hal::MemoryTypeName(region.type),
                region.numa_node);
    if (region.type == hal::MemoryType::kUsable) usable += region.size;
  }
  vos::Printf("memory: %lu MiB usable in %zu regions, %u NUMA node(s)\n", usable >> 20,
              map.count, map.numa_node_count);
}

// Proves the early memory path end to end: allocate, write, read back.
bool CheckEarlyMemory() {
  vos::Result<hal::PhysAddr> page = boot_allocator.AllocPages(1);
  if (!page.ok()) {
    vos::Printf("early memory: no page available (%s)\n", vos::StatusName(page.status()));
    return false;
  }
  volatile uint64_t* words = static_cast<volatile uint64_t*>(hal::PhysToVirt(*page));
  words[0] = 0x5645524944494131ull;
  words[511] = *page;
  bool ok = words[0] == 0x5645524944494131ull && words[511] == *page;
  vos::Printf("early memory: %lu MiB in %zu ranges, test page at 0x%lx %s\n",
              boot_allocator.usable_bytes() >> 20, boot_allocator.region_count(), *page,
              ok ? "ok" : "CORRUPT");
  return ok;
}

// The frame allocator's counts summed over every node (per-CPU caches are
// neither free nor used).
struct FrameTotals {
  uint64_t managed = 0;
  uint64_t free = 0;
  uint64_t used = 0;
};
FrameTotals SumFrameStats() {
  FrameTotals totals;
  for (uint32_t node = 0; node < vos::Frames().node_count(); ++node) {
    const vos::NodeStats stats = vos::Frames().GetNodeStats(node);
    totals.managed += stats.managed;
    totals.free += stats.free;
    totals.used += stats.used;
  }
  return totals;
}

// Hands the rest of memory to the frame allocator (ends the boot allocator).
bool InitFrames(const hal::MemoryMap& map) {
  const vos::Status status = vos::InitFrameAllocator(map, boot_allocator);
  if (!vos::IsOk(status)) {
    vos::Printf("frames: init failed (%s)\n", vos::StatusName(status));
    return false;
  }
  const FrameTotals totals = SumFrameStats();
  vos::Printf("frames: %lu MiB managed, %lu MiB free on %u node(s), metadata %lu KiB\n",
              totals.managed * hal::kPageSize >> 20, totals.free * hal::kPageSize >> 20,
              vos::Frames().node_count(), boot_allocator.allocated_bytes() >> 10);
  return true;
}

// The kernel heap (behind operator new on hardware) and the reference counts
// address spaces keep per frame, both over the frame allocator.
bool InitHeapAndFrameRefs(const hal::MemoryMap& map) {
  static vos::FramePageSource heap_pages;
  vos::Status status = vos::KernelHeap().Init(heap_pages);
  if (IsOk(status)) status = vos::PageRefs().Init(map);
  if (!vos::IsOk(status)) {
    vos::Printf("heap: init failed (%s)\n", vos::StatusName(status));
    return false;
  }
  return true;
}

[[noreturn]] void Verdict(bool pass, const char* why) {
  if (pass) {
    vos::Printf("VERDICT: PASS\n");
    hal::PowerOff(0);
  }
  vos::Printf("VERDICT: FAIL %s\n", why);
  hal::PowerOff(kExitFail);
}

[[noreturn]] void IdleForever() {
  for (;;) hal::WaitForInterrupt();
}

[[noreturn]] void SecondaryMain(hal::CpuId cpu) {
  while (!go.Load()) hal::CpuRelax();
  self_test->run_on_cpu(cpu);
  cpus_done.FetchAdd(1);
  IdleForever();
}

}  // namespace

void KernelMain(const hal::BootInfo& boot_info) {
  const uint32_t cpus = hal::CpuCount();
  vos::Printf("VeridianOS kernel on %s: %u cpus, %s page tables\n", boot_info.machine_name,
              cpus, hal::PageTableFormatName(hal::ActivePageTableFormat()));
  vos::Printf("command line: \"%s\"\n", boot_info.command_line);
  const hal::MemoryMap& map = hal::GetMemoryMap();
  PrintMemoryMap(map);
  boot_allocator.Init(map);
  if (!CheckEarlyMemory()) Verdict(false, "early memory check");
  if (!InitFrames(map)) Verdict(false, "frame allocator init");
  if (!InitHeapAndFrameRefs(map)) Verdict(false, "heap init");
  const uint64_t frames_at_start = SumFrameStats().used;

  vos::CommandLine command_line(boot_info.command_line);
  size_t name_length = 5;
  const char* name = command_line.Find("workload", &name_length);
  if (name == nullptr) name = "smoke";
  self_test = FindSelfTest(name, name_length);
  if (self_test == nullptr) {
    vos::Printf("command line: unknown workload \"%.*s\"; known workloads:\n",
                static_cast<int>(name_length), name);
    ListSelfTests();
    vos::Printf("VERDICT: FAIL bad command line\n");
    hal::PowerOff(kExitBadCommandLine);
  }
  // CPU indices stay dense: stop at the first CPU that does not start.
  uint32_t started = 1;
  while (started < cpus && hal::StartCpu(started, SecondaryMain)) ++started;
  if (started < cpus) vos::Printf("cpu %u did not start\n", started);
  if (!self_test->setup(command_line, started)) {
    vos::Printf("VERDICT: FAIL bad command line\n");
    hal::PowerOff(kExitBadCommandLine);
  }
  go.Store(true);
  vos::Printf("self-test %s on %u of %u cpus\n", self_test->name, started, cpus);
  self_test->run_on_cpu(0);
  cpus_done.FetchAdd(1);
  hal::InterruptsEnable();
  while (cpus_done.Load() < started) hal::CpuRelax();
  hal::InterruptsDisable();
  const bool passed = self_test->finish();
  // Every workload gives back what it took: a leak fails the run.
  const uint64_t frames_at_end = SumFrameStats().used;
  vos::Printf("frames: %lu in use at start, %lu at end\n", frames_at_start, frames_at_end);
  if (frames_at_end != frames_at_start) Verdict(false, "frames leaked");
  Verdict(passed, self_test->name);
}

}  // namespace kernel
