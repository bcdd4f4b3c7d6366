// The locks a user thread holds through the sync syscalls
// (src/syscall/sync_syscalls.cc), each with a reference to its object: how
// an unlock checks that the caller holds what it releases, and how a thread
// that exits (or whose process dies) holding locks gives them back.
// Only the thread itself touches its table, so it needs no lock.
#ifndef VERIDIAN_SRC_PROC_HELD_LOCKS_H_
#define VERIDIAN_SRC_PROC_HELD_LOCKS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "src/cap/object.h"

namespace vos {

class HeldLocks {
 public:
  // Locks one thread may hold at once (more: the lock call fails).
  static constexpr size_t kCapacity = 16;
  enum class Mode : uint8_t { kNone, kMutex, kRead, kWrite };
  struct Entry {
    KernelObject* object = nullptr;  // Owns one reference.
    Mode mode = Mode::kNone;
  };

  // How `object` is held, kNone if it is not.
  Mode Find(const KernelObject* object) const {
    for (const Entry& entry : entries_) {
      if (entry.object == object) return entry.mode;
    }
    return Mode::kNone;
  }
  bool full() const { return count_ == kCapacity; }

  // Records a hold (not full(), not held yet), taking over a reference.
  void Add(KernelObject* object, Mode mode) {
    for (Entry& entry : entries_) {
      if (entry.object == nullptr) {
        entry = Entry{object, mode};
        ++count_;
        return;
      }
    }
  }
  // Forgets the hold of `object` and returns its reference (null if none).
  KernelObject* Remove(const KernelObject* object) {
    for (Entry& entry : entries_) {
      if (entry.object == object) {
        KernelObject* held = entry.object;
        entry = Entry{};
        --count_;
        return held;
      }
    }
    return nullptr;
  }
  // Takes any one hold out of the table; an empty Entry when there is none.
  Entry TakeAny() {
    for (Entry& entry : entries_) {
      if (entry.object != nullptr) {
        const Entry taken = entry;
        entry = Entry{};
        --count_;
        return taken;
      }
    }
    return Entry{};
  }

 private:
  std::array<Entry, kCapacity> entries_{};
  size_t count_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_HELD_LOCKS_H_
