// Printable names of HAL enumerations, shared by every backend.
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/hal/trap.h"

namespace hal {

const char* TrapKindName(TrapKind kind) {
  switch (kind) {
    case TrapKind::kTimer: return "timer";
    case TrapKind::kIpi: return "ipi";
    case TrapKind::kDevice: return "device";
    case TrapKind::kPageFault: return "page-fault";
    case TrapKind::kSyscall: return "syscall";
    case TrapKind::kException: return "exception";
  }
  return "unknown";
}

const char* PageTableFormatName(PageTableFormat format) {
  switch (format) {
    case PageTableFormat::kX86_64: return "x86_64";
    case PageTableFormat::kAarch64: return "aarch64";
    case PageTableFormat::kSv39: return "sv39";
    case PageTableFormat::kSv48: return "sv48";
  }
  return "unknown";
}

const char* MemoryTypeName(MemoryType type) {
  switch (type) {
    case MemoryType::kUsable: return "usable";
    case MemoryType::kReserved: return "reserved";
    case MemoryType::kAcpiReclaim: return "acpi-reclaim";
    case MemoryType::kAcpiNvs: return "acpi-nvs";
    case MemoryType::kBad: return "bad";
  }
  return "unknown";
}

}  // namespace hal
