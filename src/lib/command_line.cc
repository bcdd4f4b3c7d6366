#include "src/lib/command_line.h"

namespace vos {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n'; }

}  // namespace

const char* CommandLine::Find(const char* key, size_t* length) const {
  const char* found = nullptr;
  const char* p = text_;
  while (*p != '\0') {
    while (IsSpace(*p)) ++p;
    const char* word = p;
    while (*p != '\0' && !IsSpace(*p)) ++p;
    const char* end = p;
    // The word's key runs up to its first '='; the whole key must match it.
    const char* key_end = word;
    while (key_end < end && *key_end != '=') ++key_end;
    const char* k = key;
    const char* w = word;
    while (*k != '\0' && w < key_end && *w == *k) {
      ++w;
      ++k;
    }
    if (*k != '\0' || w != key_end) continue;
    found = key_end == end ? end : key_end + 1;  // "key" alone: an empty value.
    *length = static_cast<size_t>(end - found);
  }
  return found;
}

bool CommandLine::Has(const char* key) const {
  size_t length;
  return Find(key, &length) != nullptr;
}

bool CommandLine::Equals(const char* key, const char* value) const {
  size_t length;
  const char* found = Find(key, &length);
  if (found == nullptr) return false;
  size_t i = 0;
  for (; i < length; ++i) {
    if (value[i] != found[i]) return false;
  }
  return value[i] == '\0';
}

Result<uint64_t> CommandLine::GetUint(const char* key, uint64_t fallback) const {
  size_t length;
  const char* found = Find(key, &length);
  if (found == nullptr) return fallback;
  if (length == 0) return Status::kInvalidArgument;
  uint64_t value = 0;
  for (size_t i = 0; i < length; ++i) {
    if (found[i] < '0' || found[i] > '9') return Status::kInvalidArgument;
    uint64_t digit = static_cast<uint64_t>(found[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return Status::kInvalidArgument;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace vos
