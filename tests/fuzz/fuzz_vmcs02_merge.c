/* Fuzz target for the vmcs02 control merge (nested/vmcs02_merge.c).
 *
 * The vmcs12 and L1's bitmaps are untrusted (L1 writes them); L0's side
 * and the CPU's allowed settings are fuzzed too. For any bytes: no crash,
 * no sanitizer report, and when the merge says VMCS02_OK, vmcs02 exits at
 * least whenever L0 or L1 wants (SDM Vol. 3C 25.1-25.3):
 *   - every exception vector, #PF with its error code (25.2), sampled;
 *   - RDMSR/WRMSR of sampled MSRs, range edges included (24.6.9);
 *   - IN/OUT of sampled ports and sizes, A/B edge and wrap (24.6.4);
 *   - the exiting controls that are united;
 *   - CR0/CR4 masks hold both sides', read shadows give L1 its bits;
 *   - MOV to CR3 of sampled values (25.1.3);
 *   - the bits vmcs02 has because of L1 are within allowed1.
 * Any violation traps.
 *
 * Input layout (little endian, short inputs padded with zeros):
 *   u32 l0_ctl[5], exc, pfec_mask, pfec_match
 *   u64 cr0_mask, cr4_mask
 *   u32 allowed0[5], allowed1_xor[5]  (XOR onto all-ones)
 *   u8  cr3_targets, read_fail (bit 0 MSR, 1 I/O A, 2 I/O B)
 *   u16 vpid02
 *   u64 tsc_offset, tsc_mult, bitmap_seed
 *   u32 ple_gap, ple_window
 *   the rest: struct vmcs12, byte for byte; L1's bitmap addresses are
 *   then forced to 0x1000/0x2000/0x3000 so the reads can be steered. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nested/vmcs02_merge.h"
#include "vmx/vmx_controls.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

struct input {
	uint32_t l0_ctl[5], exc, pfec_mask, pfec_match;
	uint64_t cr0_mask, cr4_mask;
	uint32_t allowed0[5], allowed1_xor[5];
	uint8_t cr3_targets, read_fail;
	uint16_t vpid02;
	uint64_t tsc_offset, tsc_mult, bitmap_seed;
	uint32_t ple_gap, ple_window;
} __attribute__((packed));
_Static_assert(sizeof(struct input) == 124, "the generator packs 124");

static uint8_t l0_msr[4096], l0_ioa[4096], l0_iob[4096];
static uint8_t l1_msr[4096], l1_ioa[4096], l1_iob[4096];
static uint8_t o_msr[4096], o_ioa[4096], o_iob[4096];
static uint8_t read_fail;

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Sparse bitmaps: a handful of set bits, some at the edges. */
static void fill(uint8_t *bm, uint64_t *s)
{
	memset(bm, 0, 4096);
	for (int i = 0, n = (int)(rng(s) % 24); i < n; i++) {
		unsigned bit = (unsigned)(rng(s) % 32768);

		if (rng(s) & 1) /* the first or last bit of a part */
			bit = (rng(s) & 1) ? bit / 8192 * 8192 : bit | 0x1fff;
		bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
	}
}

static bool read_l1(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	CHECK(len == 4096);
	if (gpa == 0x1000 && !(read_fail & 1))
		memcpy(buf, l1_msr, len);
	else if (gpa == 0x2000 && !(read_fail & 2))
		memcpy(buf, l1_ioa, len);
	else if (gpa == 0x3000 && !(read_fail & 4))
		memcpy(buf, l1_iob, len);
	else
		return false;
	return true;
}

static bool pf_exits(bool bit, uint32_t mask, uint32_t match, uint32_t pfec)
{
	return bit == ((pfec & mask) == match);
}

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

/* 25.1.3 */
static bool cr3_exits(uint32_t proc, uint32_t n, const uint64_t *t,
		      uint64_t val)
{
	if (!(proc & PROC_CR3_LOAD_EXITING))
		return false;
	for (uint32_t i = 0; i < n && i < 4; i++)
		if (t[i] == val)
			return false;
	return true;
}

/* Exiting controls the merge unites (vmcs02_merge.c). */
static const uint32_t united[VMX_CTL_KINDS] = {
	[VMX_PIN] = PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
	[VMX_PROC] = PROC_INTERRUPT_WINDOW_EXITING | PROC_HLT_EXITING |
		     PROC_INVLPG_EXITING | PROC_MWAIT_EXITING |
		     PROC_RDPMC_EXITING | PROC_RDTSC_EXITING |
		     PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING |
		     PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
		     PROC_NMI_WINDOW_EXITING | PROC_MOV_DR_EXITING |
		     PROC_MONITOR_TRAP_FLAG | PROC_MONITOR_EXITING |
		     PROC_PAUSE_EXITING,
	[VMX_PROC2] = PROC2_DESCRIPTOR_TABLE_EXITING | PROC2_WBINVD_EXITING |
		      PROC2_RDRAND_EXITING | PROC2_RDSEED_EXITING |
		      PROC2_PAUSE_LOOP_EXITING,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	struct vmcs12 v;
	struct vmx_config cpu;
	struct vmcs02_l0 l0;
	struct vmcs02_out o;
	uint64_t s;
	size_t n;

	memset(&in, 0, sizeof(in));
	memset(&v, 0, sizeof(v));
	n = size < sizeof(in) ? size : sizeof(in);
	memcpy(&in, data, n);
	if (size > n)
		memcpy(&v, data + n,
		       size - n < sizeof(v) ? size - n : sizeof(v));
	v.MSR_BITMAP = 0x1000;
	v.IO_BITMAP_A = 0x2000;
	v.IO_BITMAP_B = 0x3000;
	read_fail = in.read_fail;
	s = in.bitmap_seed | 1;
	fill(l0_msr, &s);
	fill(l0_ioa, &s);
	fill(l0_iob, &s);
	fill(l1_msr, &s);
	fill(l1_ioa, &s);
	fill(l1_iob, &s);

	memset(&cpu, 0, sizeof(cpu));
	for (int k = 0; k < VMX_CTL_KINDS; k++) {
		cpu.allowed0[k] = in.allowed0[k];
		cpu.allowed1[k] = ~in.allowed1_xor[k];
	}
	cpu.cr3_target_count = in.cr3_targets;
	memset(&l0, 0, sizeof(l0));
	l0.ctls = (struct vmcs_ctls){ in.l0_ctl[0], in.l0_ctl[1], in.l0_ctl[2],
				      in.l0_ctl[3], in.l0_ctl[4], in.exc,
				      in.pfec_mask, in.pfec_match, in.cr0_mask,
				      in.cr4_mask, 0, 0 };
	l0.cpu = &cpu;
	l0.msr_bitmap = l0_msr;
	l0.io_bitmap_a = l0_ioa;
	l0.io_bitmap_b = l0_iob;
	l0.tsc_offset = in.tsc_offset;
	l0.tsc_multiplier = in.tsc_mult;
	l0.vpid02 = in.vpid02;
	l0.ple_gap = in.ple_gap;
	l0.ple_window = in.ple_window;
	memset(&o, 0, sizeof(o));
	o.msr_bitmap = o_msr;
	o.io_bitmap_a = o_ioa;
	o.io_bitmap_b = o_iob;

	enum vmcs02_result r = vmcs02_merge(&l0, &v, read_l1, NULL, &o);

	CHECK(r == VMCS02_OK || r == VMCS02_UNBACKED ||
	      r == VMCS02_READ_FAILED);
	if (r == VMCS02_READ_FAILED)
		CHECK(o.failed_gpa == 0x1000 || o.failed_gpa == 0x2000 ||
		      o.failed_gpa == 0x3000);
	if (r != VMCS02_OK)
		return 0;

	const struct vmcs_ctls *c0 = &l0.ctls, *c = &o.ctls;
	uint32_t p1 = v.PROC_BASED_CONTROLS;
	uint32_t p2_1 = (p1 & PROC_SECONDARY_CONTROLS) ?
			v.SECONDARY_PROC_CONTROLS : 0;
	uint32_t l0c[5] = { c0->pin, c0->proc, c0->proc2, c0->exit,
			    c0->entry };
	uint32_t l1c[5] = { v.PIN_BASED_CONTROLS, p1, p2_1, v.EXIT_CONTROLS,
			    v.ENTRY_CONTROLS };
	uint32_t c2[5] = { c->pin, c->proc, c->proc2, c->exit, c->entry };

	for (int k = 0; k < VMX_CTL_KINDS; k++) {
		CHECK((c2[k] & united[k]) == ((l0c[k] | l1c[k]) & united[k]));
		CHECK((c2[k] & ~cpu.allowed1[k] & ~l0c[k]) == 0);
	}
	CHECK(!(c->proc2) == !(c->proc & PROC_SECONDARY_CONTROLS));

	/* Exceptions (25.2). */
	CHECK(((c0->exc_bitmap | v.EXCEPTION_BITMAP) & ~c->exc_bitmap &
	       ~(1u << 14)) == 0);
	for (int i = 0; i < 64; i++) {
		uint32_t e = i < 32 ? (uint32_t)i : (uint32_t)rng(&s);

		if (i == 32)
			e = c0->pfec_match;
		if (i == 33)
			e = v.PAGE_FAULT_ERROR_CODE_MATCH;
		bool w0 = pf_exits(c0->exc_bitmap >> 14 & 1, c0->pfec_mask,
				   c0->pfec_match, e);
		bool w1 = pf_exits(v.EXCEPTION_BITMAP >> 14 & 1,
				   v.PAGE_FAULT_ERROR_CODE_MASK,
				   v.PAGE_FAULT_ERROR_CODE_MATCH, e);

		if (w0 || w1)
			CHECK(pf_exits(c->exc_bitmap >> 14 & 1, c->pfec_mask,
				       c->pfec_match, e));
	}

	/* CR0/CR4 (25.3). */
	CHECK((c->cr0_mask & (c0->cr0_mask | v.CR0_GUEST_HOST_MASK)) ==
	      (c0->cr0_mask | v.CR0_GUEST_HOST_MASK));
	CHECK((c->cr4_mask & (c0->cr4_mask | v.CR4_GUEST_HOST_MASK)) ==
	      (c0->cr4_mask | v.CR4_GUEST_HOST_MASK));
	CHECK(((c->cr0_shadow ^ v.CR0_READ_SHADOW) & v.CR0_GUEST_HOST_MASK)
	      == 0);
	CHECK(((c->cr4_shadow ^ v.CR4_READ_SHADOW) & v.CR4_GUEST_HOST_MASK)
	      == 0);

	/* MSRs (24.6.9, 25.1.3). */
	static const uint32_t msrs[] = { 0, 0x1fff, 0x2000, 0xc0000000u,
					 0xc0001fffu, 0xc0002000u };
	bool u0 = c0->proc & PROC_USE_MSR_BITMAPS;
	bool u1 = p1 & PROC_USE_MSR_BITMAPS;
	bool u2 = c->proc & PROC_USE_MSR_BITMAPS;

	for (int i = 0; i < 40; i++) {
		uint32_t m = i < 6 ? msrs[i] : (uint32_t)rng(&s);

		if (i >= 6 && (i & 1))
			m = (m & 0x1fff) | ((i & 2) ? 0xc0000000u : 0);
		for (int wr = 0; wr < 2; wr++)
			if (msr_exits(u0, l0_msr, m, wr) ||
			    msr_exits(u1, l1_msr, m, wr))
				CHECK(msr_exits(u2, o_msr, m, wr));
	}

	/* Ports (24.6.4, 25.1.3). */
	static const unsigned ports[] = { 0, 0x7fff, 0x8000, 0xfffe, 0xffff };

	for (int i = 0; i < 40; i++) {
		unsigned port = i < 5 ? ports[i] : (unsigned)(rng(&s) & 0xffff);

		for (unsigned sz = 1; sz <= 4; sz *= 2)
			if (io_exits(c0->proc, l0_ioa, l0_iob, port, sz) ||
			    io_exits(p1, l1_ioa, l1_iob, port, sz))
				CHECK(io_exits(c->proc, o.io_a_page ? o.io_a_page : o_ioa,
					       o.io_b_page ? o.io_b_page : o_iob,
					       port, sz));
	}

	/* MOV to CR3 (25.1.3). */
	uint64_t t1[4] = { v.CR3_TARGET_VALUE0, v.CR3_TARGET_VALUE1,
			   v.CR3_TARGET_VALUE2, v.CR3_TARGET_VALUE3 };

	CHECK(o.cr3_target_count <= 4);
	for (int i = 0; i < 6; i++) {
		uint64_t val = i < 4 ? t1[i] : rng(&s);

		if (cr3_exits(c0->proc, 0, NULL, val) ||
		    cr3_exits(p1, v.CR3_TARGET_COUNT, t1, val))
			CHECK(cr3_exits(c->proc, o.cr3_target_count,
					o.cr3_target, val));
	}
	return 0;
}
