// Scenarios with [[program]] entries: a boot entry that brings up memory,
// the scheduler on every CPU and the process manager with the user-program
// catalog (scenarios/programs), spawns the programs the kernel command line
// lists under init, reaps every child of init (orphans included) and powers
// off. Each listed program's end is one console line (ProgramResultLine),
// which the scenario verdict reads back. A run that ends with kernel memory
// still held by processes gone (frames or kernel heap objects) fails.
#ifndef VERIDIAN_SIM_PROGRAM_RUN_H_
#define VERIDIAN_SIM_PROGRAM_RUN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/machine.h"
#include "src/abi/syscall.h"
#include "src/lib/status.h"

namespace sim {

struct ProgramSpec {
  std::string name;  // A catalog program (one word).
  std::vector<uint64_t> args;
};

// Kernel memory in use, for leak checks across a workload: frames outside
// the kernel heap (address spaces, capability tables, ...) and live kernel
// heap objects (the heap keeps the pages it grew into, so its frames are
// not counted).
struct KernelMemoryUse {
  uint64_t frames = 0;
  uint64_t heap_objects = 0;
  bool operator==(const KernelMemoryUse&) const = default;
};
KernelMemoryUse MeasureKernelMemory();

// Inside a run, before anything else allocates: the frame allocator, the
// frame reference counts and the kernel heap (over frames), as the kernel
// image brings them up. On failure, `*what` names the part that failed.
vos::Status InitKernelMemory(const char** what);

// "program=NAME[,ARG]..." per program, in order.
std::string ProgramCommandLine(const std::vector<ProgramSpec>& programs);

// Makes `config` boot the program runner (trap and page-fault handlers
// included); the programs come from config->command_line.
void UseProgramRunner(MachineConfig* config);

// True when `name` is a catalog program.
bool IsCatalogProgram(std::string_view name);
std::string CatalogProgramNames();  // "hello, exit_with, ...".

// The console line reporting how listed program `index` ended.
std::string ProgramResultLine(size_t index, std::string_view name,
                              const vos::abi::ExitStatus& status);
const char* ExitReasonName(vos::abi::ExitReason reason);

// How listed program `index` ended, read from a run's console; nullopt when
// it was never reaped.
std::optional<vos::abi::ExitStatus> FindProgramResult(std::string_view console, size_t index,
                                                      std::string_view name);

}  // namespace sim

#endif  // VERIDIAN_SIM_PROGRAM_RUN_H_
