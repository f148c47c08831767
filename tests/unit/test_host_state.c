/* Unit tests for nested/host_state.c: L1's state after a VM exit, from the
 * vmcs12's host-state area and VM-exit controls (SDM Vol. 3C 27.5.1 control
 * registers, debug registers, MSRs; 27.5.2 segment and descriptor-table
 * registers; 27.5.3 RIP, RSP, RFLAGS). Expected values are written out
 * from the SDM here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "nested/host_state.h"

/* VM-exit controls (24.7.1, Table 24-13). */
#define X_HOST64 (1u << 9)
#define X_LOAD_PERF (1u << 12)
#define X_LOAD_PAT (1u << 19)
#define X_LOAD_EFER (1u << 21)
#define X_CLEAR_BNDCFGS (1u << 23)

#define LME (1ull << 8)
#define LMA (1ull << 10)
#define SCE 1ull
#define NXE (1ull << 11)

/* A host-state area with every field distinct. */
static void host_fields(struct vmcs12 *f, uint32_t exit)
{
	memset(f, 0, sizeof(*f));
	f->EXIT_CONTROLS = exit;
	f->HOST_CR0 = 0x80000031;  /* PG, NE, ET, PE */
	f->HOST_CR3 = 0x123456000ull;
	f->HOST_CR4 = 0x22020;     /* PCIDE, VMXE, PAE */
	f->HOST_ES_SELECTOR = 0x18;
	f->HOST_CS_SELECTOR = 0x08;
	f->HOST_SS_SELECTOR = 0x10;
	f->HOST_DS_SELECTOR = 0x20;
	f->HOST_FS_SELECTOR = 0x28;
	f->HOST_GS_SELECTOR = 0x30;
	f->HOST_TR_SELECTOR = 0x40;
	f->HOST_FS_BASE = 0xffff888000001000ull;
	f->HOST_GS_BASE = 0xffff888000002000ull;
	f->HOST_TR_BASE = 0xffff888000003000ull;
	f->HOST_GDTR_BASE = 0xffff888000004000ull;
	f->HOST_IDTR_BASE = 0xffff888000005000ull;
	f->HOST_IA32_SYSENTER_CS = 0x1234;
	f->HOST_IA32_SYSENTER_ESP = 0xffff888000006000ull;
	f->HOST_IA32_SYSENTER_EIP = 0xffffffff81000000ull;
	f->HOST_IA32_EFER = SCE | NXE | LME | LMA;
	f->HOST_IA32_PAT = 0x0007040600070406ull;
	f->HOST_IA32_PERF_GLOBAL_CTRL = 0x70000000full;
	f->HOST_RIP = 0xffffffff81234567ull;
	f->HOST_RSP = 0xffffc90000007ff8ull;
}

/* 27.5.1: CR0 bits loaded: 0-3, 5, 16, 18, 31; the rest (ET, NW, CD,
 * 63:32, 28:19, 17, 15:6) keep L1's values. */
static void test_cr0_kept_bits(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;
	const uint64_t loaded = 0x8005002full;

	(void)state;
	host_fields(&f, X_HOST64);
	f.HOST_CR0 = ~0ull;
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.cr0, loaded);
	f.HOST_CR0 = 0;
	nested_host_state(&f, ~0ull, 0, &o);
	assert_int_equal(o.cr0, ~loaded);
	/* A realistic pair: CD and NW from L1 (caching off), PG/WP/NE
	 * from the field. */
	f.HOST_CR0 = 0x80010031ull;
	nested_host_state(&f, 0x60000011ull, 0, &o);
	assert_int_equal(o.cr0, 0xe0010031ull);
	f.HOST_CR0 = 0x80000021ull; /* ET clear in the field: L1's kept */
	nested_host_state(&f, 0x00000011ull, 0, &o);
	assert_int_equal(o.cr0, 0x80000031ull);
}

/* 27.5.1: CR3 loaded; CR4 loaded, PAE set for a 64-bit host, PCIDE
 * cleared for a 32-bit one. */
static void test_cr3_cr4(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, X_HOST64);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.cr3, 0x123456000ull);
	assert_int_equal(o.cr4, 0x22020);
	f.HOST_CR4 = 0x2000;
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.cr4, 0x2020);

	host_fields(&f, 0);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.cr4, 0x2020); /* PCIDE gone, PAE stays */
	f.HOST_CR4 = 0x2010;             /* PSE, no PAE: left so */
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.cr4, 0x2010);
}

/* 27.5.1: EFER from the field with "load IA32_EFER"; otherwise L1's with
 * LMA and LME set to "host address-space size". */
static void test_efer(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, X_HOST64 | X_LOAD_EFER);
	nested_host_state(&f, 0, SCE, &o);
	assert_int_equal(o.efer, SCE | NXE | LME | LMA);
	host_fields(&f, X_LOAD_EFER);
	f.HOST_IA32_EFER = NXE;
	nested_host_state(&f, 0, SCE | LME | LMA, &o);
	assert_int_equal(o.efer, NXE);

	host_fields(&f, X_HOST64);
	nested_host_state(&f, 0, SCE | NXE, &o);
	assert_int_equal(o.efer, SCE | NXE | LME | LMA);
	host_fields(&f, 0);
	nested_host_state(&f, 0, SCE | NXE | LME | LMA, &o);
	assert_int_equal(o.efer, SCE | NXE);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.efer, 0);
}

/* 27.5.1: DR7 = 400H, DEBUGCTL cleared, SYSENTER MSRs loaded in full
 * (Intel 64: whatever the host address-space size), PAT and
 * PERF_GLOBAL_CTRL with their controls, BNDCFGS cleared with its. */
static void test_dr7_and_msrs(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	for (int h64 = 0; h64 < 2; h64++) {
		host_fields(&f, h64 ? X_HOST64 : 0);
		nested_host_state(&f, 0, 0, &o);
		assert_int_equal(o.dr7, 0x400);
		assert_int_equal(o.debugctl, 0);
		assert_int_equal(o.sysenter_cs, 0x1234);
		assert_int_equal(o.sysenter_esp, 0xffff888000006000ull);
		assert_int_equal(o.sysenter_eip, 0xffffffff81000000ull);
		assert_false(o.load_pat);
		assert_false(o.load_perf_global_ctrl);
		assert_false(o.clear_bndcfgs);
	}
	host_fields(&f, X_HOST64 | X_LOAD_PAT | X_LOAD_PERF | X_CLEAR_BNDCFGS);
	nested_host_state(&f, 0, 0, &o);
	assert_true(o.load_pat);
	assert_int_equal(o.pat, 0x0007040600070406ull);
	assert_true(o.load_perf_global_ctrl);
	assert_int_equal(o.perf_global_ctrl, 0x70000000full);
	assert_true(o.clear_bndcfgs);
}

/* 27.5.2 access rights (VMCS format, 24.4.1): type 3:0, S 4, DPL 6:5,
 * P 7, L 13, D/B 14, G 15, unusable 16. */
#define AR_CS64 0xa09bu   /* type 11, S, P, L, G */
#define AR_CS32 0xc09bu   /* type 11, S, P, D/B, G */
#define AR_DATA 0xc093u   /* type 3, S, P, D/B, G */
#define AR_TR 0x008bu     /* busy TSS (11), P; S = 0, G = 0 */
#define AR_UNUSABLE 0x10000u

static void test_segments_64(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, X_HOST64);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.seg[HS_CS].sel, 0x08);
	assert_int_equal(o.seg[HS_CS].base, 0);
	assert_int_equal(o.seg[HS_CS].limit, 0xffffffffu);
	assert_int_equal(o.seg[HS_CS].ar, AR_CS64);
	static const struct { int s; uint16_t sel; uint64_t base; } d[] = {
		{ HS_ES, 0x18, 0 }, { HS_SS, 0x10, 0 }, { HS_DS, 0x20, 0 },
		{ HS_FS, 0x28, 0xffff888000001000ull },
		{ HS_GS, 0x30, 0xffff888000002000ull },
	};
	for (unsigned k = 0; k < sizeof(d) / sizeof(d[0]); k++) {
		assert_int_equal(o.seg[d[k].s].sel, d[k].sel);
		assert_int_equal(o.seg[d[k].s].base, d[k].base);
		assert_int_equal(o.seg[d[k].s].limit, 0xffffffffu);
		assert_int_equal(o.seg[d[k].s].ar, AR_DATA);
	}
	assert_int_equal(o.seg[HS_TR].sel, 0x40);
	assert_int_equal(o.seg[HS_TR].base, 0xffff888000003000ull);
	assert_int_equal(o.seg[HS_TR].limit, 0x67);
	assert_int_equal(o.seg[HS_TR].ar, AR_TR);
	/* LDTR: selector 0, unusable. */
	assert_int_equal(o.seg[HS_LDTR].sel, 0);
	assert_true(o.seg[HS_LDTR].ar & AR_UNUSABLE);
	/* GDTR/IDTR: bases loaded, limits FFFFH. */
	assert_int_equal(o.gdtr_base, 0xffff888000004000ull);
	assert_int_equal(o.idtr_base, 0xffff888000005000ull);
	assert_int_equal(o.gdtr_limit, 0xffff);
	assert_int_equal(o.idtr_limit, 0xffff);
}

static void test_segments_32(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, 0);
	f.HOST_FS_BASE = 0x1000;
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.seg[HS_CS].ar, AR_CS32);
	assert_int_equal(o.seg[HS_SS].ar, AR_DATA);
	assert_int_equal(o.seg[HS_FS].base, 0x1000);
	assert_int_equal(o.seg[HS_TR].ar, AR_TR);
}

/* 27.5.2: a null selector leaves ES, DS, FS, GS (and SS in a 64-bit
 * host) unusable; its base for FS and GS is still loaded; SS.DPL stays 0
 * (the CPL). */
static void test_null_selectors(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, X_HOST64);
	f.HOST_ES_SELECTOR = f.HOST_SS_SELECTOR = f.HOST_DS_SELECTOR = 0;
	f.HOST_FS_SELECTOR = f.HOST_GS_SELECTOR = 0;
	nested_host_state(&f, 0, 0, &o);
	static const int segs[] = { HS_ES, HS_SS, HS_DS, HS_FS, HS_GS };
	for (unsigned k = 0; k < sizeof(segs) / sizeof(segs[0]); k++) {
		assert_int_equal(o.seg[segs[k]].sel, 0);
		assert_true(o.seg[segs[k]].ar & AR_UNUSABLE);
		assert_int_equal(o.seg[segs[k]].ar & 0x60, 0);
	}
	assert_int_equal(o.seg[HS_FS].base, 0xffff888000001000ull);
	assert_int_equal(o.seg[HS_GS].base, 0xffff888000002000ull);
	assert_false(o.seg[HS_CS].ar & AR_UNUSABLE);
	assert_false(o.seg[HS_TR].ar & AR_UNUSABLE);
	/* A selector with only RPL bits or TI set is not null. */
	f.HOST_DS_SELECTOR = 0x0003;
	f.HOST_ES_SELECTOR = 0x0004;
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.seg[HS_DS].ar, AR_DATA);
	assert_int_equal(o.seg[HS_ES].ar, AR_DATA);
}

/* 27.5.3: RIP, RSP loaded (bits 63:32 cleared for a 32-bit host), RFLAGS
 * cleared but bit 1. */
static void test_rip_rsp_rflags(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o;

	(void)state;
	host_fields(&f, X_HOST64);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.rip, 0xffffffff81234567ull);
	assert_int_equal(o.rsp, 0xffffc90000007ff8ull);
	assert_int_equal(o.rflags, 2);
	host_fields(&f, 0);
	nested_host_state(&f, 0, 0, &o);
	assert_int_equal(o.rip, 0x81234567ull);
	assert_int_equal(o.rsp, 0x00007ff8ull);
	assert_int_equal(o.rflags, 2);
}

/* The output is all computed: nothing left over from a previous call. */
static void test_output_overwritten(void **state)
{
	struct vmcs12 f;
	struct l1_host_state o, o2;

	(void)state;
	host_fields(&f, X_HOST64);
	nested_host_state(&f, 0x10, SCE, &o);
	memset(&o2, 0xa5, sizeof(o2));
	nested_host_state(&f, 0x10, SCE, &o2);
	assert_memory_equal(&o, &o2, sizeof(o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0_kept_bits),
		cmocka_unit_test(test_cr3_cr4),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_dr7_and_msrs),
		cmocka_unit_test(test_segments_64),
		cmocka_unit_test(test_segments_32),
		cmocka_unit_test(test_null_selectors),
		cmocka_unit_test(test_rip_rsp_rflags),
		cmocka_unit_test(test_output_overwritten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
