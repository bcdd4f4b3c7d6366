// The service registry: register and look up by name, capabilities minted
// with at most the published rights, duplicates, who may unregister,
// capacity, name limits, probe chains after deletions, and concurrent
// register/lookup/unregister on 8 CPUs.
#include "src/ipc/registry.h"

#include <atomic>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/cap/capability_space.h"
#include "tests/cap/cap_test_support.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

using testing_support::OnAllCpus;
using testing_support::RunWithSource;
using testing_support::SimPageSource;
using testing_support::TestChannel;
using testing_support::TestEndpoint;

std::span<const char> Name(const std::string& name) { return {name.data(), name.size()}; }

constexpr Rights kServerRights = Rights::kRead | Rights::kWrite | Rights::kGrant |
                                 Rights::kDerive | rights::kEndpointSend |
                                 rights::kEndpointReceive | rights::kEndpointRegister;
constexpr Rights kClientRights = Rights::kRead | rights::kEndpointSend;
constexpr Registry::OwnerId kServer = 1;
constexpr Registry::OwnerId kOther = 2;

TEST(RegistryTest, RegisterThenLookUpAndMintWithAtMostThePublishedRights) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    CapabilitySpace server;
    CapabilitySpace client;
    server.Init(source);
    client.Init(source);
    const Token token = *server.Insert(endpoint, kServerRights);
    Registry registry;
    ASSERT_EQ(registry.Register(server, token, Name("fs"), kClientRights, kServer), Status::kOk);
    EXPECT_EQ(registry.size(), 1u);
    EXPECT_EQ(endpoint.reference_count(), 3u);  // Creator, capability, registry.

    Result<Registry::Service> found = registry.Lookup(Name("fs"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->object.get(), &endpoint);
    EXPECT_EQ(found->rights, kClientRights);
    found->object.Reset();

    Result<Token> minted = registry.LookupInto(Name("fs"), client, rights::kEndpointSend);
    ASSERT_TRUE(minted.ok());
    EXPECT_EQ(client.Check(*minted, ObjectType::kEndpoint, rights::kEndpointSend), Status::kOk);
    EXPECT_EQ(client.Check(*minted, ObjectType::kEndpoint, Rights::kRead),
              Status::kPermissionDenied);
    // Beyond what was published: refused, nothing inserted.
    EXPECT_EQ(registry.LookupInto(Name("fs"), client, rights::kEndpointReceive).status(),
              Status::kPermissionDenied);
    EXPECT_EQ(client.size(), 1u);
    EXPECT_EQ(registry.Lookup(Name("fsx")).status(), Status::kNotFound);
    EXPECT_EQ(registry.Lookup(Name("f")).status(), Status::kNotFound);
  });
}

TEST(RegistryTest, RegisteringNeedsTheRegisterRightOfTheObjectsType) {
  RunWithSource(1, [](SimPageSource& source) {
    TestEndpoint endpoint;
    TestChannel channel;
    testing_support::CountedObject<ObjectType::kThread> thread;
    CapabilitySpace caps;
    caps.Init(source);
    Registry registry;
    const Token no_register = *caps.Insert(endpoint, kServerRights & ~rights::kEndpointRegister);
    EXPECT_EQ(registry.Register(caps, no_register, Name("a"), kClientRights, kServer),
              Status::kPermissionDenied);
    const Token narrow = *caps.Insert(endpoint, rights::kEndpointRegister | Rights::kRead);
    // Publishing more than the capability holds.
    EXPECT_EQ(registry.Register(caps, narrow, Name("a"), kClientRights, kServer),
              Status::kPermissionDenied);
    EXPECT_EQ(registry.Register(caps, narrow, Name("a"), Rights::kRead, kServer), Status::kOk);
    const Token wrong_type = *caps.Insert(thread, Rights::kAll);
    EXPECT_EQ(registry.Register(caps, wrong_type, Name("b"), Rights::kRead, kServer),
              Status::kInvalidArgument);
    // A channel needs its own register right: the endpoint's bit means
    // something else on a channel (kChannelConfigure).
    const Token configure_only =
        *caps.Insert(channel, rights::kChannelConfigure | rights::kChannelSend);
    EXPECT_EQ(registry.Register(caps, configure_only, Name("c"), Rights::kNone, kServer),
              Status::kPermissionDenied);
    const Token registrable =
        *caps.Insert(channel, rights::kChannelRegister | rights::kChannelSend);
    EXPECT_EQ(registry.Register(caps, registrable, Name("c"), rights::kChannelSend, kServer),
              Status::kOk);
    EXPECT_EQ(registry.Register(caps, Token{0x0123456789abcdef}, Name("b"), Rights::kRead,
                                kServer),
              Status::kBadHandle);
    ASSERT_EQ(caps.Delete(narrow), Status::kOk);
    EXPECT_EQ(registry.Register(caps, narrow, Name("b"), Rights::kRead, kServer),
              Status::kBadHandle);  // Stale.
    EXPECT_EQ(registry.size(), 2u);
  });
}

TEST(RegistryTest, DuplicateNamesAndNameLimits) {
  RunWithSource(1, [](SimPageSource&) {
    TestEndpoint a;
    TestEndpoint b;
    Registry registry;
    ASSERT_EQ(registry.RegisterObject(a, Name("svc"), kClientRights, kServer), Status::kOk);
    EXPECT_EQ(registry.RegisterObject(b, Name("svc"), kClientRights, kOther),
              Status::kAlreadyExists);
    EXPECT_EQ(registry.Lookup(Name("svc"))->object.get(), &a);
    const std::string longest(Registry::kMaxNameLength, 'n');
    EXPECT_EQ(registry.RegisterObject(b, Name(longest), kClientRights, kOther), Status::kOk);
    EXPECT_EQ(registry.Lookup(Name(longest))->object.get(), &b);
    const std::string too_long(Registry::kMaxNameLength + 1, 'n');
    EXPECT_EQ(registry.RegisterObject(b, Name(too_long), kClientRights, kOther),
              Status::kInvalidArgument);
    EXPECT_EQ(registry.Lookup(Name(too_long)).status(), Status::kInvalidArgument);
    EXPECT_EQ(registry.RegisterObject(b, Name(""), kClientRights, kOther),
              Status::kInvalidArgument);
    // Names are bytes: an embedded NUL is part of the name.
    const std::string with_nul("svc\0x", 5);
    EXPECT_EQ(registry.RegisterObject(b, Name(with_nul), kClientRights, kOther), Status::kOk);
    EXPECT_EQ(registry.Lookup(Name(with_nul))->object.get(), &b);
    EXPECT_EQ(registry.size(), 3u);
  });
}

TEST(RegistryTest, OnlyTheRegistrantOrTheAdministratorUnregisters) {
  RunWithSource(1, [](SimPageSource&) {
    TestEndpoint endpoint;
    {
      Registry registry;
      ASSERT_EQ(registry.RegisterObject(endpoint, Name("a"), kClientRights, kServer),
                Status::kOk);
      ASSERT_EQ(registry.RegisterObject(endpoint, Name("b"), kClientRights, kServer),
                Status::kOk);
      ASSERT_EQ(registry.RegisterObject(endpoint, Name("c"), kClientRights, kServer),
                Status::kOk);
      ASSERT_EQ(registry.RegisterObject(endpoint, Name("d"), kClientRights, kOther), Status::kOk);
      EXPECT_EQ(endpoint.reference_count(), 5u);
      EXPECT_EQ(registry.Unregister(Name("a"), kOther), Status::kPermissionDenied);
      EXPECT_EQ(registry.Unregister(Name("a"), kServer), Status::kOk);
      EXPECT_EQ(registry.Unregister(Name("a"), kServer), Status::kNotFound);
      EXPECT_EQ(registry.Lookup(Name("a")).status(), Status::kNotFound);
      EXPECT_EQ(registry.ForceUnregister(Name("b")), Status::kOk);
      // The registrant dies: its names go, others' stay.
      EXPECT_EQ(registry.UnregisterOwner(kServer), 1u);
      EXPECT_EQ(registry.Lookup(Name("c")).status(), Status::kNotFound);
      EXPECT_TRUE(registry.Lookup(Name("d")).ok());
      EXPECT_EQ(registry.size(), 1u);
      EXPECT_EQ(endpoint.reference_count(), 2u);
    }
    // The registry's destructor dropped the last entry's reference.
    EXPECT_EQ(endpoint.reference_count(), 1u);
    EXPECT_EQ(endpoint.releases, 0);
  });
}

// Fills the registry, then deletes every other name and checks that every
// survivor is still found (backward-shift deletion keeps probe runs whole)
// and that freed places are reused.
TEST(RegistryTest, CapacityAndLookupsAfterDeletions) {
  RunWithSource(1, [](SimPageSource&) {
    TestEndpoint endpoint;
    Registry registry;
    auto name = [](size_t i) { return "service-" + std::to_string(i); };
    for (size_t i = 0; i < Registry::kCapacity; ++i) {
      ASSERT_EQ(registry.RegisterObject(endpoint, Name(name(i)), kClientRights, kServer),
                Status::kOk);
    }
    EXPECT_EQ(registry.RegisterObject(endpoint, Name("one-more"), kClientRights, kServer),
              Status::kOutOfRange);
    for (size_t i = 0; i < Registry::kCapacity; i += 2) {
      ASSERT_EQ(registry.Unregister(Name(name(i)), kServer), Status::kOk);
    }
    for (size_t i = 0; i < Registry::kCapacity; ++i) {
      EXPECT_EQ(registry.Lookup(Name(name(i))).status(),
                i % 2 == 0 ? Status::kNotFound : Status::kOk)
          << name(i);
    }
    for (size_t i = 0; i < Registry::kCapacity; i += 2) {
      ASSERT_EQ(registry.RegisterObject(endpoint, Name("again-" + std::to_string(i)),
                                        kClientRights, kServer),
                Status::kOk);
    }
    EXPECT_EQ(registry.size(), Registry::kCapacity);
    EXPECT_EQ(registry.UnregisterOwner(kServer), Registry::kCapacity);
    EXPECT_EQ(endpoint.reference_count(), 1u);
  });
}

// Eight CPUs each register their own names, look up every CPU's names
// (found, or not yet registered: never a wrong object), and unregister half.
TEST(RegistryTest, ConcurrentRegisterLookupAndUnregisterOnEightCpus) {
  constexpr uint32_t kCpus = 8;
  constexpr int kPerCpu = 24;
  RunWithSource(
      kCpus,
      [](SimPageSource&) {
        static TestEndpoint endpoints[kCpus];
        Registry registry;
        std::atomic<int> wrong{0};
        std::atomic<int> found{0};
        auto name = [](uint32_t cpu, int i) {
          return "cpu" + std::to_string(cpu) + "/svc" + std::to_string(i);
        };
        OnAllCpus([&](hal::CpuId cpu) {
          for (int i = 0; i < kPerCpu; ++i) {
            ASSERT_EQ(registry.RegisterObject(endpoints[cpu], Name(name(cpu, i)), kClientRights,
                                              cpu + 100),
                      Status::kOk);
            const uint32_t peer = (cpu + 1 + i) % kCpus;
            Result<Registry::Service> service = registry.Lookup(Name(name(peer, i)));
            if (service.ok()) {
              found.fetch_add(1);
              if (service->object.get() != &endpoints[peer]) wrong.fetch_add(1);
            } else if (service.status() != Status::kNotFound) {
              wrong.fetch_add(1);
            }
          }
          for (int i = 0; i < kPerCpu; i += 2) {
            ASSERT_EQ(registry.Unregister(Name(name(cpu, i)), cpu + 100), Status::kOk);
          }
        });
        EXPECT_EQ(wrong.load(), 0);
        EXPECT_GT(found.load(), 0);
        EXPECT_EQ(registry.size(), kCpus * kPerCpu / 2);
        for (uint32_t cpu = 0; cpu < kCpus; ++cpu) {
          for (int i = 0; i < kPerCpu; ++i) {
            Result<Registry::Service> service = registry.Lookup(Name(name(cpu, i)));
            ASSERT_EQ(service.ok(), i % 2 == 1) << name(cpu, i);
            if (service.ok()) {
              EXPECT_EQ(service->object.get(), &endpoints[cpu]);
            }
          }
          EXPECT_EQ(registry.UnregisterOwner(cpu + 100), static_cast<size_t>(kPerCpu / 2));
          EXPECT_EQ(endpoints[cpu].reference_count(), 1u);
        }
      },
      /*seed=*/7);
}

}  // namespace
}  // namespace vos
