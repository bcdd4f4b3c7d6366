// The interrupt descriptor table: all 256 vectors go to interrupt_entry.S.
#ifndef VERIDIAN_BACKENDS_X86_64_IDT_H_
#define VERIDIAN_BACKENDS_X86_64_IDT_H_

namespace x86 {

// Fills the table (once, on the boot CPU).
void BuildIdt();
// Loads it on the calling CPU.
void LoadIdt();

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_IDT_H_
