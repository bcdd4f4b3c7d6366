#include "src/mm/metadata_pool.h"

#include "src/hal/types.h"
#include "src/lib/assert.h"

namespace vos {
namespace {

// Also the records' alignment.
constexpr size_t kHeaderSize = 32;

}  // namespace

void MetadataPool::Init(PageSource& source, size_t record_size) {
  static_assert(sizeof(PageHeader) <= kHeaderSize);
  source_ = &source;
  record_size_ = (record_size + kHeaderSize - 1) & ~(kHeaderSize - 1);
  records_per_page_ = (hal::kPageSize - kHeaderSize) / record_size_;
  VOS_ASSERT(records_per_page_ > 0);
}

MetadataPool::PageHeader* MetadataPool::PageOf(void* record) {
  return reinterpret_cast<PageHeader*>(reinterpret_cast<uintptr_t>(record) &
                                       ~uintptr_t{hal::kPageSize - 1});
}

void* MetadataPool::Allocate() {
  SpinLockGuard guard(lock_);
  PageHeader* page = partial_.front();
  if (page == nullptr) {
    Result<void*> memory = source_->AllocPages(1);
    if (!memory.ok()) return nullptr;
    page = static_cast<PageHeader*>(*memory);
    *page = PageHeader{};
    auto* bytes = reinterpret_cast<char*>(page);
    for (size_t i = records_per_page_; i > 0; --i) {
      void* record = bytes + kHeaderSize + (i - 1) * record_size_;
      *static_cast<void**>(record) = page->free_list;
      page->free_list = record;
    }
    partial_.PushFront(page);
    ++pages_;
  }
  void* record = page->free_list;
  page->free_list = *static_cast<void**>(record);
  if (++page->in_use == records_per_page_) partial_.Remove(page);
  ++records_in_use_;
  __builtin_memset(record, 0, record_size_);
  return record;
}

void MetadataPool::Free(void* record) {
  PageHeader* page = PageOf(record);
  SpinLockGuard guard(lock_);
  VOS_ASSERT_MSG(page->in_use > 0, "metadata record %p freed twice", record);
  if (page->in_use == records_per_page_) partial_.PushFront(page);
  *static_cast<void**>(record) = page->free_list;
  page->free_list = record;
  --records_in_use_;
  if (--page->in_use == 0) {
    partial_.Remove(page);
    --pages_;
    source_->FreePages(page, 1);
  }
}

size_t MetadataPool::pages() const {
  SpinLockGuard guard(lock_);
  return pages_;
}

size_t MetadataPool::records_in_use() const {
  SpinLockGuard guard(lock_);
  return records_in_use_;
}

}  // namespace vos
