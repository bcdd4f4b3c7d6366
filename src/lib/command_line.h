// The kernel command line: space-separated "key=value" words.
#ifndef VERIDIAN_SRC_LIB_COMMAND_LINE_H_
#define VERIDIAN_SRC_LIB_COMMAND_LINE_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"

namespace vos {

class CommandLine {
 public:
  explicit CommandLine(const char* text) : text_(text != nullptr ? text : "") {}

  // The value of `key` (the last occurrence wins) as a pointer into the
  // command line and its length; nullptr when absent.
  const char* Find(const char* key, size_t* length) const;

  bool Has(const char* key) const;
  // True when `key` is present with exactly `value`.
  bool Equals(const char* key, const char* value) const;
  // `fallback` when absent; kInvalidArgument when not a decimal number that
  // fits in 64 bits.
  Result<uint64_t> GetUint(const char* key, uint64_t fallback) const;

  const char* text() const { return text_; }

 private:
  const char* text_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_COMMAND_LINE_H_
