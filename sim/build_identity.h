// What built this simulator, for trace headers: the compiler, the Bazel
// compilation mode and a hash of the kernel and simulator sources (not of
// git state, so an uncommitted change shows too).
#ifndef VERIDIAN_SIM_BUILD_IDENTITY_H_
#define VERIDIAN_SIM_BUILD_IDENTITY_H_

#include <string>

namespace sim {

// "gcc 12.2.0, -c opt, sources 0123456789abcdef".
std::string BuildIdentity();

}  // namespace sim

#endif  // VERIDIAN_SIM_BUILD_IDENTITY_H_
