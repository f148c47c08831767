/* Powering the machine off with a status an emulator can report. */
#ifndef NESTOR_ARCH_X86_POWER_H
#define NESTOR_ARCH_X86_POWER_H

#include "lib/compiler.h"

/* Nestor's own exit statuses (a guest's status is passed through as is). */
enum nestor_exit {
	NESTOR_EXIT_OK = 0,
	NESTOR_EXIT_FAILURE = 1,
	NESTOR_EXIT_NO_VMX = 2,
	NESTOR_EXIT_BAD_CONFIG = 3,
	NESTOR_EXIT_PANIC = 4,
	NESTOR_EXIT_FAULT = 5,
	NESTOR_EXIT_EARLY = 6, /* boot/entry.asm's early failures */
	NESTOR_EXIT_GUEST_TRIPLE_FAULT = 7,
	NESTOR_EXIT_GUEST_STOPPED = 8, /* an exit Nestor cannot emulate */
	NESTOR_EXIT_ENTRY_FAILED = 9,  /* VM entry failed (auditor report) */
	NESTOR_EXIT_BAD_GUEST = 10,    /* guest image refused */
};

/* Stop the machine. Under QEMU with isa-debug-exit (port 0xf4) the exit code
 * becomes (status << 1) | 1; under Bochs the "Shutdown" string on port
 * 0x8900 ends the simulation; elsewhere the CPU halts with interrupts off. */
NORETURN void power_off(int status);

#endif
