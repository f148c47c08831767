/* Unit tests for arch/x86/idt_gate.h: the 16-byte 64-bit interrupt gate
 * (SDM Vol. 3A, 6.14.1, Figure 6-8) as Nestor and the test guests build it,
 * checked byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/idt_gate.h"

static void gate_bytes(const struct idt_gate *g, uint8_t out[16])
{
	memcpy(out, g, 16);
}

/* Offset 15:0 in bytes 0-1, selector in 2-3, IST in 4, type/attributes in
 * 5, offset 31:16 in 6-7, offset 63:32 in 8-11, reserved 12-15 zero. */
static void test_layout(void **state)
{
	static const uint8_t want[16] = {
		0x67, 0x45, 0x08, 0x00, 0x03, 0x8e, 0x23, 0x01,
		0xef, 0xcd, 0xab, 0x89, 0x00, 0x00, 0x00, 0x00,
	};
	struct idt_gate g = idt_interrupt_gate(0x89abcdef01234567ull, 0x08, 3);
	uint8_t got[16];

	(void)state;
	assert_int_equal(sizeof(g), 16);
	gate_bytes(&g, got);
	assert_memory_equal(got, want, 16);
}

static void test_fields(void **state)
{
	struct idt_gate g = idt_interrupt_gate(0xffffffff80001234ull, 0x10, 0);

	(void)state;
	assert_int_equal(g.offset_lo, 0x1234);
	assert_int_equal(g.offset_mid, 0x8000);
	assert_int_equal(g.offset_hi, 0xffffffffu);
	assert_int_equal(g.selector, 0x10);
	assert_int_equal(g.ist, 0);
	assert_int_equal(g.type_attr, GATE_INTERRUPT_PRESENT);
	assert_int_equal(g.reserved, 0);
}

/* P = 1 (bit 7), DPL = 0 (bits 6:5), type 0xE (interrupt gate). */
static void test_type_attr(void **state)
{
	(void)state;
	assert_int_equal(GATE_INTERRUPT_PRESENT & 0x80, 0x80);
	assert_int_equal((GATE_INTERRUPT_PRESENT >> 5) & 3, 0);
	assert_int_equal(GATE_INTERRUPT_PRESENT & 0x1f, 0x0e);
}

/* Handler 0 and the all-ones handler keep every bit where it belongs. */
static void test_extremes(void **state)
{
	struct idt_gate z = idt_interrupt_gate(0, 0, 0);
	struct idt_gate f = idt_interrupt_gate(~0ull, 0xffff, 7);

	(void)state;
	assert_int_equal(z.offset_lo | z.offset_mid | z.offset_hi, 0);
	assert_int_equal(f.offset_lo, 0xffff);
	assert_int_equal(f.offset_mid, 0xffff);
	assert_int_equal(f.offset_hi, 0xffffffffu);
	assert_int_equal(f.selector, 0xffff);
	assert_int_equal(f.ist, 7);
	assert_int_equal(f.reserved, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_type_attr),
		cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests_name("idt_gate", tests, NULL, NULL);
}
