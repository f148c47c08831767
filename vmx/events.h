/* The one queue through which Nestor injects events into a guest.
 *
 * An exception keeps its payload (CR2 for #PF, the DR6 bits for #DB) in the
 * queue until the moment of delivery, instead of writing CR2/DR6 early: if
 * the exception turns into a VM exit to an L1 hypervisor instead (nested
 * VMX), the payload goes into the exit qualification and the guest's CR2/DR6
 * stay untouched (SDM Vol. 3C, 27.1 and Table 27-1; see seed 001).
 * event_queue_take_exception() hands the exception over for that without
 * delivering it.
 *
 * What the queue holds, each part separately (pure logic in vmx/events.c,
 * delivery into the VMCS in vmx/event_inject.c):
 *  - the front event: the event a VM exit interrupted the delivery of,
 *    re-queued from the IDT-vectoring information (Vol. 3C 27.2.4), or the
 *    one exception that combining left (Vol. 3A 6.15, Tables 6-4 and 6-5).
 *    An exception raised while the front event was being delivered combines
 *    with it: handled serially, a #DF, or a triple fault;
 *  - NMIs: one whose delivery was interrupted and that an exception raised
 *    during that delivery pushed back (nmi_deferred), and the latch of one
 *    more (nmi_pending): the CPU keeps at most one NMI pending while another
 *    is being handled (Vol. 3A 6.7.1);
 *  - external interrupts whose delivery was interrupted and that an
 *    exception raised during that delivery pushed back, one bit per vector
 *    (the local APIC had already acknowledged them: nothing else would
 *    deliver them again);
 *  - a triple fault, which ends it all (shutdown).
 * At each VM entry one of them is injected, by the priority of Vol. 3A 6.9
 * (Table 6-2): the front event first (an interrupted delivery is completed
 * first, Vol. 3C 26.6 and 27.2.4; an exception Nestor raises belongs to the
 * instruction the exit stopped at, which ends before the next instruction
 * boundary, where NMIs and interrupts are recognized), then an NMI, then a
 * maskable interrupt (highest vector first, as the local APIC would), each
 * of the last two only when the guest can take it (26.3.1.5); the rest
 * waits for the NMI or interrupt window (24.6.2). */
#ifndef NESTOR_VMX_EVENTS_H
#define NESTOR_VMX_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

/* Interruption types (SDM Vol. 3C, 24.8.3, Table 24-16). */
enum event_type {
	EVENT_EXTERNAL_INTERRUPT = 0,
	EVENT_NMI = 2,
	EVENT_HARDWARE_EXCEPTION = 3,
	EVENT_SOFTWARE_INTERRUPT = 4,
	EVENT_PRIV_SOFTWARE_EXCEPTION = 5,
	EVENT_SOFTWARE_EXCEPTION = 6,
};

enum { VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_UD = 6,
       VEC_DF = 8, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MC = 18 };

struct event {
	uint8_t type;       /* enum event_type */
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	bool has_payload;   /* CR2 (#PF) or DR6 bits (#DB); never for others */
	uint64_t payload;
	uint32_t insn_len;  /* software interrupts/exceptions */
	bool reinjected;    /* re-queued from IDT-vectoring information */
};

struct event_queue {
	bool pending;       /* the front event, ev, is there */
	struct event ev;
	/* The NMI latch: also set from NMI context by vmx/vmx_start.c's NMI
	 * hook (through event_queue_nmi()), so it is one byte written whole
	 * and cleared before the NMI it stood for is injected. */
	bool nmi_pending;
	bool nmi_deferred;  /* an interrupted NMI, pushed behind an exception */
	bool triple_fault;  /* combining produced a triple fault */
	uint64_t intr_deferred[4]; /* external interrupts, bit = vector */
};

/* Queue a hardware exception (with error code / payload as the vector
 * defines). The payload is kept for #PF and #DB only. A vector above 31 is
 * no exception (26.2.1.3): refused, the queue unchanged, false returned.
 * Once a triple fault is due, nothing more is queued. */
bool event_queue_exception(struct event_queue *q, uint8_t vector,
			   bool has_error_code, uint32_t error_code,
			   bool has_payload, uint64_t payload);
/* An NMI for the guest: latched, at most one (Vol. 3A 6.7.1). */
void event_queue_nmi(struct event_queue *q);
/* Queue a software exception (#BP, #OF: type 6) or privileged software
 * exception (ICEBP: type 5) to be reflected with its instruction length,
 * so that RIP moves past it (26.6.1.3). Only into an empty front: the
 * instruction that raised it cannot have run while another event was being
 * delivered. Other types are refused (false). */
bool event_queue_software_exception(struct event_queue *q, uint8_t type,
				    uint8_t vector, uint32_t insn_len);
/* An external interrupt Nestor raises for the guest (the emulated console
 * UART's IRQ4, vmx/guest_console.c): waits with the interrupts above until
 * RFLAGS.IF and the interruptibility state let it in. */
void event_queue_interrupt(struct event_queue *q, uint8_t vector);
/* Re-queue an event that was being delivered when a VM exit happened
 * (IDT-vectoring information, SDM Vol. 3C, 27.2.4): it becomes the front
 * event. On the exit path the front is empty then (the previous VM entry
 * took it); were it not, what it held is replaced. Nothing once a triple
 * fault is due, nor for a hardware exception with a vector above 31. */
void event_queue_reinject(struct event_queue *q, uint32_t vectoring_info,
			  uint32_t error_code, uint32_t insn_len);

/* Nothing queued at all. */
static inline bool event_queue_idle(const struct event_queue *q)
{
	return !(q->pending | q->nmi_pending | q->nmi_deferred |
		 q->triple_fault | !!(q->intr_deferred[0] | q->intr_deferred[1] |
				      q->intr_deferred[2] | q->intr_deferred[3]));
}

/* The exception the next VM entry would inject (a hardware exception, or a
 * software exception of type 5 or 6), with its payload and instruction
 * length; NULL when the front holds none. A re-queued one says so
 * (reinjected). */
const struct event *event_queue_peek_exception(const struct event_queue *q);
/* The same, taken off the queue without being delivered: the guest's
 * CR2/DR6 are not written (nested VMX turns it into a VM exit to L1 with
 * the payload in the exit qualification, Vol. 3C 27.2.1). False, *out
 * untouched, when there is none. */
bool event_queue_take_exception(struct event_queue *q, struct event *out);
/* Nested VMX: an exit reflected to L1 ends L2's event delivery; what the
 * exit interrupted goes to L1 in the IDT-vectoring information (27.2.4),
 * so the front event and what an exception pushed behind it (deferred
 * NMI and interrupts) are dropped. The NMI latch and a due triple fault
 * stay. */
void event_queue_drop_delivery(struct event_queue *q);

/* Delivery, one event per VM entry (vmx/event_inject.c). What the guest's
 * state allows now (26.3.1.5; reading it costs VMREADs, so it is asked
 * for only when event_queue_needs_open() says the choice depends on it): */
#define EVENT_OPEN_NMI 1u  /* no blocking by NMI, STI or MOV SS */
#define EVENT_OPEN_INTR 2u /* RFLAGS.IF = 1, no blocking by STI or MOV SS */
unsigned event_queue_needs_open(const struct event_queue *q);

enum event_pop {
	EVENT_POP_NONE,         /* nothing to inject now */
	EVENT_POP_EVENT,        /* *out is to be injected now */
	EVENT_POP_TRIPLE_FAULT, /* the guest shuts down (taken off) */
};
/* Take the event for this VM entry off the queue, by the priority above.
 * `open`: the EVENT_OPEN_* the guest allows now. */
enum event_pop event_queue_pop(struct event_queue *q, unsigned open,
			       struct event *out);
/* After the pop: an NMI or an interrupt still waits, for which the next
 * VM entry wants the NMI or interrupt window (24.6.2, 26.7.5, 26.7.6). */
bool event_queue_nmi_waiting(const struct event_queue *q);
bool event_queue_intr_waiting(const struct event_queue *q);

/* VM-entry interruption-information field for ev (24.8.3). */
uint32_t event_intr_info(const struct event *ev);

/* Does this exception vector push an error code? (SDM Vol. 3A, Table 6-1) */
bool exception_has_error_code(uint8_t vector);

#endif
