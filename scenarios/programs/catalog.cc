#include "scenarios/programs/catalog.h"

#include <array>

#include "scenarios/programs/entries.h"
#include "src/abi/user_runtime.h"

namespace programs {

std::span<const vos::Program> Catalog() {
  // Code addresses are handed out in this order at the first call.
  static const std::array<vos::Program, 46> catalog = {{
      {"hello", vos::user::CodeAddress(kHello)},
      {"exit_with", vos::user::CodeAddress(kExitWith)},
      {"spinner", vos::user::CodeAddress(kSpinner)},
      {"sleeper", vos::user::CodeAddress(kSleeper)},
      {"nop", vos::user::CodeAddress(kNop)},
      {"faulter", vos::user::CodeAddress(kFaulter)},
      {"tree", vos::user::CodeAddress(kTree)},
      {"orphaner", vos::user::CodeAddress(kOrphaner)},
      {"storm", vos::user::CodeAddress(kStorm)},
      {"forest", vos::user::CodeAddress(kForest)},
      {"abuse", vos::user::CodeAddress(kAbuse)},
      {"info", vos::user::CodeAddress(kInfo)},
      {"placement", vos::user::CodeAddress(kPlacement)},
      {"cap_abuse", vos::user::CodeAddress(kCapAbuse)},
      {"cap_foreign", vos::user::CodeAddress(kCapForeign)},
      {"cap_holder", vos::user::CodeAddress(kCapHolder)},
      {"kill_self", vos::user::CodeAddress(kKillSelf)},
      {"mutex_storm", vos::user::CodeAddress(kMutexStorm)},
      {"rwlock_storm", vos::user::CodeAddress(kRwLockStorm)},
      {"barrier_storm", vos::user::CodeAddress(kBarrierStorm)},
      {"semaphore_pool", vos::user::CodeAddress(kSemaphorePool)},
      {"ipc_pingpong", vos::user::CodeAddress(kIpcPingPong)},
      {"ipc_pong", vos::user::CodeAddress(kIpcPong)},
      {"ipc_pipeline", vos::user::CodeAddress(kIpcPipeline)},
      {"ipc_stage", vos::user::CodeAddress(kIpcStage)},
      {"cap_revoke", vos::user::CodeAddress(kCapRevoke)},
      {"revoke_victim", vos::user::CodeAddress(kRevokeVictim)},
      {"producer_consumer", vos::user::CodeAddress(kProducerConsumer)},
      {"pc_producer", vos::user::CodeAddress(kPcProducer)},
      {"pc_consumer", vos::user::CodeAddress(kPcConsumer)},
      {"rate_flood", vos::user::CodeAddress(kRateFlood)},
      {"rf_server", vos::user::CodeAddress(kRfServer)},
      {"rf_victim", vos::user::CodeAddress(kRfVictim)},
      {"rf_flooder", vos::user::CodeAddress(kRfFlooder)},
      {"channel_stats_reader", vos::user::CodeAddress(kChannelStatsReader)},
      {"shm_stream", vos::user::CodeAddress(kShmStream)},
      {"shm_consumer", vos::user::CodeAddress(kShmConsumer)},
      {"shm_write_probe", vos::user::CodeAddress(kShmWriteProbe)},
      {"registry_service", vos::user::CodeAddress(kRegistryService)},
      {"rs_server", vos::user::CodeAddress(kRsServer)},
      {"rs_client", vos::user::CodeAddress(kRsClient)},
      {"registry_admin", vos::user::CodeAddress(kRegistryAdmin)},
      {"ra_squatter", vos::user::CodeAddress(kRaSquatter)},
      {"ra_no_admin", vos::user::CodeAddress(kRaNoAdmin)},
      {"ipc_fuzz", vos::user::CodeAddress(kIpcFuzz)},
      {"ipc_fuzz_worker", vos::user::CodeAddress(kIpcFuzzWorker)},
  }};
  return catalog;
}

}  // namespace programs
