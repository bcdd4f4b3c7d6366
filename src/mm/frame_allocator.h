// The physical frame allocator: one node allocator per NUMA node, each with a
// DMA zone (below 16 MiB) and a Normal zone (see frame_zone.h), fallback to
// the nearest node by the memory map's NUMA distances, and a per-CPU cache of
// single frames in front.
//
// Frames come from what the boot allocator has not handed out, so the kernel
// image, reserved and ACPI regions, holes and the boot allocator's own pages
// (including this allocator's metadata) are never handed out; freeing one is
// reported like a double free.
//
// Per-CPU cache: up to kCacheCapacity single frames of the CPU's home zone,
// used under a PreemptionGuard without a lock, refilled and drained
// kCacheBatch at a time under the node's lock. A cached frame is neither
// free nor used in the statistics: it is counted as `cached`.
//
// Not for interrupt handlers: the node locks are taken with interrupts on and
// the per-CPU caches rely on a PreemptionGuard (see src/lib/preemption.h).
#ifndef VERIDIAN_SRC_MM_FRAME_ALLOCATOR_H_
#define VERIDIAN_SRC_MM_FRAME_ALLOCATOR_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/memory_map.h"
#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_zone.h"

namespace vos {

// The node of the calling CPU.
inline constexpr uint32_t kCurrentNode = ~uint32_t{0};

enum class ZonePolicy : uint8_t {
  kAny,         // Normal first, then DMA, on each node in distance order.
  kDmaOnly,     // Only DMA zones (below 16 MiB).
  kNormalOnly,  // Only Normal zones (keeps DMA memory for devices).
};

struct FrameRequest {
  size_t count = 1;
  size_t alignment = 1;  // In frames, a power of two: 512 = 2 MiB, 262144 = 1 GiB.
  uint32_t node = kCurrentNode;  // Preferred node; others only when it is exhausted.
  ZonePolicy zones = ZonePolicy::kAny;
  // False: fail rather than use another node.
  bool allow_other_nodes = true;
};

inline constexpr size_t k2MiBFrames = 512;
inline constexpr size_t k1GiBFrames = 262144;

struct ZoneStats {
  bool present = false;
  uint64_t base = 0;  // Physical span [base, end) the zone covers.
  uint64_t end = 0;
  uint64_t managed = 0;  // Frames the zone hands out (free + cached + used).
  uint64_t free = 0;
  uint64_t cached = 0;  // In per-CPU caches (a snapshot).
  uint64_t used = 0;    // Held by clients.
  uint64_t allocations = 0;  // Successful requests, cache hits included.
  uint64_t frees = 0;
  uint64_t alloc_failures = 0;  // Requests the zone could not serve.
  uint64_t bad_frees = 0;       // Double frees and frees of unmanaged frames.
  uint64_t bitmap_chunks = 0;   // 2 MiB chunks lent to the bitmap allocator.
  int largest_free_order = -1;  // Of the buddy; -1 when it has no free block.
  // Free frames not in free blocks of 2 MiB or more, in percent of free.
  uint32_t fragmentation_percent = 0;
};

struct NodeStats {
  uint64_t managed = 0;
  uint64_t free = 0;
  uint64_t cached = 0;
  uint64_t used = 0;
  uint64_t allocations = 0;
  uint64_t frees = 0;
  uint64_t alloc_failures = 0;  // Requests that failed with this node preferred.
  uint64_t bad_frees = 0;
  uint64_t fallbacks = 0;  // Requests with this node preferred served elsewhere.
};

class FrameAllocator {
 public:
  static constexpr size_t kCacheCapacity = 64;
  static constexpr size_t kCacheBatch = 32;

  constexpr FrameAllocator() = default;
  FrameAllocator(const FrameAllocator&) = delete;
  FrameAllocator& operator=(const FrameAllocator&) = delete;

  // Carves the metadata out of `boot`, then takes every page `boot` has not
  // handed out (ending `boot`). Once, before any other call.
  Status Init(const hal::MemoryMap& map, BootAllocator& boot);

  // kInvalidArgument for a bad request, kNoMemory when no allowed zone of
  // any node has the frames.
  Result<hal::PhysAddr> Alloc(const FrameRequest& request);
  // Frees `count` frames from `base`, which must all be allocated; they may
  // be any part of one or more allocations of one zone. kOutOfRange outside
  // managed memory, kPermissionDenied for reserved or boot-allocator frames,
  // kInvalidArgument for a double free; the error is counted and printed and
  // nothing changes.
  Status Free(hal::PhysAddr base, size_t count);

  // One frame of this CPU's node (any zone), through the per-CPU cache.
  Result<hal::PhysAddr> AllocFrame();
  Status FreeFrame(hal::PhysAddr frame);

  // Returns this CPU's cached frames to their zone (tests, CPU offlining).
  void DrainCpuCache();

  // The node a CPU allocates from. The HAL has no CPU-to-node mapping yet, so
  // every CPU starts on node 0; a backend that reads SRAT or the device tree
  // sets it (before the CPU allocates).
  void SetCpuNode(hal::CpuId cpu, uint32_t node);
  uint32_t CpuNode(hal::CpuId cpu) const { return cpu_node_[cpu]; }

  uint32_t node_count() const { return node_count_; }
  // Nodes in the order a request preferring `node` tries them.
  const uint8_t* FallbackOrder(uint32_t node) const { return nodes_[node].fallback; }

  ZoneStats GetZoneStats(uint32_t node, ZoneType type);
  NodeStats GetNodeStats(uint32_t node);
  // Prints one line per zone and per node through vos::Printf.
  void PrintStats();

 private:
  struct Node {
    SpinLock lock;
    FrameZone zones[kZoneTypes] VOS_GUARDED_BY(lock);
    uint64_t fallbacks VOS_GUARDED_BY(lock) = 0;
    uint64_t alloc_failures VOS_GUARDED_BY(lock) = 0;
    uint8_t fallback[hal::kMaxNumaNodes] = {};  // Nearest first, itself first.
  };

  // A CPU's cache. Only its CPU writes it (under a PreemptionGuard); the
  // counts are atomics so statistics may read them from any CPU.
  struct alignas(64) CpuCache {
    std::atomic<uint32_t> count{0};
    FrameZone* zone = nullptr;  // Home zone: every cached frame is from it.
    Node* node = nullptr;
    std::atomic<uint64_t> alloc_hits{0};
    std::atomic<uint64_t> free_hits{0};
    Pfn frames[kCacheCapacity] = {};
  };

  Status InitZone(uint32_t node, ZoneType type, const hal::MemoryMap& map, BootAllocator& boot);
  void InitFallbackOrder(const hal::MemoryMap& map);
  void InitCaches();
  // Points the CPU's cache at its node's first zone.
  void HomeCache(hal::CpuId cpu);
  uint32_t ResolveNode(uint32_t node);
  // Tries the zones a request allows on one node.
  Result<Pfn> AllocOnNode(Node& node, const FrameRequest& request) VOS_REQUIRES(node.lock);
  Result<hal::PhysAddr> AllocSlow(const FrameRequest& request);
  // The zone whose span holds `pfn`, or null.
  FrameZone* FindZone(Pfn pfn, Node** node);
  Status FreeSlow(Pfn first, size_t count);
  bool Refill(CpuCache& cache);
  void Drain(CpuCache& cache, size_t frames);
  static void AddCacheCounts(const CpuCache& cache, ZoneStats& stats);

  uint32_t node_count_ = 0;
  Node nodes_[hal::kMaxNumaNodes];
  uint8_t cpu_node_[hal::kMaxCpus] = {};
  CpuCache caches_[hal::kMaxCpus];
  // Frees outside every zone (no zone to charge them to).
  hal::Atomic<uint64_t> stray_frees_{0};
};

// The kernel's frame allocator.
Status InitFrameAllocator(const hal::MemoryMap& map, BootAllocator& boot);
FrameAllocator& Frames();

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_FRAME_ALLOCATOR_H_
