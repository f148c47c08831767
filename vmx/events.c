/* Event queue logic (pure; delivery into the VMCS is vmx/event_inject.c). */
#include "vmx/events.h"

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
 * in the page-fault class. */
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

void event_queue_exception(struct event_queue *q, uint8_t vector,
			   bool has_error_code, uint32_t error_code,
			   bool has_payload, uint64_t payload)
{
	struct event ev = {
		.type = EVENT_HARDWARE_EXCEPTION,
		.vector = vector,
		.has_error_code = has_error_code,
		.error_code = error_code,
		.has_payload = has_payload,
		.payload = payload,
	};

	if (q->pending && q->ev.type == EVENT_HARDWARE_EXCEPTION) {
		enum exc_class first = exception_class(q->ev.vector);
		enum exc_class second = exception_class(vector);

		/* Table 6-5: a fault while delivering a #DF shuts down; a
		 * contributory after contributory, or contributory/#PF after
		 * #PF, becomes #DF (error code 0); otherwise the second is
		 * handled serially (the first is lost, as on hardware it would
		 * be re-raised by re-executing the instruction). */
		if (first == EXC_DOUBLE_FAULT) {
			q->pending = false;
			q->triple_fault = true;
			return;
		}
		if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
		    (first == EXC_PAGE_FAULT && second != EXC_BENIGN)) {
			ev = (struct event){ .type = EVENT_HARDWARE_EXCEPTION,
					     .vector = 8, .has_error_code = true };
		}
	}
	q->ev = ev;
	q->pending = true;
}

void event_queue_software_exception(struct event_queue *q, uint8_t type,
				    uint8_t vector, uint32_t insn_len)
{
	/* A software exception is raised by its instruction, which the
	 * exit stopped: nothing else can be pending for that instruction
	 * but an event whose delivery it interrupted, and that one was
	 * re-queued first and is delivered first (26.6). */
	if (q->pending)
		return;
	q->ev = (struct event){ .type = type, .vector = vector,
				.insn_len = insn_len };
	q->pending = true;
}

void event_queue_nmi(struct event_queue *q)
{
	q->nmi_pending = true;
}

void event_queue_reinject(struct event_queue *q, uint32_t info,
			  uint32_t error_code, uint32_t insn_len)
{
	/* IDT-vectoring information (27.2.4, Table 27-15): bits 7:0 vector,
	 * 10:8 type, 11 error code valid, 31 valid. */
	if (!(info & (1u << 31)))
		return;
	q->ev = (struct event){
		.type = (info >> 8) & 7,
		.vector = info & 0xff,
		.has_error_code = info & (1u << 11),
		.error_code = error_code,
		.insn_len = insn_len,
	};
	q->pending = true;
}

uint32_t event_intr_info(const struct event *ev)
{
	/* 24.8.3, Table 24-16: vector 7:0, type 10:8, deliver error code 11,
	 * valid 31. */
	return (1u << 31) | ((uint32_t)ev->type << 8) | ev->vector |
	       (ev->has_error_code ? 1u << 11 : 0);
}
