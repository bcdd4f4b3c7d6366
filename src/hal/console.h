// The debug console (UART, or the host's stdout in the simulator).
#ifndef VERIDIAN_SRC_HAL_CONSOLE_H_
#define VERIDIAN_SRC_HAL_CONSOLE_H_

#include "src/hal/types.h"

namespace hal {

void ConsoleWrite(const char* data, size_t length);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_CONSOLE_H_
