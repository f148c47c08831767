/* Unit tests for vmx/l1_msrs.c: RDMSR of the VMX capability MSRs by L1.
 * Which MSRs exist for a view (SDM Vol. 3D Appendix A: A.1-A.11, the
 * have_* flags) and that each returns its own value. Numbers are written
 * out from Appendix A here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/l1_msrs.h"

/* Every value distinct, so that a swapped case shows. */
static struct vmx_msrs view(bool p2, bool ept, bool vmfunc, bool true_ctls)
{
	return (struct vmx_msrs){
		.basic = 0x00da040000000001ull, .pinbased = 0x100000016ull,
		.procbased = 0x200000016ull, .exit = 0x300000016ull,
		.entry = 0x400000016ull, .misc = 0x500000016ull,
		.cr0_fixed0 = 0x600000016ull, .cr0_fixed1 = 0x700000016ull,
		.cr4_fixed0 = 0x800000016ull, .cr4_fixed1 = 0x900000016ull,
		.vmcs_enum = 0xa00000016ull, .procbased2 = 0xb00000016ull,
		.ept_vpid_cap = 0xc00000016ull, .vmfunc = 0xd00000016ull,
		.true_pinbased = 0xe00000016ull,
		.true_procbased = 0xf00000016ull,
		.true_exit = 0x1000000016ull, .true_entry = 0x1100000016ull,
		.have_procbased2 = p2, .have_ept_vpid_cap = ept,
		.have_vmfunc = vmfunc, .have_true_ctls = true_ctls,
	};
}

struct want { uint32_t msr; uint64_t val; int have; /* -1: always */ };

static void check_view(bool p2, bool ept, bool vmfunc, bool tc)
{
	const struct vmx_msrs m = view(p2, ept, vmfunc, tc);
	const struct want w[] = {
		{ 0x480, m.basic, -1 }, { 0x481, m.pinbased, -1 },
		{ 0x482, m.procbased, -1 }, { 0x483, m.exit, -1 },
		{ 0x484, m.entry, -1 }, { 0x485, m.misc, -1 },
		{ 0x486, m.cr0_fixed0, -1 }, { 0x487, m.cr0_fixed1, -1 },
		{ 0x488, m.cr4_fixed0, -1 }, { 0x489, m.cr4_fixed1, -1 },
		{ 0x48a, m.vmcs_enum, -1 },
		{ 0x48b, m.procbased2, p2 },     /* A.3.3 */
		{ 0x48c, m.ept_vpid_cap, ept },  /* A.10 */
		{ 0x48d, m.true_pinbased, tc },  /* A.3.1, BASIC[55] */
		{ 0x48e, m.true_procbased, tc },
		{ 0x48f, m.true_exit, tc },
		{ 0x490, m.true_entry, tc },
		{ 0x491, m.vmfunc, vmfunc },     /* A.11 */
	};

	for (unsigned k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		uint64_t v = 0x5a5a5a5a5a5a5a5aull;
		bool exists = vmx_l1_msr_value(&m, w[k].msr, &v);

		if (w[k].have == 0) {
			assert_false(exists);
			continue;
		}
		assert_true(exists);
		assert_int_equal(v, w[k].val);
	}
}

static void test_every_view(void **state)
{
	(void)state;
	for (unsigned bits = 0; bits < 16; bits++)
		check_view(bits & 1, bits & 2, bits & 4, bits & 8);
}

/* IA32_VMX_PROCBASED_CTLS3 (0x492) and IA32_VMX_EXIT_CTLS2 (0x493) are
 * never shown; nor is anything outside the range, IA32_FEATURE_CONTROL
 * (0x3a) and IA32_SMM_MONITOR_CTL (0x9b) included (not VMX capability
 * MSRs: vmx/exit_msr.c answers them). */
static void test_never_shown(void **state)
{
	static const uint32_t none[] = { 0x492, 0x493, 0x494, 0x47f, 0x3a,
					 0x9b, 0, 0x4a0, 0xc0000080u,
					 0xffffffffu };
	const struct vmx_msrs m = view(true, true, true, true);

	(void)state;
	for (unsigned k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
		uint64_t v = 1;

		assert_false(vmx_l1_msr_value(&m, none[k], &v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_view),
		cmocka_unit_test(test_never_shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
