#include "sim/schedule_index.h"

#include <bit>

namespace sim {
namespace {

// The position of the k-th (from 0) set bit of `bits`, which has more than
// k. Branch-light bit arithmetic: std::popcount is a library call unless the
// build targets a CPU with a popcount instruction.
uint32_t SelectBit(uint64_t bits, uint32_t k) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  uint64_t counts = bits - ((bits >> 1) & 0x5555555555555555ull);
  counts = (counts & 0x3333333333333333ull) + ((counts >> 2) & 0x3333333333333333ull);
  counts = (counts + (counts >> 4)) & 0x0f0f0f0f0f0f0f0full;  // Per byte.
  const uint64_t prefix = counts * kOnes;  // Byte i: bits set in bytes 0..i.
  uint32_t byte = 0;
  while ((prefix >> (8 * byte) & 0xff) <= k) ++byte;
  if (byte > 0) k -= static_cast<uint32_t>(prefix >> (8 * (byte - 1)) & 0xff);
  uint32_t in_byte = static_cast<uint32_t>(bits >> (8 * byte) & 0xff);
  for (; k > 0; --k) in_byte &= in_byte - 1;  // Drop the k lowest set bits.
  return 8 * byte + static_cast<uint32_t>(std::countr_zero(in_byte));
}

}  // namespace

ScheduleIndex::ScheduleIndex(uint32_t cpus, hal::Nanoseconds skew_window, bool track_candidates)
    : skew_window_(skew_window),
      track_candidates_(track_candidates),
      words_((cpus + 63) / 64),
      clocks_(cpus, 0),
      priorities_(cpus, 0),
      earliest_(cpus, kNever),
      waiting_(track_candidates ? cpus : 1, kNever),
      latest_(track_candidates ? cpus : 1, 0),
      priority_(track_candidates ? cpus : 1, 0),
      halted_(cpus, kNever) {}

void ScheduleIndex::Insert(hal::CpuId cpu, hal::Nanoseconds clock) {
  Put(runnable_, cpu, true);
  clocks_[cpu] = clock;
  earliest_.Set(cpu, clock);
  // A non-candidate until Update() says otherwise.
  if (track_candidates_) waiting_.Set(cpu, clock);
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
  if (Has(candidates_, cpu)) {
    latest_.Set(cpu, clock);
  } else {
    waiting_.Set(cpu, clock);
  }
}

void ScheduleIndex::SetCandidate(hal::CpuId cpu, bool candidate) {
  Put(candidates_, cpu, candidate);
  if (candidate) {
    ++candidate_count_;
    ++word_candidates_[cpu / 64];
    waiting_.Set(cpu, kNever);
    latest_.Set(cpu, clocks_[cpu]);
    priority_.Set(cpu, priorities_[cpu] + uint64_t{1});
  } else {
    --candidate_count_;
    --word_candidates_[cpu / 64];
    latest_.Set(cpu, 0);
    priority_.Set(cpu, 0);
    waiting_.Set(cpu, clocks_[cpu]);
  }
}

void ScheduleIndex::Update() {
  const hal::Nanoseconds earliest = Earliest();
  if (earliest == kNever) return;
  const hal::Nanoseconds horizon =
      earliest > kNever - skew_window_ ? kNever : earliest + skew_window_;
  while (candidate_count_ > 0 && latest_.winning_key() > horizon) {
    SetCandidate(static_cast<hal::CpuId>(latest_.winner()), false);
  }
  while (waiting_.winning_key() != kNever && waiting_.winning_key() <= horizon) {
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
  if (track_candidates_ && Has(candidates_, cpu)) priority_.Set(cpu, priority + uint64_t{1});
}

void ScheduleIndex::SetHalted(hal::CpuId cpu, hal::Nanoseconds interrupt_at) {
  halted_.Set(cpu, interrupt_at);
}

}  // namespace sim
