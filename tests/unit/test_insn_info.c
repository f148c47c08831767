/* Unit tests for vmx/insn_info.c (SDM Vol. 3C, 27.2.5, Table 27-13). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmx/insn_info.h"

#define SCALE(s) ((uint32_t)(s))
#define ASZ(a) ((uint32_t)(a) << 7)
#define REGOP (1u << 10)
#define SEG(s) ((uint32_t)(s) << 15)
#define INDEX(r) ((uint32_t)(r) << 18)
#define NO_INDEX (1u << 22)
#define BASE(r) ((uint32_t)(r) << 23)
#define NO_BASE (1u << 27)
#define REG2(r) ((uint32_t)(r) << 28)

static struct insn_operand_ctx ctx64(void)
{
	struct insn_operand_ctx c;

	memset(&c, 0, sizeof(c));
	for (unsigned i = 0; i < 16; i++)
		c.gpr[i] = 0x1000ull * (i + 1);
	c.seg_base[3] = 0x500000;  /* DS: ignored in 64-bit mode */
	c.seg_base[4] = 0x7000000; /* FS: added even in 64-bit mode */
	c.long_mode = true;
	return c;
}

static void test_register_operand(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	/* VMREAD rax <- field in rcx: reg1 = 0 (bits 6:3), reg2 = 1. */
	assert_int_equal(insn_operand_decode(REGOP | (0u << 3) | REG2(1), 0, &c, &op), 0);
	assert_true(op.is_reg);
	assert_int_equal(op.reg, 0);
	assert_int_equal(op.reg2, 1);
	assert_int_equal(insn_operand_decode(REGOP | (13u << 3) | REG2(15), 0, &c, &op), 0);
	assert_int_equal(op.reg, 13);
	assert_int_equal(op.reg2, 15);
}

static void test_base_index_scale_disp_64(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	/* [rbx + rsi*8 + 0x20], DS, 64-bit: 0x4000 + 0x7000*8 + 0x20. */
	assert_int_equal(insn_operand_decode(SCALE(3) | ASZ(2) | SEG(3) | INDEX(6) |
					     BASE(3) | REG2(2), 0x20, &c, &op), 0);
	assert_false(op.is_reg);
	assert_int_equal(op.addr_size, 64);
	assert_int_equal(op.segment, 3);
	assert_int_equal(op.reg2, 2);
	assert_int_equal(op.linear, 0x4000 + 0x7000 * 8 + 0x20);
}

static void test_fs_base_added_in_64bit_mode(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	assert_int_equal(insn_operand_decode(ASZ(2) | SEG(4) | NO_INDEX | BASE(0),
					     8, &c, &op), 0);
	assert_int_equal(op.linear, 0x7000000 + 0x1000 + 8);
}

static void test_invalid_base_and_index(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	/* Absolute address: only the displacement. */
	assert_int_equal(insn_operand_decode(ASZ(2) | SEG(3) | NO_INDEX | NO_BASE,
					     0xdead000, &c, &op), 0);
	assert_int_equal(op.linear, 0xdead000);
}

static void test_32bit_wraps_and_adds_segment(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	c.long_mode = false;
	c.gpr[3] = 0xfffffff0;
	/* [ebx + 0x20] wraps at 32 bits, then DS base, then 32-bit linear. */
	assert_int_equal(insn_operand_decode(ASZ(1) | SEG(3) | NO_INDEX | BASE(3),
					     0x20, &c, &op), 0);
	assert_int_equal(op.addr_size, 32);
	assert_int_equal(op.linear, 0x10 + 0x500000);
	/* 16-bit addressing wraps at 64 KiB. */
	c.gpr[3] = 0xfff0;
	assert_int_equal(insn_operand_decode(ASZ(0) | SEG(3) | NO_INDEX | BASE(3),
					     0x20, &c, &op), 0);
	assert_int_equal(op.linear, 0x10 + 0x500000);
}

static void test_reserved_encodings(void **state)
{
	struct insn_operand_ctx c = ctx64();
	struct insn_operand op;

	(void)state;
	assert_int_equal(insn_operand_decode(ASZ(3) | SEG(3), 0, &c, &op), -1);
	assert_int_equal(insn_operand_decode(ASZ(2) | SEG(6), 0, &c, &op), -1);
	assert_int_equal(insn_operand_decode(ASZ(2) | SEG(7), 0, &c, &op), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_operand),
		cmocka_unit_test(test_base_index_scale_disp_64),
		cmocka_unit_test(test_fs_base_added_in_64bit_mode),
		cmocka_unit_test(test_invalid_base_and_index),
		cmocka_unit_test(test_32bit_wraps_and_adds_segment),
		cmocka_unit_test(test_reserved_encodings),
	};

	return cmocka_run_group_tests_name("insn_info", tests, NULL, NULL);
}
