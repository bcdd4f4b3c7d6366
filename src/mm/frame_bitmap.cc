#include "src/mm/frame_bitmap.h"

#include <bit>

#include "src/lib/assert.h"

namespace vos {
namespace {

// Bits [begin, end) of word `word` of a chunk, for a run [start, start+count).
uint64_t WordMask(size_t word, size_t start, size_t end) {
  const size_t lo = word * 64 > start ? 0 : start - word * 64;
  const size_t hi = (word + 1) * 64 < end ? 64 : end - word * 64;
  const uint64_t upper = hi == 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
  return upper & ~((uint64_t{1} << lo) - 1);
}

}  // namespace

void FrameBitmap::Init(Pfn base, size_t frames, void* metadata) {
  first_chunk_ = base / kChunkFrames;
  chunk_count_ = ChunkCount(base, frames);
  chunk_ = static_cast<Chunk*>(metadata);
  available_ = kNil;
  chunks_ = 0;
  empty_chunks_ = 0;
  free_frames_ = 0;
}

bool FrameBitmap::Owns(Pfn pfn) const {
  return pfn / kChunkFrames - first_chunk_ < chunk_count_ && ChunkOf(pfn).owned;
}

void FrameBitmap::AddChunk(Pfn first) {
  VOS_ASSERT(first % kChunkFrames == 0 && first / kChunkFrames - first_chunk_ < chunk_count_);
  Chunk& chunk = ChunkOf(first);
  VOS_ASSERT_MSG(!chunk.owned, "chunk 0x%lx added twice", first);
  for (uint64_t& word : chunk.used) word = 0;
  chunk.free = kChunkFrames;
  chunk.owned = true;
  List(IndexOf(first));
  ++chunks_;
  ++empty_chunks_;
  free_frames_ += kChunkFrames;
}

void FrameBitmap::RemoveChunk(Pfn first) {
  Chunk& chunk = ChunkOf(first);
  VOS_ASSERT_MSG(chunk.owned && chunk.free == kChunkFrames, "chunk 0x%lx is not free", first);
  Unlist(IndexOf(first));
  chunk.owned = false;
  --chunks_;
  --empty_chunks_;
  free_frames_ -= kChunkFrames;
}

Result<Pfn> FrameBitmap::Alloc(size_t count, size_t alignment) {
  if (count == 0 || count >= kChunkFrames || !std::has_single_bit(alignment) ||
      alignment > kChunkFrames) {
    return Status::kInvalidArgument;
  }
  for (uint32_t index = available_; index != kNil; index = chunk_[index].next) {
    Chunk& chunk = chunk_[index];
    if (chunk.free < count) continue;
    const size_t start = FindRun(chunk, count, alignment);
    if (start == kChunkFrames) continue;
    if (chunk.free == kChunkFrames) --empty_chunks_;
    SetRun(chunk, start, count, true);
    chunk.free = static_cast<uint16_t>(chunk.free - count);
    free_frames_ -= count;
    if (chunk.free == 0) Unlist(index);
    return (first_chunk_ + index) * kChunkFrames + start;
  }
  return Status::kNoMemory;
}

Status FrameBitmap::Free(Pfn first, size_t count) {
  if (count == 0 || !Owns(first) || ChunkStart(first) != ChunkStart(first + count - 1)) {
    return Status::kInvalidArgument;
  }
  const uint32_t index = IndexOf(first);
  Chunk& chunk = chunk_[index];
  const size_t start = first % kChunkFrames;
  if (!RunSet(chunk, start, count)) return Status::kInvalidArgument;
  SetRun(chunk, start, count, false);
  if (chunk.free == 0) List(index);
  chunk.free = static_cast<uint16_t>(chunk.free + count);
  free_frames_ += count;
  if (chunk.free == kChunkFrames) ++empty_chunks_;
  return Status::kOk;
}

void FrameBitmap::List(uint32_t index) {
  Chunk& chunk = chunk_[index];
  chunk.next = available_;
  chunk.prev = kNil;
  if (available_ != kNil) chunk_[available_].prev = index;
  available_ = index;
  chunk.listed = true;
}

void FrameBitmap::Unlist(uint32_t index) {
  Chunk& chunk = chunk_[index];
  if (!chunk.listed) return;
  if (chunk.prev != kNil) {
    chunk_[chunk.prev].next = chunk.next;
  } else {
    available_ = chunk.next;
  }
  if (chunk.next != kNil) chunk_[chunk.next].prev = chunk.prev;
  chunk.listed = false;
}

size_t FrameBitmap::FindRun(const Chunk& chunk, size_t count, size_t alignment) {
  if (count == 1 && alignment == 1) {
    for (size_t word = 0; word < kWords; ++word) {
      if (~chunk.used[word] != 0) return word * 64 + std::countr_one(chunk.used[word]);
    }
    return kChunkFrames;
  }
  size_t start = 0;
  while (start + count <= kChunkFrames) {
    size_t last_used = 0;
    if (RunClear(chunk, start, count, &last_used)) return start;
    // No run can start at or before the last used frame: skip past it.
    start = (last_used + alignment) & ~(alignment - 1);
  }
  return kChunkFrames;
}

bool FrameBitmap::RunClear(const Chunk& chunk, size_t start, size_t count, size_t* last_used) {
  const size_t end = start + count;
  for (size_t word = (end - 1) / 64 + 1; word-- > start / 64;) {
    const uint64_t hits = chunk.used[word] & WordMask(word, start, end);
    if (hits != 0) {
      *last_used = word * 64 + 63 - std::countl_zero(hits);
      return false;
    }
  }
  return true;
}

bool FrameBitmap::RunSet(const Chunk& chunk, size_t start, size_t count) {
  const size_t end = start + count;
  for (size_t word = start / 64; word <= (end - 1) / 64; ++word) {
    const uint64_t mask = WordMask(word, start, end);
    if ((chunk.used[word] & mask) != mask) return false;
  }
  return true;
}

void FrameBitmap::SetRun(Chunk& chunk, size_t start, size_t count, bool used) {
  const size_t end = start + count;
  for (size_t word = start / 64; word <= (end - 1) / 64; ++word) {
    const uint64_t mask = WordMask(word, start, end);
    chunk.used[word] = used ? chunk.used[word] | mask : chunk.used[word] & ~mask;
  }
}

}  // namespace vos
