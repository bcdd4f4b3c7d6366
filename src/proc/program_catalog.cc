#include "src/proc/program_catalog.h"

namespace vos {

const Program* FindProgram(std::span<const Program> programs, const char* name, size_t size) {
  for (const Program& program : programs) {
    size_t i = 0;
    while (i < size && program.name[i] != '\0' && program.name[i] == name[i]) ++i;
    if (i == size && program.name[i] == '\0') return &program;
  }
  return nullptr;
}

}  // namespace vos
