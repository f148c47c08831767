/* Unit tests for vmx/events.c: the VM-entry interruption-information
 * encoding (SDM Vol. 3C, 24.8.3), which exceptions push an error code
 * (Vol. 3A, Table 6-1), combining a second exception with a pending one
 * (Vol. 3A, 6.15, Tables 6-4 and 6-5), payloads kept until delivery or
 * taken without delivery, re-injection from IDT-vectoring information
 * (Vol. 3C, 27.2.4) and an exception raised during it, NMI latching (Vol.
 * 3A, 6.7.1), the delivery order (Vol. 3A, 6.9, Table 6-2) and hostile
 * inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/events.h"

#define VALID (1u << 31)
#define ERRV (1u << 11)

/* ---- event_intr_info() -------------------------------------------------- */

static uint32_t info_of(uint8_t type, uint8_t vector, bool err)
{
	struct event ev = { .type = type, .vector = vector,
			    .has_error_code = err, .error_code = 0xffffffff,
			    .has_payload = true, .payload = ~0ull,
			    .insn_len = 15 };

	return event_intr_info(&ev);
}

static void test_intr_info_each_type(void **state)
{
	(void)state;
	assert_int_equal(EVENT_EXTERNAL_INTERRUPT, 0);
	assert_int_equal(EVENT_NMI, 2);
	assert_int_equal(EVENT_HARDWARE_EXCEPTION, 3);
	assert_int_equal(EVENT_SOFTWARE_INTERRUPT, 4);
	assert_int_equal(EVENT_PRIV_SOFTWARE_EXCEPTION, 5);
	assert_int_equal(EVENT_SOFTWARE_EXCEPTION, 6);

	assert_int_equal(info_of(EVENT_EXTERNAL_INTERRUPT, 0x20, false),
			 0x80000020u);
	assert_int_equal(info_of(EVENT_EXTERNAL_INTERRUPT, 0xff, false),
			 0x800000ffu);
	assert_int_equal(info_of(EVENT_NMI, 2, false), 0x80000202u);
	assert_int_equal(info_of(EVENT_HARDWARE_EXCEPTION, VEC_GP, true),
			 0x80000b0du);
	assert_int_equal(info_of(EVENT_HARDWARE_EXCEPTION, VEC_PF, true),
			 0x80000b0eu);
	assert_int_equal(info_of(EVENT_HARDWARE_EXCEPTION, VEC_DF, true),
			 0x80000b08u);
	assert_int_equal(info_of(EVENT_HARDWARE_EXCEPTION, VEC_UD, false),
			 0x80000306u);
	assert_int_equal(info_of(EVENT_HARDWARE_EXCEPTION, VEC_DE, false),
			 0x80000300u);
	assert_int_equal(info_of(EVENT_SOFTWARE_INTERRUPT, 0x80, false),
			 0x80000480u);
	assert_int_equal(info_of(EVENT_PRIV_SOFTWARE_EXCEPTION, VEC_DB, false),
			 0x80000501u);
	assert_int_equal(info_of(EVENT_SOFTWARE_EXCEPTION, VEC_BP, false),
			 0x80000603u);
	assert_int_equal(info_of(EVENT_SOFTWARE_EXCEPTION, 4, false),
			 0x80000604u);
}

/* Bits 30:12 are reserved (24.8.3) and must stay clear whatever the event
 * holds; the error code and payload never leak into the field. */
static void test_intr_info_reserved_clear(void **state)
{
	(void)state;
	for (unsigned type = 0; type < 8; type++) {
		for (unsigned v = 0; v < 256; v++) {
			for (int e = 0; e < 2; e++) {
				uint32_t info = info_of((uint8_t)type,
							(uint8_t)v, e);

				assert_int_equal(info & 0x7ffff000u, 0);
				assert_int_equal(info & 0xff, v);
				assert_int_equal((info >> 8) & 7, type);
				assert_int_equal(!!(info & ERRV), e);
				assert_true(info & VALID);
			}
		}
	}
}

/* ---- exception_has_error_code() ---------------------------------------- */

static void test_error_code_vectors(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 32; v++) {
		bool want = v == 8 || (v >= 10 && v <= 14) || v == 17 ||
			    v == 21;

		if (exception_has_error_code((uint8_t)v) != want)
			fail_msg("vector %u: expected %d", v, want);
	}
	assert_false(exception_has_error_code(32));
	assert_false(exception_has_error_code(0x80));
	assert_false(exception_has_error_code(255));
}

/* ---- combining (Vol. 3A, 6.15) ------------------------------------------ */

enum cls { BENIGN, CONTRIB, PFCLASS, DFCLASS };

/* Table 6-4, written independently of events.c: contributory 0, 10-13 and
 * 21 (#CP); page faults 14 and 20 (#VE); everything else benign. */
static enum cls sdm_class(unsigned v)
{
	if (v == 0 || (v >= 10 && v <= 13) || v == 21)
		return CONTRIB;
	if (v == 14 || v == 20)
		return PFCLASS;
	if (v == 8)
		return DFCLASS;
	return BENIGN;
}

static void queue(struct event_queue *q, uint8_t v)
{
	bool err = exception_has_error_code(v);

	event_queue_exception(q, v, err, err ? 0x1230u + v : 0,
			      v == VEC_PF || v == VEC_DB,
			      0xffff800000001000ull + v);
}

static void assert_is_df(const struct event_queue *q)
{
	assert_true(q->pending);
	assert_false(q->triple_fault);
	assert_int_equal(q->ev.type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(q->ev.vector, VEC_DF);
	assert_true(q->ev.has_error_code);
	assert_int_equal(q->ev.error_code, 0);
	assert_false(q->ev.has_payload);
	assert_int_equal(q->ev.payload, 0);
	assert_int_equal(q->ev.insn_len, 0);
}

static void test_first_exception_queued(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_exception(&q, VEC_GP, true, 0x18, false, 0);
	assert_true(q.pending);
	assert_false(q.triple_fault);
	assert_false(q.nmi_pending);
	assert_int_equal(q.ev.type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, VEC_GP);
	assert_true(q.ev.has_error_code);
	assert_int_equal(q.ev.error_code, 0x18);
	assert_false(q.ev.has_payload);
	assert_int_equal(q.ev.insn_len, 0);
	assert_int_equal(event_intr_info(&q.ev), 0x80000b0du);
}

static void test_contributory_pairs(void **state)
{
	static const uint8_t contrib[] = { 0, 10, 11, 12, 13, 21 };

	(void)state;
	for (unsigned i = 0; i < sizeof(contrib); i++) {
		for (unsigned j = 0; j < sizeof(contrib); j++) {
			struct event_queue q = { 0 };

			queue(&q, contrib[i]);
			queue(&q, contrib[j]);
			assert_is_df(&q);
		}
	}
}

static void test_page_fault_first(void **state)
{
	static const uint8_t second[] = { 0, 10, 11, 12, 13, 14, 20, 21 };

	(void)state;
	for (unsigned i = 0; i < sizeof(second); i++) {
		struct event_queue q = { 0 };

		event_queue_exception(&q, VEC_PF, true, 2, true, 0xdead000);
		queue(&q, second[i]);
		assert_is_df(&q);
	}
}

/* Contributory then #PF: handled serially, the #PF with its own CR2. */
static void test_contributory_then_page_fault(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_exception(&q, VEC_GP, true, 0, false, 0);
	event_queue_exception(&q, VEC_PF, true, 0x6, true,
			      0x00007fffdeadb000ull);
	assert_true(q.pending);
	assert_false(q.triple_fault);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(q.ev.has_error_code);
	assert_int_equal(q.ev.error_code, 0x6);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0x00007fffdeadb000ull);
}

/* Benign first: the second exception is handled serially, whatever it
 * is (Table 6-5 first row). */
static void test_benign_first(void **state)
{
	static const uint8_t benign[] = { 1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18,
					  19 };

	(void)state;
	for (unsigned i = 0; i < sizeof(benign); i++) {
		for (unsigned v = 0; v < 32; v++) {
			struct event_queue q = { 0 };
			bool err = exception_has_error_code((uint8_t)v);

			queue(&q, benign[i]);
			queue(&q, (uint8_t)v);
			assert_true(q.pending);
			assert_false(q.triple_fault);
			assert_int_equal(q.ev.vector, v);
			assert_int_equal(q.ev.has_error_code, err);
			assert_int_equal(q.ev.error_code, err ? 0x1230u + v : 0);
		}
	}
}

/* #DF pending and another exception arrives: shutdown (6.15, "Interrupt
 * 8"), reported as a triple fault with nothing left pending. For a benign
 * second exception the SDM only describes contributory/#PF; Nestor (like
 * KVM) shuts down for any, which this also pins down. */
static void test_double_fault_then_anything(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 32; v++) {
		struct event_queue q = { 0 };

		event_queue_exception(&q, VEC_DF, true, 0, false, 0);
		queue(&q, (uint8_t)v);
		assert_false(q.pending);
		assert_true(q.triple_fault);
	}
	/* Reached through combining, too: #PF, #GP -> #DF, then #GP. */
	{
		struct event_queue q = { 0 };

		queue(&q, VEC_PF);
		queue(&q, VEC_GP);
		assert_is_df(&q);
		queue(&q, VEC_GP);
		assert_false(q.pending);
		assert_true(q.triple_fault);
	}
}

/* The whole 32 x 32 matrix against Table 6-5 via sdm_class(). */
static void test_combining_matrix(void **state)
{
	(void)state;
	for (unsigned a = 0; a < 32; a++) {
		for (unsigned b = 0; b < 32; b++) {
			struct event_queue q = { 0 };
			enum cls ca = sdm_class(a), cb = sdm_class(b);
			bool df = (ca == CONTRIB && cb == CONTRIB) ||
				  (ca == PFCLASS && (cb == CONTRIB ||
						     cb == PFCLASS));

			queue(&q, (uint8_t)a);
			queue(&q, (uint8_t)b);
			if (ca == DFCLASS) {
				if (q.pending || !q.triple_fault)
					fail_msg("%u then %u: no shutdown", a, b);
			} else if (df) {
				if (!q.pending || q.triple_fault ||
				    q.ev.vector != VEC_DF)
					fail_msg("%u then %u: expected #DF, got %u",
						 a, b, q.ev.vector);
			} else {
				if (!q.pending || q.triple_fault ||
				    q.ev.vector != b)
					fail_msg("%u then %u: expected %u, got %u",
						 a, b, b, q.ev.vector);
			}
		}
	}
}

/* A pending software interrupt is not an exception: no combining. */
static void test_no_combining_with_non_exceptions(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	/* A reinjected INT 8 (software interrupt, not #DF) then #GP. */
	event_queue_reinject(&q, VALID | (EVENT_SOFTWARE_INTERRUPT << 8) | 8,
			     0, 2);
	event_queue_exception(&q, VEC_GP, true, 0x42, false, 0);
	assert_true(q.pending);
	assert_false(q.triple_fault);
	assert_int_equal(q.ev.type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, VEC_GP);
	assert_int_equal(q.ev.error_code, 0x42);
	assert_int_equal(q.ev.insn_len, 0);
}

/* ---- payloads ------------------------------------------------------------ */

static void test_payload_page_fault(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_exception(&q, VEC_PF, true, 0x7, true,
			      0xffffffff80001234ull);
	assert_true(q.pending);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0xffffffff80001234ull);
	assert_int_equal(q.ev.error_code, 0x7);
	/* The payload is not part of the interruption information. */
	assert_int_equal(event_intr_info(&q.ev), 0x80000b0eu);
	/* #PF then #DB (benign second): serial. A zero payload is still a
	 * payload, distinct from none. */
	event_queue_exception(&q, VEC_DB, false, 0, true, 0);
	assert_int_equal(q.ev.vector, VEC_DB);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0);
}

static void test_payload_debug(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_exception(&q, VEC_DB, false, 0, true, 0x4000 /* BS */);
	assert_true(q.pending);
	assert_int_equal(q.ev.vector, VEC_DB);
	assert_false(q.ev.has_error_code);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0x4000);
	assert_int_equal(event_intr_info(&q.ev), 0x80000301u);
	/* #DB is benign: a following #PF replaces it with its own payload. */
	event_queue_exception(&q, VEC_PF, true, 0, true, 0x1000);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0x1000);
	/* #PF then #UD (benign, serial): no payload left behind. */
	event_queue_exception(&q, VEC_UD, false, 0, false, 0);
	assert_int_equal(q.ev.vector, VEC_UD);
	assert_false(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0);
}

/* ---- event_queue_reinject() --------------------------------------------- */

static void test_reinject_invalid_queues_nothing(void **state)
{
	struct event_queue q = { 0 }, before;

	(void)state;
	event_queue_reinject(&q, 0x00000b0e, 4, 3);
	assert_false(q.pending);
	assert_int_equal(q.ev.vector, 0);
	event_queue_reinject(&q, 0x7fffffff, 4, 3);
	assert_false(q.pending);

	/* An already pending event is left alone. */
	event_queue_exception(&q, VEC_GP, true, 0x10, false, 0);
	before = q;
	event_queue_reinject(&q, 0x00000306, 0, 0);
	assert_memory_equal(&q, &before, sizeof(q));
}

static void test_reinject_hw_exception(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_reinject(&q, VALID | ERRV | (3u << 8) | 14, 0x2, 0);
	assert_true(q.pending);
	assert_false(q.triple_fault);
	assert_int_equal(q.ev.type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(q.ev.has_error_code);
	assert_int_equal(q.ev.error_code, 0x2);
	assert_false(q.ev.has_payload); /* CR2 already holds the address */
	assert_int_equal(event_intr_info(&q.ev), 0x80000b0eu);

	/* Error-code-valid clear: no error code, whatever the field says. */
	event_queue_reinject(&q, VALID | (3u << 8) | 13, 0xabc, 0);
	assert_int_equal(q.ev.vector, VEC_GP);
	assert_false(q.ev.has_error_code);
	assert_int_equal(event_intr_info(&q.ev), 0x8000030du);
}

static void test_reinject_software_keeps_insn_len(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_reinject(&q, VALID | (4u << 8) | 0x80, 0, 2);
	assert_true(q.pending);
	assert_int_equal(q.ev.type, EVENT_SOFTWARE_INTERRUPT);
	assert_int_equal(q.ev.vector, 0x80);
	assert_int_equal(q.ev.insn_len, 2);
	assert_false(q.ev.has_error_code);
	assert_int_equal(event_intr_info(&q.ev), 0x80000480u);

	event_queue_reinject(&q, VALID | (6u << 8) | VEC_BP, 0, 1);
	assert_int_equal(q.ev.type, EVENT_SOFTWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, VEC_BP);
	assert_int_equal(q.ev.insn_len, 1);

	event_queue_reinject(&q, VALID | (5u << 8) | VEC_DB, 0, 1);
	assert_int_equal(q.ev.type, EVENT_PRIV_SOFTWARE_EXCEPTION);
	assert_int_equal(q.ev.insn_len, 1);

	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	assert_int_equal(q.ev.type, EVENT_NMI);
	assert_int_equal(q.ev.vector, VEC_NMI);
	assert_int_equal(q.ev.insn_len, 0);
	assert_int_equal(event_intr_info(&q.ev), 0x80000202u);
}

/* Undefined/reserved bits of the IDT-vectoring field (bit 12, 30:13) never
 * reach the VM-entry field, whose bits 30:12 are reserved (24.8.3). */
static void test_reinject_reserved_bits_dropped(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_reinject(&q, 0xfffff30du, 0x55, 0);
	assert_true(q.pending);
	assert_int_equal(q.ev.type, 3);
	assert_int_equal(q.ev.vector, 0x0d);
	assert_false(q.ev.has_error_code);
	assert_int_equal(event_intr_info(&q.ev), 0x8000030du);

	event_queue_reinject(&q, 0xffffffffu, 0, 0);
	assert_int_equal(event_intr_info(&q.ev) & 0x7ffff000u, 0);
	assert_int_equal(event_intr_info(&q.ev), 0x80000fffu);
}

/* ---- event_queue_nmi() --------------------------------------------------- */

static void test_nmi(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_nmi(&q);
	assert_true(q.nmi_pending);
	assert_false(q.pending);
	assert_false(q.triple_fault);
	event_queue_nmi(&q);
	assert_true(q.nmi_pending);

	/* Independent of a pending exception, in both orders. */
	event_queue_exception(&q, VEC_GP, true, 0, false, 0);
	assert_true(q.nmi_pending);
	assert_int_equal(q.ev.vector, VEC_GP);
	q.nmi_pending = false;
	event_queue_nmi(&q);
	assert_true(q.nmi_pending);
	assert_true(q.pending);
	assert_int_equal(q.ev.vector, VEC_GP);
	assert_true(q.ev.has_error_code);
}

/* #BP/#OF (type 6) and ICEBP (type 5) go back with their length; an event
 * already queued (re-injected) is not replaced (26.6). */
static void test_software_exception(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_software_exception(&q, EVENT_SOFTWARE_EXCEPTION, 3, 1);
	assert_true(q.pending);
	assert_int_equal(q.ev.type, EVENT_SOFTWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, 3);
	assert_int_equal(q.ev.insn_len, 1);
	assert_false(q.ev.has_error_code);
	assert_false(q.ev.has_payload);
	q = (struct event_queue){ 0 };
	event_queue_exception(&q, 14, true, 2, true, 0x1000);
	event_queue_software_exception(&q, EVENT_PRIV_SOFTWARE_EXCEPTION, 1, 1);
	assert_int_equal(q.ev.vector, 14);
	assert_int_equal(q.ev.type, EVENT_HARDWARE_EXCEPTION);
}

/* ---- Table 6-5, cell by cell ------------------------------------------- */

enum outcome { SERIAL, DOUBLE, SHUTDOWN };

/* One representative pair per cell, and the cell's outcome as the table
 * says it (the #DF row's benign cell: see test_double_fault_then_anything;
 * Nestor shuts down there too). */
static void test_table_6_5_cells(void **state)
{
	static const struct {
		uint8_t first, second;
		enum outcome want;
	} cell[] = {
		{ VEC_DB, VEC_UD, SERIAL },  { VEC_UD, VEC_GP, SERIAL },
		{ VEC_MC, VEC_PF, SERIAL },  { VEC_GP, VEC_DB, SERIAL },
		{ VEC_DE, 10, DOUBLE },      { 11, VEC_PF, SERIAL },
		{ VEC_PF, VEC_BP, SERIAL },  { VEC_PF, VEC_SS, DOUBLE },
		{ VEC_PF, 20, DOUBLE },      { 20, VEC_PF, DOUBLE },
		{ VEC_DF, VEC_UD, SHUTDOWN }, { VEC_DF, 21, SHUTDOWN },
		{ VEC_DF, VEC_PF, SHUTDOWN },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cell) / sizeof(cell[0]); i++) {
		struct event_queue q = { 0 };

		queue(&q, cell[i].first);
		queue(&q, cell[i].second);
		switch (cell[i].want) {
		case SERIAL:
			assert_true(q.pending);
			assert_int_equal(q.ev.vector, cell[i].second);
			assert_int_equal(q.ev.has_payload,
					 cell[i].second == VEC_PF ||
					 cell[i].second == VEC_DB);
			break;
		case DOUBLE:
			assert_is_df(&q);
			break;
		case SHUTDOWN:
			assert_false(q.pending);
			assert_true(q.triple_fault);
			break;
		}
	}
}

/* A triple fault ends it: nothing more is queued, the pop reports it once
 * and takes it off. */
static void test_triple_fault_is_final(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	queue(&q, VEC_PF);
	queue(&q, VEC_PF);
	assert_is_df(&q);
	queue(&q, VEC_UD);
	assert_true(q.triple_fault);
	assert_true(event_queue_exception(&q, VEC_GP, true, 0, false, 0));
	assert_true(event_queue_software_exception(&q, EVENT_SOFTWARE_EXCEPTION,
						   VEC_BP, 1));
	event_queue_reinject(&q, VALID | (3u << 8) | VEC_GP, 0, 0);
	assert_false(q.pending);
	assert_null(event_queue_peek_exception(&q));
	assert_int_equal(event_queue_needs_open(&q), 0);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_TRIPLE_FAULT);
	assert_false(q.triple_fault);
	assert_true(event_queue_idle(&q));
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_NONE);
}

/* ---- re-injection plus an exception raised during it (6.15) ------------ */

static void test_reinjected_exception_combines(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	/* #PF being delivered, #GP raised: #DF, no payload. */
	event_queue_reinject(&q, VALID | ERRV | (3u << 8) | VEC_PF, 0x2, 0);
	assert_true(q.ev.reinjected);
	queue(&q, VEC_GP);
	assert_is_df(&q);
	assert_false(q.ev.reinjected);

	/* #GP being delivered, #PF raised: serial, the #PF with its CR2. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | ERRV | (3u << 8) | VEC_GP, 0x10, 0);
	event_queue_exception(&q, VEC_PF, true, 0x4, true, 0xcafe000);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_int_equal(q.ev.error_code, 0x4);
	assert_true(q.ev.has_payload);
	assert_int_equal(q.ev.payload, 0xcafe000);
	assert_false(q.ev.reinjected);

	/* #DF being delivered, anything raised: shutdown. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | ERRV | (3u << 8) | VEC_DF, 0, 0);
	queue(&q, VEC_NMI);
	assert_false(q.pending);
	assert_true(q.triple_fault);

	/* #DB (benign) being delivered, #PF raised: serial. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | (3u << 8) | VEC_DB, 0, 0);
	queue(&q, VEC_PF);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(q.ev.has_payload);

	/* INT3 (software exception) being delivered, #PF raised: the #PF;
	 * the INT3 runs again after the #PF handler returns. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | (6u << 8) | VEC_BP, 0, 1);
	queue(&q, VEC_PF);
	assert_int_equal(q.ev.type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_int_equal(q.ev.insn_len, 0);
	assert_false(event_queue_nmi_waiting(&q));
	assert_false(event_queue_intr_waiting(&q));
}

/* INTR is benign (Table 6-4): an exception raised while an external
 * interrupt was being delivered goes first, and the interrupt is kept for
 * the interrupt window instead of being replaced by the exception. */
static void test_reinjected_interrupt_then_exception(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	event_queue_reinject(&q, VALID | 0x31, 0, 0);
	assert_true(q.pending);
	assert_int_equal(q.ev.type, EVENT_EXTERNAL_INTERRUPT);
	assert_null(event_queue_peek_exception(&q)); /* not an exception */
	event_queue_exception(&q, VEC_PF, true, 0x9, true, 0xfee00000ull);
	assert_int_equal(q.ev.vector, VEC_PF);
	assert_true(event_queue_intr_waiting(&q));
	assert_false(event_queue_nmi_waiting(&q));
	assert_false(event_queue_idle(&q));

	/* Entry 1: the #PF, whatever the guest allows. */
	assert_int_equal(event_queue_needs_open(&q), 0);
	assert_int_equal(event_queue_pop(&q, 0, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, VEC_PF);
	assert_true(ev.has_payload);
	assert_int_equal(ev.payload, 0xfee00000ull);
	/* Entry 2: IF = 0 in the handler: nothing, the window stays. */
	assert_int_equal(event_queue_needs_open(&q), EVENT_OPEN_INTR);
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_NMI, &ev),
			 EVENT_POP_NONE);
	assert_true(event_queue_intr_waiting(&q));
	/* Entry 3 (the interrupt window): the interrupt. */
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_INTR, &ev),
			 EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_EXTERNAL_INTERRUPT);
	assert_int_equal(ev.vector, 0x31);
	assert_false(ev.has_error_code);
	assert_int_equal(event_intr_info(&ev), 0x80000031u);
	assert_true(event_queue_idle(&q));
}

/* NMI being delivered, #GP raised: the #GP, then the NMI; a further NMI
 * is latched behind it, and one more is lost (6.7.1). */
static void test_reinjected_nmi_then_exception(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	event_queue_exception(&q, VEC_GP, true, 0, false, 0);
	assert_int_equal(q.ev.vector, VEC_GP);
	assert_true(q.nmi_deferred);
	assert_false(q.nmi_pending);
	event_queue_nmi(&q);
	event_queue_nmi(&q);
	assert_true(q.nmi_pending);

	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, VEC_GP);
	assert_true(event_queue_nmi_waiting(&q));
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_NMI, &ev),
			 EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_NMI);
	assert_int_equal(ev.vector, VEC_NMI);
	assert_false(q.nmi_deferred);
	assert_true(q.nmi_pending);
	/* The guest is in its NMI handler: blocked. */
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_INTR, &ev),
			 EVENT_POP_NONE);
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_NMI, &ev),
			 EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_NMI);
	assert_true(event_queue_idle(&q));
}

/* ---- NMI latching (Vol. 3A 6.7.1) ---------------------------------------- */

static void test_nmi_latch(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	for (int i = 0; i < 5; i++)
		event_queue_nmi(&q);
	assert_true(q.nmi_pending);
	assert_false(q.nmi_deferred);
	assert_int_equal(event_queue_needs_open(&q), EVENT_OPEN_NMI);
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_NMI, &ev),
			 EVENT_POP_EVENT);
	assert_int_equal(event_intr_info(&ev), 0x80000202u);
	/* Five NMIs while one was pending are one. */
	assert_false(event_queue_nmi_waiting(&q));
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_NONE);

	/* An NMI being re-injected plus one that arrived meanwhile: two. */
	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	event_queue_nmi(&q);
	event_queue_nmi(&q);
	assert_int_equal(event_queue_pop(&q, 0, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_NMI);
	assert_true(ev.reinjected);
	assert_true(event_queue_nmi_waiting(&q));
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_NMI, &ev),
			 EVENT_POP_EVENT);
	assert_false(event_queue_nmi_waiting(&q));

	/* A re-injected NMI is the one that waited behind an exception. */
	q = (struct event_queue){ .nmi_deferred = true };
	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	assert_false(q.nmi_deferred);
	assert_int_equal(q.ev.type, EVENT_NMI);
}

/* ---- delivery order (Vol. 3A 6.9, Table 6-2) --------------------------- */

static void test_delivery_priority(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	/* Everything at once: front, deferred NMI, latched NMI, interrupts. */
	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	event_queue_exception(&q, VEC_UD, false, 0, false, 0);
	event_queue_nmi(&q);
	q.intr_deferred[0] = 1ull << 0x30;
	q.intr_deferred[3] = 1ull << 63;  /* vector 0xff */
	q.intr_deferred[1] = 1ull << 0;   /* vector 0x40 */

	assert_int_equal(event_queue_pop(&q, 0, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, VEC_UD);
	assert_int_equal(event_queue_needs_open(&q),
			 EVENT_OPEN_NMI | EVENT_OPEN_INTR);
	/* Nothing open (STI shadow, write step): nothing, both windows. */
	assert_int_equal(event_queue_pop(&q, 0, &ev), EVENT_POP_NONE);
	assert_true(event_queue_nmi_waiting(&q));
	assert_true(event_queue_intr_waiting(&q));
	/* Both open: the NMIs first. */
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_NMI);
	/* NMIs blocked (in the handler) but IF = 1: an interrupt, highest
	 * vector first. */
	assert_int_equal(event_queue_pop(&q, EVENT_OPEN_INTR, &ev),
			 EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_EXTERNAL_INTERRUPT);
	assert_int_equal(ev.vector, 0xff);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.type, EVENT_NMI);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, 0x40);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, 0x30);
	assert_true(event_queue_idle(&q));
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_NONE);

	/* A triple fault before anything; an exception before a waiting
	 * NMI or interrupt, whatever the guest allows. */
	q = (struct event_queue){ .nmi_pending = true, .triple_fault = true };
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_TRIPLE_FAULT);
	q = (struct event_queue){ .nmi_pending = true };
	q.intr_deferred[2] = 1;
	queue(&q, VEC_GP);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, VEC_GP);
}

/* ---- payloads kept, peeked, taken ---------------------------------------- */

static void test_payload_until_delivery(void **state)
{
	struct event_queue q = { 0 };
	struct event ev;

	(void)state;
	event_queue_exception(&q, VEC_DB, false, 0, true, 0x4001);
	event_queue_nmi(&q);
	assert_int_equal(event_queue_pop(&q, ~0u, &ev), EVENT_POP_EVENT);
	assert_int_equal(ev.vector, VEC_DB);
	assert_true(ev.has_payload);
	assert_int_equal(ev.payload, 0x4001);
	assert_false(q.pending);
	assert_true(q.nmi_pending);

	/* Only #PF and #DB carry one. */
	for (unsigned v = 0; v < 32; v++) {
		q = (struct event_queue){ 0 };
		event_queue_exception(&q, (uint8_t)v, false, 0, true, 0x1234);
		assert_int_equal(q.ev.has_payload, v == VEC_PF || v == VEC_DB);
		assert_int_equal(q.ev.payload,
				 v == VEC_PF || v == VEC_DB ? 0x1234 : 0);
	}
}

static void test_peek_and_take(void **state)
{
	struct event_queue q = { 0 };
	struct event ev = { .vector = 0x77 };
	const struct event *p;

	(void)state;
	assert_null(event_queue_peek_exception(&q));
	assert_false(event_queue_take_exception(&q, &ev));
	assert_int_equal(ev.vector, 0x77); /* untouched */

	event_queue_exception(&q, VEC_PF, true, 0x15, true, 0xdeadbeef000ull);
	event_queue_nmi(&q);
	q.intr_deferred[1] = 2;
	p = event_queue_peek_exception(&q);
	assert_non_null(p);
	assert_int_equal(p->type, EVENT_HARDWARE_EXCEPTION);
	assert_int_equal(p->vector, VEC_PF);
	assert_int_equal(p->error_code, 0x15);
	assert_true(p->has_payload);
	assert_int_equal(p->payload, 0xdeadbeef000ull);
	assert_false(p->reinjected);
	assert_true(q.pending); /* peeking takes nothing */

	assert_true(event_queue_take_exception(&q, &ev));
	assert_int_equal(ev.vector, VEC_PF);
	assert_int_equal(ev.payload, 0xdeadbeef000ull);
	assert_true(ev.has_error_code);
	assert_false(q.pending);
	assert_null(event_queue_peek_exception(&q));
	/* The NMI and the interrupt stay. */
	assert_true(event_queue_nmi_waiting(&q));
	assert_true(event_queue_intr_waiting(&q));

	/* A software exception with its length; a re-queued one says so. */
	q = (struct event_queue){ 0 };
	event_queue_software_exception(&q, EVENT_PRIV_SOFTWARE_EXCEPTION,
				       VEC_DB, 1);
	assert_true(event_queue_take_exception(&q, &ev));
	assert_int_equal(ev.type, EVENT_PRIV_SOFTWARE_EXCEPTION);
	assert_int_equal(ev.insn_len, 1);
	event_queue_reinject(&q, VALID | ERRV | (3u << 8) | VEC_GP, 0x8, 0);
	p = event_queue_peek_exception(&q);
	assert_non_null(p);
	assert_true(p->reinjected);
	assert_false(p->has_payload);

	/* Not exceptions: an NMI or INT n in front. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | (2u << 8) | VEC_NMI, 0, 0);
	assert_null(event_queue_peek_exception(&q));
	assert_false(event_queue_take_exception(&q, &ev));
	event_queue_reinject(&q, VALID | (4u << 8) | 0x80, 0, 2);
	assert_null(event_queue_peek_exception(&q));
	assert_true(q.pending);
}

/* ---- hostile inputs ------------------------------------------------------- */

static void test_hostile_inputs(void **state)
{
	struct event_queue q = { 0 }, before;

	(void)state;
	/* A hardware exception above 31 (26.2.1.3) is refused, alone or
	 * on top of another, and never combines. */
	for (unsigned v = 32; v < 256; v++) {
		q = (struct event_queue){ 0 };
		assert_false(event_queue_exception(&q, (uint8_t)v, true, 1,
						   true, 2));
		assert_true(event_queue_idle(&q));
		queue(&q, VEC_PF);
		before = q;
		assert_false(event_queue_exception(&q, (uint8_t)v, false, 0,
						   false, 0));
		assert_memory_equal(&q, &before, sizeof(q));
		/* Nor re-injected as one. */
		q = (struct event_queue){ 0 };
		event_queue_reinject(&q, VALID | (3u << 8) | v, 0, 0);
		assert_true(event_queue_idle(&q));
	}
	/* The software-exception entry takes types 5 and 6 only. */
	for (unsigned t = 0; t < 8; t++) {
		q = (struct event_queue){ 0 };
		assert_int_equal(event_queue_software_exception(&q, (uint8_t)t,
								VEC_BP, 1),
				 t == 5 || t == 6);
		assert_int_equal(q.pending, t == 5 || t == 6);
	}
	/* A #DF queued on top of another exception: Table 6-5 has no
	 * column for it; it is taken as it comes, error code and all. */
	for (unsigned v = 0; v < 32; v++) {
		q = (struct event_queue){ 0 };
		queue(&q, (uint8_t)v);
		queue(&q, VEC_DF);
		if (v == VEC_DF) {
			assert_true(q.triple_fault);
			continue;
		}
		assert_int_equal(q.ev.vector, VEC_DF);
		assert_int_equal(q.ev.error_code, 0x1230u + VEC_DF);
	}
	/* An error code that is not delivered is not kept. */
	q = (struct event_queue){ 0 };
	event_queue_exception(&q, VEC_UD, false, 0xffffffff, false, 0);
	assert_int_equal(q.ev.error_code, 0);
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | (3u << 8) | VEC_GP, 0xffff, 0);
	assert_int_equal(q.ev.error_code, 0);
	/* An NMI reported with another vector or an error code is an NMI
	 * (26.2.1.3: vector 2, no error code). */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | ERRV | (2u << 8) | 0x99, 0x5, 0);
	assert_int_equal(q.ev.vector, VEC_NMI);
	assert_false(q.ev.has_error_code);
	assert_int_equal(event_intr_info(&q.ev), 0x80000202u);
	/* An external interrupt pushed back twice with the same vector is
	 * one interrupt; vectors 0 and 255 both fit. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | 0xff, 0, 0);
	queue(&q, VEC_GP);
	event_queue_reinject(&q, VALID | 0xff, 0, 0);
	queue(&q, VEC_GP);
	event_queue_reinject(&q, VALID | 0x00, 0, 0);
	queue(&q, VEC_UD);
	assert_int_equal(q.intr_deferred[3], 1ull << 63);
	assert_int_equal(q.intr_deferred[0], 1);
	assert_int_equal(q.intr_deferred[1] | q.intr_deferred[2], 0);
}

/* Nested VMX: an exit reflected to L1 takes L2's delivery along (the
 * IDT-vectoring information); the NMI latch and a triple fault stay. */
static void test_drop_delivery(void **state)
{
	struct event_queue q = { 0 };

	(void)state;
	event_queue_reinject(&q, VALID | (EVENT_EXTERNAL_INTERRUPT << 8) | 0x30, 0, 0);
	assert_true(event_queue_exception(&q, VEC_GP, true, 0, false, 0));
	assert_true(q.pending);
	assert_int_not_equal(q.intr_deferred[0], 0);
	event_queue_nmi(&q);
	event_queue_drop_delivery(&q);
	assert_false(q.pending);
	assert_int_equal(q.intr_deferred[0] | q.intr_deferred[1] |
			 q.intr_deferred[2] | q.intr_deferred[3], 0);
	assert_false(q.nmi_deferred);
	assert_true(q.nmi_pending);
	assert_null(event_queue_peek_exception(&q));
	/* An interrupted NMI pushed back by an exception goes too. */
	q = (struct event_queue){ 0 };
	event_queue_reinject(&q, VALID | (EVENT_NMI << 8) | VEC_NMI, 0, 0);
	assert_true(event_queue_exception(&q, VEC_PF, true, 2, true, 0x1000));
	assert_true(q.nmi_deferred);
	event_queue_drop_delivery(&q);
	assert_false(q.nmi_deferred || q.pending || q.nmi_pending);
	assert_true(event_queue_idle(&q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_software_exception),
		T(test_intr_info_each_type),
		T(test_intr_info_reserved_clear),
		T(test_error_code_vectors),
		T(test_first_exception_queued),
		T(test_contributory_pairs),
		T(test_page_fault_first),
		T(test_contributory_then_page_fault),
		T(test_benign_first),
		T(test_double_fault_then_anything),
		T(test_combining_matrix),
		T(test_no_combining_with_non_exceptions),
		T(test_payload_page_fault),
		T(test_payload_debug),
		T(test_reinject_invalid_queues_nothing),
		T(test_reinject_hw_exception),
		T(test_reinject_software_keeps_insn_len),
		T(test_reinject_reserved_bits_dropped),
		T(test_nmi),
		T(test_table_6_5_cells),
		T(test_triple_fault_is_final),
		T(test_reinjected_exception_combines),
		T(test_reinjected_interrupt_then_exception),
		T(test_reinjected_nmi_then_exception),
		T(test_nmi_latch),
		T(test_delivery_priority),
		T(test_payload_until_delivery),
		T(test_peek_and_take),
		T(test_hostile_inputs),
		T(test_drop_delivery),
#undef T
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
