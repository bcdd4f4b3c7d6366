#include "sim/user_code.h"

#include <vector>

namespace sim {
namespace {

// Few entries (the catalog's programs and thread functions): a scan is fine.
std::vector<vos::user::Entry>& Entries() {
  static std::vector<vos::user::Entry> entries;
  return entries;
}

}  // namespace

uint64_t UserCodeAddress(vos::user::Entry entry) {
  std::vector<vos::user::Entry>& entries = Entries();
  size_t index = 0;
  while (index < entries.size() && entries[index] != entry) ++index;
  if (index == entries.size()) entries.push_back(entry);
  return kUserCodeBase + index * kUserCodeStride;
}

vos::user::Entry UserCodeAt(uint64_t address) {
  if (address < kUserCodeBase || (address - kUserCodeBase) % kUserCodeStride != 0) return nullptr;
  const uint64_t index = (address - kUserCodeBase) / kUserCodeStride;
  const std::vector<vos::user::Entry>& entries = Entries();
  return index < entries.size() ? entries[index] : nullptr;
}

}  // namespace sim
