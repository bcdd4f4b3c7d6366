// Kernel panic: a broken invariant ends the machine with a useful message.
#ifndef VERIDIAN_SRC_LIB_PANIC_H_
#define VERIDIAN_SRC_LIB_PANIC_H_

namespace vos {

// Prints "KERNEL PANIC on cpu N at T ns: <message>" and halts the machine
// through hal::PanicHalt (the simulator adds a backtrace and exits with its
// panic status). Safe to call with any lock held and from trap handlers.
[[noreturn]] void Panic(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_PANIC_H_
