// A small printf for the kernel: %d %i %u %x %X %p %s %c %% with the l, ll
// and z length modifiers, a field width, zero padding, left alignment (-) and
// a string precision (%.5s, %.*s). No floating point.
#ifndef VERIDIAN_SRC_LIB_FORMAT_H_
#define VERIDIAN_SRC_LIB_FORMAT_H_

#include <cstdarg>
#include <cstddef>

namespace vos {

// Writes at most `capacity - 1` characters and a terminating NUL; returns the
// length the full output would have had (like vsnprintf).
size_t FormatV(char* buffer, size_t capacity, const char* format, va_list args);
size_t Format(char* buffer, size_t capacity, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_FORMAT_H_
