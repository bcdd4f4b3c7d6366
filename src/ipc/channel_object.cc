#include "src/ipc/channel_object.h"

#include <new>

#include "src/cap/rights.h"
#include "src/ipc/ipc_totals.h"
#include "src/mm/heap.h"

namespace vos {

ChannelObject::ChannelObject()
    : KernelObject(kType, &Destroy,
                   HolderWatch{.rights = {rights::kChannelReceive, rights::kChannelSend},
                               .last_holder_gone = &LastHolderGone}) {}

ChannelObject::~ChannelObject() { KernelIpcTotals().AddChannel(channel_.stats()); }

Result<ObjectRef<ChannelObject>> ChannelObject::Create() {
  void* memory = KernelHeap().Allocate(sizeof(ChannelObject), alignof(ChannelObject));
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<ChannelObject>::Adopt(new (memory) ChannelObject());
}

void ChannelObject::Destroy(KernelObject& object) {
  ChannelObject* self = static_cast<ChannelObject*>(&object);
  self->~ChannelObject();
  KernelHeap().Free(self);
}

void ChannelObject::LastHolderGone(KernelObject& object) {
  static_cast<ChannelObject&>(object).channel_.Close();
}

}  // namespace vos
