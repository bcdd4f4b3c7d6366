// Start-up code of the secondary CPUs (application processors). StartCpu
// copies the real-mode part to kApTrampolineAddress (a page below 1 MiB) and
// fills its data words; the STARTUP IPI starts the CPU there in real mode
// with CS = the page's segment. It loads the kernel's GDT and page tables,
// goes straight to long mode and jumps into the kernel image.

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define KERNEL_CODE_SELECTOR 0x08
#define KERNEL_DATA_SELECTOR 0x10

#define OFFSET(label) ((label) - x86_ap_trampoline_start)

  .section .rodata
  .code16
  .globl x86_ap_trampoline_start
x86_ap_trampoline_start:
  cli
  cld
  mov %cs, %ax
  mov %ax, %ds
  lgdtl OFFSET(x86_ap_trampoline_gdt_pointer)
  mov %cr4, %eax
  or $CR4_PAE, %eax
  mov %eax, %cr4
  mov OFFSET(x86_ap_trampoline_cr3), %eax
  mov %eax, %cr3
  mov $MSR_EFER, %ecx
  mov OFFSET(x86_ap_trampoline_efer), %eax
  xor %edx, %edx
  wrmsr
  mov %cr0, %eax
  or $(CR0_PE | CR0_WP | CR0_PG), %eax
  mov %eax, %cr0
  ljmpl $KERNEL_CODE_SELECTOR, $ap_long_mode_entry

  // Filled by StartCpu (see smp.cc).
  .p2align 3
  .globl x86_ap_trampoline_gdt_pointer
x86_ap_trampoline_gdt_pointer:
  .word 0
  .long 0
  .globl x86_ap_trampoline_cr3
x86_ap_trampoline_cr3:
  .long 0
  .globl x86_ap_trampoline_efer
x86_ap_trampoline_efer:
  .long 0
  .globl x86_ap_trampoline_end
x86_ap_trampoline_end:

  .text
  .code64
ap_long_mode_entry:
  mov $KERNEL_DATA_SELECTOR, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  xor %eax, %eax
  mov %eax, %fs
  mov %eax, %gs
  mov x86_ap_stack_top(%rip), %rsp
  xor %ebp, %ebp
  call X86SecondaryMain
  ud2
