/* Unit tests for nested/vmcs02_merge.c: vmcs02's controls from L0's needs
 * and L1's vmcs12 (SDM Vol. 3C 24.6, 25.1-25.3, 28.3.3.1). The oracles
 * (which #PF, MSR access, port access exits) are written here from the
 * SDM, independently of the code under test. Fixture: Bochs
 * corei7_skylake_x-like allowed settings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/regs.h"
#include "nested/vmcs02_merge.h"
#include "vmx/vmx_controls.h"

/* ---- oracles ---- */

/* 25.2 */
static bool pf_exits(const struct pf_intercept *p, uint32_t pfec)
{
	return p->bitmap_bit == ((pfec & p->mask) == p->match);
}

/* 24.6.9, 25.1.3: without bitmaps every access exits; outside the two
 * ranges every access exits; else the bit of the right 1-KByte part. */
static bool msr_exits(bool uses, const uint8_t *bm, uint32_t msr, bool wr)
{
	unsigned base;

	if (!uses)
		return true;
	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		base = 1024;
	else
		return true;
	base += wr ? 2048 : 0;
	msr &= 0x1fff;
	return bm[base + msr / 8] >> (msr % 8) & 1;
}

/* 25.1.3: ports port..port+size-1; a wrap past FFFFH exits. */
static bool io_exits(uint32_t proc, const uint8_t *a, const uint8_t *b,
		     unsigned port, unsigned size)
{
	if (!(proc & PROC_USE_IO_BITMAPS))
		return (proc & PROC_UNCONDITIONAL_IO_EXITING) != 0;
	if (port + size - 1 > 0xffff)
		return true;
	for (unsigned p = port; p < port + size; p++) {
		const uint8_t *bm = p < 0x8000 ? a : b;
		unsigned i = p & 0x7fff;

		if (bm[i / 8] >> (i % 8) & 1)
			return true;
	}
	return false;
}

/* ---- fixture ---- */

static struct vmx_config cpu;
static uint8_t l0_msr[4096], l0_ioa[4096], l0_iob[4096];
static uint8_t mem_msr[4096], mem_ioa[4096], mem_iob[4096];
static uint8_t out_msr[4096], out_ioa[4096], out_iob[4096];
#define GPA_MSR 0x10000ull
#define GPA_IOA 0x20000ull
#define GPA_IOB 0x30000ull
static uint64_t fail_gpa = ~0ull;

static bool read_l1(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	if (gpa == fail_gpa || len != 4096)
		return false;
	if (gpa == GPA_MSR)
		memcpy(buf, mem_msr, len);
	else if (gpa == GPA_IOA)
		memcpy(buf, mem_ioa, len);
	else if (gpa == GPA_IOB)
		memcpy(buf, mem_iob, len);
	else
		return false;
	return true;
}

static void setup_all(struct vmcs02_l0 *l0, struct vmcs12 *v,
		      struct vmcs02_out *o)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.allowed0[VMX_PIN] = 0x16;
	cpu.allowed1[VMX_PIN] = 0x7f;
	cpu.allowed0[VMX_PROC] = 0x04006172;
	cpu.allowed1[VMX_PROC] = 0xfff9fffe;
	cpu.allowed1[VMX_PROC2] = 0x0005ffff & ~PROC2_ENABLE_PML;
	cpu.allowed0[VMX_EXIT] = 0x36dfb & ~0x200u;
	cpu.allowed1[VMX_EXIT] = 0x3fffff;
	cpu.allowed0[VMX_ENTRY] = 0x11fb;
	cpu.allowed1[VMX_ENTRY] = 0xffff;
	cpu.cr3_target_count = 4;
	memset(l0, 0, sizeof(*l0));
	l0->cpu = &cpu;
	l0->ctls.pin = 0x16 | PIN_NMI_EXITING | PIN_EXTERNAL_INTERRUPT_EXITING |
		       PIN_VIRTUAL_NMIS;
	l0->ctls.proc = 0x04006172 | PROC_SECONDARY_CONTROLS |
			PROC_USE_MSR_BITMAPS | PROC_USE_IO_BITMAPS;
	l0->ctls.proc2 = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST |
			 PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP;
	l0->ctls.exit = 0x36dfb | EXIT_HOST_ADDR_SPACE_SIZE |
			EXIT_LOAD_EFER | EXIT_LOAD_PAT;
	l0->ctls.entry = 0x11fb | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT |
			 ENTRY_IA32E_MODE_GUEST;
	l0->ctls.cr0_mask = CR0_NE;
	l0->ctls.cr4_mask = CR4_VMXE;
	l0->msr_bitmap = l0_msr;
	l0->io_bitmap_a = l0_ioa;
	l0->io_bitmap_b = l0_iob;
	l0->vpid02 = 7;
	memset(v, 0, sizeof(*v));
	v->PIN_BASED_CONTROLS = 0x16;
	v->PROC_BASED_CONTROLS = 0x04006172;
	v->EXIT_CONTROLS = 0x36dfb;
	v->ENTRY_CONTROLS = 0x11fb;
	v->MSR_BITMAP = GPA_MSR;
	v->IO_BITMAP_A = GPA_IOA;
	v->IO_BITMAP_B = GPA_IOB;
	v->GUEST_CR0 = CR0_PE | CR0_PG | CR0_NE | CR0_ET;
	memset(l0_msr, 0, 4096);
	memset(l0_ioa, 0, 4096);
	memset(l0_iob, 0, 4096);
	memset(mem_msr, 0, 4096);
	memset(mem_ioa, 0, 4096);
	memset(mem_iob, 0, 4096);
	memset(o, 0, sizeof(*o));
	o->msr_bitmap = out_msr;
	o->io_bitmap_a = out_ioa;
	o->io_bitmap_b = out_iob;
	fail_gpa = ~0ull;
}

static enum vmcs02_result run(struct vmcs02_l0 *l0, struct vmcs12 *v,
			      struct vmcs02_out *o)
{
	return vmcs02_merge(l0, v, read_l1, NULL, o);
}

/* ---- #PF: the four cases, and every combination over 3 bits ---- */

static void test_pf_cases(void **state)
{
	/* P=1 faults only: bit 14 = 1, mask = match = 1. */
	const struct pf_intercept all = { true, 0, 0 }, none = { false, 0, 0 };
	const struct pf_intercept present = { true, 1, 1 };
	const struct pf_intercept rsvd = { true, 8, 8 };
	const struct pf_intercept all_b0 = { false, 1, 2 }; /* empty test */
	const struct pf_intercept w_present = { true, 3, 3 };
	struct pf_intercept o;

	(void)state;
	/* 1: L0 needs every #PF: every #PF exits, whatever L1 says. */
	assert_false(vmcs02_pf_merge(&all, &present, &o));
	assert_true(o.bitmap_bit);
	assert_int_equal(o.mask, 0);
	assert_int_equal(o.match, 0);
	assert_false(vmcs02_pf_merge(&all_b0, &rsvd, &o)); /* neighbour */
	assert_true(o.bitmap_bit && o.mask == 0 && o.match == 0);
	/* 2: only L1 needs some: L1's mask/match as is. */
	assert_false(vmcs02_pf_merge(&none, &rsvd, &o));
	assert_true(o.bitmap_bit && o.mask == 8 && o.match == 8);
	/* 3: only L0 needs some. */
	assert_false(vmcs02_pf_merge(&present, &none, &o));
	assert_true(o.bitmap_bit && o.mask == 1 && o.match == 1);
	/* 4: different subsets: a cover, flagged. */
	assert_true(vmcs02_pf_merge(&present, &rsvd, &o));
	assert_true(pf_exits(&o, 1) && pf_exits(&o, 8) && pf_exits(&o, 0));
	/* its neighbour: one inside the other is exact. */
	assert_false(vmcs02_pf_merge(&present, &w_present, &o));
	assert_true(o.bitmap_bit && o.mask == 1 && o.match == 1);
}

static void test_pf_exhaustive(void **state)
{
	unsigned surplus = 0, exact = 0;

	(void)state;
	/* Every pair of settings over error-code bits 0-2, each pfec. */
	for (unsigned x = 0; x < 128; x++)
		for (unsigned y = 0; y < 128; y++) {
			struct pf_intercept a = { x & 1, (x >> 1) & 7, x >> 4 };
			struct pf_intercept b = { y & 1, (y >> 1) & 7, y >> 4 };
			struct pf_intercept o;
			bool more = false;
			bool flag = vmcs02_pf_merge(&a, &b, &o);

			for (uint32_t e = 0; e < 16; e++) {
				bool want = pf_exits(&a, e) || pf_exits(&b, e);

				if (want && !pf_exits(&o, e))
					fail_msg("misses pfec %u: %u %u", e, x,
						 y);
				more |= !want && pf_exits(&o, e);
			}
			assert_int_equal(flag, more);
			surplus += more;
			exact += !more;
		}
	assert_true(surplus > 0 && exact > 0);
}

/* ---- CR masks and shadows ---- */

static void test_cr_merge(void **state)
{
	uint64_t m, s;

	(void)state;
	/* bit 0 L1's, bit 1 L0's only, bit 2 both, bit 3 neither. */
	vmcs02_cr_merge(0x6, 0x5, 0x0 /* L1 shadow */, 0xf /* L2 */, &m, &s);
	assert_int_equal(m, 0x7);
	assert_int_equal(s & 0x1, 0);   /* L1's shadow */
	assert_int_equal(s & 0x2, 0x2); /* L2's value */
	assert_int_equal(s & 0x4, 0);   /* L1's shadow wins */
	vmcs02_cr_merge(0x6, 0x5, 0x5, 0x0, &m, &s);
	assert_int_equal(s & 0x7, 0x5);
}

static void test_cr_unrestricted(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	v.CR0_GUEST_HOST_MASK = CR0_TS;
	v.CR0_READ_SHADOW = CR0_TS;
	v.CR4_GUEST_HOST_MASK = CR4_PAE;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	/* No unrestricted guest for L2: PE and PG owned (26.3.1.1). */
	assert_int_equal(o.ctls.cr0_mask, CR0_NE | CR0_TS | CR0_PE | CR0_PG);
	assert_int_equal(o.ctls.cr0_shadow & (CR0_TS | CR0_PE | CR0_NE),
			 CR0_TS | CR0_PE | CR0_NE);
	assert_int_equal(o.ctls.cr4_mask, CR4_VMXE | CR4_PAE);
	assert_false(o.ctls.proc2 & PROC2_UNRESTRICTED_GUEST);
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_EPT |
				    PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.cr0_mask, CR0_NE | CR0_TS);
	assert_true(o.ctls.proc2 & PROC2_UNRESTRICTED_GUEST);
}

/* ---- controls ---- */

static void test_union_and_sides(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc & PROC_HLT_EXITING);
	assert_true(o.ctls.pin & PIN_NMI_EXITING);          /* L0's */
	assert_false(o.ctls.proc2 & PROC2_ENABLE_RDTSCP);   /* L1's 0 */
	assert_false(o.ctls.entry & ENTRY_IA32E_MODE_GUEST); /* L1's 0 */
	assert_true(o.ctls.exit & EXIT_LOAD_EFER);          /* L0's host */
	v.PROC_BASED_CONTROLS |= PROC_HLT_EXITING | PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_RDTSCP | PROC2_WBINVD_EXITING;
	v.ENTRY_CONTROLS |= ENTRY_IA32E_MODE_GUEST;
	v.EXIT_CONTROLS |= EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_SAVE_EFER;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.proc & PROC_HLT_EXITING);
	assert_true(o.ctls.proc2 & PROC2_ENABLE_RDTSCP);
	assert_true(o.ctls.proc2 & PROC2_WBINVD_EXITING);
	assert_true(o.ctls.entry & ENTRY_IA32E_MODE_GUEST);
	/* Host side is L0's: L1's ack-on-exit is emulated at reflection. */
	assert_false(o.ctls.exit & EXIT_ACK_INTERRUPT_ON_EXIT);
	assert_true(o.ctls.exit & EXIT_SAVE_EFER);
	/* Secondary controls off: L1's proc2 counts as 0 (24.6.2). */
	v.PROC_BASED_CONTROLS &= ~PROC_SECONDARY_CONTROLS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc2 & (PROC2_ENABLE_RDTSCP |
				     PROC2_WBINVD_EXITING));
	/* L0's VMCS shadowing serves L1 only. */
	l0.ctls.proc2 |= PROC2_VMCS_SHADOWING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc2 & PROC2_VMCS_SHADOWING);
	/* The secondary activation follows what is left. */
	l0.ctls.proc2 = 0;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc & PROC_SECONDARY_CONTROLS);
}

static void test_entry_loads(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	v.ENTRY_CONTROLS |= ENTRY_LOAD_PAT;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.entry & ENTRY_LOAD_EFER);
	assert_int_equal(o.entry_from_l1, ENTRY_LOAD_EFER);
	v.ENTRY_CONTROLS |= ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG_CONTROLS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.entry_from_l1, 0);
	assert_true(o.ctls.entry & ENTRY_LOAD_DEBUG_CONTROLS);
}

static void test_unbacked(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	/* Allowed by the CPU: passes. */
	v.SECONDARY_PROC_CONTROLS = PROC2_RDSEED_EXITING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	/* Not allowed by the CPU (PML cleared from allowed1). */
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_PML;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_PROC2], PROC2_ENABLE_PML);
	/* Allowed, but the merge composes none of its fields. */
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_VMFUNC;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_PROC2], PROC2_ENABLE_VMFUNC);
	/* Secondary off: the same bits do not count. */
	v.PROC_BASED_CONTROLS &= ~PROC_SECONDARY_CONTROLS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	/* A pin control beyond allowed1. */
	v.PIN_BASED_CONTROLS |= 1u << 9;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_PIN], 1u << 9);
	/* Host-state exit controls are L0's to apply at reflection... */
	setup_all(&l0, &v, &o);
	v.EXIT_CONTROLS |= EXIT_CLEAR_BNDCFGS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.exit & EXIT_CLEAR_BNDCFGS);
	/* ...but not the ones L0 does not emulate (CET state). */
	v.EXIT_CONTROLS |= EXIT_LOAD_CET_STATE;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_EXIT], EXIT_LOAD_CET_STATE);
	setup_all(&l0, &v, &o);
	v.ENTRY_CONTROLS |= ENTRY_TO_SMM;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_ENTRY], ENTRY_TO_SMM);
	/* L1 EPT with no EPT in L0: no EPT02 to shadow it in. */
	setup_all(&l0, &v, &o);
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_EPT;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.shadow_ept);
	assert_true(o.ctls.proc2 & PROC2_ENABLE_EPT);
	l0.ctls.proc2 &= ~PROC2_ENABLE_EPT;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	assert_int_equal(o.unbacked[VMX_PROC2], PROC2_ENABLE_EPT);
}

static void test_ept_vpid(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.shadow_ept); /* EPT02 = EPT01 */
	assert_true(o.ctls.proc2 & PROC2_ENABLE_EPT);
	assert_true(o.ctls.proc2 & PROC2_ENABLE_VPID);
	assert_int_equal(o.vpid, 7);
	assert_true(o.flush_vpid_each_switch); /* L1 has no VPID */
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_ENABLE_VPID;
	v.VPID = 3;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.vpid, 7); /* L0's, never L1's number */
	assert_false(o.flush_vpid_each_switch);
	l0.vpid02 = 0; /* none: VPID off, the CPU flushes always */
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc2 & PROC2_ENABLE_VPID);
	assert_false(o.flush_vpid_each_switch);
}

static void test_exceptions(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	l0.ctls.exc_bitmap = 1u << 6;
	v.EXCEPTION_BITMAP = (1u << 3) | (1u << 14);
	v.PAGE_FAULT_ERROR_CODE_MASK = 1;
	v.PAGE_FAULT_ERROR_CODE_MATCH = 0;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.exc_bitmap, (1u << 3) | (1u << 6) | (1u << 14));
	assert_int_equal(o.ctls.pfec_mask, 1);
	assert_int_equal(o.ctls.pfec_match, 0);
	assert_false(o.pf_surplus);
	/* L0 wants every #PF: mask/match 0/0. */
	l0.ctls.exc_bitmap |= 1u << 14;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.pfec_mask, 0);
	assert_int_equal(o.ctls.pfec_match, 0);
	/* Different subsets: L0 RSVD faults, L1 not-present ones. */
	l0.ctls.pfec_mask = l0.ctls.pfec_match = 8;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.pf_surplus);
	/* No #PF bit on L1: L0's mask/match as is. */
	v.EXCEPTION_BITMAP = 0;
	v.PAGE_FAULT_ERROR_CODE_MASK = 0;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.exc_bitmap, (1u << 6) | (1u << 14));
	assert_int_equal(o.ctls.pfec_mask, 8);
	assert_false(o.pf_surplus);
}

/* ---- bitmaps ---- */

static const uint32_t msrs[] = { 0, 1, 0x10, 0x1ffe, 0x1fff, 0x2000,
				 0xbfffffff, 0xc0000000, 0xc0000080,
				 0xc0001fff, 0xc0002000, 0xffffffff };

static void set_msr(uint8_t *bm, uint32_t msr, bool wr)
{
	unsigned base = (msr >= 0xc0000000u ? 1024 : 0) + (wr ? 2048 : 0);

	msr &= 0x1fff;
	bm[base + msr / 8] |= 1u << (msr % 8);
}

static void test_msr_bitmap(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	set_msr(l0_msr, 0x1fff, false);   /* L0: read of the last low */
	set_msr(l0_msr, 0xc0000000, true);
	set_msr(mem_msr, 0, true);        /* L1: write of the first low */
	set_msr(mem_msr, 0xc0001fff, false);
	v.PROC_BASED_CONTROLS |= PROC_USE_MSR_BITMAPS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.proc & PROC_USE_MSR_BITMAPS);
	assert_ptr_equal(o.msr_page, out_msr);
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		for (int wr = 0; wr < 2; wr++) {
			bool e0 = msr_exits(true, l0_msr, msrs[i], wr);
			bool e1 = msr_exits(true, mem_msr, msrs[i], wr);

			assert_int_equal(msr_exits(true, out_msr, msrs[i], wr),
					 e0 || e1);
		}
	/* The neighbours of each set bit stay clear. */
	assert_false(msr_exits(true, out_msr, 0x1ffe, false));
	assert_false(msr_exits(true, out_msr, 0x1fff, true));
	assert_false(msr_exits(true, out_msr, 0, false));
	assert_false(msr_exits(true, out_msr, 0xc0001ffe, false));
	/* L1 without bitmaps: every MSR exits, so vmcs02 uses none. */
	v.PROC_BASED_CONTROLS &= ~PROC_USE_MSR_BITMAPS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc & PROC_USE_MSR_BITMAPS);
	/* L0 without bitmaps: all exit, L1's bitmap is not even read. */
	fail_gpa = GPA_MSR;
	v.PROC_BASED_CONTROLS |= PROC_USE_MSR_BITMAPS;
	l0.ctls.proc &= ~PROC_USE_MSR_BITMAPS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc & PROC_USE_MSR_BITMAPS);
	l0.ctls.proc |= PROC_USE_MSR_BITMAPS;
	/* L1's bitmap unreadable: stop. */
	v.PROC_BASED_CONTROLS |= PROC_USE_MSR_BITMAPS;
	fail_gpa = GPA_MSR;
	assert_int_equal(run(&l0, &v, &o), VMCS02_READ_FAILED);
	assert_int_equal(o.failed_gpa, GPA_MSR);
}

static void check_ports(uint32_t p0, const uint8_t *a0, const uint8_t *b0,
			uint32_t p1, const struct vmcs02_out *o)
{
	static const unsigned ports[] = { 0, 1, 0x60, 0x7ffe, 0x7fff, 0x8000,
					  0x8001, 0xfffe, 0xffff };

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		for (unsigned sz = 1; sz <= 4; sz *= 2) {
			bool e0 = io_exits(p0, a0, b0, ports[i], sz);
			bool e1 = io_exits(p1, mem_ioa, mem_iob, ports[i], sz);
			bool e = io_exits(o->ctls.proc, o->io_a_page,
					  o->io_b_page, ports[i], sz);

			if (e != (e0 || e1))
				fail_msg("port %#x size %u: %d, want %d",
					 ports[i], sz, e, e0 || e1);
		}
}

static void test_io_bitmap(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	l0_iob[0x0f00 / 8] |= 1; /* 0x8f00 */
	l0_ioa[0x7fff / 8] |= 0x80;
	mem_iob[0] |= 1;         /* 0x8000 */
	mem_iob[0xfff] |= 0x80;  /* 0xffff */
	/* L1 uses no I/O exiting: L0's ports only. */
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.proc & PROC_USE_IO_BITMAPS);
	check_ports(l0.ctls.proc, l0_ioa, l0_iob, v.PROC_BASED_CONTROLS, &o);
	/* ... with L0's own pages, nothing copied. */
	assert_ptr_equal(o.io_a_page, l0_ioa);
	assert_ptr_equal(o.io_b_page, l0_iob);
	assert_false(io_exits(o.ctls.proc, o.io_a_page, o.io_b_page, 0x8000, 1));
	/* L1 bitmaps: the union, at the A/B edge and the top. */
	v.PROC_BASED_CONTROLS |= PROC_USE_IO_BITMAPS |
				 PROC_UNCONDITIONAL_IO_EXITING; /* ignored */
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_false(o.ctls.proc & PROC_UNCONDITIONAL_IO_EXITING);
	check_ports(l0.ctls.proc, l0_ioa, l0_iob, v.PROC_BASED_CONTROLS, &o);
	assert_ptr_equal(o.io_a_page, out_ioa);
	assert_ptr_equal(o.io_b_page, out_iob);
	assert_true(io_exits(o.ctls.proc, out_ioa, out_iob, 0x8000, 1));
	assert_false(io_exits(o.ctls.proc, out_ioa, out_iob, 0x7ffe, 1));
	/* L1 unconditional: every port. */
	v.PROC_BASED_CONTROLS &= ~PROC_USE_IO_BITMAPS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.proc & (PROC_USE_IO_BITMAPS |
					PROC_UNCONDITIONAL_IO_EXITING),
			 PROC_UNCONDITIONAL_IO_EXITING);
	/* L0 without bitmaps, L1 with: L1's only. */
	l0.ctls.proc &= ~PROC_USE_IO_BITMAPS;
	v.PROC_BASED_CONTROLS ^= PROC_USE_IO_BITMAPS |
				 PROC_UNCONDITIONAL_IO_EXITING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	check_ports(l0.ctls.proc, l0_ioa, l0_iob, v.PROC_BASED_CONTROLS, &o);
	assert_false(io_exits(o.ctls.proc, out_ioa, out_iob, 0x7fff, 1));
	/* Bitmap B unreadable. */
	fail_gpa = GPA_IOB;
	assert_int_equal(run(&l0, &v, &o), VMCS02_READ_FAILED);
	assert_int_equal(o.failed_gpa, GPA_IOB);
	/* Neither side: no I/O exiting at all. */
	fail_gpa = ~0ull;
	v.PROC_BASED_CONTROLS &= ~PROC_USE_IO_BITMAPS;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ctls.proc & (PROC_USE_IO_BITMAPS |
					PROC_UNCONDITIONAL_IO_EXITING), 0);
}

/* ---- TSC, CR3 targets, PAUSE loops ---- */

static void test_tsc(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;
	uint64_t off, m;

	(void)state;
	setup_all(&l0, &v, &o);
	l0.ctls.proc |= PROC_TSC_OFFSETTING;
	l0.tsc_offset = (uint64_t)-1000;
	v.TSC_OFFSET = 300; /* not used: L1's offsetting is off */
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.tsc_offset, (uint64_t)-1000);
	assert_int_equal(o.tsc_multiplier, 1ull << 48);
	v.PROC_BASED_CONTROLS |= PROC_TSC_OFFSETTING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.tsc_offset, (uint64_t)-700);
	assert_false(o.ctls.proc2 & PROC2_TSC_SCALING);
	/* L1 scales by 2 (scaling counts only with offsetting, 25.3). */
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_TSC_SCALING;
	v.TSC_MULTIPLIER = 2ull << 48;
	cpu.allowed1[VMX_PROC2] |= PROC2_TSC_SCALING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.proc2 & PROC2_TSC_SCALING);
	assert_int_equal(o.tsc_multiplier, 2ull << 48);
	assert_int_equal(o.tsc_offset, (uint64_t)-1700);
	/* The CPU cannot scale: unbacked. */
	cpu.allowed1[VMX_PROC2] &= ~PROC2_TSC_SCALING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_UNBACKED);
	/* Composition: T -> L1 -> L2 against the formula, both scaling. */
	vmcs02_tsc(12345, 3ull << 47, 1000, 5ull << 46, &off, &m);
	assert_int_equal(m, 15ull << 45); /* 1.5 * 1.25 */
	{
		uint64_t t = 1ull << 40;
		uint64_t l1 = (uint64_t)(((unsigned __int128)t * (3ull << 47))
					 >> 48) + 12345;
		uint64_t l2 = (uint64_t)(((unsigned __int128)l1 * (5ull << 46))
					 >> 48) + 1000;
		uint64_t c = (uint64_t)(((unsigned __int128)t * m) >> 48) + off;

		assert_true(c - l2 + 2 <= 4); /* within 2 ticks */
	}
}

static void test_cr3_targets(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	v.PROC_BASED_CONTROLS |= PROC_CR3_LOAD_EXITING;
	v.CR3_TARGET_COUNT = 2;
	v.CR3_TARGET_VALUE0 = 0x1000;
	v.CR3_TARGET_VALUE1 = 0x2000;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_true(o.ctls.proc & PROC_CR3_LOAD_EXITING);
	assert_int_equal(o.cr3_target_count, 2);
	assert_int_equal(o.cr3_target[1], 0x2000);
	assert_false(o.cr3_surplus);
	/* L0 wants every MOV to CR3: no targets. */
	l0.ctls.proc |= PROC_CR3_LOAD_EXITING;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.cr3_target_count, 0);
	/* More targets than the CPU has: all exit, L0 filters. */
	l0.ctls.proc &= ~PROC_CR3_LOAD_EXITING;
	cpu.cr3_target_count = 1;
	v.CR3_TARGET_COUNT = 2;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.cr3_target_count, 0);
	assert_true(o.cr3_surplus);
}

static void test_ple(void **state)
{
	struct vmcs02_l0 l0;
	struct vmcs12 v;
	struct vmcs02_out o;

	(void)state;
	setup_all(&l0, &v, &o);
	v.PROC_BASED_CONTROLS |= PROC_SECONDARY_CONTROLS;
	v.SECONDARY_PROC_CONTROLS = PROC2_PAUSE_LOOP_EXITING;
	v.PLE_GAP = 64;
	v.PLE_WINDOW = 4096;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ple_gap, 64);
	assert_int_equal(o.ple_window, 4096);
	l0.ctls.proc2 |= PROC2_PAUSE_LOOP_EXITING;
	l0.ple_gap = 128;
	l0.ple_window = 8192;
	assert_int_equal(run(&l0, &v, &o), VMCS02_OK);
	assert_int_equal(o.ple_gap, 128);
	assert_int_equal(o.ple_window, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_cases),
		cmocka_unit_test(test_pf_exhaustive),
		cmocka_unit_test(test_cr_merge),
		cmocka_unit_test(test_cr_unrestricted),
		cmocka_unit_test(test_union_and_sides),
		cmocka_unit_test(test_entry_loads),
		cmocka_unit_test(test_unbacked),
		cmocka_unit_test(test_ept_vpid),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_msr_bitmap),
		cmocka_unit_test(test_io_bitmap),
		cmocka_unit_test(test_tsc),
		cmocka_unit_test(test_cr3_targets),
		cmocka_unit_test(test_ple),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
