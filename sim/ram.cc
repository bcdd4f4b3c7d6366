#include "sim/ram.h"

#include <sys/mman.h>

#include <memory>

#include "absl/strings/str_format.h"

namespace sim {
namespace {

constexpr uint64_t kMiB = 1 << 20;
// Holes a PC firmware leaves in node 0: the real-mode IVT/BDA page, the
// legacy VGA/BIOS area, and ACPI tables at the top.
constexpr hal::PhysAddr kLegacyHoleBegin = 0x9f000;
constexpr hal::PhysAddr kLegacyHoleEnd = 0x100000;
constexpr uint64_t kAcpiBytes = 64 * 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<Ram>> Ram::Create(uint32_t nodes, uint64_t bytes_per_node) {
  if (nodes == 0 || nodes > hal::kMaxNumaNodes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("numa nodes must be 1..%d, got %u", hal::kMaxNumaNodes, nodes));
  }
  if (bytes_per_node < 4 * kMiB || bytes_per_node % kMiB != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "RAM per NUMA node must be a whole number of MiB, at least 4 MiB; got %u bytes",
        bytes_per_node));
  }
  std::unique_ptr<Ram> ram(new Ram(bytes_per_node));
  for (uint32_t node = 0; node < nodes; ++node) {
    void* memory = mmap(nullptr, bytes_per_node, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
      return absl::ResourceExhaustedError(
          absl::StrFormat("cannot mmap %u MiB of simulated RAM for node %u",
                          bytes_per_node / kMiB, node));
    }
    ram->nodes_.push_back(static_cast<char*>(memory));
  }
  ram->BuildMemoryMap();
  return ram;
}

Ram::~Ram() {
  for (char* node : nodes_) munmap(node, bytes_per_node_);
}

void Ram::BuildMemoryMap() {
  const uint8_t count = static_cast<uint8_t>(nodes_.size());
  auto add = [this](hal::PhysAddr begin, hal::PhysAddr end, hal::MemoryType type, uint8_t node) {
    regions_.push_back({begin, end - begin, type, node});
  };
  for (uint8_t node = 0; node < count; ++node) {
    const hal::PhysAddr base = bytes_per_node_ * node;
    const hal::PhysAddr end = base + bytes_per_node_;
    if (node == 0) {
      add(0, 0x1000, hal::MemoryType::kReserved, 0);
      add(0x1000, kLegacyHoleBegin, hal::MemoryType::kUsable, 0);
      add(kLegacyHoleBegin, kLegacyHoleEnd, hal::MemoryType::kReserved, 0);
      add(kLegacyHoleEnd, end - kAcpiBytes, hal::MemoryType::kUsable, 0);
      add(end - kAcpiBytes, end, hal::MemoryType::kAcpiReclaim, 0);
    } else {
      add(base, end, hal::MemoryType::kUsable, node);
    }
  }
  // Remote nodes are twice as far as the local one (ACPI SLIT convention).
  for (uint8_t a = 0; a < count; ++a) {
    for (uint8_t b = 0; b < count; ++b) distances_.push_back(a == b ? 10 : 20);
  }
  map_ = {regions_.data(), regions_.size(), count, distances_.data()};
}

hal::PhysAddr Ram::PhysicalAddress(const void* host) const {
  const char* p = static_cast<const char*>(host);
  for (size_t node = 0; node < nodes_.size(); ++node) {
    if (p >= nodes_[node] && p < nodes_[node] + bytes_per_node_) {
      return node * bytes_per_node_ + static_cast<uint64_t>(p - nodes_[node]);
    }
  }
  return ~hal::PhysAddr{0};
}

}  // namespace sim
