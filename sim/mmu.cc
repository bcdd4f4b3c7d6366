#include "sim/mmu.h"

#include <cstring>

namespace sim {
namespace {

using hal::PageTableFormat;
using hal::PhysAddr;
using hal::VirtAddr;

constexpr uint64_t Bit(int n) { return uint64_t{1} << n; }
// Bits [high:low] set.
constexpr uint64_t BitRange(int high, int low) {
  return (high == 63 ? ~uint64_t{0} : Bit(high + 1) - 1) & ~(Bit(low) - 1);
}

// Why an access failed, before the architecture encodes it.
enum class Cause : uint8_t {
  kNotPresent,    // Invalid entry or no translation (incl. AArch64 translation faults).
  kReservedBit,   // x86 RSVD.
  kAddressSize,   // AArch64 output address beyond 48 bits.
  kAccessFlag,    // AArch64 AF = 0.
  kPermission,
  kNonCanonical,  // x86 #GP; AArch64 and RISC-V report it as a level-0/plain fault.
};

MmuFault EncodeFault(PageTableFormat format, VirtAddr address, Access access, Cause cause,
                     int level) {
  const bool write = access.kind == AccessKind::kWrite;
  const bool fetch = access.kind == AccessKind::kFetch;
  const bool user = access.privilege == Privilege::kUser;
  MmuFault fault;
  fault.info = {address, /*present=*/false, write, fetch, user};
  switch (format) {
    case PageTableFormat::kX86_64: {
      if (cause == Cause::kNonCanonical) {
        fault.vector = 13;
        return fault;
      }
      const bool present = cause != Cause::kNotPresent;
      fault.info.present = present;
      fault.vector = 14;
      fault.code = (present ? Bit(0) : 0) | (write ? Bit(1) : 0) | (user ? Bit(2) : 0) |
                   (cause == Cause::kReservedBit ? Bit(3) : 0) | (fetch ? Bit(4) : 0);
      return fault;
    }
    case PageTableFormat::kAarch64: {
      uint64_t status = 0;
      switch (cause) {
        case Cause::kAddressSize: status = 0x00; break;
        case Cause::kAccessFlag: status = 0x08; break;
        case Cause::kPermission: status = 0x0c; break;
        default: status = 0x04; break;  // Translation fault.
      }
      fault.info.present = cause == Cause::kAccessFlag || cause == Cause::kPermission;
      fault.vector = fetch ? (user ? 0x20 : 0x21) : (user ? 0x24 : 0x25);
      fault.code = uint64_t{fault.vector} << 26 | Bit(25) | (write ? Bit(6) : 0) |
                   (status + static_cast<uint64_t>(level));
      return fault;
    }
    case PageTableFormat::kSv39:
    case PageTableFormat::kSv48:
      fault.info.present = cause == Cause::kPermission;
      fault.vector = fetch ? 12 : write ? 15 : 13;
      fault.code = fault.vector;
      return fault;
  }
  return fault;
}

WalkResult Faulted(const MmuRegisters& registers, VirtAddr address, Access access, Cause cause,
                   int level) {
  WalkResult result;
  result.outcome = WalkResult::Outcome::kFault;
  result.fault = EncodeFault(registers.format, address, access, cause, level);
  return result;
}

// Reads and writes page-table entries in simulated RAM (little-endian, as
// all three architectures store them here).
class Tables {
 public:
  Tables(const Ram& ram, WalkEffects effects) : ram_(ram), effects_(effects) {}

  // Reads an entry on the walk's path (recorded for its WalkSource).
  bool Read(PhysAddr address, uint64_t* entry) {
    const void* host = ram_.HostAddress(address);
    if (host == nullptr) {
      bad_address_ = address;
      return false;
    }
    std::memcpy(entry, host, sizeof(*entry));
    if (path_length_ < WalkSource::kMaxEntries) {
      path_[path_length_] = static_cast<const uint64_t*>(host);
    }
    ++path_length_;
    return true;
  }
  // Reads an entry Read() already recorded.
  void ReadAgain(PhysAddr address, uint64_t* entry) const {
    std::memcpy(entry, ram_.HostAddress(address), sizeof(*entry));
  }
  // Only called on an entry Read() just succeeded on.
  void Write(PhysAddr address, uint64_t entry) {
    if (effects_ == WalkEffects::kNone) return;
    std::memcpy(ram_.HostAddress(address), &entry, sizeof(entry));
  }
  WalkResult BusError() const {
    WalkResult result;
    result.outcome = WalkResult::Outcome::kBusError;
    result.bus_error_address = bad_address_;
    return result;
  }
  // The entries the walk read, as RAM holds them now.
  void FillSource(const MmuRegisters& registers, WalkSource* source) const {
    if (path_length_ > WalkSource::kMaxEntries) {
      // Deeper than any modelled format: a source that never matches, so
      // the check walks again (correct, only slower).
      *source = WalkSource{};
      return;
    }
    source->root = registers.root;
    source->kernel_root = registers.kernel_root;
    source->count = path_length_;
    for (uint32_t i = 0; i < path_length_; ++i) {
      source->entries[i] = path_[i];
      std::memcpy(&source->values[i], path_[i], sizeof(uint64_t));
    }
  }

 private:
  const Ram& ram_;
  WalkEffects effects_;
  PhysAddr bad_address_ = 0;
  const uint64_t* path_[WalkSource::kMaxEntries] = {};
  uint32_t path_length_ = 0;
};

WalkResult Check(const MmuRegisters& registers, const Translation& translation,
                 VirtAddr address, Access access) {
  WalkResult result;
  if (!CheckPermissions(registers, translation, address, access, &result.fault)) return result;
  result.outcome = WalkResult::Outcome::kTranslated;
  result.translation = translation;
  return result;
}

// ---------------------------------------------------------------------------
// x86_64: Intel SDM vol. 3A, 4.5 (4-level paging) and 4.6 (access rights).
namespace x86 {

constexpr int kMaxPhysAddrBits = 40;
constexpr uint64_t kPresent = Bit(0);
constexpr uint64_t kWritable = Bit(1);
constexpr uint64_t kUser = Bit(2);
constexpr uint64_t kAccessed = Bit(5);
constexpr uint64_t kDirty = Bit(6);
constexpr uint64_t kPageSize = Bit(7);
constexpr uint64_t kGlobal = Bit(8);
constexpr uint64_t kNoExecute = Bit(63);
constexpr uint64_t kAddressBits = BitRange(kMaxPhysAddrBits - 1, 12);
// Physical-address bits beyond MAXPHYADDR are reserved in every entry.
constexpr uint64_t kReservedHigh = BitRange(51, kMaxPhysAddrBits);

bool Canonical(VirtAddr address) {
  const uint64_t top = address >> 47;
  return top == 0 || top == (uint64_t{1} << 17) - 1;
}

// Reserved bits of a present entry at `level` (4 = PML4 .. 1 = PT).
uint64_t ReservedBits(int level, uint64_t entry) {
  uint64_t reserved = kReservedHigh;
  if (level == 4) reserved |= kPageSize;
  if (level == 3 && (entry & kPageSize) != 0) reserved |= BitRange(29, 13);
  if (level == 2 && (entry & kPageSize) != 0) reserved |= BitRange(20, 13);
  return reserved;
}

WalkResult Walk(Tables& tables, const MmuRegisters& registers, VirtAddr address,
                Access access) {
  if (!Canonical(address)) return Faulted(registers, address, access, Cause::kNonCanonical, 0);
  PhysAddr entry_addresses[4];
  PhysAddr table = registers.root & kAddressBits;
  bool writable = true;
  bool user = true;
  bool no_execute = false;
  for (int level = 4; level >= 1; --level) {
    const int shift = 12 + 9 * (level - 1);
    const PhysAddr entry_address = table + ((address >> shift) & 511) * 8;
    uint64_t entry;
    if (!tables.Read(entry_address, &entry)) return tables.BusError();
    if ((entry & kPresent) == 0) {
      return Faulted(registers, address, access, Cause::kNotPresent, level);
    }
    if ((entry & ReservedBits(level, entry)) != 0) {
      return Faulted(registers, address, access, Cause::kReservedBit, level);
    }
    entry_addresses[4 - level] = entry_address;
    writable = writable && (entry & kWritable) != 0;
    user = user && (entry & kUser) != 0;
    no_execute = no_execute || (entry & kNoExecute) != 0;
    const bool leaf = level == 1 || ((level == 3 || level == 2) && (entry & kPageSize) != 0);
    if (!leaf) {
      table = entry & kAddressBits;
      continue;
    }
    Translation translation;
    translation.page_shift = static_cast<uint8_t>(shift);
    translation.page = entry & kAddressBits & ~(Bit(shift) - 1);
    translation.level = static_cast<uint8_t>(level);
    translation.global = (entry & kGlobal) != 0;
    translation.user = user;
    translation.readable = true;
    translation.writable = writable;
    translation.user_executable = translation.kernel_executable = !no_execute;
    WalkResult result = Check(registers, translation, address, access);
    if (result.outcome != WalkResult::Outcome::kTranslated) return result;
    // The access is allowed: mark every entry used accessed, the leaf dirty
    // on a write.
    const int used = 5 - level;
    for (int i = 0; i < used; ++i) {
      uint64_t value = 0;
      tables.ReadAgain(entry_addresses[i], &value);
      uint64_t updated = value | kAccessed;
      if (i == used - 1 && access.kind == AccessKind::kWrite) updated |= kDirty;
      if (updated != value) tables.Write(entry_addresses[i], updated);
      if (i == used - 1) result.translation.dirty = (updated & kDirty) != 0;
    }
    return result;
  }
  return Faulted(registers, address, access, Cause::kNotPresent, 1);  // Not reached.
}

}  // namespace x86

// ---------------------------------------------------------------------------
// AArch64: Arm ARM D8 (VMSAv8-64 translation), 4 KiB granule, 48-bit VA/OA.
namespace arm {

constexpr uint64_t kValid = Bit(0);
constexpr uint64_t kTableOrPage = Bit(1);
constexpr uint64_t kApUser = Bit(6);      // AP[1]: EL0 access.
constexpr uint64_t kApReadOnly = Bit(7);  // AP[2].
constexpr uint64_t kAccessFlag = Bit(10);
constexpr uint64_t kNotGlobal = Bit(11);
constexpr uint64_t kPxn = Bit(53);
constexpr uint64_t kUxn = Bit(54);
constexpr uint64_t kPxnTable = Bit(59);
constexpr uint64_t kUxnTable = Bit(60);
constexpr uint64_t kApTableNoUser = Bit(61);
constexpr uint64_t kApTableReadOnly = Bit(62);
constexpr uint64_t kAddressBits = BitRange(47, 12);
constexpr uint64_t kAddressTooWide = BitRange(51, 48);

WalkResult Walk(Tables& tables, const MmuRegisters& registers, VirtAddr address,
                Access access) {
  const uint64_t top = address >> 48;
  if (top != 0 && top != 0xffff) {
    return Faulted(registers, address, access, Cause::kNotPresent, 0);
  }
  PhysAddr table = (top == 0 ? registers.root : registers.kernel_root) & kAddressBits;
  bool no_user = false;
  bool read_only = false;
  bool uxn = false;
  bool pxn = false;
  for (int level = 0; level <= 3; ++level) {
    const int shift = 39 - 9 * level;
    uint64_t entry;
    if (!tables.Read(table + ((address >> shift) & 511) * 8, &entry)) return tables.BusError();
    if ((entry & kValid) == 0) {
      return Faulted(registers, address, access, Cause::kNotPresent, level);
    }
    const bool table_or_page = (entry & kTableOrPage) != 0;
    // Level 0 has no blocks with this granule; at level 3 "block" is reserved.
    if ((level == 0 || level == 3) && !table_or_page) {
      return Faulted(registers, address, access, Cause::kNotPresent, level);
    }
    if ((entry & kAddressTooWide) != 0) {
      return Faulted(registers, address, access, Cause::kAddressSize, level);
    }
    if (level < 3 && table_or_page) {
      no_user = no_user || (entry & kApTableNoUser) != 0;
      read_only = read_only || (entry & kApTableReadOnly) != 0;
      uxn = uxn || (entry & kUxnTable) != 0;
      pxn = pxn || (entry & kPxnTable) != 0;
      table = entry & kAddressBits;
      continue;
    }
    if ((entry & kAccessFlag) == 0) {
      return Faulted(registers, address, access, Cause::kAccessFlag, level);
    }
    Translation translation;
    translation.page_shift = static_cast<uint8_t>(shift);
    translation.page = entry & kAddressBits & ~(Bit(shift) - 1);
    translation.level = static_cast<uint8_t>(level);
    translation.global = (entry & kNotGlobal) == 0;
    translation.dirty = true;  // No hardware dirty state to maintain.
    translation.user = !no_user && (entry & kApUser) != 0;
    translation.readable = true;
    translation.writable = !read_only && (entry & kApReadOnly) == 0;
    translation.user_executable = !uxn && (entry & kUxn) == 0;
    // Memory EL0 may write is never executable at EL1.
    translation.kernel_executable =
        !pxn && (entry & kPxn) == 0 && !(translation.user && translation.writable);
    return Check(registers, translation, address, access);
  }
  return Faulted(registers, address, access, Cause::kNotPresent, 3);  // Not reached.
}

}  // namespace arm

// ---------------------------------------------------------------------------
// RISC-V: privileged spec 1.12, 4.3.2 (virtual address translation process).
namespace riscv {

constexpr uint64_t kValid = Bit(0);
constexpr uint64_t kRead = Bit(1);
constexpr uint64_t kWrite = Bit(2);
constexpr uint64_t kExecute = Bit(3);
constexpr uint64_t kUser = Bit(4);
constexpr uint64_t kGlobal = Bit(5);
constexpr uint64_t kAccessed = Bit(6);
constexpr uint64_t kDirty = Bit(7);
// N (Svnapot), PBMT (Svpbmt) and reserved bits: none of those extensions here.
constexpr uint64_t kReserved = BitRange(63, 54);

WalkResult Walk(Tables& tables, const MmuRegisters& registers, VirtAddr address,
                Access access) {
  const int levels = registers.format == PageTableFormat::kSv39 ? 3 : 4;
  const int va_bits = 12 + 9 * levels;
  // Bits 63..va_bits-1 must all equal bit va_bits-1.
  const uint64_t top = address >> (va_bits - 1);
  if (top != 0 && top != (uint64_t{1} << (65 - va_bits)) - 1) {
    return Faulted(registers, address, access, Cause::kNotPresent, levels - 1);
  }
  PhysAddr table = registers.root & ~(Bit(12) - 1);
  bool global = false;
  for (int level = levels - 1; level >= 0; --level) {
    const int shift = 12 + 9 * level;
    const PhysAddr entry_address = table + ((address >> shift) & 511) * 8;
    uint64_t entry;
    if (!tables.Read(entry_address, &entry)) return tables.BusError();
    if ((entry & kValid) == 0 || ((entry & kRead) == 0 && (entry & kWrite) != 0) ||
        (entry & kReserved) != 0) {
      return Faulted(registers, address, access, Cause::kNotPresent, level);
    }
    global = global || (entry & kGlobal) != 0;
    const PhysAddr frame = (entry >> 10) << 12;
    if ((entry & (kRead | kExecute)) == 0) {
      if (level == 0) return Faulted(registers, address, access, Cause::kNotPresent, level);
      table = frame;
      continue;
    }
    if ((frame & (Bit(shift) - 1)) != 0) {  // Misaligned superpage.
      return Faulted(registers, address, access, Cause::kNotPresent, level);
    }
    Translation translation;
    translation.page_shift = static_cast<uint8_t>(shift);
    translation.page = frame;
    translation.level = static_cast<uint8_t>(level);
    translation.global = global;
    translation.user = (entry & kUser) != 0;
    translation.readable = (entry & kRead) != 0;
    translation.writable = (entry & kWrite) != 0;
    translation.user_executable = translation.kernel_executable = (entry & kExecute) != 0;
    WalkResult result = Check(registers, translation, address, access);
    if (result.outcome != WalkResult::Outcome::kTranslated) return result;
    uint64_t updated = entry | kAccessed;
    if (access.kind == AccessKind::kWrite) updated |= kDirty;
    if (updated != entry) tables.Write(entry_address, updated);
    result.translation.dirty = (updated & kDirty) != 0;
    return result;
  }
  return Faulted(registers, address, access, Cause::kNotPresent, 0);  // Not reached.
}

}  // namespace riscv

WalkResult WalkFormat(Tables& tables, const MmuRegisters& registers, hal::VirtAddr address,
                      Access access) {
  switch (registers.format) {
    case PageTableFormat::kX86_64:
      return x86::Walk(tables, registers, address, access);
    case PageTableFormat::kAarch64:
      return arm::Walk(tables, registers, address, access);
    case PageTableFormat::kSv39:
    case PageTableFormat::kSv48:
      return riscv::Walk(tables, registers, address, access);
  }
  return Faulted(registers, address, access, Cause::kNotPresent, 0);
}

}  // namespace

MmuFault PermissionFault(const MmuRegisters& registers, const Translation& translation,
                         hal::VirtAddr address, Access access) {
  return EncodeFault(registers.format, address, access, Cause::kPermission, translation.level);
}

WalkResult Walk(const Ram& ram, const MmuRegisters& registers, hal::VirtAddr address,
                Access access, WalkEffects effects, WalkSource* source) {
  Tables tables(ram, effects);
  const WalkResult result = WalkFormat(tables, registers, address, access);
  if (result.outcome == WalkResult::Outcome::kTranslated && source != nullptr) {
    tables.FillSource(registers, source);
  }
  return result;
}

}  // namespace sim
