#include "src/lib/cpu_mask.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

// NextFrom and ForEachFrom against the one-CPU-at-a-time definition.
hal::CpuId SlowNextFrom(const CpuMask& mask, hal::CpuId start, uint32_t limit) {
  for (uint32_t step = 0; step < limit; ++step) {
    hal::CpuId cpu = start + step;
    if (cpu >= limit) cpu -= limit;
    if (mask.Has(cpu)) return cpu;
  }
  return CpuMask::kNone;
}

CpuMask MaskOf(std::initializer_list<hal::CpuId> cpus) {
  CpuMask mask;
  for (hal::CpuId cpu : cpus) mask.Set(cpu);
  return mask;
}

TEST(CpuMaskTest, NextFromMatchesAScanAcrossWordsAndLimits) {
  const CpuMask masks[] = {CpuMask(), MaskOf({0}), MaskOf({63}), MaskOf({64}),
                           MaskOf({5, 70, 130, 255}), MaskOf({1, 2, 3, 200}),
                           CpuMask::FirstN(hal::kMaxCpus)};
  const uint32_t limits[] = {1, 2, 63, 64, 65, 128, 131, 256};
  for (const CpuMask& mask : masks) {
    for (uint32_t limit : limits) {
      if (limit > hal::kMaxCpus) continue;
      for (hal::CpuId start = 0; start <= limit; ++start) {
        const hal::CpuId expected = SlowNextFrom(mask, start == limit ? 0 : start, limit);
        EXPECT_EQ(mask.NextFrom(start, limit), expected) << "start " << start << " limit " << limit;
      }
    }
  }
}

TEST(CpuMaskTest, ForEachFromVisitsInWrapAroundOrder) {
  const CpuMask mask = MaskOf({2, 63, 64, 100, 190});
  std::vector<hal::CpuId> seen;
  mask.ForEachFrom(64, 191, [&](hal::CpuId cpu) { seen.push_back(cpu); });
  EXPECT_EQ(seen, (std::vector<hal::CpuId>{64, 100, 190, 2, 63}));
  seen.clear();
  mask.ForEachFrom(101, 128, [&](hal::CpuId cpu) { seen.push_back(cpu); });  // 190 beyond limit.
  EXPECT_EQ(seen, (std::vector<hal::CpuId>{2, 63, 64, 100}));
  seen.clear();
  CpuMask().ForEachFrom(0, 256, [&](hal::CpuId cpu) { seen.push_back(cpu); });
  EXPECT_TRUE(seen.empty());
}

TEST(CpuMaskTest, FromWordsKeepsTheBits) {
  std::array<uint64_t, CpuMask::kWords> words{};
  words[0] = 0b101;
  words[CpuMask::kWords - 1] = uint64_t{1} << 63;
  const CpuMask mask = CpuMask::FromWords(words);
  EXPECT_TRUE(mask.Has(0));
  EXPECT_FALSE(mask.Has(1));
  EXPECT_TRUE(mask.Has(2));
  EXPECT_TRUE(mask.Has(hal::kMaxCpus - 1));
  EXPECT_EQ(mask.Count(), 3u);
}

TEST(AtomicCpuMaskTest, TestAndClearTellsWhetherThisCallClearedTheBit) {
  testing_support::ExpectPoweredOff(
      testing_support::RunInMachine(testing_support::SmallMachine(), [] {
        AtomicCpuMask mask;
        mask.Set(3);
        mask.Set(hal::kMaxCpus - 1);
        EXPECT_TRUE(mask.TestAndClear(3));
        EXPECT_FALSE(mask.TestAndClear(3));
        EXPECT_FALSE(mask.Has(3));
        EXPECT_FALSE(mask.TestAndClear(4));
        EXPECT_TRUE(mask.TestAndClear(hal::kMaxCpus - 1));
        EXPECT_EQ(mask.Snapshot().Count(), 0u);
      }));
}

}  // namespace
}  // namespace vos
