#include "src/ipc/channel.h"

namespace vos {

template class AsyncChannel<kChannelCapacity>;

}  // namespace vos
