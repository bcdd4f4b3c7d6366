// Runs a test body in a forked child process, for tests of kernel code that
// keeps its state in globals (the frame allocator, per-CPU tables): each body
// starts from a fresh copy of the process. gtest failures in the child are
// printed by the child and make the parent's test fail.
#ifndef VERIDIAN_TESTS_SUPPORT_ISOLATED_H_
#define VERIDIAN_TESTS_SUPPORT_ISOLATED_H_

#include <functional>

namespace testing_support {

void RunIsolated(const std::function<void()>& body);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_ISOLATED_H_
