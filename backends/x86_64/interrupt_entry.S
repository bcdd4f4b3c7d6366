// Interrupt and exception entry: one stub per IDT vector pushes a
// zero error code (unless the CPU pushed one) and the vector number, then the
// common path saves the general registers as a TrapFrame (interrupt.h) and
// calls X86HandleInterrupt(frame). Every gate is an interrupt gate, so the
// handler runs with interrupts disabled.

  // x86_interrupt_stub_table[vector] is the address of the vector's stub.
  .section .rodata
  .p2align 3
  .globl x86_interrupt_stub_table
x86_interrupt_stub_table:

  .text
  .set vector, 0
  .rept 256
    .p2align 4
1:
    // Vectors for which the CPU pushes an error code itself.
    .if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    .else
      pushq $0
    .endif
    pushq $vector
    jmp interrupt_common
    .pushsection .rodata
    .quad 1b
    .popsection
    .set vector, vector + 1
  .endr

interrupt_common:
  // The CPU aligned RSP to 16 before pushing its 5-word frame; with the two
  // words above and 15 registers the call below sees an aligned stack.
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi
  cld
  call X86HandleInterrupt
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %r11
  pop %r10
  pop %r9
  pop %r8
  pop %rbp
  pop %rdi
  pop %rsi
  pop %rdx
  pop %rcx
  pop %rbx
  pop %rax
  add $16, %rsp  // vector and error code
  iretq
