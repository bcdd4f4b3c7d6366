#include "src/lib/command_line.h"

#include "gtest/gtest.h"

namespace vos {
namespace {

TEST(CommandLineTest, FindsKeysAndLastOccurrenceWins) {
  CommandLine line("workload=smoke iterations=10 verbose workload=racy");
  EXPECT_TRUE(line.Equals("workload", "racy"));
  EXPECT_FALSE(line.Equals("workload", "smoke"));
  EXPECT_TRUE(line.Has("verbose"));
  EXPECT_FALSE(line.Has("work"));
  EXPECT_FALSE(line.Has("iterations=10"));
}

TEST(CommandLineTest, ParsesNumbersAndRejectsGarbage) {
  CommandLine line("a=123 b=12x c= d=99999999999999999999");
  EXPECT_EQ(*line.GetUint("a", 7), 123u);
  EXPECT_EQ(*line.GetUint("missing", 7), 7u);
  EXPECT_EQ(line.GetUint("b", 0).status(), Status::kInvalidArgument);
  EXPECT_EQ(line.GetUint("c", 0).status(), Status::kInvalidArgument);
  EXPECT_EQ(line.GetUint("d", 0).status(), Status::kInvalidArgument);
}

TEST(CommandLineTest, NullAndEmptyLines) {
  EXPECT_FALSE(CommandLine(nullptr).Has("x"));
  EXPECT_FALSE(CommandLine("   ").Has("x"));
}

TEST(StatusTest, NamesAndResults) {
  EXPECT_STREQ(StatusName(Status::kOk), "OK");
  EXPECT_STREQ(StatusName(Status::kRateLimited), "RATE_LIMITED");
  Result<int> good = 5;
  Result<int> bad = Status::kNoMemory;
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status(), Status::kNoMemory);
}

}  // namespace
}  // namespace vos
