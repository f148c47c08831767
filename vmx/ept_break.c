/* EPT execute-disable breakpoints on L1's guest-physical addresses.
 *
 * A breakpoint's 4 KiB page loses X in its EPT01 leaf (SDM Vol. 3C 28.2.2
 * / 29.3.2 in the newer numbering: bit 2 of the leaf allows instruction
 * fetches); a large leaf is split first (mm/ept.c, a table page from
 * Nestor's pool), and INVEPT drops what the TLB derived from the old
 * entry (28.3.3.4 / 30.3, vmx/tlb.c: single-context for EPT01's EPTP, or
 * all-context). Every fetch from the page is then an EPT violation with
 * qualification bit 2 set (27.2.1, Table 27-7):
 *  - a hit: the fetch is of an instruction's first byte (bit 7 set and
 *    the guest-linear address equal to CS.base + RIP, so the fetch is the
 *    instruction start: the violation's guest-physical address is then
 *    the instruction's) and that address holds a breakpoint. The guest
 *    stops before the instruction, as at a DR breakpoint, through the GDB
 *    stub's stop (guest_debug_stop_break()), which the shell or GDB reports;
 *  - anything else (another instruction on the page, one that crosses
 *    into it from the page before, the hit instruction itself when the
 *    guest resumes after its stop, an instruction of GDB's or the shell's
 *    step, or L2's fetch where vmcs02 runs on EPT01): one instruction is
 *    stepped with X back on the page (vmx/write_step.c, MTF or TF, closed
 *    at the next exit whatever it is; X goes off again then). The same
 *    step may take pages on the write sink, so an instruction on the page
 *    that writes Nestor's memory or the xAPIC page is one step.
 * "The hit instruction when the guest resumes": the fetch violation on a
 * breakpoint page that follows a hit (whatever happened between) steps
 * over when it is at the hit's address, instead of hitting again.
 * Without MTF, an instruction in an STI/MOV-SS shadow cannot be stepped
 * (26.3.1.5): the write step stops the guest with a message.
 *
 * L2: the breakpoints are L1's. `break p:` is refused while L2 runs, and
 * EPT02 keeps X on the pages (ept_break_l2_exec(), nested/ept02.c), so L2
 * never stops at them. State owner: this file (one vCPU). */
#include "vmx/ept_break.h"
#include "lib/log.h"
#include "mm/ept.h"
#include "mm/guest_walk.h"
#include "vmx/ept_break_table.h"
#include "vmx/exits.h"
#include "vmx/guest_debug.h"
#include "vmx/guest_access.h"
#include "vmx/tlb.h"
#include "vmx/vmcs.h"
#include "vmx/write_step.h"

#define EPTQ_FETCH (1u << 2)
#define EPTQ_LINEAR_VALID (1u << 7)
#define CS_AR_L (1u << 13)	/* 64-bit code segment (SDM Vol. 3A 3.4.5) */

static struct {
	struct ept_break_table t;
	unsigned hit;		/* the stop's breakpoint, for the report */
	bool over;		/* resuming from a hit ... */
	uint64_t over_gpa;	/* ... at this address: step over it once */
} eb;

/* X on or off in the EPT01 leaf of gpa's page, as a 4 KiB leaf (a large
 * one split), the rest of the mapping as it was. False on failure
 * (no table page for a split): the translation is unchanged then
 * (mm/ept.c fills a split table before it links it; a 1 GiB leaf may be
 * left split into 2 MiB leaves that map the same). */
static bool set_exec(struct vcpu *v, uint64_t gpa, bool on)
{
	struct ept *e = &v->vm->ept;
	uint64_t page = EPT_BREAK_PAGE(gpa);
	struct ept_walk w;

	if (ept_walk_caps(&e->ops, e->pml4_pa, &e->caps, page, &w) || !w.ok)
		return false;
	return !ept_map_ipat(e, page, w.hpa, PAGE_SIZE,
			     on ? w.perm | EPT_X : w.perm & ~EPT_X, w.memtype,
			     w.ignore_pat);
}

/* Why gpa cannot have a breakpoint, or NULL. */
static const char *refused(struct vcpu *v, uint64_t gpa)
{
	struct ept *e = &v->vm->ept;
	struct ept_walk w;

	if (v->level != VCPU_L1)
		return "L2 runs; EPT breakpoints are set on L1's guest-physical addresses while L1 runs";
	if (in_nestor_memory(v->vm, gpa))
		return "that is Nestor's memory, not the guest's";
	if (!guest_phys_ptr(v, gpa, 1))
		return "that is not guest RAM";
	if (ept_walk_caps(&e->ops, e->pml4_pa, &e->caps, gpa, &w) || !w.ok ||
	    !(w.perm & EPT_X))
		return "EPT01 does not map that page executable";
	return NULL;
}

unsigned ept_break_insert(struct vcpu *v, uint64_t gpa, const char **why)
{
	unsigned n;
	bool added;

	if ((*why = refused(v, gpa)))
		return 0;
	n = ept_break_add(&eb.t, gpa, &added);
	if (!n) {
		*why = "all 4 EPT breakpoints (5..8) are in use; delete one first";
		return 0;
	}
	if (!added || ept_break_on_page(&eb.t, gpa) > 1)
		return n;
	if (!set_exec(v, gpa, false)) {
		uint64_t dummy;

		ept_break_del(&eb.t, n, &dummy);
		*why = "no memory left in Nestor's pool to split the page's large EPT01 mapping; nothing changed";
		return 0;
	}
	flush_guest_ept(v);
	return n;
}

unsigned ept_break_insert_gva(struct vcpu *v, uint64_t gva, const char **why)
{
	struct gw_state st;
	struct gw_result r;
	unsigned n;

	if (v->level != VCPU_L1) {
		*why = "L2 runs";
		return 0;
	}
	/* A supervisor read, as GDB's memory accesses (vmx/gdb_stub.c). */
	guest_paging_state(&st, v);
	st.cpl = 0;
	guest_walk(&st, gva, GW_READ, guest_read_phys_entry, v, &r);
	if (r.status != GW_OK) {
		*why = "the address has no translation in the guest's page tables";
		return 0;
	}
	n = ept_break_insert(v, r.gpa, why);
	if (n)
		ept_break_set_gva(&eb.t, n, gva);
	return n;
}

bool ept_break_remove(struct vcpu *v, unsigned n)
{
	uint64_t gpa;

	if (!ept_break_del(&eb.t, n, &gpa))
		return false;
	if (eb.over_gpa == gpa)
		eb.over = false;	/* a new one there is hit at once */
	if (!ept_break_on_page(&eb.t, gpa)) {
		/* A 4 KiB leaf already: no table page is needed. */
		if (!set_exec(v, gpa, true))
			guest_unsupported(v, "cannot give an EPT breakpoint's page its X back");
		flush_guest_ept(v);
	}
	return true;
}

bool ept_break_remove_gva(struct vcpu *v, uint64_t gva)
{
	unsigned n = ept_break_by_gva(&eb.t, gva);

	return n && ept_break_remove(v, n);
}

unsigned ept_break_remove_all(struct vcpu *v)
{
	unsigned removed = 0;

	for (unsigned n = EPT_BREAK_FIRST; n < EPT_BREAK_FIRST + EPT_BREAK_MAX; n++)
		if (ept_break_remove(v, n))
			removed++;
	return removed;
}

bool ept_break_addr(unsigned n, uint64_t *gpa)
{
	return ept_break_get(&eb.t, n, gpa);
}

/* The linear address of RIP: CS.base + RIP, the base taken as 0 in
 * 64-bit mode (SDM Vol. 3A 3.4.4), 32 bits outside it. */
static uint64_t rip_linear(struct vcpu *v)
{
	uint64_t rip = exit_get(&v->exit, EF_RIP);

	if (v->wants.ia32e_guest && (vmcs_read(VMCS_GUEST_CS_AR) & CS_AR_L))
		return rip;
	return (rip + vmcs_read(VMCS_GUEST_CS_BASE)) & 0xffffffffull;
}

bool ept_break_violation(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
	bool over = eb.over && eb.over_gpa == gpa;
	unsigned n;

	if (!(qual & EPTQ_FETCH) || !ept_break_on_page(&eb.t, gpa))
		return false;
	eb.over = false;
	n = ept_break_at(&eb.t, gpa);
	if (n && !over && v->level == VCPU_L1 && !write_step_open(&v->step) &&
	    !guest_debug_stepping() && (qual & EPTQ_LINEAR_VALID) &&
	    exit_get(&v->exit, EF_GLA) == rip_linear(v)) {
		eb.hit = n;
		eb.over = true;
		eb.over_gpa = gpa;
		guest_debug_stop_break(v);
		return true;
	}
	write_step_exec_page(v, gpa);
	return true;
}

unsigned ept_break_hit_take(void)
{
	unsigned n = eb.hit;

	eb.hit = 0;
	return n;
}

void ept_break_page_exec(struct vcpu *v, uint64_t gpa, bool on)
{
	if (!on && !ept_break_on_page(&eb.t, gpa))
		return;
	if (!set_exec(v, gpa, on))
		guest_unsupported(v, "cannot change X on an EPT breakpoint's page");
}

unsigned ept_break_l2_exec(uint64_t l1_gpa)
{
	return ept_break_on_page(&eb.t, l1_gpa) ? EPT_X : 0;
}
