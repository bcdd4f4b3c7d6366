// The Multiboot 1 information structure the boot loader passes in EBX (only
// the fields this backend reads).
#ifndef VERIDIAN_BACKENDS_X86_64_MULTIBOOT_H_
#define VERIDIAN_BACKENDS_X86_64_MULTIBOOT_H_

#include <cstdint>

namespace multiboot {

// In EAX at entry.
inline constexpr uint32_t kBootloaderMagic = 0x2BADB002;

// Info::flags bits: which fields are valid.
inline constexpr uint32_t kInfoCommandLine = 1 << 2;
inline constexpr uint32_t kInfoMemoryMap = 1 << 6;

struct __attribute__((packed)) Info {
  uint32_t flags;
  uint32_t mem_lower;
  uint32_t mem_upper;
  uint32_t boot_device;
  uint32_t command_line;  // Physical address of a NUL-terminated string.
  uint32_t module_count;
  uint32_t module_address;
  uint32_t symbols[4];
  uint32_t memory_map_length;   // In bytes.
  uint32_t memory_map_address;  // Physical address of MemoryMapEntry records.
};

// E820-style. `size` counts the bytes after itself: entries are
// size + 4 bytes apart.
struct __attribute__((packed)) MemoryMapEntry {
  uint32_t size;
  uint64_t base;
  uint64_t length;
  uint32_t type;
};

// MemoryMapEntry::type values.
inline constexpr uint32_t kMemoryAvailable = 1;
inline constexpr uint32_t kMemoryAcpiReclaimable = 3;
inline constexpr uint32_t kMemoryNvs = 4;
inline constexpr uint32_t kMemoryBad = 5;

}  // namespace multiboot

#endif  // VERIDIAN_BACKENDS_X86_64_MULTIBOOT_H_
