#include "sim/trace_file.h"

#include <xxhash.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"
#include "sim/trace_codec.h"

namespace sim {
namespace {

constexpr char kMagic[8] = {'V', 'O', 'S', 'T', 'R', 'A', 'C', 'E'};
constexpr uint32_t kBlockMagic = 0x31425456;    // "VTB1"
constexpr uint32_t kTrailerMagic = 0x31455456;  // "VTE1"
constexpr size_t kBlockHeaderBytes = 4 + 4 + 4 + 8;
static_assert(kBlockHeaderBytes == 20, "TraceWriter::payload_ reserves 20 header bytes");
constexpr size_t kTrailerBytes = 4 + 4 + 8 + 8 + 8 + 8;
// Guards against absurd lengths read from a damaged file.
constexpr uint32_t kMaxHeaderPayload = 64 << 20;
constexpr uint32_t kMaxBlockPayload = Trace::kBlockEvents * 64;

void PutU32(uint32_t value, std::string* out) { out->append(reinterpret_cast<char*>(&value), 4); }
void PutU64(uint64_t value, std::string* out) { out->append(reinterpret_cast<char*>(&value), 8); }
void PutString(const std::string& value, std::string* out) {
  PutU32(static_cast<uint32_t>(value.size()), out);
  out->append(value);
}

// Reads fixed fields from a byte string; any overrun makes ok() false.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  template <typename T>
  T Get() {
    T value{};
    if (data_.size() < sizeof(T)) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, data_.data(), sizeof(T));
    data_.remove_prefix(sizeof(T));
    return value;
  }
  std::string GetString() {
    const uint32_t size = Get<uint32_t>();
    if (!ok_ || data_.size() < size) {
      ok_ = false;
      return {};
    }
    std::string value(data_.substr(0, size));
    data_.remove_prefix(size);
    return value;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return data_.empty(); }

 private:
  std::string_view data_;
  bool ok_ = true;
};

uint64_t Checksum(std::string_view data, uint64_t seed) {
  return XXH64(data.data(), data.size(), seed);
}

// Reads exactly `size` bytes; false at end of file (or a short read).
bool ReadExactly(std::FILE* file, size_t size, std::string* out) {
  out->resize(size);
  return std::fread(out->data(), 1, size, file) == size;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TraceWriter>> TraceWriter::Create(const std::string& path,
                                                                 const TraceFileHeader& header) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrFormat("cannot write trace file %s: %s", path, strerror(errno)));
  }
  // Big buffered writes: one syscall per few thousand events.
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  std::unique_ptr<TraceWriter> writer(new TraceWriter(file, path));
  std::string payload;
  PutU64(header.seed, &payload);
  PutU64(header.scenario_hash, &payload);
  PutString(header.scenario_name, &payload);
  PutString(header.build_identity, &payload);
  PutString(header.scenario_text, &payload);
  std::string out(kMagic, sizeof(kMagic));
  PutU32(kTraceFormatVersion, &out);
  PutU32(static_cast<uint32_t>(payload.size()), &out);
  out += payload;
  PutU64(Checksum(payload, 0), &out);
  writer->Write(out.data(), out.size());
  return writer;
}

TraceWriter::~TraceWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void TraceWriter::Write(const void* data, size_t size) {
  if (std::fwrite(data, 1, size, file_) != size) write_failed_ = true;
}

void TraceWriter::Consume(const TraceEvent* events, size_t count) {
  // The block header goes right before the payload, so one write takes both.
  uint8_t* const header = payload_.data();
  uint8_t* const payload = header + kBlockHeaderBytes;
  const uint32_t bytes = static_cast<uint32_t>(EncodeTraceBlock(events, count, payload));
  const uint32_t magic = kBlockMagic;
  const uint32_t events32 = static_cast<uint32_t>(count);
  // The block index seeds the checksum, so a block moved or repeated fails it.
  const uint64_t checksum = XXH64(payload, bytes, blocks_);
  std::memcpy(header, &magic, 4);
  std::memcpy(header + 4, &events32, 4);
  std::memcpy(header + 8, &bytes, 4);
  std::memcpy(header + 12, &checksum, 8);
  Write(header, kBlockHeaderBytes + bytes);
  ++blocks_;
}

absl::Status TraceWriter::Finish(uint64_t trace_hash, uint64_t event_count) {
  std::string trailer;
  PutU32(kTrailerMagic, &trailer);
  PutU32(0, &trailer);
  PutU64(blocks_, &trailer);
  PutU64(event_count, &trailer);
  PutU64(trace_hash, &trailer);
  PutU64(Checksum(trailer, 0), &trailer);
  Write(trailer.data(), trailer.size());
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (write_failed_ || close_failed) {
    return absl::InternalError(absl::StrFormat("writing trace file %s failed", path_));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TraceReader>> TraceReader::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrFormat("cannot open trace file %s: %s", path, strerror(errno)));
  }
  std::unique_ptr<TraceReader> reader(new TraceReader(file, path));
  if (absl::Status status = reader->ReadHeader(); !status.ok()) return status;
  return reader;
}

TraceReader::~TraceReader() { std::fclose(file_); }

absl::Status TraceReader::Truncated(const char* where) const {
  return absl::DataLossError(absl::StrFormat(
      "trace file %s is truncated: it ends inside %s at byte %u (%u complete blocks, %u "
      "events)",
      path_, where, offset_, blocks_read_, events_read_));
}

absl::Status TraceReader::Corrupt(const std::string& what) const {
  return absl::DataLossError(
      absl::StrFormat("trace file %s is corrupt: %s at byte %u", path_, what, offset_));
}

absl::Status TraceReader::ReadHeader() {
  std::string fixed;
  if (!ReadExactly(file_, sizeof(kMagic) + 8, &fixed)) {
    if (fixed.size() >= sizeof(kMagic) && std::memcmp(fixed.data(), kMagic, 8) != 0) {
      return absl::InvalidArgumentError(absl::StrFormat("%s is not a trace file", path_));
    }
    return Truncated("the header");
  }
  if (std::memcmp(fixed.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s is not a trace file (no VOSTRACE magic)", path_));
  }
  Cursor cursor(std::string_view(fixed).substr(sizeof(kMagic)));
  header_.format_version = cursor.Get<uint32_t>();
  const uint32_t payload_size = cursor.Get<uint32_t>();
  if (header_.format_version != kTraceFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrFormat("trace file %s has format version %u; this build reads version %u",
                        path_, header_.format_version, kTraceFormatVersion));
  }
  if (payload_size > kMaxHeaderPayload) return Corrupt("impossible header length");
  std::string payload, checksum;
  if (!ReadExactly(file_, payload_size, &payload) || !ReadExactly(file_, 8, &checksum)) {
    return Truncated("the header");
  }
  if (Cursor(checksum).Get<uint64_t>() != Checksum(payload, 0)) {
    return Corrupt("header checksum mismatch");
  }
  Cursor fields(payload);
  header_.seed = fields.Get<uint64_t>();
  header_.scenario_hash = fields.Get<uint64_t>();
  header_.scenario_name = fields.GetString();
  header_.build_identity = fields.GetString();
  header_.scenario_text = fields.GetString();
  if (!fields.ok() || !fields.at_end()) return Corrupt("malformed header fields");
  offset_ = fixed.size() + payload.size() + 8;
  return absl::OkStatus();
}

absl::StatusOr<bool> TraceReader::NextBlock(std::vector<TraceEvent>* events) {
  std::string fixed;
  if (!ReadExactly(file_, 4, &fixed)) return Truncated("a block header (no trailer)");
  const uint32_t magic = Cursor(fixed).Get<uint32_t>();
  if (magic == kTrailerMagic) {
    if (absl::Status status = ReadTrailer(); !status.ok()) return status;
    return false;
  }
  if (magic != kBlockMagic) {
    return Corrupt(absl::StrFormat("block %u has a bad magic number", blocks_read_));
  }
  std::string rest;
  if (!ReadExactly(file_, kBlockHeaderBytes - 4, &rest)) return Truncated("a block header");
  Cursor cursor(rest);
  const uint32_t count = cursor.Get<uint32_t>();
  const uint32_t bytes = cursor.Get<uint32_t>();
  const uint64_t checksum = cursor.Get<uint64_t>();
  if (count == 0 || count > Trace::kBlockEvents || bytes > kMaxBlockPayload) {
    return Corrupt(absl::StrFormat("block %u has an impossible size", blocks_read_));
  }
  std::string payload;
  if (!ReadExactly(file_, bytes, &payload)) {
    return Truncated(absl::StrFormat("block %u", blocks_read_).c_str());
  }
  if (Checksum(payload, blocks_read_) != checksum) {
    return Corrupt(absl::StrFormat("block %u (events %u..%u) checksum mismatch", blocks_read_,
                                   events_read_, events_read_ + count - 1));
  }
  if (!DecodeTraceBlock(payload, count, events)) {
    return Corrupt(absl::StrFormat("block %u does not decode", blocks_read_));
  }
  for (const TraceEvent& event : *events) {
    rehash_.Record(event.kind(), event.cpu(), event.time, event.a, event.b);
  }
  offset_ += kBlockHeaderBytes + bytes;
  ++blocks_read_;
  events_read_ += count;
  return true;
}

absl::Status TraceReader::ReadTrailer() {
  std::string rest;
  if (!ReadExactly(file_, kTrailerBytes - 4, &rest)) return Truncated("the trailer");
  std::string whole;
  PutU32(kTrailerMagic, &whole);
  whole += rest;
  Cursor cursor{std::string_view(rest)};
  cursor.Get<uint32_t>();
  trailer_.block_count = cursor.Get<uint64_t>();
  trailer_.event_count = cursor.Get<uint64_t>();
  trailer_.trace_hash = cursor.Get<uint64_t>();
  const uint64_t checksum = cursor.Get<uint64_t>();
  if (checksum != Checksum(std::string_view(whole).substr(0, kTrailerBytes - 8), 0)) {
    return Corrupt("trailer checksum mismatch");
  }
  if (trailer_.block_count != blocks_read_ || trailer_.event_count != events_read_) {
    return Corrupt(absl::StrFormat(
        "the trailer counts %u blocks and %u events, the file holds %u and %u (blocks "
        "missing)",
        trailer_.block_count, trailer_.event_count, blocks_read_, events_read_));
  }
  if (trailer_.trace_hash != rehash_.hash()) {
    return Corrupt(absl::StrFormat("the events hash to %016x, the trailer says %016x",
                                   rehash_.hash(), trailer_.trace_hash));
  }
  offset_ += kTrailerBytes;
  char extra;
  if (std::fread(&extra, 1, 1, file_) == 1) return Corrupt("bytes after the trailer");
  return absl::OkStatus();
}

absl::Status ReadTraceFile(const std::string& path, TraceFileHeader* header,
                           std::vector<TraceEvent>* events, TraceFileTrailer* trailer) {
  absl::StatusOr<std::unique_ptr<TraceReader>> reader = TraceReader::Open(path);
  if (!reader.ok()) return reader.status();
  *header = (*reader)->header();
  events->clear();
  std::vector<TraceEvent> block;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->NextBlock(&block);
    if (!more.ok()) return more.status();
    if (!*more) break;
    events->insert(events->end(), block.begin(), block.end());
  }
  *trailer = (*reader)->trailer();
  return absl::OkStatus();
}

const char* TraceKindName(hal::TraceKind kind) {
  switch (kind) {
    case hal::TraceKind::kCpuSwitch: return "cpu-switch";
    case hal::TraceKind::kTrapEnter: return "trap";
    case hal::TraceKind::kIpiSend: return "ipi-send";
    case hal::TraceKind::kTimerArm: return "timer-arm";
    case hal::TraceKind::kCpuStart: return "cpu-start";
    case hal::TraceKind::kCpuHalt: return "cpu-halt";
    case hal::TraceKind::kContextSwitch: return "context-switch";
    case hal::TraceKind::kAddressSpace: return "address-space";
    case hal::TraceKind::kTlbInvalidate: return "tlb-invalidate";
    case hal::TraceKind::kLockContended: return "lock-contended";
    case hal::TraceKind::kKernelMark: return "kernel-mark";
    case hal::TraceKind::kSyscall: return "syscall";
    case hal::TraceKind::kIpcSend: return "ipc-send";
    case hal::TraceKind::kIpcReceive: return "ipc-receive";
    case hal::TraceKind::kPageFault: return "page-fault";
  }
  return "unknown";
}

std::string FormatTraceEvent(uint64_t index, const TraceEvent& event) {
  return absl::StrFormat("#%u cpu %u at %u ns: %s a=%#x b=%#x", index, event.cpu(), event.time,
                         TraceKindName(event.kind()), event.a, event.b);
}

}  // namespace sim
