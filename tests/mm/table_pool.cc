#include "tests/mm/table_pool.h"

#include <cstring>

#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/lib/assert.h"
#include "src/mm/boot_allocator.h"

namespace testing_support {

TablePool::TablePool(size_t frames) : in_use_(frames, false) {
  vos::BootAllocator boot;
  boot.Init(hal::GetMemoryMap());
  vos::Result<hal::PhysAddr> run = boot.AllocPages(frames);
  VOS_ASSERT_MSG(run.ok(), "no room for a pool of %zu frames", frames);
  base_ = *run;
  // Lowest address first, so tables are laid out predictably.
  for (size_t i = frames; i-- > 0;) free_.push_back(base_ + i * hal::kPageSize);
}

vos::Result<hal::PhysAddr> TablePool::AllocTable() {
  if (fail_after_ == 0 || free_.empty()) return vos::Status::kNoMemory;
  if (fail_after_ != kNever) --fail_after_;
  const hal::PhysAddr table = free_.back();
  free_.pop_back();
  in_use_[(table - base_) / hal::kPageSize] = true;
  std::memset(hal::PhysToVirt(table), 0, hal::kPageSize);
  ++outstanding_;
  ++allocations_;
  return table;
}

void TablePool::FreeTable(hal::PhysAddr table) {
  const size_t index = (table - base_) / hal::kPageSize;
  if (table < base_ || table % hal::kPageSize != 0 || index >= in_use_.size() ||
      !in_use_[index]) {
    ++bad_frees_;
    return;
  }
  in_use_[index] = false;
  free_.push_back(table);
  --outstanding_;
}

}  // namespace testing_support
