/* Every VM exit taken while L2 runs (issue 14 items 3, 5, 6, 7).
 *
 * One decision per exit: nested_reflect_exit() (nested/reflect.c, pure)
 * says whether L1's vmcs12 asks for it (SDM Vol. 3C 25.1-25.5). Then:
 *  - L1 wants it: the exit as the CPU reported it on vmcs02 is what L1's
 *    CPU would have reported (vmcs02 exits at least whenever L1's vmcs12
 *    does, nested/vmcs02_merge.h), so its information fields go into the
 *    vmcs12 unchanged (nested/l2.c l2_reflect());
 *  - only L0 wants it: L0 handles it for L2 as it would for L1, on vmcs02
 *    (an exception L0 intercepted goes back into L2, a port of Nestor's,
 *    the MSR filter, HLT), and L2 resumes;
 *  - exits with their own rules: EPT violations (shadow EPT,
 *    nested/ept02.c), RDMSR/WRMSR (Nestor's MSR filter before L1's
 *    bitmap, issue 14 item 7).
 * Exceptions L0 raises for L2 (seed 001) go where the CPU would send
 * them: to L1 when its exception bitmap and #PF mask/match want them
 * (25.2), with the payload in the exit qualification and CR2/DR6
 * untouched (27.1), else into L2 with the payload delivered then. */
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "nested/reflect.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/guest_debug.h"
#include "vmx/msr_policy.h"
#include "vmx/nested_seam.h"
#include "vmx/tlb.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_track.h"

static bool read_bitmap(void *ctx, enum reflect_bitmap which, uint64_t page,
			unsigned offset, uint8_t *byte)
{
	(void)which;
	return l2_read_l1(ctx, page + offset, byte, 1);
}

/* The exit as vmcs02 reported it: every information field (27.2). */
static void exit_info_of(struct vcpu *v, struct l2_exit_info *x)
{
	struct exit_record *r = &v->exit;

	x->reason = r->reason;
	x->qual = exit_get(r, EF_QUAL);
	x->gla = exit_get(r, EF_GLA);
	x->gpa = exit_get(r, EF_GPA);
	x->intr_info = (uint32_t)exit_get(r, EF_INTR_INFO);
	x->intr_error = (uint32_t)exit_get(r, EF_INTR_ERROR);
	x->idt_info = (uint32_t)exit_get(r, EF_IDT_INFO);
	x->idt_error = (uint32_t)exit_get(r, EF_IDT_ERROR);
	x->insn_len = (uint32_t)exit_get(r, EF_INSN_LEN);
	x->insn_info = (uint32_t)exit_get(r, EF_INSN_INFO);
}

static void reflect_as_is(struct vcpu *v)
{
	struct l2_exit_info x;

	exit_info_of(v, &x);
	l2_reflect(v, &x);
}

/* What nested_reflect_exit() reads, read for this exit only where a rule
 * needs it (the exit path's rule: only the fields the exit needs): RSP
 * and the operand size for the register operands of CR accesses and
 * VMREAD/VMWRITE, the CPL for PAUSE-loop exiting, IA32_XSS for
 * XSAVES/XRSTORS. */
static void reflect_input(struct vcpu *v, struct reflect_exit *e)
{
	struct exit_record *r = &v->exit;
	unsigned basic = EXIT_REASON_BASIC(r->reason);
	bool operands = basic == EXIT_REASON_CR_ACCESS ||
			basic == EXIT_REASON_VMREAD || basic == EXIT_REASON_VMWRITE;

	e->reason = r->reason;
	e->qual = exit_get(r, EF_QUAL);
	e->intr_info = (uint32_t)exit_get(r, EF_INTR_INFO);
	e->intr_error = (uint32_t)exit_get(r, EF_INTR_ERROR);
	e->insn_info = (uint32_t)exit_get(r, EF_INSN_INFO);
	for (unsigned i = 0; i < 16; i++)
		e->gpr[i] = i == 4 ? (operands ? vmcs_read(VMCS_GUEST_RSP) : 0)
				   : gpr_read(v, i);
	/* XSAVES/XRSTORS: IA32_XSS is not switched by the VMCS, so the
	 * CPU's is L2's (the XSS-exiting bitmap reads it, 25.1.3). */
	e->xss = 0;
	if (basic == EXIT_REASON_XSAVES || basic == EXIT_REASON_XRSTORS)
		(void)rdmsr_checked(0xda0u /* IA32_XSS */, &e->xss);
	e->cpl = basic == EXIT_REASON_PAUSE ? guest_cpl() : 0;
	e->long_mode = operands &&
		       (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
		       (vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L);
	/* vmcs02's timer is L1's alone: L0 runs none for itself. */
	e->l1_timer_expired = basic == EXIT_REASON_PREEMPTION_TIMER &&
		(v->nested->cache.f.PIN_BASED_CONTROLS & PIN_PREEMPTION_TIMER);
}

/* A MOV to CR0/CR4 (or LMSW, CLTS) of L2 that changes only bits L0 owns in
 * vmcs02 (the bits VMX fixes, CR4.VMXE): L1 does not own them, so they
 * are L2's as on L1's CPU, where the write succeeds or raises #GP for a
 * bit fixed in VMX operation (25.3, 23.8); exit_cr.c's emulation on the
 * current VMCS does exactly that, with L1's fixed bits. L1's bits in the
 * read shadow equal the value written (else the exit would be L1's), so
 * the shadow it writes is right for both. What exit_cr.c does not know:
 * L2's mappings are tagged with VPID02 (28.3.3.3), and vmcs02's
 * "IA-32e mode guest" follows L2's EFER.LMA (24.8.1). */
static void l2_cr_access(struct vcpu *v)
{
	struct l2_state *s = l2_of(v);
	uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4);
	bool lma;

	/* exit_cr.c reads PAE PDPTEs at CR3 as an L1 address, which L2's is
	 * not under L1's EPT (28.2.1). */
	if (s->shadow_ept && (cr4 & CR4_PAE) &&
	    !(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) && (cr0 & CR0_PG))
		guest_unsupported(v, "a CR access of L2 with PAE paging under L1's EPT that only Nestor intercepts is not emulated");
	handle_cr_access(v);
	/* exit_cr.c wrote vmcs02's CR fields and shadows behind the vmcs12
	 * L1 will resume from: the next entry rebuilds vmcs02 whole. */
	s->all_dirty = true;
	if (s->vmcs02.ctls.proc2 & PROC2_ENABLE_VPID)
		flush_vpid(v, INVVPID_SINGLE_CONTEXT, NESTED_VPID02, 0);
	lma = vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA;
	if (lma != !!(s->vmcs02.ctls.entry & ENTRY_IA32E_MODE_GUEST)) {
		s->vmcs02.ctls.entry ^= ENTRY_IA32E_MODE_GUEST;
		vmcs_write(VMCS_ENTRY_CONTROLS, s->vmcs02.ctls.entry);
	}
}

/* HLT of L2 that L1 lets run: L2 waits in the HLT activity state (24.4.2)
 * as on L1's CPU. With RFLAGS.IF = 0 only an exit can end the wait when
 * L1 takes external interrupts, NMIs or the preemption timer as exits
 * (25.2, 25.5.1); without any of them nothing ever would, as for L1
 * (vmx/exit_simple.c says so and stops). */
static void l2_hlt(struct vcpu *v)
{
	uint32_t pin = v->nested->cache.f.PIN_BASED_CONTROLS;

	if (!(pin & (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING |
		     PIN_PREEMPTION_TIMER)) || !v->cfg->activity_hlt) {
		handle_hlt(v);
		return;
	}
	skip_instruction(v);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 1);
}

/* Exits only L0 asked for, handled for L2 as for L1: each of these
 * handlers acts on the current VMCS's guest state only, which is L2's. */
static void handle_in_l0(struct vcpu *v, unsigned basic)
{
	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
		handle_exception_nmi(v);
		return;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		handle_external_interrupt(v);
		return;
	case EXIT_REASON_NMI_WINDOW:
		handle_nmi_window(v);
		return;
	case EXIT_REASON_INTERRUPT_WINDOW:
		handle_interrupt_window(v);
		return;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		handle_monitor_trap(v);
		return;
	case EXIT_REASON_DR_ACCESS:
		/* While breakpoints hold DR0-DR3 (vmx/guest_debug.c), where the
		 * vmcs12 does not take MOV DR itself. */
		handle_dr_access(v);
		return;
	case EXIT_REASON_HLT:
		l2_hlt(v);
		return;
	case EXIT_REASON_IO_INSTRUCTION:
		/* One of Nestor's own ports, which L1 lets L2 reach. */
		handle_io(v);
		return;
	case EXIT_REASON_RDMSR:
		handle_rdmsr(v);
		return;
	case EXIT_REASON_WRMSR:
		handle_wrmsr(v);
		return;
	case EXIT_REASON_WBINVD:
		handle_wbinvd(v);
		return;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* gdb='s poll timer on vmcs02 (nested/l2.c). */
		handle_preemption_timer(v);
		return;
	case EXIT_REASON_EPT_VIOLATION:
		/* EPT02 = EPT01 (L1 does not use EPT): a write to Nestor's
		 * memory or the xAPIC page is stepped as L1's would be
		 * (vmx/write_step.c, on vmcs02), a guest MAXPHYADDR below the
		 * CPU's turns into L2's #PF, as for L1. */
		handle_ept_violation(v);
		return;
	case EXIT_REASON_CR_ACCESS:
		l2_cr_access(v);
		return;
	default:
		guest_unsupported(v, "an exit of L2 that L1 did not ask for and Nestor has no L2 handler for");
	}
}

/* 25.2, 27.1: the exception L0 just queued for L2 exits to L1 instead when
 * L1's exception bitmap (with the #PF mask/match) wants it. The exit
 * carries the payload in the qualification (CR2 for #PF; for #DB the DR6
 * bits, which the queue keeps in that layout already), and CR2/DR6 are
 * not written; an event whose delivery was interrupted goes into the
 * IDT-vectoring information. */
static bool route_l0_exception(struct vcpu *v)
{
	const struct event *peek = event_queue_peek_exception(&v->events);
	struct l2_exit_info x = { 0 };
	uint32_t idt = (uint32_t)exit_get(&v->exit, EF_IDT_INFO);
	struct event ev;

	/* Only a hardware exception L0 raised now: one re-queued from the
	 * IDT-vectoring information is L2's own delivery, which the CPU
	 * completes without consulting the exception bitmap (26.6). */
	if (!peek || peek->reinjected || peek->type != EVENT_HARDWARE_EXCEPTION ||
	    !reflect_exception_wanted(&v->nested->cache.f, peek->vector,
				      peek->error_code))
		return false;
	event_queue_take_exception(&v->events, &ev);
	x.reason = EXIT_REASON_EXCEPTION_NMI;
	x.intr_info = INTR_INFO_VALID | (EVENT_HARDWARE_EXCEPTION << 8) |
		      ev.vector;
	if (ev.has_error_code) {
		x.intr_info |= INTR_INFO_ERROR_VALID;
		x.intr_error = ev.error_code;
	}
	x.qual = ev.has_payload ? ev.payload : 0;
	if (idt & INTR_INFO_VALID) {
		x.idt_info = idt;
		x.idt_error = (uint32_t)exit_get(&v->exit, EF_IDT_ERROR);
	}
	x.insn_len = (uint32_t)exit_get(&v->exit, EF_INSN_LEN);
	l2_reflect(v, &x);
	return true;
}

/* An NMI that came for the guest while L2 runs: with "NMI exiting" in the
 * vmcs12 the CPU exits to L1 (25.2: exit reason 0, an NMI's interruption
 * information); without it, it is delivered to L2 (events_deliver()). */
static void route_nmi(struct vcpu *v)
{
	struct l2_exit_info x = { 0 };

	if (!v->events.nmi_pending)
		return;
	/* Not while L2 blocks NMIs: blocking by MOV SS, and by NMI where the
	 * vmcs12 has no virtual NMIs (the bit is then real NMI blocking;
	 * with them, virtual-NMI blocking never holds back an NMI exit,
	 * 24.4.2, 25.2). The window exit comes when the blocking ends. */
	if (exit_get(&v->exit, EF_INTR_STATE) &
	    (INTR_BLOCK_MOV_SS |
	     ((v->nested->cache.f.PIN_BASED_CONTROLS & PIN_VIRTUAL_NMIS) ? 0 : INTR_BLOCK_NMI)))
		return;
	if (v->events.pending ||
	    !(v->nested->cache.f.PIN_BASED_CONTROLS & PIN_NMI_EXITING) ||
	    l2_of(v)->pending != NESTED_SWITCH_NONE)
		return;
	v->events.nmi_pending = false;
	x.reason = EXIT_REASON_EXCEPTION_NMI;
	x.intr_info = INTR_INFO_VALID | (EVENT_NMI << 8) | VEC_NMI;
	l2_reflect(v, &x);
}

void nested_l2_exit(struct vcpu *v)
{
	struct l2_state *s = l2_of(v);
	unsigned basic = EXIT_REASON_BASIC(v->exit.reason);
	const struct vmcs12 *f = &v->nested->cache.f;
	struct reflect_ops ops = { .ctx = v, .read_bitmap = read_bitmap };
	struct reflect_exit e;
	struct reflect_decision d;

	/* test_crash_nmi=l2: the crash path from inside an exit of L2, with
	 * vmcs01, vmcs02 and the shadow VMCS loaded. */
	crash_test_l2_exit();
	v->l2_events_closed = l2_closed_events(f, false);
	if (basic == EXIT_REASON_EPT_VIOLATION && s->ept02_used) {
		ept02_violation(v);
		route_nmi(v);
		l2_apic_before_resume(v, s, f);
		return;
	}
	if (basic == EXIT_REASON_EPT_MISCONFIG)
		guest_unsupported(v, "an EPT misconfiguration in vmcs02's EPT, which Nestor built: a Nestor bug");
	/* A write of L2's being stepped (vmx/write_step.c): its own trap or
	 * MTF exit, or the exception its instruction raised, is L0's first;
	 * an exception of the instruction then goes where the CPU sends it
	 * (route_l0_exception(): seed 001, "the #DB of a single-stepped
	 * write" included). */
	if (unlikely(write_step_open(&v->step)) &&
	    (basic == EXIT_REASON_EXCEPTION_NMI ||
	     basic == EXIT_REASON_MONITOR_TRAP_FLAG)) {
		d.verdict = HANDLE_IN_L0;
		d.why = "Nestor's write step";
	} else if (unlikely(guest_debug_l2_exit(v, basic))) {
		/* A breakpoint of L2's or the end of a step of L2's (GDB's or
		 * the shell's): its #DB or MTF exit; L2's other exits go
		 * where they go, and one to L1 ends the step (l2_reflect()). */
		d.verdict = HANDLE_IN_L0;
		d.why = "Nestor's breakpoint or step";
	} else if (unlikely(v->vm->reduced_width) && !s->shadow_ept &&
		   basic == EXIT_REASON_EXCEPTION_NMI &&
		   INTR_INFO_VECTOR(exit_get(&v->exit, EF_INTR_INFO)) == VEC_PF &&
		   INTR_INFO_TYPE(exit_get(&v->exit, EF_INTR_INFO)) == EVENT_HARDWARE_EXCEPTION) {
		/* A guest MAXPHYADDR below the CPU's: a #PF of L2 is L0's
		 * first, which may find the reserved-bit fault a CPU of that
		 * width gives instead (vmx/phys_width_exits.c, Vol. 3A 4.7);
		 * the #PF that results then goes where L1's bitmap says. */
		d.verdict = HANDLE_IN_L0;
		d.why = "a guest MAXPHYADDR below the CPU's";
	} else if ((basic == EXIT_REASON_RDMSR || basic == EXIT_REASON_WRMSR) &&
		   /* Issue 14 item 7: the operator's MSR filter comes before
		    * L1's bitmap; a denial is a #GP routed below. */
		   msr_policy_vmx(v->vm->msr_filter, (uint32_t)v->regs->rcx,
			   basic == EXIT_REASON_WRMSR, v->vm->nested) == MSR_DENY) {
		d.verdict = HANDLE_IN_L0;
		d.why = "Nestor's MSR filter";
	} else {
		reflect_input(v, &e);
		d = nested_reflect_exit(f, &e, &ops);
	}
	switch (d.verdict) {
	case REFLECT_TO_L1:
		reflect_as_is(v);
		return;
	case HANDLE_IN_L0:
		break;
	default:
		log_printf(LOG_QUIET, "nestor: L2 exit %u: %s\n", basic,
			   d.why ? d.why : "?");
		guest_unsupported(v, "an exit of L2 whose owner Nestor cannot decide");
	}
	if (basic < 64 && ((1ull << basic) & ((1ull << EXIT_REASON_EXCEPTION_NMI) |
					      (1ull << EXIT_REASON_EPT_VIOLATION) |
					      (1ull << EXIT_REASON_TRIPLE_FAULT))))
		requeue_interrupted_event(v);
	handle_in_l0(v, basic);
	if (v->events.triple_fault) {
		/* 25.2: a triple fault in VMX non-root operation is a VM exit;
		 * the one event combining gave L2 (6.15) is L1's exit 2. */
		struct l2_exit_info x = { .reason = EXIT_REASON_TRIPLE_FAULT };

		v->events.triple_fault = false;
		l2_reflect(v, &x);
		return;
	}
	if (!route_l0_exception(v))
		route_nmi(v);
	l2_apic_before_resume(v, s, f);
}
