// Clang thread-safety annotations (-Wthread-safety); no-ops for other compilers.
#ifndef VERIDIAN_SRC_LIB_THREAD_ANNOTATIONS_H_
#define VERIDIAN_SRC_LIB_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define VOS_TA(x) __attribute__((x))
#else
#define VOS_TA(x)
#endif

#define VOS_CAPABILITY(name) VOS_TA(capability(name))
#define VOS_SCOPED_CAPABILITY VOS_TA(scoped_lockable)
#define VOS_GUARDED_BY(lock) VOS_TA(guarded_by(lock))
#define VOS_PT_GUARDED_BY(lock) VOS_TA(pt_guarded_by(lock))
#define VOS_REQUIRES(...) VOS_TA(requires_capability(__VA_ARGS__))
#define VOS_ACQUIRE(...) VOS_TA(acquire_capability(__VA_ARGS__))
#define VOS_RELEASE(...) VOS_TA(release_capability(__VA_ARGS__))
#define VOS_TRY_ACQUIRE(...) VOS_TA(try_acquire_capability(__VA_ARGS__))
#define VOS_EXCLUDES(...) VOS_TA(locks_excluded(__VA_ARGS__))
#define VOS_RETURN_CAPABILITY(x) VOS_TA(lock_returned(x))
#define VOS_NO_THREAD_SAFETY_ANALYSIS VOS_TA(no_thread_safety_analysis)

#endif  // VERIDIAN_SRC_LIB_THREAD_ANNOTATIONS_H_
