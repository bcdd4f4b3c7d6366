// The Machine's MMU: per-CPU translation registers, TLB lookups before page
// walks, TLB invalidation, and the kernel's copies to and from user memory.
// Kept apart from machine.cc, whose scheduler path is benchmarked.
#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "sim/machine.h"

namespace sim {

void CopyHostBytes(void* to, const void* from, size_t size) { std::memcpy(to, from, size); }

void Machine::InvalidateTlbPage(hal::VirtAddr address, uint16_t asid) {
  Record(hal::TraceKind::kTlbInvalidate, address, asid);
  mmus_[current_].tlb.InvalidatePage(address, asid);
}

void Machine::InvalidateTlbAll() {
  Record(hal::TraceKind::kTlbInvalidate, ~0ull, 0);
  mmus_[current_].tlb.InvalidateAll();
}

void Machine::SetKernelTranslationRoot(hal::PhysAddr root) {
  mmus_[current_].registers.kernel_root = root;
}

void Machine::SetSupervisorUserAccess(bool sum, bool mxr) {
  mmus_[current_].registers.sum = sum;
  mmus_[current_].registers.mxr = mxr;
}

WalkResult Machine::Translate(hal::VirtAddr address, Access access) {
  // One result object on every path, so it is built in the caller's frame:
  // copying a returned local stalled on store forwarding at every TLB hit.
  WalkResult result;
  CpuMmu& mmu = mmus_[current_];
  const WalkSource* source = nullptr;
  if (const Translation* cached = mmu.tlb.Lookup(address, mmu.registers.asid, &source)) {
    if (!CheckPermissions(mmu.registers, *cached, address, access, &result.fault)) {
      return result;
    }
    // A write through a clean entry walks again: the hardware sets D then.
    if (access.kind != AccessKind::kWrite || cached->dirty) {
      if (config_.check_stale_tlb && !SourceUnchanged(mmu.registers, *source)) {
        CheckCachedTranslation(address, access, *cached);
      }
      result.outcome = WalkResult::Outcome::kTranslated;
      result.translation = *cached;
      return result;
    }
  }
  current().stats.time += config_.costs.page_walk;
  WalkSource walked;
  result = Walk(*ram_, mmu.registers, address, access, WalkEffects::kUpdateFlags, &walked);
  if (result.outcome == WalkResult::Outcome::kBusError) {
    const std::string what = absl::StrFormat(
        "page-table walk of virtual address %#x read physical address %#x outside RAM",
        address, result.bus_error_address);
    HostFault(what.c_str());
  }
  if (result.outcome == WalkResult::Outcome::kTranslated) {
    mmu.tlb.Insert(address, mmu.registers.asid, result.translation, walked);
  }
  return result;
}

void Machine::CheckCachedTranslation(hal::VirtAddr address, Access access,
                                     const Translation& cached) {
  const CpuMmu& mmu = mmus_[current_];
  const WalkResult fresh = Walk(*ram_, mmu.registers, address, access, WalkEffects::kNone);
  if (fresh.outcome == WalkResult::Outcome::kTranslated &&
      fresh.translation.Physical(address) == cached.Physical(address)) {
    return;
  }
  const std::string tables =
      fresh.outcome == WalkResult::Outcome::kTranslated
          ? absl::StrFormat("map it to %#x", fresh.translation.Physical(address))
          : absl::StrFormat("do not allow it (fault, arch code %#x)", fresh.fault.code);
  static constexpr const char* kKinds[] = {"read", "write", "fetch"};
  result_.failure = absl::StrFormat(
      "stale TLB entry used: cpu %u's %s of virtual address %#x (asid %u) reached physical "
      "address %#x through its TLB, but the page tables %s: a TLB invalidation or shootdown "
      "is missing",
      current_, kKinds[static_cast<int>(access.kind)], address, mmu.registers.asid,
      cached.Physical(address), tables);
  Stop(RunOutcome::kPanicked);
}

bool Machine::TranslateResolving(hal::VirtAddr address, Access access, OnFault on_fault,
                                 hal::PhysAddr* physical) {
  // A resolver that keeps claiming success without fixing the mapping would
  // livelock the CPU, as on hardware; the sim stops the run instead.
  constexpr int kMaxRetries = 16;
  for (int retries = 0;; ++retries) {
    const WalkResult result = Translate(address, access);
    if (result.outcome == WalkResult::Outcome::kTranslated) {
      *physical = result.translation.Physical(address);
      return true;
    }
    current().stats.time += config_.costs.trap_entry;
    Record(hal::TraceKind::kTrapEnter, static_cast<uint64_t>(hal::TrapKind::kPageFault),
           result.fault.vector);
    if (on_fault == OnFault::kFail || config_.page_fault_handler == nullptr ||
        !config_.page_fault_handler(result.fault.info)) {
      return false;
    }
    if (retries == kMaxRetries) {
      result_.failure = absl::StrFormat(
          "the page-fault resolver reported virtual address %#x resolved %d times, but the "
          "access still faults (arch code %#x)",
          address, kMaxRetries + 1, result.fault.code);
      Stop(RunOutcome::kPanicked);
    }
  }
}

template <typename CopyChunk>
bool Machine::ForEachUserChunk(hal::VirtAddr user, size_t size, AccessKind kind,
                               OnFault on_fault, CopyChunk copy_chunk) {
  size_t offset = 0;
  while (offset < size) {
    // Page by page: 4 KiB steps never straddle a RAM node, even in a huge page.
    const hal::VirtAddr address = user + offset;
    const size_t chunk = std::min<size_t>(size - offset, hal::kPageSize - address % hal::kPageSize);
    hal::PhysAddr physical;
    if (!TranslateResolving(address, {kind, Privilege::kUser}, on_fault, &physical)) {
      return false;
    }
    char* host = static_cast<char*>(ram_->HostAddress(physical));
    if (host == nullptr) {
      const std::string what = absl::StrFormat(
          "user address %#x maps physical address %#x outside RAM", address, physical);
      HostFault(what.c_str());
    }
    copy_chunk(host, offset, chunk);
    offset += chunk;
  }
  return true;
}

namespace {

// copy_chunk for a copy from user memory into `to`.
auto IntoHostBytes(void* to) {
  return [to = static_cast<char*>(to)](const char* user, size_t offset, size_t chunk) {
    CopyHostBytes(to + offset, user, chunk);
  };
}

}  // namespace

bool Machine::CopyFromUser(void* destination, hal::VirtAddr source, size_t size) {
  return ForEachUserChunk(source, size, AccessKind::kRead, OnFault::kResolve,
                          IntoHostBytes(destination));
}

bool Machine::CopyFromUserNoFault(void* destination, hal::VirtAddr source, size_t size) {
  return ForEachUserChunk(source, size, AccessKind::kRead, OnFault::kFail,
                          IntoHostBytes(destination));
}

bool Machine::CopyToUser(hal::VirtAddr destination, const void* source, size_t size) {
  const char* from = static_cast<const char*>(source);
  return ForEachUserChunk(destination, size, AccessKind::kWrite, OnFault::kResolve,
                          [from](char* user, size_t offset, size_t chunk) {
                            CopyHostBytes(user, from + offset, chunk);
                          });
}

}  // namespace sim
