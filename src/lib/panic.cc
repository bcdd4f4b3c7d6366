#include "src/lib/panic.h"

#include <atomic>
#include <cstdarg>

#include "src/hal/console.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/power.h"
#include "src/hal/time.h"
#include "src/lib/format.h"

namespace vos {
namespace {

// Bypasses the console lock: the panicking CPU may hold it.
void WriteRaw(const char* text) {
  size_t length = 0;
  while (text[length] != '\0') ++length;
  hal::ConsoleWrite(text, length);
}

std::atomic<bool> panicking{false};

}  // namespace

void Panic(const char* format, ...) {
  hal::InterruptsDisable();
  if (panicking.exchange(true)) {
    WriteRaw("\n*** KERNEL PANIC while panicking\n");
    hal::PanicHalt();
  }
  char message[384];
  va_list args;
  va_start(args, format);
  FormatV(message, sizeof(message), format, args);
  va_end(args);
  char line[512];
  Format(line, sizeof(line), "\n*** KERNEL PANIC on cpu %u at %lu ns: %s\n",
         hal::CurrentCpu(), hal::Now(), message);
  WriteRaw(line);
  hal::PanicHalt();
}

}  // namespace vos
