#include "src/ipc/channel_object.h"

#include <new>

#include "src/ipc/ipc_totals.h"
#include "src/lib/spinlock.h"
#include "src/lib/thread_annotations.h"
#include "src/mm/heap.h"

namespace vos {
namespace {

// Every live channel with an owner, newest first (a fixed order, so closing
// is deterministic). A destructor unlinks under the lock, so CloseOwnedBy may
// touch a channel whose last reference just went: its memory stays until
// the destructor gets the lock.
SpinLock owned_lock;
ChannelObject* owned_head VOS_GUARDED_BY(owned_lock) = nullptr;

}  // namespace

ChannelObject::ChannelObject(OwnerId owner)
    : KernelObject(kType, &Destroy), listed_(owner != 0), owner_(owner) {
  if (!listed_) return;
  IrqSpinLockGuard guard(owned_lock);
  next_ = owned_head;
  if (next_ != nullptr) next_->prev_ = this;
  owned_head = this;
}

ChannelObject::~ChannelObject() {
  if (listed_) {
    IrqSpinLockGuard guard(owned_lock);
    (prev_ != nullptr ? prev_->next_ : owned_head) = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
  }
  KernelIpcTotals().AddChannel(channel_.stats());
}

Result<ObjectRef<ChannelObject>> ChannelObject::Create(OwnerId owner) {
  void* memory = KernelHeap().Allocate(sizeof(ChannelObject), alignof(ChannelObject));
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<ChannelObject>::Adopt(new (memory) ChannelObject(owner));
}

void ChannelObject::Destroy(KernelObject& object) {
  ChannelObject* self = static_cast<ChannelObject*>(&object);
  self->~ChannelObject();
  KernelHeap().Free(self);
}

size_t ChannelObject::CloseOwnedBy(OwnerId owner) {
  if (owner == 0) return 0;
  size_t closed = 0;
  IrqSpinLockGuard guard(owned_lock);
  for (ChannelObject* c = owned_head; c != nullptr; c = c->next_) {
    if (c->owner_ != owner) continue;
    c->owner_ = 0;
    c->channel_.Close();  // Lock order: this list, then the channel's waiters.
    ++closed;
  }
  return closed;
}

}  // namespace vos
