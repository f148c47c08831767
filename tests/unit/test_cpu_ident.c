/* Unit tests for arch/x86/cpu_ident.c (CPUID decoding). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/x86/cpu_ident.h"

static void test_signature_family6(void **state)
{
	(void)state;
	/* Bochs corei7_skylake_x: CPUID.1:EAX = 0x00050654. */
	struct cpu_signature s = cpu_signature_decode(0x00050654);

	assert_int_equal(s.family, 6);
	assert_int_equal(s.model, 0x55);
	assert_int_equal(s.stepping, 4);
}

static void test_signature_family15_extended(void **state)
{
	(void)state;
	/* AMD Zen 3: family 0xF + ext 0xA = 0x19, model 0x21, stepping 0. */
	struct cpu_signature s = cpu_signature_decode(0x00a20f10);

	assert_int_equal(s.family, 0x19);
	assert_int_equal(s.model, 0x21);
	assert_int_equal(s.stepping, 0);
}

static void test_signature_other_family_ignores_extended(void **state)
{
	(void)state;
	/* Family 5 (Pentium): extended model/family bits are not applied. */
	struct cpu_signature s = cpu_signature_decode(0x0ff50543);

	assert_int_equal(s.family, 5);
	assert_int_equal(s.model, 4);
	assert_int_equal(s.stepping, 3);
}

static void test_maxphyaddr(void **state)
{
	(void)state;
	assert_int_equal(cpu_maxphyaddr(0x80000008, 0x3028, 0), 40);
	assert_int_equal(cpu_maxphyaddr(0x80000008, 0x3034, 0), 52);
	/* Leaf absent: 36 with PAE, 32 without (SDM Vol. 3A, 4.1.4). */
	assert_int_equal(cpu_maxphyaddr(0x80000004, 0x3028, 1u << 6), 36);
	assert_int_equal(cpu_maxphyaddr(0x80000004, 0x3028, 0), 32);
	/* A zero width from a broken leaf falls back too. */
	assert_int_equal(cpu_maxphyaddr(0x80000008, 0x3000, 1u << 6), 36);
}

static void test_vendor(void **state)
{
	char v[13];

	(void)state;
	/* "GenuineIntel": EBX="Genu", EDX="ineI", ECX="ntel". */
	cpu_vendor_string(0x756e6547, 0x6c65746e, 0x49656e69, v);
	assert_string_equal(v, "GenuineIntel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_family6),
		cmocka_unit_test(test_signature_family15_extended),
		cmocka_unit_test(test_signature_other_family_ignores_extended),
		cmocka_unit_test(test_maxphyaddr),
		cmocka_unit_test(test_vendor),
	};

	return cmocka_run_group_tests_name("cpu_ident", tests, NULL, NULL);
}
