#include "backends/common/static_constructors.h"

using Constructor = void (*)();

// Defined by every backend's linker script.
extern "C" const Constructor __init_array_start[];
extern "C" const Constructor __init_array_end[];

namespace backend {

void RunStaticConstructors() {
  for (const Constructor* c = __init_array_start; c != __init_array_end; ++c) (*c)();
}

}  // namespace backend
