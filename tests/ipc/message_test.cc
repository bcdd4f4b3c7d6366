// Messages: payload bounds, length and sender.
#include "src/ipc/message.h"

#include <array>

#include "gtest/gtest.h"

namespace vos {
namespace {

TEST(MessageTest, CarriesPayloadLengthAndSender) {
  const std::array<uint8_t, 3> bytes = {7, 8, 9};
  Result<Message> message = Message::Make(42, bytes);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->sender, 42u);
  ASSERT_EQ(message->data().size(), 3u);
  EXPECT_EQ(message->data()[2], 9);
}

TEST(MessageTest, AcceptsExactlyTheMaximumPayload) {
  std::array<uint8_t, Message::kMaxPayload + 1> bytes{};
  EXPECT_TRUE(Message::Make(1, std::span(bytes).first(Message::kMaxPayload)).ok());
  EXPECT_EQ(Message::Make(1, bytes).status(), Status::kInvalidArgument);
  EXPECT_EQ(Message::Make(1, {}).value().length, 0u);
}

}  // namespace
}  // namespace vos
