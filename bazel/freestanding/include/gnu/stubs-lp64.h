/* Deliberately empty. Debian's riscv64 cross glibc headers include
 * gnu/stubs-lp64.h for -mabi=lp64 (soft float), but only ship the lp64d
 * variant; freestanding code uses no glibc function, so nothing is stubbed. */
