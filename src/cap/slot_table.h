// The slots of one capability space: a two-level table (directory -> chunks
// of 256 slots) that grows without moving slots, so lookups take no lock.
// Each slot is a hot atomic word (slot_word.h), packed 256 to a chunk for
// cache density, and a cold Node with the object pointer and the links of
// the derivation tree.
//
// Lookups read the directory and chunk pointers with acquire loads. Growth
// publishes a larger copy of the directory; old copies stay allocated until
// the table is torn down (together they are smaller than the last one), so a
// lookup holding an old directory pointer stays safe.
//
// Allocation and freeing take the table's lock. A slot goes: free ->
// Reserve() -> (published as valid by its owner, or Unreserve()) -> ... ->
// invalidated by its owner -> Free() -> free.
#ifndef VERIDIAN_SRC_CAP_SLOT_TABLE_H_
#define VERIDIAN_SRC_CAP_SLOT_TABLE_H_

#include <cstddef>
#include <cstdint>

#include "src/cap/object.h"
#include "src/cap/token.h"
#include "src/hal/atomic.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/mm/page_source.h"

namespace vos {

class SlotTable;

// The cold half of a slot. While the slot is valid every field but
// next_free is guarded by object->derivation_lock().
struct CapabilityNode {
  KernelObject* object;
  // Derivation tree links (derivation_tree.h).
  CapabilityNode* parent;
  CapabilityNode* first_child;
  CapabilityNode* next_sibling;
  CapabilityNode* prev_sibling;
  SlotTable* table;
  hal::Atomic<uint64_t>* word;
  uint32_t index;
  uint32_t next_free;  // Guarded by the table's lock while the slot is free.
};

class SlotTable {
 public:
  static constexpr unsigned kChunkShift = 8;
  static constexpr uint32_t kChunkSlots = 1u << kChunkShift;

  constexpr SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  ~SlotTable();

  // `max_slots` (at most token::kMaxSlots) bounds what one space may hold;
  // `seed` picks the slots' first generations.
  void Init(PageSource& source, uint32_t max_slots, uint64_t seed);

  // The word of slot `index`, or 0 (never valid) if the slot does not
  // exist. Lock-free; any CPU.
  uint64_t LoadWord(uint32_t index) const {
    const Directory* directory = directory_.Load(std::memory_order_acquire);
    const uint32_t chunk_index = index >> kChunkShift;
    if (chunk_index >= directory->capacity) [[unlikely]] return 0;
    const Chunk* chunk = directory->chunks()[chunk_index].Load(std::memory_order_acquire);
    if (chunk == nullptr) [[unlikely]] return 0;
    return chunk->words[index & (kChunkSlots - 1)].Load(std::memory_order_acquire);
  }

  // The word and node of an existing slot (one LoadWord found valid, or
  // one Reserve returned).
  hal::Atomic<uint64_t>& Word(uint32_t index);
  CapabilityNode& Node(uint32_t index);

  // A free slot, whose word is empty with the generation its capability
  // will have. kOutOfRange when the space holds max_slots, kNoMemory when
  // the table cannot grow, kPeerClosed after Close().
  Result<uint32_t> Reserve();
  // Gives back a reserved slot that was never published.
  void Unreserve(uint32_t index);
  // A reserved slot was published (its word made valid).
  void Published();
  // Gives back a slot whose capability was invalidated (its word is empty
  // with a new generation). A slot whose generation has come all the way
  // round is retired instead, so no old token can match it again.
  void Free(uint32_t index);

  // Refuses further reservations; then waits until no reservation is
  // outstanding.
  void Close();
  // Waits until every slot has been freed (by revocations running on other
  // CPUs), then gives all pages back. After Close() and after the owner has
  // invalidated every valid slot.
  void TearDown();

  // Slots ever handed out: every valid slot has a smaller index.
  uint32_t high_water() const;
  // Slots reserved or holding a capability.
  uint32_t in_use() const;

 private:
  struct Chunk {
    hal::Atomic<uint64_t> words[kChunkSlots];
    CapabilityNode nodes[kChunkSlots];
  };
  struct Directory {
    uint32_t capacity;  // Chunk pointers that follow.
    Directory* retired;  // The directory this one replaced.
    hal::Atomic<Chunk*>* chunks() { return reinterpret_cast<hal::Atomic<Chunk*>*>(this + 1); }
    const hal::Atomic<Chunk*>* chunks() const {
      return reinterpret_cast<const hal::Atomic<Chunk*>*>(this + 1);
    }
  };
  static constexpr size_t kChunkPages = (sizeof(Chunk) + 4095) / 4096;
  static Directory empty_directory_;

  Chunk& ChunkOf(uint32_t index);
  uint32_t FirstGeneration(uint32_t index) const;
  void PushFreeLocked(uint32_t index) VOS_REQUIRES(lock_);
  Status GrowLocked() VOS_REQUIRES(lock_);
  static size_t DirectoryPages(uint32_t capacity);

  PageSource* source_ = nullptr;
  uint64_t seed_ = 0;
  uint32_t max_slots_ = 0;
  hal::Atomic<Directory*> directory_{&empty_directory_};

  static constexpr uint32_t kNoSlot = ~uint32_t{0};

  mutable SpinLock lock_;
  uint32_t high_water_ VOS_GUARDED_BY(lock_) = 0;
  uint32_t free_head_ VOS_GUARDED_BY(lock_) = kNoSlot;
  uint32_t in_use_ VOS_GUARDED_BY(lock_) = 0;
  uint32_t reserved_ VOS_GUARDED_BY(lock_) = 0;
  uint32_t chunk_count_ VOS_GUARDED_BY(lock_) = 0;
  bool closed_ VOS_GUARDED_BY(lock_) = false;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_SLOT_TABLE_H_
