// A tournament tree over a fixed number of keyed slots: the winning slot
// (smallest key for kMin, largest for kMax; the lowest index on ties) in
// O(1), and a key change in O(log N) that stops climbing as soon as the
// winner of a subtree is neither the changed slot nor a new one.
#ifndef VERIDIAN_SIM_TOURNAMENT_TREE_H_
#define VERIDIAN_SIM_TOURNAMENT_TREE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

enum class Tournament { kMin, kMax };

template <Tournament kOrder>
class TournamentTree {
 public:
  // `slots` slots, every key `initial`.
  TournamentTree(size_t slots, uint64_t initial) {
    while (leaves_ < slots) leaves_ *= 2;
    keys_.assign(leaves_, initial);
    winners_.resize(2 * leaves_);
    for (size_t i = 0; i < leaves_; ++i) winners_[leaves_ + i] = static_cast<uint32_t>(i);
    for (size_t node = leaves_ - 1; node >= 1; --node) {
      winners_[node] = Better(winners_[2 * node], winners_[2 * node + 1]);
    }
  }

  size_t winner() const { return winners_[1]; }
  uint64_t winning_key() const { return keys_[winners_[1]]; }

  void Set(size_t slot, uint64_t key) {
    keys_[slot] = key;
    for (size_t node = (leaves_ + slot) / 2; node >= 1; node /= 2) {
      const uint32_t winner = Better(winners_[2 * node], winners_[2 * node + 1]);
      // Neither the old nor the new winner here is `slot`: nothing above changes.
      if (winner == winners_[node] && winner != slot) return;
      winners_[node] = winner;
    }
  }

 private:
  // The left slot (the lower indices) wins ties.
  uint32_t Better(uint32_t left, uint32_t right) const {
    if constexpr (kOrder == Tournament::kMin) {
      return keys_[left] <= keys_[right] ? left : right;
    } else {
      return keys_[left] >= keys_[right] ? left : right;
    }
  }

  size_t leaves_ = 1;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> winners_;  // Node n's children are 2n and 2n+1; leaves from leaves_.
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TOURNAMENT_TREE_H_
