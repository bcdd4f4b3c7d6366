// Built-in self-test workloads the kernel runs at boot, chosen by the
// command line ("workload=NAME"). They exercise the kernel on every backend
// until processes and user programs exist.
#ifndef VERIDIAN_SRC_KERNEL_SELFTEST_H_
#define VERIDIAN_SRC_KERNEL_SELFTEST_H_

#include "src/hal/types.h"
#include "src/lib/command_line.h"

namespace kernel {

struct SelfTest {
  const char* name;
  const char* description;
  // On the boot CPU before any other CPU starts; false = bad parameters
  // (already reported).
  bool (*setup)(const vos::CommandLine& command_line, uint32_t cpus);
  // On every running CPU, the boot CPU included, interrupts disabled.
  void (*run_on_cpu)(hal::CpuId cpu);
  // On the boot CPU once every CPU returned from run_on_cpu: prints a
  // summary and returns the verdict.
  bool (*finish)();
};

// Reads "iterations=N" (or `fallback`) into *iterations; on a malformed
// number prints why, naming `test`, and returns false.
bool ParseIterations(const vos::CommandLine& command_line, const char* test, uint64_t fallback,
                     uint64_t* iterations);

// nullptr when no self-test has that name.
const SelfTest* FindSelfTest(const char* name, size_t name_length);
// Prints the list of self-tests.
void ListSelfTests();

extern const SelfTest kSmokeTest;
extern const SelfTest kRacyTest;
extern const SelfTest kRacyCounterTest;
extern const SelfTest kPanicTest;
extern const SelfTest kFaultTest;
extern const SelfTest kMmuCheckTest;

}  // namespace kernel

#endif  // VERIDIAN_SRC_KERNEL_SELFTEST_H_
