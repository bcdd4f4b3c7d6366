// A doubly linked list threaded through `next` and `prev` members of its
// elements: inserting and removing never allocate.
#ifndef VERIDIAN_SRC_MM_INTRUSIVE_LIST_H_
#define VERIDIAN_SRC_MM_INTRUSIVE_LIST_H_

namespace vos {

// T has `T* next` and `T* prev`, both null while T is on no list.
template <typename T>
class IntrusiveList {
 public:
  constexpr IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_ == nullptr; }
  T* front() const { return head_; }

  void PushFront(T* element) {
    element->prev = nullptr;
    element->next = head_;
    if (head_ != nullptr) head_->prev = element;
    head_ = element;
  }

  void Remove(T* element) {
    if (element->prev != nullptr) {
      element->prev->next = element->next;
    } else {
      head_ = element->next;
    }
    if (element->next != nullptr) element->next->prev = element->prev;
    element->next = nullptr;
    element->prev = nullptr;
  }

 private:
  T* head_ = nullptr;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_INTRUSIVE_LIST_H_
