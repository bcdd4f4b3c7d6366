// The catalog of user programs the simulator can spawn by name: C++
// functions that run in simulated user mode and use only the syscall ABI
// and the user runtime (src/abi/user_*.h).
//
//   hello                 writes a greeting, exits 0
//   exit_with  code       exits with `code`
//   spinner    steps      computes `steps` steps (0: forever), exits 0
//   sleeper    ns         sleeps `ns`, exits 0
//   tree       depth fan  spawns `fan` tree children of depth-1 and waits
//                         for them; exits with its subtree's process count
//   orphaner   ns         spawns a sleeper(ns) and exits without waiting
//   faulter    address    loads from `address`: killed by the fault
//   storm      threads work  `threads` threads computing `work` steps each,
//                         all joined; exits with the number joined
//   forest     procs threads work  `procs` storm children, all waited for;
//                         exits with the total of their exit codes
//   abuse                 calls syscalls with bad arguments; exits 0 when
//                         each returned the documented error, else the
//                         number of the first check that failed
//   info                  checks process_info and thread_info of itself;
//                         exits 0 or the failed check's number
//   placement  mask priority threads depth
//                         `threads` threads check they run only on the CPUs
//                         of `mask` at `priority` (its [[program]] affinity
//                         and priority); with depth > 0 a child placement
//                         must see the same (inherited); exits 0, 1 wrong
//                         CPU, 2 wrong priority, 3 thread, 4 child failed
//   cap_abuse             guessed, foreign, deleted, revoked, under-privileged
//                         and wrong-type tokens; exits 0 when each got the
//                         documented error, else the failed check's number
//   cap_foreign tokens... checks that none of `tokens` (another process's)
//                         works here; exits 0 or the failed check's number
//   cap_holder  ... token  uses a process capability the kernel granted it
//                         (its last argument) until that fails: exits with
//                         the error (100: never worked, 101: never failed)
//   kill_self  code       kills itself with kill(0, code)
//   nop                   exits 0 at once
//   mutex_storm threads iterations   threads adding to a counter under a
//                         kernel mutex; exits 0 when the total is right
//   rwlock_storm readers writers iterations   readers check an invariant
//                         writers keep under the rw lock; exits 0 if it held
//   barrier_storm threads phases   nobody may pass a phase early, one
//                         thread per phase is the last; exits 0 if so
//   semaphore_pool threads iterations units   never more than `units` in
//                         use at once; exits 0 if so
//                         (the storms: 1 broken, 2-5 setup or call errors;
//                         see sync_storms.cc)
//   ipc_pingpong rounds   calls an ipc_pong child `rounds` times through an
//                         endpoint it grants it, checking every answer;
//                         exits 0 (1 wrong message, 2-6: ipc_programs.cc)
//   ipc_pong rounds endpoint   ipc_pingpong's server
//   ipc_pipeline stages messages   feeds `messages` through a chain of
//                         `stages` ipc_stage children; exits 0 when all
//                         came out in order having passed every stage
//   ipc_stage index in out   one pipeline stage (endpoints granted)
//   cap_revoke children   lends revoke_victims a derived capability and
//                         revokes it while they use it; exits 0 when each
//                         then failed with kBadHandle (see revoke.cc)
//   revoke_victim work ready   uses a lent semaphore capability until it
//                         fails: exits with the error (100: never worked,
//                         101: never failed)
//   producer_consumer producers consumers messages   pc_producer children
//                         send numbered items into one channel that
//                         pc_consumer children drain; exits 0 when every
//                         item arrived exactly once, in per-sender order,
//                         from its sender's pid (see channel_programs.cc)
//   pc_producer index messages / pc_consumer producers   its children
//   rate_flood rounds per_second burst [flooders]   an rf_victim's round
//                         trips through an rf_server on a rate-limited
//                         channel stay within 2x of idle while `flooders`
//                         rf_flooders (default 1) flood it; exits 0 if so
//   rf_server / rf_victim rounds pause flooders / rf_flooder   its children
//   channel_stats_reader messages   checks channel_stats against what it
//                         sent and received, and a rate limit's count
//   shm_stream pages chunks   streams checksummed chunks through a
//                         shared-memory ring to an shm_consumer child that
//                         maps it read-only and checks it cannot write it
//                         (see shm_programs.cc)
//   shm_consumer slots / shm_write_probe   its children
//   registry_service clients calls   an rs_server registers "echo"; the
//                         rs_client children look it up and call it; the
//                         name must go when the server dies
//                         (see registry_programs.cc)
//   rs_server calls / rs_client calls   its children
//   ipc_fuzz workers steps seed [threads [kills [registry]]]   `workers`
//                         ipc_fuzz_worker children of `threads` threads
//                         (default 1) make `steps` random syscalls each
//                         through an endpoint, a channel, shared memory and
//                         the `registry` capability (registry_admin's
//                         grant) it shares with them, and objects of their
//                         own (seed 0: from the run), and check what
//                         arrives;
//                         `kills` times it kills a random worker and starts
//                         another; exits 0 or the first failed check (see
//                         ipc_fuzz.cc)
//   ipc_fuzz_worker index steps seed threads   its children
// Arguments are uint64_t values, packed one after another.
#ifndef VERIDIAN_SCENARIOS_PROGRAMS_CATALOG_H_
#define VERIDIAN_SCENARIOS_PROGRAMS_CATALOG_H_

#include <span>

#include "src/proc/program_catalog.h"

namespace programs {

std::span<const vos::Program> Catalog();

}  // namespace programs

#endif  // VERIDIAN_SCENARIOS_PROGRAMS_CATALOG_H_
