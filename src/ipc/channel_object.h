// An asynchronous channel as a kernel object, so processes can name it by
// capability (src/syscall/channel_syscalls.cc).
//
// Who closes it. Its sleepers hold references (a syscall in progress keeps
// its object alive), so the last reference going can never be what wakes
// them: a channel closes when someone with the configure right closes it,
// or when the process that created it (its owner) dies (CloseOwnedBy, from
// the process's teardown). A receiver waiting on a channel whose senders
// died, in a channel it owns itself, is woken by its deadline only.
//
// Statistics: the channel's counters are folded into the kernel-wide
// totals (ipc_totals.h) when it is destroyed.
#ifndef VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_
#define VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_

#include <cstddef>
#include <cstdint>

#include "src/cap/object.h"
#include "src/ipc/channel.h"
#include "src/lib/status.h"

namespace vos {

class ChannelObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kChannel;
  // The owner's id: the creating process's (0: none, never closed by death).
  using OwnerId = uint64_t;

  // On the kernel heap, freed with its last reference; kNoMemory.
  static Result<ObjectRef<ChannelObject>> Create(OwnerId owner);
  // Closes every live channel `owner` created; returns how many.
  static size_t CloseOwnedBy(OwnerId owner);

  AsyncChannel<kChannelCapacity>& channel() { return channel_; }

 private:
  explicit ChannelObject(OwnerId owner);
  ~ChannelObject();
  static void Destroy(KernelObject& object);

  AsyncChannel<kChannelCapacity> channel_;
  // Channels created with an owner are on the list of owned channels
  // (channel_object.cc) for life; its lock guards the fields below.
  // owner_ is cleared once the owner's death closed the channel.
  const bool listed_;
  OwnerId owner_;
  ChannelObject* next_ = nullptr;
  ChannelObject* prev_ = nullptr;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_CHANNEL_OBJECT_H_
