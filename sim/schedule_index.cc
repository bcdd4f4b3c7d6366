#include "sim/schedule_index.h"

#include <array>
#include <bit>

namespace sim {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;  // 1 in every byte.
constexpr uint64_t kHighs = 0x8080808080808080ull;  // Every byte's top bit.

// kSelectInByte[k][byte]: the position of the k-th (from 0) set bit of
// `byte` (8 when it has k or fewer).
constexpr auto kSelectInByte = [] {
  std::array<std::array<uint8_t, 256>, 8> table{};
  for (uint32_t k = 0; k < 8; ++k) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      uint32_t seen = 0;
      uint8_t position = 8;
      for (uint32_t bit = 0; bit < 8; ++bit) {
        if ((byte >> bit & 1) != 0 && seen++ == k) {
          position = static_cast<uint8_t>(bit);
          break;
        }
      }
      table[k][byte] = position;
    }
  }
  return table;
}();

// The position of the k-th (from 0) set bit of `bits`, which has more than
// k. Branch-free broadword arithmetic (std::popcount is a library call unless
// the build targets a CPU with a popcount instruction): per-byte counts, their
// prefix sums in one multiply, the byte holding the k-th bit by comparing all
// eight sums with k at once, then a table inside that byte.
uint32_t SelectBit(uint64_t bits, uint32_t k) {
  uint64_t counts = bits - ((bits >> 1) & 0x5555555555555555ull);
  counts = (counts & 0x3333333333333333ull) + ((counts >> 2) & 0x3333333333333333ull);
  counts = (counts + (counts >> 4)) & 0x0f0f0f0f0f0f0f0full;  // Per byte.
  const uint64_t prefix = counts * kOnes;  // Byte i: bits set in bytes 0..i (at most 64).
  // Top bit of byte i set when prefix byte i <= k: the k-th bit is beyond byte i.
  const uint64_t beyond = ((k * kOnes | kHighs) - prefix) & kHighs;
  const uint32_t byte = static_cast<uint32_t>(((beyond >> 7) * kOnes) >> 56);  // How many.
  const uint32_t shift = 8 * byte;
  const uint32_t before = static_cast<uint32_t>((prefix << 8) >> shift & 0xff);
  return shift + kSelectInByte[k - before][bits >> shift & 0xff];
}

}  // namespace

ScheduleIndex::ScheduleIndex(uint32_t cpus, hal::Nanoseconds skew_window, Tracking tracking)
    : skew_window_(skew_window),
      track_candidates_(tracking != Tracking::kRunnable),
      track_priorities_(tracking == Tracking::kCandidatePriorities),
      words_((cpus + 63) / 64),
      clocks_(cpus, 0),
      priorities_(cpus, 0),
      earliest_(cpus, kNever),
      waiting_(track_candidates_ ? cpus : 1, kNever),
      priority_(track_priorities_ ? cpus : 1, 0),
      halted_(cpus, kNever) {}

void ScheduleIndex::Insert(hal::CpuId cpu, hal::Nanoseconds clock) {
  if (track_candidates_) {
    if (candidate_count_ > 0 && clock < Earliest()) horizon_moved_back_ = true;
    // A non-candidate until Update() says otherwise.
    waiting_.Set(cpu, clock);
  }
  Put(runnable_, cpu, true);
  clocks_[cpu] = clock;
  earliest_.Set(cpu, clock);
}

void ScheduleIndex::Erase(hal::CpuId cpu) {
  if (track_candidates_) {
    if (Has(candidates_, cpu)) SetCandidate(cpu, false);
    waiting_.Set(cpu, kNever);
  }
  Put(runnable_, cpu, false);
  earliest_.Set(cpu, kNever);
}

void ScheduleIndex::SetClock(hal::CpuId cpu, hal::Nanoseconds clock) {
  if (clocks_[cpu] == clock) return;
  clocks_[cpu] = clock;
  if (!Has(runnable_, cpu)) return;
  earliest_.Set(cpu, clock);
  if (!track_candidates_) return;
  if (!Has(candidates_, cpu)) {
    waiting_.Set(cpu, clock);
  } else if (clock > horizon_) {
    // Out of the window, unless Update() finds that the horizon moved as far
    // (this CPU held the earliest clock): then it comes straight back.
    SetCandidate(cpu, false);
  }
}

void ScheduleIndex::SetCandidate(hal::CpuId cpu, bool candidate) {
  Put(candidates_, cpu, candidate);
  if (candidate) {
    ++candidate_count_;
    ++word_candidates_[cpu / 64];
    waiting_.Set(cpu, kNever);
    if (track_priorities_) priority_.Set(cpu, priorities_[cpu] + uint64_t{1});
  } else {
    --candidate_count_;
    --word_candidates_[cpu / 64];
    if (track_priorities_) priority_.Set(cpu, 0);
    waiting_.Set(cpu, clocks_[cpu]);
  }
}

void ScheduleIndex::EvictBeyondHorizon() {
  for (size_t word = 0; word < words_; ++word) {
    for (uint64_t bits = candidates_[word]; bits != 0; bits &= bits - 1) {
      const auto cpu = static_cast<hal::CpuId>(word * 64 + std::countr_zero(bits));
      if (clocks_[cpu] > horizon_) SetCandidate(cpu, false);
    }
  }
}

void ScheduleIndex::Update() {
  const hal::Nanoseconds earliest = Earliest();
  if (earliest == kNever) return;
  horizon_ = earliest > kNever - skew_window_ ? kNever : earliest + skew_window_;
  if (horizon_moved_back_) {
    horizon_moved_back_ = false;
    EvictBeyondHorizon();
  }
  while (waiting_.winning_key() != kNever && waiting_.winning_key() <= horizon_) {
    SetCandidate(static_cast<hal::CpuId>(waiting_.winner()), true);
  }
}

hal::CpuId ScheduleIndex::KthCandidate(uint32_t k) const {
  for (size_t word = 0; word < words_; ++word) {
    if (k < word_candidates_[word]) {
      return static_cast<hal::CpuId>(word * 64 + SelectBit(candidates_[word], k));
    }
    k -= word_candidates_[word];
  }
  return 0;  // Unreachable for k < candidate_count().
}

void ScheduleIndex::SetPriority(hal::CpuId cpu, uint32_t priority) {
  priorities_[cpu] = priority;
  if (track_priorities_ && Has(candidates_, cpu)) priority_.Set(cpu, priority + uint64_t{1});
}

void ScheduleIndex::SetHalted(hal::CpuId cpu, hal::Nanoseconds interrupt_at) {
  halted_.Set(cpu, interrupt_at);
}

}  // namespace sim
