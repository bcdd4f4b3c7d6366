// The Unicorn plumbing the per-format references share: one engine with the
// guest RAM mapped at its physical addresses, a private region above RAM for
// the reference's own code and tables, decoy regions for virtual addresses
// (2.0.1 looks a data or fetch address up in its own region list before the
// walk), and runs that stop at the first exception.
#ifndef VERIDIAN_TESTS_MM_UNICORN_ENGINE_H_
#define VERIDIAN_TESTS_MM_UNICORN_ENGINE_H_

#include <unicorn/unicorn.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/mm/unicorn_reference.h"

namespace testing_support {

class UnicornEngine {
 public:
  // The reference's own code and tables: above any simulated RAM, below the
  // 40 physical address bits of Unicorn's default x86_64 CPU.
  static constexpr hal::PhysAddr kPrivateBase = 0xf0'0000'0000;
  static constexpr uint64_t kPrivateBytes = 64 * 1024;
  static constexpr int kNoException = -1;
  static constexpr int kEmulatorError = -2;
  static constexpr size_t kMaxDecoys = 3000;  // uc_emu_start failed (e.g. fetch from no region).

  static absl::StatusOr<std::unique_ptr<UnicornEngine>> Create(uc_arch arch, uc_mode mode,
                                                               std::vector<RamSegment> ram);
  ~UnicornEngine();
  UnicornEngine(const UnicornEngine&) = delete;
  UnicornEngine& operator=(const UnicornEngine&) = delete;

  uc_engine* uc() { return uc_; }
  // One past the highest RAM byte.
  hal::PhysAddr ram_end() const { return ram_end_; }
  // Host view of guest physical [address, address + bytes), or nullptr.
  void* Host(hal::PhysAddr address, uint64_t bytes = 1);
  // Every RAM segment.
  const std::vector<RamSegment>& ram() const { return ram_; }

  // Makes sure a Unicorn region covers `address` (the largest aligned decoy
  // of 512 GiB, 1 GiB, 2 MiB or 4 KiB that overlaps nothing mapped). QEMU
  // allows fewer than 4096 sections, so past kMaxDecoys (which random
  // addresses do not reach) all decoys are dropped first.
  void EnsureRegion(uint64_t address);

  // Runs from `begin` until `until` or the first exception; returns the
  // exception's number, kNoException, or kEmulatorError.
  int Run(uint64_t begin, uint64_t until);

  uint64_t Read(int reg);
  void Write(int reg, uint64_t value);
  void SaveContext();
  void RestoreContext();

 private:
  UnicornEngine() = default;
  bool Overlaps(uint64_t begin, uint64_t end) const;
  static void OnInterrupt(uc_engine* uc, uint32_t number, void* self);

  uc_engine* uc_ = nullptr;
  uc_context* context_ = nullptr;
  std::vector<RamSegment> ram_;
  hal::PhysAddr ram_end_ = 0;
  std::map<uint64_t, uint64_t> regions_;  // begin -> end of every mapped region.
  std::vector<uint64_t> decoys_;          // Begin of each decoy in regions_.
  void* decoy_host_ = nullptr;            // Backs every decoy; never meant to hold data.
  uint64_t decoy_bytes_ = 0;
  int exception_ = kNoException;
};

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_UNICORN_ENGINE_H_
