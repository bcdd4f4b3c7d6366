// Expects a test body, run as kernel code on a one-CPU machine, to panic
// with a message containing `message`. Runs in a forked child (a gtest death
// test): a kernel panic is final, for the process as for the machine.
#ifndef VERIDIAN_TESTS_MM_EXPECT_PANIC_H_
#define VERIDIAN_TESTS_MM_EXPECT_PANIC_H_

#include <unistd.h>

#include <cstdio>
#include <functional>

#include "gtest/gtest.h"
#include "tests/support/in_machine.h"

namespace testing_support {

inline void ExpectPanic(std::function<void()> body, const char* message) {
  EXPECT_EXIT(
      {
        sim::RunResult result = RunInMachine(SmallMachine(1), body);
        std::fprintf(stderr, "outcome %s\n%s", sim::RunOutcomeName(result.outcome),
                     result.failure.c_str());
        std::fflush(stderr);
        _exit(result.outcome == sim::RunOutcome::kPanicked ? 3 : 0);
      },
      ::testing::ExitedWithCode(3), message);
}

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_EXPECT_PANIC_H_
