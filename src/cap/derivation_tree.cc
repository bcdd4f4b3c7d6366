#include "src/cap/derivation_tree.h"

#include "src/lib/assert.h"

namespace vos::derivation_tree {

namespace {

// Links `node` into `parent`'s children (or nowhere, for a root) in front.
void LinkFirst(CapabilityNode* parent, CapabilityNode& node) {
  node.parent = parent;
  node.prev_sibling = nullptr;
  node.next_sibling = parent == nullptr ? nullptr : parent->first_child;
  if (parent == nullptr) return;
  if (parent->first_child != nullptr) parent->first_child->prev_sibling = &node;
  parent->first_child = &node;
}

void Unlink(CapabilityNode& node) {
  if (node.prev_sibling != nullptr) {
    node.prev_sibling->next_sibling = node.next_sibling;
  } else if (node.parent != nullptr) {
    node.parent->first_child = node.next_sibling;
  }
  if (node.next_sibling != nullptr) node.next_sibling->prev_sibling = node.prev_sibling;
  node.parent = node.next_sibling = node.prev_sibling = nullptr;
}

}  // namespace

void InitRoot(CapabilityNode& node) {
  node.parent = node.first_child = node.next_sibling = node.prev_sibling = nullptr;
}

void AddChild(CapabilityNode& parent, CapabilityNode& child) {
  VOS_ASSERT(child.object == parent.object);
  child.first_child = nullptr;
  LinkFirst(&parent, child);
}

void Remove(CapabilityNode& node) {
  CapabilityNode* parent = node.parent;
  Unlink(node);
  while (CapabilityNode* child = node.first_child) {
    node.first_child = child->next_sibling;
    LinkFirst(parent, *child);
  }
}

void Replace(CapabilityNode& node, CapabilityNode& replacement) {
  VOS_ASSERT(replacement.object == node.object);
  CapabilityNode* parent = node.parent;
  Unlink(node);
  replacement.first_child = node.first_child;
  node.first_child = nullptr;
  for (CapabilityNode* child = replacement.first_child; child != nullptr;
       child = child->next_sibling) {
    child->parent = &replacement;
  }
  LinkFirst(parent, replacement);
}

}  // namespace vos::derivation_tree

