// The legacy 8259 interrupt controllers, which this backend does not use.
#ifndef VERIDIAN_BACKENDS_X86_64_PIC_H_
#define VERIDIAN_BACKENDS_X86_64_PIC_H_

namespace x86 {

// Moves both PICs' vectors off the CPU exceptions (to kLegacyPicVectorBase)
// and masks every line: interrupts come through the local APIC only.
void DisableLegacyPic();

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_PIC_H_
