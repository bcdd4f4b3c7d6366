#include "sim/build_identity.h"

#include "absl/strings/str_format.h"
#include "sim/source_hash.h"  // Generated: VOS_SOURCE_HASH.

namespace sim {

std::string BuildIdentity() {
#if defined(__clang__)
  constexpr const char* kCompiler = "clang " __clang_version__;
#else
  constexpr const char* kCompiler = "gcc " __VERSION__;
#endif
  return absl::StrFormat("%s, -c %s, sources %s", kCompiler, VOS_COMPILATION_MODE,
                         VOS_SOURCE_HASH);
}

}  // namespace sim
