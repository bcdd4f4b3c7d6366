// shm_stream: zero-copy streaming between processes. The producer (the
// parent) writes chunks into a ring of slots in a shared-memory object and
// announces each on a channel; the consumer, in another process, maps the
// object read-only (its capability has no write right), checksums each
// chunk and returns the slot as a credit on a second channel. The consumer
// also checks that it cannot get write access: a writable map is refused, a
// syscall may not write into the mapping, and a child that stores to it is
// killed by the fault. Exit codes: exit_codes.h's (kNoObject: the object or
// a channel could not be made or mapped).
#include <cstring>

#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kSlotSize = 1024;
constexpr uint64_t kMessageAt = kBuffers;
constexpr uint64_t kWaitAt = kMessageAt + 128;
constexpr uint64_t kChunkAt = kWaitAt + 64;  // A private copy of one slot.

// A chunk's bytes: a function of its number and index (never all equal).
uint8_t ChunkByte(uint64_t chunk, uint64_t index) {
  return static_cast<uint8_t>((chunk * 131 + index * 7 + (index >> 8)) ^ 0x5a);
}

// FNV-1a over a chunk, chained through `hash`.
uint64_t Checksum(uint64_t hash, const uint8_t* bytes, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}
constexpr uint64_t kChecksumStart = 0xcbf29ce484222325ull;

// Announcements: a chunk is ready in `slot`; or, with kDone, the end and
// the producer's checksum of everything.
struct Announce {
  uint64_t chunk;
  uint64_t slot;
  uint64_t checksum;  // kDone only.
};
constexpr uint64_t kDone = ~uint64_t{0};

// shm_write_probe [memory]: maps the object (read-only: its capability has
// no write right) and stores to it, which must kill it by a fault. Exits 1
// if the store went through, 2 if the map failed.
int64_t WriteProbe(Args args) {
  const uint64_t memory = Arg(args, 0);
  const int64_t address = user::ShmMap(memory, 0, false);
  if (address < 0) return kNoObject;
  Set64(static_cast<uint64_t>(address), 1);
  return kBroken;
}

// Checks that the read-only capability `memory`, mapped at `address`,
// gives no way to write.
int64_t CheckReadOnly(uint64_t memory, uint64_t address) {
  if (user::ShmMap(memory, 0, true) != Code(vos::Status::kPermissionDenied)) return kBroken;
  // The kernel writes with the caller's permissions: not into this mapping.
  if (user::ProcessInfo(0, address) != Code(vos::Status::kInvalidArgument)) return kBroken;
  // A derived capability cannot add the write right either.
  if (user::CapDerive(memory, abi::kRightRead | abi::kRightWrite |
                                  abi::kRightSharedMemoryMap) >= 0) {
    return kBroken;
  }
  const int64_t probe = SpawnGranting("shm_write_probe", nullptr, 0, &memory, 1);
  if (probe < 0) return kNoChild;
  const vos::Result<abi::ExitStatus> status = WaitChild(static_cast<uint64_t>(probe), kWaitAt);
  if (!status.ok()) return kCallFailed;
  return status.value().reason == abi::ExitReason::kFaulted ? 0 : kBroken;
}

// shm_consumer slots [memory, announcements, credits]: see the file comment.
int64_t Consumer(Args args) {
  const uint64_t slots = Arg(args, 0);
  const uint64_t memory = Arg(args, 1);
  const uint64_t announcements = Arg(args, 2);
  const uint64_t credits = Arg(args, 3);
  const int64_t base = user::ShmMap(memory, 0, false);
  if (base < 0) return kNoObject;
  if (const int64_t checked = CheckReadOnly(memory, static_cast<uint64_t>(base));
      checked != 0) {
    return checked;
  }
  uint64_t hash = kChecksumStart;
  uint8_t chunk[kSlotSize];
  for (uint64_t expected = 0;; ++expected) {
    Announce announce;
    if (ReceiveValue(announcements, kMessageAt, announce) != sizeof(announce)) {
      return kCallFailed;
    }
    if (announce.chunk == kDone) {
      if (announce.checksum != hash) return kBroken;
      break;
    }
    if (announce.chunk != expected || announce.slot >= slots) return kBroken;
    user::Load(static_cast<uint64_t>(base) + announce.slot * kSlotSize, chunk, kSlotSize);
    for (uint64_t i = 0; i < kSlotSize; ++i) {
      if (chunk[i] != ChunkByte(announce.chunk, i)) return kBroken;
    }
    hash = Checksum(hash, chunk, kSlotSize);
    if (SendValue(credits, kMessageAt, announce.slot) != 0) return kCallFailed;
  }
  return user::ShmUnmap(static_cast<uint64_t>(base)) == 0 ? 0 : kCallFailed;
}

// shm_stream pages chunks: streams `chunks` chunks of kSlotSize bytes
// through a ring in a `pages`-page object to an shm_consumer child.
int64_t Stream(Args args) {
  const uint64_t pages = Arg(args, 0);
  const uint64_t chunks = Arg(args, 1);
  // At most 64 slots: the credits outstanding always fit in a channel.
  if (pages == 0 || pages > 16 || chunks == 0) return kBadArguments;
  const uint64_t slots = pages * kPage / kSlotSize;
  const int64_t memory = user::ShmCreate(pages);
  const int64_t announcements = user::ChannelCreate();
  const int64_t credits = user::ChannelCreate();
  if (memory < 0 || announcements < 0 || credits < 0) return kNoObject;
  const int64_t base = user::ShmMap(static_cast<uint64_t>(memory), 0, true);
  if (base < 0) return kNoObject;
  // The consumer may map and read, not write.
  const int64_t read_only = user::CapDerive(
      memory, abi::kRightRead | abi::kRightGrant | abi::kRightSharedMemoryMap);
  const int64_t receive =
      user::CapDerive(announcements, abi::kRightChannelReceive | abi::kRightGrant);
  const int64_t send = user::CapDerive(credits, abi::kRightChannelSend | abi::kRightGrant);
  if (read_only < 0 || receive < 0 || send < 0) return kNoChild;
  const uint64_t grants[] = {static_cast<uint64_t>(read_only), static_cast<uint64_t>(receive),
                             static_cast<uint64_t>(send)};
  const int64_t consumer = SpawnGranting("shm_consumer", &slots, 1, grants, 3);
  if (consumer < 0) return kNoChild;
  uint64_t hash = kChecksumStart;
  uint8_t chunk[kSlotSize];
  uint64_t free_slots = slots;
  for (uint64_t n = 0; n < chunks; ++n) {
    uint64_t slot = n % slots;
    if (free_slots == 0) {  // Wait for the consumer to give one back.
      if (ReceiveValue(static_cast<uint64_t>(credits), kMessageAt, slot) != sizeof(slot) ||
          slot != n % slots) {
        return kBroken;
      }
    } else {
      --free_slots;
    }
    for (uint64_t i = 0; i < kSlotSize; ++i) chunk[i] = ChunkByte(n, i);
    user::Store(static_cast<uint64_t>(base) + slot * kSlotSize, chunk, kSlotSize);
    hash = Checksum(hash, chunk, kSlotSize);
    const Announce announce{n, slot, 0};
    if (SendValue(static_cast<uint64_t>(announcements), kMessageAt, announce) != 0) {
      return kCallFailed;
    }
  }
  const Announce done{kDone, 0, hash};
  if (SendValue(static_cast<uint64_t>(announcements), kMessageAt, done) != 0) {
    return kCallFailed;
  }
  const vos::Result<abi::ExitStatus> status = WaitChild(static_cast<uint64_t>(consumer), kWaitAt);
  if (!status.ok()) return kCallFailed;
  if (const int64_t failed = ChildVerdict(status.value()); failed != 0) return failed;
  // Unmapping twice: the second finds nothing.
  if (user::ShmUnmap(static_cast<uint64_t>(base)) != 0) return kCallFailed;
  return user::ShmUnmap(static_cast<uint64_t>(base)) == Code(vos::Status::kNotFound) ? 0
                                                                                     : kBroken;
}

}  // namespace

const vos::user::Entry kShmStream = &vos::user::ProgramEntry<Stream>;
const vos::user::Entry kShmConsumer = &vos::user::ProgramEntry<Consumer>;
const vos::user::Entry kShmWriteProbe = &vos::user::ProgramEntry<WriteProbe>;

}  // namespace programs
