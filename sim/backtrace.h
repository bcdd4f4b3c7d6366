// Host backtraces of the running fiber (libunwind), for panics and faults.
#ifndef VERIDIAN_SIM_BACKTRACE_H_
#define VERIDIAN_SIM_BACKTRACE_H_

#include <string>

namespace sim {

// One line per frame, innermost first: "  #N 0xPC function+0xOFFSET".
std::string CurrentBacktrace();

}  // namespace sim

#endif  // VERIDIAN_SIM_BACKTRACE_H_
