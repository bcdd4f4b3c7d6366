// Runs a function as kernel code on a simulated machine: on CPU 0, which may
// start the other CPUs with hal::StartCpu; the machine powers off with exit
// code 0 when the function returns. For unit tests and benchmarks of src/
// code that call the HAL exactly as the kernel does.
#ifndef VERIDIAN_SIM_RUN_BODY_H_
#define VERIDIAN_SIM_RUN_BODY_H_

#include <functional>

#include "absl/status/statusor.h"
#include "sim/machine.h"

namespace sim {

// `config`'s boot entry is replaced; a null trap handler becomes one that
// ignores every trap. Errors: the machine could not be created.
absl::StatusOr<RunResult> RunBody(MachineConfig config, const std::function<void()>& body);

}  // namespace sim

#endif  // VERIDIAN_SIM_RUN_BODY_H_
