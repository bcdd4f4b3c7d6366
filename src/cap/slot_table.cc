#include "src/cap/slot_table.h"

#include <algorithm>
#include <new>

#include "src/cap/slot_word.h"
#include "src/hal/cpu.h"
#include "src/lib/assert.h"

namespace vos {

SlotTable::Directory SlotTable::empty_directory_{0, nullptr};

namespace {

constexpr size_t kPageSize = 4096;

// SplitMix64's finaliser: a bijection that scatters neighbouring inputs.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

SlotTable::~SlotTable() {
  VOS_ASSERT_MSG(directory_.Load() == &empty_directory_, "capability slot table not torn down");
}

void SlotTable::Init(PageSource& source, uint32_t max_slots, uint64_t seed) {
  VOS_ASSERT(source_ == nullptr);
  VOS_ASSERT(max_slots > 0 && max_slots <= token::kMaxSlots);
  source_ = &source;
  max_slots_ = max_slots;
  seed_ = seed;
}

uint32_t SlotTable::FirstGeneration(uint32_t index) const {
  return static_cast<uint32_t>(Mix(seed_ + index * 0x9e3779b97f4a7c15ull));
}

SlotTable::Chunk& SlotTable::ChunkOf(uint32_t index) {
  Directory* directory = directory_.Load(std::memory_order_acquire);
  VOS_ASSERT((index >> kChunkShift) < directory->capacity);
  Chunk* chunk = directory->chunks()[index >> kChunkShift].Load(std::memory_order_acquire);
  VOS_ASSERT(chunk != nullptr);
  return *chunk;
}

hal::Atomic<uint64_t>& SlotTable::Word(uint32_t index) {
  return ChunkOf(index).words[index & (kChunkSlots - 1)];
}

CapabilityNode& SlotTable::Node(uint32_t index) {
  return ChunkOf(index).nodes[index & (kChunkSlots - 1)];
}

size_t SlotTable::DirectoryPages(uint32_t capacity) {
  return (sizeof(Directory) + capacity * sizeof(hal::Atomic<Chunk*>) + kPageSize - 1) / kPageSize;
}

Status SlotTable::GrowLocked() {
  Directory* directory = directory_.Load(std::memory_order_relaxed);
  if (chunk_count_ == directory->capacity) {
    // A larger directory: the first fills a page, later ones double.
    const uint32_t capacity =
        directory->capacity == 0
            ? static_cast<uint32_t>((kPageSize - sizeof(Directory)) / sizeof(hal::Atomic<Chunk*>))
            : directory->capacity * 2;
    Result<void*> pages = source_->AllocPages(DirectoryPages(capacity));
    if (!pages.ok()) return pages.status();
    Directory* grown = new (*pages) Directory{capacity, nullptr};
    for (uint32_t i = 0; i < capacity; ++i) {
      new (&grown->chunks()[i]) hal::Atomic<Chunk*>(
          i < chunk_count_ ? directory->chunks()[i].Load(std::memory_order_relaxed) : nullptr);
    }
    grown->retired = directory == &empty_directory_ ? nullptr : directory;
    // Release: a lookup that sees the new directory sees its entries.
    directory_.Store(grown, std::memory_order_release);
    directory = grown;
  }
  Result<void*> pages = source_->AllocPages(kChunkPages);
  if (!pages.ok()) return pages.status();
  Chunk* chunk = static_cast<Chunk*>(*pages);
  const uint32_t base = chunk_count_ * kChunkSlots;
  for (uint32_t i = 0; i < kChunkSlots; ++i) {
    new (&chunk->words[i]) hal::Atomic<uint64_t>(slot_word::MakeEmpty(FirstGeneration(base + i)));
    chunk->nodes[i] = CapabilityNode{.table = this, .word = &chunk->words[i], .index = base + i,
                                     .next_free = kNoSlot};
  }
  // Release: a lookup that sees the chunk sees its initialised words.
  directory->chunks()[chunk_count_].Store(chunk, std::memory_order_release);
  ++chunk_count_;
  return Status::kOk;
}

Result<uint32_t> SlotTable::Reserve() {
  SpinLockGuard guard(lock_);
  if (closed_) return Status::kPeerClosed;
  uint32_t index;
  if (free_head_ != kNoSlot) {
    index = free_head_;
    free_head_ = Node(index).next_free;
  } else {
    if (high_water_ >= max_slots_) return Status::kOutOfRange;
    if (high_water_ == chunk_count_ * kChunkSlots) VOS_RETURN_IF_ERROR(GrowLocked());
    index = high_water_++;
  }
  ++in_use_;
  ++reserved_;
  return index;
}

void SlotTable::PushFreeLocked(uint32_t index) {
  Node(index).next_free = free_head_;
  free_head_ = index;
}

void SlotTable::Unreserve(uint32_t index) {
  VOS_ASSERT(!slot_word::IsValid(Word(index).Load()));
  SpinLockGuard guard(lock_);
  VOS_ASSERT(reserved_ > 0 && in_use_ > 0);
  --reserved_;
  --in_use_;
  PushFreeLocked(index);
}

void SlotTable::Published() {
  SpinLockGuard guard(lock_);
  VOS_ASSERT(reserved_ > 0);
  --reserved_;
}

void SlotTable::Free(uint32_t index) {
  const uint64_t word = Word(index).Load();
  VOS_ASSERT(!slot_word::IsValid(word) && slot_word::Pins(word) == 0);
  SpinLockGuard guard(lock_);
  VOS_ASSERT(in_use_ > 0);
  --in_use_;
  if (slot_word::Generation(word) != FirstGeneration(index)) PushFreeLocked(index);
}

void SlotTable::Close() {
  for (;;) {
    {
      SpinLockGuard guard(lock_);
      closed_ = true;
      if (reserved_ == 0) return;
    }
    hal::CpuRelax();
  }
}

uint32_t SlotTable::high_water() const {
  SpinLockGuard guard(lock_);
  return high_water_;
}

uint32_t SlotTable::in_use() const {
  SpinLockGuard guard(lock_);
  return in_use_;
}

void SlotTable::TearDown() {
  for (;;) {
    {
      SpinLockGuard guard(lock_);
      VOS_ASSERT(closed_);
      if (in_use_ == 0) break;
    }
    hal::CpuRelax();
  }
  SpinLockGuard guard(lock_);
  Directory* directory = directory_.Load();
  for (uint32_t i = 0; i < chunk_count_; ++i) {
    source_->FreePages(directory->chunks()[i].Load(), kChunkPages);
  }
  while (directory != &empty_directory_ && directory != nullptr) {
    Directory* retired = directory->retired;
    source_->FreePages(directory, DirectoryPages(directory->capacity));
    directory = retired;
  }
  directory_.Store(&empty_directory_);
  chunk_count_ = 0;
  high_water_ = 0;
  free_head_ = kNoSlot;
}

}  // namespace vos
