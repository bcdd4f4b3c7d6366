// Zero-copy shared memory on the simulator: two address spaces on two CPUs
// see each other's writes through the MMU; a receiver whose capability
// lacks the write right can map read-only only, and its writes fault;
// placement on the receiving CPU's NUMA node, with fallback; and the frames
// return to the allocator only once the object and every mapping are gone.
#include "src/ipc/shared_memory.h"

#include <atomic>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "src/cap/transfer.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/memory_map.h"
#include "src/hal/user_memory.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_page_source.h"
#include "src/mm/frame_refs.h"
#include "src/mm/heap.h"
#include "tests/mm/sim_page_source.h"
#include "tests/support/in_machine.h"
#include "tests/support/isolated.h"
#include "tests/support/shootdown_ipis.h"

namespace vos {
namespace {

using testing_support::OnAllCpus;
using testing_support::SimPageSource;

constexpr uint64_t kPage = hal::kPageSize;
const Perm kReadWrite = Perm::kRead | Perm::kWrite;
constexpr Rights kReadOnlyMap = Rights::kRead | rights::kSharedMemoryMap;

sim::MachineConfig Machine(uint32_t cpus, uint32_t nodes = 1) {
  sim::MachineConfig config = testing_support::SmallMachine(cpus);
  config.numa_nodes = nodes;
  config.page_fault_handler = ResolveUserPageFault;
  config.trap_handler = testing_support::ServeShootdownIpis;
  return config;
}

// Frames, frame references and the kernel heap, as boot brings them up.
void InitMemory() {
  static BootAllocator boot;
  static FramePageSource heap_pages;
  const hal::MemoryMap& map = hal::GetMemoryMap();
  boot.Init(map);
  ASSERT_EQ(InitFrameAllocator(map, boot), Status::kOk);
  ASSERT_EQ(PageRefs().Init(map), Status::kOk);
  ASSERT_EQ(KernelHeap().Init(heap_pages), Status::kOk);
  hal::InterruptsEnable();
}

// Frames held by clients other than the kernel heap, on every node.
uint64_t UsedFrames() {
  uint64_t used = 0;
  for (uint32_t node = 0; node < Frames().node_count(); ++node) {
    used += Frames().GetNodeStats(node).used;
  }
  return used - KernelHeap().stats().pages;
}

void RunMemoryTest(const sim::MachineConfig& config, const std::function<void()>& body) {
  testing_support::RunIsolated([&] {
    sim::RunResult result = testing_support::RunInMachine(config, [&] {
      InitMemory();
      if (!::testing::Test::HasFatalFailure()) body();
    });
    EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure << result.console;
  });
}

bool Write(hal::VirtAddr va, const std::string& text) {
  return hal::CopyToUser(va, text.data(), text.size());
}

std::string Read(hal::VirtAddr va, size_t size) {
  std::string text(size, '\0');
  if (!hal::CopyFromUser(text.data(), va, size)) return "<fault>";
  return text;
}

TEST(SharedMemoryTest, TwoSpacesOnTwoCpusSeeEachOthersWrites) {
  RunMemoryTest(Machine(2), [] {
    Result<ObjectRef<SharedMemory>> memory = SharedMemory::Create(2);
    ASSERT_TRUE(memory.ok());
    AddressSpace a;
    AddressSpace b;
    ASSERT_EQ(a.Init(), Status::kOk);
    ASSERT_EQ(b.Init(), Status::kOk);
    // Different addresses in each space; the same frames.
    SharedMemory* object = memory->get();
    object->AddReference();  // For the second mapping.
    Result<SharedMapping> in_a = MapSharedMemory(ObjectRef<SharedMemory>::Adopt(object),
                                                 SharedMemory::kCreatorRights, a, 0x400000,
                                                 kReadWrite);
    Result<SharedMapping> in_b = MapSharedMemory(std::move(*memory), SharedMemory::kCreatorRights,
                                                 b, 0x7000000, kReadWrite);
    ASSERT_TRUE(in_a.ok());
    ASSERT_TRUE(in_b.ok());
    EXPECT_EQ(in_a->size(), 2 * kPage);
    const hal::VirtAddr va = in_a->address();
    const hal::VirtAddr vb = in_b->address();
    std::atomic<int> turn{0};
    OnAllCpus([&](hal::CpuId cpu) {
      if (cpu == 0) {
        a.Activate();
        EXPECT_EQ(Read(va, 4), std::string(4, '\0'));  // Zeroed at creation.
        ASSERT_TRUE(Write(va + kPage - 2, "ping"));     // Across the page boundary.
        turn.store(1);
        while (turn.load() != 2) hal::CpuRelax();
        EXPECT_EQ(Read(va + 100, 4), "pong");
        AddressSpace::DeactivateCurrent();
      } else {
        b.Activate();
        while (turn.load() != 1) hal::CpuRelax();
        EXPECT_EQ(Read(vb + kPage - 2, 4), "ping");
        ASSERT_TRUE(Write(vb + 100, "pong"));
        turn.store(2);
        AddressSpace::DeactivateCurrent();
      }
    });
    // Nothing was copied: each space has its own translations of the same
    // frames, which the object owns.
    EXPECT_EQ(a.stats().demand_faults, 2u);
    EXPECT_EQ(b.stats().demand_faults, 2u);
    EXPECT_EQ(a.Query(va)->pa, b.Query(vb)->pa);
  });
}

TEST(SharedMemoryTest, AReceiverWithoutWriteRightMapsReadOnlyAndItsWritesFault) {
  RunMemoryTest(Machine(1), [] {
    SimPageSource cap_pages;
    CapabilitySpace sender_caps;
    CapabilitySpace receiver_caps;
    sender_caps.Init(cap_pages);
    receiver_caps.Init(cap_pages);
    AddressSpace sender;
    AddressSpace receiver;
    ASSERT_EQ(sender.Init(), Status::kOk);
    ASSERT_EQ(receiver.Init(), Status::kOk);
    {
      Result<ObjectRef<SharedMemory>> memory = SharedMemory::Create(1);
      ASSERT_TRUE(memory.ok());
      const Token mine = *sender_caps.Insert(**memory, SharedMemory::kCreatorRights);
      memory->Reset();  // The capability keeps it alive.
      // The sender grants read-only access.
      Result<Token> theirs = CopyCapability(sender_caps, mine, receiver_caps, kReadOnlyMap);
      ASSERT_TRUE(theirs.ok());

      Result<SharedMapping> writable = MapSharedMemory(sender_caps, mine, sender, 0, kReadWrite);
      ASSERT_TRUE(writable.ok());
      EXPECT_EQ(MapSharedMemory(receiver_caps, *theirs, receiver, 0, kReadWrite).status(),
                Status::kPermissionDenied);
      EXPECT_EQ(MapSharedMemory(receiver_caps, *theirs, receiver, 0,
                                Perm::kRead | Perm::kExecute)
                    .status(),
                Status::kPermissionDenied);
      EXPECT_EQ(MapSharedMemory(receiver_caps, *theirs, receiver, 0, Perm::kWrite).status(),
                Status::kInvalidArgument);
      // Without the map right, nothing maps; a stale or foreign token fails.
      const Token unmappable = *sender_caps.Derive(mine, Rights::kRead | Rights::kWrite);
      EXPECT_EQ(MapSharedMemory(sender_caps, unmappable, sender, 0, Perm::kRead).status(),
                Status::kPermissionDenied);
      EXPECT_EQ(MapSharedMemory(receiver_caps, mine, receiver, 0, Perm::kRead).status(),
                Status::kBadHandle);
      Result<SharedMapping> read_only =
          MapSharedMemory(receiver_caps, *theirs, receiver, 0, Perm::kRead);
      ASSERT_TRUE(read_only.ok());
      EXPECT_EQ(read_only->perms(), Perm::kRead);

      sender.Activate();
      ASSERT_TRUE(Write(writable->address(), "from sender"));
      receiver.Activate();
      EXPECT_EQ(Read(read_only->address(), 11), "from sender");
      const uint64_t bad_before = receiver.stats().bad_faults;
      EXPECT_FALSE(Write(read_only->address(), "forged"));  // The MMU refuses.
      EXPECT_EQ(receiver.stats().bad_faults, bad_before + 1);
      sender.Activate();
      EXPECT_EQ(Read(writable->address(), 11), "from sender");
      AddressSpace::DeactivateCurrent();
    }
    receiver_caps.Destroy();
    sender_caps.Destroy();
  });
}

TEST(SharedMemoryTest, PlacedOnTheReceivingCpusNodeWithFallback) {
  RunMemoryTest(Machine(2, /*nodes=*/2), [] {
    const hal::MemoryMap& map = hal::GetMemoryMap();
    auto node_of = [&](hal::PhysAddr address) -> int {
      for (size_t i = 0; i < map.count; ++i) {
        const hal::MemoryRegion& r = map.regions[i];
        if (r.type == hal::MemoryType::kUsable && address >= r.base &&
            address < r.base + r.size) {
          return r.numa_node;
        }
      }
      return -1;
    };
    Frames().SetCpuNode(1, 1);
    ASSERT_EQ(SharedMemory::NodeOfCpu(0), 0u);
    ASSERT_EQ(SharedMemory::NodeOfCpu(1), 1u);
    for (hal::CpuId receiver : {0u, 1u}) {
      Result<ObjectRef<SharedMemory>> memory =
          SharedMemory::Create(8, SharedMemory::NodeOfCpu(receiver));
      ASSERT_TRUE(memory.ok());
      EXPECT_EQ((*memory)->node(), receiver);
      EXPECT_EQ(node_of((*memory)->base()), static_cast<int>(receiver));
      EXPECT_EQ(node_of((*memory)->base() + (*memory)->size() - 1), static_cast<int>(receiver));
    }
    EXPECT_EQ(SharedMemory::Create(1, 2).status(), Status::kInvalidArgument);
    EXPECT_EQ(SharedMemory::Create(0).status(), Status::kInvalidArgument);
    EXPECT_EQ(SharedMemory::Create(SharedMemory::kMaxPages + 1).status(),
              Status::kInvalidArgument);

    // Node 1 full: the memory comes from node 0 rather than not at all.
    std::vector<std::pair<hal::PhysAddr, size_t>> hogged;
    for (size_t chunk : {size_t{512}, size_t{1}}) {
      for (;;) {
        Result<hal::PhysAddr> frames =
            Frames().Alloc({.count = chunk, .node = 1, .allow_other_nodes = false});
        if (!frames.ok()) break;
        hogged.emplace_back(*frames, chunk);
      }
    }
    ASSERT_FALSE(hogged.empty());
    Result<ObjectRef<SharedMemory>> fallback = SharedMemory::Create(8, 1);
    ASSERT_TRUE(fallback.ok());
    EXPECT_EQ((*fallback)->node(), 0u);
    EXPECT_EQ(node_of((*fallback)->base()), 0);
    for (const auto& [base, count] : hogged) ASSERT_EQ(Frames().Free(base, count), Status::kOk);
  });
}

TEST(SharedMemoryTest, FramesReturnOnlyWhenTheObjectAndEveryMappingAreGone) {
  RunMemoryTest(Machine(1), [] {
    constexpr uint64_t kPages = 3;
    const uint64_t baseline = UsedFrames();
    {
      AddressSpace a;
      AddressSpace b;
      ASSERT_EQ(a.Init(), Status::kOk);
      ASSERT_EQ(b.Init(), Status::kOk);
      Result<ObjectRef<SharedMemory>> memory = SharedMemory::Create(kPages);
      ASSERT_TRUE(memory.ok());
      SharedMemory* object = memory->get();
      object->AddReference();
      Result<SharedMapping> in_a =
          MapSharedMemory(std::move(*memory), SharedMemory::kCreatorRights, a, 0, kReadWrite);
      Result<SharedMapping> in_b = MapSharedMemory(ObjectRef<SharedMemory>::Adopt(object),
                                                   kReadOnlyMap, b, 0, Perm::kRead);
      ASSERT_TRUE(in_a.ok());
      ASSERT_TRUE(in_b.ok());
      EXPECT_EQ(object->reference_count(), 2u);  // One per mapping; no capability left.
      a.Activate();
      for (uint64_t page = 0; page < kPages; ++page) {
        ASSERT_TRUE(Write(in_a->address() + page * kPage, "data"));
      }
      const uint64_t with_object = UsedFrames();
      EXPECT_GE(with_object, baseline + kPages);

      in_a->Unmap();
      in_a->Unmap();  // Idempotent.
      EXPECT_EQ(a.region_count(), 0u);
      EXPECT_EQ(Read(in_a->address(), 4), "<fault>");
      // B still maps it: the frames stay, with the data.
      b.Activate();
      EXPECT_EQ(Read(in_b->address() + 2 * kPage, 4), "data");
      const uint64_t one_mapping = UsedFrames();
      EXPECT_GE(one_mapping, baseline + kPages);

      // Moving the mapping keeps it; dropping the last one frees the frames.
      SharedMapping moved = std::move(*in_b);
      EXPECT_FALSE(in_b->mapped());
      EXPECT_EQ(Read(moved.address(), 4), "data");
      moved = SharedMapping();
      EXPECT_EQ(b.region_count(), 0u);
      EXPECT_LE(UsedFrames(), one_mapping - kPages);
      AddressSpace::DeactivateCurrent();
    }
    EXPECT_EQ(UsedFrames(), baseline);  // Tables went with the spaces.
  });
}

// A mapping leaves alone a region the owner put in its place.
TEST(SharedMemoryTest, UnmapLeavesOtherRegionsAlone) {
  RunMemoryTest(Machine(1), [] {
    AddressSpace space;
    ASSERT_EQ(space.Init(), Status::kOk);
    Result<ObjectRef<SharedMemory>> memory = SharedMemory::Create(2);
    ASSERT_TRUE(memory.ok());
    Result<SharedMapping> mapping = MapSharedMemory(std::move(*memory),
                                                    SharedMemory::kCreatorRights, space,
                                                    0x400000, kReadWrite);
    ASSERT_TRUE(mapping.ok());
    // The owner replaces the second page with private memory.
    ASSERT_EQ(space.Unmap(0x400000 + kPage, kPage), Status::kOk);
    ASSERT_TRUE(space.Map(0x400000 + kPage, kPage, kReadWrite, RegionKind::kPrivate).ok());
    mapping->Unmap();
    EXPECT_FALSE(space.FindRegion(0x400000).has_value());
    ASSERT_TRUE(space.FindRegion(0x400000 + kPage).has_value());
    EXPECT_EQ(space.FindRegion(0x400000 + kPage)->kind, RegionKind::kPrivate);
  });
}

}  // namespace
}  // namespace vos
