// Trace files: exact round trip, size, and every kind of damage reported as
// such; replay checking finds the first differing event.
#include "sim/trace_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/prng.h"
#include "sim/trace_check.h"

namespace sim {
namespace {

// Events shaped like a simulator run's: mostly CPU switches, some timer
// arms, traps and IPIs, per-CPU clocks advancing by a step cost.
std::vector<TraceEvent> SyntheticEvents(size_t count, uint32_t cpus, uint64_t seed) {
  Prng prng(seed);
  std::vector<uint64_t> clock(cpus, 1000);
  std::vector<TraceEvent> events;
  events.reserve(count);
  hal::CpuId cpu = 0;
  for (size_t i = 0; i < count; ++i) {
    clock[cpu] += 5 + prng.Below(200);
    const uint32_t dice = prng.Below(100);
    hal::TraceKind kind = hal::TraceKind::kCpuSwitch;
    uint64_t a = 0, b = 0;
    if (dice < 70) {
      a = prng.Below(cpus);
    } else if (dice < 80) {
      kind = hal::TraceKind::kTimerArm;
      a = clock[cpu] + 10'000;
    } else if (dice < 90) {
      kind = hal::TraceKind::kTrapEnter;
      a = prng.Below(3);
      b = a == 2 ? 40 : 0;
    } else if (dice < 99) {
      kind = hal::TraceKind::kIpiSend;
      a = prng.Below(cpus);
    } else {
      kind = hal::TraceKind::kKernelMark;
      a = prng.Next();  // Arbitrary 64-bit payloads must survive too.
      b = ~a;
    }
    events.push_back({static_cast<uint64_t>(kind) << 48 | uint64_t{cpu} << 32, clock[cpu], a, b});
    if (kind == hal::TraceKind::kCpuSwitch) cpu = static_cast<hal::CpuId>(a);
  }
  return events;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

TraceFileHeader Header() {
  TraceFileHeader header;
  header.seed = 77;
  header.scenario_hash = 0x1234;
  header.scenario_name = "scenarios/x.toml";
  header.build_identity = "test build";
  header.scenario_text = "seed = 77\n";
  return header;
}

// Writes `events` through a Trace (as the machine does); returns the hash.
uint64_t WriteTrace(const std::string& path, const std::vector<TraceEvent>& events) {
  auto writer = TraceWriter::Create(path, Header());
  EXPECT_TRUE(writer.ok()) << writer.status();
  Trace trace;
  trace.set_sink(writer->get());
  for (const TraceEvent& e : events) trace.Record(e.kind(), e.cpu(), e.time, e.a, e.b);
  trace.FlushToSink();
  EXPECT_TRUE((*writer)->Finish(trace.hash(), trace.count()).ok());
  return trace.hash();
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.get(byte);
  file.seekp(static_cast<std::streamoff>(offset));
  file.put(static_cast<char>(byte ^ 0x10));
}

TEST(TraceFileTest, RoundTripIsExact) {
  const std::string path = TempPath("round_trip.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(10'000 + 17, 6, 1);
  const uint64_t hash = WriteTrace(path, events);
  TraceFileHeader header;
  TraceFileTrailer trailer;
  std::vector<TraceEvent> read;
  ASSERT_TRUE(ReadTraceFile(path, &header, &read, &trailer).ok());
  EXPECT_EQ(header.seed, 77u);
  EXPECT_EQ(header.scenario_hash, 0x1234u);
  EXPECT_EQ(header.scenario_name, "scenarios/x.toml");
  EXPECT_EQ(header.build_identity, "test build");
  EXPECT_EQ(header.scenario_text, "seed = 77\n");
  EXPECT_EQ(trailer.event_count, events.size());
  EXPECT_EQ(trailer.trace_hash, hash);
  EXPECT_EQ(trailer.block_count, (events.size() + Trace::kBlockEvents - 1) / Trace::kBlockEvents);
  ASSERT_EQ(read.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(read[i], events[i]) << "event " << i;
}

TEST(TraceFileTest, AnEmptyTraceIsValid) {
  const std::string path = TempPath("empty.vostrace");
  WriteTrace(path, {});
  TraceFileHeader header;
  TraceFileTrailer trailer;
  std::vector<TraceEvent> read;
  EXPECT_TRUE(ReadTraceFile(path, &header, &read, &trailer).ok());
  EXPECT_TRUE(read.empty());
}

TEST(TraceFileTest, AMillionEventsFitInAFewMiB) {
  const std::string path = TempPath("million.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(1'000'000, 4, 2);
  WriteTrace(path, events);
  const uintmax_t bytes = std::filesystem::file_size(path);
  std::printf("1,000,000 synthetic events: %ju bytes (%.2f bytes/event)\n", bytes,
              static_cast<double>(bytes) / 1e6);
  // Raw events are 32 bytes each (30.5 MiB); the coding must stay compact.
  EXPECT_LT(bytes, 5u << 20);
}

TEST(TraceFileTest, AFlippedBitIsReportedAsCorruptWithItsBlock) {
  const std::string path = TempPath("flipped.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(5'000, 4, 3);
  WriteTrace(path, events);
  FlipByte(path, std::filesystem::file_size(path) / 2);
  TraceFileHeader header;
  TraceFileTrailer trailer;
  std::vector<TraceEvent> read;
  const absl::Status status = ReadTraceFile(path, &header, &read, &trailer);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("is corrupt: block"), std::string::npos) << status;
  EXPECT_NE(status.message().find("checksum mismatch"), std::string::npos) << status;
}

TEST(TraceFileTest, DamagedHeaderAndTrailerAreCorrupt) {
  const std::string path = TempPath("header.vostrace");
  WriteTrace(path, SyntheticEvents(300, 2, 4));
  FlipByte(path, 30);  // Inside the header's fields.
  auto reader = TraceReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("header checksum mismatch"), std::string::npos);

  WriteTrace(path, SyntheticEvents(300, 2, 4));
  FlipByte(path, std::filesystem::file_size(path) - 12);  // The trailer's hash.
  TraceFileHeader header;
  TraceFileTrailer trailer;
  std::vector<TraceEvent> read;
  const absl::Status status = ReadTraceFile(path, &header, &read, &trailer);
  EXPECT_NE(status.message().find("trailer checksum mismatch"), std::string::npos) << status;
}

TEST(TraceFileTest, TruncationIsReportedAsSuch) {
  const std::string path = TempPath("truncated.vostrace");
  WriteTrace(path, SyntheticEvents(3'000, 4, 5));
  const uintmax_t full = std::filesystem::file_size(path);
  for (uintmax_t size : {full - 1, full - 40, full / 2, uintmax_t{10}}) {
    WriteTrace(path, SyntheticEvents(3'000, 4, 5));
    std::filesystem::resize_file(path, size);
    TraceFileHeader header;
    TraceFileTrailer trailer;
    std::vector<TraceEvent> read;
    const absl::Status status = ReadTraceFile(path, &header, &read, &trailer);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << size;
    EXPECT_NE(status.message().find("is truncated"), std::string::npos) << status;
  }
}

TEST(TraceFileTest, NotATraceAndOtherVersions) {
  const std::string path = TempPath("other.vostrace");
  std::ofstream(path) << "seed = 1\n[machine]\ncpus = 2\n";
  auto reader = TraceReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("not a trace file"), std::string::npos);

  WriteTrace(path, SyntheticEvents(10, 1, 6));
  FlipByte(path, 8);  // The format version.
  reader = TraceReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("format version"), std::string::npos);

  reader = TraceReader::Open(TempPath("missing.vostrace"));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
}

// Replays `events` against the trace at `path`; returns the checker's verdict.
struct CheckOutcome {
  bool diverged;
  std::string report;
  absl::Status status;
};
CheckOutcome Check(const std::string& path, const std::vector<TraceEvent>& events) {
  auto reader = TraceReader::Open(path);
  EXPECT_TRUE(reader.ok());
  TraceChecker checker(reader->get());
  Trace trace;
  trace.set_sink(&checker);
  for (const TraceEvent& e : events) trace.Record(e.kind(), e.cpu(), e.time, e.a, e.b);
  trace.FlushToSink();
  absl::Status status = checker.Finish(trace.hash(), trace.count());
  return {checker.diverged(), checker.DivergenceReport(), status};
}

TEST(TraceCheckTest, IdenticalRunMatches) {
  const std::string path = TempPath("check.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(2'000, 4, 7);
  WriteTrace(path, events);
  const CheckOutcome outcome = Check(path, events);
  EXPECT_TRUE(outcome.status.ok()) << outcome.status;
  EXPECT_FALSE(outcome.diverged);
}

TEST(TraceCheckTest, ReportsTheFirstDifferingEventWithContext) {
  const std::string path = TempPath("check_diverge.vostrace");
  std::vector<TraceEvent> events = SyntheticEvents(2'000, 4, 8);
  WriteTrace(path, events);
  events[1234].a ^= 1;
  events[1500].b ^= 1;
  const CheckOutcome outcome = Check(path, events);
  EXPECT_TRUE(outcome.status.ok());
  ASSERT_TRUE(outcome.diverged);
  EXPECT_NE(outcome.report.find("replay DIVERGED at event 1234 (cpu "), std::string::npos)
      << outcome.report;
  EXPECT_NE(outcome.report.find("  recorded: #1234 cpu"), std::string::npos);
  EXPECT_NE(outcome.report.find("  replayed: #1234 cpu"), std::string::npos);
  EXPECT_NE(outcome.report.find("the 8 events before it"), std::string::npos);
  EXPECT_NE(outcome.report.find("    #1233 cpu"), std::string::npos);
}

TEST(TraceCheckTest, ARunThatEndsEarlyOrLateDiverges) {
  const std::string path = TempPath("check_length.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(1'000, 4, 9);
  WriteTrace(path, events);
  std::vector<TraceEvent> shorter(events.begin(), events.begin() + 600);
  CheckOutcome outcome = Check(path, shorter);
  ASSERT_TRUE(outcome.diverged);
  EXPECT_NE(outcome.report.find("at event 600"), std::string::npos);
  EXPECT_NE(outcome.report.find("(the replayed run ended here)"), std::string::npos);

  std::vector<TraceEvent> longer = events;
  longer.push_back(events.back());
  outcome = Check(path, longer);
  ASSERT_TRUE(outcome.diverged);
  EXPECT_NE(outcome.report.find("at event 1000"), std::string::npos);
  EXPECT_NE(outcome.report.find("(the recording ends here)"), std::string::npos);
}

TEST(TraceCheckTest, CorruptRecordingIsNotADivergence) {
  const std::string path = TempPath("check_corrupt.vostrace");
  const std::vector<TraceEvent> events = SyntheticEvents(2'000, 4, 10);
  WriteTrace(path, events);
  FlipByte(path, std::filesystem::file_size(path) / 2);
  const CheckOutcome outcome = Check(path, events);
  EXPECT_EQ(outcome.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(outcome.status.message().find("corrupt"), std::string::npos);
}

}  // namespace
}  // namespace sim
