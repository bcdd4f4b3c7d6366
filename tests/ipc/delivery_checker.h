// The invariant checker of channel contention tests: every message is
// delivered exactly once, and each consumer sees each sender's messages in
// the order they were sent. Senders number their messages 0, 1, 2, ... in
// the first four payload bytes (MakeNumbered).
#ifndef VERIDIAN_TESTS_IPC_DELIVERY_CHECKER_H_
#define VERIDIAN_TESTS_IPC_DELIVERY_CHECKER_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "src/ipc/message.h"

namespace vos::testing_ipc {

inline Message MakeNumbered(uint64_t sender, uint32_t number) {
  uint8_t bytes[sizeof(number) + 1];
  std::memcpy(bytes, &number, sizeof(number));
  bytes[sizeof(number)] = static_cast<uint8_t>(sender);  // Length 5: not just a word.
  Result<Message> message = Message::Make(sender, bytes);
  EXPECT_TRUE(message.ok());
  return *message;
}

class DeliveryChecker {
 public:
  DeliveryChecker(int senders, int per_sender, int consumers)
      : senders_(senders),
        per_sender_(per_sender),
        deliveries_(new std::atomic<int>[senders * per_sender]),
        last_(consumers, std::vector<int64_t>(senders, -1)) {
    for (int i = 0; i < senders * per_sender; ++i) deliveries_[i].store(0);
  }

  // Called by `consumer` only, for each message it received.
  void Record(int consumer, const Message& message) {
    ASSERT_EQ(message.length, 5u);
    ASSERT_LT(message.sender, static_cast<uint64_t>(senders_));
    ASSERT_EQ(message.payload[4], static_cast<uint8_t>(message.sender));
    uint32_t number;
    std::memcpy(&number, message.payload.data(), sizeof(number));
    ASSERT_LT(number, static_cast<uint32_t>(per_sender_));
    deliveries_[message.sender * per_sender_ + number].fetch_add(1);
    int64_t& last = last_[consumer][message.sender];
    EXPECT_GT(static_cast<int64_t>(number), last)
        << "consumer " << consumer << " saw sender " << message.sender << " out of order";
    last = number;
  }

  void ExpectEachDeliveredOnce() const {
    int wrong = 0;
    for (int i = 0; i < senders_ * per_sender_; ++i) {
      if (deliveries_[i].load() != 1) ++wrong;
    }
    EXPECT_EQ(wrong, 0) << "messages lost or delivered twice";
  }

 private:
  const int senders_;
  const int per_sender_;
  std::unique_ptr<std::atomic<int>[]> deliveries_;
  std::vector<std::vector<int64_t>> last_;
};

}  // namespace vos::testing_ipc

#endif  // VERIDIAN_TESTS_IPC_DELIVERY_CHECKER_H_
