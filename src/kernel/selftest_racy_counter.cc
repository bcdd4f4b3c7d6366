// racy_counter: a race planted on purpose, for the simulator's schedule
// exploration (`vos_sim explore scenarios/racy_counter.toml`) to find.
//
// Every CPU first does some private work, then increments a shared counter
// WITHOUT a lock: a load and a store of a hal::Atomic, with an interleaving
// point (a statistics update) between them. Most schedules run the
// increments one after another and the count is exact; only a schedule that
// runs another CPU's load inside that window loses an update, and the
// finish step asserts the count, so the kernel panics. Only selected by
// workload=racy_counter: nothing else in the kernel runs this code.
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/kernel/selftest.h"
#include "src/lib/assert.h"
#include "src/lib/print.h"

namespace kernel {
namespace {

constexpr uint64_t kDefaultIterations = 1;
// Private work (interleaving points) before each increment: spreads the
// CPUs out so that the window is rarely hit.
constexpr uint64_t kDefaultWork = 4;  // Per CPU index: CPU c does 4c steps.

struct RacyCounterState {
  uint64_t iterations = 0;
  uint64_t work = 0;
  uint32_t cpus = 0;
  hal::Atomic<uint64_t> counter;
  hal::Atomic<uint64_t> increments_begun;
  hal::Atomic<uint64_t> private_work[hal::kMaxCpus];
};
RacyCounterState racy_counter;

bool Setup(const vos::CommandLine& command_line, uint32_t cpus) {
  racy_counter.cpus = cpus;
  vos::Result<uint64_t> work = command_line.GetUint("work", kDefaultWork);
  if (!work.ok()) {
    vos::Printf("racy_counter: work= must be a decimal number\n");
    return false;
  }
  racy_counter.work = *work;
  return ParseIterations(command_line, "racy_counter", kDefaultIterations,
                         &racy_counter.iterations);
}

void Run(hal::CpuId cpu) {
  for (uint64_t i = 0; i < racy_counter.iterations; ++i) {
    for (uint64_t w = 0; w < racy_counter.work * cpu; ++w) {
      racy_counter.private_work[cpu].FetchAdd(1);
    }
    // THE PLANTED BUG: a read-modify-write split into a load and a store.
    const uint64_t value = racy_counter.counter.Load();
    racy_counter.increments_begun.FetchAdd(1);  // An interleaving point inside the window.
    racy_counter.counter.Store(value + 1);
  }
}

bool Finish() {
  const uint64_t expected = racy_counter.iterations * racy_counter.cpus;
  const uint64_t counter = racy_counter.counter.Load();
  vos::Printf("racy_counter: counter %lu of %lu\n", counter, expected);
  VOS_ASSERT_MSG(counter == expected, "racy_counter lost %lu update(s): the planted race",
                 expected - counter);
  return true;
}

}  // namespace

const SelfTest kRacyCounterTest = {
    .name = "racy_counter",
    .description = "a planted race (unlocked load/store increment) for vos_sim explore",
    .setup = Setup,
    .run_on_cpu = Run,
    .finish = Finish,
};

}  // namespace kernel
