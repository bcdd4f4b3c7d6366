// Differential test: page tables built by the kernel's own code (src/mm),
// checked access by access against Unicorn's emulated CPU walking the same
// bytes in the simulated machine's RAM (tests/mm/unicorn_reference.h).
//
// For each format: seeded random 4 KiB / 2 MiB / 1 GiB mappings with random
// permissions, some unmapped or re-protected afterwards; then random accesses
// (biased towards mapped pages, every access kind, both privileges). The
// expectation comes from the kernel's PageTable::Query (mapping + permissions)
// and the architecture's privilege rules below; Unicorn must agree on
// translate-or-fault, on the physical address where it can tell it, and on
// the fault kind / fault address where it reports one. Only queries the
// format's reference can check are made (x86_64: supervisor reads and writes).
//
// The simulator's own MMU (sim/mmu.h, written independently of src/mm) is the
// third party: its walk of the same bytes, with the CPU configured as the
// reference's (x86_64 without SMAP), must agree with Unicorn the same way,
// and its physical address with the kernel's Query on every format.
//
// VOS_UNICORN_ACCESSES=<n> sets the number of accesses per format (default
// 10000) for long runs; VOS_UNICORN_SEED=<n> changes the seed.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/machine.h"
#include "sim/mmu.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/mm/page_table.h"
#include "tests/mm/table_pool.h"
#include "tests/mm/unicorn_reference.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

using hal::PageTableFormat;
using testing_support::Access;
using testing_support::Privilege;
using testing_support::ReferenceFault;
using testing_support::ReferenceOutcome;
using testing_support::ReferenceQuery;
using testing_support::UnicornReference;

constexpr size_t kPoolFrames = 4096;
constexpr int kMappings = 400;
constexpr int kMaxReportedMismatches = 10;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtoull(value, nullptr, 0) : fallback;
}

// The simulated RAM as the reference needs it: one segment per NUMA node,
// each one host mapping.
std::vector<testing_support::RamSegment> RamSegments() {
  const hal::MemoryMap& map = hal::GetMemoryMap();
  std::vector<testing_support::RamSegment> segments;
  for (uint32_t node = 0; node < map.numa_node_count; ++node) {
    hal::PhysAddr begin = ~hal::PhysAddr{0}, end = 0;
    for (size_t i = 0; i < map.count; ++i) {
      if (map.regions[i].numa_node != node) continue;
      begin = std::min(begin, map.regions[i].base);
      end = std::max(end, map.regions[i].base + map.regions[i].size);
    }
    segments.push_back({begin, hal::PhysToVirt(begin), end - begin});
  }
  return segments;
}

// What the kernel's tables say an access should do.
struct Expected {
  bool faults = true;
  hal::PhysAddr physical = 0;
  bool mapped = false;  // Faults on a mapped page are permission faults.
  // The reference's RISC-V PMP admits RAM only: a translated access beyond
  // it (a 1 GiB page is larger than RAM) takes an access fault.
  bool outside_ram = false;
};

// The architecture's rule for `access` by `privilege` to a page with
// `perms`. Supervisor data accesses reach user pages on x86_64 (no SMAP) and
// AArch64 (PSTATE.PAN = 0), not on RISC-V (sstatus.SUM = 0); no format lets
// the supervisor execute a user page (RISC-V by rule; AArch64 because the
// kernel sets PXN on every user page, which PageTable::Query reports only as
// kUser).
bool Allowed(PageTableFormat format, Perm perms, Access access, Privilege privilege) {
  const bool user_page = HasPerm(perms, Perm::kUser);
  if (privilege == Privilege::kUser && !user_page) return false;
  if (privilege == Privilege::kSupervisor && user_page) {
    if (access == Access::kExecute) return false;
    if (format == PageTableFormat::kSv39 || format == PageTableFormat::kSv48) return false;
  }
  switch (access) {
    case Access::kRead: return HasPerm(perms, Perm::kRead);
    case Access::kWrite: return HasPerm(perms, Perm::kWrite);
    case Access::kExecute: return HasPerm(perms, Perm::kExecute);
  }
  return false;
}

const char* AccessName(Access access) {
  switch (access) {
    case Access::kRead: return "read";
    case Access::kWrite: return "write";
    case Access::kExecute: return "fetch";
  }
  return "?";
}

class Differential {
 public:
  Differential(PageTableFormat format, uint64_t seed) : format_(format), random_(seed) {
    // Virtual addresses stay inside the narrowest canonical halves the
    // format has: Sv39 has 38 bits per half, the others 47.
    va_bits_ = format == PageTableFormat::kSv39 ? 38 : 47;
  }

  void Run(uint64_t accesses) {
    testing_support::TablePool pool(kPoolFrames);
    const bool split = format_ == PageTableFormat::kAarch64;
    Result<PageTable> lower =
        PageTable::Create(format_, pool, split ? VaRange::kLower : VaRange::kAll);
    ASSERT_TRUE(lower.ok());
    std::optional<Result<PageTable>> upper;
    if (split) {
      upper.emplace(PageTable::Create(format_, pool, VaRange::kUpper));
      ASSERT_TRUE(upper->ok());
    }
    auto table_for = [&](hal::VirtAddr va) -> PageTable& {
      return split && (va >> 63) != 0 ? upper->value() : lower.value();
    };
    ram_end_ = 0;
    for (const auto& segment : RamSegments()) {
      ram_end_ = std::max(ram_end_, segment.physical_base + segment.bytes);
    }
    auto reference = UnicornReference::Create(format_, RamSegments());
    ASSERT_TRUE(reference.ok()) << reference.status();
    const testing_support::ReferenceCapabilities capabilities = (*reference)->capabilities();

    BuildMappings(table_for);
    const testing_support::TranslationRoots roots = {lower->root(),
                                                     split ? upper->value().root() : 0};
    uint64_t checked = 0, skipped = 0, translated = 0;
    int mismatches = 0;
    for (uint64_t i = 0; i < accesses && mismatches < kMaxReportedMismatches; ++i) {
      ReferenceQuery query = RandomQuery(capabilities);
      const Expected expected = Expect(table_for(query.va), query);
      if (!expected.faults) query.physical_hint = expected.physical;
      const ReferenceOutcome outcome = (*reference)->Query(roots, query);
      if (outcome.fault == ReferenceFault::kUnchecked) {  // E.g. the x86_64 stub's gigabyte.
        ++skipped;
        continue;
      }
      ++checked;
      translated += outcome.faulted() ? 0 : 1;
      const sim::WalkResult walk = SimWalk(roots, query);
      if (const std::string problem = CompareSim(walk, expected, outcome, query, capabilities);
          !problem.empty()) {
        ++mismatches;
        ADD_FAILURE() << hal::PageTableFormatName(format_) << ": " << AccessName(query.access)
                      << (query.privilege == Privilege::kUser ? " by user" : " by supervisor")
                      << " at " << std::hex << query.va << ": simulator MMU: " << problem
                      << " (sim: "
                      << (walk.outcome == sim::WalkResult::Outcome::kTranslated ? "pa " : "fault ")
                      << (walk.outcome == sim::WalkResult::Outcome::kTranslated
                              ? walk.translation.Physical(query.va)
                              : walk.fault.code)
                      << "; unicorn: " << testing_support::ReferenceFaultName(outcome.fault)
                      << " pa " << outcome.physical.value_or(~0ull) << ")";
      }
      if (const std::string problem = Compare(expected, outcome, query, capabilities);
          !problem.empty()) {
        ++mismatches;
        ADD_FAILURE() << hal::PageTableFormatName(format_) << ": " << AccessName(query.access)
                      << (query.privilege == Privilege::kUser ? " by user" : " by supervisor")
                      << " at " << std::hex << query.va << ": " << problem << " (kernel: "
                      << (expected.faults ? "fault" : "pa ") << expected.physical << "; unicorn: "
                      << testing_support::ReferenceFaultName(outcome.fault) << " raw "
                      << outcome.raw << " pa " << outcome.physical.value_or(~0ull) << ")";
      }
    }
    std::printf("%s: %" PRIu64 " accesses checked (%" PRIu64 " translated), %" PRIu64
                " skipped, %zu mappings live, %zu tables\n",
                hal::PageTableFormatName(format_), checked, translated, skipped, live_.size(),
                pool.outstanding());
    EXPECT_GT(checked, accesses * 9 / 10);
    EXPECT_GT(translated, checked / 10);  // The bias towards mapped pages works.
    EXPECT_EQ(mismatches, 0);
  }

 private:
  struct Page {
    hal::VirtAddr va;
    hal::PhysAddr pa;
    PageSize size;
  };

  uint64_t Uniform(uint64_t bound) { return std::uniform_int_distribution<uint64_t>(0, bound - 1)(random_); }

  Perm RandomPerms() {
    Perm perms = Perm::kRead;
    if (Uniform(2)) perms |= Perm::kWrite;
    if (Uniform(2)) perms |= Perm::kExecute;
    if (Uniform(2)) perms |= Perm::kUser;
    if (Uniform(4) == 0) perms |= Perm::kGlobal;
    return perms;
  }

  // A canonical address aligned to `bytes`: half the time inside one of a
  // few 1 GiB windows (so mappings share tables), else anywhere.
  hal::VirtAddr RandomVa(uint64_t bytes) {
    uint64_t va;
    if (Uniform(2) == 0) {
      va = windows_[Uniform(kWindows)] + Uniform(uint64_t{1} << 30);
    } else {
      va = Uniform(uint64_t{1} << va_bits_);
      if (Uniform(2)) va |= ~uint64_t{0} << va_bits_;  // The upper half.
    }
    return va & ~(bytes - 1);
  }

  template <typename TableFor>
  void BuildMappings(TableFor& table_for) {
    for (uint64_t& window : windows_) {
      window = Uniform(uint64_t{1} << (va_bits_ - 30)) << 30;
      if (Uniform(2)) window |= ~uint64_t{0} << va_bits_;
    }
    for (int i = 0; i < kMappings; ++i) {
      const uint64_t pick = Uniform(20);
      const PageSize size = pick < 15 ? PageSize::k4K : pick < 19 ? PageSize::k2M : PageSize::k1G;
      const uint64_t bytes = PageBytes(size);
      const hal::VirtAddr va = RandomVa(bytes);
      // Frames anywhere in RAM: the reference reads what they hold. A 1 GiB
      // page can only start at 0 (RAM is smaller); accesses stay inside RAM.
      const hal::PhysAddr pa = bytes > ram_end_ ? 0 : Uniform(ram_end_ / bytes) * bytes;
      if (table_for(va).Map(va, pa, size, RandomPerms()) == Status::kOk) {
        live_.push_back({va, pa, size});
      }
    }
    // Some mappings go away, some change permissions; the dead ones stay
    // targets, so faults next to live mappings are checked too.
    for (size_t i = 0; i < live_.size();) {
      const uint64_t pick = Uniform(10);
      if (pick < 2) {
        EXPECT_TRUE(table_for(live_[i].va).Unmap(live_[i].va).ok());
        dead_.push_back(live_[i]);
        live_[i] = live_.back();
        live_.pop_back();
        continue;
      }
      if (pick < 4) {
        EXPECT_TRUE(table_for(live_[i].va).Protect(live_[i].va, RandomPerms()).ok());
      }
      ++i;
    }
  }

  // Only queries the reference can check (x86_64: supervisor reads and writes).
  ReferenceQuery RandomQuery(const testing_support::ReferenceCapabilities& capabilities) {
    ReferenceQuery query;
    const uint64_t pick = Uniform(8);
    if (pick < 6 && !live_.empty()) {
      query.va = InPage(live_[Uniform(live_.size())]);
    } else if (pick < 7 && !dead_.empty()) {
      query.va = InPage(dead_[Uniform(dead_.size())]);
    } else {
      query.va = RandomVa(8) | Uniform(8);
    }
    query.access = static_cast<Access>(Uniform(capabilities.fetch ? 3 : 2));
    query.privilege = capabilities.user_privilege && Uniform(2) ? Privilege::kUser
                                                                : Privilege::kSupervisor;
    return query;
  }

  // A random address in `page` whose physical address is inside RAM.
  hal::VirtAddr InPage(const Page& page) {
    const uint64_t span = std::min<uint64_t>(PageBytes(page.size), ram_end_ - page.pa);
    return page.va + Uniform(span);
  }

  Expected Expect(const PageTable& table, const ReferenceQuery& query) {
    Expected expected;
    Result<Mapping> mapping = table.Query(query.va);
    if (!mapping.ok()) return expected;
    expected.mapped = true;
    expected.physical = mapping->pa + (query.va - mapping->va);
    expected.faults = !Allowed(format_, mapping->perms, query.access, query.privilege);
    expected.outside_ram = expected.physical >= ram_end_;
    return expected;
  }

  // The simulator's walk of the same tables, without side effects, on a CPU
  // set up as the reference's.
  sim::WalkResult SimWalk(const testing_support::TranslationRoots& roots,
                          const ReferenceQuery& query) const {
    sim::MmuRegisters registers;
    registers.format = format_;
    registers.root = roots.root;
    registers.kernel_root = roots.upper_root;
    registers.smap = false;
    static constexpr sim::AccessKind kKinds[] = {sim::AccessKind::kRead, sim::AccessKind::kWrite,
                                                 sim::AccessKind::kFetch};
    const sim::Access access = {kKinds[static_cast<int>(query.access)],
                                query.privilege == Privilege::kUser ? sim::Privilege::kUser
                                                                    : sim::Privilege::kSupervisor};
    return sim::Walk(sim::Machine::Current().ram(), registers, query.va, access,
                     sim::WalkEffects::kNone);
  }

  // Empty when the simulator's walk agrees with Unicorn (and its physical
  // address with the kernel's), else what differs.
  std::string CompareSim(const sim::WalkResult& walk, const Expected& expected,
                         const ReferenceOutcome& outcome, const ReferenceQuery& query,
                         const testing_support::ReferenceCapabilities& capabilities) {
    if (walk.outcome == sim::WalkResult::Outcome::kBusError) return "bus error";
    const bool faults = walk.outcome == sim::WalkResult::Outcome::kFault;
    const hal::PhysAddr physical = faults ? 0 : walk.translation.Physical(query.va);
    const bool riscv = format_ == PageTableFormat::kSv39 || format_ == PageTableFormat::kSv48;
    if (!faults && physical != expected.physical) return "physical address differs from the kernel's";
    if (riscv && !faults && physical >= ram_end_) {
      return outcome.fault == ReferenceFault::kAccessFault ? "" : "unicorn did not access-fault";
    }
    if (faults != outcome.faulted()) return "translate-or-fault differs";
    if (!faults) {
      if (!capabilities.physical_address || !outcome.physical.has_value()) return "";
      return *outcome.physical == physical ? "" : "physical address differs";
    }
    switch (format_) {
      case PageTableFormat::kAarch64: {
        // ESR fault status bits [5:2]: 0001 translation, 0010 access flag,
        // 0011 permission, 0000 address size.
        static constexpr ReferenceFault kByStatus[] = {
            ReferenceFault::kAddressSize, ReferenceFault::kTranslation,
            ReferenceFault::kAccessFlag, ReferenceFault::kPermission};
        const uint64_t status = (walk.fault.code >> 2) & 0xf;
        if (status > 3) return "unexpected fault status";
        return outcome.fault == kByStatus[status] ? "" : "fault kind differs";
      }
      case PageTableFormat::kSv39:
      case PageTableFormat::kSv48:
        return outcome.fault == ReferenceFault::kPageFault ? "" : "not both page faults";
      case PageTableFormat::kX86_64:
        return walk.fault.vector == 14 && outcome.fault == ReferenceFault::kPageFault
                   ? ""
                   : "not both #PF";
    }
    return "";
  }

  // Empty when Unicorn agrees with the expectation, else what differs.
  std::string Compare(const Expected& expected, const ReferenceOutcome& outcome,
                      const ReferenceQuery& query,
                      const testing_support::ReferenceCapabilities& capabilities) {
    const bool riscv = format_ == PageTableFormat::kSv39 || format_ == PageTableFormat::kSv48;
    if (riscv && !expected.faults && expected.outside_ram) {
      return outcome.fault == ReferenceFault::kAccessFault ? "" : "not an access fault";
    }
    if (expected.faults != outcome.faulted()) return "translate-or-fault differs";
    if (!expected.faults) {
      if (!capabilities.physical_address) return "";
      if (!outcome.physical.has_value()) return "no physical address";
      return *outcome.physical == expected.physical ? "" : "physical address differs";
    }
    switch (format_) {
      case PageTableFormat::kAarch64: {
        const ReferenceFault kind =
            expected.mapped ? ReferenceFault::kPermission : ReferenceFault::kTranslation;
        return outcome.fault == kind ? "" : "fault kind differs";
      }
      case PageTableFormat::kSv39:
      case PageTableFormat::kSv48:
        return outcome.fault == ReferenceFault::kPageFault ? "" : "not a page fault";
      case PageTableFormat::kX86_64:
        if (outcome.fault != ReferenceFault::kPageFault) return "not a #PF";
        return outcome.fault_address == query.va ? "" : "CR2 differs";
    }
    return "";
  }

  static constexpr size_t kWindows = 4;

  PageTableFormat format_;
  std::mt19937_64 random_;
  int va_bits_;
  hal::PhysAddr ram_end_ = 0;
  uint64_t windows_[kWindows] = {};
  std::vector<Page> live_;
  std::vector<Page> dead_;
};

class PageTableUnicornTest : public ::testing::TestWithParam<PageTableFormat> {};

TEST_P(PageTableUnicornTest, KernelTablesMatchTheEmulatedCpu) {
  sim::MachineConfig config = testing_support::SmallMachine(1);
  config.numa_nodes = 2;  // Two RAM segments, each its own host mapping.
  config.page_table_format = GetParam();
  config.cpu_stack_size = 1 << 20;  // Unicorn runs on the CPU's fiber stack.
  const uint64_t accesses = EnvOr("VOS_UNICORN_ACCESSES", 10000);
  const uint64_t seed = EnvOr("VOS_UNICORN_SEED", 1) * 131 + static_cast<uint64_t>(GetParam());
  sim::RunResult result = testing_support::RunInMachine(
      config, [&] { Differential(GetParam(), seed).Run(accesses); });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

INSTANTIATE_TEST_SUITE_P(Formats, PageTableUnicornTest,
                         ::testing::Values(PageTableFormat::kX86_64, PageTableFormat::kAarch64,
                                           PageTableFormat::kSv39, PageTableFormat::kSv48),
                         [](const auto& info) { return hal::PageTableFormatName(info.param); });

}  // namespace
}  // namespace vos
