// The programs a process can be spawned from, by name. In the simulator they
// are the user-program catalog's functions (scenarios/programs); on bare
// metal they will be images the boot loader hands over.
#ifndef VERIDIAN_SRC_PROC_PROGRAM_CATALOG_H_
#define VERIDIAN_SRC_PROC_PROGRAM_CATALOG_H_

#include <cstddef>
#include <span>

#include "src/hal/types.h"

namespace vos {

struct Program {
  const char* name;
  hal::VirtAddr entry;  // User code address of entry(args, args_size).
};

// The entry of `programs` named by the `size` bytes at `name`, or null.
const Program* FindProgram(std::span<const Program> programs, const char* name, size_t size);

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROGRAM_CATALOG_H_
