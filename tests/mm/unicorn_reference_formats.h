// The per-format references behind UnicornReference::Create.
#ifndef VERIDIAN_TESTS_MM_UNICORN_REFERENCE_FORMATS_H_
#define VERIDIAN_TESTS_MM_UNICORN_REFERENCE_FORMATS_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/mm/unicorn_reference.h"

namespace testing_support {

absl::StatusOr<std::unique_ptr<UnicornReference>> MakeAarch64Reference(
    std::vector<RamSegment> ram);
// `format` is kSv39 or kSv48.
absl::StatusOr<std::unique_ptr<UnicornReference>> MakeRiscvReference(
    hal::PageTableFormat format, std::vector<RamSegment> ram);
absl::StatusOr<std::unique_ptr<UnicornReference>> MakeX86_64Reference(
    std::vector<RamSegment> ram);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_UNICORN_REFERENCE_FORMATS_H_
