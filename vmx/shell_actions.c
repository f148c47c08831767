/* The debug shell's actions (vmx/shell_actions.h): the glue between the
 * parsed command and the vCPU. Everything runs in root mode at a VM exit,
 * the guest stopped (vmx/guest_console.c loops polling COM1 until cont,
 * step or the escape), and reads the state of the level that exited:
 * L1's, or L2's while L2 runs (v->level; the current VMCS is then vmcs02).
 *
 *  - regs: VMREADs of the current VMCS;
 *  - vmcs, ept: vmx/shell_view.c (any of vmcs01, vmcs02, the vmcs12 and
 *    the shadow VMCS; the EPT01 walk, and EPT12/EPT02 while L2 runs);
 *  - exits: vmx/exit_stats.c, every level together and then per level;
 *  - walk, mem: the guest's page walk (mm/guest_walk.c) and guest RAM only
 *    through guest_phys_ptr() (never Nestor's memory);
 *  - step, break, delete: the GDB stub's DR0-DR3 / MTF-or-TF machinery
 *    (vmx/guest_debug.c), when gdb= is off (with gdb= GDB owns them): a step
 *    of the level that runs (L2's ends at its exit to L1, if it makes
 *    one), breakpoints at linear addresses of whichever level runs;
 *    break p: is an EPT execute-disable breakpoint of L1's
 *    (vmx/ept_break.c); one numbering: DR0-DR3 are 1..4, the EPT ones 5..8;
 *  - nmi: the event queue; reset: the reset hypercall's request. */
#include "vmx/shell_actions.h"
#include "lib/log.h"
#include "mm/guest_walk.h"
#include "vmx/ept_break.h"
#include "vmx/exits.h"
#include "vmx/gdb_stub.h"
#include "vmx/guest_debug.h"
#include "vmx/guest_access.h"
#include "vmx/shell_format.h"
#include "vmx/shell_parse.h"
#include "vmx/shell_view.h"
#include "vmx/vmcs.h"

#define NBREAK 4 /* DR0-DR3 */

/* State owner: this file. */
static struct {
	bool stepping; /* a step of the shell's is under way */
} sa;

/* Static: longer than the exit stack likes. */
static char out[2048];

static void say(const char *text)
{
	log_printf(LOG_QUIET, "%s", text);
}

/* ---- regs ---- */

static void regs(struct vcpu *v)
{
	struct shell_regs r = { .level = v->level };
	uint64_t cr2;

	for (unsigned n = 0; n < 16; n++)
		r.gpr[n] = gpr_read(v, n);
	r.rip = exit_get(&v->exit, EF_RIP);
	r.rflags = exit_get(&v->exit, EF_RFLAGS);
	r.cr0 = vmcs_read(VMCS_GUEST_CR0);
	/* CR2 is not in the VMCS: the guest's is the CPU's (Nestor never
	 * takes a page fault in root mode). */
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	r.cr2 = cr2;
	r.cr3 = vmcs_read(VMCS_GUEST_CR3);
	r.cr4 = vmcs_read(VMCS_GUEST_CR4);
	r.efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	/* ES CS SS DS FS GS LDTR TR: the VMCS encodes them in that order,
	 * 2 apart (SDM Vol. 3C Appendix B). */
	for (unsigned i = 0; i < SHELL_SEG_COUNT; i++) {
		r.seg[i].selector = (uint16_t)vmcs_read(
			(enum vmcs_field)(VMCS_GUEST_ES_SELECTOR + 2 * i));
		r.seg[i].limit = (uint32_t)vmcs_read(
			(enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * i));
		r.seg[i].ar = (uint32_t)vmcs_read(
			(enum vmcs_field)(VMCS_GUEST_ES_AR + 2 * i));
		r.seg[i].base = vmcs_read(
			(enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * i));
	}
	if (shell_format_regs(out, sizeof(out), &r) > 0)
		say(out);
}

/* ---- walk, mem ---- */

static unsigned top_level(enum gw_mode m)
{
	switch (m) {
	case GW_MODE_5LEVEL: return 5;
	case GW_MODE_4LEVEL: return 4;
	case GW_MODE_PAE: return 3;
	default: return 2;
	}
}

static void walk(struct vcpu *v, uint64_t gva)
{
	struct gw_state st;
	struct gw_result r;
	enum gw_mode mode;

	guest_paging_state(&st, v);
	mode = gw_get_mode(&st);
	if (mode == GW_MODE_NONE) {
		log_printf(LOG_QUIET, "walk: L%u has paging off: GVA 0x%lx is GPA 0x%lx\n",
			   v->level, gva, gva);
		return;
	}
	guest_walk(&st, gva, GW_READ | GW_IMPLICIT_SUPERVISOR,
		   guest_level_read_entry, v, &r);
	log_printf(LOG_QUIET, "walk: GVA 0x%lx, L%u, %s paging, CR3 0x%lx\n",
		   gva, v->level, gw_mode_name(&st), st.cr3);
	for (unsigned i = 0; i < r.nentries && i < 5; i++)
		if (shell_format_pte(out, sizeof(out), top_level(mode) - i,
				     r.entry[i]) > 0)
			log_printf(LOG_QUIET, "  @0x%09lx %s", r.entry_gpa[i],
				   out);
	if (r.status == GW_OK)
		log_printf(LOG_QUIET, "  -> GPA 0x%lx (page 0x%lx bytes%s%s%s)\n",
			   r.gpa, r.page_size, r.writable ? ", writable" : "",
			   r.user ? ", user" : "", r.executable ? ", executable" : "");
	else if (r.status == GW_PAGE_FAULT)
		log_printf(LOG_QUIET, "walk: 0x%lx: a page fault, error code 0x%x, at level %u\n",
			   gva, r.pfec, r.fault_level);
	else
		log_printf(LOG_QUIET, "walk: 0x%lx: no translation (%s)\n", gva,
			   r.non_canonical ? "not canonical"
			   : r.abort_gpa ? "a table outside guest RAM" : "bad input");
}

static void mem(struct vcpu *v, const struct shell_cmd *c)
{
	static uint8_t buf[SHELL_MEM_MAX_LEN];
	uint64_t a = c->addr.addr;
	uint32_t len = c->len;

	if (c->addr.virt) {
		if (guest_level_copy(v, a, buf, len, false)) {
			log_printf(LOG_QUIET, "mem: v:0x%lx+%u: not guest RAM through L%u's page tables\n",
				   a, len, v->level);
			return;
		}
	} else {
		for (uint32_t done = 0; done < len;) {
			uint32_t chunk = 4096 - (uint32_t)((a + done) & 4095);
			const uint8_t *p;

			if (chunk > len - done)
				chunk = len - done;
			p = guest_phys_ptr(v, a + done, chunk);
			if (!p) {
				log_printf(LOG_QUIET, "mem: p:0x%lx: not guest RAM\n",
					   a + done);
				return;
			}
			for (uint32_t i = 0; i < chunk; i++)
				buf[done + i] = p[i];
			done += chunk;
		}
	}
	for (uint32_t off = 0; off < len; off += SHELL_HEXDUMP_PER_LINE) {
		uint32_t n = len - off < SHELL_HEXDUMP_PER_LINE
			     ? len - off : SHELL_HEXDUMP_PER_LINE;

		if (shell_hexdump(out, sizeof(out), a + off, buf + off, n) > 0)
			say(out);
	}
}

/* ---- exits, trace ---- */

static void trace_line(void *ctx, const char *text)
{
	(void)ctx;
	log_printf(LOG_QUIET, "%s\n", text);
}

/* ---- step, break, delete ---- */

/* Why the shell cannot use the debug registers now, or NULL. The
 * breakpoints are at guest-linear addresses of whichever level runs
 * (vmx/guest_debug.c enables them in vmcs01's and vmcs02's DR7). */
static const char *no_debug(const struct vcpu *v)
{
	(void)v;
	if (gdb_stub_on())
		return "the GDB stub (gdb=) owns the debug registers and the step; use GDB";
	return NULL;
}

/* One instruction of the level that runs: L1's, or L2's on vmcs02
 * (vmx/guest_debug.c: an exit of L2's to L1 ends it, with L1 stopped at its
 * host RIP). */
static bool step(struct vcpu *v)
{
	const char *why = no_debug(v) ? no_debug(v) : guest_debug_step_refusal(v);

	if (why) {
		log_printf(LOG_QUIET, "step: %s\n", why);
		return false;
	}
	sa.stepping = true;
	guest_debug_resume(v, true);
	return true;
}

static void brk(struct vcpu *v, const struct shell_cmd *c)
{
	const char *why = no_debug(v);
	int slot;

	/* p: while L2 runs: ept_break_insert() says why not. */
	if (why && (gdb_stub_on() || c->addr.virt)) {
		log_printf(LOG_QUIET, "break: %s\n", why);
		return;
	}
	if (!c->addr.virt) {
		const char *no;
		unsigned n = ept_break_insert(v, c->addr.addr, &no);

		if (n)
			log_printf(LOG_QUIET, "break: breakpoint %u at p:0x%lx (EPT execute-disable)\n",
				   n, c->addr.addr);
		else
			log_printf(LOG_QUIET, "break: p:0x%lx: %s\n", c->addr.addr, no);
		return;
	}
	slot = guest_debug_break_insert(v, c->addr.addr, false);
	if (slot < 0) {
		say("break: all 4 debug registers hold breakpoints; delete one first\n");
		return;
	}
	log_printf(LOG_QUIET, "break: breakpoint %d at v:0x%lx (DR%d)\n", slot + 1,
		   c->addr.addr, slot);
}

static void del(struct vcpu *v, unsigned n)
{
	unsigned removed = 0;

	for (unsigned i = 0; i < NBREAK; i++)
		if ((!n || n == i + 1) && guest_debug_break_remove(v, i))
			removed++;
	if (!n)
		removed += ept_break_remove_all(v);
	else if (ept_break_remove(v, n))
		removed++;
	if (n && !removed)
		log_printf(LOG_QUIET, "delete: no breakpoint %u\n", n);
	else
		log_printf(LOG_QUIET, "delete: %u breakpoint(s) removed\n", removed);
}

bool shell_action_stopped(struct vcpu *v)
{
	uint64_t rip, addr;
	unsigned n;

	if (gdb_stub_on() || !guest_debug_stop_take(NULL))
		return false;
	rip = exit_get(&v->exit, EF_RIP);
	if ((n = ept_break_hit_take()) && ept_break_addr(n, &addr)) {
		sa.stepping = false;
		log_printf(LOG_QUIET, "\nnestor: breakpoint %u hit: L%u stopped at RIP 0x%lx (p:0x%lx, EPT execute-disable)\n",
			   n, v->level, rip, addr);
		return true;
	}
	if (sa.stepping) {
		uint32_t reason;

		sa.stepping = false;
		if (guest_debug_step_left_l2(&reason))
			log_printf(LOG_QUIET, "\nnestor: step: L2's instruction exited to L1 (exit reason %u)\n",
				   reason);
		log_printf(LOG_QUIET, "\nnestor: step: L%u stopped at RIP 0x%lx\n",
			   v->level, rip);
		return true;
	}
	for (unsigned i = 0; i < NBREAK; i++)
		if (guest_debug_break_addr(i, &addr) && addr == rip) {
			log_printf(LOG_QUIET, "\nnestor: breakpoint %u hit: L%u stopped at RIP 0x%lx\n",
				   i + 1, v->level, rip);
			return true;
		}
	log_printf(LOG_QUIET, "\nnestor: L%u stopped at RIP 0x%lx\n", v->level, rip);
	return true;
}

/* ---- the dispatch ---- */

static const char *const level_names[] = {
#define X(e, name, value) [value] = name,
	LOG_LEVELS(X)
#undef X
};

bool shell_action(struct vcpu *v, const struct shell_cmd *c)
{
	switch (c->kind) {
	case SHELL_NONE:
	case SHELL_HELP: /* the shell loop prints the help */
	case SHELL_KIND_COUNT:
		return false;
	case SHELL_REGS:
		regs(v);
		return false;
	case SHELL_VMCS:
		shell_vmcs(v, c);
		return false;
	case SHELL_EPT:
		shell_ept(v, c->addr.addr);
		return false;
	case SHELL_WALK:
		walk(v, c->addr.addr);
		return false;
	case SHELL_MEM:
		mem(v, c);
		return false;
	case SHELL_EXITS:
		exit_stats_print(v);
		return false;
	case SHELL_TRACE:
		exit_trace_print(&v->trace, c->n, trace_line, NULL);
		return false;
	case SHELL_STEP:
		return step(v);
	case SHELL_BREAK:
		brk(v, c);
		return false;
	case SHELL_DELETE:
		del(v, c->n);
		return false;
	case SHELL_CONT:
		if (!gdb_stub_on())
			guest_debug_resume(v, false);
		return true;
	case SHELL_NMI:
		event_queue_nmi(&v->events);
		log_printf(LOG_QUIET, "nmi: queued for L%u; delivered when the guest runs\n",
			   v->level);
		return false;
	case SHELL_RESET:
		say("reset: the guest is reset (as by the reset hypercall; on_guest_reset= decides)\n");
		guest_reset(v, true);
		return true;
	case SHELL_LOGLEVEL:
		log_set_level(c->level);
		log_printf(LOG_QUIET, "loglevel: now %s (%u)\n",
			   level_names[c->level], (unsigned)c->level);
		return false;
	}
	return false;
}
