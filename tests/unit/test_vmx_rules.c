/* Unit tests for nested/vmx_rules.c: the #UD/#GP(0) checks of every VMX
 * instruction and their priority (SDM Vol. 3C 30.3, each instruction's
 * "Operation"), VMsucceed/VMfail and the flags they leave (30.2), the
 * VMXON/VMCLEAR/VMPTRLD pointer and revision rules, INVEPT/INVVPID type
 * and descriptor rules (error 28), the VMREAD/VMWRITE field operand, the
 * memory-operand segment checks (Vol. 3A 3.4.5.1, 5.3, 5.4.1; Vol. 1
 * 3.3.7.1) and the EPTP rules (26.2.1.1). Every constant is written out
 * from the SDM here, not taken from the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "nested/vmx_rules.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- instruction names and exit reasons -------------------------------- */

static void test_insn_of_exit(void **state)
{
	/* Vol. 3D Appendix C, Table C-1. */
	static const struct { unsigned reason; enum vmx_insn i; } map[] = {
		{ 19, VMX_INSN_VMCLEAR }, { 20, VMX_INSN_VMLAUNCH },
		{ 21, VMX_INSN_VMPTRLD }, { 22, VMX_INSN_VMPTRST },
		{ 23, VMX_INSN_VMREAD }, { 24, VMX_INSN_VMRESUME },
		{ 25, VMX_INSN_VMWRITE }, { 26, VMX_INSN_VMXOFF },
		{ 27, VMX_INSN_VMXON }, { 50, VMX_INSN_INVEPT },
		{ 53, VMX_INSN_INVVPID },
	};
	/* VMCALL (18), INVLPG (14), INVPCID (58), VMFUNC (59), others. */
	static const unsigned other[] = { 0, 10, 14, 17, 18, 28, 49, 51, 52,
					  54, 58, 59, 0xffff, 0xffffffffu };

	(void)state;
	for (unsigned k = 0; k < NELEM(map); k++)
		assert_int_equal(vmx_insn_of_exit(map[k].reason), map[k].i);
	for (unsigned k = 0; k < NELEM(other); k++)
		assert_int_equal(vmx_insn_of_exit(other[k]), VMX_INSN_COUNT);
}

static void test_insn_names(void **state)
{
	(void)state;
	assert_string_equal(vmx_insn_name(VMX_INSN_VMXON), "VMXON");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMXOFF), "VMXOFF");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMCLEAR), "VMCLEAR");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMPTRLD), "VMPTRLD");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMPTRST), "VMPTRST");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMREAD), "VMREAD");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMWRITE), "VMWRITE");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMLAUNCH), "VMLAUNCH");
	assert_string_equal(vmx_insn_name(VMX_INSN_VMRESUME), "VMRESUME");
	assert_string_equal(vmx_insn_name(VMX_INSN_INVEPT), "INVEPT");
	assert_string_equal(vmx_insn_name(VMX_INSN_INVVPID), "INVVPID");
	assert_string_equal(vmx_insn_name(VMX_INSN_COUNT), "?");
	assert_string_equal(vmx_insn_name((enum vmx_insn)1000), "?");
}

/* ---- vmx_insn_fault() -------------------------------------------------- */

#define CR0_PE_ (1ull << 0)
#define CR0_NE_ (1ull << 5)
#define CR0_PG_ (1ull << 31)
#define CR4_PAE_ (1ull << 5)
#define CR4_VMXE_ (1ull << 13)
#define CR4_SMXE_ (1ull << 14)
#define RFLAGS_VM_ (1ull << 17)
#define EFER_LME_ (1ull << 8)
#define EFER_LMA_ (1ull << 10)

/* A 64-bit L1 at CPL 0 that may execute every VMX instruction: inside VMX
 * operation (in_vmx) or, for VMXON, outside it. */
static struct vmx_insn_cpu good_cpu(bool in_vmx)
{
	return (struct vmx_insn_cpu){
		.cr0 = CR0_PE_ | CR0_NE_ | CR0_PG_,
		.cr4 = CR4_PAE_ | CR4_VMXE_,
		.rflags = 2,
		.efer = EFER_LME_ | EFER_LMA_,
		.cs_l = true,
		.cpl = 0,
		.in_vmx = in_vmx,
		.a20m = false,
		.feature_control = 1 | 4, /* locked, VMX outside SMX */
		/* 23.8 / A.7, A.8: PE, NE, PG fixed to 1; VMXE and PAE
		 * fixed to 1 (PAE as an example of a second CR4 bit);
		 * SMXE (14) may not be 1 on this modelled CPU. */
		.cr0_fixed0 = CR0_PE_ | CR0_NE_ | CR0_PG_,
		.cr0_fixed1 = 0xffffffffull,
		.cr4_fixed0 = CR4_VMXE_ | CR4_PAE_,
		.cr4_fixed1 = 0x003fffffull & ~CR4_SMXE_,
		.invept = true,
		.invvpid = true,
	};
}

static const enum vmx_insn in_vmx_insns[] = {
	VMX_INSN_VMXOFF, VMX_INSN_VMCLEAR, VMX_INSN_VMPTRLD, VMX_INSN_VMPTRST,
	VMX_INSN_VMREAD, VMX_INSN_VMWRITE, VMX_INSN_VMLAUNCH,
	VMX_INSN_VMRESUME, VMX_INSN_INVEPT, VMX_INSN_INVVPID,
};

/* 30.3, every instruction but VMXON: "IF (not in VMX operation) or
 * (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN
 * #UD; ELSIF in VM non-root operation THEN VM exit; ELSIF CPL > 0 THEN
 * #GP(0)". */
static void test_fault_in_vmx_each_condition(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NELEM(in_vmx_insns); k++) {
		enum vmx_insn i = in_vmx_insns[k];
		struct vmx_insn_cpu c = good_cpu(true);

		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_NONE);

		c = good_cpu(false);
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		c = good_cpu(true);
		c.cr0 &= ~CR0_PE_;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		c = good_cpu(true);
		c.rflags |= RFLAGS_VM_;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		/* Compatibility mode. */
		c = good_cpu(true);
		c.cs_l = false;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		/* Legacy protected mode: CS.L means nothing without LMA. */
		c = good_cpu(true);
		c.efer = 0;
		c.cs_l = false;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_NONE);
		c.cs_l = true;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_NONE);

		for (unsigned cpl = 1; cpl <= 3; cpl++) {
			c = good_cpu(true);
			c.cpl = cpl;
			assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_GP0);
		}

		/* The VMXON-only #GP conditions mean nothing here. */
		c = good_cpu(true);
		c.a20m = true;
		c.feature_control = 0;
		c.cr0_fixed0 = ~0ull;
		c.cr4_fixed0 = ~0ull;
		c.cr0_fixed1 = 0;
		c.cr4_fixed1 = 0;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_NONE);
	}
}

/* #UD comes before #GP(0): CPL 3 outside VMX operation, in virtual-8086
 * mode (CPL 3 by definition), in compatibility mode or real mode. */
static void test_fault_ud_before_gp(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NELEM(in_vmx_insns); k++) {
		enum vmx_insn i = in_vmx_insns[k];
		struct vmx_insn_cpu c = good_cpu(false);

		c.cpl = 3;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		c = good_cpu(true);
		c.cpl = 3;
		c.rflags |= RFLAGS_VM_;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		c = good_cpu(true);
		c.cpl = 3;
		c.cs_l = false;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);

		c = good_cpu(true);
		c.cpl = 2;
		c.cr0 &= ~(CR0_PE_ | CR0_PG_);
		c.efer = 0;
		assert_int_equal(vmx_insn_fault(i, &c), VMX_FAULT_UD);
	}
}

/* 30.3 INVEPT/INVVPID: "#UD If the processor does not support" them; L1
 * is shown them or not (A.10). One does not imply the other. */
static void test_fault_invept_invvpid_not_shown(void **state)
{
	struct vmx_insn_cpu c = good_cpu(true);

	(void)state;
	c.invept = false;
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVEPT, &c), VMX_FAULT_UD);
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVVPID, &c), VMX_FAULT_NONE);
	c.cpl = 3; /* #UD even where #GP(0) would otherwise come */
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVEPT, &c), VMX_FAULT_UD);
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVVPID, &c), VMX_FAULT_GP0);

	c = good_cpu(true);
	c.invvpid = false;
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVVPID, &c), VMX_FAULT_UD);
	assert_int_equal(vmx_insn_fault(VMX_INSN_INVEPT, &c), VMX_FAULT_NONE);
	/* The other VMX instructions do not depend on either. */
	c.invept = false;
	for (unsigned k = 0; k < NELEM(in_vmx_insns) - 2; k++)
		assert_int_equal(vmx_insn_fault(in_vmx_insns[k], &c),
				 VMX_FAULT_NONE);
	c = good_cpu(false);
	c.invept = c.invvpid = false;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_NONE);
}

/* 30.3 VMXON: "IF (register operand) or (CR0.PE = 0) or (CR4.VMXE = 0)
 * or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD". */
static void test_fault_vmxon_ud(void **state)
{
	struct vmx_insn_cpu c;

	(void)state;
	for (int in = 0; in < 2; in++) {
		c = good_cpu(in);
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_NONE);
		c = good_cpu(in);
		c.cr4 &= ~CR4_VMXE_;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_UD);
		c = good_cpu(in);
		c.cr0 &= ~CR0_PE_;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_UD);
		c = good_cpu(in);
		c.rflags |= RFLAGS_VM_;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_UD);
		c = good_cpu(in);
		c.cs_l = false;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_UD);
		/* #UD before #GP(0), CPL and A20M included. */
		c = good_cpu(in);
		c.cr4 &= ~CR4_VMXE_;
		c.cpl = 3;
		c.a20m = true;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_UD);
	}
	/* Legacy protected mode (32-bit L1) may execute VMXON. */
	c = good_cpu(false);
	c.efer = 0;
	c.cs_l = false;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_NONE);
}

/* 30.3 VMXON outside VMX operation: "IF (CPL > 0) or (in A20M mode) or
 * (the values of CR0 and CR4 are not supported in VMX operation) or (bit
 * 0 (lock bit) of IA32_FEATURE_CONTROL MSR is clear) or (outside SMX
 * operation and bit 2 of IA32_FEATURE_CONTROL MSR is clear) THEN #GP(0)". */
static void test_fault_vmxon_gp_outside(void **state)
{
	struct vmx_insn_cpu c;

	(void)state;
	for (unsigned cpl = 1; cpl <= 3; cpl++) {
		c = good_cpu(false);
		c.cpl = cpl;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_GP0);
	}
	c = good_cpu(false);
	c.a20m = true;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_GP0);

	/* 23.8: a CR0 bit fixed to 1 that is 0 (NE), a bit fixed to 0. */
	c = good_cpu(false);
	c.cr0 &= ~CR0_NE_;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_GP0);
	c = good_cpu(false);
	c.cr0_fixed1 &= ~(1ull << 30); /* CD may not be 1 */
	c.cr0 |= 1ull << 30;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_GP0);
	c.cr0 &= ~(1ull << 30);
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_NONE);
	/* CR4: PAE fixed to 1 but clear; SMXE set but fixed to 0. */
	c = good_cpu(false);
	c.cr4 &= ~CR4_PAE_;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_GP0);
	c = good_cpu(false);
	c.cr4 |= CR4_SMXE_;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_GP0);
	c.cr4_fixed1 |= CR4_SMXE_;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_NONE);

	/* IA32_FEATURE_CONTROL (23.7): lock bit, bit 2 (outside SMX); bit
	 * 1 (inside SMX) alone does not do outside SMX. */
	static const struct { uint64_t fc; enum vmx_insn_fault f; } fc[] = {
		{ 0, VMX_FAULT_GP0 }, { 1, VMX_FAULT_GP0 },
		{ 4, VMX_FAULT_GP0 }, { 6, VMX_FAULT_GP0 },
		{ 3, VMX_FAULT_GP0 }, { 5, VMX_FAULT_NONE },
		{ 7, VMX_FAULT_NONE }, { 0xff07, VMX_FAULT_NONE },
		{ 0xfffffffffffffffaull, VMX_FAULT_GP0 },
	};
	for (unsigned k = 0; k < NELEM(fc); k++) {
		c = good_cpu(false);
		c.feature_control = fc[k].fc;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), fc[k].f);
	}
}

/* 30.3 VMXON in VMX root operation: "ELSIF CPL > 0 THEN #GP(0) ... ELSE
 * VMfail" -- the outside-only #GP(0) conditions do not apply. */
static void test_fault_vmxon_inside(void **state)
{
	struct vmx_insn_cpu c = good_cpu(true);

	(void)state;
	c.a20m = true;
	c.feature_control = 0;
	c.cr0 &= ~CR0_NE_;
	assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c), VMX_FAULT_NONE);
	for (unsigned cpl = 1; cpl <= 3; cpl++) {
		c.cpl = cpl;
		assert_int_equal(vmx_insn_fault(VMX_INSN_VMXON, &c),
				 VMX_FAULT_GP0);
	}
}

/* ---- 30.2: VMsucceed, VMfailInvalid, VMfailValid ----------------------- */

static void test_vmx_fail(void **state)
{
	struct vmx_result r;

	(void)state;
	assert_int_equal(VMCS_PTR_NONE, 0xffffffffffffffffull);
	r = vmx_fail(VMCS_PTR_NONE, 7);
	assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
	assert_int_equal(r.error, 0);
	r = vmx_fail(0x1000, 7);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 7);
	/* Physical address 0 is a VMCS pointer like any other. */
	r = vmx_fail(0, 12);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 12);
	r = vmx_succeed();
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	assert_int_equal(r.error, 0);
}

/* 30.2: CF, PF, AF, ZF, SF, OF (bits 0, 2, 4, 6, 7, 11) cleared, then CF
 * (VMfailInvalid) or ZF (VMfailValid) set; other bits untouched. */
static void test_result_rflags(void **state)
{
	const uint64_t arith = 0x8d5;
	static const uint64_t in[] = { 0x2, ~0ull, 0x8d7, 0x246, 0x20302,
				       0xffffffff00000002ull };
	struct vmx_result s = { VMX_R_SUCCEED, 0 };
	struct vmx_result fi = { VMX_R_FAIL_INVALID, 0 };
	struct vmx_result fv = { VMX_R_FAIL_VALID, 5 };

	(void)state;
	for (unsigned k = 0; k < NELEM(in); k++) {
		assert_int_equal(vmx_result_rflags(in[k], s), in[k] & ~arith);
		assert_int_equal(vmx_result_rflags(in[k], fi),
				 (in[k] & ~arith) | 1);
		assert_int_equal(vmx_result_rflags(in[k], fv),
				 (in[k] & ~arith) | 0x40);
	}
	assert_int_equal(vmx_result_rflags(0x2, fi), 0x3);
	assert_int_equal(vmx_result_rflags(0x2, fv), 0x42);
	assert_int_equal(vmx_result_rflags(0x8d7, s), 0x2);
	assert_int_equal(vmx_result_rflags(0x302, fv), 0x342);
}

/* ---- pointers and revisions (30.3 VMXON, VMCLEAR, VMPTRLD) ------------- */

static void test_phys_ptr_ok(void **state)
{
	(void)state;
	assert_true(vmx_phys_ptr_ok(0, 36));
	assert_true(vmx_phys_ptr_ok(0x1000, 36));
	assert_false(vmx_phys_ptr_ok(0x1001, 36));
	assert_false(vmx_phys_ptr_ok(0x1800, 36));
	assert_false(vmx_phys_ptr_ok(0x1008, 36));
	assert_true(vmx_phys_ptr_ok((1ull << 36) - 0x1000, 36));
	assert_false(vmx_phys_ptr_ok(1ull << 36, 36));
	assert_false(vmx_phys_ptr_ok(1ull << 63, 36));
	assert_true(vmx_phys_ptr_ok(0xfffff000, 32));
	assert_false(vmx_phys_ptr_ok(0x100000000ull, 32));
	assert_true(vmx_phys_ptr_ok((1ull << 52) - 0x1000, 52));
	assert_false(vmx_phys_ptr_ok(1ull << 52, 52));
	assert_true(vmx_phys_ptr_ok(0xfffffffffffff000ull, 64));
	assert_false(vmx_phys_ptr_ok(0xfffffffffffff800ull, 64));
}

#define REV 0x12345u

static void test_vmxon(void **state)
{
	struct vmx_result r;

	(void)state;
	r = vmx_vmxon(0x2000, 36, REV, REV);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	/* Every failure is VMfailInvalid: no current VMCS outside VMX
	 * operation. */
	static const struct { uint64_t ptr; uint32_t rev; } bad[] = {
		{ 0x2004, REV }, { 0x2800, REV }, { 1ull << 36, REV },
		{ 1ull << 40, REV }, { 0x2000, REV + 1 }, { 0x2000, 0 },
		{ 0x2000, REV | 0x80000000u }, { 0x2000, 0x80000000u },
		{ 0x2000, REV | 0x40000000u }, { 0x2000, 0xffffffffu },
	};
	for (unsigned k = 0; k < NELEM(bad); k++) {
		r = vmx_vmxon(bad[k].ptr, 36, bad[k].rev, REV);
		assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
		assert_int_equal(r.error, 0);
	}
}

static void test_vmclear(void **state)
{
	const uint64_t vmxon = 0x3000, cur = 0x5000;
	struct vmx_result r;

	(void)state;
	r = vmx_vmclear(0x4000, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	r = vmx_vmclear(cur, 36, vmxon, cur); /* the current VMCS itself */
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	r = vmx_vmclear(0x4000, 36, vmxon, VMCS_PTR_NONE);
	assert_int_equal(r.kind, VMX_R_SUCCEED);

	/* Error 2: "VMCLEAR with invalid physical address". */
	r = vmx_vmclear(0x4010, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 2);
	r = vmx_vmclear(1ull << 36, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 2);
	r = vmx_vmclear(0x4010, 36, vmxon, VMCS_PTR_NONE);
	assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
	/* Error 3: "VMCLEAR with VMXON pointer". */
	r = vmx_vmclear(vmxon, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 3);
	r = vmx_vmclear(vmxon, 36, vmxon, VMCS_PTR_NONE);
	assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
	/* The address check comes first. */
	r = vmx_vmclear(0x3001, 36, 0x3001, cur);
	assert_int_equal(r.error, 2);
}

static void test_vmptrld(void **state)
{
	const uint64_t vmxon = 0x3000, cur = 0x5000;
	struct vmx_result r;

	(void)state;
	r = vmx_vmptrld_ptr(0x4000, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	r = vmx_vmptrld_ptr(cur, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	/* Error 9: "VMPTRLD with invalid physical address". */
	r = vmx_vmptrld_ptr(0x4fff, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 9);
	r = vmx_vmptrld_ptr(1ull << 39, 39, vmxon, cur);
	assert_int_equal(r.error, 9);
	r = vmx_vmptrld_ptr(0x4fff, 36, vmxon, VMCS_PTR_NONE);
	assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
	/* Error 10: "VMPTRLD with VMXON pointer". */
	r = vmx_vmptrld_ptr(vmxon, 36, vmxon, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 10);
	r = vmx_vmptrld_ptr(0x3008, 36, 0x3008, cur);
	assert_int_equal(r.error, 9);

	/* Error 11: "VMPTRLD with incorrect VMCS revision identifier";
	 * bit 31 (shadow VMCS) only where "VMCS shadowing" may be 1. */
	r = vmx_vmptrld_rev(REV, REV, false, cur);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	r = vmx_vmptrld_rev(REV + 1, REV, true, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 11);
	r = vmx_vmptrld_rev(REV | 0x80000000u, REV, false, cur);
	assert_int_equal(r.kind, VMX_R_FAIL_VALID);
	assert_int_equal(r.error, 11);
	r = vmx_vmptrld_rev(REV | 0x80000000u, REV, true, cur);
	assert_int_equal(r.kind, VMX_R_SUCCEED);
	r = vmx_vmptrld_rev((REV + 1) | 0x80000000u, REV, true, cur);
	assert_int_equal(r.error, 11);
	r = vmx_vmptrld_rev(REV | 0x40000000u, REV, true, cur);
	assert_int_equal(r.error, 11);
	r = vmx_vmptrld_rev(0, REV, false, VMCS_PTR_NONE);
	assert_int_equal(r.kind, VMX_R_FAIL_INVALID);
}

/* ---- INVEPT / INVVPID (30.3; capabilities A.10) ------------------------ */

#define CAP_INVEPT_SINGLE (1ull << 25)
#define CAP_INVEPT_ALL (1ull << 26)
#define CAP_INVVPID_ADDR (1ull << 40)
#define CAP_INVVPID_SINGLE (1ull << 41)
#define CAP_INVVPID_ALL (1ull << 42)
#define CAP_INVVPID_SINGLE_G (1ull << 43)

static void test_invept_type(void **state)
{
	static const uint64_t caps_all = CAP_INVEPT_SINGLE | CAP_INVEPT_ALL;

	(void)state;
	assert_true(vmx_invept_type_ok(1, caps_all));
	assert_true(vmx_invept_type_ok(2, caps_all));
	assert_false(vmx_invept_type_ok(0, caps_all));
	assert_false(vmx_invept_type_ok(3, caps_all));
	assert_false(vmx_invept_type_ok((1ull << 32) | 1, caps_all));
	assert_false(vmx_invept_type_ok(~0ull, caps_all));
	assert_true(vmx_invept_type_ok(1, CAP_INVEPT_SINGLE));
	assert_false(vmx_invept_type_ok(2, CAP_INVEPT_SINGLE));
	assert_false(vmx_invept_type_ok(1, CAP_INVEPT_ALL));
	assert_true(vmx_invept_type_ok(2, CAP_INVEPT_ALL));
	/* Bit 20 is "INVEPT supported", not a type. */
	assert_false(vmx_invept_type_ok(1, 1ull << 20));
	assert_false(vmx_invept_type_ok(2, ~0ull & ~caps_all));
}

/* The 30.3 INVVPID pseudo-code, in its order, from the two predicates:
 * true where it would VMfail(28). */
static bool invvpid_fails(uint64_t type, uint64_t lo, uint64_t hi,
			  uint64_t caps, bool la57)
{
	return !vmx_invvpid_type_ok(type, caps) ||
	       !vmx_invvpid_desc_ok(type, lo, hi, la57);
}

static void test_invvpid_types(void **state)
{
	const uint64_t all = CAP_INVVPID_ADDR | CAP_INVVPID_SINGLE |
			     CAP_INVVPID_ALL | CAP_INVVPID_SINGLE_G;
	static const uint64_t bits[4] = { CAP_INVVPID_ADDR, CAP_INVVPID_SINGLE,
					  CAP_INVVPID_ALL,
					  CAP_INVVPID_SINGLE_G };

	(void)state;
	for (uint64_t t = 0; t < 4; t++) {
		assert_true(vmx_invvpid_type_ok(t, all));
		assert_true(vmx_invvpid_type_ok(t, bits[t]));
		assert_false(vmx_invvpid_type_ok(t, all & ~bits[t]));
		/* Bit 32 is "INVVPID supported", not a type. */
		assert_false(vmx_invvpid_type_ok(t, 1ull << 32));
	}
	static const uint64_t bad[] = { 4, 5, 23, 24, 63, 64, 1ull << 32,
					~0ull };
	for (unsigned k = 0; k < NELEM(bad); k++)
		assert_false(vmx_invvpid_type_ok(bad[k], ~0ull));
}

static void test_invvpid_desc(void **state)
{
	const uint64_t all = 0xfull << 40;
	const uint64_t canon_lo = 0x00007ffffffff000ull;
	const uint64_t canon_hi = 0xffff800000000000ull;
	const uint64_t noncanon48 = 0x0000800000000000ull;
	const uint64_t noncanon57 = 0x0100000000000000ull;

	(void)state;
	/* A good descriptor for every type. */
	for (uint64_t t = 0; t < 4; t++) {
		assert_false(invvpid_fails(t, 1, canon_lo, all, false));
		assert_false(invvpid_fails(t, 0xffff, canon_hi, all, false));
		/* "IF INVVPID_DESC[63:16] != 0 THEN VMfail" for every
		 * type, all-context included. */
		assert_true(invvpid_fails(t, 0x10001, 0, all, false));
		assert_true(invvpid_fails(t, 1ull << 63 | 1, 0, all, false));
		assert_true(invvpid_fails(t, 0xffffffffffff0001ull, 0, all,
					  false));
	}
	/* VPID 0: a failure for individual-address, single-context and
	 * single-context-retaining-globals; all-context takes any VPID. */
	assert_true(invvpid_fails(0, 0, 0, all, false));
	assert_true(invvpid_fails(1, 0, 0, all, false));
	assert_false(invvpid_fails(2, 0, 0, all, false));
	assert_true(invvpid_fails(3, 0, 0, all, false));
	/* Individual-address: INVVPID_DESC[127:64] canonical. */
	assert_true(invvpid_fails(0, 1, noncanon48, all, false));
	assert_false(invvpid_fails(0, 1, noncanon48, all, true));
	assert_true(invvpid_fails(0, 1, noncanon57, all, true));
	assert_true(invvpid_fails(0, 1, 0x01ffffffffffffffull, all, true));
	assert_false(invvpid_fails(0, 1, 0x00ffffffffffffffull, all, true));
	assert_false(invvpid_fails(0, 1, 0xff00000000000000ull, all, true));
	assert_false(invvpid_fails(0, 1, 0xffffffffffffffffull, all, false));
	assert_true(invvpid_fails(0, 1, 0x8000000000000000ull, all, false));
	assert_true(invvpid_fails(0, 1, 0x7fff800000000000ull, all, false));
	/* The other types ignore bits 127:64. */
	for (uint64_t t = 1; t < 4; t++)
		assert_false(invvpid_fails(t, 1, noncanon57, all, false));
	assert_false(invvpid_fails(2, 0, noncanon57, all, false));
	/* The type check comes first: an unsupported type fails even with
	 * a good descriptor. */
	assert_true(invvpid_fails(0, 1, 0, all & ~CAP_INVVPID_ADDR, false));
	assert_true(invvpid_fails(4, 1, 0, ~0ull, false));
}

/* ---- VMREAD/VMWRITE field operand (30.3) ------------------------------- */

static void test_field_operand(void **state)
{
	(void)state;
	assert_true(vmx_field_operand_ok(0x4402, true));
	assert_true(vmx_field_operand_ok(0xffffffffull, true));
	assert_false(vmx_field_operand_ok(0x100004402ull, true));
	assert_false(vmx_field_operand_ok(1ull << 63, true));
	/* Outside 64-bit mode the operand is 32 bits: nothing to check. */
	assert_true(vmx_field_operand_ok(0x4402, false));
	assert_true(vmx_field_operand_ok(0xffffffffull, false));
}

/* ---- memory operands (Vol. 3A 3.4.5.1, 5.3, 5.4.1; Vol. 1 3.3.7.1) ---- */

enum { ES, CS, SS, DS, FS, GS };
/* VMCS access-rights format (24.4.1): type 3:0, S 4, DPL 6:5, P 7, L 13,
 * D/B 14, G 15, unusable 16. */
#define AR(type) ((type) | 0x10u | 0x80u | 0x4000u | 0x8000u)
#define AR_RW AR(3)
#define AR_RO AR(1)
#define AR_XR AR(0xb)    /* code, execute/read */
#define AR_XO AR(9)      /* code, execute-only */
#define AR_XR_CONF AR(0xf)
#define AR_DOWN_B AR(7)  /* data, read/write, expand-down, B = 1 */
#define AR_DOWN_B0 (AR(7) & ~0x4000u)
#define AR_DOWN_RO AR(5)
#define AR_UNUSABLE 0x10000u

static enum vmx_mem_fault mem32(unsigned seg, uint32_t ar, uint32_t limit,
				uint64_t ea, unsigned size, bool write)
{
	return vmx_mem_operand_fault(seg, ar, limit, ea, ea + 0x10000, size,
				     write, false, false);
}

static enum vmx_mem_fault mem64(unsigned seg, uint32_t ar, uint64_t la,
				unsigned size, bool write, bool la57)
{
	return vmx_mem_operand_fault(seg, ar, 0, 0x1234, la, size, write,
				     true, la57);
}

static void test_mem_64bit_canonical(void **state)
{
	(void)state;
	assert_int_equal(mem64(DS, AR_RW, 0x00007ffffffffff8ull, 8, false,
			       false), VMX_MEM_OK);
	/* The last byte counts: 0x7ffffffffffff9 + 7 is not canonical. */
	assert_int_equal(mem64(DS, AR_RW, 0x00007ffffffffff9ull, 8, false,
			       false), VMX_MEM_GP0);
	assert_int_equal(mem64(SS, AR_RW, 0x00007ffffffffff9ull, 8, true,
			       false), VMX_MEM_SS0);
	assert_int_equal(mem64(DS, AR_RW, 0x00007fffffffffffull, 1, false,
			       false), VMX_MEM_OK);
	assert_int_equal(mem64(DS, AR_RW, 0x0000800000000000ull, 1, false,
			       false), VMX_MEM_GP0);
	assert_int_equal(mem64(SS, AR_RW, 0x0000800000000000ull, 8, false,
			       false), VMX_MEM_SS0);
	assert_int_equal(mem64(ES, AR_RW, 0xffff800000000000ull, 8, true,
			       false), VMX_MEM_OK);
	assert_int_equal(mem64(FS, AR_RW, 0xffff7ffffffffff8ull, 8, true,
			       false), VMX_MEM_GP0);
	/* 57-bit linear addresses with 5-level paging. */
	assert_int_equal(mem64(GS, AR_RW, 0x0000800000000000ull, 8, false,
			       true), VMX_MEM_OK);
	assert_int_equal(mem64(GS, AR_RW, 0x00fffffffffffff8ull, 8, false,
			       true), VMX_MEM_OK);
	assert_int_equal(mem64(GS, AR_RW, 0x00fffffffffffff9ull, 8, false,
			       true), VMX_MEM_GP0);
	assert_int_equal(mem64(GS, AR_RW, 0x0100000000000000ull, 8, false,
			       true), VMX_MEM_GP0);
	assert_int_equal(mem64(GS, AR_RW, 0xff00000000000000ull, 16, false,
			       true), VMX_MEM_OK);
	/* 64-bit mode: no type, limit or usability checks (3.4.5.1). */
	assert_int_equal(mem64(DS, AR_UNUSABLE, 0x1000, 8, true, false),
			 VMX_MEM_OK);
	assert_int_equal(mem64(CS, AR_XO, 0x1000, 8, true, false), VMX_MEM_OK);
	assert_int_equal(mem64(ES, AR_RO, 0x1000, 8, true, false), VMX_MEM_OK);
}

static void test_mem_unusable_and_system(void **state)
{
	(void)state;
	assert_int_equal(mem32(DS, AR_UNUSABLE, 0xffffffff, 0, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(ES, AR_RW | AR_UNUSABLE, 0xffffffff, 0, 4,
			       false), VMX_MEM_GP0);
	assert_int_equal(mem32(SS, AR_RW | AR_UNUSABLE, 0xffffffff, 0, 4,
			       true), VMX_MEM_SS0);
	/* A system segment (S = 0), e.g. a busy TSS descriptor's type. */
	assert_int_equal(mem32(GS, AR_RW & ~0x10u, 0xffffffff, 0, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(GS, AR_RW, 0xffffffff, 0, 4, false),
			 VMX_MEM_OK);
}

static void test_mem_types(void **state)
{
	(void)state;
	/* Execute-only code cannot be read; code is never written. */
	assert_int_equal(mem32(CS, AR_XO, 0xffff, 0x10, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(CS, AR_XR, 0xffff, 0x10, 4, false), VMX_MEM_OK);
	assert_int_equal(mem32(CS, AR_XR, 0xffff, 0x10, 4, true), VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_XR_CONF, 0xffff, 0x10, 8, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_XR_CONF, 0xffff, 0x10, 8, true),
			 VMX_MEM_GP0);
	/* Type 12: execute-only, conforming. */
	assert_int_equal(mem32(ES, AR(0xc), 0xffff, 0x10, 8, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(ES, AR(0xe), 0xffff, 0x10, 8, false),
			 VMX_MEM_OK);
	/* Read-only data is read, never written. */
	assert_int_equal(mem32(DS, AR_RO, 0xffff, 0x10, 8, false), VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_RO, 0xffff, 0x10, 8, true), VMX_MEM_GP0);
	assert_int_equal(mem32(SS, AR_RO, 0xffff, 0x10, 8, true), VMX_MEM_SS0);
	assert_int_equal(mem32(DS, AR_DOWN_RO, 0xfff, 0x2000, 8, true),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_DOWN_RO, 0xfff, 0x2000, 8, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_RW, 0xffff, 0x10, 8, true), VMX_MEM_OK);
	/* The accessed bit (type bit 0) changes nothing. */
	assert_int_equal(mem32(DS, AR(2), 0xffff, 0x10, 8, true), VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR(0), 0xffff, 0x10, 8, true), VMX_MEM_GP0);
}

static void test_mem_expand_up_limits(void **state)
{
	(void)state;
	assert_int_equal(mem32(DS, AR_RW, 0xffff, 0xfffc, 4, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_RW, 0xffff, 0xfffd, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(SS, AR_RW, 0xffff, 0xfffd, 4, false),
			 VMX_MEM_SS0);
	assert_int_equal(mem32(DS, AR_RW, 0xffff, 0x10000, 1, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_RW, 0, 0, 1, false), VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_RW, 0, 0, 2, false), VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_RW, 0xffffffff, 0xfffffff8, 8, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_RW, 0xffffffff, 0xfffffff9, 8, false),
			 VMX_MEM_GP0);
	/* Code segments are expand-up whatever bit 2 (conforming) says. */
	assert_int_equal(mem32(CS, AR_XR_CONF, 0xfff, 0xffc, 4, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(CS, AR_XR_CONF, 0xfff, 0xffd, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(CS, AR_XR_CONF, 0xfff, 0x2000, 4, false),
			 VMX_MEM_GP0);
}

/* 5.3: an expand-down segment's valid offsets are limit+1 to FFFFH (B =
 * 0) or FFFFFFFFH (B = 1). */
static void test_mem_expand_down_limits(void **state)
{
	(void)state;
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0x1000, 4, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0xfff, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0, 1, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0xfffc, 4, true),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0xfffd, 4, true),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_DOWN_B0, 0xfff, 0x10000, 1, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(SS, AR_DOWN_B0, 0xfff, 0xfff, 2, true),
			 VMX_MEM_SS0);
	assert_int_equal(mem32(SS, AR_DOWN_B0, 0xfff, 0xfffe, 4, true),
			 VMX_MEM_SS0);

	assert_int_equal(mem32(DS, AR_DOWN_B, 0xfff, 0x1000, 8, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_DOWN_B, 0xfff, 0xffc, 8, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(DS, AR_DOWN_B, 0xfff, 0x10000, 4, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_DOWN_B, 0xfff, 0xfffffffc, 4, false),
			 VMX_MEM_OK);
	assert_int_equal(mem32(DS, AR_DOWN_B, 0xfff, 0xfffffffd, 4, false),
			 VMX_MEM_GP0);
	assert_int_equal(mem32(SS, AR_DOWN_B, 0xfff, 0xfffffffd, 4, true),
			 VMX_MEM_SS0);
	/* Limit FFFFFFFFH expand-down (B = 1): no valid offset at all. */
	assert_int_equal(mem32(DS, AR_DOWN_B, 0xffffffff, 0xfffffff0, 4,
			       false), VMX_MEM_GP0);
}

/* ---- EPTP (26.2.1.1, 24.6.11; capabilities A.10) ----------------------- */

#define CAP_WALK4 (1ull << 6)
#define CAP_WALK5 (1ull << 7)
#define CAP_UC (1ull << 8)
#define CAP_WB (1ull << 14)
#define CAP_AD (1ull << 21)

static void test_eptp(void **state)
{
	const uint64_t caps = CAP_WALK4 | CAP_UC | CAP_WB | CAP_AD;
	const uint64_t wb4 = 0x5000 | 6 | (3 << 3);

	(void)state;
	assert_true(vmx_eptp_ok(wb4, caps, 36));
	assert_true(vmx_eptp_ok(0x5000 | 0 | (3 << 3), caps, 36));
	/* Memory types 1-5, 7 never; UC and WB only as the caps say. */
	for (uint64_t t = 1; t < 8; t++)
		if (t != 6)
			assert_false(vmx_eptp_ok((wb4 & ~7ull) | t, ~0ull, 36));
	assert_false(vmx_eptp_ok(wb4, caps & ~CAP_WB, 36));
	assert_false(vmx_eptp_ok(wb4 & ~7ull, caps & ~CAP_UC, 36));
	/* Walk length: 4 with bit 6, 5 with bit 7, nothing else. */
	assert_false(vmx_eptp_ok(wb4, caps & ~CAP_WALK4, 36));
	for (uint64_t w = 0; w < 8; w++) {
		uint64_t e = (wb4 & ~0x38ull) | (w << 3);

		assert_int_equal(vmx_eptp_ok(e, caps | CAP_WALK5, 36),
				 w == 3 || w == 4);
		assert_int_equal(vmx_eptp_ok(e, caps, 36), w == 3);
	}
	/* Accessed and dirty flags (bit 6) only with caps bit 21. */
	assert_true(vmx_eptp_ok(wb4 | 0x40, caps, 36));
	assert_false(vmx_eptp_ok(wb4 | 0x40, caps & ~CAP_AD, 36));
	/* Bits 11:7 reserved. */
	for (unsigned b = 7; b <= 11; b++)
		assert_false(vmx_eptp_ok(wb4 | (1ull << b), ~0ull, 36));
	/* Bits at and above the physical-address width. */
	assert_true(vmx_eptp_ok(wb4 | (1ull << 35), caps, 36));
	assert_false(vmx_eptp_ok(wb4 | (1ull << 36), caps, 36));
	assert_false(vmx_eptp_ok(wb4 | (1ull << 63), caps, 52));
	assert_true(vmx_eptp_ok(wb4 | (1ull << 51), caps, 52));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insn_of_exit),
		cmocka_unit_test(test_insn_names),
		cmocka_unit_test(test_fault_in_vmx_each_condition),
		cmocka_unit_test(test_fault_ud_before_gp),
		cmocka_unit_test(test_fault_invept_invvpid_not_shown),
		cmocka_unit_test(test_fault_vmxon_ud),
		cmocka_unit_test(test_fault_vmxon_gp_outside),
		cmocka_unit_test(test_fault_vmxon_inside),
		cmocka_unit_test(test_vmx_fail),
		cmocka_unit_test(test_result_rflags),
		cmocka_unit_test(test_phys_ptr_ok),
		cmocka_unit_test(test_vmxon),
		cmocka_unit_test(test_vmclear),
		cmocka_unit_test(test_vmptrld),
		cmocka_unit_test(test_invept_type),
		cmocka_unit_test(test_invvpid_types),
		cmocka_unit_test(test_invvpid_desc),
		cmocka_unit_test(test_field_operand),
		cmocka_unit_test(test_mem_64bit_canonical),
		cmocka_unit_test(test_mem_unusable_and_system),
		cmocka_unit_test(test_mem_types),
		cmocka_unit_test(test_mem_expand_up_limits),
		cmocka_unit_test(test_mem_expand_down_limits),
		cmocka_unit_test(test_eptp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
