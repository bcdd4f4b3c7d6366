// Multiboot1 entry: QEMU (or GRUB) jumps to x86_boot_entry in 32-bit
// protected mode, paging off, EAX = Multiboot magic, EBX = Multiboot info.
// We zero .bss, identity-map the first 4 GiB with 2 MiB pages, enter long
// mode and call X86Main(magic, info) on the boot stack.

#define MULTIBOOT_MAGIC 0x1BADB002
// Bit 1: give a memory map. Bit 16: the a.out kludge (load addresses below),
// without which QEMU refuses an ELF64 image.
#define MULTIBOOT_FLAGS ((1 << 1) | (1 << 16))

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CPUID_EXT_NX (1 << 20)
#define PTE_PRESENT_WRITABLE 0x3
#define PTE_LARGE_PAGE 0x80

// Selectors of x86_gdt (see gdt.h).
#define KERNEL_CODE_SELECTOR 0x08
#define KERNEL_DATA_SELECTOR 0x10

#define IDENTITY_MAP_GIB 4
#define BOOT_STACK_SIZE 16384

  .section .multiboot, "a"
  .p2align 2
multiboot_header:
  .long MULTIBOOT_MAGIC
  .long MULTIBOOT_FLAGS
  .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
  .long multiboot_header  // header_addr
  .long __kernel_start    // load_addr
  .long __load_end        // load_end_addr
  .long __bss_end         // bss_end_addr
  .long x86_boot_entry    // entry_addr

  .section .text.boot, "ax"
  .code32
  .globl x86_boot_entry
x86_boot_entry:
  cli
  cld
  mov %eax, %ebp  // Multiboot magic; EBX (info) is left alone until the call.

  // The page tables and the boot stack live in .bss: clear it first.
  mov $__bss_start, %edi
  mov $__bss_end, %ecx
  sub %edi, %ecx
  xor %eax, %eax
  rep stosb
  mov $x86_boot_stack_top, %esp

  // PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages.
  mov $boot_pdpt + PTE_PRESENT_WRITABLE, %eax
  mov %eax, x86_boot_pml4
  mov $boot_pd + PTE_PRESENT_WRITABLE, %eax
  mov $boot_pdpt, %edi
  mov $IDENTITY_MAP_GIB, %ecx
1:
  mov %eax, (%edi)
  add $4096, %eax
  add $8, %edi
  loop 1b

  mov $boot_pd, %edi
  mov $PTE_PRESENT_WRITABLE + PTE_LARGE_PAGE, %eax
  mov $IDENTITY_MAP_GIB * 512, %ecx
2:
  mov %eax, (%edi)  // The high half of each entry is already zero.
  add $0x200000, %eax
  add $8, %edi
  loop 2b

  mov $x86_boot_pml4, %eax
  mov %eax, %cr3
  mov %cr4, %eax
  or $CR4_PAE, %eax
  mov %eax, %cr4

  // Long mode, and no-execute page bits when the CPU has them (the kernel's
  // own page tables may set them).
  push %ebx
  mov $0x80000001, %eax
  cpuid
  pop %ebx
  mov $MSR_EFER, %ecx
  mov %edx, %esi
  rdmsr
  or $EFER_LME, %eax
  test $CPUID_EXT_NX, %esi
  jz 3f
  or $EFER_NXE, %eax
3:
  wrmsr

  mov %cr0, %eax
  or $(CR0_PE | CR0_WP | CR0_PG), %eax
  mov %eax, %cr0

  lgdt x86_gdt_pointer  // A 32-bit lgdt reads the low half of the base.
  ljmp $KERNEL_CODE_SELECTOR, $long_mode_entry

  .code64
long_mode_entry:
  mov $KERNEL_DATA_SELECTOR, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  xor %eax, %eax
  mov %eax, %fs
  mov %eax, %gs
  mov %ebp, %edi  // magic
  mov %ebx, %esi  // info
  xor %ebp, %ebp  // Terminates frame-pointer walks.
  call X86Main
  ud2

  .bss
  .p2align 12
  .globl x86_boot_pml4  // The secondary CPUs start on the same tables.
x86_boot_pml4:
  .skip 4096
boot_pdpt:
  .skip 4096
boot_pd:
  .skip 4096 * IDENTITY_MAP_GIB
  .p2align 4
  .skip BOOT_STACK_SIZE
x86_boot_stack_top:
