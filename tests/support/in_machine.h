// Runs a test body as kernel code on a simulated machine: the body runs on
// CPU 0 (it may start the other CPUs with hal::StartCpu) and the machine
// powers off with exit code 0 when it returns. Lets unit tests of src/ code
// call the HAL exactly as the kernel does.
#ifndef VERIDIAN_TESTS_SUPPORT_IN_MACHINE_H_
#define VERIDIAN_TESTS_SUPPORT_IN_MACHINE_H_

#include <functional>

#include "sim/machine.h"

namespace testing_support {

// A small machine for unit tests: `cpus` CPUs, 64 MiB per node, no console
// echo, the given seed.
sim::MachineConfig SmallMachine(uint32_t cpus = 1, uint64_t seed = 1);

// Runs `body` on CPU 0 of a machine built from `config` (its boot_entry is
// replaced; a null trap_handler is replaced by one that ignores traps).
// Returns the run's result; a machine that cannot be created is reported as
// a gtest failure and an empty result with outcome kPanicked.
sim::RunResult RunInMachine(sim::MachineConfig config, std::function<void()> body);

// Runs `body(cpu)` on every CPU of the running machine at once (CPU 0 is the
// caller); returns when all have finished. Once per machine: the other CPUs
// halt afterwards.
void OnAllCpus(std::function<void(hal::CpuId)> body);

// Expects a normal power-off, printing the outcome and failure otherwise.
void ExpectPoweredOff(const sim::RunResult& result);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_IN_MACHINE_H_
