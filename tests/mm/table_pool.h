// A PageTableSource for tests and benchmarks: a fixed pool of frames taken
// from the simulated machine's RAM, handed out zeroed, with counts that let a
// test prove every table came back, and a way to make allocation fail.
// Create and use it inside a simulated machine (it calls the HAL); it takes
// its frames from the start of usable RAM, so one pool per machine.
#ifndef VERIDIAN_TESTS_MM_TABLE_POOL_H_
#define VERIDIAN_TESTS_MM_TABLE_POOL_H_

#include <cstddef>
#include <vector>

#include "src/mm/page_table.h"

namespace testing_support {

class TablePool final : public vos::PageTableSource {
 public:
  // Takes `frames` contiguous frames from the memory map.
  explicit TablePool(size_t frames);

  vos::Result<hal::PhysAddr> AllocTable() override;
  void FreeTable(hal::PhysAddr table) override;

  // Makes every allocation after the next `successes` fail with kNoMemory.
  void FailAfter(size_t successes) { fail_after_ = successes; }
  void NeverFail() { fail_after_ = kNever; }

  size_t outstanding() const { return outstanding_; }
  size_t allocations() const { return allocations_; }
  // Frees of frames that were not outstanding (double frees, strangers).
  size_t bad_frees() const { return bad_frees_; }

 private:
  static constexpr size_t kNever = ~size_t{0};

  hal::PhysAddr base_ = 0;
  std::vector<hal::PhysAddr> free_;
  std::vector<bool> in_use_;  // By frame index from base_.
  size_t outstanding_ = 0;
  size_t allocations_ = 0;
  size_t bad_frees_ = 0;
  size_t fail_after_ = kNever;
};

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_TABLE_POOL_H_
