// Ending a run: power-off with an exit status the host can read.
#ifndef VERIDIAN_SRC_HAL_POWER_H_
#define VERIDIAN_SRC_HAL_POWER_H_

namespace hal {

// Stops every CPU and ends the machine; `exit_code` 0 means success.
[[noreturn]] void PowerOff(int exit_code);

// Ends the machine after a kernel panic whose message is already printed:
// the backend adds what it knows (the simulator a host backtrace) and exits
// with its distinct panic status.
[[noreturn]] void PanicHalt();

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_POWER_H_
