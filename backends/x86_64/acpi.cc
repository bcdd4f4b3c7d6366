#include "backends/x86_64/acpi.h"

#include <cstddef>

namespace x86 {
namespace {

struct __attribute__((packed)) Rsdp {
  char signature[8];  // "RSD PTR "
  uint8_t checksum;   // Over the first 20 bytes (ACPI 1.0 part).
  char oem_id[6];
  uint8_t revision;   // 0: ACPI 1.0 (RSDT only); 2 and up: XSDT too.
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;  // Over `length` bytes.
  uint8_t reserved[3];
};

struct __attribute__((packed)) SdtHeader {
  char signature[4];
  uint32_t length;  // Including this header.
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  uint32_t creator_id;
  uint32_t creator_revision;
};

struct __attribute__((packed)) Madt {
  SdtHeader header;
  uint32_t local_apic_address;
  uint32_t flags;
  // Variable-length entries follow: {type, length, ...}.
};

struct __attribute__((packed)) MadtLocalApic {
  uint8_t type;  // kMadtLocalApic
  uint8_t length;
  uint8_t processor_uid;
  uint8_t apic_id;
  uint32_t flags;
};

constexpr uint8_t kMadtLocalApic = 0;
constexpr uint32_t kLocalApicEnabled = 1 << 0;
constexpr size_t kRsdpV1Length = 20;
// The BIOS data area holds the EBDA's real-mode segment here.
constexpr uintptr_t kEbdaSegmentPointer = 0x40E;
constexpr uintptr_t kBiosAreaStart = 0xE0000;
constexpr uintptr_t kBiosAreaEnd = 0x100000;

template <typename T>
const T* At(uint64_t physical) {
  return reinterpret_cast<const T*>(physical);  // Identity mapped.
}

bool ChecksumOk(const void* data, size_t length) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint8_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
  return sum == 0;
}

bool SignatureIs(const char* field, const char* signature, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (field[i] != signature[i]) return false;
  }
  return true;
}

// The RSDP sits on a 16-byte boundary in the first KiB of the EBDA or in the
// BIOS area 0xE0000-0xFFFFF.
const Rsdp* ScanForRsdp(uintptr_t start, uintptr_t end) {
  for (uintptr_t at = start; at + sizeof(Rsdp) <= end; at += 16) {
    const auto* rsdp = At<Rsdp>(at);
    if (!SignatureIs(rsdp->signature, "RSD PTR ", 8)) continue;
    if (!ChecksumOk(rsdp, kRsdpV1Length)) continue;
    if (rsdp->revision >= 2 && !ChecksumOk(rsdp, rsdp->length)) continue;
    return rsdp;
  }
  return nullptr;
}

const Rsdp* FindRsdp() {
  const uintptr_t ebda = uintptr_t{*At<uint16_t>(kEbdaSegmentPointer)} << 4;
  if (ebda != 0) {
    if (const Rsdp* rsdp = ScanForRsdp(ebda, ebda + 1024)) return rsdp;
  }
  return ScanForRsdp(kBiosAreaStart, kBiosAreaEnd);
}

const SdtHeader* ValidTable(uint64_t address, const char* signature) {
  const auto* table = At<SdtHeader>(address);
  if (address == 0 || !SignatureIs(table->signature, signature, 4)) return nullptr;
  return ChecksumOk(table, table->length) ? table : nullptr;
}

// Looks `signature` up in the XSDT (64-bit entries) when the RSDP has one,
// else in the RSDT (32-bit entries).
const SdtHeader* FindTable(const Rsdp& rsdp, const char* signature) {
  const bool extended = rsdp.revision >= 2 && rsdp.xsdt_address != 0;
  const SdtHeader* root = extended ? ValidTable(rsdp.xsdt_address, "XSDT")
                                   : ValidTable(rsdp.rsdt_address, "RSDT");
  if (root == nullptr) return nullptr;
  const size_t entry_size = extended ? 8 : 4;
  const uint64_t entries = reinterpret_cast<uint64_t>(root) + sizeof(SdtHeader);
  const size_t count = (root->length - sizeof(SdtHeader)) / entry_size;
  for (size_t i = 0; i < count; ++i) {
    // Entries are not naturally aligned in the RSDT/XSDT.
    uint64_t address = 0;
    __builtin_memcpy(&address, At<uint8_t>(entries + i * entry_size), entry_size);
    if (const SdtHeader* table = ValidTable(address, signature)) return table;
  }
  return nullptr;
}

}  // namespace

uint32_t FindLocalApicIds(uint32_t* apic_ids, uint32_t capacity) {
  const Rsdp* rsdp = FindRsdp();
  if (rsdp == nullptr) return 0;
  const SdtHeader* madt = FindTable(*rsdp, "APIC");
  if (madt == nullptr) return 0;
  uint32_t count = 0;
  const uint64_t end = reinterpret_cast<uint64_t>(madt) + madt->length;
  for (uint64_t at = reinterpret_cast<uint64_t>(madt) + sizeof(Madt); at + 2 <= end;) {
    const uint8_t type = *At<uint8_t>(at);
    const uint8_t length = *At<uint8_t>(at + 1);
    if (length < 2 || at + length > end) break;  // Malformed: keep what we have.
    if (type == kMadtLocalApic && length >= sizeof(MadtLocalApic)) {
      const auto* entry = At<MadtLocalApic>(at);
      if ((entry->flags & kLocalApicEnabled) != 0 && count < capacity) {
        apic_ids[count++] = entry->apic_id;
      }
    }
    at += length;
  }
  return count;
}

}  // namespace x86
