// A process's capability space: the table that gives meaning to its
// capability tokens. Every kernel object a process can name is reached
// through a capability here, which carries the object's type and the
// holder's rights.
//
// Concurrency. Check() and Inspect() are one atomic load of the slot word
// and a compare: no lock, no write. Acquire() pins the slot word (one CAS),
// takes a reference on the object and unpins. Everything that changes the
// derivation tree (Insert, Derive, Copy, Move, Delete, Revoke) holds the
// object's derivation lock, and each capability it removes is invalidated by
// one atomic store to its word, after which the remover waits for the
// word's pins to drain before freeing the slot. So a lookup that races with
// a revocation either completes against the valid capability (linearised at
// its load or pin) or fails with kBadHandle; and once Revoke returns, every
// lookup of a revoked token fails.
//
// Under the same lock each of those keeps the object's count of holders of
// its watched rights (object.h: HolderWatch), and a removal that takes a
// count to zero calls the object back once the lock is released.
//
// Lock order: an object's derivation lock, then a slot table's lock, then
// the page source's. Not for interrupt handlers (a pin must not be
// interrupted by a removal of the same slot on the same CPU).
#ifndef VERIDIAN_SRC_CAP_CAPABILITY_SPACE_H_
#define VERIDIAN_SRC_CAP_CAPABILITY_SPACE_H_

#include <cstdint>
#include <optional>

#include "src/cap/object.h"
#include "src/cap/rights.h"
#include "src/cap/slot_table.h"
#include "src/cap/slot_word.h"
#include "src/cap/token.h"
#include "src/lib/status.h"
#include "src/mm/page_source.h"

namespace vos {

class CapabilitySpace {
 public:
  struct Options {
    // The most capabilities the space may hold at once (a per-process quota
    // on kernel memory), at most token::kMaxSlots.
    uint32_t max_slots = 1u << 16;
    // Mixed into the slots' first generations; 0 picks a per-space value.
    // The process layer may pass boot entropy so tokens are unpredictable.
    uint64_t seed = 0;
  };
  struct Info {
    ObjectType type;
    Rights rights;
  };

  CapabilitySpace() = default;
  CapabilitySpace(const CapabilitySpace&) = delete;
  CapabilitySpace& operator=(const CapabilitySpace&) = delete;
  // Destroys the space if Destroy() was not called.
  ~CapabilitySpace();

  // Slots come from `source`, which must outlive the space.
  void Init(PageSource& source, Options options);
  void Init(PageSource& source) { Init(source, Options{}); }

  // Deletes every capability (their derived capabilities elsewhere move up
  // to the deleted ones' parents) and gives the memory back. Waits for
  // removals of this space's slots still running on other CPUs. Afterwards
  // nothing can be inserted or transferred into the space. The owner must
  // have stopped using the space.
  void Destroy();

  // A new root capability for `object` (takes a reference). kOutOfRange at
  // the space's quota, kNoMemory, kPeerClosed after Destroy().
  Result<Token> Insert(KernelObject& object, Rights rights);

  // kOk when `token` names a capability of this space to an object of
  // `type` (kNone: any) with at least `rights`; kBadHandle for a token that
  // names none (forged, stale, another space's), kInvalidArgument for a
  // wrong type, kPermissionDenied for missing rights. O(1), lock-free.
  Status Check(Token token, ObjectType type, Rights rights) const {
    const uint64_t word = LoadWord(token);
    if (slot_word::Matches(word, token::Generation(token), type, rights)) [[likely]] {
      return Status::kOk;
    }
    return Diagnose(word, token, type);
  }

  // The capability's type and rights; kBadHandle as Check.
  Result<Info> Inspect(Token token) const;

  // As Check, and returns a reference to the object, which stays alive
  // while the reference is held even if the capability is revoked.
  template <TypedKernelObject T>
  Result<ObjectRef<T>> Acquire(Token token, Rights rights) {
    Result<ObjectRef<KernelObject>> object = AcquireObject(token, T::kType, rights);
    if (!object.ok()) return object.status();
    return ObjectRef<T>::Adopt(static_cast<T*>(object->Leak()));
  }
  // The untyped form; `held`, if not null, receives the capability's rights.
  Result<ObjectRef<KernelObject>> AcquireObject(Token token, ObjectType type, Rights rights,
                                                Rights* held = nullptr);

  // A child capability in this space with `rights`, which must be a subset
  // of the parent's; the parent needs Rights::kDerive.
  Result<Token> Derive(Token parent, Rights rights);

  // Removes this capability only; what was derived from it stays, moved up
  // to its parent.
  Status Delete(Token token);

  // Removes every capability derived from this one, transitively and in
  // every space; keeps this one. Time linear in the number removed.
  Status Revoke(Token token);

  // Capabilities held (and slots being filled).
  uint32_t size() const { return table_.in_use(); }
  uint8_t tag() const { return tag_; }

 private:
  friend Result<Token> CopyCapability(CapabilitySpace&, Token, CapabilitySpace&, Rights);
  friend Result<Token> CopyCapability(CapabilitySpace&, Token, CapabilitySpace&);
  friend Result<Token> MoveCapability(CapabilitySpace&, Token, CapabilitySpace&);

  uint64_t LoadWord(Token token) const {
    if (token::Tag(token) != tag_) [[unlikely]] return 0;
    return table_.LoadWord(token::Index(token));
  }
  static Status Diagnose(uint64_t word, Token token, ObjectType type);

  // A child of `source` in `destination` with `rights` (a subset of the
  // source's), or with the source's own when there are none; `source`
  // needs `required`.
  static Result<Token> Mint(CapabilitySpace& from, Token source, std::optional<Rights> rights,
                            Rights required, CapabilitySpace& destination);
  // Moves the capability into `destination`, keeping its place in the tree.
  static Result<Token> MoveTo(CapabilitySpace& from, Token source,
                              CapabilitySpace& destination);

  SlotTable table_;
  uint8_t tag_ = 0;
  bool destroyed_ = false;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_CAPABILITY_SPACE_H_
