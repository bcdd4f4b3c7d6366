#include "src/mm/magazine.h"

#include "src/lib/assert.h"

namespace vos {

Magazine* Depot::Pop(Magazine*& stack) {
  Magazine* magazine = stack;
  if (magazine != nullptr) {
    stack = magazine->next;
    magazine->next = nullptr;
  }
  return magazine;
}

Magazine* Depot::TakeFull() {
  SpinLockGuard guard(lock_);
  Magazine* magazine = Pop(full_);
  if (magazine != nullptr) {
    --full_count_;
    rounds_ -= magazine->count;
  }
  return magazine;
}

Magazine* Depot::TakeEmpty() {
  SpinLockGuard guard(lock_);
  Magazine* magazine = Pop(empty_);
  if (magazine != nullptr) --empty_count_;
  return magazine;
}

bool Depot::PutFull(Magazine* magazine) {
  VOS_ASSERT(CpuMagazines::IsReal(magazine) && magazine->count > 0);
  SpinLockGuard guard(lock_);
  if (full_count_ == kMaxFull) return false;
  magazine->next = full_;
  full_ = magazine;
  ++full_count_;
  rounds_ += magazine->count;
  return true;
}

void Depot::PutEmpty(Magazine* magazine) {
  VOS_ASSERT(CpuMagazines::IsReal(magazine) && magazine->count == 0);
  SpinLockGuard guard(lock_);
  magazine->next = empty_;
  empty_ = magazine;
  ++empty_count_;
}

size_t Depot::rounds() const {
  SpinLockGuard guard(lock_);
  return rounds_;
}

size_t Depot::magazines() const {
  SpinLockGuard guard(lock_);
  return full_count_ + empty_count_;
}

}  // namespace vos
