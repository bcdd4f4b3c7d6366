// hello, exit_with, spinner, sleeper, nop, faulter.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"

namespace programs {
namespace {

using vos::user::Args;

int64_t Hello(Args) {
  Print("hello from user mode\n");
  return 0;
}

int64_t ExitWith(Args args) { return static_cast<int64_t>(Arg(args, 0)); }

int64_t Spinner(Args args) {
  const uint64_t steps = Arg(args, 0);
  if (steps == 0) {
    for (;;) vos::user::Compute(1000);
  }
  vos::user::Compute(steps);
  return 0;
}

int64_t Sleeper(Args args) {
  vos::user::Sleep(Arg(args, 0));
  return 0;
}

int64_t Nop(Args) { return 0; }

int64_t Faulter(Args args) {
  uint64_t value = 0;
  vos::user::Load(Arg(args, 0), &value, sizeof(value));
  return 100;  // Not reached: the load cannot succeed.
}

}  // namespace

const vos::user::Entry kHello = &vos::user::ProgramEntry<Hello>;
const vos::user::Entry kExitWith = &vos::user::ProgramEntry<ExitWith>;
const vos::user::Entry kSpinner = &vos::user::ProgramEntry<Spinner>;
const vos::user::Entry kSleeper = &vos::user::ProgramEntry<Sleeper>;
const vos::user::Entry kNop = &vos::user::ProgramEntry<Nop>;
const vos::user::Entry kFaulter = &vos::user::ProgramEntry<Faulter>;

}  // namespace programs
