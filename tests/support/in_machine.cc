#include "tests/support/in_machine.h"

#include <utility>

#include "gtest/gtest.h"
#include "src/hal/power.h"

namespace testing_support {
namespace {

std::function<void()>* current_body = nullptr;

void BodyEntry(const hal::BootInfo&) {
  (*current_body)();
  hal::PowerOff(0);
}

void IgnoreTrap(hal::Trap&) {}

}  // namespace

sim::MachineConfig SmallMachine(uint32_t cpus, uint64_t seed) {
  sim::MachineConfig config;
  config.cpus = cpus;
  config.seed = seed;
  config.echo_console = false;
  return config;
}

sim::RunResult RunInMachine(sim::MachineConfig config, std::function<void()> body) {
  config.boot_entry = BodyEntry;
  if (config.trap_handler == nullptr) config.trap_handler = IgnoreTrap;
  auto machine = sim::Machine::Create(std::move(config));
  if (!machine.ok()) {
    ADD_FAILURE() << "cannot create the machine: " << machine.status();
    sim::RunResult failed;
    failed.outcome = sim::RunOutcome::kPanicked;
    return failed;
  }
  current_body = &body;
  sim::RunResult result = (*machine)->Run();
  current_body = nullptr;
  return result;
}

}  // namespace testing_support
