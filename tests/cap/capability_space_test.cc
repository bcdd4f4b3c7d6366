// Capability spaces on one CPU: tokens that name nothing (forged, stale after
// slot reuse, from another space), types and rights, derivation that can
// only mask rights, delete and revoke of deep and wide derivation trees,
// object lifetimes, quotas and the destruction of a space.
#include "src/cap/capability_space.h"

#include <array>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "src/cap/transfer.h"
#include "tests/cap/cap_test_support.h"

namespace vos {
namespace {

using testing_support::RunWithSource;
using testing_support::SimPageSource;
using testing_support::TestChannel;
using testing_support::TestEndpoint;

constexpr Rights kReadWrite = Rights::kRead | Rights::kWrite;
constexpr Rights kAllGeneric = Rights::kRead | Rights::kWrite | Rights::kGrant | Rights::kDerive;

TEST(CapabilitySpaceTest, InsertedCapabilityValidatesWithItsTypeAndRights) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    Result<Token> token = space.Insert(endpoint, kReadWrite | rights::kEndpointSend);
    ASSERT_TRUE(token.ok());
    EXPECT_NE(*token, kInvalidToken);
    EXPECT_EQ(space.Check(*token, ObjectType::kEndpoint, Rights::kRead), Status::kOk);
    EXPECT_EQ(space.Check(*token, ObjectType::kEndpoint, kReadWrite | rights::kEndpointSend),
              Status::kOk);
    EXPECT_EQ(space.Check(*token, ObjectType::kNone, Rights::kWrite), Status::kOk);
    EXPECT_EQ(space.Check(*token, ObjectType::kChannel, Rights::kRead), Status::kInvalidArgument);
    EXPECT_EQ(space.Check(*token, ObjectType::kEndpoint, Rights::kGrant),
              Status::kPermissionDenied);
    EXPECT_EQ(space.Check(*token, ObjectType::kEndpoint, rights::kEndpointReceive),
              Status::kPermissionDenied);
    Result<CapabilitySpace::Info> info = space.Inspect(*token);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->type, ObjectType::kEndpoint);
    EXPECT_EQ(info->rights, kReadWrite | rights::kEndpointSend);

    Result<ObjectRef<TestEndpoint>> ref = space.Acquire<TestEndpoint>(*token, Rights::kRead);
    ASSERT_TRUE(ref.ok());
    EXPECT_EQ(ref->get(), &endpoint);
    EXPECT_EQ(space.Acquire<TestChannel>(*token, Rights::kRead).status(),
              Status::kInvalidArgument);
    EXPECT_EQ(endpoint.reference_count(), 3u);  // Creator, capability, ref.
    space.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 2u);
  });
}

TEST(CapabilitySpaceTest, RandomTokensAreRejected) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    std::set<uint64_t> live;
    for (int i = 0; i < 3000; ++i) {
      Result<Token> token = space.Insert(endpoint, kAllGeneric);
      ASSERT_TRUE(token.ok());
      live.insert(static_cast<uint64_t>(*token));
    }
    std::mt19937_64 random(42);
    int accepted = 0;
    for (int i = 0; i < 200000; ++i) {
      uint64_t guess = random();
      // Half the guesses aim at live slot indices with this space's tag: only
      // the 32-bit generation is left to guess.
      if (i % 2 == 0) {
        guess = static_cast<uint64_t>(token::Make(static_cast<uint32_t>(guess % 3000),
                                                  static_cast<uint32_t>(guess >> 32), space.tag()));
      }
      if (live.count(guess) != 0) continue;
      if (space.Check(Token{guess}, ObjectType::kNone, Rights::kNone) == Status::kOk) ++accepted;
      if (space.Inspect(Token{guess}).ok()) ++accepted;
      if (space.AcquireObject(Token{guess}, ObjectType::kNone, Rights::kNone).ok()) ++accepted;
    }
    EXPECT_EQ(accepted, 0);
    EXPECT_EQ(space.Check(kInvalidToken, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    // Live tokens with any bit flipped name nothing either.
    int flipped_accepted = 0;
    for (uint64_t token : live) {
      for (int bit = 0; bit < 64; ++bit) {
        const uint64_t flipped = token ^ (uint64_t{1} << bit);
        if (live.count(flipped) == 0 &&
            space.Check(Token{flipped}, ObjectType::kNone, Rights::kNone) == Status::kOk) {
          ++flipped_accepted;
        }
      }
    }
    EXPECT_EQ(flipped_accepted, 0);
  });
}

TEST(CapabilitySpaceTest, StaleTokensFailAfterTheSlotIsReused) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TestChannel channel;
    CapabilitySpace space;
    space.Init(source);
    Result<Token> first = space.Insert(endpoint, kAllGeneric);
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(space.Delete(*first), Status::kOk);
    EXPECT_EQ(space.Check(*first, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(space.Delete(*first), Status::kBadHandle);
    // The freed slot is reused for another object: same index, new generation.
    std::vector<Token> stale = {*first};
    for (int round = 0; round < 100; ++round) {
      Result<Token> next = space.Insert(channel, Rights::kRead);
      ASSERT_TRUE(next.ok());
      EXPECT_EQ(token::Index(*next), token::Index(*first));
      EXPECT_NE(*next, stale.back());
      for (Token old : stale) {
        EXPECT_EQ(space.Check(old, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
        EXPECT_FALSE(space.AcquireObject(old, ObjectType::kNone, Rights::kNone).ok());
      }
      EXPECT_EQ(space.Check(*next, ObjectType::kChannel, Rights::kRead), Status::kOk);
      ASSERT_EQ(space.Delete(*next), Status::kOk);
      stale.push_back(*next);
    }
    space.Destroy();
    EXPECT_EQ(channel.reference_count(), 1u);
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

TEST(CapabilitySpaceTest, TokensFromAnotherSpaceAreRejected) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace a;
    CapabilitySpace b;
    a.Init(source);
    b.Init(source);
    EXPECT_NE(a.tag(), b.tag());
    std::vector<Token> a_tokens;
    std::vector<Token> b_tokens;
    for (int i = 0; i < 500; ++i) {
      a_tokens.push_back(*a.Insert(endpoint, kAllGeneric));
      b_tokens.push_back(*b.Insert(endpoint, kAllGeneric));
    }
    for (int i = 0; i < 500; ++i) {
      // Same slot index, same object, same rights: still nothing in `b`.
      ASSERT_EQ(token::Index(a_tokens[i]), token::Index(b_tokens[i]));
      EXPECT_EQ(b.Check(a_tokens[i], ObjectType::kNone, Rights::kNone), Status::kBadHandle);
      EXPECT_EQ(a.Check(b_tokens[i], ObjectType::kNone, Rights::kNone), Status::kBadHandle);
      EXPECT_EQ(b.Delete(a_tokens[i]), Status::kBadHandle);
      EXPECT_EQ(b.Revoke(a_tokens[i]), Status::kBadHandle);
      // With `b`'s tag forced in, the generation still does not match.
      const Token retagged = token::Make(token::Index(a_tokens[i]),
                                         token::Generation(a_tokens[i]), b.tag());
      EXPECT_EQ(b.Check(retagged, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    }
    a.Destroy();
    b.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

TEST(CapabilitySpaceTest, DeriveOnlyMasksRights) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    const Token root = *space.Insert(endpoint, Rights::kRead | Rights::kDerive);
    // More rights than the parent: refused, whichever bit is added.
    EXPECT_EQ(space.Derive(root, Rights::kRead | Rights::kWrite).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(space.Derive(root, Rights::kRead | Rights::kGrant).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(space.Derive(root, Rights::kRead | rights::kEndpointSend).status(),
              Status::kPermissionDenied);
    // Equal rights, then fewer.
    Result<Token> same = space.Derive(root, Rights::kRead | Rights::kDerive);
    ASSERT_TRUE(same.ok());
    Result<Token> reader = space.Derive(*same, Rights::kRead);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(space.Inspect(*reader)->rights, Rights::kRead);
    // Without kDerive the child cannot derive further, not even fewer rights.
    EXPECT_EQ(space.Derive(*reader, Rights::kNone).status(), Status::kPermissionDenied);
    EXPECT_EQ(space.Derive(*reader, Rights::kRead).status(), Status::kPermissionDenied);
    // And a capability without kDerive at all cannot mint anything.
    const Token plain = *space.Insert(endpoint, kReadWrite);
    EXPECT_EQ(space.Derive(plain, Rights::kRead).status(), Status::kPermissionDenied);
    EXPECT_EQ(space.Check(*reader, ObjectType::kEndpoint, Rights::kWrite),
              Status::kPermissionDenied);
    space.Destroy();
  });
}

TEST(CapabilitySpaceTest, DeleteKeepsDerivedCapabilitiesUnderTheGrandparent) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    const Token root = *space.Insert(endpoint, kAllGeneric);
    const Token middle = *space.Derive(root, kAllGeneric);
    const Token leaf = *space.Derive(middle, Rights::kRead);
    ASSERT_EQ(space.Delete(middle), Status::kOk);
    EXPECT_EQ(space.Check(middle, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(space.Check(leaf, ObjectType::kEndpoint, Rights::kRead), Status::kOk);
    // Revoking the root still reaches the leaf.
    ASSERT_EQ(space.Revoke(root), Status::kOk);
    EXPECT_EQ(space.Check(leaf, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_EQ(space.Check(root, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
    EXPECT_EQ(space.size(), 1u);
    EXPECT_EQ(endpoint.reference_count(), 2u);
    space.Destroy();
  });
}

// Builds a tree under `root` in `spaces` (round robin) and returns every
// token with the space holding it. `shape` picks each new node's parent
// among those made so far.
struct Held {
  CapabilitySpace* space;
  Token token;
};

template <typename PickParent>
std::vector<Held> BuildTree(std::vector<CapabilitySpace*>& spaces, Held root, int count,
                            PickParent pick_parent) {
  std::vector<Held> nodes = {root};
  for (int i = 0; i < count; ++i) {
    const Held& parent = nodes[pick_parent(i, nodes.size())];
    CapabilitySpace* to = spaces[i % spaces.size()];
    Result<Token> child = CopyCapability(*parent.space, parent.token, *to, kAllGeneric);
    EXPECT_TRUE(child.ok()) << StatusName(child.status());
    if (!child.ok()) break;
    nodes.push_back({to, *child});
  }
  return nodes;
}

void ExpectRevokeRemovesAllButTheRoot(SimPageSource& source, int count, bool deep) {
  TestEndpoint endpoint;
  std::array<CapabilitySpace, 4> storage;
  std::vector<CapabilitySpace*> spaces;
  for (CapabilitySpace& space : storage) {
    space.Init(source, {.max_slots = 1u << 20});
    spaces.push_back(&space);
  }
  const Held root{spaces[0], *spaces[0]->Insert(endpoint, kAllGeneric)};
  // A separate tree for the same object must survive.
  const Token sibling_root = *spaces[1]->Insert(endpoint, kAllGeneric);
  std::vector<Held> nodes = BuildTree(spaces, root, count, [&](int i, size_t made) {
    return deep ? made - 1 : (i % 3 == 0 ? 0 : made / 2);
  });
  ASSERT_EQ(nodes.size(), static_cast<size_t>(count) + 1);
  EXPECT_EQ(endpoint.reference_count(), static_cast<uint32_t>(count) + 3);
  ASSERT_EQ(root.space->Revoke(root.token), Status::kOk);
  for (size_t i = 1; i < nodes.size(); ++i) {
    ASSERT_EQ(nodes[i].space->Check(nodes[i].token, ObjectType::kNone, Rights::kNone),
              Status::kBadHandle)
        << i;
  }
  EXPECT_EQ(root.space->Check(root.token, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
  EXPECT_EQ(spaces[1]->Check(sibling_root, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
  EXPECT_EQ(endpoint.reference_count(), 3u);
  uint32_t held = 0;
  for (CapabilitySpace* space : spaces) held += space->size();
  EXPECT_EQ(held, 2u);
  for (CapabilitySpace* space : spaces) space->Destroy();
  EXPECT_EQ(endpoint.reference_count(), 1u);
  EXPECT_EQ(endpoint.releases, 0);
}

TEST(CapabilitySpaceTest, RevokeRemovesADeepChainAcrossSpaces) {
  RunWithSource(1, [](SimPageSource& source) {
    ExpectRevokeRemovesAllButTheRoot(source, 20000, /*deep=*/true);
  });
}

TEST(CapabilitySpaceTest, RevokeRemovesAWideBushyTreeAcrossSpaces) {
  RunWithSource(1, [](SimPageSource& source) {
    ExpectRevokeRemovesAllButTheRoot(source, 20000, /*deep=*/false);
  });
}

TEST(CapabilitySpaceTest, RevokeOfAMiddleNodeLeavesAncestorsAndSiblings) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    const Token root = *space.Insert(endpoint, kAllGeneric);
    const Token left = *space.Derive(root, kAllGeneric);
    const Token right = *space.Derive(root, kAllGeneric);
    const Token left_child = *space.Derive(left, kAllGeneric);
    const Token right_child = *space.Derive(right, kAllGeneric);
    ASSERT_EQ(space.Revoke(left), Status::kOk);
    EXPECT_EQ(space.Check(left_child, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    for (Token kept : {root, left, right, right_child}) {
      EXPECT_EQ(space.Check(kept, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
    }
    // Revoking a leaf removes nothing.
    ASSERT_EQ(space.Revoke(right_child), Status::kOk);
    EXPECT_EQ(space.size(), 4u);
    space.Destroy();
  });
}

TEST(CapabilitySpaceTest, ObjectIsReleasedWithItsLastReferenceOnly) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source);
    const Token root = *space.Insert(endpoint, kAllGeneric);
    const Token child = *space.Derive(root, kAllGeneric);
    Result<ObjectRef<TestEndpoint>> held = space.Acquire<TestEndpoint>(child, Rights::kRead);
    ASSERT_TRUE(held.ok());
    endpoint.Release();  // The creator's reference.
    ASSERT_EQ(space.Revoke(root), Status::kOk);
    ASSERT_EQ(space.Delete(root), Status::kOk);
    // No capability is left, but the acquired reference keeps it alive.
    EXPECT_EQ(space.Check(child, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    EXPECT_TRUE((*held)->alive());
    EXPECT_EQ(endpoint.releases, 0);
    held->Reset();
    EXPECT_EQ(endpoint.releases, 1);
    EXPECT_FALSE(endpoint.alive());
    space.Destroy();
  });
}

TEST(CapabilitySpaceTest, QuotaBoundsTheSpace) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source, {.max_slots = 300});
    std::vector<Token> tokens;
    for (int i = 0; i < 300; ++i) tokens.push_back(*space.Insert(endpoint, kAllGeneric));
    EXPECT_EQ(space.Insert(endpoint, kAllGeneric).status(), Status::kOutOfRange);
    EXPECT_EQ(space.Derive(tokens[0], Rights::kRead).status(), Status::kOutOfRange);
    ASSERT_EQ(space.Delete(tokens[7]), Status::kOk);
    EXPECT_TRUE(space.Insert(endpoint, kAllGeneric).ok());
    EXPECT_EQ(endpoint.reference_count(), 301u);
    space.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

TEST(CapabilitySpaceTest, NoMemoryIsAnErrorNotACrash) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace space;
    space.Init(source, {.max_slots = 1u << 20});
    source.set_limit(source.outstanding_pages() + 12);
    Status status = Status::kOk;
    int inserted = 0;
    while (status == Status::kOk) {
      Result<Token> token = space.Insert(endpoint, kAllGeneric);
      status = token.status();
      if (token.ok()) ++inserted;
    }
    EXPECT_EQ(status, Status::kNoMemory);
    EXPECT_GT(inserted, 0);
    EXPECT_EQ(space.size(), static_cast<uint32_t>(inserted));
    space.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

TEST(CapabilitySpaceTest, DestroyedSpaceRefusesTransfersIn) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace a;
    CapabilitySpace b;
    a.Init(source);
    b.Init(source);
    const Token root = *a.Insert(endpoint, kAllGeneric);
    const Token in_b = *CopyCapability(a, root, b, kAllGeneric);
    const Token grandchild = *CopyCapability(b, in_b, a, Rights::kRead);
    b.Destroy();
    // b's capability is gone; the one derived from it survives under root.
    EXPECT_EQ(a.Check(grandchild, ObjectType::kEndpoint, Rights::kRead), Status::kOk);
    EXPECT_EQ(CopyCapability(a, root, b, kAllGeneric).status(), Status::kPeerClosed);
    EXPECT_EQ(MoveCapability(a, root, b).status(), Status::kPeerClosed);
    EXPECT_EQ(a.Check(root, ObjectType::kEndpoint, kAllGeneric), Status::kOk);
    ASSERT_EQ(a.Revoke(root), Status::kOk);
    EXPECT_EQ(a.Check(grandchild, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
    a.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

}  // namespace
}  // namespace vos
