// The derivation tree of one object's capabilities: who was derived (or
// copied) from whom, across all spaces, kept as intrusive links in the slots'
// nodes (parent, first child, sibling list), in the spirit of seL4's
// capability derivation tree. Revoking a capability removes its subtree.
//
// Every function requires the object's derivation_lock().
#ifndef VERIDIAN_SRC_CAP_DERIVATION_TREE_H_
#define VERIDIAN_SRC_CAP_DERIVATION_TREE_H_

#include <concepts>
#include <cstddef>

#include "src/cap/slot_table.h"

namespace vos::derivation_tree {

// Makes `node` a root: no parent, no siblings, no children.
void InitRoot(CapabilityNode& node);

// Makes `child` (fresh, unlinked) the first child of `parent`.
void AddChild(CapabilityNode& parent, CapabilityNode& child);

// Takes `node` out of the tree; its children move up to its parent (or
// become roots), so a later revocation of an ancestor still reaches them.
// O(number of children).
void Remove(CapabilityNode& node);

// Puts `replacement` (fresh, unlinked) where `node` is, with its parent and
// children; `node` ends unlinked. O(number of children).
void Replace(CapabilityNode& node, CapabilityNode& replacement);

// Removes every descendant of `root`, deepest first, calling `visit` on each
// after unlinking it (so `visit` may free it). Iterative, no recursion:
// O(number of descendants) steps in total. Returns how many it removed.
template <typename Visit>
  requires std::invocable<Visit&, CapabilityNode&>
size_t RemoveDescendants(CapabilityNode& root, Visit visit) {
  size_t removed = 0;
  CapabilityNode* node = root.first_child;
  while (node != nullptr) {
    // Every edge is walked down once and up once: descend to a leaf...
    while (node->first_child != nullptr) node = node->first_child;
    // ...remove it (it is its parent's first child)...
    CapabilityNode* parent = node->parent;
    parent->first_child = node->next_sibling;
    if (node->next_sibling != nullptr) node->next_sibling->prev_sibling = nullptr;
    node->parent = node->next_sibling = node->prev_sibling = nullptr;
    visit(*node);
    ++removed;
    // ...and continue with the parent's next child, or the parent itself.
    node = parent == &root ? root.first_child : parent;
  }
  return removed;
}

}  // namespace vos::derivation_tree

#endif  // VERIDIAN_SRC_CAP_DERIVATION_TREE_H_
