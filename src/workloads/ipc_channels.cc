#include "src/workloads/ipc_channels.h"

#include <algorithm>
#include <array>
#include <new>

#include "src/hal/atomic.h"
#include "src/hal/time.h"
#include "src/ipc/channel.h"
#include "src/lib/cpu_mask.h"
#include "src/lib/print.h"
#include "src/sched/scheduler.h"

namespace vos::workloads {
namespace {

constexpr uint32_t kMaxFanIn = 4;
// Small enough that senders fill it and sleep.
using Channel = AsyncChannel<8>;

struct Payload {
  uint32_t number;
  uint32_t sender;
  uint32_t check;  // Catches a torn or mixed-up message.
};
uint32_t CheckOf(uint32_t sender, uint32_t number) {
  return (sender * 0x9e3779b1u) ^ (number * 0x85ebca6bu) ^ 0x5bd1e995u;
}

struct Receiver {
  // next[j]: the number sender (me - 1 - j) owes this channel next.
  std::array<uint32_t, kMaxFanIn> next;
  uint64_t expected = 0;
  uint64_t received = 0;
};

struct State {
  uint32_t cpus = 0;
  uint32_t fan_in = 0;
  uint32_t messages = 0;
  hal::Nanoseconds give_up = 0;
  uint32_t skip_every = 0;
  Channel* channels = nullptr;
  Receiver receivers[hal::kMaxCpus];
  hal::Atomic<uint64_t> errors;
  hal::Atomic<uint64_t> sent;
};
State state;
alignas(Channel) unsigned char channel_storage[hal::kMaxCpus][sizeof(Channel)];

void ReportError(uint32_t receiver, const char* what, uint32_t sender, uint32_t number) {
  // Only the first few: a broken run should not flood the console.
  if (state.errors.FetchAdd(1) < 8) {
    Printf("ipc_channels: receiver %u: %s (sender %u, message %u)\n", receiver, what, sender,
           number);
  }
}

void SenderMain(void* arg) {
  const uint32_t me = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
  for (uint32_t n = 0; n < state.messages; ++n) {
    if (state.skip_every != 0 && n % state.skip_every == state.skip_every - 1) continue;
    const Payload payload{n, me, CheckOf(me, n)};
    uint8_t bytes[sizeof(payload)];
    __builtin_memcpy(bytes, &payload, sizeof(payload));
    Result<Message> message = Message::Make(me, bytes);
    const uint32_t target = (me + 1 + n % state.fan_in) % state.cpus;
    if (!message.ok() || !IsOk(state.channels[target].Send(*message, state.give_up))) {
      ReportError(target, "send failed", me, n);
      return;
    }
    state.sent.FetchAdd(1);
  }
}

void ReceiverMain(void* arg) {
  const uint32_t me = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
  Receiver& receiver = state.receivers[me];
  while (receiver.received < receiver.expected) {
    Message message;
    if (!IsOk(state.channels[me].Receive(message, state.give_up))) {
      ReportError(me, "receive failed or timed out", 0, 0);
      return;
    }
    ++receiver.received;
    Payload payload;
    __builtin_memcpy(&payload, message.payload.data(), sizeof(payload));
    const uint32_t sender = payload.sender;
    if (message.length != sizeof(payload) || message.sender != sender ||
        payload.check != CheckOf(sender, payload.number) || sender >= state.cpus) {
      ReportError(me, "corrupt message", sender, payload.number);
      continue;
    }
    const uint32_t offset = (me + 2 * state.cpus - 1 - sender) % state.cpus;
    if (offset >= state.fan_in || payload.number % state.fan_in != offset) {
      ReportError(me, "misrouted message", sender, payload.number);
      continue;
    }
    if (payload.number != receiver.next[offset]) {
      ReportError(me, payload.number < receiver.next[offset] ? "duplicate or reordered message"
                                                             : "lost message",
                  sender, payload.number);
    }
    receiver.next[offset] = payload.number + state.fan_in;
  }
}

// How many of one sender's messages go to the channel at `offset`.
uint32_t StreamLength(uint32_t offset) {
  return offset < state.messages ? (state.messages - offset + state.fan_in - 1) / state.fan_in
                                 : 0;
}

}  // namespace

IpcChannelsResult RunIpcChannels(uint32_t cpus, uint32_t messages_per_sender,
                                 hal::Nanoseconds give_up, uint32_t skip_every) {
  cpus = std::min<uint32_t>(std::max<uint32_t>(cpus, 1), hal::kMaxCpus);
  state.cpus = cpus;
  state.fan_in = std::min(kMaxFanIn, cpus);
  state.messages = messages_per_sender;
  state.skip_every = skip_every;
  state.errors.Store(0);
  state.sent.Store(0);
  state.channels = reinterpret_cast<Channel*>(channel_storage);
  for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
    new (&channel_storage[cpu]) Channel();
    Receiver& receiver = state.receivers[cpu];
    receiver = {};
    for (uint32_t offset = 0; offset < state.fan_in; ++offset) {
      receiver.next[offset] = offset;
      receiver.expected += StreamLength(offset);
    }
  }
  const hal::Nanoseconds start = hal::Now();
  state.give_up = start + give_up;
  ThreadId threads[2 * hal::kMaxCpus];
  uint32_t started = 0;
  for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
    for (ThreadEntry entry : {ReceiverMain, SenderMain}) {
      ThreadOptions options;
      options.name = entry == SenderMain ? "ipc sender" : "ipc receiver";
      options.affinity = CpuMask::Only(cpu);
      options.cpu = cpu;
      Result<Thread*> thread =
          Scheduler::CreateThread(entry, reinterpret_cast<void*>(uintptr_t{cpu}), options);
      if (!thread.ok()) {
        Printf("ipc_channels: cannot start a thread on cpu %u (%s)\n", cpu,
               StatusName(thread.status()));
        state.errors.FetchAdd(1);
        break;
      }
      threads[started++] = (*thread)->id();
    }
  }
  for (uint32_t i = 0; i < started; ++i) (void)Scheduler::Join(threads[i]);
  IpcChannelsResult result;
  result.elapsed = hal::Now() - start;
  result.sent = state.sent.Load();
  for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
    const Receiver& receiver = state.receivers[cpu];
    result.delivered += receiver.received;
    for (uint32_t offset = 0; offset < state.fan_in; ++offset) {
      const uint32_t complete = offset + StreamLength(offset) * state.fan_in;
      if (receiver.next[offset] != complete) {
        ReportError(cpu, "stream incomplete at", (cpu + 2 * cpus - 1 - offset) % cpus,
                    receiver.next[offset]);
      }
    }
    state.channels[cpu].~Channel();
  }
  result.errors = state.errors.Load();
  Printf("ipc_channels: %u cpus, %u senders x %u messages, fan-in %u: %lu sent, %lu delivered, "
         "%lu errors, %lu ns\n",
         cpus, cpus, messages_per_sender, state.fan_in, result.sent, result.delivered,
         result.errors, result.elapsed);
  return result;
}

}  // namespace vos::workloads
