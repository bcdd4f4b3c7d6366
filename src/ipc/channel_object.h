// An asynchronous channel as a kernel object, so processes can name it by
// capability (src/syscall/channel_syscalls.cc).
//
// Who closes it. Its sleepers hold references (a syscall in progress keeps
// its object alive), so the last reference going can never be what wakes
// them: a channel closes when someone with the configure right closes it,
// or when either side loses its last capability (object.h: HolderWatch):
// the last one with rights::kChannelReceive (senders would wait for room
// forever) or the last one with rights::kChannelSend (receivers drain what
// is queued, then get kPeerClosed), deleted, revoked or destroyed with its
// process, wherever it was moved or copied to. A process that holds both
// rights keeps it open itself, so a receiver waiting on a channel only it
// can send to is woken by its deadline only.
//
// Statistics: the channel's counters are folded into the kernel-wide
// totals (ipc_totals.h) when it is destroyed.
#ifndef VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_
#define VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_

#include "src/cap/object.h"
#include "src/ipc/channel.h"
#include "src/lib/status.h"

namespace vos {

class ChannelObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kChannel;

  // On the kernel heap, freed with its last reference; kNoMemory.
  static Result<ObjectRef<ChannelObject>> Create();

  AsyncChannel<kChannelCapacity>& channel() { return channel_; }

 private:
  template <typename T>
  friend void DeleteHeapObject(KernelObject& object);

  ChannelObject();
  ~ChannelObject();
  static void LastHolderGone(KernelObject& object);

  AsyncChannel<kChannelCapacity> channel_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_
