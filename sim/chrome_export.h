// Exports a trace as Chrome trace-event JSON (chrome://tracing, Perfetto's
// UI): one track per simulated CPU with "run" slices between the
// simulator's CPU switches and "halted" slices while the CPU waits for an
// interrupt; traps, timer arms, context switches and kernel events as
// instants; each IPI as a flow arrow from its send to the target's trap.
// Times are simulated nanoseconds.
#ifndef VERIDIAN_SIM_CHROME_EXPORT_H_
#define VERIDIAN_SIM_CHROME_EXPORT_H_

#include <ostream>
#include <vector>

#include "sim/trace.h"
#include "sim/trace_file.h"

namespace sim {

// Every CPU below `cpu_count` gets a track, even one without events.
void WriteChromeTrace(const TraceFileHeader& header, const std::vector<TraceEvent>& events,
                      uint32_t cpu_count, std::ostream& out);

}  // namespace sim

#endif  // VERIDIAN_SIM_CHROME_EXPORT_H_
