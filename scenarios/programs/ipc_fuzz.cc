// ipc_fuzz: processes that throw random IPC and capability syscalls at the
// kernel and at each other, through objects their parent shares with them
// (an endpoint, a channel, shared memory, the registry with its admin
// right) and objects of their own (endpoints, channels, shared memory,
// locks, semaphores, barriers, threads, child processes), with random
// (often bad) tokens, rights, sizes, buffers and deadlines, and check from
// user space what must hold whatever the order:
//  - every call returns a result or one of the kernel's error codes;
//  - every message that arrives is intact, from the sender the kernel
//    stamped on it, and every answer is to this caller's own request;
//  - no derived capability holds more rights than its parent;
//  - a lock a thread took is its own to release.
// The kernel's own invariants (asserts, the run's leak check, every process
// reaped, no deadlock: every blocking call has a deadline, or waits for
// something short-lived: a thread or child of its own, a one-party barrier)
// are checked by the simulator. Everything random comes from the `seed` argument, or with
// seed 0 from the run itself (the tokens the parent gets mix the machine's
// seed), so `vos_sim explore` on a scenario with seed 0 fuzzes a different
// sequence, on a different schedule, at every seed.
//
// Each worker process may run several fuzzing threads in one capability
// space, and the parent may kill workers at random points (peer death in
// the middle of calls, transfers and revocations). Exit codes: 0, or the
// first failed check (kBadStatus + the operation, kCorrupt, kForgedSender,
// kMisrouted, kEscalated, kLockLost); the parent exits with its first failing
// worker's code, or exit_codes.h's.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/format.h"
#include "src/lib/split_mix.h"

namespace programs {
namespace {

using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

constexpr int64_t kBadStatus = 20;     // + the operation: an undocumented result.
constexpr int64_t kCorrupt = 40;       // A message's bytes were not what was sent.
constexpr int64_t kForgedSender = 41;  // The kernel's sender stamp disagrees.
constexpr int64_t kMisrouted = 42;     // An answer to someone else's request.
constexpr int64_t kEscalated = 43;     // A derived capability gained rights.
constexpr int64_t kLockLost = 44;      // A lock this thread took would not unlock.

constexpr uint64_t kMaxWorkers = 16;
constexpr uint64_t kMaxThreads = 4;  // Per worker process.
// A worker process's words, shared by its threads: its arguments (for the
// threads it creates) and each thread's failed check.
constexpr uint64_t kShared = kBuffers;
constexpr uint64_t kGrants = 4;  // Endpoint, channel, memory, registry.
constexpr uint64_t kArgsAt = kShared;                               // index steps seed
constexpr uint64_t kGrantsAt = kArgsAt + 3 * sizeof(uint64_t);      // the shared tokens
constexpr uint64_t kFailedAt = kGrantsAt + kGrants * sizeof(uint64_t);  // per thread
// Then each thread's buffers: two abi::IpcMessages (out, in) and small
// results (aux).
constexpr uint64_t kThreadBuffers = kShared + 256;
constexpr uint64_t kAuxSize = 1536;
constexpr uint64_t kThreadSpan = 2 * sizeof(abi::IpcMessage) + kAuxSize;
static_assert(kThreadBuffers + kMaxThreads * kThreadSpan <=
              abi::kUserDataBase + abi::kUserDataSize - 16);
// The parent's small results.
constexpr uint64_t kParentAux = kThreadBuffers;

using Random = vos::SplitMix64;

// An address in the kernel half: no user buffer or mapping may be there.
constexpr uint64_t kKernelAddress = 0xffff800000001000ull;

// The head of every message of 32 bytes or more; shorter ones are all
// kFiller. The bytes after it follow from `sequence`.
struct Stamp {
  uint32_t magic;
  uint32_t kind;
  uint64_t pid;       // The sender's, as it knows it.
  uint64_t sequence;  // Unique per request; an answer repeats its request's.
  uint64_t to;        // An answer's requester; 0 otherwise.
};
constexpr uint32_t kMagic = 0x5a17f022;
constexpr uint8_t kFiller = 0x5a;
enum Kind : uint32_t { kRequest = 1, kAnswer = 2, kChannel = 3 };

uint8_t PatternByte(uint64_t sequence, size_t i) {
  return static_cast<uint8_t>(sequence * 131 + i * 7);
}

void Fill(uint8_t* bytes, size_t length, const Stamp& stamp) {
  if (length < sizeof(Stamp)) {
    std::memset(bytes, kFiller, length);
    return;
  }
  std::memcpy(bytes, &stamp, sizeof(stamp));
  for (size_t i = sizeof(stamp); i < length; ++i) bytes[i] = PatternByte(stamp.sequence, i);
}

// 0, or why `bytes` (from the process `sender` says the kernel) is not a
// message this program sent; `stamp` gets its head.
int64_t Check(const uint8_t* bytes, size_t length, uint64_t sender, Stamp& stamp) {
  stamp = Stamp{};
  if (length < sizeof(Stamp)) {
    for (size_t i = 0; i < length; ++i) {
      if (bytes[i] != kFiller) return kCorrupt;
    }
    return 0;
  }
  std::memcpy(&stamp, bytes, sizeof(stamp));
  if (stamp.magic != kMagic || stamp.kind < kRequest || stamp.kind > kChannel) return kCorrupt;
  if (stamp.pid != sender) return kForgedSender;
  for (size_t i = sizeof(stamp); i < length; ++i) {
    if (bytes[i] != PatternByte(stamp.sequence, i)) return kCorrupt;
  }
  return 0;
}

// Whether `result` is a result or one of the kernel's errors.
bool Documented(int64_t result) {
  return result >= 0 ||
         (result >= Code(vos::Status::kInterrupted) && result != Code(vos::Status::kInternal));
}

// One fuzzing thread. Every random draw is a statement of its own, never
// one of several in a call's arguments: their order is unspecified, and the
// sequence must not depend on the compiler.
class Worker {
 public:
  // Thread `thread` of worker `index`; `shared` are the kGrants tokens (a
  // missing registry capability is stood in for by the endpoint's).
  Worker(uint64_t index, uint64_t thread, uint64_t seed, const uint64_t* shared, uint64_t pid)
      : random_(seed ^ (index * kMaxThreads + thread + 1) * 0xd1342543de82ef95ull),
        index_(index * kMaxThreads + thread),
        pid_(pid),
        out_(kThreadBuffers + thread * kThreadSpan),
        in_(out_ + sizeof(abi::IpcMessage)),
        aux_(in_ + sizeof(abi::IpcMessage)) {
    for (uint64_t i = 0; i < kSharedTokens; ++i) {
      pool_[i] = shared[i] != 0 ? shared[i] : shared[0];
    }
    pool_size_ = kSharedTokens;
  }

  // One random operation; 0 or the failed check.
  int64_t Step() {
    last_operation_ = random_.Below(kOperations);
    return Run(last_operation_);
  }
  const char* LastOperationName() const { return kOperationNames[last_operation_]; }

 private:
  // The shared objects' tokens, first in the pool.
  static constexpr uint64_t kEndpointToken = 0;
  static constexpr uint64_t kChannelToken = 1;
  static constexpr uint64_t kMemoryToken = 2;
  static constexpr uint64_t kRegistryToken = 3;  // With the admin right.
  static constexpr uint64_t kSharedTokens = kGrants;
  static constexpr uint64_t kPoolSize = 24;

  static constexpr uint64_t kOperations = 20;
  // Run's cases, by number.
  static constexpr const char* kOperationNames[kOperations] = {
      "ipc_call",          "ipc_call_regs", "ipc_send",      "ipc_receive/reply_wait",
      "ipc_receive/reply_wait", "ipc_reply_wait_regs", "channel_send", "channel_receive",
      "cap_derive",        "cap_delete/revoke", "registry",  "shm_map/unmap",
      "channel_set_rate_limit", "create/close", "yield", "sync",
      "thread_create/join/info", "spawn/wait/kill/process_info", "registry_force_unregister",
      "misc"};

  int64_t Run(uint64_t operation) {
    switch (operation) {
      case 0: return Call(operation);
      case 1: return CallRegisters(operation);
      case 2: return Send(operation);
      case 3:
      case 4: return Serve(operation);
      case 5: return ServeRegisters(operation);
      case 6: return ChannelSend(operation);
      case 7: return ChannelReceive(operation);
      case 8: return Derive(operation);
      case 9: return DeleteOrRevoke(operation);
      case 10: return Registry(operation);
      case 11: return SharedMemory(operation);
      case 12: {
        const uint64_t per_second = random_.Below(3) * 50'000;  // 0 lifts the limit.
        const uint64_t burst = random_.Below(8);
        const uint64_t channel = Token(kChannelToken);
        return Result(operation, user::ChannelSetRateLimit(channel, per_second, burst));
      }
      case 13: return CreateOrClose(operation);
      case 14: return Result(operation, user::Yield());
      case 15: return Sync(operation);
      case 16: return Threads(operation);
      case 17: return Processes(operation);
      case 18: return ForceUnregister(operation);
      default: return Misc(operation);
    }
  }

  int64_t Result(uint64_t operation, int64_t result) {
    return Documented(result) ? 0 : kBadStatus + static_cast<int64_t>(operation);
  }

  // --- Tokens: live ones (the shared three first), stale ones, guesses.
  // A random pool index past the shared tokens, below `size`.
  uint64_t OwnIndex(uint64_t size) { return kSharedTokens + random_.Below(size - kSharedTokens); }
  void Add(uint64_t token) {
    if (token == 0) return;
    if (pool_size_ == kPoolSize) {
      const uint64_t victim = OwnIndex(kPoolSize);
      stale_ = pool_[victim];
      (void)user::CapDelete(pool_[victim]);
      pool_[victim] = token;
      return;
    }
    pool_[pool_size_++] = token;
  }
  // Half the time the shared object the operation is for (kEndpointToken,
  // kChannelToken, kMemoryToken, kRegistryToken), so that calls meet
  // servers; else any token.
  uint64_t Token(uint64_t shared) {
    const uint64_t roll = random_.Below(20);
    if (roll == 0) return random_.Next() >> 1;  // A guess.
    if (roll == 1) return stale_;
    if (roll < 11) return pool_[shared];
    return pool_[random_.Below(pool_size_)];
  }
  uint64_t Token() { return Token(random_.Below(kSharedTokens)); }
  // Mostly one of its own (objects it made or received), else any token.
  uint64_t OwnToken() {
    if (pool_size_ == kSharedTokens || random_.OneIn(4)) return Token();
    return pool_[OwnIndex(pool_size_)];
  }
  // Half the time the last object of `kind` it made (perhaps gone since),
  // else OwnToken: so that operations meet objects of their type.
  enum Made : uint64_t { kMadeSync, kMadeThread, kMadeChild, kMadeKinds };
  // Keeps what a create returned, if a token: in the pool, and as the last
  // of `kind` made.
  bool KeepMade(Made kind, int64_t token) {
    if (token <= 0) return false;
    Add(static_cast<uint64_t>(token));
    made_[kind] = static_cast<uint64_t>(token);
    return true;
  }
  uint64_t MadeToken(Made kind) {
    return made_[kind] != 0 && random_.OneIn(2) ? made_[kind] : OwnToken();
  }
  uint64_t Rights() {
    static constexpr uint64_t kUsual[] = {
        abi::kEndpointRights, abi::kRightRead | abi::kRightGrant | abi::kRightChannelSend,
        abi::kRightRead | abi::kRightDerive, abi::kSharedMemoryRights};
    return random_.OneIn(4) ? random_.Next() & abi::kAllRights : kUsual[random_.Below(4)];
  }
  // A deadline a few microseconds away: nothing here waits for good.
  uint64_t Deadline() {
    return static_cast<uint64_t>(user::GetTime()) + 500 + random_.Below(20'000);
  }
  // A message length: mostly small, sometimes large, now and then tiny.
  uint32_t Length(uint32_t limit) {
    const uint64_t roll = random_.Below(10);
    if (roll == 0) return static_cast<uint32_t>(random_.Below(sizeof(Stamp)));
    if (roll < 3 && limit > 64) return static_cast<uint32_t>(64 + random_.Below(limit - 63));
    return static_cast<uint32_t>(sizeof(Stamp) + random_.Below(64 - sizeof(Stamp) + 1));
  }
  // Where a message comes from: ours, or (rarely) somewhere the kernel
  // cannot read. Never readable memory of unknown content: its receiver
  // could not tell that from corruption.
  uint64_t SendBuffer(uint64_t good) {
    // Null, unaligned, kernel, and the last page below the user half's end
    // (Sv39's 256 GiB), which nothing here maps: shared memory goes in the
    // lowest gap, or where SharedMemory tries and fails.
    static constexpr uint64_t kUnreadable[] = {0, 8, kKernelAddress,
                                               (uint64_t{1} << 38) - 0x1000};
    return random_.OneIn(12) ? kUnreadable[random_.Below(4)] : good;
  }
  // Where a result goes: ours, or (rarely) somewhere the kernel cannot
  // write all of, or somewhere else (a message written there is not
  // checked).
  uint64_t Buffer(uint64_t good) {
    if (!random_.OneIn(12)) return good;
    return random_.OneIn(4) ? abi::kUserDataBase + abi::kUserDataSize - 16 : SendBuffer(0);
  }
  // A new message of `kind` (a request, or a channel message).
  Stamp NewStamp(Kind kind) { return Stamp{kMagic, kind, pid_, (index_ << 40) | ++sequence_, 0}; }
  Stamp Request() { return NewStamp(kRequest); }
  // The answer to `request`, from this worker.
  Stamp AnswerTo(const Stamp& request) const {
    return Stamp{kMagic, kAnswer, pid_, request.sequence, request.pid};
  }
  // 0 if `answer` (checked intact) answers this worker's `request`, or is
  // too short to say.
  int64_t Answers(const Stamp& answer, const Stamp& request) const {
    if (answer.magic == 0) return 0;
    return answer.kind == kAnswer && answer.to == pid_ && answer.sequence == request.sequence
               ? 0
               : kMisrouted;
  }

  // --- Synchronous IPC through buffers.
  void PutMessage(uint64_t at, uint32_t length, const Stamp& stamp, uint64_t reply_handle) {
    abi::IpcMessage message{};
    message.reply_handle = reply_handle;
    message.length = length;
    if (random_.OneIn(4)) {
      message.cap_count = static_cast<uint16_t>(1 + random_.Below(2));
      for (uint16_t i = 0; i < message.cap_count; ++i) message.caps[i] = Token();
      message.flags = random_.OneIn(3) ? abi::kIpcMoveCaps : 0;
    }
    Fill(message.data, length, stamp);
    Put(at, &message, abi::kIpcHeaderSize + length);
  }
  // Checks the message at in_ and keeps its capabilities; its stamp.
  int64_t TakeMessage(Stamp& stamp, uint64_t& reply_handle) {
    abi::IpcMessage message;
    user::Load(in_, &message, abi::kIpcHeaderSize);
    if (message.length > abi::kMaxIpcData || message.cap_count > abi::kMaxIpcCaps) {
      return kCorrupt;
    }
    user::Load(in_ + abi::kIpcHeaderSize, message.data, message.length);
    for (uint16_t i = 0; i < message.cap_count; ++i) Add(message.caps[i]);
    reply_handle = message.reply_handle;
    return Check(message.data, message.length, message.sender, stamp);
  }

  // Checks the message a register call or receive returned (`result`),
  // read into `bytes`; its stamp.
  static int64_t TakeRegisters(const user::RegisterIpcResult& result, uint8_t* bytes,
                               Stamp& stamp) {
    if (result.length > static_cast<int64_t>(abi::kMaxRegisterIpc)) return kCorrupt;
    user::ReadMessageRegisters(bytes, static_cast<size_t>(result.length));
    return Check(bytes, static_cast<size_t>(result.length), result.sender, stamp);
  }

  int64_t Call(uint64_t operation) {
    const Stamp request = Request();
    PutMessage(out_, Length(abi::kMaxIpcData), request, 0);
    const uint64_t reply_at = Buffer(in_);
    const uint64_t deadline = Deadline();
    const uint64_t request_at = SendBuffer(out_);
    const int64_t result = user::IpcCall(Token(kEndpointToken), request_at, reply_at, deadline);
    // An answer written elsewhere (shared memory mapped where a bad buffer
    // points) cannot be checked.
    if (result != 0 || reply_at != in_) return Result(operation, result);
    Stamp answer;
    uint64_t handle = 0;
    if (const int64_t failed = TakeMessage(answer, handle)) return failed;
    return Answers(answer, request);
  }

  int64_t CallRegisters(uint64_t operation) {
    const Stamp request = Request();
    uint8_t bytes[abi::kMaxRegisterIpc];
    const uint32_t length = Length(abi::kMaxRegisterIpc);
    Fill(bytes, length, request);
    user::WriteMessageRegisters(bytes, length);
    const uint64_t deadline = Deadline();
    const user::RegisterIpcResult result =
        user::IpcCallRegs(Token(kEndpointToken), length, deadline);
    if (result.length < 0) return Result(operation, result.length);
    Stamp answer;
    if (const int64_t failed = TakeRegisters(result, bytes, answer)) return failed;
    return Answers(answer, request);
  }

  int64_t Send(uint64_t operation) {
    PutMessage(out_, Length(abi::kMaxIpcData), Request(), 0);
    const uint64_t deadline = Deadline();
    const uint64_t message_at = SendBuffer(out_);
    return Result(operation, user::IpcSend(Token(kEndpointToken), message_at, deadline));
  }

  // Receives (or answers the last call and receives) a few times; leaves a
  // call unanswered now and then, and answers with a made-up handle too.
  int64_t Serve(uint64_t operation) {
    const uint64_t endpoint = Token(kEndpointToken);
    uint64_t in_at = Buffer(in_);
    int64_t result = user::IpcReceive(endpoint, in_at, Deadline());
    for (int round = 0; round < 3 && result == 0 && in_at == in_; ++round) {
      Stamp request;
      uint64_t handle = 0;
      if (const int64_t failed = TakeMessage(request, handle)) return failed;
      if (handle == 0 || random_.OneIn(6)) return 0;
      if (random_.OneIn(10)) handle = random_.Next();
      PutMessage(out_, request.magic == 0 ? 0 : Length(abi::kMaxIpcData), AnswerTo(request),
                 handle);
      in_at = Buffer(in_);
      const uint64_t deadline = Deadline();
      result = user::IpcReplyWait(endpoint, SendBuffer(out_), in_at, deadline);
    }
    return Result(operation, result);
  }

  int64_t ServeRegisters(uint64_t operation) {
    const uint64_t endpoint = Token(kEndpointToken);
    user::RegisterIpcResult in = user::IpcReplyWaitRegs(endpoint, 0, 0, Deadline());
    uint8_t bytes[abi::kMaxRegisterIpc];
    for (int round = 0; round < 3 && in.length >= 0; ++round) {
      Stamp request;
      if (const int64_t failed = TakeRegisters(in, bytes, request)) return failed;
      if (in.reply_handle == 0 || random_.OneIn(6)) return 0;
      const uint32_t length = request.magic == 0 ? 0 : Length(abi::kMaxRegisterIpc);
      Fill(bytes, length, AnswerTo(request));
      user::WriteMessageRegisters(bytes, length);
      const uint64_t handle = random_.OneIn(10) ? random_.Next() : in.reply_handle;
      in = user::IpcReplyWaitRegs(endpoint, handle, length, Deadline());
    }
    return Result(operation, in.length);
  }

  // --- Channels.
  int64_t ChannelSend(uint64_t operation) {
    uint8_t bytes[abi::kMaxChannelMessage + 8];
    const uint32_t length = random_.OneIn(16) ? abi::kMaxChannelMessage + 8
                                              : Length(abi::kMaxChannelMessage);
    Fill(bytes, length, NewStamp(kChannel));
    Put(out_, bytes, length);
    const uint64_t deadline = Deadline();
    const uint64_t message_at = SendBuffer(out_);
    return Result(operation,
                  user::ChannelSend(Token(kChannelToken), message_at, length, deadline));
  }

  int64_t ChannelReceive(uint64_t operation) {
    const uint64_t in_at = Buffer(in_);
    const uint64_t sender_at = Buffer(aux_);
    const uint64_t deadline = Deadline();
    const int64_t length = user::ChannelReceive(Token(kChannelToken), in_at,
                                                abi::kMaxChannelMessage, deadline, sender_at);
    if (length < 0 || in_at != in_) return Result(operation, length);
    if (length > static_cast<int64_t>(abi::kMaxChannelMessage)) return kCorrupt;
    uint8_t bytes[abi::kMaxChannelMessage];
    user::Load(in_, bytes, static_cast<size_t>(length));
    Stamp stamp;
    // Without the kernel's stamp (written nowhere or elsewhere), the bytes
    // alone: their own claim of a sender stands in for it.
    const uint64_t sender =
        sender_at == aux_ ? Get64(aux_)
                          : (length >= static_cast<int64_t>(sizeof(Stamp))
                                 ? Get64(in_ + offsetof(Stamp, pid))
                                 : 0);
    return Check(bytes, static_cast<size_t>(length), sender, stamp);
  }

  // --- Capabilities.
  // Rights only ever shrink: a derived capability has exactly what was
  // asked, which its parent held.
  int64_t Derive(uint64_t operation) {
    const uint64_t parent = Token();
    const uint64_t wanted = Rights();
    const int64_t inspected = user::CapInspect(parent, aux_);
    const uint64_t held = RightsAt(aux_);
    const int64_t child = user::CapDerive(parent, wanted);
    if (child <= 0) return Result(operation, child);
    Add(static_cast<uint64_t>(child));
    const int64_t child_inspected = user::CapInspect(static_cast<uint64_t>(child), aux_);
    // Another worker may hold an ancestor and have revoked it since.
    if (child_inspected == Code(vos::Status::kBadHandle)) return 0;
    if (child_inspected != 0 || RightsAt(aux_) != wanted) return kEscalated;
    // The parent's rights, if it was still there to inspect.
    if (inspected == 0 && ((wanted & ~held) != 0 || (held & abi::kRightDerive) == 0)) {
      return kEscalated;
    }
    return 0;
  }

  // The type of the object `token` names (0: none, as far as it can tell).
  int64_t TypeOf(uint64_t token) const {
    if (user::CapInspect(token, aux_) != 0) return 0;
    return static_cast<int64_t>(InfoAt(aux_).type);
  }

  static uint64_t RightsAt(uint64_t at) { return InfoAt(at).rights; }

  // What cap_inspect wrote at `at`.
  static abi::CapabilityInfo InfoAt(uint64_t at) {
    abi::CapabilityInfo info{};
    user::Load(at, &info, sizeof(info));
    return info;
  }

  int64_t DeleteOrRevoke(uint64_t operation) {
    if (pool_size_ <= kSharedTokens || random_.OneIn(3)) {
      return Result(operation, user::CapRevoke(Token()));
    }
    const uint64_t at = OwnIndex(pool_size_);
    stale_ = pool_[at];
    pool_[at] = pool_[--pool_size_];
    return Result(operation, user::CapDelete(stale_));
  }

  // --- The registry: a few names everyone fights over.
  // One of the names, in user memory at aux_ + 64; its length (now and
  // then too long).
  uint64_t Name(uint64_t& length) {
    const char name[3] = {'f', 'z', static_cast<char>('0' + random_.Below(4))};
    length = random_.OneIn(16) ? abi::kMaxServiceName + 1 : 3;
    return Put(aux_ + 64, name, sizeof(name));
  }

  int64_t Registry(uint64_t operation) {
    uint64_t length = 0;
    const uint64_t at = Name(length);
    switch (random_.Below(3)) {
      case 0: {
        const uint64_t rights = Rights();
        return Result(operation, user::RegistryRegister(Token(), at, length, rights));
      }
      case 1: return Result(operation, user::RegistryUnregister(at, length));
      default: {
        const int64_t token = user::RegistryLookup(at, length, Rights());
        if (token > 0) Add(static_cast<uint64_t>(token));
        return Result(operation, token);
      }
    }
  }

  // --- Objects of its own, which it may pass on in messages: made, and
  // closed (channels) or dropped with their last capability (endpoints
  // close when the last holder of the receive right goes).
  int64_t CreateOrClose(uint64_t operation) {
    if (pool_size_ > kSharedTokens && random_.OneIn(3)) {
      // Never a shared object's token: the others need it open.
      const uint64_t token = pool_[OwnIndex(pool_size_)];
      return Result(operation, user::ChannelClose(token));
    }
    int64_t token;
    switch (random_.Below(3)) {
      case 0: token = user::EndpointCreate(); break;
      case 1: token = user::ChannelCreate(); break;
      default: token = user::ShmCreate(1 + random_.Below(2)); break;
    }
    if (token > 0) Add(static_cast<uint64_t>(token));
    return Result(operation, token);
  }

  // --- Shared memory: map, touch what the mapping allows, unmap.
  int64_t SharedMemory(uint64_t operation) {
    if (mapped_ > 0 && random_.OneIn(2)) {
      const uint64_t at = mappings_[--mapped_];
      return Result(operation, user::ShmUnmap(random_.OneIn(8) ? at + 8 : at));
    }
    const bool writable = random_.OneIn(2);
    // Anywhere, or where it cannot go: over the data region, unaligned, in
    // the kernel (never SendBuffer's unmapped page, which must stay so).
    static constexpr uint64_t kNowhere[] = {abi::kUserDataBase, abi::kUserDataBase + 8,
                                            kKernelAddress};
    const uint64_t where = random_.OneIn(8) ? kNowhere[random_.Below(3)] : 0;
    const int64_t address = user::ShmMap(Token(kMemoryToken), where, writable);
    if (address <= 0) return Result(operation, address);
    if (mapped_ == kMaxMappings) return kBadStatus + static_cast<int64_t>(operation);
    mappings_[mapped_++] = static_cast<uint64_t>(address);
    if (writable) Set64(static_cast<uint64_t>(address), sequence_);
    (void)Get64(static_cast<uint64_t>(address) + 8);
    return 0;
  }

  // With the registry's admin right (when the parent has it to share), or
  // another token: only the admin right removes someone else's name.
  int64_t ForceUnregister(uint64_t operation) {
    uint64_t length = 0;
    const uint64_t at = Name(length);
    return Result(operation, user::RegistryForceUnregister(Token(kRegistryToken), at, length));
  }

  // --- Synchronisation objects: made (passed on like any other), locked
  // and released with deadlines. Barriers have one party: barrier_wait has
  // no deadline, so a wider one could wait for good.
  int64_t Sync(uint64_t operation) {
    if (random_.OneIn(4)) {
      int64_t token;
      switch (random_.Below(4)) {
        case 0: token = user::MutexCreate(); break;
        case 1: token = user::RwLockCreate(); break;
        case 2: {
          const bool too_many = random_.OneIn(8);
          const uint64_t initial = too_many ? abi::kMaxSemaphoreUnits + 1 : random_.Below(3);
          token = user::SemaphoreCreate(initial);
          break;
        }
        default: {
          static constexpr uint64_t kParties[] = {1, 1, 0, abi::kMaxBarrierParties + 1};
          token = user::BarrierCreate(kParties[random_.Below(4)]);
          break;
        }
      }
      KeepMade(kMadeSync, token);
      return Result(operation, token);
    }
    const uint64_t token = MadeToken(kMadeSync);
    // Mostly what the token's type takes (so that locks are taken), else
    // anything.
    static constexpr uint64_t kFirstOperation[] = {0, 2, 4, 6};
    const int64_t type = TypeOf(token) - static_cast<int64_t>(abi::ObjectType::kMutex);
    const bool typed = type >= 0 && type < 4 && !random_.OneIn(4);
    const uint64_t choice =
        typed ? kFirstOperation[type] + random_.Below(type < 3 ? 2 : 1) : random_.Below(7);
    switch (choice) {
      case 0: {
        const uint64_t deadline = Deadline();
        return Locked(operation, token, user::MutexLock(token, deadline), &user::MutexUnlock);
      }
      case 1: return Result(operation, user::MutexUnlock(token));
      case 2: {
        const uint64_t mode = random_.OneIn(8) ? 2 : random_.Below(2);  // 2: no such mode.
        const uint64_t deadline = Deadline();
        return Locked(operation, token, user::RwLockLock(token, mode, deadline),
                      &user::RwLockUnlock);
      }
      case 3: return Result(operation, user::RwLockUnlock(token));
      case 4: return Result(operation, user::SemaphoreDown(token, Deadline()));
      case 5: {
        const uint64_t units = random_.OneIn(8) ? 0 : 1 + random_.Below(2);  // 0: too few.
        return Result(operation, user::SemaphoreUp(token, units));
      }
      default: return Result(operation, user::BarrierWait(token));
    }
  }

  // After a lock call's `result`: a lock this thread took is its own to
  // release, now (half the time) or in a later step (or when it exits). The
  // release may only fail if someone revoked the token's ancestor since.
  int64_t Locked(uint64_t operation, uint64_t token, int64_t result,
                 int64_t (*unlock)(uint64_t)) {
    if (result != 0 || random_.OneIn(2)) return Result(operation, result);
    const int64_t released = unlock(token);
    return released == 0 || released == Code(vos::Status::kBadHandle) ? 0 : kLockLost;
  }

  // --- Threads of its own, short-lived, made, joined and asked about. At
  // most kMaxLive made and not yet joined per fuzzing thread.
  static constexpr int64_t kMaxLive = 2;

  // Takes what `lock` names if it can (as a mutex, or an rw lock to read),
  // yields a few times and leaves still holding it: the kernel must let it
  // go at the thread's exit.
  static int64_t Helper(uint64_t lock) {
    if (lock != 0) {
      const uint64_t deadline = static_cast<uint64_t>(user::GetTime()) + 5'000;
      if (user::MutexLock(lock, deadline) != 0) {
        (void)user::RwLockLock(lock, abi::kRwLockRead, deadline);
      }
    }
    for (uint64_t i = 0; i < 3; ++i) (void)user::Yield();
    return 0;
  }

  int64_t Threads(uint64_t operation) {
    const uint64_t roll = random_.Below(3);
    if (roll == 0 && live_threads_ < kMaxLive) {
      const uint64_t lock = random_.OneIn(2) ? MadeToken(kMadeSync) : 0;
      const int64_t token = user::ThreadCreate(&user::ThreadEntry<Helper>, lock);
      if (KeepMade(kMadeThread, token)) ++live_threads_;
      return Result(operation, token);
    }
    if (roll == 1) {
      const int64_t joined = user::ThreadJoin(MadeToken(kMadeThread));
      if (joined == 0) --live_threads_;
      return Result(operation, joined);
    }
    const uint64_t thread = random_.OneIn(8) ? 0 : MadeToken(kMadeThread);
    return Result(operation, user::ThreadInfo(thread, Buffer(aux_)));
  }

  // --- Child processes of its own, short-lived (at most kMaxLive spawned
  // and not yet reaped per fuzzing thread), waited for, killed and asked
  // about; their tokens travel like any other.
  int64_t Processes(uint64_t operation) {
    const uint64_t roll = random_.Below(4);
    if (roll == 0 && live_children_ < kMaxLive) return Spawn(operation);
    if (roll == 1) {
      const uint64_t child = random_.OneIn(3) ? abi::kAnyChild : MadeToken(kMadeChild);
      const uint64_t flags = random_.OneIn(8) ? 2 : random_.Below(2);  // 2: no such flag.
      const uint64_t status_at = Buffer(aux_);
      const int64_t reaped = user::Wait(child, status_at, flags);
      if (reaped > 0) --live_children_;
      return Result(operation, reaped);
    }
    if (roll == 2) {
      const uint64_t token = MadeToken(kMadeChild);
      // Token 0 would be this process.
      return token == 0 ? 0 : Result(operation, user::Kill(token, 99));
    }
    const uint64_t process = random_.OneIn(8) ? 0 : MadeToken(kMadeChild);
    return Result(operation, user::ProcessInfo(process, Buffer(aux_)));
  }

  // Spawns nop, exit_with or sleeper (a few microseconds), or a program
  // that is not in the catalog, staged in this thread's aux buffer; now and
  // then granting it copies of tokens (any: bad ones fail the spawn), or
  // too many of them, or from where the kernel cannot read.
  int64_t Spawn(uint64_t operation) {
    static constexpr const char* kPrograms[] = {"nop", "exit_with", "sleeper", "no_such"};
    const char* name = kPrograms[random_.Below(4)];
    const uint64_t name_size = std::strlen(name);
    const uint64_t argument = random_.Below(20'000);
    const uint64_t name_at = Put(aux_ + 128, name, name_size);
    const uint64_t args_at = Put(aux_ + 160, &argument, sizeof(argument));
    uint64_t grants = 0;
    uint64_t grant_count = 0;
    if (random_.OneIn(3)) {
      grant_count = random_.OneIn(16) ? abi::kMaxSpawnGrants + 1 : 1 + random_.Below(2);
      for (uint64_t i = 0; i < std::min<uint64_t>(grant_count, 2); ++i) {
        Set64(aux_ + 192 + i * 8, Token());
      }
      grants = SendBuffer(aux_ + 192);
    }
    const int64_t child =
        user::Spawn(name_at, name_size, args_at, sizeof(argument), grants, grant_count);
    if (KeepMade(kMadeChild, child)) ++live_children_;
    return Result(operation, child);
  }

  // --- The rest of the syscalls, so that every number is used: a short
  // sleep, console writes from where the kernel cannot read (a readable one
  // would print noise), channel statistics and capability inspection into
  // random buffers, shared memory placed on a random (perhaps no) CPU, and
  // numbers past the last syscall.
  int64_t Misc(uint64_t operation) {
    switch (random_.Below(6)) {
      case 0: return Result(operation, user::Sleep(random_.Below(2'000)));
      case 1: {
        const bool too_long = random_.OneIn(4);
        const uint64_t size = too_long ? abi::kMaxDebugWrite + 1 : 1 + random_.Below(8);
        const uint64_t at = too_long ? aux_ : SendBuffer(0);  // SendBuffer(0): never readable.
        return Result(operation, user::DebugWrite(at, size));
      }
      case 2: return Result(operation, user::ChannelStats(Token(kChannelToken), Buffer(aux_)));
      case 3: return Result(operation, user::CapInspect(Token(), Buffer(aux_)));
      case 4: {
        const uint64_t cpu_hint = random_.Below(8);  // 0: anywhere; past the CPUs: refused.
        const int64_t token = user::ShmCreate(1, cpu_hint);
        if (token > 0) Add(static_cast<uint64_t>(token));
        return Result(operation, token);
      }
      default: {
        const uint64_t number = static_cast<uint64_t>(abi::Syscall::kCount) + random_.Below(3);
        return Result(operation, user::Syscall(static_cast<abi::Syscall>(number), Token()));
      }
    }
  }

  static constexpr uint64_t kMaxMappings = abi::kMaxSharedMappings;

  Random random_;
  uint64_t index_;
  uint64_t pid_;
  uint64_t sequence_ = 0;
  uint64_t pool_[kPoolSize] = {};
  uint64_t pool_size_ = 0;
  uint64_t stale_ = 0;
  uint64_t mappings_[kMaxMappings] = {};
  uint64_t mapped_ = 0;
  // Threads made and children spawned, less those this thread joined or
  // reaped (some of them may be another thread's).
  int64_t live_threads_ = 0;
  int64_t live_children_ = 0;
  uint64_t made_[kMadeKinds] = {};
  uint64_t last_operation_ = 0;
  // This thread's buffers in user memory.
  const uint64_t out_;
  const uint64_t in_;
  const uint64_t aux_;
};

// Thread `thread` of this worker process: runs its steps, records its
// failed check (0: none) in the process's shared words; the check, too.
int64_t RunThread(uint64_t thread) {
  const uint64_t index = Get64(kArgsAt);
  const uint64_t steps = Get64(kArgsAt + 8);
  uint64_t shared[kGrants];
  for (uint64_t i = 0; i < kGrants; ++i) shared[i] = Get64(kGrantsAt + i * 8);
  abi::ProcessInfo info{};
  const uint64_t scratch = kThreadBuffers + thread * kThreadSpan;
  user::ProcessInfo(0, scratch);
  user::Load(scratch, &info, sizeof(info));
  Worker worker(index, thread, Get64(kArgsAt + 16), shared, info.pid);
  for (uint64_t step = 0; step < steps; ++step) {
    if (const int64_t failed = worker.Step()) {
      // Only on failure, so a passing run's schedule is the same without it.
      char line[160];
      const size_t length = std::min(
          vos::Format(line, sizeof(line),
                      "ipc_fuzz_worker %lu thread %lu: check %ld failed at step %lu (%s)\n", index,
                      thread, failed, step, worker.LastOperationName()),
          sizeof(line) - 1);
      user::DebugWrite(Put(scratch, line, length), length);
      Set64(kFailedAt + thread * 8, static_cast<uint64_t>(failed));
      return failed;
    }
  }
  return 0;
}

// --- ipc_fuzz_worker index steps seed threads, then the endpoint, channel,
// shared memory and (if it had it) registry admin capability its parent
// granted: `threads` threads fuzzing at once in one capability space;
// exits with the first failed check.
int64_t FuzzWorker(Args args) {
  const uint64_t threads = Arg(args, 3);
  if (threads == 0 || threads > kMaxThreads) return kBadArguments;
  // index, steps, seed, then the granted tokens (the registry's may be
  // missing: 0).
  uint64_t values[3 + kGrants];
  for (uint64_t i = 0; i < 3 + kGrants; ++i) values[i] = Arg(args, i < 3 ? i : i + 1);
  Put(kArgsAt, values, sizeof(values));
  uint64_t tokens[kMaxThreads] = {};
  for (uint64_t thread = 1; thread < threads; ++thread) {
    const int64_t token = user::ThreadCreate(&user::ThreadEntry<RunThread>, thread);
    if (token <= 0) return kNoChild;
    tokens[thread] = static_cast<uint64_t>(token);
  }
  int64_t verdict = RunThread(0);
  for (uint64_t thread = 1; thread < threads; ++thread) {
    if (user::ThreadJoin(tokens[thread]) != 0) return kNoChild;
    if (verdict == 0) verdict = static_cast<int64_t>(Get64(kFailedAt + thread * 8));
  }
  return verdict;
}

// --- ipc_fuzz workers steps seed [threads [kills [registry]]]: shares an
// endpoint, a channel, a page of shared memory and the `registry`
// capability (the sixth argument: registry_admin's grant) with `workers`
// ipc_fuzz_worker children of `threads` threads (default 1) making `steps`
// operations each. `kills` times (default 0) it kills a random worker part
// way, whatever it is doing, and starts a new one in its place.
int64_t Fuzz(Args args) {
  const uint64_t workers = Arg(args, 0);
  const uint64_t steps = Arg(args, 1);
  const uint64_t threads = std::max<uint64_t>(Arg(args, 3), 1);
  const uint64_t kills = Arg(args, 4);
  if (workers == 0 || workers + kills > kMaxWorkers || threads > kMaxThreads) {
    return kBadArguments;
  }
  const int64_t endpoint = user::EndpointCreate();
  const int64_t channel = user::ChannelCreate();
  const int64_t memory = user::ShmCreate(1);
  if (endpoint <= 0 || channel <= 0 || memory <= 0) return kNoObject;
  const uint64_t registry = Arg(args, 5);
  const uint64_t grants[kGrants] = {static_cast<uint64_t>(endpoint),
                                    static_cast<uint64_t>(channel),
                                    static_cast<uint64_t>(memory), registry};
  uint64_t seed = Arg(args, 2);
  if (seed == 0) seed = Random(grants[0] * 0x9e3779b97f4a7c15ull ^ grants[1]).Next();
  Random random(seed);
  uint64_t children[kMaxWorkers];
  bool killed[kMaxWorkers] = {};
  uint64_t started = 0;
  const auto start = [&]() -> bool {
    const uint64_t values[] = {started, steps, seed, threads};
    const int64_t child =
        SpawnGranting("ipc_fuzz_worker", values, 4, grants, registry != 0 ? kGrants : 3);
    if (child <= 0) return false;
    children[started++] = static_cast<uint64_t>(child);
    return true;
  };
  for (uint64_t i = 0; i < workers; ++i) {
    if (!start()) return kNoChild;
  }
  for (uint64_t kill = 0; kill < kills; ++kill) {
    user::Sleep(random.Below(steps * 1'000 + 1));
    const uint64_t victim = random.Below(started);
    // kNotFound once it ended by itself.
    killed[victim] |= user::Kill(children[victim], 99) == 0;
    if (!start()) return kNoChild;
  }
  int64_t verdict = 0;
  for (uint64_t i = 0; i < started; ++i) {
    const vos::Result<abi::ExitStatus> status = WaitChild(children[i], kParentAux);
    if (!status.ok()) return kChildFailed;
    const bool was_killed = killed[i] && status.value().reason == abi::ExitReason::kKilled;
    if (verdict == 0 && !was_killed) verdict = ChildVerdict(status.value());
    (void)user::CapDelete(children[i]);
  }
  for (uint64_t token : grants) (void)user::CapDelete(token);
  return verdict;
}

}  // namespace

const vos::user::Entry kIpcFuzz = &vos::user::ProgramEntry<Fuzz>;
const vos::user::Entry kIpcFuzzWorker = &vos::user::ProgramEntry<FuzzWorker>;

}  // namespace programs
