// registry_service: a server publishes an endpoint under a name in the
// kernel's service registry; clients that hold no capability to it find it
// there and call it. Checked on the way: a lookup cannot ask for more
// rights than were published, only the registrant may unregister, a name
// is registered once, and the registrant's death removes the name.
// Exit codes: exit_codes.h's (kNoObject: the endpoint could not be made or
// registered), and 7 the service never appeared.
#include <cstring>

#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

constexpr int64_t kNeverFound = 7;

constexpr char kName[] = "echo";
constexpr uint64_t kNameSize = sizeof(kName) - 1;
constexpr uint64_t kNameAt = kBuffers;
constexpr uint64_t kIn = kNameAt + 64;
constexpr uint64_t kOut = kIn + sizeof(abi::IpcMessage);
constexpr uint64_t kWaitAt = kOut + sizeof(abi::IpcMessage);

uint64_t Name() { return Put(kNameAt, kName, kNameSize); }

void PutValue(uint64_t at, uint64_t value, uint64_t reply_handle = 0) {
  abi::IpcMessage message{};
  message.reply_handle = reply_handle;
  message.length = sizeof(value);
  std::memcpy(message.data, &value, sizeof(value));
  Put(at, &message, abi::kIpcHeaderSize + sizeof(value));
}

// The value and reply handle of the message at `at`.
uint64_t GetValue(uint64_t at, uint64_t* reply_handle = nullptr) {
  abi::IpcMessage message;
  user::Load(at, &message, abi::kIpcHeaderSize + sizeof(uint64_t));
  if (reply_handle != nullptr) *reply_handle = message.reply_handle;
  uint64_t value = 0;
  std::memcpy(&value, message.data, sizeof(value));
  return message.length == sizeof(value) ? value : ~uint64_t{0};
}

// rs_server calls: registers "echo" (send right only) and answers `calls`
// calls with the request's value plus one. Leaves the name registered: its
// death must remove it.
int64_t Server(Args args) {
  const uint64_t calls = Arg(args, 0);
  if (calls == 0) return kBadArguments;
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint < 0) return kNoObject;
  const uint64_t token = static_cast<uint64_t>(endpoint);
  // Without the register right, or publishing more than it holds: refused.
  const int64_t send_only = user::CapDerive(token, abi::kRightEndpointSend);
  if (send_only < 0) return kNoObject;
  if (user::RegistryRegister(static_cast<uint64_t>(send_only), Name(), kNameSize,
                             abi::kRightEndpointSend) != Code(vos::Status::kPermissionDenied)) {
    return kBroken;
  }
  if (user::RegistryRegister(token, Name(), kNameSize, abi::kRightEndpointSend) != 0) {
    return kNoObject;
  }
  if (user::RegistryRegister(token, Name(), kNameSize, abi::kRightEndpointSend) !=
      Code(vos::Status::kAlreadyExists)) {
    return kBroken;
  }
  if (user::IpcReceive(token, kIn) != 0) return kCallFailed;
  for (uint64_t n = 1; n <= calls; ++n) {
    uint64_t handle = 0;
    const uint64_t value = GetValue(kIn, &handle);
    if (handle == 0) return kBroken;
    PutValue(kOut, value + 1, handle);
    // After the last answer nothing more comes: wait a little only.
    const uint64_t deadline = n == calls ? static_cast<uint64_t>(user::GetTime()) + 100'000 : 0;
    const int64_t result = user::IpcReplyWait(token, kOut, kIn, deadline);
    if (result != (n == calls ? Code(vos::Status::kTimedOut) : 0)) return kCallFailed;
  }
  return 0;
}

// rs_client calls: finds "echo" and makes `calls` calls to it.
int64_t Client(Args args) {
  const uint64_t calls = Arg(args, 0);
  const int64_t service = LookUpUntilFound(kNameAt, kName, kNameSize, abi::kRightEndpointSend);
  if (service == Code(vos::Status::kNotFound)) return kNeverFound;
  if (service < 0) return kCallFailed;
  // Only the published right, and only the registrant unregisters.
  if (user::RegistryLookup(Name(), kNameSize, abi::kRightEndpointReceive) !=
          Code(vos::Status::kPermissionDenied) ||
      user::RegistryUnregister(Name(), kNameSize) != Code(vos::Status::kPermissionDenied) ||
      user::IpcReceive(static_cast<uint64_t>(service), kIn, 0) !=
          Code(vos::Status::kPermissionDenied)) {
    return kBroken;
  }
  for (uint64_t n = 0; n < calls; ++n) {
    const uint64_t value = n * 1000 + 7;
    PutValue(kOut, value);
    if (user::IpcCall(static_cast<uint64_t>(service), kOut, kIn) != 0) return kCallFailed;
    if (GetValue(kIn) != value + 1) return kBroken;
  }
  return 0;
}

// registry_service clients calls: an rs_server and `clients` rs_clients
// making `calls` calls each; once the server is gone, its name must be.
int64_t Service(Args args) {
  const uint64_t clients = Arg(args, 0);
  const uint64_t calls = Arg(args, 1);
  if (clients == 0 || clients > 32 || calls == 0) return kBadArguments;
  const uint64_t total = clients * calls;
  const int64_t server = SpawnWith("rs_server", &total, 1);
  if (server < 0) return kNoChild;
  int64_t children[32];
  for (uint64_t c = 0; c < clients; ++c) {
    children[c] = SpawnWith("rs_client", &calls, 1);
    if (children[c] < 0) return kNoChild;
  }
  int64_t verdict = 0;
  for (uint64_t c = 0; c <= clients; ++c) {
    const int64_t child = c == clients ? server : children[c];
    const vos::Result<abi::ExitStatus> status = WaitChild(static_cast<uint64_t>(child), kWaitAt);
    if (!status.ok()) return kCallFailed;
    if (verdict == 0) verdict = ChildVerdict(status.value());
  }
  if (verdict != 0) return verdict;
  // The server died registered: the name went with it.
  return user::RegistryLookup(Name(), kNameSize, abi::kRightEndpointSend) ==
                 Code(vos::Status::kNotFound)
             ? 0
             : kBroken;
}

}  // namespace

const vos::user::Entry kRegistryService = &vos::user::ProgramEntry<Service>;
const vos::user::Entry kRsServer = &vos::user::ProgramEntry<Server>;
const vos::user::Entry kRsClient = &vos::user::ProgramEntry<Client>;

}  // namespace programs
