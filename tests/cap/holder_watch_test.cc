// Holder counts (object.h: HolderWatch): every way a capability appears or
// goes keeps an object's count of capabilities carrying each watched right,
// across spaces, and the object hears exactly once when a count falls to
// zero, never while one is left.
#include <cstdint>

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "src/cap/transfer.h"
#include "tests/cap/cap_test_support.h"

namespace vos {
namespace {

using testing_support::RunWithSource;
using testing_support::SimPageSource;

constexpr Rights kServe = TypeRight(1);  // The watched rights.
constexpr Rights kUse = TypeRight(0);
constexpr Rights kTransfer = Rights::kGrant | Rights::kDerive;

// Counts its callbacks; released never (it lives on the test's stack).
struct Watched : KernelObject {
  static constexpr ObjectType kType = ObjectType::kEndpoint;
  static void NoRelease(KernelObject&) {}
  static void Gone(KernelObject& object) { ++static_cast<Watched&>(object).gone; }

  explicit Watched(HolderWatch watch = {.rights = {kServe}, .last_holder_gone = &Gone})
      : KernelObject(kType, &NoRelease, watch) {}
  uint32_t servers() { return holders(0); }

  int gone = 0;
};

// Runs `body(object, a, b)` on a simulated CPU with a watched object and two
// capability spaces over one page source; the body destroys the spaces.
template <typename Body>
void RunWithTwoSpaces(Body body) {
  RunWithSource(1, [&body](SimPageSource& source) {
    Watched object;
    CapabilitySpace a;
    CapabilitySpace b;
    a.Init(source);
    b.Init(source);
    body(object, a, b);
  });
}

TEST(HolderWatchTest, CountsEveryCapabilityCarryingTheRightInEverySpace) {
  RunWithTwoSpaces([](Watched& object, CapabilitySpace& a, CapabilitySpace& b) {
    Result<Token> root = a.Insert(object, kServe | kUse | kTransfer);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(object.servers(), 1u);
    Result<Token> user = a.Derive(*root, kUse | kTransfer);  // Not a holder.
    Result<Token> server = a.Derive(*root, kServe | kTransfer);
    Result<Token> copied = CopyCapability(a, *server, b, kServe);
    Result<Token> copied_user = CopyCapability(a, *user, b, kUse);
    ASSERT_TRUE(user.ok() && server.ok() && copied.ok() && copied_user.ok());
    EXPECT_EQ(object.servers(), 3u);
    Result<Token> moved = MoveCapability(a, *server, b);  // Same capability, elsewhere.
    ASSERT_TRUE(moved.ok());
    EXPECT_EQ(object.servers(), 3u);

    EXPECT_EQ(a.Delete(*root), Status::kOk);
    EXPECT_EQ(b.Delete(*copied), Status::kOk);
    EXPECT_EQ(object.servers(), 1u);
    EXPECT_EQ(object.gone, 0);
    // Capabilities without the right come and go unnoticed.
    EXPECT_EQ(b.Delete(*copied_user), Status::kOk);
    EXPECT_EQ(object.gone, 0);
    EXPECT_EQ(b.Delete(*moved), Status::kOk);
    EXPECT_EQ(object.servers(), 0u);
    EXPECT_EQ(object.gone, 1);
    // `user` still names it; nothing more is heard.
    EXPECT_EQ(a.Check(*user, ObjectType::kEndpoint, kUse), Status::kOk);
    a.Destroy();
    b.Destroy();
    EXPECT_EQ(object.gone, 1);
  });
}

// Revoke keeps the revoked capability, which carries every right its
// descendants had, so a revocation alone never takes a count to zero: the
// revoker's own capability is the last holder.
TEST(HolderWatchTest, RevokedDescendantsCountDownAndTheRevokerIsTheLastHolder) {
  RunWithTwoSpaces([](Watched& object, CapabilitySpace& a, CapabilitySpace& b) {
    Result<Token> root = a.Insert(object, kServe | kTransfer);
    ASSERT_TRUE(root.ok());
    Token parent = *root;
    for (int i = 0; i < 5; ++i) {  // A chain across both spaces.
      Result<Token> child = CopyCapability(i % 2 == 0 ? a : b, parent, i % 2 == 0 ? b : a,
                                           kServe | kTransfer);
      ASSERT_TRUE(child.ok());
      parent = *child;
    }
    EXPECT_EQ(object.servers(), 6u);
    EXPECT_EQ(a.Revoke(*root), Status::kOk);
    EXPECT_EQ(object.servers(), 1u);
    EXPECT_EQ(object.gone, 0);
    EXPECT_EQ(a.Delete(*root), Status::kOk);
    EXPECT_EQ(object.gone, 1);
    a.Destroy();
    b.Destroy();
  });
}

TEST(HolderWatchTest, DestroyingTheLastHoldersSpaceCallsBackOnce) {
  RunWithTwoSpaces([](Watched& object, CapabilitySpace& a, CapabilitySpace& b) {
    Result<Token> root = a.Insert(object, kServe | kTransfer);
    ASSERT_TRUE(root.ok());
    ASSERT_TRUE(a.Derive(*root, kServe).ok());
    ASSERT_TRUE(CopyCapability(a, *root, b, kServe).ok());
    a.Destroy();  // b's copy moved up to a root: still a holder.
    EXPECT_EQ(object.servers(), 1u);
    EXPECT_EQ(object.gone, 0);
    b.Destroy();
    EXPECT_EQ(object.servers(), 0u);
    EXPECT_EQ(object.gone, 1);
  });
}

TEST(HolderWatchTest, TwoRightsAreCountedApartAndEitherMayGoFirst) {
  RunWithSource(1, [](SimPageSource& source) {
    Watched object({.rights = {kServe, kUse}, .last_holder_gone = &Watched::Gone});
    CapabilitySpace space;
    space.Init(source);
    Result<Token> root = space.Insert(object, kServe | kUse | kTransfer);
    ASSERT_TRUE(root.ok());
    Result<Token> server = space.Derive(*root, kServe);
    Result<Token> user = space.Derive(*root, kUse);
    ASSERT_TRUE(server.ok() && user.ok());
    EXPECT_EQ(object.holders(0), 2u);
    EXPECT_EQ(object.holders(1), 2u);
    EXPECT_EQ(space.Delete(*root), Status::kOk);
    EXPECT_EQ(object.gone, 0);
    EXPECT_EQ(space.Delete(*user), Status::kOk);  // The last user.
    EXPECT_EQ(object.gone, 1);
    EXPECT_EQ(object.holders(0), 1u);
    EXPECT_EQ(space.Delete(*server), Status::kOk);  // The last server.
    EXPECT_EQ(object.gone, 2);
    space.Destroy();
  });
}

// An object that watches nothing counts nothing and is never called.
TEST(HolderWatchTest, UnwatchedObjectsAreNeverCalledBack) {
  RunWithSource(1, [](SimPageSource& source) {
    Watched object(HolderWatch{});
    CapabilitySpace space;
    space.Init(source);
    Result<Token> root = space.Insert(object, kServe | kTransfer);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(object.servers(), 0u);
    EXPECT_EQ(space.Delete(*root), Status::kOk);
    EXPECT_EQ(object.gone, 0);
    space.Destroy();
  });
}

}  // namespace
}  // namespace vos
