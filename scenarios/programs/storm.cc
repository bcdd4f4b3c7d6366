// storm (many threads in one process) and forest (many storms).
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"

namespace programs {
namespace {

using vos::user::Args;

// Room for this many thread ids in the scratch area.
constexpr uint64_t kMaxStormThreads = 1024;

int64_t Worker(uint64_t work) {
  vos::user::Compute(work);
  return 0;
}

int64_t Storm(Args args) {
  const uint64_t threads = Arg(args, 0);
  const uint64_t work = Arg(args, 1);
  if (threads > kMaxStormThreads) return -1;
  const uint64_t ids = kScratch + 4096;  // One uint64_t per thread.
  for (uint64_t i = 0; i < threads; ++i) {
    const int64_t tid = vos::user::ThreadCreate(&vos::user::ThreadEntry<Worker>, work);
    if (tid < 0) return tid;
    Put(ids + i * sizeof(uint64_t), &tid, sizeof(tid));
  }
  int64_t joined = 0;
  for (uint64_t i = 0; i < threads; ++i) {
    uint64_t tid;
    vos::user::Load(ids + i * sizeof(uint64_t), &tid, sizeof(tid));
    if (vos::user::ThreadJoin(tid) == 0) ++joined;
  }
  return joined;
}

int64_t Forest(Args args) {
  const uint64_t procs = Arg(args, 0);
  const uint64_t storm_args[2] = {Arg(args, 1), Arg(args, 2)};
  for (uint64_t i = 0; i < procs; ++i) {
    const int64_t child = SpawnWith("storm", storm_args, 2);
    if (child < 0) return child;
  }
  int64_t total = 0;
  for (uint64_t i = 0; i < procs; ++i) {
    const vos::Result<vos::abi::ExitStatus> status =
        WaitChild(vos::abi::kAnyChild, kScratch + 3072);
    if (!status.ok()) return -2;
    if (status.value().reason != vos::abi::ExitReason::kExited) return -3;
    total += status.value().code;
  }
  return total;
}

}  // namespace

const vos::user::Entry kStorm = &vos::user::ProgramEntry<Storm>;
const vos::user::Entry kForest = &vos::user::ProgramEntry<Forest>;

}  // namespace programs
