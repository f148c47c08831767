/* Unit tests for vmx/msr_policy.c: the action for every special MSR and its
 * neighbours, the edges of the two MSR-bitmap ranges, and the 4-KiB MSR
 * bitmap built from the policy (layout: SDM Vol. 3C, 24.6.9). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/msr_policy.h"

#define RD false
#define WR true

/* The bitmap plus guard bytes on both sides: msr_bitmap_build() must write
 * exactly 4096 bytes. */
struct guarded_bitmap {
	uint8_t before[64];
	uint8_t bm[4096];
	uint8_t after[64];
};

static void build_guarded(struct guarded_bitmap *g, uint8_t fill)
{
	memset(g, fill, sizeof(*g));
	msr_bitmap_build(g->bm);
	for (unsigned i = 0; i < sizeof(g->before); i++) {
		assert_int_equal(g->before[i], fill);
		assert_int_equal(g->after[i], fill);
	}
}

/* The bit for (msr, write) per SDM 24.6.9, computed independently. */
static bool raw_bit(const uint8_t *bm, uint32_t msr, bool write)
{
	unsigned base = msr >= 0xc0000000u ? 1024 : 0;

	if (write)
		base += 2048;
	return bm[base + (msr & 0x1fff) / 8] >> (msr & 7) & 1;
}

/* ---- msr_policy() ------------------------------------------------------ */

static void test_policy_feature_control(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_FEATURE_CONTROL, 0x3a);
	assert_int_equal(msr_policy(0x3a, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(0x3a, WR), MSR_GP);
	assert_int_equal(msr_policy(0x39, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x39, WR), MSR_PASS);
	assert_int_equal(msr_policy(0x3b, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x3b, WR), MSR_PASS);
}

static void test_policy_bios_updt_trig(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_BIOS_UPDT_TRIG, 0x79);
	assert_int_equal(msr_policy(0x79, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x79, WR), MSR_IGNORE);
	assert_int_equal(msr_policy(0x78, WR), MSR_PASS);
	assert_int_equal(msr_policy(0x7a, WR), MSR_PASS);
}

static void test_policy_smm_monitor_ctl(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_SMM_MONITOR_CTL, 0x9b);
	assert_int_equal(msr_policy(0x9b, RD), MSR_GP);
	assert_int_equal(msr_policy(0x9b, WR), MSR_GP);
	assert_int_equal(msr_policy(0x9a, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x9c, WR), MSR_PASS);
}

static void test_policy_vmx_range(void **state)
{
	(void)state;
	assert_int_equal(MSR_VMX_FIRST, 0x480);
	assert_int_equal(MSR_VMX_LAST, 0x493);
	for (uint32_t msr = 0x480; msr <= 0x493; msr++) {
		assert_int_equal(msr_policy(msr, RD), MSR_GP);
		assert_int_equal(msr_policy(msr, WR), MSR_GP);
	}
	assert_int_equal(msr_policy(0x47f, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x47f, WR), MSR_PASS);
	assert_int_equal(msr_policy(0x494, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x494, WR), MSR_PASS);
}

/* Reaching Nestor's memory around EPT: Intel PT, DS/PEBS, moving the APIC
 * window, MISC_ENABLE (see msr_policy.c). */
static void test_policy_memory_reaching_msrs(void **state)
{
	static const uint32_t gp[] = {
		0x560, 0x561, 0x570, 0x571, 0x572, 0x580, 0x585, 0x58b,
		0x600 /* DS_AREA */, 0x3f1 /* PEBS_ENABLE */,
	};
	static const uint32_t pass[] = { 0x55f, 0x562, 0x56f, 0x573, 0x57f,
					 0x58c, 0x5ff, 0x601, 0x3f0, 0x3f2 };

	(void)state;
	for (unsigned i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
		assert_int_equal(msr_policy(gp[i], RD), MSR_GP);
		assert_int_equal(msr_policy(gp[i], WR), MSR_GP);
	}
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		assert_int_equal(msr_policy(pass[i], RD), MSR_PASS);
		assert_int_equal(msr_policy(pass[i], WR), MSR_PASS);
	}
	assert_int_equal(msr_policy(0x1b, RD), MSR_PASS);
	assert_int_equal(msr_policy(0x1b, WR), MSR_EMULATE);
	assert_int_equal(msr_policy(0x1a0, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(0x1a0, WR), MSR_IGNORE);
}

static void test_policy_ordinary_passthrough(void **state)
{
	static const uint32_t pass[] = {
		0x0, 0x10 /* TSC */, 0x174, 0x1d9,
		0x277 /* PAT */, 0x6e0, 0x1fff,
		0xc0000080 /* EFER */, 0xc0000081, 0xc0000082, 0xc0000100,
		0xc0000101, 0xc0000102, 0xc0000103, 0xc0001fff,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		assert_int_equal(msr_policy(pass[i], RD), MSR_PASS);
		assert_int_equal(msr_policy(pass[i], WR), MSR_PASS);
	}
}

/* 24.6.9: MSRs outside 0-0x1fff and 0xc0000000-0xc0001fff always exit;
 * Nestor knows none of them, so they get #GP. */
static void test_policy_range_boundaries(void **state)
{
	static const uint32_t outside[] = {
		0x2000, 0x2001, 0x10000, 0x40000000 /* Hyper-V */,
		0x4b564d00 /* KVM */, 0xbfffffff, 0xc0002000, 0xc0010000,
		0xc0011020, 0xfffffffe, 0xffffffff,
	};

	(void)state;
	assert_int_equal(msr_policy(0x1fff, RD), MSR_PASS);
	assert_int_equal(msr_policy(0xc0000000, RD), MSR_PASS);
	assert_int_equal(msr_policy(0xc0000000, WR), MSR_PASS);
	assert_int_equal(msr_policy(0xc0001fff, WR), MSR_PASS);
	for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		assert_int_equal(msr_policy(outside[i], RD), MSR_GP);
		assert_int_equal(msr_policy(outside[i], WR), MSR_GP);
	}
	/* The special MSR numbers shifted into the high range are not
	 * special there (msr & 0x1fff must not alias). */
	assert_int_equal(msr_policy(0xc000003a, WR), MSR_PASS);
	assert_int_equal(msr_policy(0xc0000480, RD), MSR_PASS);
	assert_int_equal(msr_policy(0xc000009b, RD), MSR_PASS);
	/* Nor just above the low range (0x2000 + 0x3a is simply outside). */
	assert_int_equal(msr_policy(0x203a, RD), MSR_GP);
	assert_int_equal(msr_policy(0x203a, WR), MSR_GP);
}

/* ---- msr_bitmap_build() / msr_bitmap_intercepts() ---------------------- */

static void test_bitmap_absolute_positions(void **state)
{
	struct guarded_bitmap g;

	(void)state;
	build_guarded(&g, 0xa5);
	/* 0x3a = 58 = 7 * 8 + 2. Read low at byte 0: read is emulated. */
	assert_int_equal(g.bm[7], 1u << 2);
	/* Write low at byte 2048: write raises #GP. */
	assert_int_equal(g.bm[2048 + 7], 1u << 2);
	/* 0x79 = 121 = 15 * 8 + 1: write intercepted only. */
	assert_int_equal(g.bm[15], 0);
	assert_int_equal(g.bm[2048 + 15], 1u << 1);
	/* 0x9b = 155 = 19 * 8 + 3: both. */
	assert_int_equal(g.bm[19], 1u << 3);
	assert_int_equal(g.bm[2048 + 19], 1u << 3);
	/* 0x480-0x493: bytes 0x90, 0x91 full, 0x92 bits 0-3. */
	assert_int_equal(g.bm[0x90], 0xff);
	assert_int_equal(g.bm[0x91], 0xff);
	assert_int_equal(g.bm[0x92], 0x0f);
	assert_int_equal(g.bm[0x8f], 0x00);
	assert_int_equal(g.bm[2048 + 0x90], 0xff);
	assert_int_equal(g.bm[2048 + 0x91], 0xff);
	assert_int_equal(g.bm[2048 + 0x92], 0x0f);
	assert_int_equal(g.bm[2048 + 0x8f], 0x00);
	/* Nothing at all in the high-MSR halves. */
	for (unsigned i = 1024; i < 2048; i++) {
		assert_int_equal(g.bm[i], 0);
		assert_int_equal(g.bm[2048 + i], 0);
	}
}

static void test_bitmap_exact_set_bits(void **state)
{
	struct guarded_bitmap g;
	unsigned rd = 0, wr = 0;

	(void)state;
	build_guarded(&g, 0xff); /* must clear the old contents */
	for (unsigned i = 0; i < 2048; i++)
		rd += (unsigned)__builtin_popcount(g.bm[i]);
	for (unsigned i = 2048; i < 4096; i++)
		wr += (unsigned)__builtin_popcount(g.bm[i]);
	/* Reads: 0x3a, 0x9b, 20 VMX MSRs, 0x1a0, 17 Intel PT MSRs (0x560-1,
	 * 0x570-2, 0x580-0x58b), DS_AREA, PEBS_ENABLE. Writes: also 0x79 and
	 * 0x1b. */
	assert_int_equal(rd, 1 + 1 + 20 + 1 + 17 + 2);
	assert_int_equal(wr, 1 + 1 + 1 + 20 + 1 + 17 + 2 + 1);
}

static void test_bitmap_intercepted_and_clear_samples(void **state)
{
	static const uint32_t clear[] = {
		0x0, 0x10, 0x39, 0x3b, 0x78, 0x7a, 0x9a, 0x9c, 0x47f, 0x494,
		0x1fff, 0xc0000000, 0xc0000080, 0xc0000100, 0xc0001fff,
	};
	struct guarded_bitmap g;

	(void)state;
	build_guarded(&g, 0);
	assert_true(msr_bitmap_intercepts(g.bm, 0x3a, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0x3a, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0x79, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0x79, WR));
	assert_true(msr_bitmap_intercepts(g.bm, 0x9b, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0x9b, WR));
	for (uint32_t m = 0x480; m <= 0x493; m++) {
		assert_true(msr_bitmap_intercepts(g.bm, m, RD));
		assert_true(msr_bitmap_intercepts(g.bm, m, WR));
	}
	for (unsigned i = 0; i < sizeof(clear) / sizeof(clear[0]); i++) {
		assert_false(msr_bitmap_intercepts(g.bm, clear[i], RD));
		assert_false(msr_bitmap_intercepts(g.bm, clear[i], WR));
		assert_false(raw_bit(g.bm, clear[i], RD));
		assert_false(raw_bit(g.bm, clear[i], WR));
	}
	/* Outside both ranges: always exits, whatever the bitmap says. */
	assert_true(msr_bitmap_intercepts(g.bm, 0x2000, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0xbfffffff, WR));
	assert_true(msr_bitmap_intercepts(g.bm, 0xc0002000, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0xffffffff, WR));
}

/* msr_bitmap_intercepts() must read the SDM layout, not just mirror the
 * builder: check it on a hand-made bitmap with single bits set. */
static void test_intercepts_reads_sdm_layout(void **state)
{
	static uint8_t bm[4096];

	(void)state;
	memset(bm, 0, sizeof(bm));
	bm[1024 + 0x80 / 8] = 1u << (0x80 % 8); /* read 0xc0000080 */
	bm[3072 + 0x1fff / 8] = 0x80;           /* write 0xc0001fff */
	bm[2048] = 0x01;                        /* write 0x0 */
	bm[1023] = 0x80;                        /* read 0x1fff */

	assert_true(msr_bitmap_intercepts(bm, 0xc0000080, RD));
	assert_false(msr_bitmap_intercepts(bm, 0xc0000080, WR));
	assert_false(msr_bitmap_intercepts(bm, 0x80, RD));
	assert_true(msr_bitmap_intercepts(bm, 0xc0001fff, WR));
	assert_false(msr_bitmap_intercepts(bm, 0xc0001fff, RD));
	assert_false(msr_bitmap_intercepts(bm, 0x1fff, WR));
	assert_true(msr_bitmap_intercepts(bm, 0x0, WR));
	assert_false(msr_bitmap_intercepts(bm, 0x0, RD));
	assert_false(msr_bitmap_intercepts(bm, 0xc0000000, WR));
	assert_true(msr_bitmap_intercepts(bm, 0x1fff, RD));
	/* Every bit set: everything inside the ranges exits. */
	memset(bm, 0xff, sizeof(bm));
	assert_true(msr_bitmap_intercepts(bm, 0x10, RD));
	assert_true(msr_bitmap_intercepts(bm, 0xc0000101, WR));
}

/* For every MSR in both ranges and both directions the bitmap agrees with
 * the policy, and with the raw SDM bit position. */
static void test_bitmap_matches_policy_everywhere(void **state)
{
	static const uint32_t start[2] = { 0x0, 0xc0000000u };
	struct guarded_bitmap g;

	(void)state;
	build_guarded(&g, 0x5a);
	for (unsigned r = 0; r < 2; r++) {
		for (uint32_t i = 0; i <= 0x1fff; i++) {
			uint32_t msr = start[r] + i;

			for (int w = 0; w < 2; w++) {
				bool want = msr_policy(msr, w) != MSR_PASS;

				if (msr_bitmap_intercepts(g.bm, msr, w) != want ||
				    raw_bit(g.bm, msr, w) != want)
					fail_msg("MSR %#x %s: bitmap %d, policy %d",
						 msr, w ? "write" : "read",
						 msr_bitmap_intercepts(g.bm, msr, w),
						 msr_policy(msr, w));
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_policy_feature_control),
		T(test_policy_bios_updt_trig),
		T(test_policy_smm_monitor_ctl),
		T(test_policy_vmx_range),
		T(test_policy_memory_reaching_msrs),
		T(test_policy_ordinary_passthrough),
		T(test_policy_range_boundaries),
		T(test_bitmap_absolute_positions),
		T(test_bitmap_exact_set_bits),
		T(test_bitmap_intercepted_and_clear_samples),
		T(test_intercepts_reads_sdm_layout),
		T(test_bitmap_matches_policy_everywhere),
#undef T
	};

	return cmocka_run_group_tests_name("msr_policy", tests, NULL, NULL);
}
