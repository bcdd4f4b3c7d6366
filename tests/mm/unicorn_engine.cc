#include "tests/mm/unicorn_engine.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_format.h"

namespace testing_support {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kMiB2 = uint64_t{2} << 20;
constexpr uint64_t kPage = 4096;
// One top-level slot (x86_64 PML4, AArch64 L0, Sv48 root entry) per decoy
// bounds their number; smaller ones fill in around RAM and the private region.
constexpr uint64_t kSlot = uint64_t{1} << 39;
constexpr uint64_t kDecoyGranules[] = {kSlot, kGiB, kMiB2, kPage};

absl::Status UcError(const char* what, uc_err error) {
  return absl::InternalError(absl::StrFormat("%s: %s", what, uc_strerror(error)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<UnicornEngine>> UnicornEngine::Create(uc_arch arch, uc_mode mode,
                                                                     std::vector<RamSegment> ram) {
  std::unique_ptr<UnicornEngine> engine(new UnicornEngine());
  if (uc_err error = uc_open(arch, mode, &engine->uc_); error != UC_ERR_OK) {
    engine->uc_ = nullptr;
    return UcError("uc_open", error);
  }
  for (const RamSegment& segment : ram) {
    if (segment.physical_base % kPage != 0 || segment.bytes % kPage != 0) {
      return absl::InvalidArgumentError("RAM segments must be page-aligned");
    }
    if (uc_err error = uc_mem_map_ptr(engine->uc_, segment.physical_base, segment.bytes,
                                      UC_PROT_ALL, segment.host);
        error != UC_ERR_OK) {
      return UcError("uc_mem_map_ptr(RAM)", error);
    }
    engine->regions_[segment.physical_base] = segment.physical_base + segment.bytes;
    engine->ram_end_ = std::max(engine->ram_end_, segment.physical_base + segment.bytes);
  }
  engine->ram_ = std::move(ram);
  if (engine->ram_end_ > kPrivateBase) {
    return absl::InvalidArgumentError("RAM reaches the reference's private region");
  }
  if (uc_err error = uc_mem_map(engine->uc_, kPrivateBase, kPrivateBytes, UC_PROT_ALL);
      error != UC_ERR_OK) {
    return UcError("uc_mem_map(private)", error);
  }
  engine->regions_[kPrivateBase] = kPrivateBase + kPrivateBytes;
  // One lazily allocated reservation backs every decoy: x86_64 on 2.0.1
  // reads and writes the decoy itself (see docs), the other formats never
  // touch it. Without overcommit for 512 GiB, decoys stop at 1 GiB.
  for (uint64_t bytes : {kSlot, kGiB}) {
    void* host = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host != MAP_FAILED) {
      engine->decoy_host_ = host;
      engine->decoy_bytes_ = bytes;
      break;
    }
  }
  if (engine->decoy_host_ == nullptr) {
    return absl::ResourceExhaustedError("cannot reserve the decoy backing");
  }
  uc_hook hook;
  if (uc_err error = uc_hook_add(engine->uc_, &hook, UC_HOOK_INTR,
                                 reinterpret_cast<void*>(&UnicornEngine::OnInterrupt),
                                 engine.get(), 1, 0);
      error != UC_ERR_OK) {
    return UcError("uc_hook_add", error);
  }
  if (uc_err error = uc_context_alloc(engine->uc_, &engine->context_); error != UC_ERR_OK) {
    engine->context_ = nullptr;
    return UcError("uc_context_alloc", error);
  }
  return engine;
}

UnicornEngine::~UnicornEngine() {
  if (context_ != nullptr) uc_context_free(context_);
  if (uc_ != nullptr) uc_close(uc_);
  if (decoy_host_ != nullptr) munmap(decoy_host_, decoy_bytes_);
}

void* UnicornEngine::Host(hal::PhysAddr address, uint64_t bytes) {
  for (const RamSegment& segment : ram_) {
    if (address >= segment.physical_base &&
        address + bytes <= segment.physical_base + segment.bytes) {
      return static_cast<char*>(segment.host) + (address - segment.physical_base);
    }
  }
  return nullptr;
}

bool UnicornEngine::Overlaps(uint64_t begin, uint64_t end) const {
  auto next = regions_.lower_bound(begin);
  if (next != regions_.end() && next->first < end) return true;
  if (next == regions_.begin()) return false;
  auto previous = std::prev(next);
  return previous->second > begin;
}

void UnicornEngine::EnsureRegion(uint64_t address) {
  auto next = regions_.upper_bound(address);
  if (next != regions_.begin() && std::prev(next)->second > address) return;
  if (decoys_.size() >= kMaxDecoys) {
    for (uint64_t begin : decoys_) {
      uc_mem_unmap(uc_, begin, regions_[begin] - begin);
      regions_.erase(begin);
    }
    decoys_.clear();
  }
  for (uint64_t granule : kDecoyGranules) {
    if (granule > decoy_bytes_) continue;
    const uint64_t begin = address & ~(granule - 1);
    const uint64_t end = begin + granule;
    if (end == 0 || Overlaps(begin, end)) continue;  // end == 0: the top granule wraps.
    if (uc_mem_map_ptr(uc_, begin, granule, UC_PROT_ALL, decoy_host_) == UC_ERR_OK) {
      regions_[begin] = end;
      decoys_.push_back(begin);
      return;
    }
  }
  std::fprintf(stderr, "unicorn reference: cannot map a decoy at %#llx\n",
               static_cast<unsigned long long>(address));
  std::abort();
}

void UnicornEngine::OnInterrupt(uc_engine* uc, uint32_t number, void* self) {
  static_cast<UnicornEngine*>(self)->exception_ = static_cast<int>(number);
  uc_emu_stop(uc);
}

int UnicornEngine::Run(uint64_t begin, uint64_t until) {
  exception_ = kNoException;
  // count = 0: a count adds a hook and flushes translated code on 2.0.1.
  if (uc_emu_start(uc_, begin, until, 0, 0) != UC_ERR_OK) return kEmulatorError;
  return exception_;
}

uint64_t UnicornEngine::Read(int reg) {
  uint64_t value = 0;
  uc_reg_read(uc_, reg, &value);
  return value;
}

void UnicornEngine::Write(int reg, uint64_t value) { uc_reg_write(uc_, reg, &value); }

void UnicornEngine::SaveContext() { uc_context_save(uc_, context_); }

void UnicornEngine::RestoreContext() { uc_context_restore(uc_, context_); }

}  // namespace testing_support
