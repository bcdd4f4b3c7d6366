// Capability tokens in syscall arguments and results (their user form:
// src/proc/user_token.h), and the objects they name in the caller's space.
#ifndef VERIDIAN_SRC_SYSCALL_TOKENS_H_
#define VERIDIAN_SRC_SYSCALL_TOKENS_H_

#include <cstdint>

#include "src/cap/object.h"
#include "src/cap/rights.h"
#include "src/cap/token.h"
#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/proc/process.h"
#include "src/proc/user_token.h"
#include "src/sched/timer_queue.h"

namespace vos::syscall {

inline int64_t TokenResult(Token token) { return static_cast<int64_t>(ToUserToken(token)); }
// A deadline argument: monotonic ns, 0 for none.
inline hal::Nanoseconds DeadlineArgument(uint64_t value) {
  return value == 0 ? kNoDeadline : value;
}
inline Token TokenArgument(uint64_t value) { return FromUserToken(value); }

// The object of type T that argument `value` names in the caller's space,
// if the capability has `rights`.
template <TypedKernelObject T>
Result<ObjectRef<T>> AcquireArgument(UserThread& self, uint64_t value, Rights rights) {
  return self.process().capabilities().Acquire<T>(TokenArgument(value), rights);
}

// Names a new `object` in the caller's space with `rights`: the token as a
// syscall result, or the status that creating or inserting it failed with.
template <TypedKernelObject T>
int64_t NewObjectResult(UserThread& self, Result<ObjectRef<T>> object, Rights rights) {
  if (!object.ok()) return static_cast<int64_t>(object.status());
  Result<Token> token = self.process().capabilities().Insert(**object, rights);
  if (!token.ok()) return static_cast<int64_t>(token.status());
  return TokenResult(*token);
}

}  // namespace vos::syscall

#endif  // VERIDIAN_SRC_SYSCALL_TOKENS_H_
