/* Unit tests for mm/mem_region.c: a loader's memory-map type number as an
 * enum mem_type (Multiboot2 spec 3.6.8, Multiboot 0.6.96 3.3), the
 * region-type names printed in Nestor's boot report and by the demo guest,
 * and the "reserved" fallback for every other value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "mm/mem_region.h"

static void test_known_types(void **state)
{
	(void)state;
	assert_int_equal(MEM_AVAILABLE, 1);
	assert_int_equal(MEM_RESERVED, 2);
	assert_int_equal(MEM_ACPI_RECLAIMABLE, 3);
	assert_int_equal(MEM_ACPI_NVS, 4);
	assert_int_equal(MEM_BAD, 5);
	assert_string_equal(mem_type_name(MEM_AVAILABLE), "available");
	assert_string_equal(mem_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(mem_type_name(MEM_ACPI_RECLAIMABLE), "ACPI reclaimable");
	assert_string_equal(mem_type_name(MEM_ACPI_NVS), "ACPI NVS");
	assert_string_equal(mem_type_name(MEM_BAD), "bad");
}

/* Values the spec does not define (0, 6, e820's 7 "persistent", 12, huge)
 * are reported as reserved, never as available. */
static void test_other_values_reserved(void **state)
{
	static const uint32_t other[] = {
		0, 6, 7, 12, 0x80, 0xf0000000u, 0x7fffffffu, 0xffffffffu,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_string_equal(mem_type_name(other[i]), "reserved");
}

/* The five defined types have five different names. */
static void test_names_distinct(void **state)
{
	(void)state;
	for (uint32_t a = MEM_AVAILABLE; a <= MEM_BAD; a++) {
		assert_non_null(mem_type_name(a));
		for (uint32_t b = a + 1; b <= MEM_BAD; b++)
			assert_string_not_equal(mem_type_name(a), mem_type_name(b));
	}
}

static void test_from_loader_defined(void **state)
{
	(void)state;
	for (uint32_t t = MEM_AVAILABLE; t <= MEM_BAD; t++)
		assert_int_equal(mem_type_from_loader(t), t);
}

/* Everything else, including e820's 7 (persistent) and 12 (ACPI 6 PRAM),
 * is reserved: never handed out as RAM. */
static void test_from_loader_other_reserved(void **state)
{
	static const uint32_t other[] = {
		0, 6, 7, 12, 20, 0x80, 0xf0000000u, 0x7fffffffu, 0xffffffffu,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(mem_type_from_loader(other[i]), MEM_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_types),
		cmocka_unit_test(test_other_values_reserved),
		cmocka_unit_test(test_names_distinct),
		cmocka_unit_test(test_from_loader_defined),
		cmocka_unit_test(test_from_loader_other_reserved),
	};

	return cmocka_run_group_tests_name("mem_region", tests, NULL, NULL);
}
