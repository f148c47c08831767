/* Unit tests for vmx/mtrr.c: the guest's virtual MTRRs (SDM Vol. 3A 11.11,
 * Vol. 4 Table 2-2). A fake CPU supplies the firmware's values; every
 * write rule is checked on a valid value and its neighbouring invalid one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/mtrr.h"

/* A CPU with 8 variable ranges, fixed ranges and WC (0x508), 40-bit. */
static uint64_t fake_cap = 0x508;
static unsigned fake_reads;
static uint32_t fake_fail_msr = 0xffffffffu;

static bool fake_rd(uint32_t msr, uint64_t *val)
{
	fake_reads++;
	if (msr == fake_fail_msr)
		return false;
	if (msr == MSR_MTRRCAP)
		*val = fake_cap;
	else if (msr == MSR_MTRR_DEF_TYPE)
		*val = 0xc00;                          /* E, FE, UC */
	else if (msr == 0x201)
		*val = 0xff80000800ull;                /* 2 GiB mask, V */
	else if (msr == 0x200)
		*val = 0x6;                            /* WB at 0 */
	else if (msr >= 0x200 && msr <= 0x21f)
		*val = 0;
	else
		*val = 0x0606060606060606ull;          /* fixed: WB */
	return true;
}

static struct mtrr_state fresh(unsigned maxphyaddr)
{
	struct mtrr_state m;

	fake_reads = 0;
	assert_true(mtrr_init(&m, true, fake_rd, maxphyaddr));
	return m;
}

static void test_init_and_read(void **state)
{
	struct mtrr_state m = fresh(40);
	uint64_t v;

	(void)state;
	assert_true(mtrr_read(&m, MSR_MTRRCAP, &v));
	assert_int_equal(v, 0x508);
	assert_true(mtrr_read(&m, MSR_MTRR_DEF_TYPE, &v));
	assert_int_equal(v, 0xc00);
	assert_true(mtrr_read(&m, 0x201, &v));
	assert_int_equal(v, 0xff80000800ull);
	assert_true(mtrr_read(&m, MSR_MTRR_FIX4K_F8000, &v));
	assert_int_equal(v, 0x0606060606060606ull);
	/* 1 cap + 1 def + 11 fixed + 16 variable */
	assert_int_equal(fake_reads, 29);
	/* Ranges 8..15 do not exist on this CPU. */
	assert_true(mtrr_read(&m, 0x20f, &v));
	assert_false(mtrr_read(&m, 0x210, &v));
	assert_false(mtrr_read(&m, 0x21f, &v));
	/* Not MTRRs at all. */
	assert_false(mtrr_msr(0x1ff));
	assert_false(mtrr_msr(0x220));
	assert_false(mtrr_msr(0x251));
	assert_false(mtrr_msr(0x267));
	assert_false(mtrr_msr(0x270));
	assert_true(mtrr_msr(0xfe));
	assert_true(mtrr_msr(0x2ff));
	assert_true(mtrr_msr(0x259));
}

/* A guest of width 36 reads no mask bits at or above 36. */
static void test_init_reduced_width(void **state)
{
	struct mtrr_state m = fresh(36);
	uint64_t v;

	(void)state;
	assert_true(mtrr_read(&m, 0x201, &v));
	assert_int_equal(v, 0xf80000800ull);
}

static void test_write_rules(void **state)
{
	struct mtrr_state m = fresh(40);
	uint64_t v;

	(void)state;
	/* IA32_MTRRCAP is read-only. */
	assert_false(mtrr_write(&m, MSR_MTRRCAP, 0x508, 40));
	/* Memory types (Table 11-8): 0, 1 (WC advertised), 4, 5, 6. */
	for (unsigned t = 0; t < 256; t++) {
		bool ok = t == 0 || t == 1 || t == 4 || t == 5 || t == 6;

		assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0xc00 | t, 40), ok);
		assert_int_equal(mtrr_write(&m, 0x202, 0x10000000ull | t, 40), ok);
		assert_int_equal(mtrr_write(&m, MSR_MTRR_FIX64K_00000,
					    (0x0606060606060606ull & ~0xff00ull) |
					    (uint64_t)t << 8, 40), ok);
	}
	/* DEF_TYPE reserved bits 9:8 and 63:12. */
	assert_false(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0x100 | 6, 40));
	assert_false(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0x1000 | 6, 40));
	assert_true(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0x806, 40));
	/* PHYSBASE: 11:8 reserved, bits at or above MAXPHYADDR reserved. */
	assert_false(mtrr_write(&m, 0x204, 0x100 | 6, 40));
	assert_false(mtrr_write(&m, 0x204, (1ull << 40) | 6, 40));
	assert_true(mtrr_write(&m, 0x204, (1ull << 39) | 6, 40));
	assert_false(mtrr_write(&m, 0x204, (1ull << 36) | 6, 36));
	/* PHYSMASK: 10:0 reserved. */
	assert_false(mtrr_write(&m, 0x205, 0xff80000801ull, 40));
	assert_false(mtrr_write(&m, 0x205, 0x1ff80000800ull, 40));
	assert_true(mtrr_write(&m, 0x205, 0xff80000800ull, 40));
	assert_true(mtrr_read(&m, 0x205, &v));
	assert_int_equal(v, 0xff80000800ull);
	/* A failed write leaves the value as it was. */
	assert_false(mtrr_write(&m, 0x205, 0x7ff, 40));
	assert_true(mtrr_read(&m, 0x205, &v));
	assert_int_equal(v, 0xff80000800ull);
	/* Nonexistent variable ranges. */
	assert_false(mtrr_write(&m, 0x210, 6, 40));
}

/* Without WC, without fixed ranges, without MTRRs at all. */
static void test_capabilities(void **state)
{
	struct mtrr_state m;
	uint64_t v;

	(void)state;
	fake_cap = 0x102; /* 2 ranges, FIX, no WC */
	m = fresh(40);
	assert_false(mtrr_write(&m, 0x200, 1, 40));
	assert_true(mtrr_write(&m, 0x200, 4, 40));
	assert_true(mtrr_read(&m, 0x203, &v));
	assert_false(mtrr_read(&m, 0x204, &v));
	fake_cap = 0x4; /* 4 ranges, no FIX */
	m = fresh(40);
	assert_false(mtrr_read(&m, MSR_MTRR_FIX16K_80000, &v));
	assert_false(mtrr_write(&m, MSR_MTRR_FIX16K_80000, 0, 40));
	assert_int_equal(fake_reads, 1 + 1 + 8);
	fake_cap = 0x508;
	assert_true(mtrr_init(&m, false, fake_rd, 40));
	assert_false(mtrr_read(&m, MSR_MTRRCAP, &v));
	assert_false(mtrr_read(&m, MSR_MTRR_DEF_TYPE, &v));
	assert_false(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 6, 40));
	/* A VCNT above 16 is capped (MSRs past 0x21f are not MTRRs). */
	fake_cap = 0x5ff;
	m = fresh(40);
	assert_true(mtrr_read(&m, MSR_MTRRCAP, &v));
	assert_int_equal(v & 0xff, 16);
	assert_true(mtrr_read(&m, 0x21f, &v));
	fake_cap = 0x508;
}

static void test_init_failure(void **state)
{
	struct mtrr_state m;

	(void)state;
	fake_fail_msr = 0x207;
	assert_false(mtrr_init(&m, true, fake_rd, 40));
	fake_fail_msr = MSR_MTRRCAP;
	assert_false(mtrr_init(&m, true, fake_rd, 40));
	fake_fail_msr = 0xffffffffu;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_read),
		cmocka_unit_test(test_init_reduced_width),
		cmocka_unit_test(test_write_rules),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_init_failure),
	};

	return cmocka_run_group_tests_name("mtrr", tests, NULL, NULL);
}
