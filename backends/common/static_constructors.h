// Static constructors of a freestanding kernel image: the linker script
// gathers them into .init_array between __init_array_start and
// __init_array_end, and the boot code runs them once, before KernelMain.
#ifndef VERIDIAN_BACKENDS_COMMON_STATIC_CONSTRUCTORS_H_
#define VERIDIAN_BACKENDS_COMMON_STATIC_CONSTRUCTORS_H_

namespace backend {

void RunStaticConstructors();

}  // namespace backend

#endif  // VERIDIAN_BACKENDS_COMMON_STATIC_CONSTRUCTORS_H_
