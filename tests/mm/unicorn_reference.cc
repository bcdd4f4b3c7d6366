#include "tests/mm/unicorn_reference.h"

#include "tests/mm/unicorn_reference_formats.h"

namespace testing_support {

const char* ReferenceFaultName(ReferenceFault fault) {
  switch (fault) {
    case ReferenceFault::kNone: return "none";
    case ReferenceFault::kTranslation: return "translation";
    case ReferenceFault::kAccessFlag: return "access-flag";
    case ReferenceFault::kPermission: return "permission";
    case ReferenceFault::kAddressSize: return "address-size";
    case ReferenceFault::kPageFault: return "page-fault";
    case ReferenceFault::kAccessFault: return "access-fault";
    case ReferenceFault::kOther: return "other";
    case ReferenceFault::kUnchecked: return "unchecked";
  }
  return "?";
}

ReferenceCapabilities UnicornReference::CapabilitiesOf(hal::PageTableFormat format) {
  switch (format) {
    case hal::PageTableFormat::kAarch64:
      return {.physical_address = true, .fault_kind = true, .user_privilege = true,
              .fetch = true, .execute = true};
    case hal::PageTableFormat::kSv39:
    case hal::PageTableFormat::kSv48:
      return {.physical_address = true, .fault_kind = false, .user_privilege = true,
              .fetch = true, .execute = true};
    case hal::PageTableFormat::kX86_64:
      return {.physical_address = false, .fault_kind = false, .user_privilege = false,
              .fetch = false, .execute = false};
  }
  return {};
}

absl::StatusOr<std::unique_ptr<UnicornReference>> UnicornReference::Create(
    hal::PageTableFormat format, std::vector<RamSegment> ram) {
  switch (format) {
    case hal::PageTableFormat::kAarch64: return MakeAarch64Reference(std::move(ram));
    case hal::PageTableFormat::kSv39:
    case hal::PageTableFormat::kSv48: return MakeRiscvReference(format, std::move(ram));
    case hal::PageTableFormat::kX86_64: return MakeX86_64Reference(std::move(ram));
  }
  return absl::InvalidArgumentError("unknown page-table format");
}

}  // namespace testing_support
