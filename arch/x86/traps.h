/* Exceptions taken inside Nestor: the saved frame, fatal reports, panic(). */
#ifndef NESTOR_ARCH_X86_TRAPS_H
#define NESTOR_ARCH_X86_TRAPS_H

#include <stdint.h>
#include "arch/x86/trap_frame.h"
#include "lib/compiler.h"

void trap_dispatch(struct trap_frame *f);

/* Who gets NMIs taken inside Nestor (runs in NMI context). */
void traps_set_nmi_hook(void (*fn)(void));

/* Print the registers of `f` and a frame-pointer backtrace. */
void dump_frame(const struct trap_frame *f);

/* Report a fatal error with the current registers and stop the machine. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

const char *exception_name(unsigned vector);

#endif
