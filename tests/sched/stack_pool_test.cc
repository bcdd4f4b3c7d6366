// StackPool hands out size-aligned stacks from its region, each once, until
// it runs out, and takes them back.
#include "src/sched/stack_pool.h"

#include <cstdint>
#include <cstdlib>
#include <set>

#include "gtest/gtest.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

TEST(StackPoolTest, AlignedDistinctStacksUntilExhausted) {
  // Four stacks' worth, deliberately misaligned by one page: three fit.
  constexpr size_t kRegion = 4 * kKernelStackSize;
  char* region = static_cast<char*>(std::aligned_alloc(kKernelStackSize, kRegion));
  auto result = testing_support::RunInMachine(testing_support::SmallMachine(1), [&] {
    StackPool pool(region + 4096, kRegion - 4096);
    EXPECT_EQ(pool.capacity(), 3u);
    std::set<void*> stacks;
    for (int i = 0; i < 3; ++i) {
      Result<void*> stack = pool.AllocateStack();
      ASSERT_TRUE(stack.ok());
      const uintptr_t address = reinterpret_cast<uintptr_t>(*stack);
      EXPECT_EQ(address % kKernelStackSize, 0u);
      EXPECT_GE(address, reinterpret_cast<uintptr_t>(region) + 4096);
      EXPECT_LE(address + kKernelStackSize, reinterpret_cast<uintptr_t>(region) + kRegion);
      stacks.insert(*stack);
    }
    EXPECT_EQ(stacks.size(), 3u);
    EXPECT_EQ(pool.AllocateStack().status(), Status::kNoMemory);
    pool.FreeStack(*stacks.begin());
    EXPECT_EQ(pool.free_count(), 1u);
    Result<void*> again = pool.AllocateStack();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *stacks.begin());
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
  std::free(region);
}

}  // namespace
}  // namespace vos
