#include "sim/run_body.h"

#include <utility>

#include "src/hal/power.h"

namespace sim {
namespace {

const std::function<void()>* current_body = nullptr;

void BodyEntry(const hal::BootInfo&) {
  (*current_body)();
  hal::PowerOff(0);
}

void IgnoreTrap(hal::Trap&) {}

}  // namespace

absl::StatusOr<RunResult> RunBody(MachineConfig config, const std::function<void()>& body) {
  config.boot_entry = BodyEntry;
  if (config.trap_handler == nullptr) config.trap_handler = IgnoreTrap;
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(std::move(config));
  if (!machine.ok()) return machine.status();
  current_body = &body;
  RunResult result = (*machine)->Run();
  current_body = nullptr;
  return result;
}

}  // namespace sim
