#include "src/lib/format.h"

#include <string>

#include "gtest/gtest.h"

namespace vos {
namespace {

template <typename... Args>
std::string F(const char* format, Args... args) {
  char buffer[128];
  Format(buffer, sizeof(buffer), format, args...);
  return buffer;
}

TEST(FormatTest, Integers) {
  EXPECT_EQ(F("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
  EXPECT_EQ(F("%ld %lu", int64_t{-9223372036854775807 - 1}, uint64_t{18446744073709551615u}),
            "-9223372036854775808 18446744073709551615");
  EXPECT_EQ(F("%x %X %lx", 255u, 255u, uint64_t{0xdeadbeefcafe}), "ff FF deadbeefcafe");
  EXPECT_EQ(F("%zu", size_t{12}), "12");
}

TEST(FormatTest, WidthPaddingAndAlignment) {
  EXPECT_EQ(F("[%5d]", 42), "[   42]");
  EXPECT_EQ(F("[%05d]", -42), "[-0042]");
  EXPECT_EQ(F("[%-5d]", 42), "[42   ]");
  EXPECT_EQ(F("[%-6s]", "ab"), "[ab    ]");
  EXPECT_EQ(F("[%012lx]", uint64_t{0x1000}), "[000000001000]");
}

TEST(FormatTest, StringsCharsPointersAndPercent) {
  EXPECT_EQ(F("%s|%c|%%", "hi", 'x'), "hi|x|%");
  EXPECT_EQ(F("%s", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(F("%.3s|%.*s", "abcdef", 2, "xyz"), "abc|xy");
  EXPECT_EQ(F("%p", reinterpret_cast<void*>(0x1234)), "0x1234");
}

TEST(FormatTest, TruncatesButReportsFullLength) {
  char buffer[6];
  EXPECT_EQ(Format(buffer, sizeof(buffer), "%s", "hello world"), 11u);
  EXPECT_EQ(std::string(buffer), "hello");
}

TEST(FormatTest, UnknownConversionIsVisible) { EXPECT_EQ(F("%q"), "%q"); }

}  // namespace
}  // namespace vos
