// Replay checking: attached as the trace sink of a re-executed run, compares
// every event with the recorded trace and keeps the first divergence with
// the events that led to it.
#ifndef VERIDIAN_SIM_TRACE_CHECK_H_
#define VERIDIAN_SIM_TRACE_CHECK_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sim/trace.h"
#include "sim/trace_file.h"

namespace sim {

class TraceChecker final : public TraceSink {
 public:
  // `recording` must be positioned at the first block (just opened).
  explicit TraceChecker(TraceReader* recording) : recording_(recording) {}

  void Consume(const TraceEvent* events, size_t count) override;

  // After the run: checks that the recording ends where the run ended and
  // that its trailer holds. Returns a DataLossError if the recording turned
  // out corrupt or truncated (then diverged() means nothing).
  absl::Status Finish(uint64_t trace_hash, uint64_t event_count);

  bool diverged() const { return divergence_.has_value(); }
  // Multi-line: the first differing event (index, CPU, time, both events)
  // and the events before it. Empty if none.
  std::string DivergenceReport() const;
  uint64_t events_checked() const { return checked_; }

 private:
  static constexpr size_t kContextEvents = 8;
  struct Divergence {
    uint64_t index = 0;
    std::optional<TraceEvent> recorded;  // Absent: the recording had ended.
    std::optional<TraceEvent> replayed;  // Absent: the replay had ended.
    std::vector<TraceEvent> before;      // Matching events just before, oldest first.
  };

  // The next recorded event, reading a block when needed; nullopt at the
  // recording's end or on a file error (then file_error_ is set).
  std::optional<TraceEvent> NextRecorded();
  void Diverge(std::optional<TraceEvent> recorded, std::optional<TraceEvent> replayed);

  TraceReader* recording_;
  std::vector<TraceEvent> block_;
  size_t position_ = 0;
  bool recording_ended_ = false;
  absl::Status file_error_;
  uint64_t checked_ = 0;
  std::deque<TraceEvent> recent_;
  std::optional<Divergence> divergence_;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_CHECK_H_
