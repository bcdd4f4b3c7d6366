// ipc_channels: a kernel workload for IPC at scale. Every CPU runs a sender
// and a receiver kernel thread pinned to it and owns one asynchronous
// channel, which its receiver drains. Sender s sends its messages 0, 1, 2 ...
// round-robin to the channels of the next F CPUs (F = min(4, CPUs)), so each
// channel has F senders, all on other CPUs once there are more than 4. Small
// rings make senders and receivers sleep and wake each other.
//
// Checked as the messages arrive: each one comes from a sender that targets
// this channel, intact, and is exactly the next number that sender owes this
// receiver; at the end every stream is complete. Together: every message
// delivered exactly once, in per-sender order.
#ifndef VERIDIAN_SRC_WORKLOADS_IPC_CHANNELS_H_
#define VERIDIAN_SRC_WORKLOADS_IPC_CHANNELS_H_

#include <cstdint>

#include "src/hal/types.h"

namespace vos::workloads {

struct IpcChannelsResult {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t errors = 0;  // Misrouted, corrupt, lost, duplicated or out of order.
  hal::Nanoseconds elapsed = 0;  // Simulated, from the first send to the last join.
};

// Runs on a scheduler thread with every CPU in the scheduler: starts the
// threads on CPUs 0 .. cpus-1, joins them, checks the deliveries and prints
// a summary. Each receive gives up after `give_up` simulated ns (a lost
// message fails the run instead of hanging it). Tests of the checks only:
// with `skip_every` = N > 0 each sender skips every N-th message, as a
// channel that lost it would.
IpcChannelsResult RunIpcChannels(uint32_t cpus, uint32_t messages_per_sender,
                                 hal::Nanoseconds give_up = 1'000'000'000,
                                 uint32_t skip_every = 0);

}  // namespace vos::workloads

#endif  // VERIDIAN_SRC_WORKLOADS_IPC_CHANNELS_H_
