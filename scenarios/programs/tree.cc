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
  for (uint64_t i = 0; i < fan; ++i) {
    const vos::Result<vos::abi::ExitStatus> status =
        WaitChild(vos::abi::kAnyChild, kScratch + 3072);
    if (!status.ok()) return Code(status.status());
    if (status.value().reason != vos::abi::ExitReason::kExited || status.value().code < 0) {
      return -100;
    }
    total += status.value().code;
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
