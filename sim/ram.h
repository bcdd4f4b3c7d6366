// Simulated physical RAM: one mmap'd region per NUMA node, described to the
// kernel by a bootloader-style memory map with reserved holes.
#ifndef VERIDIAN_SIM_RAM_H_
#define VERIDIAN_SIM_RAM_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "src/hal/memory_map.h"

namespace sim {

class Ram {
 public:
  // Node n occupies physical [n * bytes_per_node, (n+1) * bytes_per_node).
  static absl::StatusOr<std::unique_ptr<Ram>> Create(uint32_t nodes, uint64_t bytes_per_node);
  ~Ram();

  const hal::MemoryMap& memory_map() const { return map_; }
  // Host address of a physical address; nullptr outside RAM. Inline, a
  // compare per node rather than a 64-bit division: every user copy asks
  // once per page.
  void* HostAddress(hal::PhysAddr address) const {
    for (char* node : nodes_) {
      if (address < bytes_per_node_) return node + address;
      address -= bytes_per_node_;
    }
    return nullptr;
  }
  // Physical address of a host pointer into RAM; ~0 outside RAM.
  hal::PhysAddr PhysicalAddress(const void* host) const;
  uint64_t total_bytes() const { return bytes_per_node_ * nodes_.size(); }

 private:
  Ram(uint64_t bytes_per_node) : bytes_per_node_(bytes_per_node) {}
  void BuildMemoryMap();

  uint64_t bytes_per_node_;
  std::vector<char*> nodes_;
  std::vector<hal::MemoryRegion> regions_;
  std::vector<uint8_t> distances_;
  hal::MemoryMap map_{};
};

}  // namespace sim

#endif  // VERIDIAN_SIM_RAM_H_
