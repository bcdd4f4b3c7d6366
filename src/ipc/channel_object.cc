#include "src/ipc/channel_object.h"

#include <new>

#include "src/cap/heap_object.h"
#include "src/cap/rights.h"
#include "src/ipc/ipc_totals.h"

namespace vos {

ChannelObject::ChannelObject()
    : KernelObject(kType, &DeleteHeapObject<ChannelObject>,
                   HolderWatch{.rights = {rights::kChannelReceive, rights::kChannelSend},
                               .last_holder_gone = &LastHolderGone}) {}

ChannelObject::~ChannelObject() { KernelIpcTotals().AddChannel(channel_.stats()); }

Result<ObjectRef<ChannelObject>> ChannelObject::Create() {
  return NewHeapObject<ChannelObject>([](void* memory) { return new (memory) ChannelObject(); });
}

void ChannelObject::LastHolderGone(KernelObject& object) {
  static_cast<ChannelObject&>(object).channel_.Close();
}

}  // namespace vos
