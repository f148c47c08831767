/* Delivering the event queue into the VMCS right before VM entry (SDM Vol.
 * 3C, 26.6 "Event injection"). Payloads reach CR2/DR6 only here. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "vmx/exit_info.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

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

/* The NMI window (24.6.2: NMI-window exiting) is wanted while an NMI
 * waits; this file owns v->wants.nmi_window. The NMI hook may have opened
 * the window in the VMCS behind the wants (vmcs_ctls_nmi_window_now()), so
 * the VMCS's copy is compared too. */
static void want_nmi_window(struct vcpu *v, bool on)
{
	bool open = v->cur->ctls.proc & PROC_NMI_WINDOW_EXITING;

	if (v->wants.nmi_window != on || open != on) {
		v->wants.nmi_window = on;
		vcpu_request(v, VCPU_REQ_CONTROLS);
	}
}

/* The interrupt window (24.6.2: interrupt-window exiting) is wanted while
 * an external interrupt waits; this file owns v->wants.intr_window. */
static void want_intr_window(struct vcpu *v, bool on)
{
	if (v->wants.intr_window != on) {
		v->wants.intr_window = on;
		vcpu_request(v, VCPU_REQ_CONTROLS);
	}
}

/* What the guest can take now (26.3.1.5), read only for what the queue's
 * choice depends on. While one instruction is being stepped through the
 * write sink (vmx/write_step.c), an injected NMI or interrupt would run its
 * handler with the sink mapped: neither is injected; the open window makes
 * the next exit come before the instruction, which closes the step, and
 * the event goes in then. An NMI needs no blocking by NMI, STI or MOV SS;
 * a maskable interrupt RFLAGS.IF = 1 and no blocking by STI or MOV SS. */
static unsigned guest_open(struct vcpu *v, unsigned need)
{
	unsigned open = 0;
	uint64_t intr_state;

	if (!need || write_step_open(&v->step))
		return 0;
	intr_state = exit_get(&v->exit, EF_INTR_STATE);
	if (intr_state & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		return 0;
	if ((need & EVENT_OPEN_NMI) && !(intr_state & INTR_BLOCK_NMI))
		open |= EVENT_OPEN_NMI;
	if ((need & EVENT_OPEN_INTR) &&
	    (exit_get(&v->exit, EF_RFLAGS) & RFLAGS_IF))
		open |= EVENT_OPEN_INTR;
	return open;
}

/* One event per VM entry, chosen by the queue (vmx/events.h: the front
 * event, then an NMI, then an interrupt); whatever still waits asks for
 * its window, which opens after the injected event (26.7.5, 26.7.6). */
void events_deliver(struct vcpu *v)
{
	struct event_queue *q = &v->events;
	struct event ev;

	unsigned need = event_queue_needs_open(q);

	/* nested/: NMIs L1 takes as exits, or the entry that already injects
	 * L1's event, leave the NMI/interrupt to the window (vmx/vcpu.h). */
	if (unlikely(v->l2_events_closed))
		need &= ~(unsigned)v->l2_events_closed;
	switch (event_queue_pop(q, guest_open(v, need), &ev)) {
	case EVENT_POP_TRIPLE_FAULT:
		vcpu_request(v, VCPU_REQ_TRIPLE_FAULT);
		return;
	case EVENT_POP_EVENT:
		inject(v, &ev);
		break;
	case EVENT_POP_NONE:
		break;
	}
	want_nmi_window(v, event_queue_nmi_waiting(q));
	want_intr_window(v, event_queue_intr_waiting(q));
}
