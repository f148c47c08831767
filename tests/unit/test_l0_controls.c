/* Unit tests for vmx/l0_controls.c: a VMCS's controls composed from the
 * base configuration and Nestor's wants (SDM Vol. 3C 24.6, 25.2). Fixture:
 * Bochs corei7_skylake_x's CR fixed bits (../shared/platform.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/regs.h"
#include "vmx/l0_controls.h"
#include "vmx/vmx_controls.h"

static struct vmx_config skylake(bool unrestricted)
{
	struct vmx_config c;

	memset(&c, 0, sizeof(c));
	c.ctl[VMX_PIN] = 0x16 | PIN_VIRTUAL_NMIS;
	c.ctl[VMX_PROC] = 0x84006172;
	c.ctl[VMX_PROC2] = 0x82;
	c.ctl[VMX_EXIT] = 0x36dfb;
	c.ctl[VMX_ENTRY] = 0x11fb | ENTRY_IA32E_MODE_GUEST; /* must be masked */
	c.cr0_fixed0 = 0x80000021;
	c.cr0_fixed1 = 0xffffffff;
	c.cr4_fixed0 = 0x2000;
	c.cr4_fixed1 = 0x3727ff;
	c.unrestricted_guest = unrestricted;
	return c;
}

static void test_base(void **state)
{
	struct vmx_config c = skylake(true);
	struct l0_wants w = { 0 };
	struct vmcs_ctls out;

	(void)state;
	memset(&out, 0xa5, sizeof(out));
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.pin, c.ctl[VMX_PIN]);
	assert_int_equal(out.proc, c.ctl[VMX_PROC]);
	assert_int_equal(out.proc2, c.ctl[VMX_PROC2]);
	assert_int_equal(out.exit, c.ctl[VMX_EXIT]);
	assert_int_equal(out.entry, c.ctl[VMX_ENTRY] & ~ENTRY_IA32E_MODE_GUEST);
	assert_int_equal(out.exc_bitmap, 0);
	assert_int_equal(out.pfec_mask, 0);
	assert_int_equal(out.pfec_match, 0);
	/* NE owned (PE and PG are the guest's with unrestricted guest). */
	assert_int_equal(out.cr0_mask, CR0_NE);
	assert_int_equal(out.cr4_mask, (0xffffffffull & ~0x3727ffull) |
				       CR4_VMXE | CR4_SMXE);
	/* The shadows are guest state: left alone. */
	assert_int_equal(out.cr0_shadow, 0xa5a5a5a5a5a5a5a5ull);
	c = skylake(false);
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.cr0_mask, CR0_NE | CR0_PE | CR0_PG);
}

static void test_each_want(void **state)
{
	struct vmx_config c = skylake(true);
	struct l0_wants w = { 0 };
	struct vmcs_ctls base, out;

	(void)state;
	l0_controls_compose(&c, &w, &base);
	w.nmi_window = true;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.proc, base.proc | PROC_NMI_WINDOW_EXITING);
	w = (struct l0_wants){ .intr_window = true };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.proc, base.proc | PROC_INTERRUPT_WINDOW_EXITING);
	w = (struct l0_wants){ .mtf = true };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.proc, base.proc | PROC_MONITOR_TRAP_FLAG);
	w = (struct l0_wants){ .cr3_load = true, .cr0_watch = CR0_PG,
			       .cr4_watch = CR4_PAE };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.proc, base.proc | PROC_CR3_LOAD_EXITING);
	assert_int_equal(out.cr0_mask, base.cr0_mask | CR0_PG);
	assert_int_equal(out.cr4_mask, base.cr4_mask | CR4_PAE);
	w = (struct l0_wants){ .ia32e_guest = true };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.entry, base.entry | ENTRY_IA32E_MODE_GUEST);
	/* The GDB stub's: #DB exits, the preemption timer, MOV DR exits. */
	w = (struct l0_wants){ .gdb_db = true, .preemption_timer = true,
			       .gdb_mov_dr = true };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, base.exc_bitmap | (1u << 1));
	assert_int_equal(out.pin, base.pin | PIN_PREEMPTION_TIMER);
	assert_int_equal(out.proc, base.proc | PROC_MOV_DR_EXITING);
	w.pf = (struct pf_intercept){ true, 0x9, 0x1 };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, (1u << 1) | (1u << 14));
	assert_int_equal(out.pfec_mask, 0x9);
}

/* 25.2: the #PF intercept of a reduced width, then the probe and the write
 * step on top, which both need every #PF to exit (bit 14 = 1, mask =
 * match = 0), and the step every other exception too. */
static void test_exception_bitmap(void **state)
{
	struct vmx_config c = skylake(true);
	struct l0_wants w = { .pf = { true, 0x9, 0x1 } };
	struct vmcs_ctls out;

	(void)state;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, 1u << 14);
	assert_int_equal(out.pfec_mask, 0x9);
	assert_int_equal(out.pfec_match, 0x1);
	w.all_pf = true;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, 1u << 14);
	assert_int_equal(out.pfec_mask, 0);
	assert_int_equal(out.pfec_match, 0);
	w.all_exceptions = true;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, 0xffffffffu);
	assert_int_equal(out.pfec_mask, 0);
	assert_int_equal(out.pfec_match, 0);
	w.all_pf = false;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, 0xffffffffu);
	assert_int_equal(out.pfec_mask, 0);
	/* Back to the intercept alone: the mask/match return. */
	w.all_exceptions = false;
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.pfec_mask, 0x9);
	/* No #PF intercept: bit 14 clear. */
	w.pf = (struct pf_intercept){ false, 0, 0 };
	l0_controls_compose(&c, &w, &out);
	assert_int_equal(out.exc_bitmap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_each_want),
		cmocka_unit_test(test_exception_bitmap),
	};

	return cmocka_run_group_tests_name("l0_controls", tests, NULL, NULL);
}
