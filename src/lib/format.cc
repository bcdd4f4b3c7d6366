#include "src/lib/format.h"

#include <cstdint>

namespace vos {
namespace {

// Appends characters while tracking the length the full output would have.
class Sink {
 public:
  Sink(char* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {}
  void Put(char c) {
    if (length_ + 1 < capacity_) buffer_[length_] = c;
    ++length_;
  }
  void Finish() {
    if (capacity_ == 0) return;
    buffer_[length_ < capacity_ ? length_ : capacity_ - 1] = '\0';
  }
  size_t length() const { return length_; }

 private:
  char* buffer_;
  size_t capacity_;
  size_t length_ = 0;
};

struct Spec {
  int width = 0;
  int precision = -1;  // For %s: the most characters to print.
  bool zero_pad = false;
  bool left_align = false;
};

void PutPadded(Sink& sink, const char* text, size_t length, const Spec& spec,
               bool negative) {
  size_t total = length + (negative ? 1 : 0);
  size_t pad = spec.width > 0 && static_cast<size_t>(spec.width) > total
                   ? static_cast<size_t>(spec.width) - total
                   : 0;
  if (!spec.left_align && !spec.zero_pad) {
    for (size_t i = 0; i < pad; ++i) sink.Put(' ');
  }
  if (negative) sink.Put('-');
  if (!spec.left_align && spec.zero_pad) {
    for (size_t i = 0; i < pad; ++i) sink.Put('0');
  }
  for (size_t i = 0; i < length; ++i) sink.Put(text[i]);
  if (spec.left_align) {
    for (size_t i = 0; i < pad; ++i) sink.Put(' ');
  }
}

void PutUnsigned(Sink& sink, uint64_t value, unsigned base, bool upper,
                 const Spec& spec, bool negative) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char text[24];
  size_t length = 0;
  do {
    text[length++] = digits[value % base];
    value /= base;
  } while (value != 0);
  char reversed[24];
  for (size_t i = 0; i < length; ++i) reversed[i] = text[length - 1 - i];
  PutPadded(sink, reversed, length, spec, negative);
}

}  // namespace

size_t FormatV(char* buffer, size_t capacity, const char* format, va_list args) {
  Sink sink(buffer, capacity);
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      sink.Put(*p);
      continue;
    }
    ++p;
    Spec spec;
    if (*p == '-') {
      spec.left_align = true;
      ++p;
    }
    if (*p == '0') {
      spec.zero_pad = true;
      ++p;
    }
    while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    if (*p == '.') {
      ++p;
      spec.precision = 0;
      if (*p == '*') {
        spec.precision = va_arg(args, int);
        ++p;
      } else {
        while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
      }
    }
    int longs = 0;
    bool size_t_arg = false;
    while (*p == 'l') {
      ++longs;
      ++p;
    }
    if (*p == 'z') {
      size_t_arg = true;
      ++p;
    }
    const bool wide = longs > 0 || size_t_arg;
    switch (*p) {
      case 'd':
      case 'i': {
        int64_t value = wide ? va_arg(args, int64_t) : va_arg(args, int);
        uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value)
                                       : static_cast<uint64_t>(value);
        PutUnsigned(sink, magnitude, 10, false, spec, value < 0);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        uint64_t value = wide ? va_arg(args, uint64_t) : va_arg(args, unsigned);
        PutUnsigned(sink, value, *p == 'u' ? 10 : 16, *p == 'X', spec, false);
        break;
      }
      case 'p': {
        sink.Put('0');
        sink.Put('x');
        PutUnsigned(sink, reinterpret_cast<uintptr_t>(va_arg(args, void*)), 16,
                    false, spec, false);
        break;
      }
      case 's': {
        const char* text = va_arg(args, const char*);
        if (text == nullptr) text = "(null)";
        size_t length = 0;
        while (text[length] != '\0' &&
               (spec.precision < 0 || length < static_cast<size_t>(spec.precision))) {
          ++length;
        }
        PutPadded(sink, text, length, spec, false);
        break;
      }
      case 'c': {
        char c = static_cast<char>(va_arg(args, int));
        PutPadded(sink, &c, 1, spec, false);
        break;
      }
      case '%':
        sink.Put('%');
        break;
      case '\0':
        --p;  // A lone '%' at the end: stop at the terminator.
        break;
      default:  // Unknown conversion: print it verbatim so the bug is visible.
        sink.Put('%');
        sink.Put(*p);
        break;
    }
  }
  sink.Finish();
  return sink.length();
}

size_t Format(char* buffer, size_t capacity, const char* format, ...) {
  va_list args;
  va_start(args, format);
  size_t length = FormatV(buffer, capacity, format, args);
  va_end(args);
  return length;
}

}  // namespace vos
