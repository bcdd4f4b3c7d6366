#include "src/cap/capability_space.h"

#include "src/cap/derivation_tree.h"
#include "src/hal/cpu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/lib/spinlock.h"

namespace vos {

namespace {

hal::Atomic<uint64_t> next_space_id{1};

// Removing a capability, step 1 (caller holds the object's derivation
// lock): one CAS empties the word and bumps its generation, so every token
// for the capability is stale from here on; then wait for the lookups that
// pinned it before (they hold it for a few instructions, preemption off).
// Returns the rights the capability carried.
Rights Invalidate(CapabilityNode& node) {
  hal::Atomic<uint64_t>& word = *node.word;
  uint64_t current = word.Load(std::memory_order_acquire);
  VOS_ASSERT(slot_word::IsValid(current));
  while (!word.CompareExchange(current,
                               slot_word::MakeEmpty(slot_word::Generation(current) + 1) |
                                   slot_word::Pins(current),
                               std::memory_order_acq_rel)) {
  }
  while (slot_word::Pins(word.Load(std::memory_order_acquire)) != 0) hal::CpuRelax();
  return slot_word::RightsOf(current);
}

// Step 2: the slot goes back to its space (caller still holds the lock, so
// a space being destroyed waits for this before freeing its table).
void FreeSlot(CapabilityNode& node) {
  node.object = nullptr;
  node.table->Free(node.index);
}

// Makes a reserved slot's capability visible: one release store.
Token Publish(SlotTable& table, CapabilityNode& node, uint8_t tag, ObjectType type,
              Rights rights) {
  const uint32_t generation = slot_word::Generation(node.word->Load(std::memory_order_relaxed));
  node.word->Store(slot_word::Make(generation, type, rights), std::memory_order_release);
  return token::Make(node.index, generation, tag);
}

// True while `token` still names the capability in `node`. Under the
// object's derivation lock the answer cannot change until it is released.
bool StillValid(const CapabilityNode& node, Token token) {
  return slot_word::Matches(node.word->Load(std::memory_order_acquire),
                            token::Generation(token), ObjectType::kNone, Rights::kNone);
}

}  // namespace

CapabilitySpace::~CapabilitySpace() { Destroy(); }

void CapabilitySpace::Init(PageSource& source, Options options) {
  VOS_ASSERT(tag_ == 0);
  const uint64_t id = next_space_id.FetchAdd(1, std::memory_order_relaxed);
  // Consecutive spaces get different tags; 0 is never a tag.
  tag_ = static_cast<uint8_t>(1 + id % 255);
  table_.Init(source, options.max_slots, options.seed != 0 ? options.seed : id);
}

void CapabilitySpace::Destroy() {
  if (tag_ == 0 || destroyed_) return;
  destroyed_ = true;
  table_.Close();
  const uint32_t slots = table_.high_water();
  for (uint32_t index = 0; index < slots; ++index) {
    const uint64_t word = table_.LoadWord(index);
    if (!slot_word::IsValid(word)) continue;
    // kBadHandle when a revocation elsewhere removed it first: fine.
    (void)Delete(token::Make(index, slot_word::Generation(word), tag_));
  }
  table_.TearDown();
}

Status CapabilitySpace::Diagnose(uint64_t word, Token token, ObjectType type) {
  if (!slot_word::Matches(word, token::Generation(token), ObjectType::kNone, Rights::kNone)) {
    return Status::kBadHandle;
  }
  if (type != ObjectType::kNone && slot_word::Type(word) != type) return Status::kInvalidArgument;
  return Status::kPermissionDenied;
}

Result<CapabilitySpace::Info> CapabilitySpace::Inspect(Token token) const {
  const uint64_t word = LoadWord(token);
  if (!slot_word::Matches(word, token::Generation(token), ObjectType::kNone, Rights::kNone)) {
    return Status::kBadHandle;
  }
  return Info{slot_word::Type(word), slot_word::RightsOf(word)};
}

Result<Token> CapabilitySpace::Insert(KernelObject& object, Rights rights) {
  Result<uint32_t> index = table_.Reserve();
  if (!index.ok()) return index.status();
  CapabilityNode& node = table_.Node(*index);
  Token token;
  {
    SpinLockGuard guard(object.derivation_lock());
    object.AddReference();
    object.AddHolder(rights);
    node.object = &object;
    derivation_tree::InitRoot(node);
    token = Publish(table_, node, tag_, object.type(), rights);
  }
  table_.Published();
  return token;
}

Result<ObjectRef<KernelObject>> CapabilitySpace::AcquireObject(Token token, ObjectType type,
                                                               Rights rights, Rights* held) {
  // The pin protocol: (1) pin the word with a CAS that also re-checks it,
  // so the slot cannot be freed, nor its object pointer change, until (3);
  // (2) take a reference on the object; (3) unpin. Preemption stays off so
  // a remover waiting for the pin waits a few instructions only.
  PreemptionGuard no_preemption;
  uint64_t word = LoadWord(token);
  if (!slot_word::Matches(word, token::Generation(token), type, rights)) {
    return Diagnose(word, token, type);
  }
  const uint32_t index = token::Index(token);
  hal::Atomic<uint64_t>& slot = table_.Word(index);
  while (!slot.CompareExchange(word, word + 1, std::memory_order_acquire)) {
    if (!slot_word::Matches(word, token::Generation(token), type, rights)) {
      return Diagnose(word, token, type);
    }
  }
  VOS_ASSERT(slot_word::Pins(word) + 1 < slot_word::kPinMask);
  KernelObject* object = table_.Node(index).object;
  object->AddReference();
  slot.FetchSub(1, std::memory_order_release);
  if (held != nullptr) *held = slot_word::RightsOf(word);
  return ObjectRef<KernelObject>::Adopt(object);
}

Result<Token> CapabilitySpace::Mint(CapabilitySpace& from, Token source,
                                    std::optional<Rights> wanted, Rights required,
                                    CapabilitySpace& destination) {
  Rights held;
  Result<ObjectRef<KernelObject>> object =
      from.AcquireObject(source, ObjectType::kNone, required, &held);
  if (!object.ok()) return object.status();
  const Rights rights = wanted.value_or(held);
  if (!HasRights(held, rights)) return Status::kPermissionDenied;  // Only ever masked.
  Result<uint32_t> index = destination.table_.Reserve();
  if (!index.ok()) return index.status();
  CapabilityNode& child = destination.table_.Node(*index);
  CapabilityNode& parent = from.table_.Node(token::Index(source));
  Token token = kInvalidToken;
  {
    SpinLockGuard guard((*object)->derivation_lock());
    if (StillValid(parent, source)) {
      (*object)->AddReference();
      (*object)->AddHolder(rights);
      child.object = object->get();
      derivation_tree::AddChild(parent, child);
      token = Publish(destination.table_, child, destination.tag_, (*object)->type(), rights);
    }
  }
  if (token == kInvalidToken) {  // Revoked since the lookup.
    destination.table_.Unreserve(*index);
    return Status::kBadHandle;
  }
  destination.table_.Published();
  return token;
}

Result<Token> CapabilitySpace::MoveTo(CapabilitySpace& from, Token source,
                                      CapabilitySpace& destination) {
  Rights held;
  Result<ObjectRef<KernelObject>> object =
      from.AcquireObject(source, ObjectType::kNone, Rights::kGrant, &held);
  if (!object.ok()) return object.status();
  Result<uint32_t> index = destination.table_.Reserve();
  if (!index.ok()) return index.status();
  CapabilityNode& target = destination.table_.Node(*index);
  CapabilityNode& node = from.table_.Node(token::Index(source));
  Token token = kInvalidToken;
  {
    SpinLockGuard guard((*object)->derivation_lock());
    if (StillValid(node, source)) {
      // The slot's reference on the object, and its count as a holder,
      // move with it.
      target.object = object->get();
      (void)Invalidate(node);
      derivation_tree::Replace(node, target);
      FreeSlot(node);
      token = Publish(destination.table_, target, destination.tag_, (*object)->type(), held);
    }
  }
  if (token == kInvalidToken) {
    destination.table_.Unreserve(*index);
    return Status::kBadHandle;
  }
  destination.table_.Published();
  return token;
}

Result<Token> CapabilitySpace::Derive(Token parent, Rights rights) {
  return Mint(*this, parent, rights, Rights::kDerive, *this);
}

Status CapabilitySpace::Delete(Token token) {
  Result<ObjectRef<KernelObject>> object = AcquireObject(token, ObjectType::kNone, Rights::kNone);
  if (!object.ok()) return object.status();
  CapabilityNode& node = table_.Node(token::Index(token));
  bool last_holder;
  {
    SpinLockGuard guard((*object)->derivation_lock());
    if (!StillValid(node, token)) return Status::kBadHandle;
    last_holder = (*object)->RemoveHolder(Invalidate(node));
    derivation_tree::Remove(node);
    FreeSlot(node);
  }
  if (last_holder) (*object)->LastHolderGone();
  (*object)->Release();  // The slot's reference; `object` still holds one.
  return Status::kOk;
}

Status CapabilitySpace::Revoke(Token token) {
  Result<ObjectRef<KernelObject>> object = AcquireObject(token, ObjectType::kNone, Rights::kNone);
  if (!object.ok()) return object.status();
  CapabilityNode& root = table_.Node(token::Index(token));
  size_t removed;
  bool last_holder = false;
  {
    SpinLockGuard guard((*object)->derivation_lock());
    if (!StillValid(root, token)) return Status::kBadHandle;
    KernelObject& target = **object;
    removed = derivation_tree::RemoveDescendants(root, [&](CapabilityNode& node) {
      last_holder |= target.RemoveHolder(Invalidate(node));
      FreeSlot(node);
    });
  }
  if (last_holder) (*object)->LastHolderGone();
  // Their references; `root`'s own and `object` keep the object alive.
  if (removed != 0) (*object)->Release(static_cast<uint32_t>(removed));
  return Status::kOk;
}

}  // namespace vos
