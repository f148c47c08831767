/* Unit tests for vmx/ept_break_table.c: the EPT breakpoints' numbering
 * (5..8, after DR0-DR3's 1..4), adding the same address twice, a full
 * table, removal, and the lookups by address, by page and by GDB's GVA. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/ept_break_table.h"

static struct ept_break_table t;

static int reset(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	return 0;
}

static void test_numbering_and_full(void **state)
{
	bool added;

	(void)state;
	assert_int_equal(ept_break_add(&t, 0x1000, &added), 5);
	assert_true(added);
	assert_int_equal(ept_break_add(&t, 0x1004, &added), 6);
	assert_int_equal(ept_break_add(&t, 0x2000, &added), 7);
	assert_int_equal(ept_break_add(&t, 0x3000, &added), 8);
	/* Full: nothing changes. */
	assert_int_equal(ept_break_add(&t, 0x4000, &added), 0);
	assert_false(added);
	assert_int_equal(ept_break_at(&t, 0x4000), 0);
	/* The same address again is the same breakpoint, even when full. */
	assert_int_equal(ept_break_add(&t, 0x1004, &added), 6);
	assert_false(added);
}

static void test_remove_and_reuse(void **state)
{
	bool added;
	uint64_t gpa = 0;

	(void)state;
	ept_break_add(&t, 0x1000, &added);
	ept_break_add(&t, 0x2000, &added);
	assert_true(ept_break_del(&t, 5, &gpa));
	assert_int_equal(gpa, 0x1000);
	assert_false(ept_break_del(&t, 5, &gpa));
	assert_false(ept_break_get(&t, 5, &gpa));
	assert_true(ept_break_get(&t, 6, &gpa));
	assert_int_equal(gpa, 0x2000);
	/* The free number is used again. */
	assert_int_equal(ept_break_add(&t, 0x5000, &added), 5);
	assert_true(added);
}

static void test_bad_numbers(void **state)
{
	uint64_t gpa = 0x77;

	(void)state;
	for (unsigned n = 0; n < 12; n++) {
		assert_false(ept_break_get(&t, n, &gpa));
		assert_false(ept_break_del(&t, n, &gpa));
	}
	assert_false(ept_break_get(&t, ~0u, &gpa));
	assert_int_equal(gpa, 0x77);
	ept_break_set_gva(&t, 0, 1); /* ignored, no crash */
	ept_break_set_gva(&t, 9, 1);
	assert_int_equal(ept_break_by_gva(&t, 1), 0);
}

static void test_page_counts(void **state)
{
	bool added;
	uint64_t gpa;

	(void)state;
	assert_int_equal(ept_break_on_page(&t, 0x1000), 0);
	ept_break_add(&t, 0x1ffc, &added);
	ept_break_add(&t, 0x1000, &added);
	ept_break_add(&t, 0x2000, &added);
	assert_int_equal(ept_break_on_page(&t, 0x1abc), 2);
	assert_int_equal(ept_break_on_page(&t, 0x2fff), 1);
	assert_int_equal(ept_break_on_page(&t, 0x3000), 0);
	ept_break_del(&t, 5, &gpa);
	assert_int_equal(ept_break_on_page(&t, 0x1000), 1);
	assert_int_equal(ept_break_at(&t, 0x1ffc), 0);
	assert_int_equal(ept_break_at(&t, 0x1000), 6);
	/* A high address keeps its page. */
	ept_break_add(&t, 0xffffffffff000ull, &added);
	assert_int_equal(ept_break_on_page(&t, 0xfffffffffffffull), 1);
}

static void test_gva(void **state)
{
	bool added;
	uint64_t gpa;
	unsigned n;

	(void)state;
	n = ept_break_add(&t, 0x3000, &added);
	assert_int_equal(ept_break_by_gva(&t, 0xffff800000003000ull), 0);
	ept_break_set_gva(&t, n, 0xffff800000003000ull);
	assert_int_equal(ept_break_by_gva(&t, 0xffff800000003000ull), n);
	/* A slot used again forgets the old GVA. */
	ept_break_del(&t, n, &gpa);
	assert_int_equal(ept_break_by_gva(&t, 0xffff800000003000ull), 0);
	assert_int_equal(ept_break_add(&t, 0x4000, &added), n);
	assert_int_equal(ept_break_by_gva(&t, 0xffff800000003000ull), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, reset)
		T(test_numbering_and_full),
		T(test_remove_and_reuse),
		T(test_bad_numbers),
		T(test_page_counts),
		T(test_gva),
#undef T
	};

	return cmocka_run_group_tests_name("ept_break_table", tests, NULL, NULL);
}
