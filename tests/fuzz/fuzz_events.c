/* Fuzz target: the event queue (vmx/events.c) under arbitrary sequences of
 * its operations. After every operation it checks:
 *  - at most one exception (the front event), and the front is consistent:
 *    a hardware exception has a vector of at most 31, a payload only on
 *    #PF/#DB of type 3, no error code kept that is not delivered, an NMI
 *    has vector 2 and no error code; an empty front is all zeros;
 *  - a #DF appears in front only when queued or re-queued as one, or from
 *    Table 6-5 (SDM Vol. 3A 6.15): contributory after contributory, or
 *    contributory/page fault after a page fault; an exception arriving on a
 *    #DF gives a triple fault, and nothing is queued after one;
 *  - an exception that arrives and is handled serially is the front with
 *    its own error code and payload (the payload matches the vector);
 *  - NMIs: never more than one in front or deferred, plus the latch
 *    (Vol. 3A 6.7.1); event_queue_nmi() always leaves the latch set;
 *  - external interrupts pushed back are never lost: a bit appears only
 *    when an exception displaces that interrupt from the front, and goes
 *    only when the pop hands out that vector;
 *  - the pop follows the priority (triple fault, front, NMI, interrupt
 *    with the highest vector) and the `open` mask; peek and take agree,
 *    and take removes only the front;
 *  - event_queue_idle() and event_queue_needs_open() say what the fields
 *    say.
 *
 * Input: operations, each a kind byte then its operands (little-endian;
 * a short input reads as zeros; layout in gen_corpus_events.py):
 *   0 exception: u8 vector, u8 flags (bit 0 error code, bit 1 payload),
 *     u32 error code, u64 payload
 *   1 NMI
 *   2 software exception: u8 type, u8 vector, u8 length
 *   3 re-inject: u32 IDT-vectoring information, u32 error code, u8 length
 *   4 pop: u8 open mask
 *   5 take the exception
 *   6 peek */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmx/events.h"
#include "tests/fuzz/fuzz_input.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)


/* Field by field: padding bytes say nothing. */
static bool eq_event(const struct event *a, const struct event *b)
{
	return a->type == b->type && a->vector == b->vector &&
	       a->has_error_code == b->has_error_code &&
	       a->error_code == b->error_code &&
	       a->has_payload == b->has_payload && a->payload == b->payload &&
	       a->insn_len == b->insn_len && a->reinjected == b->reinjected;
}

static bool eq_queue(const struct event_queue *a, const struct event_queue *b)
{
	return a->pending == b->pending && eq_event(&a->ev, &b->ev) &&
	       a->nmi_pending == b->nmi_pending &&
	       a->nmi_deferred == b->nmi_deferred &&
	       a->triple_fault == b->triple_fault &&
	       !memcmp(a->intr_deferred, b->intr_deferred,
		       sizeof(a->intr_deferred));
}

/* Table 6-4, written independently of events.c. */
enum cls { BENIGN, CONTRIB, PFCLASS, DFCLASS };

static enum cls cls_of(unsigned v)
{
	if (v == 0 || (v >= 10 && v <= 13) || v == 21)
		return CONTRIB;
	if (v == 14 || v == 20)
		return PFCLASS;
	if (v == 8)
		return DFCLASS;
	return BENIGN;
}

static bool is_df(const struct event_queue *q)
{
	return q->pending && q->ev.type == EVENT_HARDWARE_EXCEPTION &&
	       q->ev.vector == 8;
}

static bool intr_bit(const struct event_queue *q, unsigned v)
{
	return (q->intr_deferred[v >> 6] >> (v & 63)) & 1;
}

static int highest_intr(const struct event_queue *q)
{
	for (int v = 255; v >= 0; v--)
		if (intr_bit(q, (unsigned)v))
			return v;
	return -1;
}

static void check_state(const struct event_queue *q)
{
	static const struct event zero;
	const struct event *e = &q->ev;
	int nmis = q->nmi_deferred + (q->pending && e->type == EVENT_NMI);
	bool any_intr = highest_intr(q) >= 0;

	if (!q->pending) {
		CHECK(eq_event(e, &zero));
	} else {
		CHECK(e->type < 8);
		if (e->has_payload)
			CHECK(e->type == EVENT_HARDWARE_EXCEPTION &&
			      (e->vector == VEC_PF || e->vector == VEC_DB));
		else
			CHECK(e->payload == 0);
		if (!e->has_error_code)
			CHECK(e->error_code == 0);
		if (e->type == EVENT_HARDWARE_EXCEPTION)
			CHECK(e->vector <= 31);
		if (e->type == EVENT_NMI)
			CHECK(e->vector == VEC_NMI && !e->has_error_code);
	}
	CHECK(nmis <= 1);
	CHECK(!q->triple_fault || !q->pending);
	CHECK(event_queue_idle(q) ==
	      (!q->pending && !q->nmi_pending && !q->nmi_deferred &&
	       !q->triple_fault && !any_intr));
	CHECK(event_queue_nmi_waiting(q) == (q->nmi_pending || q->nmi_deferred));
	CHECK(event_queue_intr_waiting(q) == any_intr);
	CHECK(event_queue_needs_open(q) ==
	      ((q->pending || q->triple_fault) ? 0u :
	       ((event_queue_nmi_waiting(q) ? EVENT_OPEN_NMI : 0u) |
		(any_intr ? EVENT_OPEN_INTR : 0u))));
	CHECK((event_queue_peek_exception(q) != NULL) ==
	      (q->pending && (e->type == EVENT_HARDWARE_EXCEPTION ||
			      e->type == EVENT_SOFTWARE_EXCEPTION ||
			      e->type == EVENT_PRIV_SOFTWARE_EXCEPTION)));
}

/* Interrupt bits: added only for the vector `may_add` (-1: none), removed
 * only for `may_remove` (-1: none). */
static void check_intr(const struct event_queue *b, const struct event_queue *a,
		       int may_add, int may_remove)
{
	for (unsigned v = 0; v < 256; v++) {
		bool was = intr_bit(b, v), is = intr_bit(a, v);

		if (!was && is)
			CHECK((int)v == may_add);
		if (was && !is)
			CHECK((int)v == may_remove);
	}
}

static void op_exception(struct event_queue *q, struct cursor *c)
{
	uint8_t vector = (uint8_t)take(c, 1), flags = (uint8_t)take(c, 1);
	uint32_t err = (uint32_t)take(c, 4);
	uint64_t payload = take(c, 8);
	bool has_err = flags & 1, has_pl = flags & 2;
	struct event_queue b = *q;
	bool ok = event_queue_exception(q, vector, has_err, err, has_pl, payload);
	bool serial = true;
	int add = -1;

	CHECK(ok == (vector <= 31));
	if (!ok || b.triple_fault) {
		CHECK(eq_queue(&b, q));
		return;
	}
	if (b.pending && b.ev.type == EVENT_HARDWARE_EXCEPTION) {
		enum cls f = cls_of(b.ev.vector), s = cls_of(vector);

		if (f == DFCLASS) {
			CHECK(q->triple_fault && !q->pending);
			return;
		}
		if ((f == CONTRIB && s == CONTRIB) ||
		    (f == PFCLASS && (s == CONTRIB || s == PFCLASS))) {
			CHECK(is_df(q) && !q->ev.reinjected &&
			      q->ev.has_error_code && q->ev.error_code == 0 &&
			      !q->ev.has_payload && q->ev.insn_len == 0);
			serial = false;
		}
	}
	if (b.pending && b.ev.type == EVENT_EXTERNAL_INTERRUPT) {
		add = b.ev.vector;
		CHECK(intr_bit(q, b.ev.vector));
	}
	if (b.pending && b.ev.type == EVENT_NMI)
		CHECK(q->nmi_deferred || (b.nmi_deferred && q->nmi_pending));
	if (serial) {
		bool pl = has_pl && (vector == VEC_PF || vector == VEC_DB);

		CHECK(q->pending && q->ev.type == EVENT_HARDWARE_EXCEPTION);
		CHECK(q->ev.vector == vector && q->ev.has_error_code == has_err);
		CHECK(q->ev.error_code == (has_err ? err : 0));
		CHECK(q->ev.has_payload == pl);
		CHECK(q->ev.payload == (pl ? payload : 0));
		CHECK(!q->ev.reinjected && q->ev.insn_len == 0);
	}
	CHECK(!q->triple_fault);
	check_intr(&b, q, add, -1);
}

static void op_reinject(struct event_queue *q, struct cursor *c)
{
	uint32_t info = (uint32_t)take(c, 4), err = (uint32_t)take(c, 4);
	uint8_t len = (uint8_t)take(c, 1);
	unsigned type = (info >> 8) & 7, vector = info & 0xff;
	struct event_queue b = *q;

	event_queue_reinject(q, info, err, len);
	if (!(info & (1u << 31)) || b.triple_fault ||
	    (type == EVENT_HARDWARE_EXCEPTION && vector > 31)) {
		CHECK(eq_queue(&b, q));
		return;
	}
	CHECK(q->pending && q->ev.reinjected && q->ev.type == type);
	CHECK(!q->ev.has_payload && q->ev.insn_len == len);
	if (type != EVENT_NMI) {
		CHECK(q->ev.vector == vector);
		CHECK(q->ev.has_error_code == !!(info & (1u << 11)));
		CHECK(q->ev.error_code == (q->ev.has_error_code ? err : 0));
	} else {
		CHECK(!q->nmi_deferred);
	}
	CHECK(q->nmi_pending == b.nmi_pending);
	check_intr(&b, q, -1, -1);
}

static void op_pop(struct event_queue *q, struct cursor *c)
{
	unsigned open = (unsigned)take(c, 1);
	struct event_queue b = *q;
	struct event ev;
	enum event_pop r = event_queue_pop(q, open, &ev);
	int hi = highest_intr(&b);

	if (b.triple_fault) {
		CHECK(r == EVENT_POP_TRIPLE_FAULT && !q->triple_fault);
		b.triple_fault = false;
		CHECK(eq_queue(&b, q));
		return;
	}
	if (b.pending) {
		CHECK(r == EVENT_POP_EVENT && eq_event(&ev, &b.ev));
		CHECK(!q->pending);
		check_intr(&b, q, -1, -1);
		CHECK(q->nmi_pending == b.nmi_pending &&
		      q->nmi_deferred == b.nmi_deferred);
		return;
	}
	if ((open & EVENT_OPEN_NMI) && (b.nmi_pending || b.nmi_deferred)) {
		CHECK(r == EVENT_POP_EVENT && ev.type == EVENT_NMI &&
		      ev.vector == VEC_NMI && !ev.has_error_code);
		CHECK(b.nmi_pending + b.nmi_deferred ==
		      q->nmi_pending + q->nmi_deferred + 1);
		check_intr(&b, q, -1, -1);
		return;
	}
	if ((open & EVENT_OPEN_INTR) && hi >= 0) {
		CHECK(r == EVENT_POP_EVENT && ev.type == EVENT_EXTERNAL_INTERRUPT &&
		      ev.vector == hi && !ev.has_error_code && !ev.has_payload);
		CHECK(!intr_bit(q, (unsigned)hi));
		check_intr(&b, q, -1, hi);
		return;
	}
	CHECK(r == EVENT_POP_NONE && eq_queue(&b, q));
}

static void op_take(struct event_queue *q)
{
	struct event_queue b = *q;
	const struct event *p = event_queue_peek_exception(q);
	struct event seen, ev;
	bool had = p != NULL;

	if (had)
		seen = *p;
	CHECK(eq_queue(&b, q)); /* peeking changes nothing */
	CHECK(event_queue_take_exception(q, &ev) == had);
	if (!had) {
		CHECK(eq_queue(&b, q));
		return;
	}
	CHECK(eq_event(&ev, &seen) && !q->pending);
	b.pending = false;
	b.ev = (struct event){ 0 };
	CHECK(eq_queue(&b, q));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	struct event_queue q;
	unsigned ops = 0;

	memset(&q, 0, sizeof(q));
	while (c.left && ops++ < 4096) {
		struct event_queue b = q;
		unsigned kind = (unsigned)(take(&c, 1) % 7);

		switch (kind) {
		case 0:
			op_exception(&q, &c);
			break;
		case 1:
			event_queue_nmi(&q);
			CHECK(q.nmi_pending);
			b.nmi_pending = true;
			CHECK(eq_queue(&b, &q));
			break;
		case 2: {
			uint8_t type = (uint8_t)take(&c, 1);
			uint8_t vector = (uint8_t)take(&c, 1);
			uint8_t len = (uint8_t)take(&c, 1);
			bool ok = event_queue_software_exception(&q, type, vector, len);

			CHECK(ok == (type == 5 || type == 6));
			if (ok && !b.pending && !b.triple_fault)
				CHECK(q.pending && q.ev.type == type &&
				      q.ev.vector == vector && q.ev.insn_len == len);
			else
				CHECK(eq_queue(&b, &q));
			break;
		}
		case 3:
			op_reinject(&q, &c);
			break;
		case 4:
			op_pop(&q, &c);
			break;
		case 5:
			op_take(&q);
			break;
		default:
			(void)event_queue_peek_exception(&q);
			CHECK(eq_queue(&b, &q));
			break;
		}
		/* A #DF in front is new only from queuing or re-queuing one,
		 * or from Table 6-5 (both checked in op_exception() and
		 * op_reinject()); no other operation makes one. */
		if (kind != 0 && kind != 3 && is_df(&q))
			CHECK(is_df(&b) && eq_event(&b.ev, &q.ev));
		check_state(&q);
	}
	return 0;
}
