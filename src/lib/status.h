// Kernel errors are values: Status, and Result<T> for a value or a Status.
#ifndef VERIDIAN_SRC_LIB_STATUS_H_
#define VERIDIAN_SRC_LIB_STATUS_H_

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace vos {

// Numbering is part of the syscall ABI: append only.
enum class [[nodiscard]] Status : int32_t {
  kOk = 0,
  kInvalidArgument = -1,
  kNoMemory = -2,
  kNotFound = -3,
  kPermissionDenied = -4,
  kWouldBlock = -5,
  kTimedOut = -6,
  kBadHandle = -7,
  kOutOfRange = -8,
  kAlreadyExists = -9,
  kBusy = -10,
  kPeerClosed = -11,
  kNotSupported = -12,
  kRateLimited = -13,
  kInternal = -14,
  // A wait ended because the waiting thread's process is dying (kernel
  // internal: the thread leaves instead of returning to user mode).
  kInterrupted = -15,
};

const char* StatusName(Status status);

inline bool IsOk(Status status) { return status == Status::kOk; }

// A T or an error Status. T must be default-constructible-free: storage is
// raw, constructed only on success.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(Status error) : status_(error) {}  // NOLINT: implicit by design.
  Result(T value) : status_(Status::kOk) {  // NOLINT: implicit by design.
    new (&storage_) T(std::move(value));
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) : status_(other.status_) {
    if (ok()) new (&storage_) T(std::move(other.value()));
  }
  ~Result() {
    if (ok()) value().~T();
  }

  bool ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }
  T& value() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
  const T& value() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace vos

// Returns the Status of `expr` from the enclosing function if it is an error.
#define VOS_RETURN_IF_ERROR(expr)                          \
  do {                                                     \
    ::vos::Status vos_status_ = (expr);                    \
    if (vos_status_ != ::vos::Status::kOk) return vos_status_; \
  } while (0)

#endif  // VERIDIAN_SRC_LIB_STATUS_H_
