/* Delivering the event queue into the VMCS right before VM entry (SDM Vol.
 * 3C, 26.6 "Event injection"). Payloads reach CR2/DR6 only here. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

/* Guest interruptibility (24.4.2, Table 24-3). */
#define INTR_BLOCK_STI 1u
#define INTR_BLOCK_MOV_SS 2u
#define INTR_BLOCK_NMI 8u

/* DR6 bits that read as 1 when inactive: 31:16 (bit 16 = RTM, active
 * low) and 11:4 (bit 11 = bus lock, active low) (SDM Vol. 3B, 17.2.3). The
 * #DB payload uses the exit-qualification layout (Vol. 3C, Table 27-1), in
 * which every bit is active high. */
#define DR6_FIXED_1 0xffff0ff0ull
#define DR6_ACTIVE_LOW ((1ull << 16) | (1ull << 11))

static void write_payload(const struct event *ev)
{
	if (!ev->has_payload)
		return;
	/* The guest's CR2 and DR6 live in the real registers while it runs
	 * (the VMCS has no field for them), so the payload goes there. */
	if (ev->vector == VEC_PF) {
		__asm__ __volatile__("mov %0, %%cr2" ::"r"(ev->payload));
	} else if (ev->vector == VEC_DB) {
		uint64_t dr6 = (DR6_FIXED_1 | ev->payload) ^
			       (ev->payload & DR6_ACTIVE_LOW);

		__asm__ __volatile__("mov %0, %%dr6" ::"r"(dr6));
	}
}

static void inject(const struct vcpu *v, const struct event *ev)
{
	struct event e = *ev;

	/* 26.2.1.3: with unrestricted guest and CR0.PE = 0 (real mode) no
	 * error code may be delivered -- and real mode pushes none. */
	if (e.has_error_code && v->cfg->unrestricted_guest &&
	    !(vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		e.has_error_code = false;
	write_payload(&e);
	vmcs_write(VMCS_ENTRY_INTR_INFO, event_intr_info(&e));
	if (e.has_error_code)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, e.error_code);
	if (e.type == EVENT_SOFTWARE_INTERRUPT ||
	    e.type == EVENT_SOFTWARE_EXCEPTION ||
	    e.type == EVENT_PRIV_SOFTWARE_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, e.insn_len);
}

void events_deliver(struct vcpu *v)
{
	struct event_queue *q = &v->events;

	if (q->triple_fault)
		handle_triple_fault(v);
	if (q->pending) {
		inject(v, &q->ev);
		q->pending = false;
		/* One event per entry: a waiting NMI asks for the NMI window,
		 * which opens after the injected event (26.7.6). */
		if (q->nmi_pending)
			vmcs_set_bits(VMCS_PROC_BASED_CONTROLS,
				      PROC_NMI_WINDOW_EXITING);
		return;
	}
	if (!q->nmi_pending)
		return;
	/* While one instruction is being stepped through the write sink
	 * (vmx/write_step.c), an injected NMI would run its handler unstepped
	 * with the sink mapped: it waits for the step's end, which asks for
	 * the NMI window again. */
	if (write_step_open(&v->step)) {
		vmcs_clear_bits(VMCS_PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING);
		return;
	}
	/* An NMI can be injected only when the guest does not block NMIs,
	 * nor (26.3.1.5) is in an STI/MOV-SS shadow; else ask for the NMI
	 * window (24.6.2: NMI-window exiting). */
	if (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
	    (INTR_BLOCK_NMI | INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) {
		vmcs_set_bits(VMCS_PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING);
		return;
	}
	inject(v, &(struct event){ .type = EVENT_NMI, .vector = VEC_NMI });
	q->nmi_pending = false;
}
