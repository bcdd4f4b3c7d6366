// hal::ContextSwitch(from, to): saves the callee-saved registers of the
// System V ABI on the current stack, stores RSP in from->saved_sp (offset 0
// of hal::KernelContext), loads to->saved_sp and pops the same frame.
// context.cc builds the first frame of a new context to match this layout.

  .text
  .p2align 4
  .globl _ZN3hal13ContextSwitchEPNS_13KernelContextES1_
_ZN3hal13ContextSwitchEPNS_13KernelContextES1_:
  push %rbp
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, (%rdi)
  mov (%rsi), %rsp
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %rbp
  ret

// First code of a new context: entry in r12, its argument in r13.
  .globl x86_context_start
x86_context_start:
  mov %r13, %rdi
  call *%r12
  ud2  // hal::ContextEntry must not return.
