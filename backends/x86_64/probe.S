// The access of hal::ProbeAccess (probe.cc), under an armed FaultRecovery
// (fault_recovery.h):
//   bool x86_probe_access(FaultRecovery* recovery, uint64_t address,
//                         uint64_t kind, uint64_t* value)
// kind 0 loads 8 bytes into *value, 1 stores *value, 2 calls `address` (which
// must hold a ret). Returns false, or true when a fault resumed it at
// probe_faulted (the recovery record then says which).

#define RECOVERY_RESUME_RIP 0
#define RECOVERY_RESUME_RSP 8
#define PROBE_READ 0
#define PROBE_WRITE 1

  .text
  .globl x86_probe_access
x86_probe_access:
  lea probe_faulted(%rip), %rax
  mov %rax, RECOVERY_RESUME_RIP(%rdi)
  mov %rsp, RECOVERY_RESUME_RSP(%rdi)  // Points at our return address.
  cmp $PROBE_READ, %rdx
  je 1f
  cmp $PROBE_WRITE, %rdx
  je 2f
  call *%rsi  // A fetch fault resumes below with the pushed address dropped.
  jmp 3f
1:
  mov (%rsi), %rax
  mov %rax, (%rcx)
  jmp 3f
2:
  mov (%rcx), %rax
  mov %rax, (%rsi)
3:
  xor %eax, %eax
  ret
probe_faulted:
  mov $1, %eax
  ret
