/* Unit tests for vmx/msr_policy.c: the action for every special MSR and its
 * neighbours, the edges of the two MSR-bitmap ranges, the 4-KiB MSR bitmap
 * built from the policy (layout: SDM Vol. 3C, 24.6.9), and how the
 * operator's MSR filter (vmx/msr_filter.h) combines with Nestor's policy,
 * also with nested VMX shown (msr_policy_vmx()). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/msr_filter.h"
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

static void build_guarded_filtered(struct guarded_bitmap *g, uint8_t fill,
				   const struct msr_filter *f)
{
	memset(g, fill, sizeof(*g));
	msr_bitmap_build(f, g->bm);
	for (unsigned i = 0; i < sizeof(g->before); i++) {
		assert_int_equal(g->before[i], fill);
		assert_int_equal(g->after[i], fill);
	}
}

static void build_guarded(struct guarded_bitmap *g, uint8_t fill)
{
	build_guarded_filtered(g, fill, NULL);
}

/* The bit for (msr, write) per SDM 24.6.9, computed independently. */
static bool raw_bit(const uint8_t *bm, uint32_t msr, bool write)
{
	unsigned base = msr >= 0xc0000000u ? 1024 : 0;

	if (write)
		base += 2048;
	return bm[base + (msr & 0x1fff) / 8] >> (msr & 7) & 1;
}

/* ---- msr_policy() without a filter ------------------------------------ */

static void test_policy_feature_control(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_FEATURE_CONTROL, 0x3a);
	assert_int_equal(msr_policy(NULL, 0x3a, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(NULL, 0x3a, WR), MSR_GP);
	assert_int_equal(msr_policy(NULL, 0x39, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x39, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x3b, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x3b, WR), MSR_PASS);
}

static void test_policy_bios_updt_trig(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_BIOS_UPDT_TRIG, 0x79);
	assert_int_equal(msr_policy(NULL, 0x79, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x79, WR), MSR_IGNORE);
	assert_int_equal(msr_policy(NULL, 0x78, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x7a, WR), MSR_PASS);
}

static void test_policy_smm_monitor_ctl(void **state)
{
	(void)state;
	assert_int_equal(MSR_IA32_SMM_MONITOR_CTL, 0x9b);
	assert_int_equal(msr_policy(NULL, 0x9b, RD), MSR_GP);
	assert_int_equal(msr_policy(NULL, 0x9b, WR), MSR_GP);
	assert_int_equal(msr_policy(NULL, 0x9a, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x9c, WR), MSR_PASS);
}

static void test_policy_vmx_range(void **state)
{
	(void)state;
	assert_int_equal(MSR_VMX_FIRST, 0x480);
	assert_int_equal(MSR_VMX_LAST, 0x493);
	for (uint32_t msr = 0x480; msr <= 0x493; msr++) {
		assert_int_equal(msr_policy(NULL, msr, RD), MSR_GP);
		assert_int_equal(msr_policy(NULL, msr, WR), MSR_GP);
	}
	assert_int_equal(msr_policy(NULL, 0x47f, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x47f, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x494, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x494, WR), MSR_PASS);
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
		assert_int_equal(msr_policy(NULL, gp[i], RD), MSR_GP);
		assert_int_equal(msr_policy(NULL, gp[i], WR), MSR_GP);
	}
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		assert_int_equal(msr_policy(NULL, pass[i], RD), MSR_PASS);
		assert_int_equal(msr_policy(NULL, pass[i], WR), MSR_PASS);
	}
	assert_int_equal(msr_policy(NULL, 0x1b, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x1b, WR), MSR_EMULATE);
	assert_int_equal(msr_policy(NULL, 0x1a0, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(NULL, 0x1a0, WR), MSR_IGNORE);
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
		assert_int_equal(msr_policy(NULL, pass[i], RD), MSR_PASS);
		assert_int_equal(msr_policy(NULL, pass[i], WR), MSR_PASS);
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
	assert_int_equal(msr_policy(NULL, 0x1fff, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc0000000, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc0000000, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc0001fff, WR), MSR_PASS);
	for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		assert_int_equal(msr_policy(NULL, outside[i], RD), MSR_GP);
		assert_int_equal(msr_policy(NULL, outside[i], WR), MSR_GP);
	}
	/* The special MSR numbers shifted into the high range are not
	 * special there (msr & 0x1fff must not alias). */
	assert_int_equal(msr_policy(NULL, 0xc000003a, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc0000480, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc000009b, RD), MSR_PASS);
	/* Nor just above the low range (0x2000 + 0x3a is simply outside). */
	assert_int_equal(msr_policy(NULL, 0x203a, RD), MSR_GP);
	assert_int_equal(msr_policy(NULL, 0x203a, WR), MSR_GP);
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
	 * 0x570-2, 0x580-0x58b), DS_AREA, PEBS_ENABLE, and 45 MTRR MSRs
	 * (0xfe, 0x200-0x21f, 11 fixed, 0x2ff). Writes: also 0x79, 0x1b,
	 * the x2APIC ICR 0x830 and IA32_XSS 0xda0. */
	assert_int_equal(rd, 1 + 1 + 20 + 1 + 17 + 2 + 45);
	assert_int_equal(wr, 1 + 1 + 1 + 20 + 1 + 17 + 2 + 1 + 1 + 1 + 45);
	assert_true(msr_bitmap_intercepts(g.bm, 0xda0, true));
	assert_false(msr_bitmap_intercepts(g.bm, 0xda0, false));
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

/* For every MSR in both ranges and both directions the bitmap built with
 * filter f agrees with the policy, and with the raw SDM bit position. */
static void assert_bitmap_matches_policy(const struct msr_filter *f)
{
	static const uint32_t start[2] = { 0x0, 0xc0000000u };
	struct guarded_bitmap g;

	build_guarded_filtered(&g, 0x5a, f);
	for (unsigned r = 0; r < 2; r++) {
		for (uint32_t i = 0; i <= 0x1fff; i++) {
			uint32_t msr = start[r] + i;

			for (int w = 0; w < 2; w++) {
				bool want = msr_policy(f, msr, w) != MSR_PASS;

				if (msr_bitmap_intercepts(g.bm, msr, w) != want ||
				    raw_bit(g.bm, msr, w) != want)
					fail_msg("MSR %#x %s: bitmap %d, policy %d",
						 msr, w ? "write" : "read",
						 msr_bitmap_intercepts(g.bm, msr, w),
						 msr_policy(f, msr, w));
			}
		}
	}
}

static void test_bitmap_matches_policy_everywhere(void **state)
{
	(void)state;
	assert_bitmap_matches_policy(NULL);
}

/* ---- the x2APIC MSRs --------------------------------------------------- */

/* Writes to the x2APIC ICR are emulated (Nestor must see INIT/SIPI); reads
 * of it and every other x2APIC MSR pass. */
static void test_policy_x2apic_icr(void **state)
{
	struct guarded_bitmap g;

	(void)state;
	assert_int_equal(MSR_X2APIC_ICR, 0x830);
	assert_int_equal(msr_policy(NULL, 0x830, WR), MSR_EMULATE);
	assert_int_equal(msr_policy(NULL, 0x830, RD), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x82f, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x831, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x800, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x8ff, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x1830, WR), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0xc0000830, WR), MSR_PASS);
	build_guarded(&g, 0x33);
	/* 0x830 = 2096 = 262 * 8 + 0. */
	assert_int_equal(g.bm[262], 0);
	assert_int_equal(g.bm[2048 + 262], 0x01);
	assert_true(msr_bitmap_intercepts(g.bm, 0x830, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0x830, RD));
	assert_false(msr_bitmap_intercepts(g.bm, 0x831, WR));
}

/* ---- msr_policy() with a filter ---------------------------------------- */

static void parse_ok(const char *s, struct msr_filter *f)
{
	char err[160];

	if (msr_filter_parse(s, strlen(s), f, err, sizeof(err)))
		fail_msg("msr_filter_parse(\"%s\"): %s", s, err);
	assert_true(f->present);
}

/* msr_policy_vmx(): with nested VMX shown (nested=on) the VMX capability
 * MSRs 0x480-0x493 and IA32_SMM_MONITOR_CTL (0x9b) are read-only MSRs
 * Nestor answers: reads emulated, writes #GP (SDM Vol. 3D A.1; Vol. 4
 * Table 2-2). Hidden, they are #GP both ways. Nothing else changes. */
static void test_policy_vmx_shown(void **state)
{
	static const uint32_t vmx_msrs[] = { 0x480, 0x481, 0x48b, 0x48c,
					     0x491, 0x492, 0x493, 0x9b };

	(void)state;
	for (unsigned k = 0; k < sizeof(vmx_msrs) / sizeof(vmx_msrs[0]); k++) {
		uint32_t m = vmx_msrs[k];

		assert_int_equal(msr_policy_vmx(NULL, m, RD, true), MSR_EMULATE);
		assert_int_equal(msr_policy_vmx(NULL, m, WR, true), MSR_GP);
		assert_int_equal(msr_policy_vmx(NULL, m, RD, false), MSR_GP);
		assert_int_equal(msr_policy_vmx(NULL, m, WR, false), MSR_GP);
	}
	for (uint32_t m = 0x480; m <= 0x493; m++) {
		assert_int_equal(msr_policy_vmx(NULL, m, RD, true), MSR_EMULATE);
		assert_int_equal(msr_policy_vmx(NULL, m, WR, true), MSR_GP);
	}
	/* msr_policy() is the hidden view. */
	for (uint32_t m = 0; m <= 0x1fff; m++)
		for (int w = 0; w < 2; w++)
			assert_int_equal(msr_policy(NULL, m, w),
					 msr_policy_vmx(NULL, m, w, false));
	/* Every other MSR, both ranges and a sample outside: the same
	 * with and without. */
	for (uint32_t m = 0; m <= 0x1fff; m++) {
		if ((m >= 0x480 && m <= 0x493) || m == 0x9b)
			continue;
		for (int w = 0; w < 2; w++)
			assert_int_equal(msr_policy_vmx(NULL, m, w, true),
					 msr_policy_vmx(NULL, m, w, false));
	}
	for (uint32_t m = 0xc0000000u; m <= 0xc0001fffu; m++)
		assert_int_equal(msr_policy_vmx(NULL, m, RD, true),
				 msr_policy_vmx(NULL, m, RD, false));
	assert_int_equal(msr_policy_vmx(NULL, 0x3a, RD, true), MSR_EMULATE);
	assert_int_equal(msr_policy_vmx(NULL, 0x3a, WR, true), MSR_GP);
	assert_int_equal(msr_policy_vmx(NULL, 0x47f, RD, true), MSR_PASS);
	assert_int_equal(msr_policy_vmx(NULL, 0x494, RD, true), MSR_PASS);
	assert_int_equal(msr_policy_vmx(NULL, 0x9a, RD, true), MSR_PASS);
	assert_int_equal(msr_policy_vmx(NULL, 0x9c, RD, true), MSR_PASS);
	assert_int_equal(msr_policy_vmx(NULL, 0x40000000, RD, true), MSR_GP);
	/* The x2APIC ICR write is still Nestor's. */
	assert_int_equal(msr_policy_vmx(NULL, 0x830, WR, true), MSR_EMULATE);
}

/* The operator's filter still comes first: a denied VMX MSR is MSR_DENY
 * whether or not VMX is shown; an allowed one gets Nestor's action. */
static void test_policy_vmx_shown_filter_first(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:r:0x480,deny:rw:0x9b", &f);
	for (int shown = 0; shown < 2; shown++) {
		assert_int_equal(msr_policy_vmx(&f, 0x480, RD, shown),
				 MSR_DENY);
		assert_int_equal(msr_policy_vmx(&f, 0x9b, RD, shown),
				 MSR_DENY);
		assert_int_equal(msr_policy_vmx(&f, 0x9b, WR, shown),
				 MSR_DENY);
	}
	assert_int_equal(msr_policy_vmx(&f, 0x480, WR, true), MSR_GP);
	assert_int_equal(msr_policy_vmx(&f, 0x481, RD, true), MSR_EMULATE);
	assert_int_equal(msr_policy_vmx(&f, 0x481, RD, false), MSR_GP);
	parse_ok("deny,allow:rw:0x0-0x47f", &f);
	assert_int_equal(msr_policy_vmx(&f, 0x48b, RD, true), MSR_DENY);
	assert_int_equal(msr_policy_vmx(&f, 0x3a, RD, true), MSR_EMULATE);
}

/* The MSR bitmap is built without the nested view and needs none: every
 * access to these MSRs exits either way (24.6.9). */
static void test_bitmap_vmx_msrs_exit_either_way(void **state)
{
	static struct guarded_bitmap g;

	(void)state;
	build_guarded(&g, 0x5a);
	for (uint32_t m = 0x480; m <= 0x493; m++) {
		for (int w = 0; w < 2; w++) {
			assert_true(msr_bitmap_intercepts(g.bm, m, w));
			assert_true(raw_bit(g.bm, m, w));
			assert_int_not_equal(msr_policy_vmx(NULL, m, w, true),
					     MSR_PASS);
			assert_int_not_equal(msr_policy_vmx(NULL, m, w, false),
					     MSR_PASS);
		}
	}
	assert_true(raw_bit(g.bm, 0x9b, RD));
	assert_true(raw_bit(g.bm, 0x9b, WR));
	assert_false(raw_bit(g.bm, 0x47f, RD));
	assert_false(raw_bit(g.bm, 0x494, WR));
}

/* A denied access that Nestor would pass through becomes MSR_DENY; the
 * other kind of access to the same MSR and its neighbours still pass. */
static void test_filter_deny_overrides_pass(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:w:0x10", &f);
	assert_int_equal(msr_policy(&f, 0x10, WR), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x10, RD), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0xf, WR), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0x11, WR), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0xc0000080, WR), MSR_PASS);

	/* Default deny: only the allowed low range passes; the high range,
	 * and MSRs outside both bitmap ranges, are denied (not plain #GP). */
	parse_ok("deny,allow:rw:0x0-0x1fff", &f);
	assert_int_equal(msr_policy(&f, 0x10, RD), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0x1fff, WR), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0xc0000080, RD), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0xc0000100, WR), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x2000, RD), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x40000000, WR), MSR_DENY);
	/* Nestor's own actions inside the allowed range are unchanged. */
	assert_int_equal(msr_policy(&f, 0x3a, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(&f, 0x480, RD), MSR_GP);
	assert_int_equal(msr_policy(&f, 0x79, WR), MSR_IGNORE);

	/* A denied sensitive MSR is denied (still intercepted). */
	parse_ok("allow,deny:rw:0x3a,deny:r:0x1a0", &f);
	assert_int_equal(msr_policy(&f, 0x3a, RD), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x3a, WR), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x1a0, RD), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x1a0, WR), MSR_IGNORE);
}

/* Allowing everything leaves Nestor's policy exactly as it is: the filter
 * can tighten it, never loosen it. */
static void test_filter_cannot_unintercept(void **state)
{
	static const char *const all_allowed[] = {
		"allow",
		"allow,allow:rw:0x0-0xffffffff",
		"deny,allow:rw:0x0-0xffffffff",
		"deny,allow:r:0x0-0xffffffff,allow:w:0x0-0xffffffff",
		"deny,allow:rw:0x0-0x1fff,allow:rw:0xc0000000+0x2000,"
		"allow:rw:0x2000-0xbfffffff,allow:rw:0xc0002000-0xffffffff",
	};
	static const uint32_t probe[] = {
		0x0, 0x10, 0x1b, 0x3a, 0x79, 0x9b, 0x1a0, 0x3f1, 0x480, 0x493,
		0x560, 0x572, 0x58b, 0x600, 0x830, 0x1fff, 0x2000, 0xc0000080,
		0xc0001fff, 0xc0002000, 0xffffffff,
	};
	struct msr_filter f;

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(all_allowed); k++) {
		parse_ok(all_allowed[k], &f);
		for (unsigned i = 0; i < ARRAY_SIZE(probe); i++) {
			for (int w = 0; w < 2; w++) {
				if (msr_policy(&f, probe[i], w) !=
				    msr_policy(NULL, probe[i], w))
					fail_msg("filter \"%s\" changed MSR %#x %s",
						 all_allowed[k], probe[i],
						 w ? "write" : "read");
			}
		}
		assert_int_equal(msr_policy(&f, 0x3a, RD), MSR_EMULATE);
		assert_int_equal(msr_policy(&f, 0x3a, WR), MSR_GP);
		assert_int_equal(msr_policy(&f, 0x1b, WR), MSR_EMULATE);
		assert_int_equal(msr_policy(&f, 0x600, RD), MSR_GP);
		assert_int_equal(msr_policy(&f, 0x2000, RD), MSR_GP);
	}
	/* And the bitmap too, for the one with four ranges. */
	assert_bitmap_matches_policy(&f);
}

/* The x2APIC MSRs are never filtered, even by a filter that denies
 * everything else or names them explicitly. */
static void test_filter_x2apic_unchanged(void **state)
{
	static const char *const hostile[] = {
		"deny,allow:r:0x10",
		"deny,deny:rw:0x800-0x8ff",
		"allow,deny:rw:0x0-0xffffffff",
		"deny,deny:w:0x830",
	};
	struct msr_filter f;

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(hostile); k++) {
		parse_ok(hostile[k], &f);
		for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
			for (int w = 0; w < 2; w++) {
				if (msr_policy(&f, msr, w) !=
				    msr_policy(NULL, msr, w))
					fail_msg("filter \"%s\" changed x2APIC MSR %#x %s",
						 hostile[k], msr,
						 w ? "write" : "read");
			}
		}
		assert_int_equal(msr_policy(&f, 0x830, WR), MSR_EMULATE);
		assert_int_equal(msr_policy(&f, 0x830, RD), MSR_PASS);
		assert_int_equal(msr_policy(&f, 0x800, RD), MSR_PASS);
		assert_int_equal(msr_policy(&f, 0x8ff, WR), MSR_PASS);
	}
	/* Just outside the x2APIC range the filter applies again. */
	parse_ok("deny,allow:r:0x10", &f);
	assert_int_equal(msr_policy(&f, 0x7ff, RD), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x900, WR), MSR_DENY);
	assert_int_equal(msr_policy(&f, 0x10, RD), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0x10, WR), MSR_DENY);
}

/* A refused filter (present false) filters nothing. */
static void test_filter_not_present(void **state)
{
	struct msr_filter f;
	char err[160];

	(void)state;
	assert_int_equal(msr_filter_parse("deny", 4, &f, err, sizeof(err)), -1);
	assert_false(f.present);
	assert_int_equal(msr_policy(&f, 0x10, WR), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0xc0000080, RD), MSR_PASS);
	assert_int_equal(msr_policy(&f, 0x3a, RD), MSR_EMULATE);
	assert_int_equal(msr_policy(&f, 0x2000, RD), MSR_GP);
}

/* Read-only and write-only denied ranges in the low and the high halves
 * set exactly their own bits (24.6.9 layout), on top of Nestor's. */
static void test_bitmap_filter_halves(void **state)
{
	struct guarded_bitmap g, base;
	struct msr_filter f;
	unsigned rd = 0, wr = 0, rd0 = 0, wr0 = 0;

	(void)state;
	parse_ok("allow,deny:r:0x100-0x10f,deny:w:0x300+8,"
		 "deny:r:0xc0000100,deny:w:0xc0000200-0xc0000207", &f);
	build_guarded_filtered(&g, 0xc3, &f);
	build_guarded(&base, 0x3c);
	/* Low read: 0x100-0x10f are bytes 0x20 and 0x21. */
	assert_int_equal(g.bm[0x20], 0xff);
	assert_int_equal(g.bm[0x21], 0xff);
	assert_int_equal(g.bm[0x1f], base.bm[0x1f]); /* 0xfe: IA32_MTRRCAP */
	assert_int_equal(g.bm[0x22], 0);
	assert_int_equal(g.bm[2048 + 0x20], 0);
	assert_int_equal(g.bm[2048 + 0x21], 0);
	/* Low write: 0x300-0x307 is byte 0x60 of the write-low bitmap. */
	assert_int_equal(g.bm[2048 + 0x60], 0xff);
	assert_int_equal(g.bm[2048 + 0x61], 0);
	assert_int_equal(g.bm[0x60], 0);
	/* High read: 0xc0000100 is bit 0 of byte 1024 + 0x20. */
	assert_int_equal(g.bm[1024 + 0x20], 0x01);
	assert_int_equal(g.bm[3072 + 0x20], 0);
	/* High write: 0xc0000200-0xc0000207 is byte 3072 + 0x40. */
	assert_int_equal(g.bm[3072 + 0x40], 0xff);
	assert_int_equal(g.bm[1024 + 0x40], 0);
	assert_true(msr_bitmap_intercepts(g.bm, 0xc0000100, RD));
	assert_false(msr_bitmap_intercepts(g.bm, 0xc0000100, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0xc0000101, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0xc0000207, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0xc0000208, WR));
	/* Exactly 16 + 1 more read bits and 8 + 8 more write bits. */
	for (unsigned i = 0; i < 2048; i++) {
		rd += (unsigned)__builtin_popcount(g.bm[i]);
		rd0 += (unsigned)__builtin_popcount(base.bm[i]);
		wr += (unsigned)__builtin_popcount(g.bm[2048 + i]);
		wr0 += (unsigned)__builtin_popcount(base.bm[2048 + i]);
	}
	assert_int_equal(rd, rd0 + 16 + 1);
	assert_int_equal(wr, wr0 + 8 + 8);
	assert_bitmap_matches_policy(&f);
}

/* A default-deny filter with holes: the bitmap intercepts everything but
 * the holes and the x2APIC MSRs (0x830 writes excepted). */
static void test_bitmap_filter_default_deny(void **state)
{
	struct guarded_bitmap g;
	struct msr_filter f;

	(void)state;
	parse_ok("deny,allow:rw:0x10,allow:r:0xc0000080", &f);
	build_guarded_filtered(&g, 0, &f);
	assert_false(msr_bitmap_intercepts(g.bm, 0x10, RD));
	assert_false(msr_bitmap_intercepts(g.bm, 0x10, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0xc0000080, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0xc0000080, WR));
	assert_true(msr_bitmap_intercepts(g.bm, 0x0, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0x7ff, WR));
	assert_false(msr_bitmap_intercepts(g.bm, 0x800, RD));
	assert_false(msr_bitmap_intercepts(g.bm, 0x8ff, WR));
	assert_true(msr_bitmap_intercepts(g.bm, 0x830, WR));
	assert_true(msr_bitmap_intercepts(g.bm, 0x900, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0x1fff, RD));
	assert_true(msr_bitmap_intercepts(g.bm, 0xc0001fff, WR));
	/* x2APIC bytes 0x100-0x11f of each low bitmap: only 0x830 write. */
	for (unsigned i = 0x100; i < 0x120; i++) {
		assert_int_equal(g.bm[i], 0);
		assert_int_equal(g.bm[2048 + i], i == 0x106 ? 0x01 : 0);
	}
	assert_int_equal(g.bm[0xff], 0xff);
	assert_int_equal(g.bm[0x120], 0xff);
	assert_bitmap_matches_policy(&f);
}

/* MSRs outside both bitmap ranges always exit: #GP when allowed (Nestor
 * knows none of them), MSR_DENY when the filter denies them. */
static void test_filter_outside_bitmap_ranges(void **state)
{
	static const uint32_t outside[] = {
		0x2000, 0x40000000, 0x4b564d00, 0xbfffffff, 0xc0002000,
		0xc0010000, 0xffffffff,
	};
	struct msr_filter allow_all, deny_all;
	struct guarded_bitmap g;

	(void)state;
	parse_ok("allow,allow:rw:0x2000-0xbfffffff,allow:rw:0xc0002000-0xffffffff",
		 &allow_all);
	parse_ok("deny,allow:rw:0x0-0x1fff", &deny_all);
	build_guarded_filtered(&g, 0, &allow_all);
	for (unsigned i = 0; i < ARRAY_SIZE(outside); i++) {
		for (int w = 0; w < 2; w++) {
			assert_int_equal(msr_policy(NULL, outside[i], w), MSR_GP);
			assert_int_equal(msr_policy(&allow_all, outside[i], w),
					 MSR_GP);
			assert_int_equal(msr_policy(&deny_all, outside[i], w),
					 MSR_DENY);
			assert_true(msr_bitmap_intercepts(g.bm, outside[i], w));
		}
	}
}

/* The MTRRs are Nestor's to emulate (vmx/mtrr.h): both directions exit,
 * IA32_MTRRCAP writes #GP, and the filter still decides first. */
static void test_mtrr_emulated(void **state)
{
	static const uint32_t mtrrs[] = { 0x200, 0x201, 0x21f, 0x250, 0x258,
					  0x259, 0x268, 0x26f, 0x2ff };

	(void)state;
	for (unsigned i = 0; i < sizeof(mtrrs) / sizeof(mtrrs[0]); i++) {
		assert_int_equal(msr_policy(NULL, mtrrs[i], false), MSR_EMULATE);
		assert_int_equal(msr_policy(NULL, mtrrs[i], true), MSR_EMULATE);
	}
	assert_int_equal(msr_policy(NULL, 0xfe, false), MSR_EMULATE);
	assert_int_equal(msr_policy(NULL, 0xfe, true), MSR_GP);
	assert_int_equal(msr_policy(NULL, 0x220, true), MSR_PASS);
	assert_int_equal(msr_policy(NULL, 0x1ff, true), MSR_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_mtrr_emulated),
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
		T(test_policy_x2apic_icr),
		T(test_filter_deny_overrides_pass),
		T(test_filter_cannot_unintercept),
		T(test_filter_x2apic_unchanged),
		T(test_filter_not_present),
		T(test_bitmap_filter_halves),
		T(test_bitmap_filter_default_deny),
		T(test_filter_outside_bitmap_ranges),
		T(test_policy_vmx_shown),
		T(test_policy_vmx_shown_filter_first),
		T(test_bitmap_vmx_msrs_exit_either_way),
#undef T
	};

	return cmocka_run_group_tests_name("msr_policy", tests, NULL, NULL);
}
