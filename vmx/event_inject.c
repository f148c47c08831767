/* Delivering the event queue into the VMCS right before VM entry (SDM Vol.
 * 3C, 26.6 "Event injection"). Payloads reach CR2/DR6 only here. */
#include "vmx/exits.h"
#include "arch/x86/power.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

/* Guest interruptibility (24.4.2, Table 24-3). */
#define INTR_BLOCK_STI 1u
#define INTR_BLOCK_MOV_SS 2u
#define INTR_BLOCK_NMI 8u

static void write_payload(const struct event *ev)
{
	if (!ev->has_payload)
		return;
	/* The guest's CR2 and DR6 live in the real registers while it runs
	 * (the VMCS has no field for them), so the payload goes there. */
	if (ev->vector == VEC_PF)
		__asm__ __volatile__("mov %0, %%cr2" ::"r"(ev->payload));
	else if (ev->vector == VEC_DB)
		__asm__ __volatile__("mov %0, %%dr6" ::"r"(ev->payload));
}

static void inject(const struct event *ev)
{
	write_payload(ev);
	vmcs_write(VMCS_ENTRY_INTR_INFO, event_intr_info(ev));
	if (ev->has_error_code)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, ev->error_code);
	if (ev->type == EVENT_SOFTWARE_INTERRUPT ||
	    ev->type == EVENT_SOFTWARE_EXCEPTION ||
	    ev->type == EVENT_PRIV_SOFTWARE_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, ev->insn_len);
}

void events_deliver(struct vcpu *v)
{
	struct event_queue *q = &v->events;

	if (q->triple_fault)
		handle_triple_fault(v);
	if (q->pending) {
		inject(&q->ev);
		q->pending = false;
		return; /* one event per entry; an NMI waits for the next */
	}
	if (!q->nmi_pending)
		return;
	/* An NMI can be injected only when the guest does not block NMIs,
	 * nor (26.3.1.5) is in an STI/MOV-SS shadow; else ask for the NMI
	 * window (24.6.2: NMI-window exiting). */
	if (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
	    (INTR_BLOCK_NMI | INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) {
		vmcs_set_bits(VMCS_PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING);
		return;
	}
	inject(&(struct event){ .type = EVENT_NMI, .vector = VEC_NMI });
	q->nmi_pending = false;
}
