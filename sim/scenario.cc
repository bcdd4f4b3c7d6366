#include "sim/scenario.h"

#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/hal/types.h"
#include "src/sched/priority.h"

// Header-only, without exceptions: parse errors come back as values.
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

namespace sim {
namespace {

constexpr uint64_t kMaxRamMib = 64 * 1024;  // Per node; RAM is mmap'd lazily.
constexpr uint32_t kMaxPctDepth = 64;

struct Name {
  const char* text;
  int value;
};
constexpr Name kPriorityClasses[] = {
    {"idle", static_cast<int>(vos::PriorityClass::kIdle)},
    {"normal", static_cast<int>(vos::PriorityClass::kNormal)},
    {"realtime", static_cast<int>(vos::PriorityClass::kRealTime)},
};
constexpr Name kPageTables[] = {{"x86_64", static_cast<int>(hal::PageTableFormat::kX86_64)},
                                {"aarch64", static_cast<int>(hal::PageTableFormat::kAarch64)},
                                {"sv39", static_cast<int>(hal::PageTableFormat::kSv39)},
                                {"sv48", static_cast<int>(hal::PageTableFormat::kSv48)}};
constexpr Name kPolicies[] = {{"random", static_cast<int>(SchedulePolicy::kRandom)},
                              {"round_robin", static_cast<int>(SchedulePolicy::kRoundRobin)},
                              {"pct", static_cast<int>(SchedulePolicy::kPct)}};
constexpr Name kOutcomes[] = {{"pass", static_cast<int>(ExpectedOutcome::kPass)},
                              {"fail", static_cast<int>(ExpectedOutcome::kFail)},
                              {"panic", static_cast<int>(ExpectedOutcome::kPanic)},
                              {"deadlock", static_cast<int>(ExpectedOutcome::kDeadlock)},
                              {"limit", static_cast<int>(ExpectedOutcome::kLimit)}};

template <size_t N>
const char* NameOf(const Name (&names)[N], int value) {
  for (const Name& name : names) {
    if (name.value == value) return name.text;
  }
  return "?";
}

template <size_t N>
std::string NameList(const Name (&names)[N]) {
  std::string list;
  for (const Name& name : names) absl::StrAppend(&list, list.empty() ? "" : " | ", name.text);
  return list;
}

std::string JoinNames(std::initializer_list<std::string_view> names) {
  std::string list;
  for (std::string_view name : names) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "a value";
}

// Reads typed fields out of toml++ tables, reporting the first problem.
class Parser {
 public:
  Parser(const std::string& path, ScenarioError* error) : path_(path), error_(error) {}

  bool Fail(ScenarioErrorKind kind, const toml::source_region& where, std::string_view field,
            std::string_view why) {
    error_->kind = kind;
    error_->message = absl::StrFormat("%s:%u:%u: %s: %s", path_, where.begin.line,
                                      where.begin.column, field, why);
    return false;
  }

  // Every key of `table` must be one of `allowed`: typos are errors.
  bool CheckKeys(const toml::table& table, std::string_view prefix,
                 std::initializer_list<std::string_view> allowed) {
    for (auto&& [key, node] : table) {
      bool known = false;
      for (std::string_view name : allowed) known = known || key.str() == name;
      if (!known) {
        return Fail(ScenarioErrorKind::kInvalidField, key.source(), Join(prefix, key.str()),
                    absl::StrCat("unknown key (known here: ", JoinNames(allowed), ")"));
      }
    }
    return true;
  }

  // Absent keys leave *out as it is.
  bool GetUint(const toml::table& table, std::string_view prefix, std::string_view key,
               uint64_t* out, uint64_t min = 0, uint64_t max = ~uint64_t{0},
               ScenarioErrorKind range_error = ScenarioErrorKind::kInvalidField) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_integer()) return WrongType(*node, Join(prefix, key), "an integer");
    const int64_t value = node->as_integer()->get();
    if (value < 0 || static_cast<uint64_t>(value) < min || static_cast<uint64_t>(value) > max) {
      return Fail(range_error, node->source(), Join(prefix, key),
                  absl::StrFormat("must be %u..%u, got %d", min, max, value));
    }
    *out = static_cast<uint64_t>(value);
    return true;
  }

  bool GetUint32(const toml::table& table, std::string_view prefix, std::string_view key,
                 uint32_t* out, uint32_t min, uint32_t max,
                 ScenarioErrorKind range_error = ScenarioErrorKind::kInvalidField) {
    uint64_t value = *out;
    if (!GetUint(table, prefix, key, &value, min, max, range_error)) return false;
    *out = static_cast<uint32_t>(value);
    return true;
  }

  bool GetInt(const toml::table& table, std::string_view prefix, std::string_view key,
              std::optional<int64_t>* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_integer()) return WrongType(*node, Join(prefix, key), "an integer");
    *out = node->as_integer()->get();
    return true;
  }

  bool GetBool(const toml::table& table, std::string_view prefix, std::string_view key,
               bool* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_boolean()) return WrongType(*node, Join(prefix, key), "a boolean");
    *out = node->as_boolean()->get();
    return true;
  }

  bool GetString(const toml::table& table, std::string_view prefix, std::string_view key,
                 std::string* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_string()) return WrongType(*node, Join(prefix, key), "a string");
    *out = node->as_string()->get();
    return true;
  }

  // A string naming one of `names`.
  template <typename Enum, size_t N>
  bool GetEnum(const toml::table& table, std::string_view prefix, std::string_view key,
               const Name (&names)[N], Enum* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_string()) return WrongType(*node, Join(prefix, key), "a string");
    const std::string& text = node->as_string()->get();
    for (const Name& name : names) {
      if (text == name.text) {
        *out = static_cast<Enum>(name.value);
        return true;
      }
    }
    return Fail(ScenarioErrorKind::kInvalidField, node->source(), Join(prefix, key),
                absl::StrFormat("\"%s\" is not one of %s", text, NameList(names)));
  }

  // *out = the sub-table, or nullptr when absent.
  bool GetTable(const toml::table& table, std::string_view prefix, std::string_view key,
                const toml::table** out) {
    *out = nullptr;
    const toml::node* node = table.get(key);
    if (node == nullptr) return true;
    if (!node->is_table()) return WrongType(*node, Join(prefix, key), "a table");
    *out = node->as_table();
    return true;
  }

  bool WrongType(const toml::node& node, std::string_view field, const char* expected) {
    return Fail(ScenarioErrorKind::kInvalidField, node.source(), field,
                absl::StrFormat("expected %s, got %s", expected, TypeName(node.type())));
  }

  static std::string Join(std::string_view prefix, std::string_view key) {
    if (prefix.empty()) return std::string(key);
    return absl::StrCat(std::string(prefix), ".", std::string(key));
  }

 private:
  const std::string& path_;
  ScenarioError* error_;
};

// [machine] max_processes and max_user_threads: the program runner's
// tables, so only with [[program]] entries (parsed before [machine]).
bool ParseProcessTables(Parser& p, const toml::table& t, Scenario* s) {
  for (const char* key : {"max_processes", "max_user_threads"}) {
    const toml::node* node = t.get(key);
    if (node != nullptr && s->programs.empty()) {
      return p.Fail(ScenarioErrorKind::kInvalidField, node->source(),
                    absl::StrCat("machine.", key),
                    "only scenarios with [[program]] entries have process tables");
    }
  }
  ProcessTables& tables = s->process_tables;
  // Init holds one process slot.
  return p.GetUint(t, "machine", "max_processes", &tables.processes, 2,
                   ProcessTables::kMaxProcesses) &&
         p.GetUint(t, "machine", "max_user_threads", &tables.user_threads, 1,
                   ProcessTables::kMaxUserThreads);
}

bool ParseMachine(Parser& p, const toml::table& t, Scenario* s) {
  constexpr ScenarioErrorKind kImpossible = ScenarioErrorKind::kImpossibleMachine;
  return p.CheckKeys(t, "machine",
                     {"cpus", "numa_nodes", "ram_mib", "page_table", "timer_tick_ns",
                      "skew_window_ns", "max_interleavings", "max_processes",
                      "max_user_threads"}) &&
         ParseProcessTables(p, t, s) &&
         p.GetUint32(t, "machine", "cpus", &s->cpus, 1, hal::kMaxCpus, kImpossible) &&
         p.GetUint32(t, "machine", "numa_nodes", &s->numa_nodes, 1, hal::kMaxNumaNodes,
                     kImpossible) &&
         p.GetUint(t, "machine", "ram_mib", &s->ram_mib, 4, kMaxRamMib, kImpossible) &&
         p.GetEnum(t, "machine", "page_table", kPageTables, &s->page_table) &&
         p.GetUint(t, "machine", "timer_tick_ns", &s->timer_tick_ns, 0, 1'000'000'000) &&
         p.GetUint(t, "machine", "skew_window_ns", &s->skew_window_ns, 0, 1'000'000'000) &&
         p.GetUint(t, "machine", "max_interleavings", &s->max_interleavings);
}

bool ParseSchedule(Parser& p, const toml::table& t, Scenario* s) {
  return p.CheckKeys(t, "schedule", {"policy", "pct_depth", "pct_steps"}) &&
         p.GetEnum(t, "schedule", "policy", kPolicies, &s->policy) &&
         p.GetUint32(t, "schedule", "pct_depth", &s->pct_depth, 1, kMaxPctDepth) &&
         p.GetUint(t, "schedule", "pct_steps", &s->pct_steps);
}

bool ParseWorkload(Parser& p, const toml::table& t, Scenario* s) {
  if (!p.CheckKeys(t, "workload", {"selftest", "iterations", "cmdline"}) ||
      !p.GetString(t, "workload", "selftest", &s->selftest) ||
      !p.GetUint(t, "workload", "iterations", &s->iterations) ||
      !p.GetString(t, "workload", "cmdline", &s->cmdline)) {
    return false;
  }
  // The kernel command line is space-separated words.
  if (const toml::node* node = t.get("selftest");
      node != nullptr && (s->selftest.empty() || s->selftest.find(' ') != std::string::npos)) {
    return p.Fail(ScenarioErrorKind::kInvalidField, node->source(), "workload.selftest",
                  "must be one word");
  }
  return true;
}

bool ParseDeviceInterrupts(Parser& p, const toml::node& node, Scenario* s) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return p.WrongType(node, "faults.device_interrupt", "an array of tables");
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string prefix = absl::StrFormat("faults.device_interrupt[%u]", i);
    const toml::node& element = *array->get(i);
    if (!element.is_table()) return p.WrongType(element, prefix, "a table");
    const toml::table& t = *element.as_table();
    uint64_t at = 0;
    uint32_t cpu = 0, vector = 32;
    if (!p.CheckKeys(t, prefix, {"at_ns", "cpu", "vector"}) ||
        !p.GetUint(t, prefix, "at_ns", &at) ||
        !p.GetUint32(t, prefix, "cpu", &cpu, 0, s->cpus - 1) ||
        !p.GetUint32(t, prefix, "vector", &vector, 0, 255)) {
      return false;
    }
    s->device_interrupts.push_back({at, cpu, vector});
  }
  return true;
}

bool ParseFaults(Parser& p, const toml::table& t, Scenario* s) {
  if (!p.CheckKeys(t, "faults", {"ipi_delay_ns", "frame_alloc_fail_every", "device_interrupt"}) ||
      !p.GetUint(t, "faults", "ipi_delay_ns", &s->ipi_delay_ns, 0, 1'000'000'000) ||
      !p.GetUint(t, "faults", "frame_alloc_fail_every", &s->frame_alloc_fail_every)) {
    return false;
  }
  const toml::node* interrupts = t.get("device_interrupt");
  return interrupts == nullptr || ParseDeviceInterrupts(p, *interrupts, s);
}

// A program's affinity = [CPU, ...], cpu = N (in the affinity) and
// priority = "idle" | "normal" | "realtime" with priority_level = N.
bool ParseScheduling(Parser& p, const toml::table& t, const std::string& prefix,
                     const Scenario& s, ProgramSpec* spec) {
  if (const toml::node* affinity = t.get("affinity")) {
    const std::string field = Parser::Join(prefix, "affinity");
    const toml::array* cpus = affinity->as_array();
    if (cpus == nullptr || cpus->empty()) {
      return p.WrongType(*affinity, field, "a non-empty array of CPU indices");
    }
    for (size_t j = 0; j < cpus->size(); ++j) {
      const toml::node& cpu = *cpus->get(j);
      const std::string item = absl::StrFormat("%s[%u]", field, j);
      if (!cpu.is_integer()) return p.WrongType(cpu, item, "an integer");
      const int64_t value = cpu.as_integer()->get();
      if (value < 0 || value >= s.cpus) {
        return p.Fail(ScenarioErrorKind::kInvalidField, cpu.source(), item,
                      absl::StrFormat("must be a CPU of the machine, 0..%u, got %d", s.cpus - 1,
                                      value));
      }
      spec->affinity.push_back(static_cast<uint32_t>(value));
    }
  }
  if (t.contains("cpu")) {
    uint32_t cpu = 0;
    if (!p.GetUint32(t, prefix, "cpu", &cpu, 0, s.cpus - 1)) return false;
    if (!spec->affinity.empty() &&
        std::find(spec->affinity.begin(), spec->affinity.end(), cpu) == spec->affinity.end()) {
      return p.Fail(ScenarioErrorKind::kInvalidField, t.get("cpu")->source(),
                    Parser::Join(prefix, "cpu"), "must be one of the program's affinity CPUs");
    }
    spec->cpu = cpu;
  }
  auto priority_class = vos::PriorityClass::kNormal;
  if (!p.GetEnum(t, prefix, "priority", kPriorityClasses, &priority_class)) return false;
  const uint32_t levels = priority_class == vos::PriorityClass::kIdle     ? vos::kIdleLevels
                          : priority_class == vos::PriorityClass::kNormal ? vos::kNormalLevels
                                                                          : vos::kRealTimeLevels;
  uint32_t level = priority_class == vos::PriorityClass::kNormal ? levels / 2 : 0;
  if (!p.GetUint32(t, prefix, "priority_level", &level, 0, levels - 1)) return false;
  if (t.contains("priority") || t.contains("priority_level")) {
    spec->priority = vos::MakePriority(priority_class, level);
  }
  return true;
}

bool ParsePrograms(Parser& p, const toml::node& node, Scenario* s) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return p.WrongType(node, "program", "an array of tables ([[program]])");
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string prefix = absl::StrFormat("program[%u]", i);
    const toml::node& element = *array->get(i);
    if (!element.is_table()) return p.WrongType(element, prefix, "a table");
    const toml::table& t = *element.as_table();
    ProgramSpec spec;
    if (!p.CheckKeys(t, prefix,
                     {"name", "args", "affinity", "cpu", "priority", "priority_level",
                      "registry_admin"}) ||
        !p.GetString(t, prefix, "name", &spec.name) || !ParseScheduling(p, t, prefix, *s, &spec) ||
        !p.GetBool(t, prefix, "registry_admin", &spec.registry_admin)) {
      return false;
    }
    if (!t.contains("name")) {
      return p.Fail(ScenarioErrorKind::kInvalidField, t.source(), Parser::Join(prefix, "name"),
                    "missing (a catalog program)");
    }
    if (!IsCatalogProgram(spec.name)) {
      return p.Fail(ScenarioErrorKind::kInvalidField, t.get("name")->source(),
                    Parser::Join(prefix, "name"),
                    absl::StrFormat("\"%s\" is not in the program catalog (%s)", spec.name,
                                    CatalogProgramNames()));
    }
    if (const toml::node* args = t.get("args")) {
      const std::string field = Parser::Join(prefix, "args");
      const toml::array* values = args->as_array();
      if (values == nullptr) return p.WrongType(*args, field, "an array of integers");
      for (size_t j = 0; j < values->size(); ++j) {
        const toml::node& value = *values->get(j);
        const std::string item = absl::StrFormat("%s[%u]", field, j);
        if (!value.is_integer()) return p.WrongType(value, item, "an integer");
        if (value.as_integer()->get() < 0) {
          return p.Fail(ScenarioErrorKind::kInvalidField, value.source(), item,
                        "must not be negative");
        }
        spec.args.push_back(static_cast<uint64_t>(value.as_integer()->get()));
      }
    }
    s->programs.push_back(std::move(spec));
  }
  return true;
}

// [expect.programs] NAME = CODE (exited with CODE) or "killed" / "faulted".
bool ParseProgramEnds(Parser& p, const toml::table& t, Scenario* s) {
  for (auto&& [key, node] : t) {
    const std::string name(key.str());
    const std::string field = absl::StrCat("expect.programs.", name);
    bool listed = false;
    for (const ProgramSpec& spec : s->programs) listed = listed || spec.name == name;
    if (!listed) {
      return p.Fail(ScenarioErrorKind::kInvalidField, key.source(), field,
                    "no [[program]] of that name");
    }
    ProgramEnd end;
    if (node.is_integer()) {
      end.code = node.as_integer()->get();
    } else if (node.is_string() && (node.as_string()->get() == "killed" ||
                                    node.as_string()->get() == "faulted")) {
      end.reason = node.as_string()->get() == "killed" ? vos::abi::ExitReason::kKilled
                                                       : vos::abi::ExitReason::kFaulted;
    } else {
      return p.Fail(ScenarioErrorKind::kInvalidField, node.source(), field,
                    "expected an exit code (integer), \"killed\" or \"faulted\"");
    }
    s->program_ends[name] = end;
  }
  return true;
}

bool ParseCounters(Parser& p, const toml::table& t, Scenario* s) {
  for (auto&& [key, node] : t) {
    const std::string field = absl::StrCat("expect.counters.", std::string(key.str()));
    bool known = false;
    for (const char* name : kScenarioCounters) known = known || key.str() == name;
    if (!known) {
      return p.Fail(ScenarioErrorKind::kInvalidField, key.source(), field,
                    absl::StrCat("unknown counter (known: ",
                                 absl::StrJoin(kScenarioCounters, ", "), ")"));
    }
    if (!node.is_table()) return p.WrongType(node, field, "a table such as { min = 1 }");
    const toml::table& bounds_table = *node.as_table();
    uint64_t min = 0, max = ~uint64_t{0};
    if (!p.CheckKeys(bounds_table, field, {"min", "max"}) ||
        !p.GetUint(bounds_table, field, "min", &min) ||
        !p.GetUint(bounds_table, field, "max", &max)) {
      return false;
    }
    CounterBounds& bounds = s->counters[std::string(key.str())];
    if (bounds_table.contains("min")) bounds.min = min;
    if (bounds_table.contains("max")) bounds.max = max;
  }
  return true;
}

bool ParseExpect(Parser& p, const toml::table& t, Scenario* s) {
  if (!p.CheckKeys(t, "expect",
                   {"outcome", "exit_code", "deadline_ns", "console_contains", "counters",
                    "programs"}) ||
      !p.GetEnum(t, "expect", "outcome", kOutcomes, &s->outcome) ||
      !p.GetInt(t, "expect", "exit_code", &s->exit_code)) {
    return false;
  }
  uint64_t deadline = 0;
  if (t.contains("deadline_ns")) {
    if (!p.GetUint(t, "expect", "deadline_ns", &deadline, 1)) return false;
    s->deadline_ns = deadline;
  }
  if (const toml::node* node = t.get("console_contains")) {
    const toml::array* array = node->as_array();
    if (array == nullptr) return p.WrongType(*node, "expect.console_contains", "an array");
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      if (!element.is_string()) {
        return p.WrongType(element, absl::StrFormat("expect.console_contains[%u]", i),
                           "a string");
      }
      s->console_contains.push_back(element.as_string()->get());
    }
  }
  const toml::table* counters = nullptr;
  if (!p.GetTable(t, "expect", "counters", &counters) ||
      (counters && !ParseCounters(p, *counters, s))) {
    return false;
  }
  const toml::table* programs = nullptr;
  return p.GetTable(t, "expect", "programs", &programs) &&
         (!programs || ParseProgramEnds(p, *programs, s));
}

bool ParseTable(Parser& p, const toml::table& root, Scenario* s) {
  if (!p.CheckKeys(root, "", {"description", "seed", "machine", "schedule", "workload",
                              "faults", "expect", "program"}) ||
      !p.GetString(root, "", "description", &s->description) ||
      !p.GetUint(root, "", "seed", &s->seed)) {
    return false;
  }
  if (const toml::node* program = root.get("program")) {
    if (root.contains("workload")) {
      return p.Fail(ScenarioErrorKind::kInvalidField, program->source(), "program",
                    "a scenario runs either [workload] or [[program]] entries, not both");
    }
    if (!ParsePrograms(p, *program, s)) return false;
  }
  const toml::table* table = nullptr;
  // Machine first: later sections check CPU numbers against it.
  if (!p.GetTable(root, "", "machine", &table) || (table && !ParseMachine(p, *table, s))) {
    return false;
  }
  if (!p.GetTable(root, "", "schedule", &table) || (table && !ParseSchedule(p, *table, s))) {
    return false;
  }
  if (!p.GetTable(root, "", "workload", &table) || (table && !ParseWorkload(p, *table, s))) {
    return false;
  }
  if (!p.GetTable(root, "", "faults", &table) || (table && !ParseFaults(p, *table, s))) {
    return false;
  }
  return p.GetTable(root, "", "expect", &table) && (!table || ParseExpect(p, *table, s));
}

// Integers beyond int64 cannot be written to TOML; the fields that could be
// that large are limits, where "huge" is all that matters.
int64_t Clamp(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(value, std::numeric_limits<int64_t>::max()));
}

}  // namespace

const char* ExpectedOutcomeName(ExpectedOutcome outcome) {
  return NameOf(kOutcomes, static_cast<int>(outcome));
}

bool ParseScenario(std::string_view text, const std::string& path, Scenario* scenario,
                   ScenarioError* error) {
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) {
    const toml::parse_error& failure = parsed.error();
    error->kind = ScenarioErrorKind::kSyntax;
    error->message = absl::StrFormat("%s:%u:%u: malformed TOML: %s", path,
                                     failure.source().begin.line,
                                     failure.source().begin.column, failure.description());
    return false;
  }
  Scenario result;
  Parser parser(path, error);
  if (!ParseTable(parser, parsed.table(), &result)) return false;
  *scenario = std::move(result);
  return true;
}

bool LoadScenarioFile(const std::string& path, Scenario* scenario, ScenarioError* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error->kind = ScenarioErrorKind::kUnreadable;
    error->message = absl::StrFormat("%s:0:0: (file): cannot read the scenario: %s", path,
                                     strerror(errno));
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  return ParseScenario(text.str(), path, scenario, error);
}

std::string CanonicalScenarioText(const Scenario& s) {
  toml::table machine{
      {"cpus", int64_t{s.cpus}},
      {"numa_nodes", int64_t{s.numa_nodes}},
      {"ram_mib", Clamp(s.ram_mib)},
      {"page_table", NameOf(kPageTables, static_cast<int>(s.page_table))},
      {"timer_tick_ns", Clamp(s.timer_tick_ns)},
      {"skew_window_ns", Clamp(s.skew_window_ns)},
      {"max_interleavings", Clamp(s.max_interleavings)},
  };
  if (s.process_tables != ProcessTables{}) {
    machine.insert("max_processes", Clamp(s.process_tables.processes));
    machine.insert("max_user_threads", Clamp(s.process_tables.user_threads));
  }
  toml::table schedule{
      {"policy", NameOf(kPolicies, static_cast<int>(s.policy))},
      {"pct_depth", int64_t{s.pct_depth}},
      {"pct_steps", Clamp(s.pct_steps)},
  };
  toml::table workload{
      {"selftest", s.selftest},
      {"iterations", Clamp(s.iterations)},
      {"cmdline", s.cmdline},
  };
  toml::array interrupts;
  for (const ScheduledInterrupt& interrupt : s.device_interrupts) {
    interrupts.push_back(toml::table{{"at_ns", Clamp(interrupt.at)},
                                     {"cpu", int64_t{interrupt.cpu}},
                                     {"vector", int64_t{interrupt.vector}}});
  }
  toml::table faults{
      {"ipi_delay_ns", Clamp(s.ipi_delay_ns)},
      {"frame_alloc_fail_every", Clamp(s.frame_alloc_fail_every)},
  };
  if (!interrupts.empty()) faults.insert("device_interrupt", std::move(interrupts));
  toml::table expect{{"outcome", ExpectedOutcomeName(s.outcome)}};
  if (s.exit_code) expect.insert("exit_code", *s.exit_code);
  if (s.deadline_ns) expect.insert("deadline_ns", Clamp(*s.deadline_ns));
  if (!s.console_contains.empty()) {
    toml::array contains;
    for (const std::string& text : s.console_contains) contains.push_back(text);
    expect.insert("console_contains", std::move(contains));
  }
  if (!s.counters.empty()) {
    toml::table counters;
    for (const auto& [name, bounds] : s.counters) {
      toml::table entry;
      if (bounds.min) entry.insert("min", Clamp(*bounds.min));
      if (bounds.max) entry.insert("max", Clamp(*bounds.max));
      counters.insert(name, std::move(entry));
    }
    expect.insert("counters", std::move(counters));
  }
  if (!s.program_ends.empty()) {
    toml::table ends;
    for (const auto& [name, end] : s.program_ends) {
      if (end.reason == vos::abi::ExitReason::kExited) {
        ends.insert(name, end.code);
      } else {
        ends.insert(name, ExitReasonName(end.reason));
      }
    }
    expect.insert("programs", std::move(ends));
  }
  toml::table root{
      {"description", s.description}, {"seed", Clamp(s.seed)}, {"machine", std::move(machine)},
      {"schedule", std::move(schedule)}, {"faults", std::move(faults)},
      {"expect", std::move(expect)},
  };
  // Either a self-test or programs, as in the file.
  if (s.programs.empty()) {
    root.insert("workload", std::move(workload));
  } else {
    toml::array programs;
    for (const ProgramSpec& spec : s.programs) {
      toml::array args;
      for (uint64_t arg : spec.args) args.push_back(Clamp(arg));
      toml::table program{{"name", spec.name}, {"args", std::move(args)}};
      if (!spec.affinity.empty()) {
        toml::array cpus;
        for (uint32_t cpu : spec.affinity) cpus.push_back(int64_t{cpu});
        program.insert("affinity", std::move(cpus));
      }
      if (spec.cpu) program.insert("cpu", int64_t{*spec.cpu});
      if (spec.priority) {
        const vos::Priority priority = static_cast<vos::Priority>(*spec.priority);
        const vos::PriorityClass priority_class = vos::ClassOf(priority);
        const vos::Priority base = vos::MakePriority(priority_class, 0);
        for (const Name& name : kPriorityClasses) {
          if (name.value == static_cast<int>(priority_class)) program.insert("priority", name.text);
        }
        program.insert("priority_level", int64_t{priority - base});
      }
      // Only when set: scenarios without it keep their canonical text.
      if (spec.registry_admin) program.insert("registry_admin", true);
      programs.push_back(std::move(program));
    }
    root.insert("program", std::move(programs));
  }
  std::ostringstream out;
  out << toml::toml_formatter(root, toml::format_flags::none);
  out << "\n";
  return out.str();
}

uint64_t ScenarioHash(const Scenario& scenario) {
  const std::string text = CanonicalScenarioText(scenario);
  return XXH64(text.data(), text.size(), 0);
}

}  // namespace sim
