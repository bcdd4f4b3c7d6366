// Shared pieces of the capability tests: kernel objects that count their
// releases and check they are never used after, and a page source in a
// machine.
#ifndef VERIDIAN_TESTS_CAP_CAP_TEST_SUPPORT_H_
#define VERIDIAN_TESTS_CAP_CAP_TEST_SUPPORT_H_

#include <cstdint>
#include <functional>

#include "src/cap/object.h"
#include "src/hal/types.h"
#include "tests/mm/sim_page_source.h"

namespace testing_support {

// A kernel object of type T::kType whose release function marks it dead
// (and counts), so a test can see a use after the last reference.
template <vos::ObjectType kObjectType>
struct CountedObject : vos::KernelObject {
  static constexpr vos::ObjectType kType = kObjectType;
  static constexpr uint64_t kAliveMagic = 0xa11fe0b7ec7a11feull;

  CountedObject() : vos::KernelObject(kType, &OnRelease) {}
  bool alive() const { return magic == kAliveMagic; }

  static void OnRelease(vos::KernelObject& object) {
    auto& self = static_cast<CountedObject&>(object);
    self.magic = 0;
    ++self.releases;
  }

  uint64_t magic = kAliveMagic;
  int releases = 0;
};

using TestEndpoint = CountedObject<vos::ObjectType::kEndpoint>;
using TestChannel = CountedObject<vos::ObjectType::kChannel>;

// Runs `body` on CPU 0 of a `cpus`-CPU machine with a fresh page source,
// then checks the machine powered off and every page came back.
void RunWithSource(uint32_t cpus, std::function<void(SimPageSource&)> body, uint64_t seed = 1);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_CAP_CAP_TEST_SUPPORT_H_
