/* The stack an exception stub hands to C (arch/x86/exception_stubs.inc):
 * the GPRs (R15 pushed last, so lowest), the vector, the error code (0 when
 * the CPU pushes none), then the CPU's interrupt frame (SDM Vol. 3A,
 * 6.14.2). One layout for Nestor (arch/x86/isr.asm) and the test guests
 * (tests/guests/rt/isr.asm). */
#ifndef NESTOR_ARCH_X86_TRAP_FRAME_H
#define NESTOR_ARCH_X86_TRAP_FRAME_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* 22 qwords: the stubs keep RSP 16-byte aligned for the C call. */
_Static_assert(sizeof(struct trap_frame) == 22 * 8,
	       "struct trap_frame must match exception_stubs.inc");

#endif
