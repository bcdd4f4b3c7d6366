// Capability transfer between spaces (the IPC hooks): copy with masked
// rights, move with stale source tokens, the grant right, and use after a
// revocation made in another space.
#include "src/cap/transfer.h"

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "tests/cap/cap_test_support.h"

namespace vos {
namespace {

using testing_support::RunWithSource;
using testing_support::SimPageSource;
using testing_support::TestEndpoint;

constexpr Rights kAllGeneric = Rights::kRead | Rights::kWrite | Rights::kGrant | Rights::kDerive;

struct TwoSpaces {
  explicit TwoSpaces(SimPageSource& source) {
    server.Init(source);
    client.Init(source);
  }
  CapabilitySpace server;
  CapabilitySpace client;
};

TEST(TransferTest, CopyKeepsTheSourceAndMasksRights) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TwoSpaces spaces(source);
    const Token mine = *spaces.server.Insert(endpoint, kAllGeneric | rights::kEndpointSend);
    Result<Token> theirs =
        CopyCapability(spaces.server, mine, spaces.client, Rights::kRead | rights::kEndpointSend);
    ASSERT_TRUE(theirs.ok());
    EXPECT_EQ(spaces.server.Check(mine, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
    EXPECT_EQ(spaces.client.Check(*theirs, ObjectType::kEndpoint,
                                  Rights::kRead | rights::kEndpointSend),
              Status::kOk);
    EXPECT_EQ(spaces.client.Check(*theirs, ObjectType::kEndpoint, Rights::kWrite),
              Status::kPermissionDenied);
    // The token is only meaningful in the client's space.
    EXPECT_EQ(spaces.server.Check(*theirs, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    // The client got no grant right, so it cannot pass the capability on, and
    // it cannot ask for more than it has.
    EXPECT_EQ(CopyCapability(spaces.client, *theirs, spaces.server, Rights::kRead).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(MoveCapability(spaces.client, *theirs, spaces.server).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(CopyCapability(spaces.server, mine, spaces.client, kAllGeneric | TypeRight(5))
                  .status(),
              Status::kPermissionDenied);
    EXPECT_EQ(endpoint.reference_count(), 3u);
  });
}

TEST(TransferTest, CopyWithoutRightsKeepsTheSourcesOwn) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TwoSpaces spaces(source);
    const Rights held = Rights::kRead | Rights::kGrant | rights::kEndpointSend;
    const Token mine = *spaces.server.Insert(endpoint, held);
    Result<Token> theirs = CopyCapability(spaces.server, mine, spaces.client);
    ASSERT_TRUE(theirs.ok());
    Result<CapabilitySpace::Info> info = spaces.client.Inspect(*theirs);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->rights, held);
    // A derived copy: revoking the source's descendants takes it away.
    EXPECT_EQ(spaces.server.Revoke(mine), Status::kOk);
    EXPECT_EQ(spaces.client.Check(*theirs, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    // And the grant right is still needed.
    const Token no_grant = *spaces.server.Insert(endpoint, Rights::kRead);
    EXPECT_EQ(CopyCapability(spaces.server, no_grant, spaces.client).status(),
              Status::kPermissionDenied);
  });
}

TEST(TransferTest, GrantIsNeededToTransfer) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TwoSpaces spaces(source);
    const Token no_grant = *spaces.server.Insert(endpoint, Rights::kRead | Rights::kDerive);
    EXPECT_EQ(CopyCapability(spaces.server, no_grant, spaces.client, Rights::kRead).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(MoveCapability(spaces.server, no_grant, spaces.client).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(spaces.client.size(), 0u);
  });
}

TEST(TransferTest, MoveMakesTheSourceTokenStaleAndKeepsRights) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TwoSpaces spaces(source);
    const Token mine = *spaces.server.Insert(endpoint, kAllGeneric | rights::kEndpointReceive);
    Result<Token> moved = MoveCapability(spaces.server, mine, spaces.client);
    ASSERT_TRUE(moved.ok());
    EXPECT_EQ(spaces.server.Check(mine, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(spaces.server.size(), 0u);
    EXPECT_EQ(spaces.client.Inspect(*moved)->rights, kAllGeneric | rights::kEndpointReceive);
    EXPECT_EQ(endpoint.reference_count(), 2u);  // Creator and the one capability.
    // Moving it again (back) works with the new token only.
    EXPECT_EQ(MoveCapability(spaces.server, mine, spaces.client).status(), Status::kBadHandle);
    Result<Token> back = MoveCapability(spaces.client, *moved, spaces.server);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(spaces.client.Check(*moved, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(spaces.server.Check(*back, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
  });
}

TEST(TransferTest, MovedCapabilityKeepsItsPlaceInTheDerivationTree) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TwoSpaces spaces(source);
    const Token root = *spaces.server.Insert(endpoint, kAllGeneric);
    const Token child = *spaces.server.Derive(root, kAllGeneric);
    const Token grandchild = *spaces.server.Derive(child, Rights::kRead);
    // Move the middle one away: revoking the root still reaches it, and
    // revoking it (from the client) still reaches the grandchild.
    const Token moved = *MoveCapability(spaces.server, child, spaces.client);
    ASSERT_EQ(spaces.client.Revoke(moved), Status::kOk);
    EXPECT_EQ(spaces.server.Check(grandchild, ObjectType::kNone, Rights::kNone),
              Status::kBadHandle);
    EXPECT_EQ(spaces.client.Check(moved, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
    ASSERT_EQ(spaces.server.Revoke(root), Status::kOk);
    EXPECT_EQ(spaces.client.Check(moved, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(endpoint.reference_count(), 2u);
  });
}

TEST(TransferTest, UseAfterRevokeFailsInEverySpace) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace owner;
    CapabilitySpace a;
    CapabilitySpace b;
    owner.Init(source);
    a.Init(source);
    b.Init(source);
    const Token root = *owner.Insert(endpoint, kAllGeneric);
    const Token in_a = *CopyCapability(owner, root, a, kAllGeneric);
    const Token in_b = *CopyCapability(a, in_a, b, Rights::kRead | Rights::kGrant);
    const Token back_in_owner = *CopyCapability(b, in_b, owner, Rights::kRead);
    const Token derived_in_a = *a.Derive(in_a, Rights::kWrite);
    Result<ObjectRef<TestEndpoint>> taken_before = b.Acquire<TestEndpoint>(in_b, Rights::kRead);
    ASSERT_TRUE(taken_before.ok());

    ASSERT_EQ(owner.Revoke(root), Status::kOk);
    EXPECT_EQ(a.Check(in_a, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(a.Check(derived_in_a, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(b.Check(in_b, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(owner.Check(back_in_owner, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(b.Acquire<TestEndpoint>(in_b, Rights::kRead).status(), Status::kBadHandle);
    EXPECT_EQ(a.Derive(in_a, Rights::kRead).status(), Status::kBadHandle);
    EXPECT_EQ(CopyCapability(a, in_a, b, Rights::kRead).status(), Status::kBadHandle);
    EXPECT_EQ(MoveCapability(b, in_b, a).status(), Status::kBadHandle);
    EXPECT_EQ(a.Delete(in_a), Status::kBadHandle);
    EXPECT_EQ(a.Revoke(in_a), Status::kBadHandle);
    EXPECT_EQ(a.size() + b.size(), 0u);
    EXPECT_EQ(owner.size(), 1u);
    // A reference taken before the revocation stays usable (it saw the
    // capability valid); it keeps the object alive.
    EXPECT_TRUE((*taken_before)->alive());
    EXPECT_EQ(endpoint.reference_count(), 3u);
  });
}

}  // namespace
}  // namespace vos
