/* Exceptions taken inside Nestor: the saved frame, fatal reports, panic(). */
#ifndef NESTOR_ARCH_X86_TRAPS_H
#define NESTOR_ARCH_X86_TRAPS_H

#include <stdint.h>
#include "lib/compiler.h"

/* Layout built by arch/x86/isr.asm: GPRs (r15 pushed last), the vector, the
 * error code (0 when the CPU pushes none), then the CPU's interrupt frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

void trap_dispatch(struct trap_frame *f);

/* Print the registers of `f` and a frame-pointer backtrace. */
void dump_frame(const struct trap_frame *f);

/* Report a fatal error with the current registers and stop the machine. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

const char *exception_name(unsigned vector);

#endif
