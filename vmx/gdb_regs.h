/* The guest's registers as the GDB stub shows them (pure): between the
 * architectural numbering Nestor keeps them in (RAX=0, RCX=1, ... R15=15,
 * as gpr_read() numbers them) plus the VMCS guest fields, and GDB's x86-64
 * register file (lib/gdb_x86.h: rax rbx rcx rdx rsi rdi rbp rsp r8-r15). */
#ifndef NESTOR_VMX_GDB_REGS_H
#define NESTOR_VMX_GDB_REGS_H

#include <stdint.h>

#include "lib/gdb_x86.h"

/* What the stub reads from the guest (and writes back). */
struct gdb_guest_state {
	uint64_t gpr[16];	/* architectural order: gpr_read(v, n) */
	uint64_t rip, rflags;
	uint16_t sel[6];	/* cs ss ds es fs gs: GDB's order */
	uint64_t fs_base, gs_base;
};

/* The register file GDB gets. The x87 state is not Nestor's to show (it
 * lives in the CPU while the guest runs, and Nestor builds with
 * -mgeneral-regs-only): the registers read as after FNINIT. */
void gdb_regs_from_guest(const struct gdb_guest_state *g,
			 struct gdb_x86_regs *r);

/* What GDB wrote back into g: GPRs, RIP, RFLAGS (low 32 bits; the upper
 * ones are reserved), FS/GS base. Selectors and the x87 registers are not
 * taken (a selector without its descriptor would make the guest state
 * inconsistent); gdb_regs_rejected() says which write to refuse. */
void gdb_regs_to_guest(const struct gdb_x86_regs *r,
		       struct gdb_guest_state *g);

/* True for the registers a 'P' may not change: segment selectors and the
 * x87 registers (see above). */
int gdb_regs_rejected(uint32_t regno);

#endif
