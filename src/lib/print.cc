#include "src/lib/print.h"

#include <cstdarg>

#include "src/hal/console.h"
#include "src/lib/format.h"
#include "src/lib/spinlock.h"

namespace vos {
namespace {
SpinLock console_lock;
}  // namespace

void Printf(const char* format, ...) {
  // Long enough for any kernel line; a longer one is cut, never overrun.
  char line[320];
  va_list args;
  va_start(args, format);
  size_t length = FormatV(line, sizeof(line), format, args);
  va_end(args);
  if (length >= sizeof(line)) length = sizeof(line) - 1;
  IrqSpinLockGuard guard(console_lock);
  hal::ConsoleWrite(line, length);
}

}  // namespace vos
