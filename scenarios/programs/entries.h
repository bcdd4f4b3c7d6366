// The entry points of the catalog's programs (defined next to each program).
#ifndef VERIDIAN_SCENARIOS_PROGRAMS_ENTRIES_H_
#define VERIDIAN_SCENARIOS_PROGRAMS_ENTRIES_H_

#include "src/abi/user_runtime.h"

namespace programs {

extern const vos::user::Entry kHello;
extern const vos::user::Entry kExitWith;
extern const vos::user::Entry kSpinner;
extern const vos::user::Entry kSleeper;
extern const vos::user::Entry kNop;
extern const vos::user::Entry kFaulter;
extern const vos::user::Entry kTree;
extern const vos::user::Entry kOrphaner;
extern const vos::user::Entry kStorm;
extern const vos::user::Entry kForest;
extern const vos::user::Entry kAbuse;
extern const vos::user::Entry kInfo;
extern const vos::user::Entry kPlacement;
extern const vos::user::Entry kCapAbuse;
extern const vos::user::Entry kCapForeign;
extern const vos::user::Entry kCapHolder;
extern const vos::user::Entry kKillSelf;
extern const vos::user::Entry kMutexStorm;
extern const vos::user::Entry kRwLockStorm;
extern const vos::user::Entry kBarrierStorm;
extern const vos::user::Entry kSemaphorePool;
extern const vos::user::Entry kIpcPingPong;
extern const vos::user::Entry kIpcPong;
extern const vos::user::Entry kIpcPipeline;
extern const vos::user::Entry kIpcStage;
extern const vos::user::Entry kCapRevoke;
extern const vos::user::Entry kRevokeVictim;
extern const vos::user::Entry kProducerConsumer;
extern const vos::user::Entry kPcProducer;
extern const vos::user::Entry kPcConsumer;
extern const vos::user::Entry kRateFlood;
extern const vos::user::Entry kRfServer;
extern const vos::user::Entry kRfVictim;
extern const vos::user::Entry kRfFlooder;
extern const vos::user::Entry kChannelStatsReader;
extern const vos::user::Entry kShmStream;
extern const vos::user::Entry kShmConsumer;
extern const vos::user::Entry kShmWriteProbe;
extern const vos::user::Entry kRegistryService;
extern const vos::user::Entry kRsServer;
extern const vos::user::Entry kRsClient;
extern const vos::user::Entry kRegistryAdmin;
extern const vos::user::Entry kRaSquatter;
extern const vos::user::Entry kRaNoAdmin;
extern const vos::user::Entry kIpcFuzz;
extern const vos::user::Entry kIpcFuzzWorker;

}  // namespace programs

#endif  // VERIDIAN_SCENARIOS_PROGRAMS_ENTRIES_H_
