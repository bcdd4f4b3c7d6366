// The derivation tree's links on plain nodes: removal moves children up,
// replacement keeps the shape, and RemoveDescendants visits every
// descendant once, children before parents, leaving the root alone.
#include "src/cap/derivation_tree.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace vos {
namespace {

std::vector<CapabilityNode*> Children(const CapabilityNode& node) {
  std::vector<CapabilityNode*> children;
  for (CapabilityNode* child = node.first_child; child != nullptr; child = child->next_sibling) {
    EXPECT_EQ(child->parent, &node);
    if (child->next_sibling != nullptr) {
      EXPECT_EQ(child->next_sibling->prev_sibling, child);
    }
    children.push_back(child);
  }
  return children;
}

TEST(DerivationTreeTest, RemoveMovesChildrenToTheParent) {
  std::vector<CapabilityNode> nodes(5);
  derivation_tree::InitRoot(nodes[0]);
  derivation_tree::AddChild(nodes[0], nodes[1]);
  derivation_tree::AddChild(nodes[0], nodes[2]);
  derivation_tree::AddChild(nodes[1], nodes[3]);
  derivation_tree::AddChild(nodes[1], nodes[4]);
  derivation_tree::Remove(nodes[1]);
  std::vector<CapabilityNode*> children = Children(nodes[0]);
  EXPECT_EQ(std::set<CapabilityNode*>(children.begin(), children.end()),
            (std::set<CapabilityNode*>{&nodes[2], &nodes[3], &nodes[4]}));
  EXPECT_EQ(nodes[1].parent, nullptr);
  EXPECT_EQ(nodes[1].first_child, nullptr);
  // Removing a root with children makes them roots.
  derivation_tree::Remove(nodes[0]);
  for (int i : {2, 3, 4}) EXPECT_EQ(nodes[i].parent, nullptr);
}

TEST(DerivationTreeTest, ReplaceKeepsParentAndChildren) {
  std::vector<CapabilityNode> nodes(6);
  derivation_tree::InitRoot(nodes[0]);
  derivation_tree::AddChild(nodes[0], nodes[1]);
  derivation_tree::AddChild(nodes[0], nodes[2]);
  derivation_tree::AddChild(nodes[1], nodes[3]);
  derivation_tree::AddChild(nodes[1], nodes[4]);
  derivation_tree::Replace(nodes[1], nodes[5]);
  std::vector<CapabilityNode*> root_children = Children(nodes[0]);
  EXPECT_EQ(std::set<CapabilityNode*>(root_children.begin(), root_children.end()),
            (std::set<CapabilityNode*>{&nodes[2], &nodes[5]}));
  std::vector<CapabilityNode*> moved_children = Children(nodes[5]);
  EXPECT_EQ(std::set<CapabilityNode*>(moved_children.begin(), moved_children.end()),
            (std::set<CapabilityNode*>{&nodes[3], &nodes[4]}));
  EXPECT_EQ(nodes[1].parent, nullptr);
  EXPECT_EQ(nodes[1].first_child, nullptr);
}

TEST(DerivationTreeTest, RemoveDescendantsVisitsEachOnceChildrenFirst) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 random(seed);
    const size_t count = 1 + random() % 2000;
    std::vector<CapabilityNode> nodes(count + 2);
    derivation_tree::InitRoot(nodes[0]);
    derivation_tree::AddChild(nodes[0], nodes[1]);  // The subtree's root.
    std::map<CapabilityNode*, CapabilityNode*> parent_of;
    for (size_t i = 2; i < nodes.size(); ++i) {
      // Mostly deep when seed is odd, mostly wide when even.
      const size_t parent = seed % 2 == 1 ? std::max<size_t>(1, i - 1 - random() % 2)
                                          : 1 + random() % (i - 1);
      derivation_tree::AddChild(nodes[parent], nodes[i]);
      parent_of[&nodes[i]] = &nodes[parent];
    }
    std::set<CapabilityNode*> visited;
    const size_t removed = derivation_tree::RemoveDescendants(nodes[1], [&](CapabilityNode& node) {
      EXPECT_EQ(node.first_child, nullptr);  // Its children went first.
      EXPECT_EQ(node.parent, nullptr);
      EXPECT_TRUE(visited.insert(&node).second);
      EXPECT_TRUE(visited.count(parent_of[&node]) == 0);
    });
    EXPECT_EQ(removed, count);
    EXPECT_EQ(visited.size(), count);
    EXPECT_EQ(nodes[1].first_child, nullptr);
    EXPECT_EQ(nodes[1].parent, &nodes[0]);
    EXPECT_EQ(Children(nodes[0]), std::vector<CapabilityNode*>{&nodes[1]});
  }
}

}  // namespace
}  // namespace vos
