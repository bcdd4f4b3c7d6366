// tree (a fork-and-wait tree) and orphaner.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"

namespace programs {
namespace {

using vos::user::Args;

// Exits with the number of processes in its subtree, itself included, or
// a negative status if a spawn or wait failed.
int64_t Tree(Args args) {
  const uint64_t depth = Arg(args, 0);
  const uint64_t fan = Arg(args, 1);
  if (depth == 0) return 1;
  const uint64_t child_args[2] = {depth - 1, fan};
  for (uint64_t i = 0; i < fan; ++i) {
    const int64_t child = SpawnWith("tree", child_args, 2);
    if (child < 0) return child;
  }
  int64_t total = 1;
  const uint64_t status_at = kScratch + 3072;
  for (uint64_t i = 0; i < fan; ++i) {
    const int64_t reaped = vos::user::Wait(vos::abi::kAnyChild, status_at);
    if (reaped < 0) return reaped;
    vos::abi::ExitStatus status;
    vos::user::Load(status_at, &status, sizeof(status));
    if (status.reason != vos::abi::ExitReason::kExited || status.code < 0) return -100;
    total += status.code;
  }
  return total;
}

int64_t Orphaner(Args args) {
  const uint64_t ns = Arg(args, 0);
  const int64_t child = SpawnWith("sleeper", &ns, 1);
  return child < 0 ? child : 0;
}

}  // namespace

const vos::user::Entry kTree = &vos::user::ProgramEntry<Tree>;
const vos::user::Entry kOrphaner = &vos::user::ProgramEntry<Orphaner>;

}  // namespace programs
