/* Small VM-exit handlers: exceptions/NMIs, triple fault, NMI window, HLT,
 * INVD/WBINVD, XSETBV and the VMX instructions (VMX is hidden from the
 * guest for now). */
#include "vmx/exits.h"
#include "vmx/nested_seam.h"
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "arch/x86/power.h"
#include "lib/log.h"
#include "vmx/exit_info.h"
#include "vmx/gdb_stub.h"
#include "vmx/guest_debug.h"
#include "vmx/guest_console.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_track.h"
#include "vmx/vmx_controls.h"

void handle_exception_nmi(struct vcpu *v)
{
	struct exit_record *x = &v->exit;
	uint32_t info = (uint32_t)exit_get(x, EF_INTR_INFO);
	uint8_t vector = INTR_INFO_VECTOR(info), type = INTR_INFO_TYPE(info);
	uint64_t qual = exit_get(x, EF_QUAL);

	/* 27.2.3: if the exit was caused by a fault during an IRET that
	 * unblocked NMIs, blocking must be restored before re-execution. */
	if ((info & INTR_INFO_NMI_UNBLOCKED_BY_IRET) && vector != VEC_DF &&
	    (v->cfg->ctl[VMX_PIN] & PIN_VIRTUAL_NMIS))
		exit_set(x, EF_INTR_STATE,
			 exit_get(x, EF_INTR_STATE) | INTR_BLOCK_NMI);

	/* The first exception while a write is stepped ends the step
	 * (vmx/write_step.c): either it is the step's own #DB trap, or the
	 * instruction faulted and the exception is handled below. */
	if (unlikely(write_step_open(&v->step)) &&
	    write_step_exception(v, info, qual))
		return;
	if (unlikely(v->probe_gpa) && vector != VEC_PF)
		phys_width_end_probe(v);
	/* gdb= or the console shell: breakpoints and single step
	 * (vmx/guest_debug.c). */
	if (unlikely(gdb_stub_on() || guest_console_on) && vector == VEC_DB &&
	    type == EVENT_HARDWARE_EXCEPTION && guest_debug_exception(v, qual))
		return;
	if (type == EVENT_NMI && crash_test_guest_nmi()) {
		/* test_crash_nmi=guest: the crash path cleared this VMCS and
		 * loaded it again; the guest still gets its NMI. */
		event_queue_nmi(&v->events);
		v->relaunch = true;
		return;
	}
	if (type == EVENT_NMI) {
		/* Nestor has no NMI of its own yet: every NMI belongs to the
		 * guest, which owns the devices. */
		event_queue_nmi(&v->events);
		return;
	}
	if (type == EVENT_SOFTWARE_EXCEPTION ||
	    type == EVENT_PRIV_SOFTWARE_EXCEPTION) {
		/* #BP/#OF and ICEBP: reflect with the same type and the
		 * instruction length so RIP moves past them (26.6.1.3). */
		event_queue_software_exception(&v->events, type, vector,
					       (uint32_t)exit_get(x, EF_INSN_LEN));
		return;
	}
	if (vector == VEC_PF) {
		v->stats.pf_exits++;
		if (v->vm->reduced_width &&
		    phys_width_pf_exit(v, (uint32_t)exit_get(x, EF_INTR_ERROR), qual))
			return;
	}
	/* Hardware exception intercepted through the exception bitmap:
	 * reflect it. The exit qualification carries the payload: CR2 for
	 * #PF, the DR6 bits for #DB (27.2.1, Table 27-1). */
	event_queue_exception(&v->events, vector, info & INTR_INFO_ERROR_VALID,
			      (uint32_t)exit_get(x, EF_INTR_ERROR),
			      vector == VEC_PF || vector == VEC_DB, qual);
}

void guest_reset(struct vcpu *v, bool hypercall)
{
	v->reset_by_hypercall = hypercall;
	vcpu_request(v, VCPU_REQ_RESET);
}

void handle_triple_fault(struct vcpu *v)
{
	vcpu_request(v, VCPU_REQ_TRIPLE_FAULT);
}

/* Only while an MTF write step is open (vmx/write_step.c), which this exit
 * closed unretired: the interrupt was not acknowledged (24.7.1) and is
 * delivered to the guest at the next VM entry, external-interrupt exiting
 * being off again. */
void handle_external_interrupt(struct vcpu *v)
{
	(void)v;
}

void handle_monitor_trap(struct vcpu *v)
{
	if (unlikely(gdb_stub_on() || guest_console_on) &&
	    !write_step_open(&v->step) &&
	    guest_debug_mtf(v))
		return;
	write_step_mtf(v);
}

void handle_nmi_window(struct vcpu *v)
{
	/* The window is open: events_deliver() injects the waiting NMI now
	 * and decides whether the window is still wanted. */
	(void)v;
}

/* Only while an external interrupt whose delivery an exit interrupted
 * waits behind an exception (vmx/events.h): the guest can take it now, and
 * events_deliver() injects it. */
void handle_interrupt_window(struct vcpu *v)
{
	(void)v;
}

void handle_hlt(struct vcpu *v)
{
	skip_instruction(v);
	if (!(exit_get(&v->exit, EF_RFLAGS) & RFLAGS_IF) && !v->events.pending &&
	    !v->events.triple_fault && !event_queue_nmi_waiting(&v->events)) {
		/* HLT with IF = 0 and nothing to deliver but maskable
		 * interrupts, which IF = 0 keeps out: only an NMI or SMI could
		 * ever wake this CPU. Say so rather than hang silently. */
		guest_stop(v, NESTOR_EXIT_GUEST_STOPPED,
			   "halted with interrupts disabled (HLT with RFLAGS.IF = 0)");
	}
	/* Let the CPU wait in the guest: HLT activity state (24.4.2). The
	 * next interrupt wakes it inside the guest. Without that activity
	 * state (IA32_VMX_MISC bit 6, A.6) the guest resumes after its HLT,
	 * which a spurious wake-up also does on real hardware. */
	if (v->cfg->activity_hlt)
		vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 1);
}

void handle_invd(struct vcpu *v)
{
	/* INVD always exits (25.1.2). Discarding caches would also discard
	 * Nestor's dirty lines, so Nestor writes back and invalidates
	 * instead: a guest can never tell, as WBINVD is a valid INVD. */
	__asm__ __volatile__("wbinvd" ::: "memory");
	skip_instruction(v);
}

void handle_wbinvd(struct vcpu *v)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
	skip_instruction(v);
}

/* XSETBV (SDM Vol. 2C, XSETBV "Protected Mode Exceptions"): #GP(0) for
 * CPL > 0, ECX != 0, bit 0 clear, AVX without SSE, bits the CPU does not
 * support, and AVX-512 state (bits 7:5) not all set or all clear or set
 * without AVX. Valid values are loaded on the real CPU: Nestor itself uses
 * no extended state, so XCR0 simply belongs to the guest. */
void handle_xsetbv(struct vcpu *v)
{
	uint32_t idx = (uint32_t)v->regs->rcx;
	uint64_t val = (v->regs->rdx << 32) | (uint32_t)v->regs->rax;
	struct cpuid_regs d = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
	uint64_t avx512 = val & 0xe0;

	/* ... and the AMX pair, bits 17 and 18, set together. */
	if (guest_cpl() != 0 || idx != 0 || !(val & 1) || (val & ~supported) ||
	    ((val & 4) && !(val & 2)) ||
	    (avx512 && (avx512 != 0xe0 || !(val & 4))) ||
	    ((val & 0x18) && (val & 0x18) != 0x18) ||
	    (!(val & (1ull << 17)) != !(val & (1ull << 18)))) {
		inject_gp0(v);
		return;
	}
	/* Any rule not modelled above still cannot hurt Nestor: a fault on
	 * XSETBV is caught and becomes the guest's #GP. */
	if (xsetbv_checked(0, val) & EXTABLE_FAULTED) {
		inject_gp0(v);
		return;
	}
	skip_instruction(v);
}

void handle_vmx_instruction(struct vcpu *v)
{
	/* nested=on: emulated by nested VMX, through its one seam. */
	if (v->vm->nested) {
		nested_vmx_instruction(v);
		return;
	}
	/* nested=off: CPUID hides VMX and the guest's CR4.VMXE reads 0: on
	 * such a CPU every VMX instruction raises #UD (SDM Vol. 3C, 31.3,
	 * each instruction's "Protected Mode Exceptions"). */
	inject_ud(v);
}
