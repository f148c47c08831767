/* Unit tests for vmx/apic_icr.c: which ICR writes (SDM Vol. 3A 11.6.1,
 * 11.12.9) are refused. INIT (101b) and Start-Up (110b) are refused with
 * every destination shorthand but "self" (01b); every other delivery mode
 * goes through; no other ICR field changes the verdict. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/apic_icr.h"

/* ICR fields (SDM Vol. 3A 11.6.1, Figure 11-12). */
#define VECTOR(v) ((uint64_t)(v) & 0xff)
#define DM(m) ((uint64_t)(m) << 8)
#define DEST_LOGICAL (1ULL << 11)
#define DELIVERY_PENDING (1ULL << 12)
#define LEVEL_ASSERT (1ULL << 14)
#define TRIGGER_LEVEL (1ULL << 15)
#define SH(s) ((uint64_t)(s) << 18)
#define XAPIC_DEST(d) ((uint64_t)(d) << 56) /* ICR_HIGH bits 31:24 */
#define X2APIC_DEST(d) ((uint64_t)(d) << 32)

enum { SH_NONE, SH_SELF, SH_ALL_INCL_SELF, SH_ALL_EXCL_SELF };
enum { DM_FIXED, DM_LOWEST, DM_SMI, DM_RSVD3, DM_NMI, DM_INIT, DM_STARTUP,
       DM_RSVD7 };

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			fail_msg(__VA_ARGS__);                                \
	} while (0)

static bool want_refused(unsigned dm, unsigned sh)
{
	return (dm == DM_INIT || dm == DM_STARTUP) && sh != SH_SELF;
}

/* Fields other than the delivery mode and the shorthand, and the high
 * half, in many combinations. */
static const uint64_t others[] = {
	0,
	VECTOR(0x9a),
	VECTOR(0xff) | DEST_LOGICAL,
	LEVEL_ASSERT,
	LEVEL_ASSERT | TRIGGER_LEVEL,        /* INIT level assert */
	TRIGGER_LEVEL,                       /* INIT level de-assert */
	DELIVERY_PENDING,
	1ULL << 13 | 1ULL << 16 | 1ULL << 17 | 0xfff00000ULL, /* reserved */
	XAPIC_DEST(0xff),
	XAPIC_DEST(0x01) | VECTOR(0x08),
	X2APIC_DEST(0xffffffffULL),
	X2APIC_DEST(0x00000001ULL) | DEST_LOGICAL,
	X2APIC_DEST(0x80000000ULL) | VECTOR(0x10) | LEVEL_ASSERT,
	0xffffffff00000000ULL,
};

static void test_every_mode_and_shorthand(void **state)
{
	unsigned refused = 0;

	(void)state;
	for (unsigned dm = 0; dm < 8; dm++)
		for (unsigned sh = 0; sh < 4; sh++)
			for (unsigned i = 0; i < ARRAY_SIZE(others); i++) {
				uint64_t icr = others[i] | DM(dm) | SH(sh);
				bool got = apic_icr_refused(icr);

				CHECK(got == want_refused(dm, sh),
				      "ICR %#llx (mode %u, shorthand %u): refused %d",
				      (unsigned long long)icr, dm, sh, got);
				refused += got;
			}
	/* 2 modes x 3 shorthands, each with every other-field variant. */
	assert_int_equal(refused, 2 * 3 * ARRAY_SIZE(others));
}

/* The usual sequences a guest's SMP bring-up sends (SDM Vol. 3A 9.4.4.1,
 * MP initialization example): all refused. */
static void test_bringup_sequences(void **state)
{
	(void)state;
	/* xAPIC low dword: INIT assert to all excluding self, then SIPI. */
	assert_true(apic_icr_refused(0x000c4500));
	assert_true(apic_icr_refused(0x000c4600 | 0x9a));
	/* x2APIC, to APIC ID 1, no shorthand. */
	assert_true(apic_icr_refused(X2APIC_DEST(1) | 0x4500));
	assert_true(apic_icr_refused(X2APIC_DEST(1) | 0x4608));
	/* INIT level de-assert (level 0, trigger level) to all incl. self. */
	assert_true(apic_icr_refused(SH(SH_ALL_INCL_SELF) | TRIGGER_LEVEL |
				     DM(DM_INIT)));
	/* Start-Up to self is not refused: a CPU does nothing with it. */
	assert_false(apic_icr_refused(SH(SH_SELF) | DM(DM_STARTUP) | 0x9a));
	assert_false(apic_icr_refused(SH(SH_SELF) | DM(DM_INIT)));
	/* Everyday IPIs go through. */
	assert_false(apic_icr_refused(0x000c00fd));          /* fixed, all-but-self */
	assert_false(apic_icr_refused(X2APIC_DEST(3) | 0xec)); /* fixed */
	assert_false(apic_icr_refused(0x00080400));          /* NMI to all */
	assert_false(apic_icr_refused(0x000c0200));          /* SMI */
	assert_false(apic_icr_refused(0x00040100 | 0x30));   /* lowest to self */
	assert_false(apic_icr_refused(0));
}

/* Only bits 10:8 and 19:18 decide: flipping any other single bit of an
 * INIT / Start-Up / fixed ICR keeps the verdict. */
static void test_other_bits_dont_matter(void **state)
{
	static const uint64_t base[] = {
		DM(DM_INIT) | SH(SH_NONE),
		DM(DM_STARTUP) | SH(SH_ALL_EXCL_SELF) | 0x9a,
		DM(DM_INIT) | SH(SH_SELF),
		DM(DM_FIXED) | SH(SH_ALL_INCL_SELF) | 0x40,
		DM(DM_NMI) | SH(SH_NONE),
	};
	const uint64_t decisive = (7ULL << 8) | (3ULL << 18);

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(base); i++) {
		bool verdict = apic_icr_refused(base[i]);

		assert_int_equal(verdict, i < 2);
		for (unsigned b = 0; b < 64; b++) {
			if (decisive & (1ULL << b))
				continue;
			CHECK(apic_icr_refused(base[i] ^ (1ULL << b)) == verdict,
			      "base %u bit %u", i, b);
		}
	}
}

static void test_macros(void **state)
{
	(void)state;
	assert_int_equal(ICR_DELIVERY_MODE(0x00000500ULL), ICR_DM_INIT);
	assert_int_equal(ICR_DELIVERY_MODE(0x00000600ULL), ICR_DM_STARTUP);
	assert_int_equal(ICR_DELIVERY_MODE(0xfffffffffffff8ffULL), 0);
	assert_int_equal(ICR_DELIVERY_MODE(~0ULL), 7);
	assert_int_equal(ICR_SHORTHAND(0x00040000ULL), ICR_SH_SELF);
	assert_int_equal(ICR_SHORTHAND(0xfffffffffff3ffffULL), 0);
	assert_int_equal(ICR_SHORTHAND(~0ULL), 3);
}

/* SDM Vol. 3A 11.6.1, delivery mode bits 10:8. */
static void test_mode_names(void **state)
{
	static const char *const want[8] = {
		"fixed", "lowest priority", "SMI", "reserved (011b)",
		"NMI", "INIT", "Start-Up", "reserved (111b)",
	};

	(void)state;
	for (unsigned dm = 0; dm < 8; dm++) {
		assert_string_equal(apic_icr_mode_name(DM(dm)), want[dm]);
		/* Only bits 10:8 pick the name. */
		assert_string_equal(apic_icr_mode_name(DM(dm) | ~(7ULL << 8)),
				    want[dm]);
		assert_string_equal(apic_icr_mode_name(DM(dm) | SH(1) |
						       X2APIC_DEST(5) | 0x9a),
				    want[dm]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_mode_and_shorthand),
		cmocka_unit_test(test_bringup_sequences),
		cmocka_unit_test(test_other_bits_dont_matter),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_mode_names),
	};

	return cmocka_run_group_tests_name("apic_icr", tests, NULL, NULL);
}
