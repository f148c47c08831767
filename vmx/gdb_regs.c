/* The guest's registers in GDB's numbering (see vmx/gdb_regs.h). */
#include "vmx/gdb_regs.h"
#include "lib/string.h"

/* GDB's GPR order (rax rbx rcx rdx rsi rdi rbp rsp r8..r15) as
 * architectural register numbers (SDM Vol. 2A, Table 2-2). */
static const uint8_t gdb_to_arch[16] = {
	0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15,
};

#define FNINIT_FCTRL 0x37f	/* SDM Vol. 1 8.1.5: after FNINIT */
#define FNINIT_FTAG 0xffff

void gdb_regs_from_guest(const struct gdb_guest_state *g,
			 struct gdb_x86_regs *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 16; i++)
		r->gpr[i] = g->gpr[gdb_to_arch[i]];
	r->rip = g->rip;
	r->eflags = (uint32_t)g->rflags;
	for (unsigned i = 0; i < 6; i++)
		r->seg[i] = g->sel[i];
	r->fpu[0] = FNINIT_FCTRL;
	r->fpu[2] = FNINIT_FTAG;
	r->fs_base = g->fs_base;
	r->gs_base = g->gs_base;
}

void gdb_regs_to_guest(const struct gdb_x86_regs *r,
		       struct gdb_guest_state *g)
{
	for (unsigned i = 0; i < 16; i++)
		g->gpr[gdb_to_arch[i]] = r->gpr[i];
	g->rip = r->rip;
	g->rflags = (g->rflags & ~0xffffffffull) | r->eflags;
	g->fs_base = r->fs_base;
	g->gs_base = r->gs_base;
}

int gdb_regs_rejected(uint32_t regno)
{
	return (regno >= GDB_X86_CS && regno <= GDB_X86_GS) ||
	       (regno >= GDB_X86_ST0 && regno <= GDB_X86_FOP);
}
