// Asynchronous channels between processes: producer_consumer (exactly-once
// delivery in per-sender order from many producers to many consumers),
// rate_flood (a rate limit keeps a victim's latency near idle while a
// client floods), channel_stats_reader (channel_stats agrees with what was
// sent and received). Exit codes: exit_codes.h's (kNoObject: a channel
// could not be made or configured).
#include <cstring>

#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/ipc.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

constexpr int64_t kPeerClosed = Code(vos::Status::kPeerClosed);
constexpr int64_t kRateLimited = Code(vos::Status::kRateLimited);
constexpr int64_t kPermissionDenied = Code(vos::Status::kPermissionDenied);

constexpr uint64_t kMessageAt = kBuffers;
constexpr uint64_t kSenderAt = kMessageAt + 128;
constexpr uint64_t kStatsAt = kSenderAt + 64;
constexpr uint64_t kWaitAt = kStatsAt + sizeof(abi::ChannelStats);
constexpr uint64_t kPidsAt = kWaitAt + 64;  // Per-producer sender pids.
constexpr uint64_t kMaxProducers = 16;
constexpr uint64_t kMaxConsumers = 16;

bool WaitAll(const int64_t* children, uint64_t count, bool* all_zero) {
  *all_zero = true;
  for (uint64_t i = 0; i < count; ++i) {
    const vos::Result<abi::ExitStatus> status =
        WaitChild(static_cast<uint64_t>(children[i]), kWaitAt);
    if (!status.ok()) return false;
    if (!ExitedWith(status.value(), 0)) *all_zero = false;
  }
  return true;
}

abi::ChannelStats ReadStats(uint64_t channel, bool* ok) {
  abi::ChannelStats stats{};
  *ok = user::ChannelStats(channel, kStatsAt) == 0;
  user::Load(kStatsAt, &stats, sizeof(stats));
  return stats;
}

// --- producer_consumer -------------------------------------------------

struct Item {
  uint64_t producer;
  uint64_t sequence;
};
// What a consumer got from one producer.
struct Report {
  uint64_t producer;
  uint64_t count;
  uint64_t sum;      // Of sequence numbers.
  uint64_t squares;  // Their squares: with the sum, catches a loss hidden by a duplicate.
};

// pc_producer index messages [channel]: sends `messages` items numbered
// 0.. in order.
int64_t Producer(Args args) {
  const uint64_t index = Arg(args, 0);
  const uint64_t messages = Arg(args, 1);
  const uint64_t channel = Arg(args, 2);
  for (uint64_t n = 0; n < messages; ++n) {
    if (SendValue(channel, kMessageAt, Item{index, n}) != 0) return kCallFailed;
  }
  return 0;
}

// pc_consumer producers [items, reports]: takes items until the channel
// closes, checking that each producer's come in order from one sender pid;
// then reports per producer what it got.
int64_t Consumer(Args args) {
  const uint64_t producers = Arg(args, 0);
  const uint64_t items = Arg(args, 1);
  const uint64_t reports = Arg(args, 2);
  if (producers == 0 || producers > kMaxProducers) return kBadArguments;
  Report got[kMaxProducers] = {};
  uint64_t next[kMaxProducers] = {};  // Lowest sequence still allowed.
  uint64_t pids[kMaxProducers] = {};
  for (;;) {
    Item item;
    const int64_t length = ReceiveValue(items, kMessageAt, item, kSenderAt);
    if (length == kPeerClosed) break;
    if (length != sizeof(Item)) return kCallFailed;
    const uint64_t sender = Get64(kSenderAt);
    if (item.producer >= producers || item.sequence < next[item.producer]) return kBroken;
    if (pids[item.producer] == 0) pids[item.producer] = sender;
    if (sender == 0 || pids[item.producer] != sender) return kBroken;
    next[item.producer] = item.sequence + 1;
    Report& report = got[item.producer];
    ++report.count;
    report.sum += item.sequence;
    report.squares += item.sequence * item.sequence;
  }
  for (uint64_t p = 0; p < producers; ++p) {
    got[p].producer = p;
    if (SendValue(reports, kMessageAt, got[p]) != 0) return kCallFailed;
  }
  return 0;
}

// producer_consumer producers consumers messages: `producers` processes
// each send `messages` numbered items into one channel that `consumers`
// processes drain; once the producers are done the channel is closed, and
// the consumers' reports must add up to every item exactly once.
int64_t ProducerConsumer(Args args) {
  const uint64_t producers = Arg(args, 0);
  const uint64_t consumers = Arg(args, 1);
  const uint64_t messages = Arg(args, 2);
  if (producers == 0 || producers > kMaxProducers || consumers == 0 ||
      consumers > kMaxConsumers || messages == 0) {
    return kBadArguments;
  }
  const int64_t items = user::ChannelCreate();
  const int64_t reports = user::ChannelCreate();
  if (items < 0 || reports < 0) return kNoObject;
  // The children get only what they need: producers send, consumers
  // receive items and send reports.
  const int64_t send_items =
      user::CapDerive(items, abi::kRightChannelSend | abi::kRightGrant);
  const int64_t receive_items =
      user::CapDerive(items, abi::kRightChannelReceive | abi::kRightGrant);
  const int64_t send_reports =
      user::CapDerive(reports, abi::kRightChannelSend | abi::kRightGrant);
  if (send_items < 0 || receive_items < 0 || send_reports < 0) return kNoObject;
  int64_t children[kMaxProducers + kMaxConsumers];
  for (uint64_t c = 0; c < consumers; ++c) {
    const uint64_t grants[] = {static_cast<uint64_t>(receive_items),
                               static_cast<uint64_t>(send_reports)};
    children[c] = SpawnGranting("pc_consumer", &producers, 1, grants, 2);
    if (children[c] < 0) return kNoChild;
  }
  for (uint64_t p = 0; p < producers; ++p) {
    const uint64_t values[] = {p, messages};
    const uint64_t grant = static_cast<uint64_t>(send_items);
    children[consumers + p] = SpawnGranting("pc_producer", values, 2, &grant, 1);
    if (children[consumers + p] < 0) return kNoChild;
  }
  bool producers_ok = false;
  if (!WaitAll(children + consumers, producers, &producers_ok)) return kCallFailed;
  if (!producers_ok) return kChildFailed;
  // Everything is queued or taken: the consumers drain the rest, then stop.
  if (user::ChannelClose(items) != 0) return kCallFailed;
  Report total[kMaxProducers] = {};
  for (uint64_t r = 0; r < producers * consumers; ++r) {
    Report report;
    if (ReceiveValue(reports, kMessageAt, report) != sizeof(Report) ||
        report.producer >= producers) {
      return kBroken;
    }
    total[report.producer].count += report.count;
    total[report.producer].sum += report.sum;
    total[report.producer].squares += report.squares;
  }
  bool consumers_ok = false;
  if (!WaitAll(children, consumers, &consumers_ok)) return kCallFailed;
  if (!consumers_ok) return kChildFailed;
  uint64_t sum = 0;
  uint64_t squares = 0;
  for (uint64_t n = 0; n < messages; ++n) {
    sum += n;
    squares += n * n;
  }
  for (uint64_t p = 0; p < producers; ++p) {
    if (total[p].count != messages || total[p].sum != sum || total[p].squares != squares) {
      return kBroken;
    }
  }
  bool ok = false;
  const abi::ChannelStats stats = ReadStats(items, &ok);
  if (!ok) return kCallFailed;
  if (stats.sent != producers * messages || stats.received != stats.sent) return kBroken;
  return 0;
}

// --- rate_flood --------------------------------------------------------

constexpr uint8_t kVictimTag = 'V';
constexpr uint8_t kFloodTag = 'F';
struct Request {
  uint8_t tag;
  uint64_t number;
};

// rf_server [requests, replies]: takes requests until the channel closes,
// answering the victim's on the reply channel.
int64_t FloodServer(Args args) {
  const uint64_t requests = Arg(args, 0);
  const uint64_t replies = Arg(args, 1);
  for (;;) {
    Request request;
    const int64_t length = ReceiveValue(requests, kMessageAt, request);
    if (length == kPeerClosed) return 0;
    if (length != sizeof(Request)) return kCallFailed;
    if (request.tag == kVictimTag && SendValue(replies, kMessageAt, request.number) != 0) {
      return kCallFailed;
    }
  }
}

// rf_flooder [requests]: sends as fast as it can until killed; a send over
// the limit fails at once, and it simply tries again.
int64_t Flooder(Args args) {
  const uint64_t requests = Arg(args, 0);
  for (uint64_t n = 0;; ++n) {
    const int64_t sent = SendValue(requests, kMessageAt, Request{kFloodTag, n});
    if (sent != 0 && sent != kRateLimited) return kCallFailed;
  }
}

// Mean round trip of `rounds` victim requests `pause` ns apart, in
// simulated ns (0: failed).
uint64_t RoundTrips(uint64_t requests, uint64_t replies, uint64_t rounds, uint64_t first,
                    uint64_t pause) {
  uint64_t total = 0;
  for (uint64_t n = first; n < first + rounds; ++n) {
    const uint64_t start = static_cast<uint64_t>(user::GetTime());
    if (SendValue(requests, kMessageAt, Request{kVictimTag, n}) != 0) return 0;
    uint64_t answer = 0;
    if (ReceiveValue(replies, kMessageAt, answer) != sizeof(answer) || answer != n) return 0;
    total += static_cast<uint64_t>(user::GetTime()) - start;
    user::Sleep(pause);  // A victim sends now and then, within the limit.
  }
  return total / rounds;
}

// rf_victim rounds pause flooders [requests, replies, flood_grant]: measures
// its round trip idle, then while `flooders` rf_flooders it starts flood the
// same channel; exits 0 when the flooded mean is within 2x of the idle one.
int64_t Victim(Args args) {
  constexpr uint64_t kMaxFlooders = 32;
  const uint64_t rounds = Arg(args, 0);
  const uint64_t pause = Arg(args, 1);
  const uint64_t flooders = Arg(args, 2);
  const uint64_t requests = Arg(args, 3);
  const uint64_t replies = Arg(args, 4);
  const uint64_t flood_grant = Arg(args, 5);
  if (rounds == 0 || flooders == 0 || flooders > kMaxFlooders) return kBadArguments;
  const uint64_t idle = RoundTrips(requests, replies, rounds, 0, pause);
  if (idle == 0) return kCallFailed;
  int64_t flooder[kMaxFlooders];
  for (uint64_t f = 0; f < flooders; ++f) {
    flooder[f] = SpawnGranting("rf_flooder", nullptr, 0, &flood_grant, 1);
    if (flooder[f] < 0) return kNoChild;
  }
  user::Sleep(50'000);  // The flood is under way.
  const uint64_t flooded = RoundTrips(requests, replies, rounds, rounds, pause);
  for (uint64_t f = 0; f < flooders; ++f) {
    if (user::Kill(static_cast<uint64_t>(flooder[f]), 0) != 0) return kCallFailed;
    const vos::Result<abi::ExitStatus> status =
        WaitChild(static_cast<uint64_t>(flooder[f]), kWaitAt);
    if (!status.ok()) return kCallFailed;
    // Not killed: it failed first.
    if (status.value().reason != abi::ExitReason::kKilled) return kChildFailed;
  }
  if (flooded == 0) return kCallFailed;
  return flooded <= 2 * idle ? 0 : kBroken;
}

// rate_flood rounds per_second burst [flooders]: a server on a channel
// limited to `per_second` messages a second (burst `burst`) per sender; a
// victim's mean round trip under the flood of `flooders` rf_flooders
// (default 1), each a process of its own, must stay within 2x of idle, and
// the flood must have been limited. The victim is a sender like any other:
// it paces its requests to stay within the limit, and any of its sends
// refused fails it.
int64_t RateFlood(Args args) {
  const uint64_t rounds = Arg(args, 0);
  const uint64_t per_second = Arg(args, 1);
  const uint64_t burst = Arg(args, 2);
  const uint64_t flooders = args.size > 3 * sizeof(uint64_t) ? Arg(args, 3) : 1;
  if (rounds == 0 || per_second == 0 || burst == 0) return kBadArguments;
  const int64_t requests = user::ChannelCreate();
  const int64_t replies = user::ChannelCreate();
  if (requests < 0 || replies < 0) return kNoObject;
  if (user::ChannelSetRateLimit(requests, per_second, burst) != 0) return kNoObject;
  // Senders may not lift the limit: no configure right.
  const int64_t send_requests =
      user::CapDerive(requests, abi::kRightChannelSend | abi::kRightGrant);
  const int64_t flood_grant = user::CapDerive(requests, abi::kRightChannelSend | abi::kRightGrant);
  const int64_t receive_requests =
      user::CapDerive(requests, abi::kRightChannelReceive | abi::kRightGrant);
  const int64_t send_replies = user::CapDerive(replies, abi::kRightChannelSend | abi::kRightGrant);
  const int64_t receive_replies =
      user::CapDerive(replies, abi::kRightChannelReceive | abi::kRightGrant);
  if (send_requests < 0 || flood_grant < 0 || receive_requests < 0 || send_replies < 0 ||
      receive_replies < 0) {
    return kNoObject;
  }
  const uint64_t server_grants[] = {static_cast<uint64_t>(receive_requests),
                                    static_cast<uint64_t>(send_replies)};
  const int64_t server = SpawnGranting("rf_server", nullptr, 0, server_grants, 2);
  const uint64_t victim_grants[] = {static_cast<uint64_t>(send_requests),
                                    static_cast<uint64_t>(receive_replies),
                                    static_cast<uint64_t>(flood_grant)};
  // The victim keeps to the limit itself: one request per two intervals.
  const uint64_t victim_args[] = {rounds, 2 * 1'000'000'000 / per_second, flooders};
  const int64_t victim = SpawnGranting("rf_victim", victim_args, 3, victim_grants, 3);
  if (server < 0 || victim < 0) return kNoChild;
  const vos::Result<abi::ExitStatus> verdict = WaitChild(static_cast<uint64_t>(victim), kWaitAt);
  if (!verdict.ok()) return kCallFailed;
  if (user::ChannelClose(requests) != 0) return kCallFailed;
  bool server_ok = false;
  if (!WaitAll(&server, 1, &server_ok)) return kCallFailed;
  if (const int64_t failed = ChildVerdict(verdict.value()); failed != 0) return failed;
  if (!server_ok) return kChildFailed;
  bool ok = false;
  const abi::ChannelStats stats = ReadStats(requests, &ok);
  if (!ok) return kCallFailed;
  // The flood was limited, and whatever got in was taken.
  if (stats.rate_limited == 0 || stats.received != stats.sent) return kBroken;
  return 0;
}

// --- channel_stats_reader ------------------------------------------------

// channel_stats_reader messages: sends `messages` messages of 1..64 bytes
// on a channel of its own and receives all but 3 (the last few after a
// pause), checking channel_stats after each step; then a rate limit of
// burst 2 must reject the third of three quick sends and count it.
int64_t StatsReader(Args args) {
  const uint64_t messages = Arg(args, 0);
  if (messages < 4 || messages > abi::kChannelCapacity) return kBadArguments;
  const int64_t channel = user::ChannelCreate();
  if (channel < 0) return kNoObject;
  uint8_t bytes[abi::kMaxChannelMessage];
  uint64_t bytes_sent = 0;
  for (uint64_t n = 0; n < messages; ++n) {
    const uint64_t length = 1 + n % abi::kMaxChannelMessage;
    std::memset(bytes, static_cast<int>(n), length);
    if (user::ChannelSend(channel, Put(kMessageAt, bytes, length), length) != 0) {
      return kCallFailed;
    }
    bytes_sent += length;
  }
  bool ok = false;
  abi::ChannelStats stats = ReadStats(channel, &ok);
  if (!ok || stats.sent != messages || stats.bytes_sent != bytes_sent || stats.received != 0 ||
      stats.latency_samples != 0 || stats.rate_limited != 0 || stats.blocked_sends != 0) {
    return kBroken;
  }
  constexpr uint64_t kPause = 10'000;
  uint64_t bytes_received = 0;
  const uint64_t taken = messages - 3;
  for (uint64_t n = 0; n < taken; ++n) {
    if (n == taken / 2) user::Sleep(kPause);  // The later half waited at least kPause.
    const int64_t length =
        user::ChannelReceive(channel, kMessageAt, abi::kMaxChannelMessage);
    if (length != static_cast<int64_t>(1 + n % abi::kMaxChannelMessage)) return kBroken;
    bytes_received += static_cast<uint64_t>(length);
  }
  stats = ReadStats(channel, &ok);
  if (!ok || stats.sent != messages || stats.received != taken ||
      stats.latency_samples != taken || stats.bytes_received != bytes_received ||
      stats.latency_max_ns < kPause || stats.latency_p50_ns > stats.latency_p90_ns ||
      stats.latency_p90_ns > stats.latency_p99_ns || stats.latency_p99_ns > stats.latency_max_ns ||
      stats.latency_sum_ns < (taken - taken / 2) * kPause) {
    return kBroken;
  }
  uint64_t bucketed = 0;
  for (uint64_t count : stats.latency_buckets) bucketed += count;
  if (bucketed != taken) return kBroken;
  // One a second, burst 2: the third quick send is over the limit.
  if (user::ChannelSetRateLimit(channel, 1, 2) != 0) return kNoObject;
  int64_t results[3];
  for (int64_t& result : results) result = user::ChannelSend(channel, Put(kMessageAt, bytes, 1), 1);
  if (results[0] != 0 || results[1] != 0 || results[2] != kRateLimited) return kBroken;
  stats = ReadStats(channel, &ok);
  if (!ok || stats.rate_limited != 1 || stats.sent != messages + 2) return kBroken;
  // Lifted: sends go through again.
  if (user::ChannelSetRateLimit(channel, 0, 0) != 0) return kNoObject;
  if (user::ChannelSend(channel, Put(kMessageAt, bytes, 1), 1) != 0) return kBroken;
  // A capability without kRightRead may not read the statistics.
  const int64_t send_only = user::CapDerive(channel, abi::kRightChannelSend);
  if (send_only < 0) return kNoObject;
  if (user::ChannelStats(static_cast<uint64_t>(send_only), kStatsAt) != kPermissionDenied) {
    return kBroken;
  }
  return 0;
}

}  // namespace

const vos::user::Entry kProducerConsumer = &vos::user::ProgramEntry<ProducerConsumer>;
const vos::user::Entry kPcProducer = &vos::user::ProgramEntry<Producer>;
const vos::user::Entry kPcConsumer = &vos::user::ProgramEntry<Consumer>;
const vos::user::Entry kRateFlood = &vos::user::ProgramEntry<RateFlood>;
const vos::user::Entry kRfServer = &vos::user::ProgramEntry<FloodServer>;
const vos::user::Entry kRfVictim = &vos::user::ProgramEntry<Victim>;
const vos::user::Entry kRfFlooder = &vos::user::ProgramEntry<Flooder>;
const vos::user::Entry kChannelStatsReader = &vos::user::ProgramEntry<StatsReader>;

}  // namespace programs
