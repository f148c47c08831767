/* One guest instruction stepped with pages behind the write sink.
 *
 * Nestor's own memory is mapped to one read-only page of all ones and the
 * xAPIC page read-only (vmx/exit_ept.c). A write there exits; Nestor points
 * the written page(s) at a scratch "sink" page, lets the one instruction
 * complete, then points them back. For Nestor's memory the write is lost;
 * for the xAPIC page the 32-bit register value the instruction wrote is
 * then forwarded to the real local APIC, unless it is an IPI Nestor refuses
 * (vmx/apic_icr.h). The guest never needs to be decoded.
 *
 * "Lets the one instruction complete" uses the monitor trap flag where the
 * CPU has it (SDM Vol. 3C 25.5.2: an MTF VM exit follows the next
 * instruction). Without it (most of Bochs' models) Nestor single-steps:
 * RFLAGS.TF = 1 with #DB in the exception bitmap (a single-step trap after
 * the instruction, SDM Vol. 3A 17.3.1.4; it outranks NMI and INTR at that
 * boundary, Table 6-2), and the step ends at the #DB exit that reports BS.
 *
 * The step is exactly one instruction, whatever happens:
 *  - it opens at the EPT violation and ends at the next VM exit. That exit
 *    is either the step's own end (MTF, or a #DB trap: the instruction
 *    retired) or anything else, which closes it without retiring: the pages
 *    go back, nothing is forwarded, and the exit is then handled as usual;
 *  - while it is open every exception exits (bitmap all ones, PFEC
 *    mask = match = 0: 25.2), so a fault of the stepped instruction closes
 *    the step before the guest's handler runs and is then delivered with
 *    the guest's own RFLAGS.TF and IF in its frame (or exits as usual);
 *  - RFLAGS.IF = 0 during it (both ways), so no external interrupt is
 *    delivered in front of the instruction (its handler would run with the
 *    sink mapped); an NMI is not injected during it (vmx/event_inject.c)
 *    but opens the NMI window, whose exit closes the step first;
 *  - the pending-debug-exceptions field is cleared at each EPT violation
 *    of the step: that exit is fault-like, the instruction did not
 *    complete, and no debug trap is pending (SDM Vol. 3C 27.3.4). Bochs 2.7
 *    saves a single-step trap it had already scheduled there (docs/
 *    bochs-deviations.md); left in place, the #DB would be delivered at the
 *    next VM entry, before the instruction, and the step would end too
 *    early, over and over;
 *  - an instruction that is stepped STEP_RETRY_LIMIT times in a row without
 *    retiring stops the guest with a message, rather than loop silently.
 * The same step serves EPT breakpoints (vmx/ept_break.c): an instruction
 * fetched from a page whose X is off for a breakpoint, and that is not a
 * hit, runs with X back on that page (write_step_exec_page()); X goes off
 * again when the step ends, retired or not. It may put pages on the sink
 * too (an instruction there that writes Nestor's memory is one step).
 * When GDB's or the shell's own step (vmx/guest_debug.c) is under way, the
 * write step's end is that step's end too (guest_debug_step_retired()).
 * Without MTF a write in an STI/MOV-SS shadow or while an event is being
 * re-delivered cannot be stepped (VM-entry rules 26.3.1.5) and stops the
 * guest with a message. What the guest can still see is in
 * docs/architecture.md ("Known gaps"). */
#include "vmx/write_step.h"
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/apic_icr.h"
#include "vmx/ept_break.h"
#include "vmx/exit_info.h"
#include "vmx/guest_debug.h"
#include "vmx/tlb.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

#define STEP_RETRY_LIMIT 8
#define ICR_IDLE_SPINS 100000
#define ICR_DELIVERY_PENDING (1u << 12)
#define DEBUGCTL_BTF (1ull << 1)
#define NESTOR_WRITE_LOG_LIMIT 8
#define APIC_REFUSED_LOG_LIMIT 16

/* A write (pages on the sink), or only a fetch from an EPT breakpoint's
 * page. */
static bool writes(const struct vcpu *v)
{
	return v->step.nsink != 0 || v->step.apic_write;
}

static void refuse(struct vcpu *v, const char *what, const char *why)
{
	log_printf(LOG_QUIET, "nestor: the guest %s %s at RIP 0x%lx %s\n",
		   writes(v) ? "wrote to" : "fetched from", what, v->step.rip,
		   why);
	guest_unsupported(v, writes(v) ? "a guest write Nestor cannot step"
			  : "a guest instruction Nestor cannot step");
}

static void step_begin(struct vcpu *v, const char *what)
{
	static bool warned;
	struct write_step *s = &v->step;
	uint64_t rflags;

	s->tf_step = !(v->cfg->mtf && v->cfg->ext_int_exiting);
	s->rip = exit_get(&v->exit, EF_RIP);
	if (s->rip == s->stuck_rip && s->stuck_count >= STEP_RETRY_LIMIT)
		refuse(v, what, "and the instruction has been stepped again and again without retiring");
	if (s->tf_step) {
		if (exit_get(&v->exit, EF_INTR_STATE) &
		    (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
			refuse(v, what, writes(v) ? "in an STI/MOV-SS shadow; without the monitor trap flag Nestor cannot step that write"
				   : "in an STI/MOV-SS shadow; without the monitor trap flag Nestor cannot step that instruction");
		if (v->events.pending)
			refuse(v, what, writes(v) ? "while an event was being delivered; without the monitor trap flag Nestor cannot step that write"
				   : "while an event was being delivered; without the monitor trap flag Nestor cannot step that instruction");
		if (!warned) {
			warned = true;
			pr_warn("nestor: no monitor trap flag on this CPU: guest writes to Nestor's memory and the xAPIC page (and instructions on EPT breakpoints' pages) are single-stepped with RFLAGS.TF and IF=0\n");
		}
	}
	if (v->cfg->mtf && v->cfg->ext_int_exiting) {
		/* MTF: RFLAGS stays the guest's. An external interrupt that
		 * would be delivered in front of the instruction exits instead
		 * (24.6.1, without acknowledge on exit: it stays pending and
		 * is delivered once the step has closed unretired). */
		v->wants.mtf = true;
		v->wants.ext_int_exiting = true;
	} else {
		/* TF: the single-step trap after the instruction, IF = 0 so
		 * no interrupt comes in front of it, and DEBUGCTL.BTF = 0 so
		 * that TF means "after every instruction", not "after the
		 * next branch" (SDM Vol. 3A 17.4.3). */
		rflags = exit_get(&v->exit, EF_RFLAGS);
		s->saved_rflags = rflags;
		s->saved_debugctl = vmcs_read(VMCS_GUEST_IA32_DEBUGCTL);
		exit_set(&v->exit, EF_RFLAGS, (rflags & ~RFLAGS_IF) | RFLAGS_TF);
		if (s->saved_debugctl & DEBUGCTL_BTF)
			vmcs_write(VMCS_GUEST_IA32_DEBUGCTL,
				   s->saved_debugctl & ~DEBUGCTL_BTF);
	}
	/* Every exception exits while the step is open (vmx/l0_controls.c:
	 * bitmap all ones, PFEC mask = match = 0, 25.2). This file owns the
	 * wants mtf, ext_int_exiting and all_exceptions. */
	v->wants.all_exceptions = true;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

/* A page was added to the step: open it if it was not. */
static void page_added(struct vcpu *v, bool opened, const char *what)
{
	flush_guest_ept(v);
	if (opened)
		step_begin(v, what);
	/* 27.3.4: nothing is pending after this fault-like exit (see the
	 * comment at the top: Bochs 2.7 may have saved a BS here), unless
	 * MOV-SS blocking holds a debug exception back (possible on the MTF
	 * path only: the TF path refuses shadows). */
	if (!(exit_get(&v->exit, EF_INTR_STATE) & INTR_BLOCK_MOV_SS))
		vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/* Put the page at gpa on the sink for the step; open the step if it is
 * the first. */
static void sink_page(struct vcpu *v, uint64_t gpa, const char *what)
{
	struct write_step *s = &v->step;
	uint64_t page = ALIGN_DOWN(gpa, PAGE_SIZE);
	bool opened = !write_step_open(s);

	if (s->nsink == SINK_MAX_PAGES)
		refuse(v, what, "and to more of Nestor's pages than Nestor can sink");
	if (ept_map(&v->vm->ept, page, v->sink_page_pa, PAGE_SIZE, EPT_R | EPT_W,
		    EPT_MT_WB))
		guest_unsupported(v, "cannot map the write sink (out of EPT table memory)");
	s->sink_gpa[s->nsink++] = page;
	page_added(v, opened, what);
}

void write_step_exec_page(struct vcpu *v, uint64_t gpa)
{
	struct write_step *s = &v->step;
	static const char what[] = "a page with an EPT breakpoint";
	bool opened = !write_step_open(s);

	if (s->nexec == EXEC_MAX_PAGES)
		refuse(v, what, "and from more such pages than one instruction spans");
	ept_break_page_exec(v, gpa, true);
	s->exec_gpa[s->nexec++] = ALIGN_DOWN(gpa, PAGE_SIZE);
	page_added(v, opened, what);
}

void write_step_nestor_page(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
	if (v->step.apic_write)
		refuse(v, "the local APIC and to Nestor's memory", "in one instruction");
	if (v->nestor_memory_writes++ < NESTOR_WRITE_LOG_LIMIT)
		pr_warn("nestor: guest write to Nestor's memory at 0x%lx (RIP 0x%lx, qualification 0x%lx) dropped\n",
			gpa, exit_get(&v->exit, EF_RIP), qual);
	sink_page(v, gpa, "Nestor's memory");
}

static volatile uint32_t *xapic(const struct vcpu *v, unsigned reg)
{
	return (volatile uint32_t *)(v->vm->apic_gpa + reg);
}

void write_step_apic_page(struct vcpu *v, uint64_t gpa)
{
	struct write_step *s = &v->step;

	if (s->nsink)
		refuse(v, "the local APIC and to Nestor's memory", "in one instruction");
	s->apic_write = true;
	s->apic_reg = (unsigned)(gpa & 0xff0);
	/* The register's live value in its slot, so that a read-modify-write
	 * (OR, XCHG, XADD) starts from it; xAPIC reads have no side effects. */
	memset((void *)v->sink_page_pa, 0, PAGE_SIZE);
	*(volatile uint32_t *)(v->sink_page_pa + s->apic_reg) =
		*xapic(v, s->apic_reg);
	sink_page(v, gpa, "the xAPIC page");
}

/* The stepped instruction wrote an xAPIC register (in the sink page):
 * forward it to the local APIC, unless it is an IPI Nestor refuses. */
static void apic_write_done(struct vcpu *v)
{
	unsigned reg = v->step.apic_reg;
	uint32_t val = *(volatile uint32_t *)(v->sink_page_pa + reg);
	uint32_t high;
	uint64_t base;
	struct apic_self self;
	struct icr_write w;

	/* The xAPIC page is the APIC only in xAPIC mode (EN = 1, EXTD = 0;
	 * SDM Vol. 3A 11.4.3, 11.12.1); otherwise the write goes nowhere. */
	if (rdmsr_checked(MSR_IA32_APIC_BASE, &base) ||
	    (base & (APIC_BASE_EN | APIC_BASE_EXTD)) != APIC_BASE_EN)
		return;
	if (reg != XAPIC_ICR_LOW) {
		*xapic(v, reg) = val;
		return;
	}
	high = *xapic(v, XAPIC_ICR_HIGH);
	self = (struct apic_self){ false, *xapic(v, XAPIC_ID) >> 24,
				   *xapic(v, XAPIC_LDR) >> 24,
				   (*xapic(v, XAPIC_DFR) >> 28) == 0 };
	w = (struct icr_write){ val, high >> 24 };
	if (!apic_icr_route(&w, &self)) {
		if (v->refused_ipis++ < APIC_REFUSED_LOG_LIMIT)
			pr_warn("nestor: guest %s IPI (xAPIC ICR 0x%x, destination 0x%x) refused: Nestor runs one vCPU and keeps the other CPUs\n",
				apic_icr_mode_name(val), val, w.dest);
		return;
	}
	if (w.dest == high >> 24) {
		*xapic(v, XAPIC_ICR_LOW) = w.icr;
		return;
	}
	/* A destination of Nestor's choosing: sent, then the guest's own
	 * ICR_HIGH is put back (writing ICR_HIGH sends nothing, 11.6.1). */
	*xapic(v, XAPIC_ICR_HIGH) = (high & 0x00ffffffu) | (w.dest << 24);
	*xapic(v, XAPIC_ICR_LOW) = w.icr;
	/* Delivery status (ICR bit 12, 11.6.1) idle before the guest's
	 * destination is back, so the IPI cannot go there instead. */
	for (unsigned spin = 0; spin < ICR_IDLE_SPINS &&
	     (*xapic(v, XAPIC_ICR_LOW) & ICR_DELIVERY_PENDING); spin++)
		__asm__ __volatile__("pause");
	*xapic(v, XAPIC_ICR_HIGH) = high;
}

/* The sink's pages back where they belong. */
static void unmap_sink(struct vcpu *v)
{
	struct write_step *s = &v->step;

	for (unsigned i = 0; i < s->nsink; i++) {
		if (s->sink_gpa[i] == v->vm->apic_gpa)
			ept_map(&v->vm->ept, v->vm->apic_gpa, v->vm->apic_gpa, PAGE_SIZE,
				EPT_R, EPT_MT_UC);
		else
			ept_map(&v->vm->ept, s->sink_gpa[i], v->vm->hidden_page_pa,
				PAGE_SIZE, EPT_R, EPT_MT_WB);
	}
	for (unsigned i = 0; i < s->nexec; i++)
		ept_break_page_exec(v, s->exec_gpa[i], false);
	s->nsink = 0;
	s->nexec = 0;
	flush_guest_ept(v);
}

void write_step_abort(struct vcpu *v)
{
	unmap_sink(v);
	v->step = (struct write_step){ 0 };
	memset((void *)v->sink_page_pa, 0xff, PAGE_SIZE);
}

/* Ends the step: pages back (Nestor's to the all-ones page, the xAPIC page
 * to the APIC, read-only), the guest's TF/IF and Nestor's intercepts back,
 * and the write forwarded iff the instruction retired. */
static void step_end(struct vcpu *v, bool retired)
{
	struct write_step *s = &v->step;

	if (s->tf_step) {
		uint64_t rflags = exit_get(&v->exit, EF_RFLAGS);

		exit_set(&v->exit, EF_RFLAGS, (rflags & ~(RFLAGS_TF | RFLAGS_IF)) |
			 (s->saved_rflags & (RFLAGS_TF | RFLAGS_IF)));
		/* Closed by an instruction's own exit (VMCALL, I/O): the CPU
		 * may have saved the single-step trap of Nestor's TF as BS in
		 * the pending debug exceptions (27.3.4; Bochs 2.7 does at a
		 * VMCALL); it is not the guest's, whose TF was 0. */
		if (!retired && !(s->saved_rflags & RFLAGS_TF))
			vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
				   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & ~DBG_BS);
		if (s->saved_debugctl & DEBUGCTL_BTF)
			vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, s->saved_debugctl);
	}
	/* GDB's or the shell's MTF step may still be under way. */
	v->wants.mtf = guest_debug_wants_mtf();
	v->wants.ext_int_exiting = false;
	v->wants.all_exceptions = false;
	vcpu_request(v, VCPU_REQ_CONTROLS);
	if (retired) {
		s->stuck_count = 0;
		s->stuck_rip = 0;
	} else if (s->stuck_rip == s->rip) {
		s->stuck_count++;
	} else {
		s->stuck_rip = s->rip;
		s->stuck_count = 1;
	}
	unmap_sink(v);
	if (retired && s->apic_write)
		apic_write_done(v);
	s->apic_write = false;
	/* The sink must not keep what the guest wrote. */
	memset((void *)v->sink_page_pa, 0xff, PAGE_SIZE);
}

/* The breakpoints DR7 enables (L0-3/G0-3, SDM Vol. 3A 17.2.4) as B0-B3
 * bits: DR6 and the exit qualification may report a match of a disabled
 * one too (Table 27-1), which raises nothing. */
static uint64_t enabled_bps(uint64_t dr7)
{
	uint64_t b = 0;

	for (unsigned n = 0; n < 4; n++)
		if ((dr7 >> (2 * n)) & 3)
			b |= 1ull << n;
	return b;
}

/* Is this #DB a trap, i.e. did the instruction before it retire? A
 * single-step (BS) or an enabled data/I/O breakpoint (R/Wn != 00 in DR7)
 * is a trap; an instruction breakpoint (R/Wn = 00) is a fault (SDM Vol. 3A
 * 17.2.4, 17.3.1.1-17.3.1.2). */
static bool db_is_trap(uint64_t dr6, uint64_t dr7)
{
	if (dr6 & DBG_BS)
		return true;
	for (unsigned n = 0; n < 4; n++)
		if ((dr6 & enabled_bps(dr7) & (1ull << n)) &&
		    ((dr7 >> (16 + 4 * n)) & 3))
			return true;
	return false;
}

bool write_step_exception(struct vcpu *v, uint32_t intr_info, uint64_t qual)
{
	uint64_t dr7 = vmcs_read(VMCS_GUEST_DR7), dr6;
	bool tf_step = v->step.tf_step;
	bool guest_tf = v->step.saved_rflags & RFLAGS_TF;

	if (INTR_INFO_VECTOR(intr_info) != VEC_DB ||
	    INTR_INFO_TYPE(intr_info) != EVENT_HARDWARE_EXCEPTION ||
	    !db_is_trap(qual, dr7)) {
		step_end(v, false);
		return false;
	}
	step_end(v, true);
	/* GDB's or the shell's TF step: its end, not the guest's #DB. */
	if (guest_debug_step_retired(v))
		return true;
	/* The guest's own #DB, if it is due: its own single-step and any
	 * enabled breakpoint that matched, in one #DB with all the bits
	 * (17.2.3), after the instruction. On the TF path BS is Nestor's
	 * unless the guest's TF was set; on the MTF path it is the guest's. */
	dr6 = qual & ~DBG_BS;
	if (tf_step ? guest_tf : (qual & DBG_BS))
		dr6 |= DBG_BS;
	if ((dr6 & DBG_BS) || (dr6 & enabled_bps(dr7)))
		event_queue_exception(&v->events, VEC_DB, false, 0, true, dr6);
	return true;
}

void write_step_mtf(struct vcpu *v)
{
	if (!write_step_open(&v->step))
		guest_unsupported(v, "a monitor-trap-flag exit outside a write step");
	step_end(v, true);
	guest_debug_step_retired(v);
}

void write_step_close(struct vcpu *v)
{
	step_end(v, false);
}
