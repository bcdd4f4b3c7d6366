#include "sim/backtrace.h"

#define UNW_LOCAL_ONLY
#include <cxxabi.h>
#include <libunwind.h>

#include <cstdlib>

#include "absl/strings/str_format.h"

namespace sim {

std::string CurrentBacktrace() {
  constexpr int kMaxFrames = 64;
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) {
    return "  (libunwind could not read the stack)\n";
  }
  std::string out;
  for (int frame = 0; frame < kMaxFrames && unw_step(&cursor) > 0; ++frame) {
    unw_word_t pc = 0;
    unw_word_t offset = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &pc);
    char mangled[512];
    std::string name = "??";
    if (unw_get_proc_name(&cursor, mangled, sizeof(mangled), &offset) == 0) {
      int status = 0;
      char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
      name = status == 0 ? demangled : mangled;
      std::free(demangled);
    }
    absl::StrAppendFormat(&out, "  #%-2d 0x%012x %s+0x%x\n", frame, pc, name, offset);
  }
  return out;
}

}  // namespace sim
