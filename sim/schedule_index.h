// What the machine's schedule of CPUs asks at every interleaving point,
// answered without scanning the CPUs:
//  - the earliest clock among the runnable CPUs;
//  - the candidates: the runnable CPUs whose clock is within the skew window
//    of that earliest one, counted, and the k-th of them by index (random
//    policy) or the one with the highest PCT priority;
//  - the next runnable CPU by index (round robin);
//  - the halted CPU whose next interrupt is due first.
// Tournament trees keep the clocks (all runnable CPUs; the runnable
// non-candidates apart), the halted CPUs' interrupt times and the
// candidates' PCT priorities: a change costs O(log N), usually less (a tree
// stops climbing where its winner is unaffected). The runnable and
// candidate sets are also bitmaps of kMaxCpus / 64 words, for k-th and
// next-by-index.
//
// Leaving the window costs no tree: clocks only grow, so the window's
// horizon (earliest clock + skew window) only moves back when a CPU starts
// or wakes behind the earliest clock; otherwise the only candidates that
// can fall beyond it are those whose clock moved, and SetClock checks those
// at once. A horizon that moved back is rare (a wake-up whose timer fell due
// behind every runnable CPU) and re-checks the candidates, O(N / 64 + their
// number).
//
// Clocks only change through SetClock/Insert, and never go back: the
// machine refreshes the running CPU's before each pick (the others' are
// frozen while they wait).
#ifndef VERIDIAN_SIM_SCHEDULE_INDEX_H_
#define VERIDIAN_SIM_SCHEDULE_INDEX_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/tournament_tree.h"
#include "src/hal/types.h"

namespace sim {

class ScheduleIndex {
 public:
  static constexpr hal::Nanoseconds kNever = ~hal::Nanoseconds{0};

  // What the policy asks: round robin needs only the earliest clock, the
  // runnable set and the halted CPUs; random adds the candidates; PCT adds
  // their priorities.
  enum class Tracking { kRunnable, kCandidates, kCandidatePriorities };

  ScheduleIndex(uint32_t cpus, hal::Nanoseconds skew_window, Tracking tracking);

  // --- Runnable CPUs. ---
  void Insert(hal::CpuId cpu, hal::Nanoseconds clock);  // Started or woken.
  void Erase(hal::CpuId cpu);                           // Halted.
  void SetClock(hal::CpuId cpu, hal::Nanoseconds clock);
  // kNever when no CPU is runnable.
  hal::Nanoseconds Earliest() const { return earliest_.winning_key(); }
  // The first runnable CPU after `cpu` by index, wrapping around (`cpu`
  // itself last, also when none is runnable). Inline: round robin's pick.
  hal::CpuId NextRunnableAfter(hal::CpuId cpu) const {
    // The bits above `cpu` in its word, the later words, then from CPU 0.
    size_t word = cpu / 64;
    const uint32_t shift = cpu % 64 + 1;
    uint64_t bits = shift == 64 ? 0 : runnable_[word] >> shift << shift;
    for (size_t step = 0; step <= words_; ++step) {
      if (bits != 0) return static_cast<hal::CpuId>(word * 64 + std::countr_zero(bits));
      word = word + 1 == words_ ? 0 : word + 1;
      bits = runnable_[word];
    }
    return cpu;
  }

  // --- Candidates (track_candidates): call Update() after changes. ---
  // Brings the candidate set up to date with the earliest clock.
  void Update();
  uint32_t candidate_count() const { return candidate_count_; }
  hal::CpuId KthCandidate(uint32_t k) const;  // k < candidate_count(), by index.
  // PCT (kCandidatePriorities): priorities are distinct; the candidate with
  // the highest one.
  void SetPriority(hal::CpuId cpu, uint32_t priority);
  hal::CpuId BestCandidate() const { return static_cast<hal::CpuId>(priority_.winner()); }

  // --- Halted CPUs and when their next interrupt is due. ---
  void SetHalted(hal::CpuId cpu, hal::Nanoseconds interrupt_at);
  void ClearHalted(hal::CpuId cpu) { halted_.Set(cpu, kNever); }
  // The halted CPU due first (lowest index on ties), and when; kNever if none.
  hal::CpuId FirstDueHalted() const { return static_cast<hal::CpuId>(halted_.winner()); }
  hal::Nanoseconds FirstDueTime() const { return halted_.winning_key(); }

 private:
  static constexpr size_t kWords = (hal::kMaxCpus + 63) / 64;
  using Bits = std::array<uint64_t, kWords>;
  static bool Has(const Bits& bits, hal::CpuId cpu) {
    return (bits[cpu / 64] >> (cpu % 64) & 1) != 0;
  }
  static void Put(Bits& bits, hal::CpuId cpu, bool value) {
    const uint64_t bit = uint64_t{1} << (cpu % 64);
    bits[cpu / 64] = value ? bits[cpu / 64] | bit : bits[cpu / 64] & ~bit;
  }
  void SetCandidate(hal::CpuId cpu, bool candidate);
  // Candidates beyond `horizon_` leave the window (after it moved back).
  void EvictBeyondHorizon();

  const hal::Nanoseconds skew_window_;
  const bool track_candidates_;
  const bool track_priorities_;
  const size_t words_;  // Of the bitmaps, in use: (cpus + 63) / 64.
  std::vector<hal::Nanoseconds> clocks_;
  std::vector<uint32_t> priorities_;
  Bits runnable_{};
  Bits candidates_{};
  uint32_t candidate_count_ = 0;
  hal::Nanoseconds horizon_ = 0;     // As of the last Update().
  bool horizon_moved_back_ = false;  // Since then.
  std::array<uint32_t, kWords> word_candidates_{};  // Per word of candidates_.
  TournamentTree<Tournament::kMin> earliest_;   // Runnable: clock; else kNever.
  TournamentTree<Tournament::kMin> waiting_;    // Runnable non-candidates: clock.
  TournamentTree<Tournament::kMax> priority_;   // Candidates: priority + 1; else 0.
  TournamentTree<Tournament::kMin> halted_;     // Halted: interrupt time; else kNever.
};

}  // namespace sim

#endif  // VERIDIAN_SIM_SCHEDULE_INDEX_H_
