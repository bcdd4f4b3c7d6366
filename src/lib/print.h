// Kernel console output. Lines from different CPUs do not interleave.
#ifndef VERIDIAN_SRC_LIB_PRINT_H_
#define VERIDIAN_SRC_LIB_PRINT_H_

namespace vos {

void Printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_PRINT_H_
