#include "sim/trace_check.h"

#include "absl/strings/str_format.h"

namespace sim {

std::optional<TraceEvent> TraceChecker::NextRecorded() {
  while (position_ == block_.size()) {
    if (recording_ended_ || !file_error_.ok()) return std::nullopt;
    absl::StatusOr<bool> more = recording_->NextBlock(&block_);
    position_ = 0;
    if (!more.ok()) {
      file_error_ = more.status();
      block_.clear();
      return std::nullopt;
    }
    if (!*more) {
      recording_ended_ = true;
      block_.clear();
      return std::nullopt;
    }
  }
  return block_[position_++];
}

void TraceChecker::Diverge(std::optional<TraceEvent> recorded,
                           std::optional<TraceEvent> replayed) {
  divergence_ = Divergence{checked_, recorded, replayed,
                           std::vector<TraceEvent>(recent_.begin(), recent_.end())};
}

void TraceChecker::Consume(const TraceEvent* events, size_t count) {
  for (size_t i = 0; i < count && !divergence_ && file_error_.ok(); ++i) {
    std::optional<TraceEvent> recorded = NextRecorded();
    if (!file_error_.ok()) return;
    if (!recorded || !(*recorded == events[i])) {
      Diverge(recorded, events[i]);
      return;
    }
    recent_.push_back(events[i]);
    if (recent_.size() > kContextEvents) recent_.pop_front();
    ++checked_;
  }
}

absl::Status TraceChecker::Finish(uint64_t trace_hash, uint64_t event_count) {
  if (!file_error_.ok()) return file_error_;
  if (divergence_) return absl::OkStatus();
  // The run ended: so must the recording.
  if (std::optional<TraceEvent> recorded = NextRecorded()) {
    Diverge(recorded, std::nullopt);
    return absl::OkStatus();
  }
  if (!file_error_.ok()) return file_error_;
  const TraceFileTrailer& trailer = recording_->trailer();
  if (trailer.event_count != event_count || trailer.trace_hash != trace_hash) {
    // Every event matched, so only a damaged trailer can disagree.
    return absl::DataLossError(absl::StrFormat(
        "trace file trailer disagrees with its events (hash %016x vs %016x)",
        trailer.trace_hash, trace_hash));
  }
  return absl::OkStatus();
}

std::string TraceChecker::DivergenceReport() const {
  if (!divergence_) return "";
  const Divergence& d = *divergence_;
  const TraceEvent& where = d.replayed ? *d.replayed : *d.recorded;
  std::string out = absl::StrFormat(
      "replay DIVERGED at event %u (cpu %u, simulated time %u ns):\n", d.index, where.cpu(),
      where.time);
  absl::StrAppendFormat(&out, "  recorded: %s\n",
                        d.recorded ? FormatTraceEvent(d.index, *d.recorded)
                                   : "(the recording ends here)");
  absl::StrAppendFormat(&out, "  replayed: %s\n",
                        d.replayed ? FormatTraceEvent(d.index, *d.replayed)
                                   : "(the replayed run ended here)");
  if (!d.before.empty()) {
    absl::StrAppendFormat(&out, "  the %u events before it (identical in both):\n",
                          d.before.size());
    uint64_t index = d.index - d.before.size();
    for (const TraceEvent& event : d.before) {
      absl::StrAppendFormat(&out, "    %s\n", FormatTraceEvent(index++, event));
    }
  }
  return out;
}

}  // namespace sim
