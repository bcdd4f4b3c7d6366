#include "sim/chrome_export.h"

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "src/hal/context.h"
#include "src/hal/trap.h"

namespace sim {
namespace {

// Trace-event timestamps are microseconds; keep nanosecond precision.
std::string Micros(uint64_t ns) { return absl::StrFormat("%u.%03u", ns / 1000, ns % 1000); }

const char* TrapName(uint64_t kind) {
  switch (static_cast<hal::TrapKind>(kind)) {
    case hal::TrapKind::kTimer: return "trap: timer";
    case hal::TrapKind::kIpi: return "trap: ipi";
    case hal::TrapKind::kDevice: return "trap: device";
    case hal::TrapKind::kPageFault: return "trap: page fault";
    case hal::TrapKind::kSyscall: return "trap: syscall";
    case hal::TrapKind::kException: return "trap: exception";
  }
  return "trap";
}

// A kernel context's trace id (hal::KernelContext::trace_id) as a slice name.
std::string ContextName(uint64_t trace_id) {
  if (trace_id == 0) return "boot";
  if ((trace_id & hal::kIdleTraceBit) != 0) return "idle";
  // Thread ids are generation << 32 | slot.
  return absl::StrFormat("thread %u.%u", trace_id & 0xffffffff, trace_id >> 32);
}

class ChromeWriter {
 public:
  explicit ChromeWriter(std::ostream& out) : out_(out) {}

  void Event(const std::string& json) {
    out_ << (first_ ? "\n" : ",\n") << json;
    first_ = false;
  }
  void Slice(hal::CpuId cpu, const std::string& name, uint64_t from, uint64_t to) {
    Event(absl::StrFormat(R"({"ph":"X","pid":1,"tid":%u,"name":"%s","ts":%s,"dur":%s})", cpu,
                          name, Micros(from), Micros(to - from)));
  }
  void Instant(hal::CpuId cpu, const std::string& name, uint64_t at, const std::string& args) {
    Event(absl::StrFormat(R"({"ph":"i","s":"t","pid":1,"tid":%u,"name":"%s","ts":%s,"args":{%s}})",
                          cpu, name, Micros(at), args));
  }
  void Flow(char phase, uint64_t id, hal::CpuId cpu, uint64_t at) {
    Event(absl::StrFormat(
        R"({"ph":"%c","id":%u,"pid":1,"tid":%u,"name":"ipi","cat":"ipi","ts":%s%s})", phase, id,
        cpu, Micros(at), phase == 'f' ? R"(,"bp":"e")" : ""));
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

struct CpuTrack {
  bool named = false;                    // Its metadata was written.
  // The kernel context running since `since` (boot until the first switch).
  uint64_t context = 0;
  std::optional<uint64_t> since;
  std::optional<uint64_t> halted_since;  // A "halted" slice is open.
  std::deque<uint64_t> ipi_flows;        // Flow ids of IPIs sent to this CPU, not yet taken.
};

}  // namespace

void WriteChromeTrace(const TraceFileHeader& header, const std::vector<TraceEvent>& events,
                      uint32_t cpu_count, std::ostream& out) {
  out << R"({"displayTimeUnit":"ns","otherData":{"seed":")" << header.seed
      << R"(","scenario":")" << absl::StrFormat("%016x", header.scenario_hash)
      << R"("},"traceEvents":[)";
  ChromeWriter writer(out);
  writer.Event(R"({"ph":"M","pid":1,"name":"process_name","args":{"name":"simulated machine"}})");
  std::map<hal::CpuId, CpuTrack> cpus;
  uint64_t next_flow = 1;
  uint64_t end = 0;
  auto name_track = [&](hal::CpuId cpu) {
    CpuTrack& track = cpus[cpu];
    if (track.named) return;
    track.named = true;
    writer.Event(absl::StrFormat(
        R"({"ph":"M","pid":1,"tid":%u,"name":"thread_name","args":{"name":"cpu %u"}})", cpu,
        cpu));
    writer.Event(absl::StrFormat(
        R"({"ph":"M","pid":1,"tid":%u,"name":"thread_sort_index","args":{"sort_index":%u}})",
        cpu, cpu));
  };
  for (hal::CpuId cpu = 0; cpu < cpu_count; ++cpu) name_track(cpu);
  for (const TraceEvent& event : events) {
    const hal::CpuId cpu = event.cpu();
    end = std::max(end, event.time);
    name_track(cpu);  // Also a CPU beyond cpu_count: never hide an event.
    CpuTrack& track = cpus[cpu];
    // The first event after a halt: the CPU was woken.
    if (track.halted_since) {
      writer.Slice(cpu, "halted", *track.halted_since, event.time);
      track.halted_since.reset();
    }
    if (!track.since) track.since = event.time;
    switch (event.kind()) {
      case hal::TraceKind::kCpuSwitch:
        break;  // The simulator moving between CPUs, not a change on this one.
      case hal::TraceKind::kContextSwitch:
        writer.Slice(cpu, ContextName(track.context), *track.since, event.time);
        track.context = event.a;
        track.since = event.time;
        break;
      case hal::TraceKind::kCpuHalt:
        track.halted_since = event.time;  // Within the idle thread's slice.
        break;
      case hal::TraceKind::kTrapEnter: {
        writer.Instant(cpu, TrapName(event.a), event.time,
                       absl::StrFormat(R"("vector":%u)", event.b));
        if (static_cast<hal::TrapKind>(event.a) == hal::TrapKind::kIpi &&
            !track.ipi_flows.empty()) {
          writer.Flow('f', track.ipi_flows.front(), cpu, event.time);
          track.ipi_flows.pop_front();
        }
        break;
      }
      case hal::TraceKind::kIpiSend: {
        const hal::CpuId to = static_cast<hal::CpuId>(event.a);
        writer.Instant(cpu, absl::StrFormat("ipi to cpu %u", to), event.time, "");
        writer.Flow('s', next_flow, cpu, event.time);
        cpus[to].ipi_flows.push_back(next_flow++);
        break;
      }
      case hal::TraceKind::kIpcSend:
      case hal::TraceKind::kIpcReceive:
        writer.Instant(cpu, event.kind() == hal::TraceKind::kIpcSend ? "ipc send" : "ipc receive",
                       event.time,
                       absl::StrFormat(R"("sender":%u,"bytes":%u)", event.a, event.b));
        break;
      case hal::TraceKind::kTimerArm:
        writer.Instant(cpu, "timer armed", event.time,
                       absl::StrFormat(R"("deadline_ns":%u)", event.a));
        break;
      default:
        writer.Instant(cpu, TraceKindName(event.kind()), event.time,
                       absl::StrFormat(R"("a":%u,"b":%u)", event.a, event.b));
        break;
    }
  }
  // Close what the run left open.
  for (auto& [cpu, track] : cpus) {
    if (track.halted_since) writer.Slice(cpu, "halted", *track.halted_since, end);
    if (track.since) writer.Slice(cpu, ContextName(track.context), *track.since, end);
  }
  out << "\n]}\n";
}

}  // namespace sim
