// The syscall ABI: the contract between user programs and the kernel, shared
// by the simulator's user programs and bare-metal ones. Append only.
//
// Calling convention (hal::SyscallArgs): `number` is a Syscall value and
// args[0..5] its arguments, in the architecture's argument registers (x86_64
// rax; rdi rsi rdx r10 r8 r9 - AArch64 x8; x0..x5 - RISC-V a7; a0..a5). The
// result comes back in one register (hal::UserContext::return_value) as an
// int64_t: >= 0 is success (a value or 0), < 0 is a vos::Status
// (src/lib/status.h, whose numbering is part of this ABI).
//
// Pointers are user virtual addresses; the kernel reads and writes them only
// through the MMU with user permissions, so a bad pointer returns
// kInvalidArgument and never faults the kernel. Unknown numbers return
// kNotSupported.
//
// Capability tokens name kernel objects (processes, threads, ...): each is
// meaningful only in the capability space of the process that holds it, is
// always >= 0 as an int64_t and is never 0. A bad token fails with
// kBadHandle (forged, stale, deleted, revoked or another process's),
// kInvalidArgument (an object of the wrong type) or kPermissionDenied (a
// capability without the rights the call needs, listed as "needs").
#ifndef VERIDIAN_SRC_ABI_SYSCALL_H_
#define VERIDIAN_SRC_ABI_SYSCALL_H_

#include <cstdint>

namespace vos::abi {

enum class Syscall : uint64_t {
  // exit(code): ends the calling process (every thread) with `code`.
  kExit = 0,
  // thread_exit(code): ends the calling thread; the last one to go ends the
  // process with `code`.
  kThreadExit = 1,
  // spawn(name, name_len, args, args_len) -> token: starts catalog program
  // `name` as a child; its entry gets a copy of the `args` bytes (at most
  // kMaxArgsSize) at kUserDataBase. The token names the child with
  // kChildRights. kNotFound for an unknown program. Optional arguments
  // (grants, grant_count): the address of grant_count (at most
  // kMaxSpawnGrants) tokens of the caller's, each needing kRightGrant; the
  // child gets a capability derived from each (revoking the caller's
  // removes it), whose tokens follow the args bytes as uint64_t.
  kSpawn = 2,
  // thread_create(entry, arg) -> token: a new thread of the calling process
  // running entry(arg, 0) (a user code address); the token names it with
  // kThreadRights.
  kThreadCreate = 3,
  // wait(token or kAnyChild, status, flags) -> pid: reaps a zombie child
  // (the process the token names, needs kRightRead; or any child), writing
  // its ExitStatus to `status` unless it is 0. Blocks unless flags has
  // kWaitNoHang (then 0 when none is ready). kNotFound when no such child
  // exists (a token to a reaped process or one that is not a child).
  kWait = 4,
  // kill(token or 0 for self, code) -> 0: ends the process with
  // ExitReason::kKilled and `code`; needs kRightProcessKill. Init cannot be
  // killed (kPermissionDenied).
  kKill = 5,
  // yield() -> 0
  kYield = 6,
  // sleep(nanoseconds) -> 0: at least that much simulated/monotonic time.
  kSleep = 7,
  // process_info(token or 0 for self, out) -> 0: fills a ProcessInfo; needs
  // kRightRead. kNotFound once the process is reaped.
  kProcessInfo = 8,
  // thread_info(token or 0 for self, out) -> 0: fills a ThreadInfo; needs
  // kRightRead. kNotFound once the thread has exited.
  kThreadInfo = 9,
  // get_time() -> monotonic nanoseconds.
  kGetTime = 10,
  // thread_join(token) -> 0: waits until that thread of the calling process
  // has exited (exit codes of threads are not kept); needs kRightRead.
  // kInvalidArgument for the caller itself or another process's thread.
  kThreadJoin = 11,
  // debug_write(text, length) -> length: writes to the kernel console.
  kDebugWrite = 12,
  // cap_inspect(token, out) -> 0: fills a CapabilityInfo.
  kCapInspect = 13,
  // cap_derive(token, rights) -> token: a new capability to the same object
  // with `rights`, a subset of the source's; needs kRightDerive. Revoking
  // the source removes it.
  kCapDerive = 14,
  // cap_delete(token) -> 0: removes this capability (what was derived from
  // it stays).
  kCapDelete = 15,
  // cap_revoke(token) -> 0: removes every capability derived from this one,
  // transitively, in every process; this one stays.
  kCapRevoke = 16,
  // Numbers 17 and up: IPC.
  // endpoint_create() -> token: a new synchronous endpoint, named with
  // kEndpointRights; freed once no capability names it and no call uses it.
  // It closes (every sleeper and later call gets kPeerClosed) when the last
  // capability with kRightEndpointReceive goes, in whichever process it was
  // moved or copied to: deleted, revoked, or gone with its process's death.
  // Send-only capabilities do not keep it open.
  kEndpointCreate = 17,
  // ipc_call(token, request, reply, deadline) -> 0: sends the IpcMessage at
  // `request` and waits for the answer, written to the IpcMessage at
  // `reply`; needs kRightEndpointSend. `deadline`: monotonic ns, 0 = none
  // (kTimedOut). kPeerClosed when the endpoint closes first.
  kIpcCall = 18,
  // ipc_send(token, message, deadline) -> 0: waits until a receiver takes
  // the IpcMessage at `message`; needs kRightEndpointSend.
  kIpcSend = 19,
  // ipc_receive(token, out, deadline) -> 0: waits for a message, written to
  // the IpcMessage at `out` with its sender's pid and, for a call, the
  // reply_handle to answer it with; needs kRightEndpointReceive.
  kIpcReceive = 20,
  // ipc_reply_wait(token, reply, out, deadline) -> 0: answers the call
  // reply->reply_handle names with the IpcMessage at `reply`, then receives
  // as ipc_receive. kNotFound (nothing received) when that caller no longer
  // waits.
  kIpcReplyWait = 21,
  // Synchronisation objects (kernel mutex, rw lock, semaphore, barrier),
  // named with kSyncRights. Locks are held by the calling thread: another
  // thread's unlock is kPermissionDenied, and a thread that exits (or whose
  // process dies) holding locks releases them; at most kMaxHeldLocks at
  // once (kOutOfRange). `deadline`: monotonic ns, 0 = none (kTimedOut).
  // mutex_create() -> token: a mutex with priority inheritance.
  kMutexCreate = 22,
  // mutex_lock(token, deadline) -> 0; needs kRightWrite. kAlreadyExists if
  // the caller holds it already (it would deadlock).
  kMutexLock = 23,
  // mutex_unlock(token) -> 0: kPermissionDenied unless the caller holds it.
  kMutexUnlock = 24,
  // rwlock_create() -> token: reader preference, bounded writer waiting.
  kRwLockCreate = 25,
  // rwlock_lock(token, kRwLockRead or kRwLockWrite, deadline) -> 0; reading
  // needs kRightRead, writing kRightWrite. kAlreadyExists if held already.
  kRwLockLock = 26,
  // rwlock_unlock(token) -> 0: releases the caller's read or write hold;
  // kPermissionDenied when it has none.
  kRwLockUnlock = 27,
  // semaphore_create(initial) -> token; initial at most kMaxSemaphoreUnits.
  kSemaphoreCreate = 28,
  // semaphore_down(token, deadline) -> 0: takes a unit; needs kRightWrite.
  kSemaphoreDown = 29,
  // semaphore_up(token, units) -> 0: 1..kMaxSemaphoreUnits units, handed
  // to waiters in order; needs kRightWrite.
  kSemaphoreUp = 30,
  // barrier_create(parties) -> token: 1..kMaxBarrierParties threads a phase.
  kBarrierCreate = 31,
  // barrier_wait(token) -> 1 for the last to arrive in a phase, 0 for the
  // others; sleeps until all `parties` arrived; needs kRightWrite.
  kBarrierWait = 32,
  // Asynchronous channels: a bounded queue of messages of up to
  // kMaxChannelMessage bytes between any number of senders and receivers,
  // named with kChannelRights. Sends never wait for a receiver, only for
  // room. A channel closes on channel_close, or when the last capability
  // with kRightChannelReceive, or the last with kRightChannelSend, goes
  // (deleted, revoked, or gone with its process, wherever it was moved or
  // copied to): every sleeper wakes with kPeerClosed, sends fail with it,
  // and receives drain what is queued, then fail with it.
  // channel_create() -> token.
  kChannelCreate = 33,
  // channel_send(token, buffer, length, deadline) -> 0: queues `length`
  // (at most kMaxChannelMessage) bytes; sleeps while the channel is full,
  // until `deadline` (monotonic ns, 0 = none: kTimedOut); needs
  // kRightChannelSend. kRateLimited (at once, nothing queued) when the
  // caller is over the channel's rate limit.
  kChannelSend = 34,
  // channel_receive(token, buffer, capacity, deadline, sender) -> length:
  // takes the oldest message, writes min(length, capacity) bytes of it to
  // `buffer` and, unless `sender` is 0, the sending process's pid (set by
  // the kernel) as a uint64_t to `sender`; a result above `capacity` means
  // the rest was cut off. Sleeps while empty; needs kRightChannelReceive.
  kChannelReceive = 35,
  // channel_close(token) -> 0: closes the channel for everyone (see above);
  // needs kRightChannelConfigure.
  kChannelClose = 36,
  // channel_set_rate_limit(token, per_second, burst) -> 0: from now on each
  // sending process may send `burst` messages at once and `per_second` a
  // second on average; per_second 0 lifts the limit. kInvalidArgument
  // beyond kMaxRatePerSecond or kMaxRateBurst; needs kRightChannelConfigure.
  kChannelSetRateLimit = 37,
  // channel_stats(token, out) -> 0: copies the channel's ChannelStats
  // (src/abi/ipc.h) to `out`; needs kRightRead.
  kChannelStats = 38,
  // Shared memory: zero-copy transfers, named with kSharedMemoryRights.
  // shm_create(pages, cpu_hint) -> token: `pages` (1..kMaxSharedPages)
  // zeroed, physically contiguous pages on the NUMA node of the calling CPU
  // (cpu_hint 0) or of CPU cpu_hint - 1 (see ShmOnCpu): the receiver maps
  // the memory, so a creator that knows the receiver's CPU should pass it.
  kShmCreate = 39,
  // shm_map(token, address, writable) -> address: maps all of it at
  // `address` (page aligned; 0 = anywhere), readable, and writable when
  // `writable` is 1; never executable. Needs kRightSharedMemoryMap and
  // kRightRead, and kRightWrite to map writable (else kPermissionDenied).
  // No later call can widen a mapping's permissions, and at most
  // kMaxSharedMappings mappings per process (kOutOfRange).
  kShmMap = 40,
  // shm_unmap(address) -> 0: removes the mapping shm_map returned
  // `address` for; kNotFound when there is none.
  kShmUnmap = 41,
  // The service registry: names (1..kMaxServiceName bytes) for endpoints
  // and channels, so clients can find servers they hold no capability to.
  // registry_register(token, name, length, rights) -> 0: publishes the
  // endpoint or channel `token` names under `name`; lookups get at most
  // `rights`, which must be a subset of the capability's. Needs
  // kRightEndpointRegister or kRightChannelRegister. kAlreadyExists,
  // kOutOfRange when the registry is full. The name goes when its
  // registrant unregisters it or dies.
  kRegistryRegister = 42,
  // registry_lookup(name, length, rights) -> token: a capability with
  // `rights` (a subset of the published ones, else kPermissionDenied) to
  // the object registered as `name`; kNotFound.
  kRegistryLookup = 43,
  // registry_unregister(name, length) -> 0: only the registrant may
  // (kPermissionDenied); kNotFound. See also registry_force_unregister.
  kRegistryUnregister = 44,
  // Register IPC: small messages (up to kMaxRegisterIpc bytes) in the
  // calling thread's kMessageRegisters message registers (x86_64
  // xmm0..xmm3, two each, low quadword first; AArch64 x9..x16; RISC-V
  // s2..s9; hal::UserContext::message), both ways, so neither side's
  // memory is touched. On success the result is the received message's
  // length, the second result register (x86_64 rdi, AArch64 x1, RISC-V a1)
  // its sender's pid and the third (rsi, x2, a2) its reply handle (0 for a
  // send or a reply); the message registers hold its bytes (those past its
  // length are zero). Messages with
  // capabilities or more than kMaxRegisterIpc bytes need the IpcMessage
  // syscalls: a message longer than kMaxInlineIpc reaches a register
  // receiver empty, and capabilities stay with their sender.
  // ipc_call_regs(token, length, deadline) -> reply length: as ipc_call.
  kIpcCallRegs = 45,
  // ipc_reply_wait_regs(token, reply_handle, length, deadline) -> length:
  // answers the call `reply_handle` names with `length` bytes of the
  // message registers, then waits for the next message, as
  // ipc_reply_wait; reply_handle 0 only waits (as ipc_receive).
  kIpcReplyWaitRegs = 46,
  // registry_force_unregister(token, name, length) -> 0: removes `name`
  // whoever registered it; `token` must name the registry itself
  // (ObjectType::kRegistry, kInvalidArgument otherwise) and needs
  // kRightRegistryAdmin. The kernel hands registry capabilities (with
  // kRegistryRights) only to processes it trusts to administer it; they
  // may pass them on with spawn grants or IPC. kNotFound.
  kRegistryForceUnregister = 47,
  kCount,
};

// The pid of init, the first process: every orphan's new parent.
inline constexpr uint64_t kInitPid = (uint64_t{1} << 32) | 0;  // Slot 0, generation 1.
inline constexpr uint64_t kAnyChild = ~uint64_t{0};  // Never a token.
inline constexpr uint64_t kWaitNoHang = 1;

// Where a new process finds its arguments (entry(args, args_len)): the start
// of a private read-write region of kUserDataSize bytes that the rest of the
// program may use freely.
inline constexpr uint64_t kUserDataBase = 0x100000;
inline constexpr uint64_t kUserDataSize = 64 * 1024;
inline constexpr uint64_t kMaxArgsSize = 4096;
inline constexpr uint64_t kMaxNameSize = 64;
inline constexpr uint64_t kMaxSpawnGrants = 16;
inline constexpr uint64_t kMaxDebugWrite = 256;
// The most capabilities one process may hold (its limit may be lower).
inline constexpr uint32_t kMaxCapabilities = 1u << 23;

// Capability rights (CapabilityInfo::rights, cap_derive): bits 0..7 are
// generic, bits 8..15 mean something per object type.
inline constexpr uint64_t kRightRead = 1 << 0;
inline constexpr uint64_t kRightWrite = 1 << 1;
inline constexpr uint64_t kRightGrant = 1 << 2;   // May be transferred.
inline constexpr uint64_t kRightDerive = 1 << 3;  // cap_derive.
inline constexpr uint64_t kRightProcessCreateThread = 1 << 8;
inline constexpr uint64_t kRightProcessKill = 1 << 9;
inline constexpr uint64_t kAllRights = 0xffff;
// What spawn's and thread_create's tokens carry.
inline constexpr uint64_t kChildRights = kRightRead | kRightWrite | kRightGrant | kRightDerive |
                                         kRightProcessCreateThread | kRightProcessKill;
inline constexpr uint64_t kThreadRights = kRightRead | kRightWrite | kRightGrant | kRightDerive;
inline constexpr uint64_t kRightEndpointSend = 1 << 8;
inline constexpr uint64_t kRightEndpointReceive = 1 << 9;
inline constexpr uint64_t kRightEndpointRegister = 1 << 10;  // registry_register.
inline constexpr uint64_t kEndpointRights = kRightEndpointSend | kRightEndpointReceive |
                                            kRightEndpointRegister | kRightGrant | kRightDerive;
// Synchronisation objects (mutex_create ...).
inline constexpr uint64_t kSyncRights = kRightRead | kRightWrite | kRightGrant | kRightDerive;
inline constexpr uint64_t kRwLockRead = 0;
inline constexpr uint64_t kRwLockWrite = 1;
inline constexpr uint64_t kMaxHeldLocks = 16;
inline constexpr uint64_t kMaxSemaphoreUnits = uint64_t{1} << 32;
inline constexpr uint64_t kMaxBarrierParties = 4096;
// Channels (channel_create ...).
inline constexpr uint64_t kRightChannelSend = 1 << 8;
inline constexpr uint64_t kRightChannelReceive = 1 << 9;
inline constexpr uint64_t kRightChannelConfigure = 1 << 10;  // Close, rate limit.
inline constexpr uint64_t kRightChannelRegister = 1 << 11;   // registry_register.
inline constexpr uint64_t kChannelRights = kRightRead | kRightGrant | kRightDerive |
                                           kRightChannelSend | kRightChannelReceive |
                                           kRightChannelConfigure | kRightChannelRegister;
inline constexpr uint64_t kMaxChannelMessage = 64;
inline constexpr uint64_t kChannelCapacity = 64;  // Messages queued at most.
inline constexpr uint64_t kMaxRatePerSecond = 1'000'000'000;
inline constexpr uint64_t kMaxRateBurst = 1 << 20;
// Shared memory (shm_create ...).
inline constexpr uint64_t kRightSharedMemoryMap = 1 << 8;
inline constexpr uint64_t kSharedMemoryRights =
    kRightRead | kRightWrite | kRightGrant | kRightDerive | kRightSharedMemoryMap;
inline constexpr uint64_t kMaxSharedPages = 65536;
inline constexpr uint64_t kMaxSharedMappings = 16;
constexpr uint64_t ShmOnCpu(uint64_t cpu) { return cpu + 1; }  // shm_create's cpu_hint.
// The registry (registry_register ...).
inline constexpr uint64_t kMaxServiceName = 64;
inline constexpr uint64_t kRightRegistryAdmin = 1 << 8;  // registry_force_unregister.
inline constexpr uint64_t kRegistryRights =
    kRightRead | kRightGrant | kRightDerive | kRightRegistryAdmin;

// An IPC message in user memory (ipc_*). The kernel reads the header and
// `length` bytes of data, and writes the same. Messages up to
// kMaxInlineIpc bytes take the fast path; longer ones (up to kMaxIpcData;
// more is kInvalidArgument) are copied through a kernel buffer.
//
// Up to kMaxIpcCaps capabilities ride along: `caps` holds the sender's
// tokens (each needs kRightGrant, else the call fails before sending), and
// the receiver finds there its own tokens for them: copies with the same
// rights, derived from the sender's (so revoking those removes them), or,
// with kIpcMoveCaps, the capabilities themselves, gone from the sender. A
// capability revoked before delivery arrives as 0.
inline constexpr uint32_t kMaxInlineIpc = 64;
inline constexpr uint32_t kMaxIpcData = 4096;
inline constexpr uint32_t kMaxIpcCaps = 4;
inline constexpr uint16_t kIpcMoveCaps = 1;
struct IpcMessage {
  uint64_t sender;        // Written by the kernel: the sending process's pid.
  uint64_t reply_handle;  // Written by receive (0 for a send); read by reply_wait.
  uint32_t length;
  uint16_t cap_count;
  uint16_t flags;         // kIpcMoveCaps.
  uint64_t caps[kMaxIpcCaps];
  uint8_t data[kMaxIpcData];
};
inline constexpr uint64_t kIpcHeaderSize = 56;
// The register IPC syscalls' message: kMessageRegisters 64-bit registers.
inline constexpr uint32_t kMessageRegisters = 8;
inline constexpr uint32_t kMaxRegisterIpc = kMessageRegisters * 8;

enum class ObjectType : uint32_t {
  kProcess = 1,
  kThread = 2,
  kAddressSpace = 3,
  kMemoryRegion = 4,
  kEndpoint = 5,
  kChannel = 6,
  kSharedMemory = 7,
  kInterrupt = 8,
  kMutex = 9,
  kRwLock = 10,
  kSemaphore = 11,
  kBarrier = 12,
  kRegistry = 13,
};

struct CapabilityInfo {
  ObjectType type;
  uint32_t rights;
};

enum class ExitReason : uint32_t {
  kExited = 1,   // exit / last thread_exit: `code` is the program's.
  kKilled = 2,   // kill: `code` is the killer's.
  kFaulted = 3,  // An unresolvable fault: `code` is the faulting address.
};

struct ExitStatus {
  int64_t code;
  ExitReason reason;
  uint32_t reserved;
};

enum class ProcessState : uint32_t { kRunning = 1, kExiting = 2, kZombie = 3 };

struct ProcessInfo {
  uint64_t pid;
  uint64_t parent;  // 0 for init.
  ProcessState state;
  uint32_t threads;          // Live threads.
  uint64_t threads_created;  // Over the process's life.
  uint64_t children;         // Live and zombie children.
  uint64_t syscalls;
  uint64_t page_faults;      // Faults taken in user mode (resolved or not).
  uint64_t created_at;       // Monotonic nanoseconds.
  ExitStatus exit;           // Valid once state is kZombie.
};

struct ThreadInfo {
  uint64_t tid;
  uint64_t pid;
  uint32_t state;     // vos::ThreadState of the scheduler.
  uint32_t cpu;
  uint32_t priority;  // Effective.
  uint32_t reserved;
  uint64_t switches_in;
  uint64_t preemptions;
  uint64_t run_time;  // Nanoseconds.
};

}  // namespace vos::abi

#endif  // VERIDIAN_SRC_ABI_SYSCALL_H_
