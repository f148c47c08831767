/* The test-guest runtime: what every guest program (suite, bench, demo)
 * gets, and what it must provide. Include this one header.
 *
 * A guest program defines guest_name, guest_options and guest_main(); the
 * runtime (rt/start.c) enters 64-bit mode, sets up the console, the IDT and
 * the boot information, calls guest_main() and exits with its status
 * (through port 0xf4 or NESTOR_HC_EXIT, see rt_exit()). */
#ifndef NESTOR_GUESTS_RT_RT_H
#define NESTOR_GUESTS_RT_RT_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "lib/compiler.h"
#include "tests/guests/rt/bootinfo.h"
#include "tests/guests/rt/console.h"
#include "tests/guests/rt/hypercall.h"
#include "tests/guests/rt/msr.h"
#include "tests/guests/rt/options.h"
#include "tests/guests/rt/paging.h"
#include "tests/guests/rt/testing.h"
#include "tests/guests/rt/traps.h"
#include "tests/guests/rt/user.h"

/* The machine state the guest was entered with, recorded by the entry stubs
 * (rt/entry.asm) before they change anything. */
struct rt_entry_state {
	uint64_t tsc;    /* TSC read by the first instructions */
	uint64_t magic;  /* EAX/RAX at entry */
	uint64_t info;   /* EBX/RBX at entry: the boot information */
	uint64_t cr0;
	uint64_t cr4;
	uint64_t efer;   /* 64-bit entry only (0 after a 32-bit entry) */
	uint64_t rflags;
	uint64_t cs;     /* CS selector */
	uint64_t mode;   /* 32: entered by rt_start32, 64: by rt_start64 */
	uint64_t cr3;    /* the loader's page tables (64-bit entry) */
};

_Static_assert(offsetof(struct rt_entry_state, tsc) == 0, "entry.asm E_TSC");
_Static_assert(offsetof(struct rt_entry_state, magic) == 8, "entry.asm E_MAGIC");
_Static_assert(offsetof(struct rt_entry_state, info) == 16, "entry.asm E_INFO");
_Static_assert(offsetof(struct rt_entry_state, cr0) == 24, "entry.asm E_CR0");
_Static_assert(offsetof(struct rt_entry_state, cr4) == 32, "entry.asm E_CR4");
_Static_assert(offsetof(struct rt_entry_state, efer) == 40, "entry.asm E_EFER");
_Static_assert(offsetof(struct rt_entry_state, rflags) == 48, "entry.asm E_RFLAGS");
_Static_assert(offsetof(struct rt_entry_state, cs) == 56, "entry.asm E_CS");
_Static_assert(offsetof(struct rt_entry_state, mode) == 64, "entry.asm E_MODE");
_Static_assert(offsetof(struct rt_entry_state, cr3) == 72, "entry.asm E_CR3");
_Static_assert(sizeof(struct rt_entry_state) == 80, "entry.asm E_SIZE");

extern struct rt_entry_state rt_entry;

/* The image's bounds (guest.ld). */
extern uint8_t _image_start[], _image_end[];

/* Provided by each guest program. */
extern const char guest_name[];
/* The command-line options the program understands, NULL-terminated (the
 * runtime's own, exit_status/exit_via/triple_fault, are implied). Any
 * other option draws a warning. */
extern const char *const guest_options[];
/* Runs the program; returns the exit status (0 = success). */
int guest_main(void);

/* Stops the guest with `status` (low 8 bits): the console is drained, then
 * NESTOR_HC_EXIT when the command line says exit_via=hypercall, else (and
 * as a fallback) OUT of the status to port 0xf4 (isa-debug-exit, Nestor's
 * exit port), then the Bochs shutdown port, then CLI;HLT forever. */
NORETURN void rt_exit(int status);

/* Loads an IDT with limit 0 and executes INT3: #GP on the vector fetch, #DF
 * on its delivery, then a triple fault (SDM Vol. 3A, 6.15 "Interrupt 8"). */
NORETURN void rt_triple_fault(void);

/* Entered by rt/entry.asm in 64-bit mode on the image's stack. */
NORETURN void rt_main(void);

#endif
