/* Unit tests for vmx/vmx_errors.c: VM-instruction error texts (SDM Vol. 3C,
 * 31.4, Table 31-1) and basic exit-reason names (Vol. 3D, Appendix C),
 * including numbers with no entry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/vmx_errors.h"
#include "vmx/exit_reasons.h"

static void test_instruction_error_known(void **state)
{
	(void)state;
	assert_int_equal(VMXERR_ENTRY_INVALID_CONTROLS, 7);
	assert_int_equal(VMXERR_ENTRY_INVALID_HOST_STATE, 8);
	assert_int_equal(VMXERR_UNSUPPORTED_FIELD, 12);
	assert_string_equal(vmx_instruction_error_text(7),
			    "VM entry with invalid control field(s)");
	assert_string_equal(vmx_instruction_error_text(8),
			    "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_instruction_error_text(12),
			    "VMREAD/VMWRITE from/to unsupported VMCS component");
	assert_string_equal(vmx_instruction_error_text(28),
			    "invalid operand to INVEPT/INVVPID");
	assert_string_equal(vmx_instruction_error_text(1),
			    "VMCALL executed in VMX root operation");
	assert_string_equal(vmx_instruction_error_text(26),
			    "VM entry with events blocked by MOV SS");
}

static void test_instruction_error_unknown(void **state)
{
	static const uint32_t unknown[] = {
		0, 14, 21, 27, 29, 1000, 0x7fffffff, 0xffffffff,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(vmx_instruction_error_text(unknown[i]),
				    "unknown error");
}

/* Every number 1-28 that the SDM defines has a non-empty text, distinct
 * from the others. */
static void test_instruction_error_all_distinct(void **state)
{
	(void)state;
	for (uint32_t a = 1; a <= 28; a++) {
		const char *ta = vmx_instruction_error_text(a);

		assert_non_null(ta);
		assert_true(strlen(ta) > 0);
		if (a == 14 || a == 21 || a == 27) {
			assert_string_equal(ta, "unknown error");
			continue;
		}
		for (uint32_t b = a + 1; b <= 28; b++)
			assert_string_not_equal(ta, vmx_instruction_error_text(b));
	}
}

static void test_exit_reason_known(void **state)
{
	(void)state;
	assert_string_equal(vmx_exit_reason_name(0), "exception or NMI");
	assert_string_equal(vmx_exit_reason_name(10), "CPUID");
	assert_string_equal(vmx_exit_reason_name(33),
			    "VM-entry failure: invalid guest state");
	assert_string_equal(vmx_exit_reason_name(48), "EPT violation");
	assert_string_equal(vmx_exit_reason_name(75), "instruction timeout");
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_IO_INSTRUCTION),
			    "I/O instruction");
	assert_int_equal(EXIT_REASON_IO_INSTRUCTION, 30);
	assert_int_equal(EXIT_REASON_EPT_VIOLATION, 48);
}

static void test_exit_reason_unknown(void **state)
{
	static const unsigned unknown[] = {
		35, 38, 42, 71, 76, 77, 1000, 0xffff, 0x80000021u, 0xffffffffu,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(vmx_exit_reason_name(unknown[i]),
				    "unknown exit reason");
}

/* Every number below EXIT_REASON_MAX has a name (possibly "unknown"). */
static void test_exit_reason_all_non_empty(void **state)
{
	unsigned named = 0;

	(void)state;
	for (unsigned n = 0; n < EXIT_REASON_MAX; n++) {
		const char *s = vmx_exit_reason_name(n);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		if (strcmp(s, "unknown exit reason") != 0)
			named++;
	}
	/* 76 numbers minus the reserved 35, 38, 42 and 71. */
	assert_int_equal(named, 72);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_instruction_error_known),
		T(test_instruction_error_unknown),
		T(test_instruction_error_all_distinct),
		T(test_exit_reason_known),
		T(test_exit_reason_unknown),
		T(test_exit_reason_all_non_empty),
#undef T
	};

	return cmocka_run_group_tests_name("vmx_errors", tests, NULL, NULL);
}
