#include "backends/x86_64/console.h"

#include "backends/x86_64/x86.h"
#include "src/hal/console.h"

namespace x86 {
namespace {

constexpr uint16_t kCom1 = 0x3F8;
// Register offsets from the base port.
constexpr uint16_t kData = 0;             // DLAB=0: data, DLAB=1: divisor low.
constexpr uint16_t kInterruptEnable = 1;  // DLAB=1: divisor high.
constexpr uint16_t kFifoControl = 2;
constexpr uint16_t kLineControl = 3;
constexpr uint16_t kLineStatus = 5;
constexpr uint8_t kLineControlDlab = 0x80;
constexpr uint8_t kLineControl8N1 = 0x03;
constexpr uint8_t kFifoEnableAndClear = 0x07;
constexpr uint8_t kLineStatusTransmitEmpty = 0x20;
constexpr uint16_t kDivisor115200 = 1;

void PutChar(char c) {
  while ((Inb(kCom1 + kLineStatus) & kLineStatusTransmitEmpty) == 0) Pause();
  Outb(kCom1 + kData, static_cast<uint8_t>(c));
}

void PrintUnsigned(uint64_t value, unsigned base) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value != 0);
  while (count > 0) PutChar(digits[--count]);
}

}  // namespace

void InitConsole() {
  Outb(kCom1 + kInterruptEnable, 0);  // The console polls.
  Outb(kCom1 + kLineControl, kLineControlDlab);
  Outb(kCom1 + kData, kDivisor115200 & 0xFF);
  Outb(kCom1 + kInterruptEnable, kDivisor115200 >> 8);
  Outb(kCom1 + kLineControl, kLineControl8N1);
  Outb(kCom1 + kFifoControl, kFifoEnableAndClear);
}

void Print(const char* text) {
  while (*text != '\0') PutChar(*text++);
}

void PrintHex(uint64_t value) {
  Print("0x");
  PrintUnsigned(value, 16);
}

void PrintDecimal(uint64_t value) { PrintUnsigned(value, 10); }

}  // namespace x86

namespace hal {

// Byte by byte and lock-free, so a panic can always print; the kernel's
// print layer keeps lines from different CPUs apart.
void ConsoleWrite(const char* data, size_t length) {
  for (size_t i = 0; i < length; ++i) x86::PutChar(data[i]);
}

}  // namespace hal
