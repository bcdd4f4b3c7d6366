// Trace files: a run's events on disk, for replay and export.
//
// Layout (little-endian; every part checksummed with XXH64):
//   header   "VOSTRACE", format version, payload length, payload (seed,
//            scenario hash, scenario name, build identity, the canonical
//            scenario text that rebuilds the configuration), checksum
//   blocks   one per sim::Trace block (256 events, the last one partial):
//            magic, event count, payload length, checksum, payload
//   trailer  magic, block count, event count, trace hash, checksum
// Block payloads are delta/varint coded and self-contained (a damaged block
// does not spoil the decoding of the next): about 5 bytes per event.
#ifndef VERIDIAN_SIM_TRACE_FILE_H_
#define VERIDIAN_SIM_TRACE_FILE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/trace.h"
#include "sim/trace_codec.h"

namespace sim {

inline constexpr uint32_t kTraceFormatVersion = 1;

struct TraceFileHeader {
  uint32_t format_version = kTraceFormatVersion;
  uint64_t seed = 0;
  uint64_t scenario_hash = 0;
  std::string scenario_name;  // Where the scenario came from (a path, or "default").
  std::string build_identity;
  std::string scenario_text;  // Canonical TOML (sim/scenario.h).
};

struct TraceFileTrailer {
  uint64_t block_count = 0;
  uint64_t event_count = 0;
  uint64_t trace_hash = 0;
};

// Records a run: attach as MachineConfig::trace_sink, run, then Finish().
class TraceWriter final : public TraceSink {
 public:
  static absl::StatusOr<std::unique_ptr<TraceWriter>> Create(const std::string& path,
                                                             const TraceFileHeader& header);
  ~TraceWriter() override;

  void Consume(const TraceEvent* events, size_t count) override;
  // Writes the trailer and closes the file; reports any write error.
  absl::Status Finish(uint64_t trace_hash, uint64_t event_count);

 private:
  TraceWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  void Write(const void* data, size_t size);

  std::FILE* file_;
  std::string path_;
  // Scratch for one block: its header, then its payload.
  std::vector<uint8_t> payload_ = std::vector<uint8_t>(
      20 + Trace::kBlockEvents * kMaxEncodedEventBytes);
  uint64_t blocks_ = 0;
  bool write_failed_ = false;
};

// Reads a trace file block by block, checking every checksum. Damage is
// reported as absl::DataLossError whose message says "corrupt" or
// "truncated", with the block and byte offset.
class TraceReader {
 public:
  static absl::StatusOr<std::unique_ptr<TraceReader>> Open(const std::string& path);
  ~TraceReader();

  const TraceFileHeader& header() const { return header_; }
  // Replaces *events with the next block's events; false once the trailer
  // was read and checked (then trailer() is valid).
  absl::StatusOr<bool> NextBlock(std::vector<TraceEvent>* events);
  const TraceFileTrailer& trailer() const { return trailer_; }
  uint64_t events_read() const { return events_read_; }

 private:
  TraceReader(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  absl::Status ReadHeader();
  absl::Status ReadTrailer();
  absl::Status Truncated(const char* where) const;
  absl::Status Corrupt(const std::string& what) const;

  std::FILE* file_;
  std::string path_;
  TraceFileHeader header_;
  TraceFileTrailer trailer_;
  uint64_t offset_ = 0;  // Of the part being read.
  uint64_t blocks_read_ = 0;
  uint64_t events_read_ = 0;
  Trace rehash_;  // Recomputes the trace hash to check the trailer.
};

// Reads a whole trace file (header, events, trailer), checking everything.
absl::Status ReadTraceFile(const std::string& path, TraceFileHeader* header,
                           std::vector<TraceEvent>* events, TraceFileTrailer* trailer);

// "cpu-switch", "trap", ...: the event kind's name in reports and exports.
const char* TraceKindName(hal::TraceKind kind);
// One line: "#index cpu C at T ns: kind a=.. b=..".
std::string FormatTraceEvent(uint64_t index, const TraceEvent& event);

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_FILE_H_
