/* L2 runs (issue 14): the switch between vmcs01 (L1) and vmcs02 (L2).
 *
 * Entering L2 (L1's VMLAUNCH/VMRESUME passed every check of 26.2-26.4,
 * nested/vmentry.c): vmcs02's controls are merged from L0's needs and the
 * vmcs12 (nested/vmcs02_merge.c), L2's guest state is loaded from the
 * vmcs12 (26.3.2), L1's event injection goes into vmcs02 (26.6), and vmcs02
 * becomes current.
 *
 * Reflecting an exit (nested/l2_exit.c decided L1 wants it, or L0 made one
 * for L1): L2's guest state is saved into the vmcs12 (27.3), the
 * exit-information fields are written (27.2), vmcs01 becomes current again
 * and L1's host state is loaded into it (27.5, nested/vmentry.c).
 *
 * Handlers never switch: they set l2_state.pending and VCPU_REQ_NESTED, and
 * the exit path calls nested_switch() once, before the events are
 * delivered. */
#include "nested/l2.h"
#include "nested/msr_lists.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/pool.h"
#include "nested/nested_vcpu.h"
#include "nested/shadow.h"
#include "nested/vmcs02_merge.h"
#include "nested/vmentry.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/gdb_stub.h"
#include "vmx/guest_debug.h"
#include "vmx/nested_seam.h"
#include "vmx/tlb.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmcs_track.h"

struct l2_state l2_boot;

bool l2_read_l1(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const struct vcpu *v = ctx;
	uint8_t *out = buf;

	/* Page by page: L1's RAM as it is; Nestor's memory as the all-ones
	 * page EPT01 shows L1 there (what the CPU would read for L1). */
	while (len) {
		size_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		const void *p;

		if (chunk > len)
			chunk = len;
		p = guest_phys_ptr(v, gpa, chunk);
		if (p)
			memcpy(out, p, chunk);
		else if (v->vm->hidden_page_pa && in_nestor_memory(v->vm, gpa))
			memset(out, 0xff, chunk);
		else
			return false;
		out += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return true;
}

void l2_stop_address(struct vcpu *v, const char *field, uint64_t gpa,
		     const char *why)
{
	log_printf(LOG_QUIET, "nestor: L1's %s is at 0x%lx, which is not its RAM: %s\n",
		   field, gpa, why);
	guest_unsupported(v, "L1 gave L2 an address Nestor cannot emulate (the line above names it)");
}

/* Rows of the field table loaded into vmcs02 and saved back as they are
 * (plain_guest_field() on a field this CPU has): listed once, walked at
 * every entry and reflected exit. Written by setup() only. */
#define ROW(name, enc, width, sh) +1
enum { L2_MAX_ROWS = 0 VMCS_FIELDS(ROW) };
#undef ROW
static uint16_t plain_rows[L2_MAX_ROWS];
static unsigned n_plain_rows;
_Static_assert(L2_MAX_ROWS <= 64 * sizeof(l2_boot.dirty) / 8,
	       "struct l2_state's dirty bitmap holds a bit per field-table row");

/* The rows every reflected exit may write besides L2's plain guest state
 * (27.2 exit information, 24.8.3/27.2 entry fields, 27.3.1 the state the
 * exit controls save, 27.3.4 the timer): filled by setup(). */
static uint64_t exit_rows[4];
static const uint32_t exit_encodings[] = {
	VMCS_EXIT_REASON, VMCS_EXIT_QUALIFICATION, VMCS_GUEST_LINEAR_ADDRESS,
	VMCS_GUEST_PHYSICAL_ADDRESS, VMCS_EXIT_INTR_INFO,
	VMCS_EXIT_INTR_ERROR_CODE, VMCS_IDT_VECTORING_INFO,
	VMCS_IDT_VECTORING_ERROR_CODE, VMCS_EXIT_INSTRUCTION_LEN,
	VMCS_EXIT_INSTRUCTION_INFO, VMCS_ENTRY_INTR_INFO, VMCS_ENTRY_CONTROLS,
	VMCS_GUEST_DR7, VMCS_GUEST_IA32_DEBUGCTL, VMCS_GUEST_IA32_PAT,
	VMCS_GUEST_IA32_EFER, VMCS_GUEST_IA32_PERF_GLOBAL_CTRL,
	VMCS_GUEST_IA32_BNDCFGS, VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1,
	VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3, VMCS_PREEMPTION_TIMER_VALUE,
	VMCS_GUEST_INTR_STATUS,
};

void l2_field_written(struct vcpu *v, const struct vmcs_field_info *f)
{
	unsigned row = (unsigned)(f - vmcs_field_table);

	l2_of(v)->dirty[row / 64] |= 1ull << (row % 64);
}

void l2_all_dirty(struct vcpu *v)
{
	l2_of(v)->all_dirty = true;
}

static bool row_dirty(const struct l2_state *s, unsigned row)
{
	return (s->dirty[row / 64] >> (row % 64)) & 1;
}

static bool plain_guest_field(uint32_t enc);

static bool setup(struct vcpu *v, struct l2_state *s)
{
	uint64_t pa;

	if (s->ready)
		return true;
	s->all_dirty = true;
	for (unsigned i = 0; i < sizeof(exit_encodings) / sizeof(exit_encodings[0]); i++) {
		const struct vmcs_field_info *f = vmcs_field_lookup(exit_encodings[i]);
		unsigned row = (unsigned)(f - vmcs_field_table);

		exit_rows[row / 64] |= 1ull << (row % 64);
	}
	n_plain_rows = 0;
	for (unsigned i = 0; i < vmcs_field_count; i++)
		if (plain_guest_field(vmcs_field_table[i].encoding) &&
		    vmcs12_row_supported(&v->vm->host_caps, &vmcs_field_table[i]))
			plain_rows[n_plain_rows++] = (uint16_t)i;
	pa = pool_alloc("vmcs02, the VMCS L2 runs on");
	s->msr_bitmap = (uint8_t *)pool_alloc("vmcs02's MSR bitmap");
	s->io_a = (uint8_t *)pool_alloc("vmcs02's I/O bitmap A");
	s->io_b = (uint8_t *)pool_alloc("vmcs02's I/O bitmap B");
	s->apic_page = pool_alloc("vmcs02's APIC-access page for an L1 address outside its RAM");
	if (!pa || !s->msr_bitmap || !s->io_a || !s->io_b || !s->apic_page)
		return false;
	*(uint32_t *)pa = v->cfg->revision;
	if (loaded_vmcs_init(&s->vmcs02.lv, pa) != LOADED_VMCS_OK)
		return false;
	s->ready = true;
	return true;
}

/* Guest-state fields loaded from and saved to the vmcs12 as they are
 * (26.3.2.1-26.3.2.2, 27.3.1-27.3.2): selectors, bases, limits, access
 * rights, CR0/CR3/CR4, RSP/RIP/RFLAGS, SYSENTER, interruptibility,
 * activity, pending debug exceptions. The rest depend on controls. */
static bool plain_guest_field(uint32_t enc)
{
	if (VMCS_ENC_TYPE(enc) != VMCS_T_GUEST)
		return false;
	switch (VMCS_ENC_WIDTH(enc)) {
	case VMCS_W16:
		return enc <= VMCS_GUEST_TR_SELECTOR;
	case VMCS_W32:
		return enc != VMCS_GUEST_SMBASE &&
		       enc != VMCS_PREEMPTION_TIMER_VALUE && enc <= 0x482e;
	case VMCS_WNAT:
		return enc != VMCS_GUEST_DR7 && enc <= VMCS_GUEST_IA32_SYSENTER_EIP;
	default:
		return false;
	}
}

/* L1's own value of a register the vmcs02 loads but the vmcs12 does not
 * (26.3.2.1: without its "load" control, entry leaves it as it was: L1's). */
struct l1_regs {
	uint64_t efer, pat, dr7, debugctl;
};

/* An MSR of L1's that Nestor passes through; the controls that need it
 * imply it exists, but a fault is L1's stop, never Nestor's #GP. */
static uint64_t l1_msr(struct vcpu *v, uint32_t msr)
{
	uint64_t val;

	if (rdmsr_checked(msr, &val))
		guest_unsupported(v, "reading an MSR of L1's for vmcs02 faulted");
	return val;
}

static void load_l2_guest_state(struct vcpu *v, const struct vmcs12 *f,
				const struct vmcs02_out *out,
				const struct l1_regs *l1, bool full)
{
	const struct l2_state *s = l2_of(v);
	uint32_t e12 = f->ENTRY_CONTROLS, e02 = out->ctls.entry;

	/* vmcs02 holds L2's state as the last exit left it, which is what
	 * that exit saved into the vmcs12: only what L1 wrote since is new. */
	for (unsigned i = 0; i < n_plain_rows; i++) {
		const struct vmcs_field_info *fi = &vmcs_field_table[plain_rows[i]];

		if (full || row_dirty(s, plain_rows[i]))
			vmcs_write(fi->encoding, vmcs12_get(f, fi));
	}
	if (full)
		vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
	if (e02 & ENTRY_LOAD_EFER) {
		uint64_t efer = f->GUEST_IA32_EFER;

		if (!(e12 & ENTRY_LOAD_EFER)) {
			/* 26.3.2.1: LMA from "IA-32e mode guest", and LME
			 * too when CR0.PG = 1; the rest is L1's. */
			bool lma = e12 & ENTRY_IA32E_MODE_GUEST;

			efer = l1->efer & ~(EFER_LMA | EFER_LME);
			if (lma)
				efer |= EFER_LMA;
			if (lma && (f->GUEST_CR0 & CR0_PG))
				efer |= EFER_LME;
			else if (!(f->GUEST_CR0 & CR0_PG))
				efer |= l1->efer & EFER_LME;
		}
		vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	}
	if (e02 & ENTRY_LOAD_PAT)
		vmcs_write(VMCS_GUEST_IA32_PAT, (e12 & ENTRY_LOAD_PAT)
						? f->GUEST_IA32_PAT : l1->pat);
	if (e12 & ENTRY_LOAD_DEBUG_CONTROLS) {
		vmcs_write(VMCS_GUEST_DR7, f->GUEST_DR7);
		vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, f->GUEST_IA32_DEBUGCTL);
	} else {
		vmcs_write(VMCS_GUEST_DR7, l1->dr7);
		vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, l1->debugctl);
	}
	/* 26.3.2.1: IA32_PERF_GLOBAL_CTRL and IA32_BNDCFGS from the vmcs12
	 * with their load controls; vmcs02 loading them for L0 alone keeps
	 * L1's values. */
	if (e02 & ENTRY_LOAD_PERF_GLOBAL_CTRL)
		vmcs_write(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL,
			   (e12 & ENTRY_LOAD_PERF_GLOBAL_CTRL)
				   ? f->GUEST_IA32_PERF_GLOBAL_CTRL
				   : l1_msr(v, MSR_IA32_PERF_GLOBAL_CTRL));
	if (e02 & ENTRY_LOAD_BNDCFGS)
		vmcs_write(VMCS_GUEST_IA32_BNDCFGS,
			   (e12 & ENTRY_LOAD_BNDCFGS) ? f->GUEST_IA32_BNDCFGS
						   : l1_msr(v, MSR_IA32_BNDCFGS));
	/* 26.3.2.4: with EPT and PAE paging the PDPTEs come from the vmcs12
	 * when L1 uses EPT; without, the CPU L1 sees reads them from L2's
	 * CR3 (the entry checks already did, nested/vmentry.c), and vmcs02,
	 * which always has EPT, must be given them. */
	if ((f->GUEST_CR0 & CR0_PG) && (f->GUEST_CR4 & CR4_PAE) &&
	    !(e12 & ENTRY_IA32E_MODE_GUEST)) {
		uint64_t pdpte[4] = { f->GUEST_PDPTE0, f->GUEST_PDPTE1,
				      f->GUEST_PDPTE2, f->GUEST_PDPTE3 };

		if (!out->shadow_ept &&
		    !l2_read_l1(v, f->GUEST_CR3 & 0xffffffe0ull, pdpte, sizeof(pdpte)))
			guest_unsupported(v, "L2's PAE page-directory-pointer table is not in L1's RAM");
		vmcs_write(VMCS_GUEST_PDPTE0, pdpte[0]);
		vmcs_write(VMCS_GUEST_PDPTE1, pdpte[1]);
		vmcs_write(VMCS_GUEST_PDPTE2, pdpte[2]);
		vmcs_write(VMCS_GUEST_PDPTE3, pdpte[3]);
	}
}

/* What of the merge's result besides the controls vmcs02 holds. */
static bool same_rest(const struct vmcs02_out *a, const struct vmcs02_out *b)
{
	return a->cr3_target_count == b->cr3_target_count &&
	       !memcmp(a->cr3_target, b->cr3_target, sizeof(a->cr3_target)) &&
	       a->ple_gap == b->ple_gap && a->ple_window == b->ple_window &&
	       a->tsc_offset == b->tsc_offset &&
	       a->tsc_multiplier == b->tsc_multiplier && a->vpid == b->vpid &&
	       a->msr_page == b->msr_page && a->io_a_page == b->io_a_page &&
	       a->io_b_page == b->io_b_page;
}

static void write_controls(struct vcpu *v, struct l2_state *s,
			   const struct vmcs12 *f, const struct vmcs02_out *o,
			   bool full)
{
	struct vmcs_ctls *c = &s->vmcs02.ctls, want = o->ctls;

	/* 25.5.1: L1's VMX-preemption timer runs as vmcs02's and counts
	 * down only while L2 runs; vmcs02 saves its value at every exit so
	 * that the exits L0 handles resume the count instead of restarting
	 * it (vmx/caps.c shows the timer only with this control). */
	if (f->PIN_BASED_CONTROLS & PIN_PREEMPTION_TIMER)
		want.exit |= EXIT_SAVE_PREEMPTION_TIMER;
	/* Issue 14 item 1: nothing to write when the merge gives what vmcs02
	 * holds (its software copy, kept by every writer of its controls). */
	if (!full && !memcmp(&want, c, sizeof(want)) && same_rest(o, &s->last_out)) {
		l2_apic_fields(v, s, f, c);
		if (want.proc2 & PROC2_ENABLE_XSAVES)
			vmcs_write(VMCS_XSS_EXIT_BITMAP, f->XSS_EXIT_BITMAP);
		return;
	}
	*c = want;
	s->last_out = *o;
	vmcs_write(VMCS_PIN_BASED_CONTROLS, c->pin);
	vmcs_write(VMCS_PROC_BASED_CONTROLS, c->proc);
	if (v->cfg->ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS)
		vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, c->proc2);
	vmcs_write(VMCS_EXIT_CONTROLS, c->exit);
	vmcs_write(VMCS_ENTRY_CONTROLS, c->entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, c->exc_bitmap);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, c->pfec_mask);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, c->pfec_match);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, c->cr0_mask);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, c->cr4_mask);
	vmcs_write(VMCS_CR0_READ_SHADOW, c->cr0_shadow);
	vmcs_write(VMCS_CR4_READ_SHADOW, c->cr4_shadow);
	vmcs_write(VMCS_CR3_TARGET_COUNT, o->cr3_target_count);
	for (unsigned i = 0; i < o->cr3_target_count; i++)
		vmcs_write(VMCS_CR3_TARGET_VALUE0 + 2 * i, o->cr3_target[i]);
	if (c->proc & PROC_TSC_OFFSETTING)
		vmcs_write(VMCS_TSC_OFFSET, o->tsc_offset);
	if (c->proc2 & PROC2_TSC_SCALING)
		vmcs_write(VMCS_TSC_MULTIPLIER, o->tsc_multiplier);
	if (c->proc2 & PROC2_PAUSE_LOOP_EXITING) {
		vmcs_write(VMCS_PLE_GAP, o->ple_gap);
		vmcs_write(VMCS_PLE_WINDOW, o->ple_window);
	}
	if (c->proc2 & PROC2_ENABLE_VPID)
		vmcs_write(VMCS_VPID, o->vpid);
	if (c->proc & PROC_USE_MSR_BITMAPS)
		vmcs_write(VMCS_MSR_BITMAP, (uint64_t)o->msr_page);
	if (c->proc & PROC_USE_IO_BITMAPS) {
		vmcs_write(VMCS_IO_BITMAP_A, (uint64_t)o->io_a_page);
		vmcs_write(VMCS_IO_BITMAP_B, (uint64_t)o->io_b_page);
	}
	l2_apic_fields(v, s, f, c);
	if (c->proc2 & PROC2_ENABLE_XSAVES)
		vmcs_write(VMCS_XSS_EXIT_BITMAP, f->XSS_EXIT_BITMAP);
}

static bool l1_uses_ept(const struct vmcs12 *f)
{
	return (f->PROC_BASED_CONTROLS & PROC_SECONDARY_CONTROLS) &&
	       (f->SECONDARY_PROC_CONTROLS & PROC2_ENABLE_EPT);
}

/* gdb= or the emulated console with the VMX-preemption timer: L0's poll
 * timer on vmcs02, where the vmcs12 does not activate L1's (25.5.1: L1's
 * would be vmcs02's). Its exits are L0's (nested/reflect.c: not activated
 * in vmcs12), and only they let GDB's Ctrl-C or the console's escape stop
 * an L2 that never exits. */
static bool l0_timer_for_l2(struct vcpu *v)
{
	return v->wants.preemption_timer &&
	       !(v->nested->cache.f.PIN_BASED_CONTROLS & PIN_PREEMPTION_TIMER);
}

static void l0_for_l2(struct vcpu *v, struct vmcs02_l0 *l0,
		      struct l2_state *s)
{
	struct l0_wants w = v->wants;

	/* L1's own wants stay with vmcs01: its VMX root CR rules, VMCS
	 * shadowing, its IA-32e mode and the MAXPHYADDR intercepts (which
	 * act on L1's paging). The write step's (MTF, external-interrupt
	 * exiting, every exception) are the running guest's: L2's while it
	 * steps a write of L2 (nested/l2_exit.c). */
	w.l1_vmx_root = false;
	w.vmcs_shadowing = false;
	w.ia32e_guest = false;
	/* A guest MAXPHYADDR below the CPU's (vmx/phys_width_exits.c) works
	 * on the running guest's paging, which is over L1's physical space
	 * when L1 does not use EPT: its intercepts stay, for L2. Under L1's
	 * EPT, L2's physical addresses are not L1's: they go (nested/ept02.c
	 * walks EPT12 with L1's width). */
	if (l1_uses_ept(&v->nested->cache.f)) {
		w.all_pf = false;
		memset(&w.pf, 0, sizeof(w.pf));
		w.cr3_load = false;
		w.cr0_watch = w.cr4_watch = 0;
	}
	/* The poll timer of the GDB stub (gdb=) and of the emulated console
	 * runs on vmcs02 too when L1 does not use its own (L1's timer is
	 * vmcs02's, 25.5.1), so that GDB's Ctrl-C and the console's escape
	 * stop an L2 that never exits (l0_timer_for_l2()). The #DB and MOV DR
	 * intercepts are those of L2's breakpoints and step
	 * (vmx/guest_debug.c). */
	w.preemption_timer = l0_timer_for_l2(v);
	guest_debug_l2_wants(&w.gdb_db, &w.gdb_mov_dr); /* L2's breakpoints, step */
	memset(l0, 0, sizeof(*l0));
	l0_controls_compose(v->cfg, &w, &l0->ctls);
	l0->cpu = v->cfg;
	l0->msr_bitmap = (const uint8_t *)v->host_pages.msr_bitmap;
	l0->io_bitmap_a = (const uint8_t *)v->host_pages.io_bitmap_a;
	l0->io_bitmap_b = (const uint8_t *)v->host_pages.io_bitmap_b;
	l0->tsc_multiplier = 1ull << 48;
	l0->vpid02 = v->vpid ? NESTED_VPID02 : 0;
	(void)s;
}

static bool merge(struct vcpu *v, struct l2_state *s, struct vmcs02_out *out)
{
	struct vmcs02_l0 l0;

	l0_for_l2(v, &l0, s);
	memset(out, 0, sizeof(*out));
	out->msr_bitmap = s->msr_bitmap;
	out->io_bitmap_a = s->io_a;
	out->io_bitmap_b = s->io_b;
	switch (vmcs02_merge(&l0, &v->nested->cache.f, l2_read_l1, v, out)) {
	case VMCS02_OK:
		/* 24.7.1, 27.2.2: "acknowledge interrupt on exit" is L1's
		 * when L1 takes external interrupts: the CPU acknowledges the
		 * interrupt controller, which is L1's (Nestor passes the
		 * local APIC through), and stores the vector for L1. L0
		 * itself never acknowledges on exit. */
		if ((v->nested->cache.f.PIN_BASED_CONTROLS & PIN_EXTERNAL_INTERRUPT_EXITING) &&
		    (v->nested->cache.f.EXIT_CONTROLS & EXIT_ACK_INTERRUPT_ON_EXIT) &&
		    !(l0.ctls.exit & EXIT_ACK_INTERRUPT_ON_EXIT)) {
			if (!(v->cfg->allowed1[VMX_EXIT] & EXIT_ACK_INTERRUPT_ON_EXIT))
				guest_unsupported(v, "L1 asked to acknowledge interrupts on exit, which this CPU cannot");
			out->ctls.exit |= EXIT_ACK_INTERRUPT_ON_EXIT;
		}
		return true;
	case VMCS02_UNBACKED:
		log_printf(LOG_QUIET, "nestor: L1 asked for controls this CPU cannot back for L2: pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
			   out->unbacked[VMX_PIN], out->unbacked[VMX_PROC],
			   out->unbacked[VMX_PROC2], out->unbacked[VMX_EXIT],
			   out->unbacked[VMX_ENTRY]);
		guest_unsupported(v, "vmcs02 cannot hold what L1 asked for");
	default: {
		const struct vmcs12 *f = &v->nested->cache.f;
		uint64_t page = out->failed_gpa & ~0xfffull;

		l2_stop_address(v, page == f->MSR_BITMAP ? "MSR bitmap (MSR_BITMAP)"
				   : page == f->IO_BITMAP_A ? "I/O bitmap A (IO_BITMAP_A)"
				   : "I/O bitmap B (IO_BITMAP_B)",
				out->failed_gpa,
				"the CPU would read whatever is there; Nestor reads bitmaps from L1's RAM, or its own memory as the all-ones page L1 sees");
	}
	}
}

/* 28.3.3.1: vpid02 holds the mappings of one VPID of L1 at a time; a VM
 * entry with another VPID12 (or, without VPIDs for L1, every entry)
 * starts from none. */
static void enter_vpid(struct vcpu *v, struct l2_state *s,
		       const struct vmcs12 *f)
{
	uint32_t proc2 = (f->PROC_BASED_CONTROLS & PROC_SECONDARY_CONTROLS)
				 ? f->SECONDARY_PROC_CONTROLS : 0;
	uint16_t vpid12 = (proc2 & PROC2_ENABLE_VPID) ? f->VPID : 0;

	if (!(s->vmcs02.ctls.proc2 & PROC2_ENABLE_VPID))
		return;
	if (s->flush_vpid_each_switch || !s->vpid12_valid ||
	    s->vpid12 != vpid12)
		flush_vpid(v, INVVPID_SINGLE_CONTEXT, NESTED_VPID02, 0);
	s->vpid12 = vpid12;
	s->vpid12_valid = true;
}

void l2_invvpid(struct vcpu *v, uint64_t type, uint16_t vpid12, uint64_t la)
{
	struct l2_state *s = l2_of(v);

	if (!s->vpid12_valid)
		return;
	/* 30.3 INVVPID: all-context takes every VPID of L1; the others
	 * only the one given, which vpid02 may not hold now. */
	if (type != INVVPID_ALL_CONTEXT && vpid12 != s->vpid12)
		return;
	flush_vpid(v, type == INVVPID_ALL_CONTEXT ? INVVPID_SINGLE_CONTEXT
						  : (enum invvpid_type)type,
		   NESTED_VPID02, la);
}

uint8_t l2_closed_events(const struct vmcs12 *f, bool at_entry)
{
	uint8_t closed = 0;

	/* 25.2: with "NMI exiting" an NMI is an exit to L1, never L2's. */
	if (f->PIN_BASED_CONTROLS & PIN_NMI_EXITING)
		closed |= EVENT_OPEN_NMI;
	/* 26.6: the entry delivers L1's event; L0's wait for the window. */
	if (at_entry && (f->ENTRY_INTR_INFO & INTR_INFO_VALID))
		closed |= EVENT_OPEN_NMI | EVENT_OPEN_INTR;
	return closed;
}

/* vmcs01 current again, for L1. */
static void back_to_vmcs01(struct vcpu *v)
{
	if (vmcs_load(&v->vmcs01.lv) != VMX_OK)
		panic("VMPTRLD of vmcs01 0x%lx failed", v->vmcs01.lv.pa);
	v->cur = &v->vmcs01;
	v->level = VCPU_L1;
	v->l2_events_closed = 0;
	exit_record_reset(&v->exit, v->exit.reason);
}

static void enter_l2(struct vcpu *v, struct l2_state *s)
{
	struct vmcs12_region *r = &v->nested->cache;
	const struct vmcs12 *f = &r->f;
	struct vmcs02_out out;
	struct l1_regs l1 = { 0 };
	uint64_t eptp;
	uint32_t bad_msr;
	bool full, apic_moved;

	/* What the queue holds now is L1's (an NMI latched for the guest is
	 * the guest's whatever level runs): an event for L1's own delivery
	 * would otherwise go into L2. */
	if (v->events.pending || v->events.nmi_deferred ||
	    event_queue_intr_waiting(&v->events))
		guest_unsupported(v, "L1 entered L2 while an event of its own was still being delivered");
	if (!setup(v, s))
		guest_unsupported(v, "no memory for vmcs02 (nestor_mem= is too small for nested VMX)");
	if (!merge(v, s, &out))
		return;
	s->shadow_ept = out.shadow_ept;
	s->flush_vpid_each_switch = out.flush_vpid_each_switch;
	apic_moved = l2_apic_access_choose(v, s, f);
	/* EPT02 when L1 uses EPT; also without, as the identity over L1's
	 * space, when its APIC-access page is not its RAM (l2_apic.c). */
	s->ept02_used = s->shadow_ept || s->apic_special != NO_APIC_SPECIAL;
	if (s->ept02_used && !s->shadow_ept && v->vm->reduced_width)
		guest_unsupported(v, "guest_maxphyaddr= with L1 running L2 without EPT and an APIC-access page outside its RAM is not emulated");
	eptp = s->shadow_ept ? ept02_for(v, f->EPT_POINTER)
	       : s->ept02_used ? ept02_for(v, EPT02_IDENTITY) : v->vm->eptp;
	/* 29.4.5: no translation cached before may bypass the new page. */
	if (apic_moved)
		flush_eptp(v, eptp);
	/* L1's registers a vmcs02 entry loads but the vmcs12's does not,
	 * read (from vmcs01, still current) only where that is so. */
	if ((out.ctls.entry & ENTRY_LOAD_EFER) && !(f->ENTRY_CONTROLS & ENTRY_LOAD_EFER))
		l1.efer = (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_EFER)
				  ? vmcs_read(VMCS_GUEST_IA32_EFER) : rdmsr(MSR_EFER);
	if ((out.ctls.entry & ENTRY_LOAD_PAT) && !(f->ENTRY_CONTROLS & ENTRY_LOAD_PAT))
		l1.pat = (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_PAT)
				 ? vmcs_read(VMCS_GUEST_IA32_PAT) : rdmsr(MSR_IA32_PAT);
	if (!(f->ENTRY_CONTROLS & ENTRY_LOAD_DEBUG_CONTROLS)) {
		l1.dr7 = vmcs_read(VMCS_GUEST_DR7);
		l1.debugctl = vmcs_read(VMCS_GUEST_IA32_DEBUGCTL);
	}

	if (vmcs_load(&s->vmcs02.lv) != VMX_OK)
		panic("VMPTRLD of vmcs02 0x%lx failed", s->vmcs02.lv.pa);
	v->cur = &s->vmcs02;
	v->level = VCPU_L2;
	exit_record_reset(&v->exit, v->exit.reason);
	/* A cleared vmcs02 (first entry, crash test, restart) or another
	 * vmcs12 than last time: built whole; else only what changed. */
	full = s->all_dirty || !s->vmcs02.lv.launched;
	if (!s->vmcs02.lv.launched) {
		vmcs_setup_host_state(v->cfg, &v->host_pages);
		vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
		vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
		vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	}
	write_controls(v, s, f, &out, full);
	vmcs_write(VMCS_EPT_POINTER, eptp);
	load_l2_guest_state(v, f, &out, &l1, full);
	/* gdb= or the shell: L2's breakpoints in vmcs02's DR7, and not L1's
	 * (which vmcs01's DR7 holds, where l1.dr7 came from). */
	guest_debug_l2_entered(v, !(f->ENTRY_CONTROLS & ENTRY_LOAD_DEBUG_CONTROLS));
	l2_apic_entry_state(f, &s->vmcs02.ctls);
	/* 26.7.4 (25.5.1): the timer starts from the vmcs12's value at each
	 * entry from L1. */
	if (f->PIN_BASED_CONTROLS & PIN_PREEMPTION_TIMER)
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, f->PREEMPTION_TIMER_VALUE);
	else if (out.ctls.pin & PIN_PREEMPTION_TIMER)
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, GDB_STUB_TIMER_TICKS);
	/* 26.6: L1's event goes in as L1 gave it; 24.8.3: an entry with the
	 * valid bit clear injects nothing. */
	vmcs_write(VMCS_ENTRY_INTR_INFO, f->ENTRY_INTR_INFO);
	if (f->ENTRY_INTR_INFO & INTR_INFO_VALID) {
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, f->ENTRY_EXCEPTION_ERROR_CODE);
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, f->ENTRY_INSTRUCTION_LEN);
	}
	/* 26.4: after the guest state, L1's MSR-load list, in order; a WRMSR
	 * that fails is a VM-entry failure (26.7, exit reason 34 with the
	 * entry's 1-based index), the entries before it staying loaded. */
	bad_msr = nested_entry_msr_load(v);
	if (bad_msr) {
		s->all_dirty = true; /* vmcs02 holds part of an entry that failed */
		back_to_vmcs01(v);
		nested_entry_failure(v, 34, bad_msr);
		shadow_from_cache(v);
		return;
	}
	enter_vpid(v, s, f);
	v->l2_events_closed = l2_closed_events(f, true);
	r->launch = VMCS12_LAUNCHED;
	memset(s->dirty, 0, sizeof(s->dirty));
	s->all_dirty = false;
}

/* 27.2: the exit-information fields; 24.8.3: a VM exit clears the valid
 * bit of the VM-entry interruption-information field; 27.2 (updating
 * VM-entry control fields): "IA-32e mode guest" takes IA32_EFER.LMA. */
static void write_exit_info(struct vmcs12 *f, const struct l2_exit_info *x,
			    uint64_t l2_efer)
{
	f->EXIT_REASON = x->reason;
	f->EXIT_QUALIFICATION = x->qual;
	f->GUEST_LINEAR_ADDRESS = x->gla;
	f->GUEST_PHYSICAL_ADDRESS = x->gpa;
	f->EXIT_INTR_INFO = x->intr_info;
	f->EXIT_INTR_ERROR_CODE = x->intr_error;
	f->IDT_VECTORING_INFO = x->idt_info;
	f->IDT_VECTORING_ERROR_CODE = x->idt_error;
	f->EXIT_INSTRUCTION_LEN = x->insn_len;
	f->EXIT_INSTRUCTION_INFO = x->insn_info;
	f->ENTRY_INTR_INFO &= ~INTR_INFO_VALID;
	f->ENTRY_CONTROLS &= ~ENTRY_IA32E_MODE_GUEST;
	if (l2_efer & EFER_LMA)
		f->ENTRY_CONTROLS |= ENTRY_IA32E_MODE_GUEST;
}

void l2_reflect(struct vcpu *v, const struct l2_exit_info *x)
{
	struct l2_state *s = l2_of(v);
	struct vmcs12 *f = &v->nested->cache.f;
	uint32_t exit12 = f->EXIT_CONTROLS;
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);

	/* A step of L2's (gdb= or the shell) ends in this exit: its TF and
	 * BS leave vmcs02 before L2's state is saved. */
	guest_debug_l2_leaving(v, x->reason);
	/* 27.3: L2's state into the vmcs12; the rows that change, and those
	 * every exit writes (exit_rows), are what L1's shadow VMCS takes. */
	memcpy(s->exit_changed, exit_rows, sizeof(exit_rows));
	for (unsigned i = 0; i < n_plain_rows; i++) {
		const struct vmcs_field_info *fi = &vmcs_field_table[plain_rows[i]];
		uint64_t val = vmcs_read(fi->encoding);

		if (val != vmcs12_get(f, fi)) {
			vmcs12_put(f, fi, val);
			s->exit_changed[plain_rows[i] / 64] |= 1ull << (plain_rows[i] % 64);
		}
	}
	if (exit12 & EXIT_SAVE_DEBUG_CONTROLS) {
		f->GUEST_DR7 = vmcs_read(VMCS_GUEST_DR7);
		f->GUEST_IA32_DEBUGCTL = vmcs_read(VMCS_GUEST_IA32_DEBUGCTL);
	}
	if (exit12 & EXIT_SAVE_PAT)
		f->GUEST_IA32_PAT = vmcs_read(VMCS_GUEST_IA32_PAT);
	if (exit12 & EXIT_SAVE_EFER)
		f->GUEST_IA32_EFER = efer;
	/* 27.3.1: IA32_BNDCFGS is saved wherever L1 was shown a control for
	 * it; IA32_PERF_GLOBAL_CTRL with its save control. */
	if (vmcs12_field_supported(&v->vm->l1_caps, VMCS_GUEST_IA32_BNDCFGS))
		f->GUEST_IA32_BNDCFGS = vmcs_read(VMCS_GUEST_IA32_BNDCFGS);
	if (exit12 & EXIT_SAVE_PERF_GLOBAL_CTRL)
		f->GUEST_IA32_PERF_GLOBAL_CTRL =
			vmcs_read(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL);
	/* 27.3.4: the timer's value, with "save VMX-preemption timer value". */
	if ((exit12 & EXIT_SAVE_PREEMPTION_TIMER) &&
	    (f->PIN_BASED_CONTROLS & PIN_PREEMPTION_TIMER))
		f->PREEMPTION_TIMER_VALUE =
			(uint32_t)vmcs_read(VMCS_PREEMPTION_TIMER_VALUE);
	/* 27.3.4: with EPT (L1's) and PAE paging the PDPTEs are saved. */
	if (s->shadow_ept && (f->GUEST_CR0 & CR0_PG) &&
	    (f->GUEST_CR4 & CR4_PAE) && !(efer & EFER_LMA)) {
		f->GUEST_PDPTE0 = vmcs_read(VMCS_GUEST_PDPTE0);
		f->GUEST_PDPTE1 = vmcs_read(VMCS_GUEST_PDPTE1);
		f->GUEST_PDPTE2 = vmcs_read(VMCS_GUEST_PDPTE2);
		f->GUEST_PDPTE3 = vmcs_read(VMCS_GUEST_PDPTE3);
	}
	l2_apic_exit_state(f);
	write_exit_info(f, x, efer);
	/* 27.5.1, 27.5.5: what the exit leaves of L2's state for L1. An exit
	 * caused by an NMI blocks NMIs; otherwise L2's blocking stays where
	 * the vmcs12 has no virtual NMIs (it was real NMI blocking). */
	s->l2_cr0 = vmcs_read(VMCS_GUEST_CR0);
	s->l2_efer = efer;
	s->l2_pat = (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_PAT)
			    ? vmcs_read(VMCS_GUEST_IA32_PAT) : rdmsr(MSR_IA32_PAT);
	s->l1_nmi_blocked =
		(EXIT_REASON_BASIC(x->reason) == EXIT_REASON_EXCEPTION_NMI &&
		 (x->intr_info & INTR_INFO_VALID) &&
		 INTR_INFO_TYPE(x->intr_info) == EVENT_NMI) ||
		(!(f->PIN_BASED_CONTROLS & PIN_VIRTUAL_NMIS) &&
		 (f->GUEST_INTERRUPTIBILITY & INTR_BLOCK_NMI));
	/* 27.4: L2's MSRs into L1's MSR-store area, before L1's state. */
	if (!nested_exit_msr_store(v))
		nested_vmx_abort(v, VMX_ABORT_SAVE_GUEST_MSR);
	/* Whatever L0 had queued for L2 is part of the exit now (its
	 * IDT-vectoring information) or L1's to redo. */
	event_queue_drop_delivery(&v->events);
	s->pending = NESTED_TO_L1;
	vcpu_request(v, VCPU_REQ_NESTED);
}

static void to_l1(struct vcpu *v, struct l2_state *s)
{
	back_to_vmcs01(v);
	if (s->flush_vpid_each_switch)
		flush_vpid(v, INVVPID_SINGLE_CONTEXT, v->vpid, 0);
	nested_load_host_state(v, s->l2_cr0, s->l2_efer, s->l1_nmi_blocked);
	/* 27.5.1: without "load IA32_PAT" on exit L1 keeps L2's PAT, which
	 * vmcs01's entry would otherwise replace by L1's old one. */
	if (!(v->nested->cache.f.EXIT_CONTROLS & EXIT_LOAD_PAT) &&
	    (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_PAT))
		vmcs_write(VMCS_GUEST_IA32_PAT, s->l2_pat);
	/* The exit information is new: into the shadow VMCS L1 reads. */
	shadow_from_cache_rows(v, s->exit_changed);
}

void nested_switch(struct vcpu *v)
{
	struct l2_state *s = l2_of(v);
	enum nested_switch_to to = s->pending;

	s->pending = NESTED_SWITCH_NONE;
	if (to == NESTED_TO_L2)
		enter_l2(v, s);
	else if (to == NESTED_TO_L1) {
		to_l1(v, s);
		/* gdb= or the shell: a breakpoint removed while stopped in L2
		 * leaves vmcs01's DR7 before L1 runs; a stop that came with
		 * this exit (a step of L2's ended in it) is served with L1 at
		 * its host RIP. */
		gdb_stub_l1_current(v);
	}
}

void nested_l2_controls(struct vcpu *v)
{
	struct l2_state *s = l2_of(v);
	struct vmcs02_out out;

	if (!merge(v, s, &out))
		return;
	/* 24.8.1: "IA-32e mode guest" is L2's EFER.LMA now, which an L0
	 * emulated MOV to CR0 may have changed since the vmcs12 said. */
	out.ctls.entry &= ~ENTRY_IA32E_MODE_GUEST;
	if (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA)
		out.ctls.entry |= ENTRY_IA32E_MODE_GUEST;
	/* The read shadows are L2's running values (the vmcs12's guest CR0/
	 * CR4 are from the last entry); the masks do not change while L2
	 * runs. */
	out.ctls.cr0_shadow = s->vmcs02.ctls.cr0_shadow;
	out.ctls.cr4_shadow = s->vmcs02.ctls.cr4_shadow;
	write_controls(v, s, &v->nested->cache.f, &out, false);
	if (event_queue_nmi_waiting(&v->events) &&
	    !(s->vmcs02.ctls.proc & PROC_NMI_WINDOW_EXITING)) {
		s->vmcs02.ctls.proc |= PROC_NMI_WINDOW_EXITING;
		vmcs_write(VMCS_PROC_BASED_CONTROLS, s->vmcs02.ctls.proc);
	}
}
