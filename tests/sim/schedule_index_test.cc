// The schedule index against a plain scan of the CPUs (what the machine did
// before it): random starts, halts, wakes, clock steps and priority changes
// on 1 to 256 CPUs, checking every answer after each step.
#include "sim/schedule_index.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "sim/prng.h"
#include "sim/tournament_tree.h"

namespace sim {
namespace {

constexpr hal::Nanoseconds kNever = ScheduleIndex::kNever;
constexpr hal::Nanoseconds kWindow = 2'000;

struct Reference {
  struct Cpu {
    bool runnable = false;
    bool halted = false;
    hal::Nanoseconds clock = 0;
    hal::Nanoseconds interrupt_at = kNever;
    uint32_t priority = 0;
  };
  std::vector<Cpu> cpus;

  hal::Nanoseconds Earliest() const {
    hal::Nanoseconds earliest = kNever;
    for (const Cpu& cpu : cpus) {
      if (cpu.runnable) earliest = std::min(earliest, cpu.clock);
    }
    return earliest;
  }
  std::vector<hal::CpuId> Candidates() const {
    std::vector<hal::CpuId> candidates;
    const hal::Nanoseconds horizon = Earliest() + kWindow;
    for (hal::CpuId id = 0; id < cpus.size(); ++id) {
      if (cpus[id].runnable && cpus[id].clock <= horizon) candidates.push_back(id);
    }
    return candidates;
  }
};

void CheckAgainstReference(const ScheduleIndex& index, const Reference& reference,
                           ScheduleIndex::Tracking tracking) {
  ASSERT_EQ(index.Earliest(), reference.Earliest());
  hal::Nanoseconds first_due = kNever;
  hal::CpuId first_due_cpu = 0;
  for (hal::CpuId id = 0; id < reference.cpus.size(); ++id) {
    const Reference::Cpu& cpu = reference.cpus[id];
    if (cpu.halted && cpu.interrupt_at < first_due) {
      first_due = cpu.interrupt_at;
      first_due_cpu = id;
    }
    // Round robin: the next runnable by index, wrapping, this CPU last.
    hal::CpuId next = id;
    for (size_t step = 1; step <= reference.cpus.size(); ++step) {
      const hal::CpuId candidate = static_cast<hal::CpuId>((id + step) % reference.cpus.size());
      if (reference.cpus[candidate].runnable) {
        next = candidate;
        break;
      }
    }
    ASSERT_EQ(index.NextRunnableAfter(id), next) << "after cpu " << id;
  }
  ASSERT_EQ(index.FirstDueTime(), first_due);
  if (first_due != kNever) {
    ASSERT_EQ(index.FirstDueHalted(), first_due_cpu);
  }
  if (reference.Earliest() == kNever) return;
  const std::vector<hal::CpuId> candidates = reference.Candidates();
  ASSERT_EQ(index.candidate_count(), candidates.size());
  hal::CpuId best = candidates[0];
  for (uint32_t k = 0; k < candidates.size(); ++k) {
    ASSERT_EQ(index.KthCandidate(k), candidates[k]) << "k " << k;
    if (reference.cpus[candidates[k]].priority > reference.cpus[best].priority) {
      best = candidates[k];
    }
  }
  if (tracking == ScheduleIndex::Tracking::kCandidatePriorities) {
    ASSERT_EQ(index.BestCandidate(), best);
  }
}

void RunRandomOperations(uint32_t cpu_count, uint64_t seed, int steps,
                         ScheduleIndex::Tracking tracking) {
  Prng prng(seed);
  ScheduleIndex index(cpu_count, kWindow, tracking);
  Reference reference;
  reference.cpus.resize(cpu_count);
  for (hal::CpuId id = 0; id < cpu_count; ++id) {
    reference.cpus[id].priority = 1000 + id;  // Distinct, as PCT's are.
    index.SetPriority(id, reference.cpus[id].priority);
  }
  reference.cpus[0].runnable = true;
  index.Insert(0, 0);
  index.Update();
  uint32_t next_low_priority = 999;
  for (int step = 0; step < steps; ++step) {
    const hal::CpuId id = prng.Below(cpu_count);
    Reference::Cpu& cpu = reference.cpus[id];
    const hal::Nanoseconds earliest = reference.Earliest();
    const hal::Nanoseconds base = earliest == kNever ? cpu.clock : earliest;
    switch (prng.Below(8)) {
      case 0:  // Start or wake, at or after its own clock, maybe behind the earliest.
        if (cpu.runnable) break;
        cpu.clock =
            std::max(cpu.clock, base - std::min<hal::Nanoseconds>(base, prng.Below(kWindow)) +
                                    prng.Below(3 * kWindow));
        cpu.runnable = true;
        cpu.halted = false;
        cpu.interrupt_at = kNever;
        index.ClearHalted(id);
        index.Insert(id, cpu.clock);
        break;
      case 1:  // Halt, with or without a timer.
        if (!cpu.runnable || reference.Candidates().size() < 2) break;
        cpu.runnable = false;
        cpu.halted = true;
        cpu.interrupt_at = prng.Below(2) == 0 ? kNever : cpu.clock + prng.Below(4 * kWindow);
        index.Erase(id);
        index.SetHalted(id, cpu.interrupt_at);
        break;
      case 2:  // A halted CPU's next interrupt moves (a delayed IPI).
        if (!cpu.halted) break;
        cpu.interrupt_at = std::min(cpu.interrupt_at, cpu.clock + prng.Below(kWindow));
        index.SetHalted(id, cpu.interrupt_at);
        break;
      case 3:  // PCT lowers a CPU below every other.
        cpu.priority = next_low_priority--;
        index.SetPriority(id, cpu.priority);
        break;
      default:  // A step of a running CPU.
        if (!cpu.runnable) break;
        cpu.clock += 1 + prng.Below(300);
        index.SetClock(id, cpu.clock);
        break;
    }
    // The machine may change several CPUs between picks.
    if (prng.Below(3) == 0) continue;
    index.Update();
    ASSERT_NO_FATAL_FAILURE(CheckAgainstReference(index, reference, tracking)) << "step " << step;
  }
}

TEST(ScheduleIndexTest, MatchesAScanOfTheCpus) {
  for (uint32_t cpus : {1u, 2u, 3u, 4u, 7u, 64u, 65u, 200u, 256u}) {
    SCOPED_TRACE(cpus);
    for (auto tracking : {ScheduleIndex::Tracking::kCandidates,
                          ScheduleIndex::Tracking::kCandidatePriorities}) {
      RunRandomOperations(cpus, cpus * 7919ull, cpus >= 64 ? 3'000 : 6'000, tracking);
    }
  }
}

TEST(TournamentTreeTest, LowestIndexWinsTies) {
  TournamentTree<Tournament::kMin> low(5, 10);
  EXPECT_EQ(low.winner(), 0u);
  low.Set(3, 4);
  low.Set(4, 4);
  EXPECT_EQ(low.winner(), 3u);
  low.Set(3, 11);
  EXPECT_EQ(low.winner(), 4u);
  EXPECT_EQ(low.winning_key(), 4u);
  TournamentTree<Tournament::kMax> high(3, 0);
  high.Set(2, 9);
  high.Set(1, 9);
  EXPECT_EQ(high.winner(), 1u);
}

}  // namespace
}  // namespace sim
