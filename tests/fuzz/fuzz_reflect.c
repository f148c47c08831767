/* Fuzz target: exit reflection (nested/reflect.c) on arbitrary exits,
 * vmcs12 controls and L1 bitmaps (L1's memory is untrusted). Checked:
 *  - no crash; a verdict of the three with a reason text;
 *  - determinism: the same inputs and bitmap bytes give the same answer;
 *  - the bitmap callback is only asked for the vmcs12's page of that
 *    bitmap and offsets 0-4095;
 *  - an answer given while every bitmap read fails is the answer with
 *    the bitmaps readable (it did not depend on them);
 *  - 25.1.2: CPUID, INVD, XSETBV, the VMX instructions but VMREAD/VMWRITE
 *    always reflect; a reason Nestor does not know is CANNOT_DECIDE;
 *  - an exception exit (type 3, valid, vector < 32) reflects exactly when
 *    reflect_exception_wanted() says so (25.2);
 *  - with every bitmap byte 0xff, an I/O or MSR exit under the bitmaps
 *    reflects (any port's or the MSR's bit set, 25.1.3).
 *
 * Input: a header read field by field (little-endian, short input reads
 * as zeros; layout in gen_corpus_reflect.py), then the bitmap bytes: byte
 * `offset` of bitmap `which` is tail[(which * 4096 + offset) % tail_len]. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nested/reflect.h"
#include "tests/fuzz/fuzz_input.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}


enum fill { FILL_TAIL, FILL_FAIL, FILL_ONES };

static struct world {
	const struct vmcs12 *v12;
	const uint8_t *tail;
	size_t tail_len;
	enum fill fill;
	uint8_t fail_mask;   /* bitmaps whose reads fail in FILL_TAIL */
	unsigned reads;
	uint8_t ept;
} W;

static uint64_t page_of(const struct vmcs12 *v, enum reflect_bitmap b)
{
	switch (b) {
	case REFLECT_BM_IO_A:
		return v->IO_BITMAP_A;
	case REFLECT_BM_IO_B:
		return v->IO_BITMAP_B;
	case REFLECT_BM_MSR:
		return v->MSR_BITMAP;
	case REFLECT_BM_VMREAD:
		return v->VMREAD_BITMAP;
	case REFLECT_BM_VMWRITE:
		return v->VMWRITE_BITMAP;
	}
	check(false);
	return 0;
}

static bool read_bitmap(void *ctx, enum reflect_bitmap which, uint64_t page,
			unsigned offset, uint8_t *byte)
{
	check(ctx == &W);
	check(offset < 4096);
	check(page == page_of(W.v12, which));
	W.reads++;
	switch (W.fill) {
	case FILL_FAIL:
		return false;
	case FILL_ONES:
		*byte = 0xff;
		return true;
	case FILL_TAIL:
		if (W.fail_mask & (1u << which))
			return false;
		*byte = W.tail_len
			? W.tail[((size_t)which * 4096 + offset) % W.tail_len]
			: 0;
		return true;
	}
	return false;
}

static enum reflect_ept_owner ept_owner(void *ctx, const struct reflect_exit *e)
{
	(void)e;
	check(ctx == &W);
	return (enum reflect_ept_owner)(W.ept % 3);
}

static bool same(struct reflect_decision a, struct reflect_decision b)
{
	return a.verdict == b.verdict && a.why == b.why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct vmcs12 v;
	struct reflect_exit e;
	struct cursor c = { data, len };
	const struct reflect_ops ops = { &W, read_bitmap, ept_owner };
	struct reflect_decision d, d2, dfail, dnull, dones;
	unsigned basic, raw_reason, flags;

	memset(&v, 0, sizeof(v));
	memset(&e, 0, sizeof(e));
	raw_reason = (unsigned)take(&c, 4);
	flags = (unsigned)take(&c, 1);
	/* Mostly reasons in the table; flag bit 0: the raw 32 bits. */
	e.reason = (flags & 1) ? raw_reason : raw_reason % 80;
	e.qual = take(&c, 8);
	e.intr_info = (uint32_t)take(&c, 4);
	e.intr_error = (uint32_t)take(&c, 4);
	e.insn_info = (uint32_t)take(&c, 4);
	for (unsigned i = 0; i < 16; i++)
		e.gpr[i] = take(&c, 8);
	e.xss = take(&c, 8);
	e.cpl = (unsigned)take(&c, 1) & 3;
	e.long_mode = flags & 2;
	e.l1_timer_expired = flags & 4;
	v.PIN_BASED_CONTROLS = (uint32_t)take(&c, 4);
	v.PROC_BASED_CONTROLS = (uint32_t)take(&c, 4);
	v.SECONDARY_PROC_CONTROLS = (uint32_t)take(&c, 4);
	v.TERTIARY_PROC_CONTROLS = take(&c, 8);
	v.EXCEPTION_BITMAP = (uint32_t)take(&c, 4);
	v.PAGE_FAULT_ERROR_CODE_MASK = (uint32_t)take(&c, 4);
	v.PAGE_FAULT_ERROR_CODE_MATCH = (uint32_t)take(&c, 4);
	v.CR3_TARGET_COUNT = (uint32_t)take(&c, 1);
	v.CR0_GUEST_HOST_MASK = take(&c, 8);
	v.CR4_GUEST_HOST_MASK = take(&c, 8);
	v.CR0_READ_SHADOW = take(&c, 8);
	v.CR4_READ_SHADOW = take(&c, 8);
	v.CR3_TARGET_VALUE0 = take(&c, 8);
	v.CR3_TARGET_VALUE1 = take(&c, 8);
	v.CR3_TARGET_VALUE2 = take(&c, 8);
	v.CR3_TARGET_VALUE3 = take(&c, 8);
	v.XSS_EXIT_BITMAP = take(&c, 8);
	v.ENCLS_EXITING_BITMAP = take(&c, 8);
	v.VM_FUNCTION_CONTROLS = take(&c, 8);
	v.IO_BITMAP_A = take(&c, 8);
	v.IO_BITMAP_B = take(&c, 8);
	v.MSR_BITMAP = take(&c, 8);
	v.VMREAD_BITMAP = take(&c, 8);
	v.VMWRITE_BITMAP = take(&c, 8);
	W = (struct world){ &v, c.p, c.left, FILL_TAIL, (uint8_t)(flags >> 3),
			    0, (uint8_t)(flags >> 6) };

	d = nested_reflect_exit(&v, &e, &ops);
	check(d.verdict == REFLECT_TO_L1 || d.verdict == HANDLE_IN_L0 ||
	      d.verdict == CANNOT_DECIDE);
	check(d.why && d.why[0]);
	d2 = nested_reflect_exit(&v, &e, &ops);
	check(same(d, d2));

	/* Every read fails: either undecided, or the same answer. */
	W.fill = FILL_FAIL;
	dfail = nested_reflect_exit(&v, &e, &ops);
	check(dfail.verdict == CANNOT_DECIDE || same(dfail, d));
	/* No callbacks at all: as every read failing, and no EPT hook. */
	dnull = nested_reflect_exit(&v, &e, NULL);
	check(dnull.verdict == CANNOT_DECIDE || same(dnull, dfail));

	basic = e.reason & 0xffff;
	if (!(e.reason & (1u << 31))) {
		/* 25.1.2: CPUID 10, INVD 13, VMCALL..VMXON 18-27 except 23/25,
		 * INVEPT 50, INVVPID 53, XSETBV 55. */
		if (basic == 10 || basic == 13 || basic == 55 || basic == 50 ||
		    basic == 53 ||
		    (basic >= 18 && basic <= 27 && basic != 23 && basic != 25))
			check(d.verdict == REFLECT_TO_L1);
		if (basic >= 76 || basic == 35 || basic == 38 || basic == 42 ||
		    basic == 71)
			check(d.verdict == CANNOT_DECIDE);
		if (basic == 0 && (e.intr_info & (1u << 31)) &&
		    ((e.intr_info >> 8) & 7) == 3 && (e.intr_info & 0xff) < 32)
			check((d.verdict == REFLECT_TO_L1) ==
			      reflect_exception_wanted(&v, e.intr_info & 0xff,
						       e.intr_error));
	}

	/* Every bitmap bit set: I/O and MSR exits under bitmaps reflect. */
	W.fill = FILL_ONES;
	dones = nested_reflect_exit(&v, &e, &ops);
	check(dones.verdict == REFLECT_TO_L1 || dones.verdict == HANDLE_IN_L0 ||
	      dones.verdict == CANNOT_DECIDE);
	/* Size codes 0, 1, 3 (Table 27-5); the others are no CPU's. */
	if (e.reason == 30 && (v.PROC_BASED_CONTROLS & (1u << 25)) &&
	    ((e.qual & 7) == 0 || (e.qual & 7) == 1 || (e.qual & 7) == 3))
		check(dones.verdict == REFLECT_TO_L1);
	if (e.reason == 31 || e.reason == 32)
		check(dones.verdict == REFLECT_TO_L1);
	return 0;
}
