// The COM1 16550 UART, and the backend's own minimal printing for the places
// the kernel's printf cannot serve: before KernelMain and on fatal traps.
#ifndef VERIDIAN_BACKENDS_X86_64_CONSOLE_H_
#define VERIDIAN_BACKENDS_X86_64_CONSOLE_H_

#include <cstdint>

namespace x86 {

void InitConsole();

void Print(const char* text);
void PrintHex(uint64_t value);  // "0x" and lowercase digits.
void PrintDecimal(uint64_t value);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_CONSOLE_H_
