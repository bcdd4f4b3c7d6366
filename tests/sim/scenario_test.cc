// Scenario files: parsing, strict errors naming file, line and field, and
// the canonical text a trace embeds.
#include "sim/scenario.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/sched/priority.h"
#include "sim/program_run.h"
#include "sim/scenario_run.h"

namespace sim {
namespace {

constexpr char kFull[] = R"(description = "everything"
seed = 42

[machine]
cpus = 8
numa_nodes = 2
ram_mib = 32
page_table = "sv48"
timer_tick_ns = 5000
skew_window_ns = 1000
max_interleavings = 1000000

[schedule]
policy = "pct"
pct_depth = 4
pct_steps = 5000

[workload]
selftest = "smoke"
iterations = 7
cmdline = "extra=1"

[faults]
ipi_delay_ns = 300
frame_alloc_fail_every = 9

[[faults.device_interrupt]]
at_ns = 100
cpu = 7
vector = 33

[expect]
outcome = "panic"
exit_code = 3
deadline_ns = 99
console_contains = ["a", "b \"quoted\""]

[expect.counters]
ipis_delivered = { min = 1, max = 2 }
trace_events = { max = 10 }
)";

Scenario Parse(const std::string& text) {
  Scenario scenario;
  ScenarioError error;
  EXPECT_TRUE(ParseScenario(text, "t.toml", &scenario, &error)) << error.message;
  return scenario;
}

ScenarioError ParseError(const std::string& text) {
  Scenario scenario;
  ScenarioError error;
  EXPECT_FALSE(ParseScenario(text, "bad.toml", &scenario, &error));
  return error;
}

TEST(ScenarioTest, EmptyFileIsTheDefaultRun) {
  const Scenario scenario = Parse("");
  EXPECT_EQ(scenario.cpus, 4u);
  EXPECT_EQ(scenario.seed, 1u);
  EXPECT_EQ(scenario.selftest, "smoke");
  EXPECT_EQ(scenario.outcome, ExpectedOutcome::kPass);
  EXPECT_EQ(KernelCommandLine(scenario), "workload=smoke");
}

TEST(ScenarioTest, ParsesEveryField) {
  const Scenario s = Parse(kFull);
  EXPECT_EQ(s.description, "everything");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.cpus, 8u);
  EXPECT_EQ(s.numa_nodes, 2u);
  EXPECT_EQ(s.ram_mib, 32u);
  EXPECT_EQ(s.page_table, hal::PageTableFormat::kSv48);
  EXPECT_EQ(s.timer_tick_ns, 5000u);
  EXPECT_EQ(s.skew_window_ns, 1000u);
  EXPECT_EQ(s.max_interleavings, 1000000u);
  EXPECT_EQ(s.policy, SchedulePolicy::kPct);
  EXPECT_EQ(s.pct_depth, 4u);
  EXPECT_EQ(s.pct_steps, 5000u);
  EXPECT_EQ(s.iterations, 7u);
  EXPECT_EQ(s.ipi_delay_ns, 300u);
  ASSERT_EQ(s.device_interrupts.size(), 1u);
  EXPECT_EQ(s.device_interrupts[0].at, 100u);
  EXPECT_EQ(s.device_interrupts[0].cpu, 7u);
  EXPECT_EQ(s.device_interrupts[0].vector, 33u);
  EXPECT_EQ(s.outcome, ExpectedOutcome::kPanic);
  EXPECT_EQ(s.exit_code, 3);
  EXPECT_EQ(s.deadline_ns, 99u);
  ASSERT_EQ(s.console_contains.size(), 2u);
  EXPECT_EQ(s.console_contains[1], "b \"quoted\"");
  EXPECT_EQ(s.counters.at("ipis_delivered").min, 1u);
  EXPECT_EQ(s.counters.at("ipis_delivered").max, 2u);
  EXPECT_FALSE(s.counters.at("trace_events").min.has_value());
  EXPECT_EQ(KernelCommandLine(s),
            "workload=smoke iterations=7 tick_ns=5000 fail_frame_alloc=9 extra=1");
  const MachineConfig config = KernelConfigFor(s);
  EXPECT_EQ(config.ram_per_node, 32ull << 20);
  EXPECT_EQ(config.ipi_delay, 300u);
  EXPECT_EQ(config.pct_depth, 4u);
}

TEST(ScenarioTest, CanonicalTextParsesBackToTheSameScenario) {
  const Scenario original = Parse(kFull);
  const std::string text = CanonicalScenarioText(original);
  const Scenario again = Parse(text);
  EXPECT_EQ(CanonicalScenarioText(again), text);
  EXPECT_EQ(ScenarioHash(again), ScenarioHash(original));
  Scenario changed = again;
  changed.iterations = 8;
  EXPECT_NE(ScenarioHash(changed), ScenarioHash(original));
}

TEST(ScenarioTest, UnknownKeyNamesFileLineAndField) {
  const ScenarioError error = ParseError("[machine]\ncpus = 2\ncpu_count = 4\n");
  EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField);
  EXPECT_EQ(error.message.rfind("bad.toml:3:1: machine.cpu_count: unknown key", 0), 0u)
      << error.message;
}

TEST(ScenarioTest, UnknownTopLevelSectionIsAnError) {
  const ScenarioError error = ParseError("seed = 1\n[machnie]\ncpus = 2\n");
  EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField);
  EXPECT_NE(error.message.find("bad.toml:2:"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("machnie: unknown key"), std::string::npos) << error.message;
}

TEST(ScenarioTest, WrongTypeNamesBothTypes) {
  const ScenarioError error = ParseError("[machine]\ncpus = \"four\"\n");
  EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField);
  EXPECT_EQ(error.message,
            "bad.toml:2:8: machine.cpus: expected an integer, got a string");
}

TEST(ScenarioTest, MalformedToml) {
  const ScenarioError error = ParseError("[machine\ncpus = 2\n");
  EXPECT_EQ(error.kind, ScenarioErrorKind::kSyntax);
  EXPECT_EQ(error.message.rfind("bad.toml:1:", 0), 0u) << error.message;
  EXPECT_NE(error.message.find("malformed TOML"), std::string::npos);
}

TEST(ScenarioTest, ImpossibleMachines) {
  for (const char* text : {"[machine]\ncpus = 0\n", "[machine]\ncpus = 257\n",
                           "[machine]\nram_mib = 2\n", "[machine]\nnuma_nodes = 9\n"}) {
    const ScenarioError error = ParseError(text);
    EXPECT_EQ(error.kind, ScenarioErrorKind::kImpossibleMachine) << text;
    EXPECT_EQ(error.message.rfind("bad.toml:2:", 0), 0u) << error.message;
  }
  EXPECT_EQ(ParseError("[machine]\ncpus = 0\n").message,
            "bad.toml:2:8: machine.cpus: must be 1..256, got 0");
}

TEST(ScenarioTest, BadValues) {
  EXPECT_NE(ParseError("[schedule]\npolicy = \"fifo\"\n").message.find(
                "schedule.policy: \"fifo\" is not one of random | round_robin | pct"),
            std::string::npos);
  EXPECT_NE(ParseError("[machine]\npage_table = \"sv57\"\n").message.find("machine.page_table"),
            std::string::npos);
  EXPECT_NE(ParseError("[expect]\noutcome = \"ok\"\n").message.find("expect.outcome"),
            std::string::npos);
  EXPECT_NE(ParseError("[expect.counters]\nframes = { min = 1 }\n").message.find(
                "expect.counters.frames: unknown counter"),
            std::string::npos);
  EXPECT_NE(ParseError("[machine]\ncpus = 2\n[[faults.device_interrupt]]\ncpu = 2\n")
                .message.find("faults.device_interrupt[0].cpu: must be 0..1, got 2"),
            std::string::npos);
  EXPECT_NE(ParseError("seed = -1\n").message.find("seed: must be"), std::string::npos);
}

TEST(ScenarioTest, ProgramsParseAndSurviveTheCanonicalText) {
  const Scenario original = Parse(
      "[[program]]\nname = \"tree\"\nargs = [2, 3]\n[[program]]\nname = \"faulter\"\n"
      "args = [0]\n[expect.programs]\ntree = 13\nfaulter = \"faulted\"\n");
  ASSERT_EQ(original.programs.size(), 2u);
  EXPECT_EQ(original.programs[0].name, "tree");
  EXPECT_EQ(original.programs[0].args, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(original.program_ends.at("tree").code, 13);
  EXPECT_EQ(original.program_ends.at("faulter").reason, vos::abi::ExitReason::kFaulted);
  EXPECT_EQ(KernelCommandLine(original), "program=tree,2,3 program=faulter,0");
  const std::string text = CanonicalScenarioText(original);
  EXPECT_EQ(text.find("[workload]"), std::string::npos) << text;
  const Scenario again = Parse(text);
  EXPECT_EQ(CanonicalScenarioText(again), text);
  EXPECT_NE(ScenarioHash(again), ScenarioHash(Parse("")));
}

TEST(ScenarioTest, ProgramPlacementAndPriority) {
  const Scenario s = Parse(
      "[machine]\ncpus = 4\n[[program]]\nname = \"hello\"\naffinity = [1, 3]\ncpu = 3\n"
      "priority = \"realtime\"\npriority_level = 2\n[[program]]\nname = \"hello\"\n");
  ASSERT_EQ(s.programs.size(), 2u);
  EXPECT_EQ(s.programs[0].affinity, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(s.programs[0].cpu, 3u);
  EXPECT_EQ(s.programs[0].priority, vos::MakePriority(vos::PriorityClass::kRealTime, 2));
  EXPECT_FALSE(s.programs[1].priority.has_value());
  EXPECT_EQ(KernelCommandLine(s), "program=hello;affinity=1+3;cpu=3;priority=50 program=hello");
  // The canonical text (what a trace embeds for replay) keeps them.
  const std::string text = CanonicalScenarioText(s);
  EXPECT_EQ(CanonicalScenarioText(Parse(text)), text);
  EXPECT_EQ(KernelCommandLine(Parse(text)), KernelCommandLine(s));
}

TEST(ScenarioTest, RegistryAdmin) {
  const Scenario s = Parse(
      "[[program]]\nname = \"registry_admin\"\nregistry_admin = true\n[[program]]\n"
      "name = \"hello\"\nregistry_admin = false\n");
  ASSERT_EQ(s.programs.size(), 2u);
  EXPECT_TRUE(s.programs[0].registry_admin);
  EXPECT_FALSE(s.programs[1].registry_admin);
  EXPECT_EQ(KernelCommandLine(s), "program=registry_admin;registry_admin program=hello");
  // The canonical text keeps it, and writes it only when set: scenarios
  // without it keep their hash.
  const std::string text = CanonicalScenarioText(s);
  EXPECT_EQ(CanonicalScenarioText(Parse(text)), text);
  EXPECT_EQ(KernelCommandLine(Parse(text)), KernelCommandLine(s));
  const std::string without = CanonicalScenarioText(Parse("[[program]]\nname = \"hello\"\n"));
  EXPECT_EQ(without.find("registry_admin"), std::string::npos) << without;
  EXPECT_EQ(CanonicalScenarioText(Parse("[[program]]\nname = \"hello\"\n"
                                        "registry_admin = false\n")),
            without);
}

TEST(ScenarioTest, ProcessTables) {
  const Scenario s = Parse(
      "[machine]\nmax_processes = 128\nmax_user_threads = 10200\n"
      "[[program]]\nname = \"hello\"\n");
  EXPECT_EQ(s.process_tables.processes, 128u);
  EXPECT_EQ(s.process_tables.user_threads, 10200u);
  EXPECT_EQ(KernelCommandLine(s), "program=hello max_processes=128 max_user_threads=10200");
  const std::string text = CanonicalScenarioText(s);
  EXPECT_EQ(CanonicalScenarioText(Parse(text)), text);
  EXPECT_EQ(ScenarioHash(Parse(text)), ScenarioHash(s));
  // At the defaults they are neither written nor passed on: older
  // scenarios keep their hash and their kernel command line.
  const Scenario defaults = Parse("[[program]]\nname = \"hello\"\n");
  EXPECT_EQ(defaults.process_tables, ProcessTables{});
  EXPECT_EQ(CanonicalScenarioText(defaults).find("max_processes"), std::string::npos);
  EXPECT_EQ(CanonicalScenarioText(defaults).find("max_user_threads"), std::string::npos);
  EXPECT_EQ(KernelCommandLine(defaults), "program=hello");
  EXPECT_NE(ScenarioHash(defaults), ScenarioHash(s));
}

TEST(ScenarioTest, BadProcessTables) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"[machine]\nmax_processes = 1\n[[program]]\nname = \"hello\"\n",
            "machine.max_processes: must be 2..4096, got 1"},
           {"[machine]\nmax_user_threads = 65537\n[[program]]\nname = \"hello\"\n",
            "machine.max_user_threads: must be 1..65536, got 65537"},
           {"[machine]\nmax_user_threads = \"many\"\n[[program]]\nname = \"hello\"\n",
            "machine.max_user_threads: expected an integer"},
           {"[machine]\nmax_processes = 64\n",
            "machine.max_processes: only scenarios with [[program]] entries have process "
            "tables"},
       }) {
    const ScenarioError error = ParseError(c.text);
    EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField) << c.text;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << error.message;
  }
}

TEST(ScenarioTest, BadProgramPlacement) {
  struct Case {
    const char* keys;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"affinity = [4]", "program[0].affinity[0]: must be a CPU of the machine, 0..3, got 4"},
           {"affinity = []", "program[0].affinity: expected a non-empty array of CPU indices"},
           {"affinity = 3", "program[0].affinity: expected a non-empty array of CPU indices"},
           {"cpu = 9", "program[0].cpu: must be 0..3, got 9"},
           {"affinity = [0]\ncpu = 1", "program[0].cpu: must be one of the program's affinity"},
           {"priority = \"urgent\"", "program[0].priority: \"urgent\" is not one of"},
           {"priority = \"idle\"\npriority_level = 16", "program[0].priority_level: must be 0..15"},
       }) {
    const ScenarioError error = ParseError(
        std::string("[machine]\ncpus = 4\n[[program]]\nname = \"hello\"\n") + c.keys + "\n");
    EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField) << c.keys;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << error.message;
  }
}

TEST(ScenarioTest, BadPrograms) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"[[program]]\nname = \"nosuch\"\n", "program[0].name: \"nosuch\" is not in"},
           {"[[program]]\nargs = [1]\n", "program[0].name: missing"},
           {"[[program]]\nname = \"hello\"\nargs = [-1]\n", "program[0].args[0]: must not"},
           {"[[program]]\nname = \"hello\"\ncount = 2\n", "program[0].count: unknown key"},
           {"[[program]]\nname = \"hello\"\nregistry_admin = 1\n",
            "bad.toml:3:18: program[0].registry_admin: expected a boolean, got an integer"},
           {"[[program]]\nname = \"hello\"\nregistry_admin = \"yes\"\n",
            "bad.toml:3:18: program[0].registry_admin: expected a boolean, got a string"},
           {"[workload]\nselftest = \"smoke\"\n[[program]]\nname = \"hello\"\n",
            "program: a scenario runs either"},
           {"[[program]]\nname = \"hello\"\n[expect.programs]\nnop = 0\n",
            "expect.programs.nop: no [[program]]"},
           {"[[program]]\nname = \"hello\"\n[expect.programs]\nhello = \"gone\"\n",
            "expect.programs.hello: expected an exit code"},
       }) {
    const ScenarioError error = ParseError(c.text);
    EXPECT_EQ(error.kind, ScenarioErrorKind::kInvalidField) << c.text;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << error.message;
  }
}

TEST(ScenarioTest, ProgramEndsJudgeTheRun) {
  const Scenario scenario = Parse(
      "[[program]]\nname = \"hello\"\n[[program]]\nname = \"faulter\"\nargs = [0]\n"
      "[[program]]\nname = \"hello\"\n[expect.programs]\nhello = 0\nfaulter = \"faulted\"\n");
  RunResult result;
  result.outcome = RunOutcome::kPoweredOff;
  result.console = ProgramResultLine(1, "faulter", {0, vos::abi::ExitReason::kFaulted, 0}) +
                   "\n" + ProgramResultLine(0, "hello", {0, vos::abi::ExitReason::kExited, 0}) +
                   "\n" + ProgramResultLine(2, "hello", {0, vos::abi::ExitReason::kExited, 0}) +
                   "\n";
  EXPECT_TRUE(UnmetExpectations(scenario, result).empty());

  result.console = ProgramResultLine(0, "hello", {3, vos::abi::ExitReason::kExited, 0}) + "\n" +
                   ProgramResultLine(1, "faulter", {9, vos::abi::ExitReason::kKilled, 0}) + "\n";
  const std::vector<std::string> unmet = UnmetExpectations(scenario, result);
  ASSERT_EQ(unmet.size(), 3u);
  EXPECT_EQ(unmet[0], "programs.hello: program[0] expected exited 0, got exited (code 3)");
  EXPECT_EQ(unmet[1], "programs.faulter: program[1] expected faulted, got killed (code 9)");
  EXPECT_EQ(unmet[2], "programs.hello: program[2] was never reaped");
}

TEST(ScenarioTest, MissingFile) {
  Scenario scenario;
  ScenarioError error;
  EXPECT_FALSE(LoadScenarioFile("/nonexistent/x.toml", &scenario, &error));
  EXPECT_EQ(error.kind, ScenarioErrorKind::kUnreadable);
  EXPECT_NE(error.message.find("/nonexistent/x.toml"), std::string::npos);
}

TEST(ScenarioTest, ExpectationsJudgeTheRun) {
  Scenario scenario = Parse(
      "[expect]\noutcome = \"pass\"\nexit_code = 0\ndeadline_ns = 1000\n"
      "console_contains = [\"PASS\"]\n[expect.counters]\nipis_delivered = { min = 2 }\n");
  RunResult result;
  result.outcome = RunOutcome::kPoweredOff;
  result.end_time = 900;
  result.console = "VERDICT: PASS";
  result.cpus.resize(2);
  result.cpus[0].ipi_traps = 1;
  result.cpus[1].ipi_traps = 1;
  EXPECT_TRUE(UnmetExpectations(scenario, result).empty());
  result.end_time = 1001;
  result.cpus[1].ipi_traps = 0;
  result.console = "VERDICT: FAIL";
  result.exit_code = 1;
  const std::vector<std::string> unmet = UnmetExpectations(scenario, result);
  ASSERT_EQ(unmet.size(), 5u);
  EXPECT_EQ(unmet[0], "outcome: expected pass, got fail (powered off)");
  EXPECT_EQ(unmet[1], "exit_code: expected 0, got 1");
  result.outcome = RunOutcome::kPanicked;
  EXPECT_EQ(UnmetExpectations(scenario, result)[0],
            "outcome: expected pass, got panic (kernel panic)");
}

}  // namespace
}  // namespace sim
