#include "backends/x86_64/pic.h"

#include <cstdint>

#include "backends/x86_64/interrupt.h"
#include "backends/x86_64/x86.h"

namespace x86 {
namespace {

constexpr uint16_t kPrimaryCommand = 0x20;
constexpr uint16_t kPrimaryData = 0x21;
constexpr uint16_t kSecondaryCommand = 0xA0;
constexpr uint16_t kSecondaryData = 0xA1;
constexpr uint8_t kInitWithIcw4 = 0x11;
constexpr uint8_t kSecondaryOnIrq2 = 1 << 2;  // ICW3 of the primary.
constexpr uint8_t kSecondaryCascadeId = 2;    // ICW3 of the secondary.
constexpr uint8_t kMode8086 = 0x01;
constexpr uint8_t kMaskAll = 0xFF;

}  // namespace

void DisableLegacyPic() {
  Outb(kPrimaryCommand, kInitWithIcw4);
  Outb(kSecondaryCommand, kInitWithIcw4);
  Outb(kPrimaryData, kLegacyPicVectorBase);
  Outb(kSecondaryData, kLegacyPicVectorBase + 8);
  Outb(kPrimaryData, kSecondaryOnIrq2);
  Outb(kSecondaryData, kSecondaryCascadeId);
  Outb(kPrimaryData, kMode8086);
  Outb(kSecondaryData, kMode8086);
  Outb(kPrimaryData, kMaskAll);
  Outb(kSecondaryData, kMaskAll);
}

}  // namespace x86
