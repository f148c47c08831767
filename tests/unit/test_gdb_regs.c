/* vmx/gdb_regs.c: the guest's registers <-> GDB's x86-64 register file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/gdb_regs.h"

static struct gdb_guest_state sample(void)
{
	struct gdb_guest_state g = { 0 };

	for (unsigned n = 0; n < 16; n++)
		g.gpr[n] = 0x1000 + n;	/* architectural number n */
	g.rip = 0x100c50;
	g.rflags = 0x246;
	for (unsigned i = 0; i < 6; i++)
		g.sel[i] = (uint16_t)(0x8 * (i + 1));
	g.fs_base = 0xf5;
	g.gs_base = 0x65;
	return g;
}

static void test_from_guest(void **state)
{
	struct gdb_guest_state g = sample();
	struct gdb_x86_regs r;

	(void)state;
	gdb_regs_from_guest(&g, &r);
	assert_int_equal(r.gpr[GDB_X86_RAX], 0x1000);
	assert_int_equal(r.gpr[GDB_X86_RBX], 0x1003);
	assert_int_equal(r.gpr[GDB_X86_RCX], 0x1001);
	assert_int_equal(r.gpr[GDB_X86_RDX], 0x1002);
	assert_int_equal(r.gpr[GDB_X86_RSI], 0x1006);
	assert_int_equal(r.gpr[GDB_X86_RDI], 0x1007);
	assert_int_equal(r.gpr[GDB_X86_RBP], 0x1005);
	assert_int_equal(r.gpr[GDB_X86_RSP], 0x1004);
	for (unsigned i = 8; i < 16; i++)
		assert_int_equal(r.gpr[i], 0x1000 + i);
	assert_int_equal(r.rip, 0x100c50);
	assert_int_equal(r.eflags, 0x246);
	assert_int_equal(r.seg[0], 0x8);
	assert_int_equal(r.seg[5], 0x30);
	assert_int_equal(r.fpu[0], 0x37f);
	assert_int_equal(r.fs_base, 0xf5);
	assert_int_equal(r.gs_base, 0x65);
}

static void test_round_trip(void **state)
{
	struct gdb_guest_state g = sample(), back = sample();
	struct gdb_x86_regs r;

	(void)state;
	back.rflags |= 1ull << 40;	/* reserved upper bits stay */
	gdb_regs_from_guest(&g, &r);
	r.gpr[GDB_X86_RSP] = 0x7000;
	r.gpr[GDB_X86_RBX] = 0xb;
	r.rip = 0x2000;
	r.eflags = 0x202;
	r.seg[0] = 0x99;		/* not taken */
	gdb_regs_to_guest(&r, &back);
	assert_int_equal(back.gpr[4], 0x7000);
	assert_int_equal(back.gpr[3], 0xb);
	assert_int_equal(back.gpr[1], 0x1001);
	assert_int_equal(back.rip, 0x2000);
	assert_int_equal(back.rflags, (1ull << 40) | 0x202);
	assert_int_equal(back.sel[0], 0x8);
}

static void test_rejected(void **state)
{
	(void)state;
	assert_false(gdb_regs_rejected(GDB_X86_RAX));
	assert_false(gdb_regs_rejected(GDB_X86_RIP));
	assert_false(gdb_regs_rejected(GDB_X86_EFLAGS));
	assert_true(gdb_regs_rejected(GDB_X86_CS));
	assert_true(gdb_regs_rejected(GDB_X86_GS));
	assert_true(gdb_regs_rejected(GDB_X86_ST0));
	assert_true(gdb_regs_rejected(GDB_X86_FOP));
	assert_false(gdb_regs_rejected(GDB_X86_FS_BASE));
	assert_false(gdb_regs_rejected(GDB_X86_GS_BASE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_guest),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
