#include "src/mm/frame_allocator.h"

#include <algorithm>
#include <bit>

#include "src/hal/cpu.h"
#include "src/hal/mmu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/lib/print.h"

namespace vos {
namespace {

constexpr std::memory_order kRelaxed = std::memory_order_relaxed;
constexpr uint32_t k2MiBOrder = 9;

constexpr Pfn PfnUp(hal::PhysAddr address) { return (address + hal::kPageSize - 1) / hal::kPageSize; }
constexpr Pfn PfnDown(hal::PhysAddr address) { return address / hal::kPageSize; }

// [begin, end) in frames of a zone type.
constexpr Pfn ZoneBegin(ZoneType type) { return type == ZoneType::kDma ? 0 : kDmaLimitPfn; }
constexpr Pfn ZoneEnd(ZoneType type) { return type == ZoneType::kDma ? kDmaLimitPfn : ~Pfn{0}; }

// Visits the frames of `node`'s usable regions inside [lo, hi), region by region.
template <typename Visit>
void ForEachUsableRun(const hal::MemoryMap& map, uint32_t node, Pfn lo, Pfn hi, Visit visit) {
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    if (region.type != hal::MemoryType::kUsable || region.numa_node != node) continue;
    const Pfn begin = std::max(PfnUp(region.base), lo);
    const Pfn end = std::min(PfnDown(region.base + region.size), hi);
    if (begin < end) visit(begin, end);
  }
}

void Increment(std::atomic<uint64_t>& counter) {
  // Only the owning CPU writes: no read-modify-write needed.
  counter.store(counter.load(kRelaxed) + 1, kRelaxed);
}

}  // namespace

Status FrameAllocator::Init(const hal::MemoryMap& map, BootAllocator& boot) {
  if (map.numa_node_count == 0 || map.numa_node_count > hal::kMaxNumaNodes) {
    return Status::kInvalidArgument;
  }
  for (size_t i = 0; i < map.count; ++i) {
    if (map.regions[i].numa_node >= map.numa_node_count) return Status::kInvalidArgument;
  }
  node_count_ = map.numa_node_count;
  // 1. Metadata for every zone, while the boot allocator still allocates.
  for (uint32_t node = 0; node < node_count_; ++node) {
    for (ZoneType type : {ZoneType::kDma, ZoneType::kNormal}) {
      VOS_RETURN_IF_ERROR(InitZone(node, type, map, boot));
    }
  }
  // 2. Every page the boot allocator never handed out, clipped to the usable
  //    regions of each zone's node (spans of interleaved nodes may overlap).
  BootAllocator::FreeRange ranges[BootAllocator::kMaxRegions];
  const size_t range_count = boot.HandOver(ranges);
  for (uint32_t n = 0; n < node_count_; ++n) {
    Node& node = nodes_[n];
    SpinLockGuard guard(node.lock);
    for (FrameZone& zone : node.zones) {
      if (zone.span_frames() == 0) continue;
      const Pfn zone_end = zone.base() + zone.span_frames();
      for (size_t r = 0; r < range_count; ++r) {
        ForEachUsableRun(map, n, std::max(zone.base(), PfnUp(ranges[r].begin)),
                         std::min(zone_end, PfnDown(ranges[r].end)),
                         [&zone](Pfn begin, Pfn end) { zone.AddFreeRange(begin, end - begin); });
      }
    }
    node.fallbacks = 0;
    node.alloc_failures = 0;
  }
  InitFallbackOrder(map);
  InitCaches();
  stray_frees_.Store(0);
  return Status::kOk;
}

Status FrameAllocator::InitZone(uint32_t n, ZoneType type, const hal::MemoryMap& map,
                                BootAllocator& boot) {
  Pfn lo = ~Pfn{0};
  Pfn hi = 0;
  ForEachUsableRun(map, n, ZoneBegin(type), ZoneEnd(type), [&](Pfn begin, Pfn end) {
    lo = std::min(lo, begin);
    hi = std::max(hi, end);
  });
  Node& node = nodes_[n];
  SpinLockGuard guard(node.lock);
  FrameZone& zone = node.zones[static_cast<size_t>(type)];
  if (lo >= hi) {
    zone.Init(type, n, 0, 0, nullptr);
    return Status::kOk;
  }
  const size_t bytes = FrameZone::MetadataBytes(lo, hi - lo);
  Result<hal::PhysAddr> metadata = boot.AllocPages((bytes + hal::kPageSize - 1) / hal::kPageSize);
  if (!metadata.ok()) return metadata.status();
  zone.Init(type, n, lo, hi - lo, hal::PhysToVirt(*metadata));
  return Status::kOk;
}

void FrameAllocator::InitFallbackOrder(const hal::MemoryMap& map) {
  for (uint32_t from = 0; from < node_count_; ++from) {
    uint8_t* order = nodes_[from].fallback;
    for (uint32_t to = 0; to < node_count_; ++to) order[to] = static_cast<uint8_t>(to);
    // Nearest first, the node itself before all; ties by node number (a
    // stable insertion sort), so the order is deterministic.
    const uint8_t* distance = map.numa_distance + from * node_count_;
    auto key = [&](uint8_t node) { return node == from ? 0 : int{distance[node]} + 1; };
    for (uint32_t i = 1; i < node_count_; ++i) {
      for (uint32_t j = i; j > 0 && key(order[j]) < key(order[j - 1]); --j) {
        std::swap(order[j], order[j - 1]);
      }
    }
  }
}

void FrameAllocator::InitCaches() {
  for (hal::CpuId cpu = 0; cpu < hal::kMaxCpus; ++cpu) {
    CpuCache& cache = caches_[cpu];
    if (cpu_node_[cpu] >= node_count_) cpu_node_[cpu] = 0;
    cache.count.store(0, kRelaxed);
    cache.alloc_hits.store(0, kRelaxed);
    cache.free_hits.store(0, kRelaxed);
    HomeCache(cpu);
  }
}

void FrameAllocator::HomeCache(hal::CpuId cpu) {
  CpuCache& cache = caches_[cpu];
  Node& node = nodes_[cpu_node_[cpu]];
  cache.node = &node;
  cache.zone = nullptr;
  SpinLockGuard guard(node.lock);
  // The zone a default request tries first.
  for (ZoneType type : {ZoneType::kNormal, ZoneType::kDma}) {
    FrameZone& zone = node.zones[static_cast<size_t>(type)];
    if (zone.present()) {
      cache.zone = &zone;
      return;
    }
  }
}

void FrameAllocator::SetCpuNode(hal::CpuId cpu, uint32_t node) {
  VOS_ASSERT(cpu < hal::kMaxCpus && node < node_count_);
  VOS_ASSERT_MSG(caches_[cpu].count.load(kRelaxed) == 0, "cpu %u changes node with frames cached",
                 cpu);
  cpu_node_[cpu] = static_cast<uint8_t>(node);
  HomeCache(cpu);
}

uint32_t FrameAllocator::ResolveNode(uint32_t node) {
  return node == kCurrentNode ? cpu_node_[hal::CurrentCpu()] : node;
}

Result<hal::PhysAddr> FrameAllocator::Alloc(const FrameRequest& request) {
  if (request.count == 0 || request.count > k1GiBFrames ||
      !std::has_single_bit(request.alignment) || request.alignment > k1GiBFrames ||
      (request.node != kCurrentNode && request.node >= node_count_)) {
    return Status::kInvalidArgument;
  }
  if (request.count == 1 && request.alignment == 1 && request.zones == ZonePolicy::kAny &&
      request.node == kCurrentNode && request.allow_other_nodes) {
    return AllocFrame();
  }
  return AllocSlow(request);
}

Result<hal::PhysAddr> FrameAllocator::AllocSlow(const FrameRequest& request) {
  const uint32_t preferred = ResolveNode(request.node);
  const uint8_t* order = nodes_[preferred].fallback;
  const uint32_t tries = request.allow_other_nodes ? node_count_ : 1;
  for (uint32_t i = 0; i < tries; ++i) {
    Node& node = nodes_[order[i]];
    node.lock.Acquire();
    Result<Pfn> pfn = AllocOnNode(node, request);
    node.lock.Release();
    if (pfn.ok()) {
      if (i > 0) {
        SpinLockGuard guard(nodes_[preferred].lock);
        ++nodes_[preferred].fallbacks;
      }
      return *pfn * hal::kPageSize;
    }
  }
  SpinLockGuard guard(nodes_[preferred].lock);
  ++nodes_[preferred].alloc_failures;
  return Status::kNoMemory;
}

Result<Pfn> FrameAllocator::AllocOnNode(Node& node, const FrameRequest& request) {
  static constexpr ZoneType kAnyOrder[] = {ZoneType::kNormal, ZoneType::kDma};
  const ZoneType* first = request.zones == ZonePolicy::kDmaOnly ? &kAnyOrder[1] : &kAnyOrder[0];
  const ZoneType* last = request.zones == ZonePolicy::kNormalOnly ? &kAnyOrder[1] : &kAnyOrder[2];
  for (const ZoneType* type = first; type != last; ++type) {
    FrameZone& zone = node.zones[static_cast<size_t>(*type)];
    if (!zone.present()) continue;
    Result<Pfn> pfn = zone.Alloc(request.count, request.alignment);
    if (pfn.ok()) {
      ++zone.counters().allocations;
      return pfn;
    }
    ++zone.counters().alloc_failures;
  }
  return Status::kNoMemory;
}

Result<hal::PhysAddr> FrameAllocator::AllocFrame() {
  PreemptionGuard guard;
  CpuCache& cache = caches_[guard.cpu()];
  uint32_t count = cache.count.load(kRelaxed);
  if (count == 0) [[unlikely]] {
    if (cache.zone == nullptr || !Refill(cache)) return AllocSlow(FrameRequest{});
    count = cache.count.load(kRelaxed);
  }
  --count;
  const Pfn pfn = cache.frames[count];
  cache.count.store(count, kRelaxed);
  cache.zone->TakeCached(pfn);
  Increment(cache.alloc_hits);
  return pfn * hal::kPageSize;
}

Status FrameAllocator::FreeFrame(hal::PhysAddr frame) {
  const Pfn pfn = frame / hal::kPageSize;
  if (frame % hal::kPageSize == 0) {
    PreemptionGuard guard;
    CpuCache& cache = caches_[guard.cpu()];
    FrameZone* zone = cache.zone;
    // Only frames a client holds enter the cache; anything else (a double
    // free, a reserved frame, another zone's frame) takes the checked path.
    if (zone != nullptr && zone->Contains(pfn) && zone->state(pfn) == FrameState::kAllocated) {
      if (cache.count.load(kRelaxed) == kCacheCapacity) [[unlikely]] Drain(cache, kCacheBatch);
      const uint32_t count = cache.count.load(kRelaxed);
      zone->MarkCached(pfn);
      cache.frames[count] = pfn;
      cache.count.store(count + 1, kRelaxed);
      Increment(cache.free_hits);
      return Status::kOk;
    }
  }
  return Free(frame, 1);
}

Status FrameAllocator::Free(hal::PhysAddr base, size_t count) {
  if (count == 0) return Status::kInvalidArgument;
  if (base % hal::kPageSize != 0) {
    stray_frees_.FetchAdd(1);
    Printf("frames: bad free of 0x%lx: not page aligned\n", base);
    return Status::kInvalidArgument;
  }
  return FreeSlow(base / hal::kPageSize, count);
}

// The spans are fixed after Init: reading them needs no lock.
FrameZone* FrameAllocator::FindZone(Pfn pfn, Node** node) VOS_NO_THREAD_SAFETY_ANALYSIS {
  for (uint32_t n = 0; n < node_count_; ++n) {
    for (FrameZone& zone : nodes_[n].zones) {
      if (zone.Contains(pfn)) {
        *node = &nodes_[n];
        return &zone;
      }
    }
  }
  return nullptr;
}

Status FrameAllocator::FreeSlow(Pfn first, size_t count) {
  Node* node = nullptr;
  FrameZone* zone = FindZone(first, &node);
  Status status = Status::kOutOfRange;
  if (zone == nullptr) {
    stray_frees_.FetchAdd(1);
  } else {
    SpinLockGuard guard(node->lock);
    status = zone->Free(first, count);
    if (IsOk(status)) {
      ++zone->counters().frees;
    } else {
      ++zone->counters().bad_frees;
    }
  }
  if (!IsOk(status)) {
    Printf("frames: bad free of %zu frame(s) at 0x%lx: %s\n", count, first * hal::kPageSize,
           status == Status::kInvalidArgument  ? "not allocated (double free?)"
           : status == Status::kPermissionDenied ? "reserved or never managed"
                                                 : "outside managed memory");
  }
  return status;
}

bool FrameAllocator::Refill(CpuCache& cache) {
  SpinLockGuard guard(cache.node->lock);
  uint32_t count = cache.count.load(kRelaxed);
  while (count < kCacheBatch) {
    Result<Pfn> pfn = cache.zone->Alloc(1, 1);
    if (!pfn.ok()) break;
    cache.zone->MarkCached(*pfn);
    cache.frames[count++] = *pfn;
  }
  cache.count.store(count, kRelaxed);
  return count > 0;
}

void FrameAllocator::Drain(CpuCache& cache, size_t frames) {
  SpinLockGuard guard(cache.node->lock);
  uint32_t count = cache.count.load(kRelaxed);
  for (size_t i = 0; i < frames && count > 0; ++i) cache.zone->ReturnCached(cache.frames[--count]);
  cache.count.store(count, kRelaxed);
}

void FrameAllocator::DrainCpuCache() {
  PreemptionGuard guard;
  CpuCache& cache = caches_[guard.cpu()];
  if (cache.zone != nullptr) Drain(cache, kCacheCapacity);
}

ZoneStats FrameAllocator::GetZoneStats(uint32_t n, ZoneType type) {
  VOS_ASSERT(n < node_count_);
  Node& node = nodes_[n];
  ZoneStats stats;
  SpinLockGuard guard(node.lock);
  const FrameZone& zone = node.zones[static_cast<size_t>(type)];
  if (!zone.present()) return stats;
  stats.present = true;
  stats.base = zone.base() * hal::kPageSize;
  stats.end = (zone.base() + zone.span_frames()) * hal::kPageSize;
  stats.managed = zone.managed_frames();
  stats.free = zone.free_frames();
  stats.allocations = zone.counters().allocations;
  stats.frees = zone.counters().frees;
  stats.alloc_failures = zone.counters().alloc_failures;
  stats.bad_frees = zone.counters().bad_frees;
  stats.bitmap_chunks = zone.bitmap().chunks();
  stats.largest_free_order = zone.buddy().LargestFreeOrder();
  const uint64_t in_large_blocks = zone.buddy().FreeFramesAtOrAbove(k2MiBOrder);
  stats.fragmentation_percent =
      stats.free == 0 ? 0 : static_cast<uint32_t>(100 * (stats.free - in_large_blocks) / stats.free);
  // Under the lock, so refills and drains (which move frames between free
  // and cached) cannot be half-seen; pops and pushes only move cached <-> used.
  for (hal::CpuId cpu = 0; cpu < hal::kMaxCpus; ++cpu) {
    const CpuCache& cache = caches_[cpu];
    if (cache.zone != &zone) continue;
    stats.cached += cache.count.load(kRelaxed);
    stats.allocations += cache.alloc_hits.load(kRelaxed);
    stats.frees += cache.free_hits.load(kRelaxed);
  }
  stats.used = stats.managed - stats.free - stats.cached;
  return stats;
}

NodeStats FrameAllocator::GetNodeStats(uint32_t n) {
  NodeStats stats;
  for (ZoneType type : {ZoneType::kDma, ZoneType::kNormal}) {
    const ZoneStats zone = GetZoneStats(n, type);
    stats.managed += zone.managed;
    stats.free += zone.free;
    stats.cached += zone.cached;
    stats.used += zone.used;
    stats.allocations += zone.allocations;
    stats.frees += zone.frees;
    stats.bad_frees += zone.bad_frees;
  }
  SpinLockGuard guard(nodes_[n].lock);
  stats.alloc_failures = nodes_[n].alloc_failures;
  stats.fallbacks = nodes_[n].fallbacks;
  return stats;
}

void FrameAllocator::PrintStats() {
  for (uint32_t n = 0; n < node_count_; ++n) {
    for (ZoneType type : {ZoneType::kDma, ZoneType::kNormal}) {
      const ZoneStats z = GetZoneStats(n, type);
      if (!z.present) continue;
      Printf("frames: node %u %-6s [0x%lx, 0x%lx) managed %lu free %lu cached %lu used %lu "
             "allocs %lu frees %lu failures %lu bad-frees %lu chunks %lu max-order %d frag %u%%\n",
             n, ZoneTypeName(type), z.base, z.end, z.managed, z.free, z.cached, z.used,
             z.allocations, z.frees, z.alloc_failures, z.bad_frees, z.bitmap_chunks,
             z.largest_free_order, z.fragmentation_percent);
    }
    const NodeStats s = GetNodeStats(n);
    Printf("frames: node %u total managed %lu free %lu cached %lu used %lu failures %lu "
           "fallbacks %lu\n",
           n, s.managed, s.free, s.cached, s.used, s.alloc_failures, s.fallbacks);
  }
  Printf("frames: %lu free(s) outside managed memory\n", stray_frees_.Load());
}

namespace {
constinit FrameAllocator frame_allocator;
}  // namespace

Status InitFrameAllocator(const hal::MemoryMap& map, BootAllocator& boot) {
  return frame_allocator.Init(map, boot);
}

FrameAllocator& Frames() { return frame_allocator; }

}  // namespace vos
