// Capability lookups racing with revocation and with tree changes on eight
// simulated CPUs, under several interleaving seeds, with invariant checkers:
// no lookup succeeds once the revocation has returned, no token comes back
// to life, acquired objects are always alive and of the right type, and
// object reference counts match the capabilities left. And derivations from
// kernel threads the timer preempts.
#include <array>
#include <atomic>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "src/cap/transfer.h"
#include "src/hal/cpu.h"
#include "src/sched/scheduler.h"
#include "tests/cap/cap_test_support.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::OnAllCpus;
using testing_support::RunWithSource;
using testing_support::SimPageSource;
using testing_support::TestChannel;
using testing_support::TestEndpoint;

constexpr uint32_t kCpus = 8;
constexpr Rights kAllGeneric = Rights::kRead | Rights::kWrite | Rights::kGrant | Rights::kDerive;

class ConcurrencyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(ConcurrencyTest, LookupsRacingARevocationSeeItValidBeforeAndNeverAfter) {
  RunWithSource(kCpus, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TestEndpoint unrelated;
    TestChannel channel;
    CapabilitySpace owner;
    owner.Init(source);
    std::array<CapabilitySpace, kCpus> spaces;
    for (CapabilitySpace& space : spaces) space.Init(source);
    const Token root = *owner.Insert(endpoint, kAllGeneric);

    // Each worker's space gets a chain of copies and derivations of root,
    // and one capability to an unrelated object.
    std::array<std::vector<Token>, kCpus> mine;
    std::array<Token, kCpus> untouched;
    for (uint32_t cpu = 1; cpu < kCpus; ++cpu) {
      Token parent = *CopyCapability(owner, root, spaces[cpu], kAllGeneric);
      mine[cpu].push_back(parent);
      for (int depth = 0; depth < 6; ++depth) {
        parent = *spaces[cpu].Derive(parent, kAllGeneric);
        mine[cpu].push_back(parent);
      }
      // A branch through the next CPU's space and back.
      const uint32_t next = cpu % (kCpus - 1) + 1;
      const Token away = *CopyCapability(spaces[cpu], parent, spaces[next], kAllGeneric);
      mine[cpu].push_back(*CopyCapability(spaces[next], away, spaces[cpu], kAllGeneric));
      untouched[cpu] = *spaces[cpu].Insert(unrelated, Rights::kRead);
    }

    std::atomic<bool> revoke_done{false};
    std::atomic<bool> stop{false};
    std::atomic<uint32_t> workers_running{0};
    std::atomic<int> violations{0};
    std::atomic<uint64_t> valid_before{0};
    std::atomic<uint64_t> rejected_after{0};
    std::array<std::vector<Token>, kCpus> derived_during;

    OnAllCpus([&](hal::CpuId cpu) {
      if (cpu == 0) {
        // Revoke while every worker is mid-loop.
        while (workers_running < kCpus - 1) hal::CpuRelax();
        for (int i = 0; i < 100; ++i) hal::CpuRelax();
        ASSERT_EQ(owner.Revoke(root), Status::kOk);
        revoke_done = true;
        // Reuse the freed slots for another object: stale tokens must not
        // resolve to it.
        for (uint32_t other = 1; other < kCpus; ++other) {
          for (size_t i = 0; i < mine[other].size() + 4; ++i) {
            ASSERT_TRUE(spaces[other].Insert(channel, kAllGeneric).ok());
          }
        }
        for (int i = 0; i < 200; ++i) hal::CpuRelax();
        stop = true;
        return;
      }
      CapabilitySpace& space = spaces[cpu];
      std::map<uint64_t, bool> failed;  // Tokens seen rejected.
      bool counted = false;
      while (!stop) {
        for (Token token : mine[cpu]) {
          const bool after = revoke_done;
          const Status status = space.Check(token, ObjectType::kEndpoint, Rights::kRead);
          if (status != Status::kOk && status != Status::kBadHandle) ++violations;
          if (status == Status::kOk && (after || failed[static_cast<uint64_t>(token)])) {
            ++violations;
          }
          if (status == Status::kOk) ++valid_before;
          if (status != Status::kOk) {
            failed[static_cast<uint64_t>(token)] = true;
            if (after) ++rejected_after;
          }
          const bool after_acquire = revoke_done;
          Result<ObjectRef<TestEndpoint>> object = space.Acquire<TestEndpoint>(token, Rights::kRead);
          if (object.ok() && (after_acquire || !(*object)->alive() || object->get() != &endpoint)) {
            ++violations;
          }
          if (space.Check(token, ObjectType::kChannel, Rights::kNone) == Status::kOk) ++violations;
          Result<Token> child = space.Derive(token, Rights::kRead | Rights::kDerive);
          if (child.ok()) derived_during[cpu].push_back(*child);
          hal::CpuRelax();
        }
        if (space.Check(untouched[cpu], ObjectType::kEndpoint, Rights::kRead) != Status::kOk) {
          ++violations;
        }
        if (!counted) {
          counted = true;
          ++workers_running;
        }
      }
    });

    EXPECT_EQ(violations.load(), 0);
    EXPECT_GT(valid_before.load(), 0u) << "no lookup ran before the revocation";
    EXPECT_GT(rejected_after.load(), 0u) << "no lookup ran after the revocation";
    for (uint32_t cpu = 1; cpu < kCpus; ++cpu) {
      for (Token token : mine[cpu]) {
        EXPECT_EQ(spaces[cpu].Check(token, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
      }
      for (Token token : derived_during[cpu]) {
        EXPECT_EQ(spaces[cpu].Check(token, ObjectType::kNone, Rights::kNone), Status::kBadHandle);
      }
    }
    // The creator's reference and root's.
    EXPECT_EQ(endpoint.reference_count(), 2u);
    for (CapabilitySpace& space : spaces) space.Destroy();
    owner.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
    EXPECT_EQ(unrelated.reference_count(), 1u);
    EXPECT_EQ(channel.reference_count(), 1u);
  }, GetParam());
}

TEST_P(ConcurrencyTest, ChurnOnOneTreeKeepsReferenceCountsExact) {
  RunWithSource(kCpus, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace owner;
    owner.Init(source);
    std::array<CapabilitySpace, kCpus> spaces;
    for (CapabilitySpace& space : spaces) space.Init(source);
    const Token root = *owner.Insert(endpoint, kAllGeneric);
    std::atomic<int> violations{0};
    std::atomic<uint64_t> operations{0};

    OnAllCpus([&](hal::CpuId cpu) {
      std::mt19937_64 random(GetParam() * 1000 + cpu);
      std::vector<Token> held;
      for (int step = 0; step < 300; ++step) {
        const uint32_t peer = random() % kCpus;
        const uint64_t choice = random() % 10;
        Token token = held.empty() ? kInvalidToken : held[random() % held.size()];
        Status status = Status::kOk;
        if (held.empty() || choice < 3) {
          Result<Token> copy = CopyCapability(owner, root, spaces[cpu], kAllGeneric);
          if (copy.ok()) held.push_back(*copy);
          status = copy.status();
        } else if (choice < 5) {
          Result<Token> child = spaces[cpu].Derive(token, kAllGeneric);
          if (child.ok()) held.push_back(*child);
          status = child.status();
        } else if (choice < 6) {
          status = spaces[cpu].Delete(token);
        } else if (choice < 7) {
          status = spaces[cpu].Revoke(token);
        } else if (choice < 8) {
          // Hand one to a peer's space; the peer never learns the token, so
          // only revocations and its space's destruction remove it.
          status = CopyCapability(spaces[cpu], token, spaces[peer], Rights::kRead).status();
        } else if (choice < 9 && cpu == 0) {
          status = owner.Revoke(root);
          if (status != Status::kOk) ++violations;
        } else {
          Result<ObjectRef<TestEndpoint>> object =
              spaces[cpu].Acquire<TestEndpoint>(token, Rights::kRead);
          if (object.ok() && !(*object)->alive()) ++violations;
          status = object.status();
        }
        // A token may have been revoked by someone else: kBadHandle is fine.
        if (status != Status::kOk && status != Status::kBadHandle) ++violations;
        ++operations;
      }
    });

    EXPECT_EQ(violations.load(), 0);
    EXPECT_EQ(operations.load(), 300u * kCpus);
    uint32_t capabilities = owner.size();
    for (CapabilitySpace& space : spaces) capabilities += space.size();
    EXPECT_EQ(endpoint.reference_count(), 1 + capabilities);
    ASSERT_EQ(owner.Revoke(root), Status::kOk);
    uint32_t left = 0;
    for (CapabilitySpace& space : spaces) left += space.size();
    EXPECT_EQ(left, 0u) << "every capability derives from root";
    EXPECT_EQ(endpoint.reference_count(), 2u);
    for (CapabilitySpace& space : spaces) space.Destroy();
    owner.Destroy();
    EXPECT_EQ(endpoint.reference_count(), 1u);
  }, GetParam());
}

// Derivations and deletions from kernel threads that the timer preempts
// (interrupts enabled, a short time slice): the space's derivation lock is
// a plain spinlock taken in syscall context, and a holder switched out
// inside it used to be found holding it by the next thread on its CPU
// ("acquired recursively") or to release it from another CPU.
TEST_P(ConcurrencyTest, DerivationsFromPreemptibleThreadsKeepTheTreeAndCounts) {
  constexpr int kThreads = 12;
  static CapabilitySpace* space;
  static Token root;
  testing_support::ExpectPoweredOff(testing_support::RunScheduled(
      {.cpus = 4,
       .seed = GetParam(),
       .max_threads = 32,
       .time_slice = 3'000,
       .configure = [](sim::MachineConfig& config) { config.ram_per_node = 128 << 20; }},
      [] {
        SimPageSource source(/*poison=*/false);
        TestEndpoint endpoint;
        CapabilitySpace shared;
        shared.Init(source);
        space = &shared;
        root = *shared.Insert(endpoint, kAllGeneric);
        ThreadId ids[kThreads];
        for (ThreadId& id : ids) {
          id = testing_support::StartThread(
                   [](void*) {
                     for (int i = 0; i < 200; ++i) {
                       Result<Token> child = space->Derive(root, kAllGeneric);
                       ASSERT_TRUE(child.ok());
                       ASSERT_EQ(space->Delete(*child), Status::kOk);
                     }
                   },
                   nullptr)
                   ->id();
        }
        for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
        EXPECT_EQ(shared.size(), 1u);
        EXPECT_EQ(endpoint.reference_count(), 2u);
        shared.Destroy();
        EXPECT_EQ(endpoint.reference_count(), 1u);
      }));
}

INSTANTIATE_TEST_SUITE_P(Seeds, ConcurrencyTest, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace vos
