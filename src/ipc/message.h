// A small IPC message: up to 64 bytes of payload, its length, and the id of
// its sender. The kernel fills in `sender`, so a receiver can trust it.
#ifndef VERIDIAN_SRC_IPC_MESSAGE_H_
#define VERIDIAN_SRC_IPC_MESSAGE_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "src/lib/status.h"

namespace vos {

struct Message {
  static constexpr size_t kMaxPayload = 64;

  // kInvalidArgument when `data` does not fit.
  static Result<Message> Make(uint64_t sender, std::span<const uint8_t> data) {
    if (data.size() > kMaxPayload) return Status::kInvalidArgument;
    Message message;
    message.sender = sender;
    message.length = static_cast<uint32_t>(data.size());
    std::copy(data.begin(), data.end(), message.payload.begin());
    return message;
  }

  std::span<const uint8_t> data() const { return {payload.data(), length}; }

  uint64_t sender = 0;
  uint32_t length = 0;
  std::array<uint8_t, kMaxPayload> payload{};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_MESSAGE_H_
