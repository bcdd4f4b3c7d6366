#include "src/kernel/selftest.h"

#include "src/lib/print.h"

namespace kernel {
namespace {

const SelfTest* const kSelfTests[] = {&kSmokeTest, &kRacyTest, &kRacyCounterTest,
                                       &kPanicTest, &kFaultTest, &kMmuCheckTest};

bool NameIs(const char* name, const char* candidate, size_t candidate_length) {
  size_t i = 0;
  for (; i < candidate_length; ++i) {
    if (name[i] != candidate[i]) return false;
  }
  return name[i] == '\0';
}

}  // namespace

bool ParseIterations(const vos::CommandLine& command_line, const char* test, uint64_t fallback,
                     uint64_t* iterations) {
  vos::Result<uint64_t> value = command_line.GetUint("iterations", fallback);
  if (!value.ok()) {
    vos::Printf("%s: iterations= must be a decimal number\n", test);
    return false;
  }
  *iterations = *value;
  return true;
}

const SelfTest* FindSelfTest(const char* name, size_t name_length) {
  for (const SelfTest* test : kSelfTests) {
    if (NameIs(test->name, name, name_length)) return test;
  }
  return nullptr;
}

void ListSelfTests() {
  for (const SelfTest* test : kSelfTests) {
    vos::Printf("  %-12s %s\n", test->name, test->description);
  }
}

}  // namespace kernel
