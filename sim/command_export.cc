// vos_sim export TRACE --format chrome|text: a timeline for Perfetto's UI
// or chrome://tracing, or one line per event.
#include <cstdio>
#include <fstream>

#include "sim/chrome_export.h"
#include "sim/commands.h"
#include "sim/kernel_run.h"
#include "sim/scenario.h"
#include "sim/trace_file.h"

namespace sim {

int ExportCommand(const std::string& trace_path, const Options& options) {
  if (options.format != "chrome" && options.format != "text") {
    return UsageError("export: --format must be chrome or text, not \"" + options.format +
                      "\"");
  }
  TraceFileHeader header;
  TraceFileTrailer trailer;
  std::vector<TraceEvent> events;
  if (absl::Status status = ReadTraceFile(trace_path, &header, &events, &trailer);
      !status.ok()) {
    std::fprintf(stderr, "vos_sim: %s\n", std::string(status.message()).c_str());
    return kExitBadTrace;
  }
  const bool chrome = options.format == "chrome";
  const std::string output = !options.output_path.empty()
                                 ? options.output_path
                                 : trace_path + (chrome ? ".json" : ".txt");
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (out && chrome) {
    // The machine's CPU count, from the scenario the trace embeds (CPUs that
    // never ran still get their track).
    Scenario scenario;
    ScenarioError error;
    const uint32_t cpus =
        ParseScenario(header.scenario_text, trace_path, &scenario, &error) ? scenario.cpus : 0;
    WriteChromeTrace(header, events, cpus, out);
  } else if (out) {
    // One line per event, as replay reports them: for grep and diff.
    for (size_t i = 0; i < events.size(); ++i) out << FormatTraceEvent(i, events[i]) << "\n";
  }
  out.close();
  if (!out) return UsageError("cannot write " + output);
  std::printf("wrote %s: %zu events as %s\n", output.c_str(), events.size(),
              chrome ? "Chrome trace-event JSON (open it in Perfetto's UI or chrome://tracing)"
                     : "text, one line per event");
  return kExitPass;
}

}  // namespace sim
