// Thread priorities: three classes, each with levels, folded into one number
// 0..kPriorityCount-1 where larger runs first. The scheduler always runs the
// highest runnable priority; threads of equal priority share the CPU round
// robin. Real-time threads cannot starve the others forever: see
// SchedulerConfig::rt_runtime.
#ifndef VERIDIAN_SRC_SCHED_PRIORITY_H_
#define VERIDIAN_SRC_SCHED_PRIORITY_H_

#include <cstdint>

namespace vos {

enum class PriorityClass : uint8_t { kIdle, kNormal, kRealTime };

using Priority = uint8_t;

inline constexpr uint32_t kIdleLevels = 16;
inline constexpr uint32_t kNormalLevels = 32;
inline constexpr uint32_t kRealTimeLevels = 16;
inline constexpr uint32_t kPriorityCount = kIdleLevels + kNormalLevels + kRealTimeLevels;
static_assert(kPriorityCount <= 64, "run queues keep one bit per priority in a uint64_t");

inline constexpr Priority kFirstNormal = kIdleLevels;
inline constexpr Priority kFirstRealTime = kIdleLevels + kNormalLevels;

// `level` counts up from 0 inside the class; out-of-range levels clamp.
constexpr Priority MakePriority(PriorityClass priority_class, uint32_t level) {
  switch (priority_class) {
    case PriorityClass::kIdle:
      return static_cast<Priority>(level < kIdleLevels ? level : kIdleLevels - 1);
    case PriorityClass::kNormal:
      return static_cast<Priority>(kFirstNormal +
                                   (level < kNormalLevels ? level : kNormalLevels - 1));
    case PriorityClass::kRealTime:
      return static_cast<Priority>(kFirstRealTime +
                                   (level < kRealTimeLevels ? level : kRealTimeLevels - 1));
  }
  return kFirstNormal;
}

constexpr PriorityClass ClassOf(Priority priority) {
  if (priority >= kFirstRealTime) return PriorityClass::kRealTime;
  if (priority >= kFirstNormal) return PriorityClass::kNormal;
  return PriorityClass::kIdle;
}

inline constexpr Priority kDefaultPriority = MakePriority(PriorityClass::kNormal, kNormalLevels / 2);

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_PRIORITY_H_
