// Kernel invariants, checked in every build.
#ifndef VERIDIAN_SRC_LIB_ASSERT_H_
#define VERIDIAN_SRC_LIB_ASSERT_H_

#include "src/lib/panic.h"

#define VOS_ASSERT(condition)                                                   \
  do {                                                                          \
    if (!(condition)) [[unlikely]] {                                            \
      ::vos::Panic("%s:%d: assertion failed: %s", __FILE__, __LINE__, #condition); \
    }                                                                           \
  } while (0)

// As VOS_ASSERT, with a printf-style explanation of what broke.
#define VOS_ASSERT_MSG(condition, format, ...)                                  \
  do {                                                                          \
    if (!(condition)) [[unlikely]] {                                            \
      ::vos::Panic("%s:%d: assertion failed: %s: " format, __FILE__, __LINE__,  \
                   #condition, ##__VA_ARGS__);                                  \
    }                                                                           \
  } while (0)

#endif  // VERIDIAN_SRC_LIB_ASSERT_H_
