/* Unit tests for vmx/exit_trace.c: the ring of the last VM exits, its "last
 * N" window (oldest first, wrapping, never the slot the next exit fills),
 * the notes of qualification and RIP, and the line format printed on every
 * failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/exit_reasons.h"
#include "vmx/exit_trace.h"

static struct exit_trace ring;

/* Exit i (from 1) gets reason i % 64 at TSC 1000 * i, level 1 or 2. */
static void record_exits(unsigned from, unsigned to)
{
	for (unsigned i = from; i <= to; i++)
		exit_trace_record(&ring, i % 64, 1 + (i & 1), 1000ull * i);
}

#define MAXLINES 80
static char lines[MAXLINES][200];
static unsigned nlines;

static void collect(void *ctx, const char *text)
{
	(void)ctx;
	assert_true(nlines < MAXLINES);
	assert_true(strlen(text) < sizeof(lines[0]));
	strcpy(lines[nlines++], text);
}

static int reset(void **state)
{
	(void)state;
	memset(&ring, 0, sizeof(ring));
	nlines = 0;
	return 0;
}

static void test_empty(void **state)
{
	uint64_t first;

	(void)state;
	assert_int_equal(exit_trace_window(&ring, 32, &first), 0);
	exit_trace_print(&ring, 32, collect, NULL);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(lines[0], "exit trace: the last 0 of 0 exits"));
}

static void test_fewer_than_asked(void **state)
{
	uint64_t first;

	(void)state;
	record_exits(1, 5);
	assert_int_equal(exit_trace_window(&ring, 32, &first), 5);
	assert_int_equal(first, 1);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(exit_trace_at(&ring, first + i)->reason, i + 1);
	assert_int_equal(exit_trace_window(&ring, 2, &first), 2);
	assert_int_equal(first, 4);
	assert_int_equal(exit_trace_window(&ring, 0, &first), 0);
}

static void test_wraps_oldest_first(void **state)
{
	uint64_t first;

	(void)state;
	record_exits(1, 200);
	assert_int_equal(exit_trace_window(&ring, 32, &first), 32);
	assert_int_equal(first, 169);
	for (unsigned i = 0; i < 32; i++) {
		const struct exit_trace_entry *e = exit_trace_at(&ring, first + i);

		assert_int_equal(e->reason, (169 + i) % 64);
		assert_int_equal(e->tsc, 1000ull * (169 + i));
		assert_int_equal(e->level, 1 + ((169 + i) & 1));
	}
}

/* An NMI may print while the next exit fills its slot (before `count`
 * moves): the window never holds that slot, however many are asked for. */
static void test_never_the_slot_being_filled(void **state)
{
	uint64_t first;
	unsigned n;

	(void)state;
	for (unsigned total = 0; total < 3 * EXIT_TRACE_SIZE; total++) {
		const struct exit_trace_entry *filling =
			&ring.e[ring.count & (EXIT_TRACE_SIZE - 1)];

		n = exit_trace_window(&ring, 1000, &first);
		assert_int_equal(n, total < EXIT_TRACE_SIZE ? total
							    : EXIT_TRACE_SIZE - 1);
		for (unsigned i = 0; i < n; i++)
			assert_ptr_not_equal(exit_trace_at(&ring, first + i),
					     filling);
		if (n)
			assert_int_equal(first + n - 1, total);
		record_exits(total + 1, total + 1);
	}
}

static void test_notes_and_reuse(void **state)
{
	struct exit_trace_entry *e;

	(void)state;
	e = exit_trace_record(&ring, EXIT_REASON_CPUID, 1, 10);
	assert_int_equal(e->known, 0);
	exit_trace_note(e, EXIT_TRACE_RIP, 0x1234);
	assert_int_equal(e->known, EXIT_TRACE_RIP);
	assert_int_equal(e->rip, 0x1234);
	exit_trace_note(e, EXIT_TRACE_QUAL, 0x55);
	assert_int_equal(e->known, EXIT_TRACE_QUAL | EXIT_TRACE_RIP);
	assert_int_equal(e->qual, 0x55);
	/* The same slot, one lap later: nothing known from the old exit. */
	record_exits(2, EXIT_TRACE_SIZE);
	assert_ptr_equal(exit_trace_record(&ring, EXIT_REASON_HLT, 2, 99), e);
	assert_int_equal(e->known, 0);
	assert_int_equal(e->reason, EXIT_REASON_HLT);
	assert_int_equal(e->level, 2);
}

static void test_format(void **state)
{
	struct exit_trace_entry e = { .tsc = 5000, .qual = 0xf40008,
				      .rip = 0x101234,
				      .reason = EXIT_REASON_IO_INSTRUCTION,
				      .level = 1,
				      .known = EXIT_TRACE_QUAL | EXIT_TRACE_RIP };
	char buf[200];
	int n;

	(void)state;
	n = exit_trace_format(buf, sizeof(buf), 7, &e, 0);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
			    "#7        L1  30 I/O instruction              qual 0x0000000000f40008 rip 0x0000000000101234 tsc 5000");
	e.known = EXIT_TRACE_RIP;
	e.level = 2;
	e.reason = EXIT_REASON_CPUID;
	exit_trace_format(buf, sizeof(buf), 12345, &e, 4000);
	assert_string_equal(buf,
			    "#12345    L2  10 CPUID                        qual -                  rip 0x0000000000101234 tsc +1000");
	/* A VM-entry failure: bit 31 set, the basic reason named. */
	e.reason = EXIT_REASON_ENTRY_FAILURE | 33;
	e.known = 0;
	exit_trace_format(buf, sizeof(buf), 1, &e, 0);
	assert_non_null(strstr(buf, " L2  33 VM-entry failure: invalid guest state qual - "));
	/* Truncation is snprintf's. */
	n = exit_trace_format(buf, 10, 1, &e, 0);
	assert_true(n > 10);
	assert_int_equal(strlen(buf), 9);
}

static void test_print(void **state)
{
	(void)state;
	record_exits(1, 100);
	exit_trace_note(&ring.e[99 & (EXIT_TRACE_SIZE - 1)], EXIT_TRACE_QUAL, 0xabc);
	exit_trace_print(&ring, EXIT_TRACE_ON_FAILURE, collect, NULL);
	assert_int_equal(nlines, 1 + EXIT_TRACE_ON_FAILURE);
	assert_non_null(strstr(lines[0], "exit trace: the last 32 of 100 exits, oldest first"));
	/* Oldest first; its TSC absolute, the others' as deltas. */
	assert_non_null(strstr(lines[1], "#69 "));
	assert_non_null(strstr(lines[1], " tsc 69000"));
	assert_non_null(strstr(lines[2], "#70 "));
	assert_non_null(strstr(lines[2], " tsc +1000"));
	assert_non_null(strstr(lines[32], "#100 "));
	assert_non_null(strstr(lines[32], "qual 0x0000000000000abc rip -"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, reset)
		T(test_empty),
		T(test_fewer_than_asked),
		T(test_wraps_oldest_first),
		T(test_never_the_slot_being_filled),
		T(test_notes_and_reuse),
		T(test_format),
		T(test_print),
#undef T
	};

	return cmocka_run_group_tests_name("exit_trace", tests, NULL, NULL);
}
