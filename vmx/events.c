/* Event queue logic (pure; delivery into the VMCS is vmx/event_inject.c).
 * What the queue holds and in which order it is delivered: vmx/events.h. */
#include "vmx/events.h"
#include "lib/string.h"
#include <stddef.h>

bool exception_has_error_code(uint8_t vector)
{
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP (SDM Vol. 3A, Table 6-1). */
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21:
		return true;
	default:
		return false;
	}
}

enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

/* SDM Vol. 3A, 6.15, Table 6-4: #CP (21) is contributory and #VE (20) is
 * in the page-fault class; every other exception, NMI, INT n and INTR is
 * benign. */
static enum exc_class exception_class(uint8_t vector)
{
	switch (vector) {
	case 0: case 10: case 11: case 12: case 13: case 21:
		return EXC_CONTRIBUTORY;
	case 14: case 20:
		return EXC_PAGE_FAULT;
	case 8:
		return EXC_DOUBLE_FAULT;
	default:
		return EXC_BENIGN;
	}
}

static void defer_intr(struct event_queue *q, uint8_t vector)
{
	q->intr_deferred[vector >> 6] |= 1ull << (vector & 63);
}

void event_queue_interrupt(struct event_queue *q, uint8_t vector)
{
	defer_intr(q, vector);
}

/* An NMI whose delivery was interrupted, and that cannot go in front: it
 * waits as an NMI the guest is owed; if one already does, the latch holds
 * this one (6.7.1: one more, no more). */
static void defer_nmi(struct event_queue *q)
{
	if (!q->nmi_deferred)
		q->nmi_deferred = true;
	else
		q->nmi_pending = true;
}

/* The front event was being delivered when the exception `ev` was raised
 * (6.15): what becomes of the front. Returns false when the exception is
 * not to be queued (a triple fault instead). */
static bool combine(struct event_queue *q, struct event *ev)
{
	struct event *first = &q->ev;

	switch (first->type) {
	case EVENT_HARDWARE_EXCEPTION:
		break;
	case EVENT_EXTERNAL_INTERRUPT:
		/* Table 6-4: INTR is benign, so the two are handled serially
		 * (Table 6-5, first row): the exception first, whose handler
		 * the CPU was about to enter, then the interrupt, which the
		 * local APIC already acknowledged and which nothing else
		 * would deliver: it waits for the interrupt window. */
		defer_intr(q, first->vector);
		return true;
	case EVENT_NMI:
		/* Benign (Table 6-4): serially, the NMI after the exception. */
		defer_nmi(q);
		return true;
	default:
		/* INT n (benign), INT3/INTO and ICEBP: serially. The exit
		 * that interrupted their delivery left RIP on the instruction
		 * (27.2.4 gives its length for that reason), so the exception
		 * is delivered there and the guest's return from its handler
		 * runs the instruction again, which raises the event again:
		 * nothing of it is kept. */
		return true;
	}

	/* Table 6-5 for two exceptions: contributory then contributory, or
	 * page fault then contributory or page fault, generate a #DF (error
	 * code 0, 6.15 "Exception Error Code"); any other pair is handled
	 * serially: the second is delivered, the first is dropped (a fault
	 * is raised again when its instruction runs again, a trap's
	 * delivery had begun). The table has no column for a #DF as the
	 * second exception (a #DF comes only from the table): one queued on
	 * top of another is taken as it comes. A payload goes with the
	 * exception it belongs to. */
	enum exc_class a = exception_class(first->vector);
	enum exc_class b = exception_class(ev->vector);

	if (a == EXC_DOUBLE_FAULT) {
		/* 6.15: an exception while calling the #DF handler enters
		 * shutdown. The current Table 6-5 names contributory and page
		 * faults there and lists benign ones as serial, while the VMX
		 * triple-fault exit (Vol. 3C 25.2) is defined as "an
		 * exception while attempting to call the double-fault
		 * handler": Nestor shuts down for any, as the older text of
		 * 6.15 said. */
		q->pending = false;
		q->ev = (struct event){ 0 };
		q->triple_fault = true;
		return false;
	}
	if ((a == EXC_CONTRIBUTORY && b == EXC_CONTRIBUTORY) ||
	    (a == EXC_PAGE_FAULT &&
	     (b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT)))
		*ev = (struct event){ .type = EVENT_HARDWARE_EXCEPTION,
				      .vector = VEC_DF, .has_error_code = true };
	return true;
}

/* The exception `ev` arrives: combined with the front event, if any. */
static void arrive_exception(struct event_queue *q, struct event ev)
{
	if (q->pending && !combine(q, &ev))
		return;
	q->ev = ev;
	q->pending = true;
}

bool event_queue_exception(struct event_queue *q, uint8_t vector,
			   bool has_error_code, uint32_t error_code,
			   bool has_payload, uint64_t payload)
{
	bool payload_kept = has_payload && (vector == VEC_PF || vector == VEC_DB);

	/* 26.2.1.3: a hardware exception has a vector of at most 31. */
	if (vector > 31)
		return false;
	if (q->triple_fault)
		return true;
	arrive_exception(q, (struct event){
		.type = EVENT_HARDWARE_EXCEPTION,
		.vector = vector,
		.has_error_code = has_error_code,
		.error_code = has_error_code ? error_code : 0,
		.has_payload = payload_kept,
		.payload = payload_kept ? payload : 0,
	});
	return true;
}

bool event_queue_software_exception(struct event_queue *q, uint8_t type,
				    uint8_t vector, uint32_t insn_len)
{
	if (type != EVENT_SOFTWARE_EXCEPTION &&
	    type != EVENT_PRIV_SOFTWARE_EXCEPTION)
		return false;
	/* A software exception is raised by its instruction, which the
	 * exit stopped: nothing else can be pending for that instruction
	 * but an event whose delivery it interrupted, and that one was
	 * re-queued first and is delivered first (26.6). */
	if (q->pending || q->triple_fault)
		return true;
	q->ev = (struct event){ .type = type, .vector = vector,
				.insn_len = insn_len };
	q->pending = true;
	return true;
}

void event_queue_nmi(struct event_queue *q)
{
	/* 6.7.1: while an NMI is being handled one more is held pending;
	 * further ones are lost. One flag is that latch. */
	q->nmi_pending = true;
}

void event_queue_reinject(struct event_queue *q, uint32_t info,
			  uint32_t error_code, uint32_t insn_len)
{
	/* IDT-vectoring information (27.2.4, Table 27-15): bits 7:0 vector,
	 * 10:8 type, 11 error code valid, 31 valid; 12 is undefined and
	 * 30:13 reserved. */
	struct event ev = {
		.type = (info >> 8) & 7,
		.vector = info & 0xff,
		.has_error_code = info & (1u << 11),
		.insn_len = insn_len,
		.reinjected = true,
	};

	if (!(info & (1u << 31)) || q->triple_fault)
		return;
	if (ev.has_error_code)
		ev.error_code = error_code;
	if (ev.type == EVENT_NMI) {
		/* 26.2.1.3: an NMI has vector 2 and no error code. An NMI
		 * waiting behind an exception is this one: nothing else
		 * injects an NMI while it waits. */
		ev.vector = VEC_NMI;
		ev.has_error_code = false;
		ev.error_code = 0;
		q->nmi_deferred = false;
	}
	/* 26.2.1.3: a hardware exception has a vector of at most 31; the CPU
	 * never reports another. The CPU already wrote CR2/DR6 for it: no
	 * payload. Software events keep their instruction length (26.6.1.3),
	 * and the types the CPU never reports here (1, 7) go as they are. */
	if (ev.type == EVENT_HARDWARE_EXCEPTION && ev.vector > 31)
		return;
	/* The vectoring information says what the CPU was delivering at this
	 * exit: it is the front event. On the exit path the front is empty
	 * here (the previous VM entry took it); anything else was never
	 * delivered and is replaced. */
	q->ev = ev;
	q->pending = true;
}

static bool front_is_exception(const struct event_queue *q)
{
	return q->pending && (q->ev.type == EVENT_HARDWARE_EXCEPTION ||
			      q->ev.type == EVENT_SOFTWARE_EXCEPTION ||
			      q->ev.type == EVENT_PRIV_SOFTWARE_EXCEPTION);
}

const struct event *event_queue_peek_exception(const struct event_queue *q)
{
	return front_is_exception(q) ? &q->ev : NULL;
}

bool event_queue_take_exception(struct event_queue *q, struct event *out)
{
	if (!front_is_exception(q))
		return false;
	*out = q->ev;
	q->ev = (struct event){ 0 };
	q->pending = false;
	return true;
}

void event_queue_drop_delivery(struct event_queue *q)
{
	q->ev = (struct event){ 0 };
	q->pending = false;
	q->nmi_deferred = false;
	memset(q->intr_deferred, 0, sizeof(q->intr_deferred));
}

bool event_queue_nmi_waiting(const struct event_queue *q)
{
	return q->nmi_deferred || q->nmi_pending;
}

bool event_queue_intr_waiting(const struct event_queue *q)
{
	return (q->intr_deferred[0] | q->intr_deferred[1] |
		q->intr_deferred[2] | q->intr_deferred[3]) != 0;
}

unsigned event_queue_needs_open(const struct event_queue *q)
{
	if (q->triple_fault || q->pending)
		return 0;
	return (event_queue_nmi_waiting(q) ? EVENT_OPEN_NMI : 0) |
	       (event_queue_intr_waiting(q) ? EVENT_OPEN_INTR : 0);
}

enum event_pop event_queue_pop(struct event_queue *q, unsigned open,
			       struct event *out)
{
	if (q->triple_fault) {
		q->triple_fault = false;
		return EVENT_POP_TRIPLE_FAULT;
	}
	if (q->pending) {
		*out = q->ev;
		q->ev = (struct event){ 0 };
		q->pending = false;
		return EVENT_POP_EVENT;
	}
	/* Table 6-2: NMIs (priority 5) before maskable interrupts (6), each
	 * when the guest can take it; the interrupted NMI before the latched
	 * one. The latch is cleared before the caller injects, so that an
	 * NMI latched meanwhile (the NMI hook) is not lost. */
	if ((open & EVENT_OPEN_NMI) && event_queue_nmi_waiting(q)) {
		if (q->nmi_deferred)
			q->nmi_deferred = false;
		else
			q->nmi_pending = false;
		*out = (struct event){ .type = EVENT_NMI, .vector = VEC_NMI };
		return EVENT_POP_EVENT;
	}
	if ((open & EVENT_OPEN_INTR) && event_queue_intr_waiting(q)) {
		for (int w = 3; w >= 0; w--) {
			if (!q->intr_deferred[w])
				continue;
			int bit = 63 - __builtin_clzll(q->intr_deferred[w]);

			q->intr_deferred[w] &= ~(1ull << bit);
			*out = (struct event){
				.type = EVENT_EXTERNAL_INTERRUPT,
				.vector = (uint8_t)(w * 64 + bit),
			};
			return EVENT_POP_EVENT;
		}
	}
	return EVENT_POP_NONE;
}

uint32_t event_intr_info(const struct event *ev)
{
	/* 24.8.3, Table 24-16: vector 7:0, type 10:8, deliver error code 11,
	 * valid 31. */
	return (1u << 31) | ((uint32_t)ev->type << 8) | ev->vector |
	       (ev->has_error_code ? 1u << 11 : 0);
}
