/* Unit tests for vmx/apic_icr.c: which ICR writes (SDM Vol. 3A 11.6.1,
 * 11.12.9, 11.12.10) reach the local APIC. Only IPIs that target this CPU
 * alone go through: shorthand "self", "all including self" sent to this CPU alone, a physical destination equal to this CPU's ID, or a logical one
 * that names only this CPU's logical bits. INIT and Start-Up never, except
 * with "self". Compared against an independent statement of the rules for
 * every delivery mode, shorthand and destination kind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/apic_icr.h"

#define DM(m) ((uint32_t)(m) << 8)
#define LOGICAL (1u << 11)
#define LEVEL_ASSERT (1u << 14)
#define TRIGGER_LEVEL (1u << 15)
#define SH(s) ((uint32_t)(s) << 18)

enum { DM_FIXED, DM_LOWEST, DM_SMI, DM_RSVD3, DM_NMI, DM_INIT, DM_STARTUP,
       DM_RSVD7 };

static const struct apic_self xself = { false, 2, 0x04, false };      /* ID 2, LDR bit 2 */
static const struct apic_self x2self = { true, 5, 0x00010020, false }; /* cluster 1 */

/* The rules, stated per case (the test's own model). */
static enum icr_verdict model(unsigned dm, unsigned sh, bool logical,
			      uint32_t dest, const struct apic_self *s)
{
	bool init_sipi = dm == DM_INIT || dm == DM_STARTUP;

	if (sh == 1)
		return ICR_SEND;
	if (sh == 3)
		return ICR_REFUSE;
	if (sh == 2)
		return init_sipi ? ICR_REFUSE : ICR_SEND_TO_SELF;
	if (init_sipi)
		return ICR_REFUSE;
	if (!logical)
		return dest == s->id ? ICR_SEND : ICR_REFUSE;
	if (!s->x2apic) {
		uint8_t d = dest & 0xff;

		return d && (d | s->ldr) == s->ldr ? ICR_SEND : ICR_REFUSE;
	}
	if ((dest >> 16) != (s->ldr >> 16) || !(dest & 0xffff))
		return ICR_REFUSE;
	return ((dest & 0xffff) | (s->ldr & 0xffff)) == (s->ldr & 0xffff)
		       ? ICR_SEND : ICR_REFUSE;
}

static const uint32_t dests[] = {
	0, 1, 2, 3, 4, 5, 6, 0x20, 0xff, 0x04, 0x05, 0x24,
	0x00010020, 0x00010000, 0x00010021, 0x00010030, 0x00020020,
	0x00030020, 0xffffffff, 0x00000020,
};

static void test_against_model(void **state)
{
	const struct apic_self *selves[] = { &xself, &x2self };

	(void)state;
	for (unsigned s = 0; s < 2; s++)
		for (unsigned dm = 0; dm < 8; dm++)
			for (unsigned sh = 0; sh < 4; sh++)
				for (unsigned lg = 0; lg < 2; lg++)
					for (unsigned d = 0; d < ARRAY_SIZE(dests); d++) {
						uint32_t icr = DM(dm) | SH(sh) |
							       (lg ? LOGICAL : 0) | 0x9a;
						enum icr_verdict want =
							model(dm, sh, lg, dests[d], selves[s]);

						if (apic_icr_verdict(icr, dests[d], selves[s]) != want)
							fail_msg("self %u dm %u sh %u logical %u dest %#x: got %d want %d",
								 s, dm, sh, lg, dests[d],
								 apic_icr_verdict(icr, dests[d], selves[s]),
								 want);
					}
}

/* What Linux sends to bring up CPU 1 (INIT assert/de-assert, two SIPIs),
 * and what a one-CPU guest sends to itself. */
static void test_real_sequences(void **state)
{
	(void)state;
	assert_int_equal(apic_icr_verdict(0xc500, 1, &xself), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(0x8500, 1, &xself), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(0x0699, 1, &xself), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(0x4500, 2, &xself), ICR_REFUSE); /* INIT to self ID */
	assert_int_equal(apic_icr_verdict(0x0400, 2, &xself), ICR_SEND);   /* NMI to self */
	assert_int_equal(apic_icr_verdict(0x0400, 1, &xself), ICR_REFUSE); /* NMI to CPU 1 */
	assert_int_equal(apic_icr_verdict(0x000c00fd, 0, &xself), ICR_REFUSE); /* all but self */
	assert_int_equal(apic_icr_verdict(0x000800ec, 0, &xself), ICR_SEND_TO_SELF);
	assert_int_equal(apic_icr_verdict(0x000400f6, 9, &x2self), ICR_SEND);
	assert_int_equal(apic_icr_verdict(0x00ec, 5, &x2self), ICR_SEND);
	assert_int_equal(apic_icr_verdict(0x00ec, 0xff, &xself), ICR_REFUSE); /* broadcast */
	assert_int_equal(apic_icr_verdict(0x00ec | LOGICAL, 0x04, &xself), ICR_SEND);
	assert_int_equal(apic_icr_verdict(0x00ec | LOGICAL, 0xff, &xself), ICR_REFUSE);
}

/* xAPIC cluster model (11.6.2.2): LDR 0x31 is cluster 3, member bit 0.
 * A destination in another cluster with the same member bit is another
 * CPU, however its bits compare. */
static void test_cluster_model(void **state)
{
	static const struct apic_self cl = { false, 2, 0x31, true };

	(void)state;
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x31, &cl), ICR_SEND);
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x11, &cl), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x21, &cl), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x33, &cl), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x30, &cl), ICR_REFUSE);
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0xf1, &cl), ICR_REFUSE);
	/* The same destinations in the flat model compare bit masks. */
	assert_int_equal(apic_icr_verdict(LOGICAL | 0xec, 0x11,
					  &(struct apic_self){ false, 2, 0x31, false }),
			 ICR_SEND);
}

static void check_self_form(uint32_t icr, uint32_t dest,
			    const struct apic_self *s, uint32_t want_icr,
			    uint32_t want_dest)
{
	struct icr_write w = apic_icr_self_form(icr, dest, s);

	assert_int_equal(w.icr, want_icr);
	assert_int_equal(w.dest, want_dest);
	/* Whatever it is, the result is sent as is. */
	assert_int_equal(apic_icr_verdict(w.icr, w.dest, s), ICR_SEND);
}

/* "All including self" becomes an IPI to this CPU alone (11.6.1): Fixed
 * with the self shorthand, every other mode with this CPU's ID and no
 * shorthand (self is valid only with Fixed delivery). */
static void test_self_form(void **state)
{
	(void)state;
	check_self_form(0x000800ec, 0x77, &xself, 0x000400ec, 0x77);
	check_self_form(0x000c00ff | LEVEL_ASSERT | TRIGGER_LEVEL, 0, &xself,
			0x000400ff | LEVEL_ASSERT | TRIGGER_LEVEL, 0);
	/* NMI to all including self: physical, ID 2 / x2APIC ID 5. */
	check_self_form(SH(2) | DM(DM_NMI) | LEVEL_ASSERT, 0xff, &xself,
			DM(DM_NMI) | LEVEL_ASSERT, 2);
	check_self_form(SH(2) | DM(DM_NMI) | LOGICAL, 0xffffffff, &x2self,
			DM(DM_NMI), 5);
	check_self_form(SH(2) | DM(DM_LOWEST) | 0x31, 0, &xself,
			DM(DM_LOWEST) | 0x31, 2);
	check_self_form(SH(2) | DM(DM_SMI), 0, &x2self, DM(DM_SMI), 5);
	/* Every mode the verdict sends this way, against the rule. */
	for (unsigned dm = 0; dm < 8; dm++) {
		uint32_t icr = SH(2) | DM(dm) | 0x40;
		struct icr_write w;

		if (apic_icr_verdict(icr, 0, &xself) != ICR_SEND_TO_SELF)
			continue;
		w = apic_icr_self_form(icr, 0, &xself);
		if (dm == DM_FIXED)
			assert_int_equal(ICR_SHORTHAND(w.icr), ICR_SH_SELF);
		else
			assert_true(ICR_SHORTHAND(w.icr) == ICR_SH_NONE &&
				    !ICR_DEST_LOGICAL(w.icr) && w.dest == xself.id);
	}
}

/* apic_icr_route() is the verdict applied: refused, as written, or in the
 * self form. */
static void test_route(void **state)
{
	struct icr_write w;

	(void)state;
	w = (struct icr_write){ DM(DM_INIT) | LEVEL_ASSERT, 1 };
	assert_false(apic_icr_route(&w, &xself));
	w = (struct icr_write){ 0xec, 2 };
	assert_true(apic_icr_route(&w, &xself));
	assert_int_equal(w.icr, 0xec);
	assert_int_equal(w.dest, 2);
	w = (struct icr_write){ SH(2) | DM(DM_NMI), 0xff };
	assert_true(apic_icr_route(&w, &xself));
	assert_int_equal(w.icr, DM(DM_NMI));
	assert_int_equal(w.dest, 2);
}

static void test_x2apic_reserved(void **state)
{
	(void)state;
	/* Figure 11-28: vector, DM, dest mode, level, trigger, shorthand and
	 * the 32-bit destination are the only defined bits; bit 12 (the old
	 * delivery status) is ignored, not reserved. */
	assert_int_equal(X2APIC_ICR_RESERVED & 0xffffffff00000000ull, 0);
	assert_int_equal(X2APIC_ICR_RESERVED & (0xffu | 7u << 8 | 1u << 11 |
						1u << 14 | 1u << 15 | 3u << 18), 0);
	assert_int_equal(X2APIC_ICR_RESERVED & X2APIC_ICR_IGNORED, 0);
	assert_int_equal(X2APIC_ICR_RESERVED | X2APIC_ICR_IGNORED | 0xffu |
			 7u << 8 | 1u << 11 | 1u << 14 | 1u << 15 | 3u << 18,
			 0xffffffffull);
}

static void test_macros_and_names(void **state)
{
	static const char *const want[8] = {
		"fixed", "lowest priority", "SMI", "reserved (011b)",
		"NMI", "INIT", "Start-Up", "reserved (111b)",
	};

	(void)state;
	assert_int_equal(ICR_DELIVERY_MODE(0x500u), ICR_DM_INIT);
	assert_int_equal(ICR_DELIVERY_MODE(0x600u), ICR_DM_STARTUP);
	assert_int_equal(ICR_SHORTHAND(0x40000u), ICR_SH_SELF);
	assert_int_equal(ICR_DEST_LOGICAL(0x800u), 1);
	for (unsigned dm = 0; dm < 8; dm++) {
		assert_string_equal(apic_icr_mode_name(DM(dm)), want[dm]);
		assert_string_equal(apic_icr_mode_name(DM(dm) | ~(7ULL << 8)), want[dm]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_real_sequences),
		cmocka_unit_test(test_self_form),
		cmocka_unit_test(test_cluster_model),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_x2apic_reserved),
		cmocka_unit_test(test_macros_and_names),
	};

	return cmocka_run_group_tests_name("apic_icr", tests, NULL, NULL);
}
