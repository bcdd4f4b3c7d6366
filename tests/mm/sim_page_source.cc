#include "tests/mm/sim_page_source.h"

#include <cstring>

#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/lib/panic.h"
#include "src/mm/direct_map_ranges.h"

namespace testing_support {

SimPageSource::SimPageSource(bool poison, bool declare_ranges)
    : poison_(poison), declare_ranges_(declare_ranges) {
  boot_.Init(hal::GetMemoryMap());
}

vos::Result<void*> SimPageSource::AllocPages(size_t count) {
  vos::SpinLockGuard guard(lock_);
  ++alloc_calls_;
  if (count == 0 || outstanding_ + count > limit_) return vos::Status::kNoMemory;
  void* pages = nullptr;
  if (auto reuse = reusable_.find(count); reuse != reusable_.end()) {
    pages = reuse->second;
    reusable_.erase(reuse);
  } else {
    vos::Result<hal::PhysAddr> fresh = boot_.AllocPages(count);
    if (!fresh.ok()) return fresh.status();
    pages = hal::PhysToVirt(*fresh);
    if (poison_) std::memset(pages, kPoison, count * hal::kPageSize);
  }
  live_.emplace(pages, count);
  outstanding_ += count;
  return pages;
}

void SimPageSource::FreePages(void* pages, size_t count) {
  vos::SpinLockGuard guard(lock_);
  ++free_calls_;
  auto run = live_.find(pages);
  if (run == live_.end() || run->second != count) {
    vos::Panic("SimPageSource: FreePages(%p, %zu) is not a run it handed out", pages, count);
  }
  live_.erase(run);
  outstanding_ -= count;
  if (poison_) std::memset(pages, kPoison, count * hal::kPageSize);
  reusable_.emplace(count, pages);
}

size_t SimPageSource::AddressRanges(
    std::span<vos::AddressRange, vos::PageSource::kMaxRanges> ranges) const {
  return declare_ranges_ ? vos::DirectMapRanges(hal::GetMemoryMap(), ranges) : 0;
}

size_t SimPageSource::outstanding_pages() const {
  vos::SpinLockGuard guard(lock_);
  return outstanding_;
}

size_t SimPageSource::alloc_calls() const {
  vos::SpinLockGuard guard(lock_);
  return alloc_calls_;
}

size_t SimPageSource::free_calls() const {
  vos::SpinLockGuard guard(lock_);
  return free_calls_;
}

void SimPageSource::set_limit(size_t pages) {
  vos::SpinLockGuard guard(lock_);
  limit_ = pages;
}

}  // namespace testing_support
