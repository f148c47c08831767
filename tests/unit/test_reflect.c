/* Unit tests for nested/reflect.c: whether L1 wants an exit taken while
 * L2 runs (SDM Vol. 3C 25.1.2, 25.1.3, 25.2, 25.5). Every rule is tested
 * with its failing and its passing neighbour. Exit reasons, control bits,
 * qualification layouts and bitmap offsets are written out from the SDM
 * here (Appendix C, 24.6, 27.2.1), not taken from the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "nested/reflect.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define B(n) (1u << (n))

/* Primary processor-based controls (Table 24-6). */
#define P_SECONDARY B(31)
#define P_TERTIARY B(17)

/* ---- a fake L1 memory with the five bitmaps ------------------------------- */

#define PAGE_IO_A 0x11000ull
#define PAGE_IO_B 0x12000ull
#define PAGE_MSR 0x13000ull
#define PAGE_VMREAD 0x14000ull
#define PAGE_VMWRITE 0x15000ull

static struct fake {
	uint8_t bm[5][4096];
	bool fail[5];
	unsigned reads;
	bool bad_call;      /* a page or offset other than the vmcs12's */
	enum reflect_ept_owner ept;
	unsigned ept_calls;
} F;

static const uint64_t page_of[5] = { PAGE_IO_A, PAGE_IO_B, PAGE_MSR,
				     PAGE_VMREAD, PAGE_VMWRITE };

static bool fake_read(void *ctx, enum reflect_bitmap which, uint64_t page,
		      unsigned offset, uint8_t *byte)
{
	assert_ptr_equal(ctx, &F);
	F.reads++;
	if ((unsigned)which > 4 || page != page_of[which] || offset > 4095) {
		F.bad_call = true;
		return false;
	}
	if (F.fail[which])
		return false;
	*byte = F.bm[which][offset];
	return true;
}

static enum reflect_ept_owner fake_ept(void *ctx, const struct reflect_exit *e)
{
	(void)e;
	assert_ptr_equal(ctx, &F);
	F.ept_calls++;
	return F.ept;
}

static const struct reflect_ops OPS = { &F, fake_read, fake_ept };

static void set_bit(unsigned which, unsigned bit)
{
	F.bm[which][bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static struct vmcs12 V;
static struct reflect_exit E;

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	memset(&V, 0, sizeof(V));
	memset(&E, 0, sizeof(E));
	V.IO_BITMAP_A = PAGE_IO_A;
	V.IO_BITMAP_B = PAGE_IO_B;
	V.MSR_BITMAP = PAGE_MSR;
	V.VMREAD_BITMAP = PAGE_VMREAD;
	V.VMWRITE_BITMAP = PAGE_VMWRITE;
	E.long_mode = true;
	return 0;
}

static enum reflect_verdict decide_reason(uint32_t reason)
{
	struct reflect_decision d;

	E.reason = reason;
	d = nested_reflect_exit(&V, &E, &OPS);
	assert_non_null(d.why);
	assert_true(strlen(d.why) > 0);
	assert_false(F.bad_call);
	return d.verdict;
}

/* ---- unconditional exits (25.1.2, 25.2, 25.4.2) ----------------------------- */

static void test_unconditional(void **state)
{
	/* Triple fault 2, INIT 3, SIPI 4, task switch 9, CPUID 10, GETSEC 11,
	 * INVD 13, VMCALL 18, VMCLEAR..VMXON 19-22, 24, 26, 27 (VMREAD 23 and
	 * VMWRITE 25 depend on VMCS shadowing), INVEPT 50, INVVPID 53,
	 * XSETBV 55. */
	static const unsigned always[] = { 2, 3, 4, 9, 10, 11, 13, 18, 19, 20,
					   21, 22, 24, 26, 27, 50, 53, 55 };

	(void)state;
	for (unsigned k = 0; k < NELEM(always); k++) {
		/* With no control set at all ... */
		assert_int_equal(decide_reason(always[k]), REFLECT_TO_L1);
		/* ... and with every control set. */
		V.PIN_BASED_CONTROLS = V.PROC_BASED_CONTROLS = ~0u;
		V.SECONDARY_PROC_CONTROLS = ~0u;
		assert_int_equal(decide_reason(always[k]), REFLECT_TO_L1);
		setup(NULL);
	}
	assert_int_equal(F.reads, 0);
}

/* ---- one exiting control per reason (25.1.3, 25.2, 25.5.2) --------------------- */

enum w { PIN, PROC, PROC2, PROC3 };

static void set_ctl(enum w w, uint32_t bit)
{
	switch (w) {
	case PIN:
		V.PIN_BASED_CONTROLS |= bit;
		break;
	case PROC:
		V.PROC_BASED_CONTROLS |= bit;
		break;
	case PROC2:
		V.SECONDARY_PROC_CONTROLS |= bit;
		V.PROC_BASED_CONTROLS |= P_SECONDARY;
		break;
	case PROC3:
		V.TERTIARY_PROC_CONTROLS |= bit;
		V.PROC_BASED_CONTROLS |= P_TERTIARY;
		break;
	}
}

static const struct ctl_row {
	unsigned reason;
	enum w w;
	uint32_t bit;
} ctl_rows[] = {
	{ 1, PIN, B(0) },     /* external interrupt: external-interrupt exiting */
	{ 7, PROC, B(2) },    /* interrupt window */
	{ 8, PROC, B(22) },   /* NMI window */
	{ 12, PROC, B(7) },   /* HLT */
	{ 14, PROC, B(9) },   /* INVLPG */
	{ 15, PROC, B(11) },  /* RDPMC */
	{ 16, PROC, B(12) },  /* RDTSC */
	{ 29, PROC, B(23) },  /* MOV DR */
	{ 36, PROC, B(10) },  /* MWAIT */
	{ 37, PROC, B(27) },  /* monitor trap flag */
	{ 39, PROC, B(29) },  /* MONITOR */
	{ 43, PROC, B(21) },  /* TPR below threshold: use TPR shadow */
	{ 46, PROC2, B(2) },  /* GDTR/IDTR: descriptor-table exiting */
	{ 47, PROC2, B(2) },  /* LDTR/TR */
	{ 54, PROC2, B(6) },  /* WBINVD exiting */
	{ 57, PROC2, B(11) }, /* RDRAND exiting */
	{ 61, PROC2, B(16) }, /* RDSEED exiting */
	{ 69, PROC3, B(0) },  /* LOADIWKEY exiting (tertiary, Table 24-8) */
};

static void test_control_rows(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NELEM(ctl_rows); k++) {
		const struct ctl_row *r = &ctl_rows[k];

		setup(NULL);
		assert_int_equal(decide_reason(r->reason), HANDLE_IN_L0);
		/* Every other control set: still not L1's. */
		V.PIN_BASED_CONTROLS = ~0u;
		V.PROC_BASED_CONTROLS = ~0u;
		V.SECONDARY_PROC_CONTROLS = ~0u;
		V.TERTIARY_PROC_CONTROLS = ~0ull;
		switch (r->w) {
		case PIN:
			V.PIN_BASED_CONTROLS &= ~r->bit;
			break;
		case PROC:
			V.PROC_BASED_CONTROLS &= ~r->bit;
			break;
		case PROC2:
			V.SECONDARY_PROC_CONTROLS &= ~r->bit;
			break;
		case PROC3:
			V.TERTIARY_PROC_CONTROLS &= ~(uint64_t)r->bit;
			break;
		}
		assert_int_equal(decide_reason(r->reason), HANDLE_IN_L0);
		setup(NULL);
		set_ctl(r->w, r->bit);
		assert_int_equal(decide_reason(r->reason), REFLECT_TO_L1);
	}
}

/* 24.6.2: without "activate secondary (tertiary) controls", the CPU acts
 * as if every secondary (tertiary) control were 0. */
static void test_secondary_needs_activation(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NELEM(ctl_rows); k++) {
		const struct ctl_row *r = &ctl_rows[k];

		if (r->w != PROC2 && r->w != PROC3)
			continue;
		setup(NULL);
		set_ctl(r->w, r->bit);
		assert_int_equal(decide_reason(r->reason), REFLECT_TO_L1);
		V.PROC_BASED_CONTROLS &= ~(r->w == PROC2 ? P_SECONDARY : P_TERTIARY);
		assert_int_equal(decide_reason(r->reason), HANDLE_IN_L0);
	}
}

/* Instructions that need an enable control (else #UD in L2, handled by
 * L0) and an exiting control (25.1.3). */
static void test_enable_and_exiting(void **state)
{
	static const struct {
		unsigned reason;
		uint32_t exiting;     /* primary */
		uint32_t enable;      /* secondary */
	} rows[] = {
		{ 51, B(12), B(3) },  /* RDTSCP: RDTSC exiting, enable RDTSCP */
		{ 58, B(9), B(12) },  /* INVPCID: INVLPG exiting, enable INVPCID */
		{ 67, B(12), B(26) }, /* UMWAIT: RDTSC exiting, user wait/pause */
		{ 68, B(12), B(26) }, /* TPAUSE */
	};

	(void)state;
	for (unsigned k = 0; k < NELEM(rows); k++) {
		setup(NULL);
		V.PROC_BASED_CONTROLS = rows[k].exiting | P_SECONDARY;
		V.SECONDARY_PROC_CONTROLS = rows[k].enable;
		assert_int_equal(decide_reason(rows[k].reason), REFLECT_TO_L1);
		/* Exiting clear. */
		V.PROC_BASED_CONTROLS = P_SECONDARY;
		assert_int_equal(decide_reason(rows[k].reason), HANDLE_IN_L0);
		/* Enable clear: #UD in L2. */
		V.PROC_BASED_CONTROLS = rows[k].exiting | P_SECONDARY;
		V.SECONDARY_PROC_CONTROLS = ~rows[k].enable;
		assert_int_equal(decide_reason(rows[k].reason), HANDLE_IN_L0);
		/* Enable set but secondary controls not active. */
		V.PROC_BASED_CONTROLS = rows[k].exiting;
		V.SECONDARY_PROC_CONTROLS = rows[k].enable;
		assert_int_equal(decide_reason(rows[k].reason), HANDLE_IN_L0);
	}
}

/* ---- exceptions and NMIs (25.2) ---------------------------------------------- */

static enum reflect_verdict exc(unsigned type, unsigned vector, uint32_t err)
{
	E.intr_info = B(31) | (type << 8) | vector;
	E.intr_error = err;
	return decide_reason(0);
}

static void test_exception_bitmap(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 32; v++) {
		if (v == 14 || v == 2)
			continue;
		setup(NULL);
		V.EXCEPTION_BITMAP = ~B(v);
		assert_int_equal(exc(3, v, 0), HANDLE_IN_L0);
		V.EXCEPTION_BITMAP = B(v);
		assert_int_equal(exc(3, v, 0), REFLECT_TO_L1);
	}
	/* Software exceptions (INT3 = 3, INTO = 4, type 6) and INT1 (type 5)
	 * go by the bitmap too. */
	setup(NULL);
	assert_int_equal(exc(6, 3, 0), HANDLE_IN_L0);
	assert_int_equal(exc(5, 1, 0), HANDLE_IN_L0);
	V.EXCEPTION_BITMAP = B(3) | B(1) | B(4);
	assert_int_equal(exc(6, 3, 0), REFLECT_TO_L1);
	assert_int_equal(exc(6, 4, 0), REFLECT_TO_L1);
	assert_int_equal(exc(5, 1, 0), REFLECT_TO_L1);
	/* #DB (vector 1) as a hardware exception: the same bit. */
	assert_int_equal(exc(3, 1, 0), REFLECT_TO_L1);
}

/* #PF: bitmap bit 14 XOR the PFEC test: the four cases of (bit, match). */
static void test_pf_pfec(void **state)
{
	static const struct {
		bool bit;
		uint32_t mask, match, pfec;
		bool exits;
	} rows[] = {
		/* bit 1, matches -> exit */
		{ true, 0x1, 0x1, 0x3, true },
		/* bit 1, does not match -> no exit */
		{ true, 0x1, 0x1, 0x2, false },
		/* bit 0, matches -> no exit */
		{ false, 0x1, 0x1, 0x3, false },
		/* bit 0, does not match -> exit */
		{ false, 0x1, 0x1, 0x2, true },
		/* mask 0 match 0: everything matches: bit alone decides */
		{ true, 0, 0, 0xffff, true },
		{ false, 0, 0, 0xffff, false },
		/* mask 0, match != 0: nothing matches: inverted */
		{ true, 0, 0x4, 0x4, false },
		{ false, 0, 0x4, 0x4, true },
		/* several bits: W|U must both be set */
		{ true, 0x6, 0x6, 0x7, true },
		{ true, 0x6, 0x6, 0x5, false },
	};

	(void)state;
	for (unsigned k = 0; k < NELEM(rows); k++) {
		setup(NULL);
		V.EXCEPTION_BITMAP = rows[k].bit ? B(14) : ~B(14);
		V.PAGE_FAULT_ERROR_CODE_MASK = rows[k].mask;
		V.PAGE_FAULT_ERROR_CODE_MATCH = rows[k].match;
		assert_int_equal(exc(3, 14, rows[k].pfec),
				 rows[k].exits ? REFLECT_TO_L1 : HANDLE_IN_L0);
		assert_int_equal(reflect_exception_wanted(&V, 14, rows[k].pfec),
				 rows[k].exits);
	}
	/* The PFEC test applies to #PF only. */
	setup(NULL);
	V.PAGE_FAULT_ERROR_CODE_MATCH = 1;
	assert_false(reflect_exception_wanted(&V, 13, 0));
	assert_false(reflect_exception_wanted(&V, 40, 0));
}

static void test_nmi(void **state)
{
	(void)state;
	/* The NMI goes by "NMI exiting" (pin bit 3), not exception bit 2. */
	V.EXCEPTION_BITMAP = ~0u;
	assert_int_equal(exc(2, 2, 0), HANDLE_IN_L0);
	V.EXCEPTION_BITMAP = 0;
	V.PIN_BASED_CONTROLS = B(3);
	assert_int_equal(exc(2, 2, 0), REFLECT_TO_L1);
	/* An NMI type with another vector is no CPU's report. */
	assert_int_equal(exc(2, 3, 0), CANNOT_DECIDE);
}

static void test_exception_bad_info(void **state)
{
	(void)state;
	V.EXCEPTION_BITMAP = ~0u;
	E.intr_info = (3u << 8) | 13; /* valid bit clear */
	assert_int_equal(decide_reason(0), CANNOT_DECIDE);
	assert_int_equal(exc(0, 32, 0), CANNOT_DECIDE); /* ext. interrupt */
	assert_int_equal(exc(4, 0x80, 0), CANNOT_DECIDE); /* INT n */
	assert_int_equal(exc(3, 33, 0), CANNOT_DECIDE);
	assert_int_equal(exc(3, 13, 0), REFLECT_TO_L1);
}

/* ---- control-register accesses (25.1.3; Table 27-3) ------------------------- */

/* Qualification: bits 3:0 CR, 5:4 type, 11:8 GPR, 31:16 LMSW data. */
static enum reflect_verdict mov_to_cr(unsigned cr, unsigned gpr, uint64_t val)
{
	E.qual = cr | (0u << 4) | (gpr << 8);
	E.gpr[gpr] = val;
	return decide_reason(28);
}

static enum reflect_verdict mov_from_cr(unsigned cr)
{
	E.qual = cr | (1u << 4) | (3u << 8);
	return decide_reason(28);
}

static enum reflect_verdict lmsw(uint16_t src)
{
	E.qual = (3u << 4) | ((uint64_t)src << 16);
	return decide_reason(28);
}

static void test_cr0_mask_shadow(void **state)
{
	(void)state;
	/* No mask bit: no write exits. */
	assert_int_equal(mov_to_cr(0, 1, 0xffffffff), HANDLE_IN_L0);
	V.CR0_GUEST_HOST_MASK = 0x80000001; /* PG, PE */
	V.CR0_READ_SHADOW = 0x80000011;
	/* Masked bits equal to the shadow; unmasked bits differ. */
	assert_int_equal(mov_to_cr(0, 1, 0x80000001), HANDLE_IN_L0);
	assert_int_equal(mov_to_cr(0, 1, 0xe0000039), HANDLE_IN_L0);
	/* A masked bit differs: PG clear, or PE clear. */
	assert_int_equal(mov_to_cr(0, 1, 0x00000011), REFLECT_TO_L1);
	assert_int_equal(mov_to_cr(0, 1, 0x80000010), REFLECT_TO_L1);
	/* The register named by bits 11:8 is the one read (R13). */
	E.gpr[1] = 0;
	assert_int_equal(mov_to_cr(0, 13, 0x80000011), HANDLE_IN_L0);
	/* Outside 64-bit mode the operand is 32 bits: high bits ignored. */
	V.CR0_GUEST_HOST_MASK = 0xffffffff80000001ull;
	V.CR0_READ_SHADOW = 0x80000011;
	E.long_mode = false;
	assert_int_equal(mov_to_cr(0, 2, 0xdead000080000011ull), HANDLE_IN_L0);
	E.long_mode = true;
	assert_int_equal(mov_to_cr(0, 2, 0xdead000080000011ull), REFLECT_TO_L1);
}

static void test_cr4_mask_shadow(void **state)
{
	(void)state;
	V.CR4_GUEST_HOST_MASK = 1u << 13; /* VMXE */
	V.CR4_READ_SHADOW = 0;
	assert_int_equal(mov_to_cr(4, 0, 0x20), HANDLE_IN_L0);
	assert_int_equal(mov_to_cr(4, 0, 0x2020), REFLECT_TO_L1);
	V.CR4_READ_SHADOW = 1u << 13;
	assert_int_equal(mov_to_cr(4, 0, 0x2020), HANDLE_IN_L0);
	assert_int_equal(mov_to_cr(4, 0, 0x20), REFLECT_TO_L1);
	/* The CR0 mask does not apply to CR4. */
	V.CR4_GUEST_HOST_MASK = 0;
	V.CR0_GUEST_HOST_MASK = ~0ull;
	assert_int_equal(mov_to_cr(4, 0, 0x20), HANDLE_IN_L0);
}

static void test_cr3_targets(void **state)
{
	(void)state;
	/* CR3-load exiting (bit 15) clear: never exits. */
	assert_int_equal(mov_to_cr(3, 6, 0x1000), HANDLE_IN_L0);
	V.PROC_BASED_CONTROLS = B(15);
	/* Count 0: always exits, even when a target value equals. */
	V.CR3_TARGET_VALUE0 = 0x1000;
	assert_int_equal(mov_to_cr(3, 6, 0x1000), REFLECT_TO_L1);
	/* Count 1: target 0 counts. */
	V.CR3_TARGET_COUNT = 1;
	assert_int_equal(mov_to_cr(3, 6, 0x1000), HANDLE_IN_L0);
	assert_int_equal(mov_to_cr(3, 6, 0x2000), REFLECT_TO_L1);
	/* Only the first n values count: target 3 not with n = 3. */
	V.CR3_TARGET_VALUE3 = 0x4000;
	V.CR3_TARGET_COUNT = 3;
	assert_int_equal(mov_to_cr(3, 6, 0x4000), REFLECT_TO_L1);
	V.CR3_TARGET_COUNT = 4;
	assert_int_equal(mov_to_cr(3, 6, 0x4000), HANDLE_IN_L0);
	/* The full 64-bit source (bit 63: PCID no-flush) is compared. */
	assert_int_equal(mov_to_cr(3, 6, 0x8000000000004000ull), REFLECT_TO_L1);
	V.CR3_TARGET_VALUE2 = 0x8000000000004000ull;
	assert_int_equal(mov_to_cr(3, 6, 0x8000000000004000ull), HANDLE_IN_L0);
	/* A count above 4 could not have been entered (26.2.1.1). */
	V.CR3_TARGET_COUNT = 5;
	assert_int_equal(mov_to_cr(3, 6, 0x4000), CANNOT_DECIDE);
	/* MOV from CR3: CR3-store exiting (bit 16). */
	assert_int_equal(mov_from_cr(3), HANDLE_IN_L0);
	V.PROC_BASED_CONTROLS = B(16);
	assert_int_equal(mov_from_cr(3), REFLECT_TO_L1);
}

static void test_cr8(void **state)
{
	(void)state;
	/* CR8-load exiting bit 19, CR8-store exiting bit 20; TPR shadow
	 * (bit 21) alone makes neither exit. */
	V.PROC_BASED_CONTROLS = B(21) | B(20);
	assert_int_equal(mov_to_cr(8, 0, 5), HANDLE_IN_L0);
	assert_int_equal(mov_from_cr(8), REFLECT_TO_L1);
	V.PROC_BASED_CONTROLS = B(21) | B(19);
	assert_int_equal(mov_to_cr(8, 0, 5), REFLECT_TO_L1);
	assert_int_equal(mov_from_cr(8), HANDLE_IN_L0);
}

static void test_cr_impossible(void **state)
{
	(void)state;
	V.PROC_BASED_CONTROLS = ~0u;
	V.CR0_GUEST_HOST_MASK = ~0ull;
	/* MOV from CR0/CR4 and any access to CR2 never exit. */
	assert_int_equal(mov_from_cr(0), CANNOT_DECIDE);
	assert_int_equal(mov_from_cr(4), CANNOT_DECIDE);
	assert_int_equal(mov_to_cr(2, 0, 0), CANNOT_DECIDE);
}

static void test_clts(void **state)
{
	static const struct { uint64_t mask, shadow; bool exits; } rows[] = {
		{ 0x8, 0x8, true },
		{ 0x8, 0x0, false },
		{ 0x0, 0x8, false },
		{ ~0x8ull, ~0ull, false },
		{ ~0ull, 0x8, true },
	};

	(void)state;
	for (unsigned k = 0; k < NELEM(rows); k++) {
		V.CR0_GUEST_HOST_MASK = rows[k].mask;
		V.CR0_READ_SHADOW = rows[k].shadow;
		E.qual = 2u << 4;
		assert_int_equal(decide_reason(28),
				 rows[k].exits ? REFLECT_TO_L1 : HANDLE_IN_L0);
	}
}

static void test_lmsw(void **state)
{
	(void)state;
	/* PE: set in mask and source, clear in shadow: exits. */
	V.CR0_GUEST_HOST_MASK = 0x1;
	V.CR0_READ_SHADOW = 0x0;
	assert_int_equal(lmsw(0x1), REFLECT_TO_L1);
	assert_int_equal(lmsw(0x0), HANDLE_IN_L0);
	/* LMSW cannot clear PE: source 0 with shadow PE 1 does not exit. */
	V.CR0_READ_SHADOW = 0x1;
	assert_int_equal(lmsw(0x0), HANDLE_IN_L0);
	assert_int_equal(lmsw(0x1), HANDLE_IN_L0);
	/* Bits 3:1 (MP, EM, TS): any masked difference exits. */
	V.CR0_GUEST_HOST_MASK = 0x8;
	V.CR0_READ_SHADOW = 0x8;
	assert_int_equal(lmsw(0x8), HANDLE_IN_L0);
	assert_int_equal(lmsw(0x0), REFLECT_TO_L1);
	assert_int_equal(lmsw(0x6), REFLECT_TO_L1);
	assert_int_equal(lmsw(0xe), HANDLE_IN_L0);
	V.CR0_GUEST_HOST_MASK = 0x2;
	V.CR0_READ_SHADOW = 0x0;
	assert_int_equal(lmsw(0x2), REFLECT_TO_L1);
	assert_int_equal(lmsw(0xc), HANDLE_IN_L0);
	/* Only bits 3:0 count: source bits above and mask bits above
	 * (e.g. PG, bit 31; NE, bit 5) are not LMSW's. */
	V.CR0_GUEST_HOST_MASK = 0x80000020;
	V.CR0_READ_SHADOW = 0;
	assert_int_equal(lmsw(0xfff0), HANDLE_IN_L0);
}

/* ---- I/O (25.1.3, 24.6.4; qualification Table 27-5) -------------------------- */

static enum reflect_verdict io(uint16_t port, unsigned size_code)
{
	E.qual = size_code | ((uint64_t)port << 16);
	return decide_reason(30);
}

static void test_io_unconditional(void **state)
{
	(void)state;
	/* Neither control: never exits. */
	assert_int_equal(io(0x3f8, 0), HANDLE_IN_L0);
	/* Unconditional I/O exiting (bit 24), no bitmaps: every access. */
	V.PROC_BASED_CONTROLS = B(24);
	assert_int_equal(io(0x3f8, 0), REFLECT_TO_L1);
	assert_int_equal(io(0xffff, 3), REFLECT_TO_L1);
	/* With "use I/O bitmaps" (bit 25), the unconditional control is
	 * ignored: a clear bitmap means no exit. */
	V.PROC_BASED_CONTROLS = B(24) | B(25);
	assert_int_equal(io(0x3f8, 0), HANDLE_IN_L0);
	assert_int_equal(F.reads, 1);
	/* Size code 2 is no CPU's. */
	assert_int_equal(io(0x3f8, 2), CANNOT_DECIDE);
}

static void test_io_bitmaps(void **state)
{
	(void)state;
	V.PROC_BASED_CONTROLS = B(25);
	/* Bitmap A: port 0x70 = byte 14 bit 0. */
	set_bit(0, 0x70);
	assert_int_equal(io(0x70, 0), REFLECT_TO_L1);
	assert_int_equal(io(0x71, 0), HANDLE_IN_L0);
	assert_int_equal(io(0x6f, 0), HANDLE_IN_L0);
	/* Every port of a multi-byte access: 0x6f+2 covers 0x70; 0x6e+2
	 * does not; 0x6d+4 covers 0x70; 0x6c+4 does not. */
	assert_int_equal(io(0x6f, 1), REFLECT_TO_L1);
	assert_int_equal(io(0x6e, 1), HANDLE_IN_L0);
	assert_int_equal(io(0x6d, 3), REFLECT_TO_L1);
	assert_int_equal(io(0x6c, 3), HANDLE_IN_L0);
	/* Bitmap B: port 0x8000 + n at bit n of B; the same bit in A (port
	 * n) does not count for it. */
	set_bit(1, 0x123);
	assert_int_equal(io(0x8123, 0), REFLECT_TO_L1);
	assert_int_equal(io(0x0123, 0), HANDLE_IN_L0);
	set_bit(0, 0x456);
	assert_int_equal(io(0x8456, 0), HANDLE_IN_L0);
	/* The A/B boundary: 0x7fff in A, 0x8000 in B. */
	set_bit(1, 0);
	assert_int_equal(io(0x7fff, 0), HANDLE_IN_L0);
	assert_int_equal(io(0x7fff, 1), REFLECT_TO_L1);
	assert_int_equal(io(0x7ffe, 1), HANDLE_IN_L0);
	memset(F.bm, 0, sizeof(F.bm));
	set_bit(0, 0x7fff);
	assert_int_equal(io(0x7ffd, 3), REFLECT_TO_L1);
	assert_int_equal(io(0x8000, 3), HANDLE_IN_L0);
	/* The last port: 0xffff alone by its bit; wrapping always exits. */
	assert_int_equal(io(0xffff, 0), HANDLE_IN_L0);
	assert_int_equal(io(0xfffc, 3), HANDLE_IN_L0);
	assert_int_equal(io(0xfffd, 3), REFLECT_TO_L1);
	assert_int_equal(io(0xffff, 1), REFLECT_TO_L1);
	set_bit(1, 0x7fff);
	assert_int_equal(io(0xffff, 0), REFLECT_TO_L1);
}

static void test_io_read_fails(void **state)
{
	(void)state;
	V.PROC_BASED_CONTROLS = B(25);
	F.fail[1] = true;
	assert_int_equal(io(0x70, 0), HANDLE_IN_L0);
	assert_int_equal(io(0x8070, 0), CANNOT_DECIDE);
	/* A wrapping access needs no bitmap. */
	assert_int_equal(io(0xfffe, 3), REFLECT_TO_L1);
	/* No callback at all. */
	F.fail[1] = false;
	E.qual = (uint64_t)0x70 << 16;
	E.reason = 30;
	assert_int_equal(nested_reflect_exit(&V, &E, NULL).verdict, CANNOT_DECIDE);
	/* reflect_io on its own. */
	assert_int_equal(reflect_io(&V, 0x70, 3, &OPS).verdict, CANNOT_DECIDE);
	set_bit(0, 0x71);
	assert_int_equal(reflect_io(&V, 0x70, 2, &OPS).verdict, REFLECT_TO_L1);
	assert_int_equal(reflect_io(&V, 0x70, 1, &OPS).verdict, HANDLE_IN_L0);
}

/* ---- MSRs (25.1.3, 24.6.9) ---------------------------------------------------- */

static enum reflect_verdict msr(uint64_t rcx, bool write)
{
	E.gpr[1] = rcx;
	return decide_reason(write ? 32 : 31);
}

static void test_msr_no_bitmaps(void **state)
{
	(void)state;
	/* "use MSR bitmaps" (bit 28) clear: every RDMSR/WRMSR exits. */
	assert_int_equal(msr(0x10, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xc0000080, true), REFLECT_TO_L1);
	assert_int_equal(F.reads, 0);
	V.PROC_BASED_CONTROLS = B(28);
	assert_int_equal(msr(0x10, false), HANDLE_IN_L0);
}

static void test_msr_ranges(void **state)
{
	(void)state;
	V.PROC_BASED_CONTROLS = B(28);
	/* Read low: byte 0 on; MSR 0x10 at byte 2 bit 0. */
	set_bit(2, 0x10);
	assert_int_equal(msr(0x10, false), REFLECT_TO_L1);
	assert_int_equal(msr(0x10, true), HANDLE_IN_L0);
	assert_int_equal(msr(0x11, false), HANDLE_IN_L0);
	/* Write low: byte 2048 on. */
	set_bit(2, 2048 * 8 + 0x1fff);
	assert_int_equal(msr(0x1fff, true), REFLECT_TO_L1);
	assert_int_equal(msr(0x1fff, false), HANDLE_IN_L0);
	/* Read high: byte 1024 on, MSR & 0x1fff. */
	set_bit(2, 1024 * 8 + 0x80);
	assert_int_equal(msr(0xc0000080, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xc0000080, true), HANDLE_IN_L0);
	assert_int_equal(msr(0x80, false), HANDLE_IN_L0);
	/* Write high: byte 3072 on. */
	set_bit(2, 3072 * 8 + 0x101);
	assert_int_equal(msr(0xc0000101, true), REFLECT_TO_L1);
	assert_int_equal(msr(0xc0000101, false), HANDLE_IN_L0);
	/* Range ends: 0x1fff / 0x2000, 0xc0001fff / 0xc0002000,
	 * 0xbfffffff: outside both ranges always exits. */
	assert_int_equal(msr(0x1ffe, true), HANDLE_IN_L0);
	assert_int_equal(msr(0x2000, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xc0001fff, false), HANDLE_IN_L0);
	assert_int_equal(msr(0xc0002000, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xbfffffff, true), REFLECT_TO_L1);
	assert_int_equal(msr(0x40000000, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xffffffff, true), REFLECT_TO_L1);
	/* ECX only: RCX bits 63:32 are ignored. */
	assert_int_equal(msr(0xffffffff00000010ull, false), REFLECT_TO_L1);
	assert_int_equal(msr(0xffffffff00000011ull, false), HANDLE_IN_L0);
	/* The same through reflect_msr. */
	assert_int_equal(reflect_msr(&V, 0x10, false, &OPS).verdict, REFLECT_TO_L1);
	assert_int_equal(reflect_msr(&V, 0x12, false, &OPS).verdict, HANDLE_IN_L0);
	/* An unreadable bitmap: cannot decide; outside ranges needs none. */
	F.fail[2] = true;
	assert_int_equal(msr(0x10, false), CANNOT_DECIDE);
	assert_int_equal(msr(0x40000000, false), REFLECT_TO_L1);
}

/* ---- VMREAD/VMWRITE (25.1.3, 24.6.15; instruction info Table 27-14) ------------ */

static enum reflect_verdict vmrw(bool write, unsigned reg2, uint64_t field)
{
	E.insn_info = (uint32_t)reg2 << 28;
	E.gpr[reg2] = field;
	return decide_reason(write ? 25 : 23);
}

static void test_vmread_vmwrite(void **state)
{
	(void)state;
	/* Without VMCS shadowing (secondary bit 14): always L1's. */
	assert_int_equal(vmrw(false, 2, 0x681e), REFLECT_TO_L1);
	V.SECONDARY_PROC_CONTROLS = B(14);
	assert_int_equal(vmrw(false, 2, 0x681e), REFLECT_TO_L1); /* not active */
	V.PROC_BASED_CONTROLS = P_SECONDARY;
	assert_int_equal(vmrw(false, 2, 0x681e), HANDLE_IN_L0);
	assert_int_equal(vmrw(true, 2, 0x681e), HANDLE_IN_L0);
	set_bit(3, 0x681e);
	assert_int_equal(vmrw(false, 2, 0x681e), REFLECT_TO_L1);
	assert_int_equal(vmrw(true, 2, 0x681e), HANDLE_IN_L0);
	set_bit(4, 0x4002);
	assert_int_equal(vmrw(true, 9, 0x4002), REFLECT_TO_L1);
	assert_int_equal(vmrw(false, 9, 0x4002), HANDLE_IN_L0);
	/* Bits above 14 set: exits without the bitmap. In 64-bit mode bits
	 * 63:15 count; outside, only 31:15. */
	assert_int_equal(vmrw(false, 2, 0x8000), REFLECT_TO_L1);
	assert_int_equal(vmrw(false, 2, 0x100000000ull | 0x4002), REFLECT_TO_L1);
	E.long_mode = false;
	assert_int_equal(vmrw(false, 2, 0x100000000ull | 0x4002), HANDLE_IN_L0);
	F.fail[3] = true;
	assert_int_equal(vmrw(false, 2, 0x4002), CANNOT_DECIDE);
}

/* ---- PAUSE (25.1.3) ------------------------------------------------------------- */

static void test_pause(void **state)
{
	(void)state;
	E.cpl = 0;
	assert_int_equal(decide_reason(40), HANDLE_IN_L0);
	/* PAUSE exiting (bit 30): any CPL. */
	V.PROC_BASED_CONTROLS = B(30);
	assert_int_equal(decide_reason(40), REFLECT_TO_L1);
	E.cpl = 3;
	assert_int_equal(decide_reason(40), REFLECT_TO_L1);
	/* PAUSE-loop exiting (secondary bit 10): CPL 0 only. */
	V.PROC_BASED_CONTROLS = P_SECONDARY;
	V.SECONDARY_PROC_CONTROLS = B(10);
	assert_int_equal(decide_reason(40), HANDLE_IN_L0);
	E.cpl = 0;
	assert_int_equal(decide_reason(40), REFLECT_TO_L1);
	V.PROC_BASED_CONTROLS = 0;
	assert_int_equal(decide_reason(40), HANDLE_IN_L0);
}

/* ---- XSAVES/XRSTORS, ENCLS, VMFUNC (25.1.3, 25.5.6) ----------------------------- */

static void test_xsaves(void **state)
{
	static const unsigned reasons[] = { 63, 64 };

	(void)state;
	for (unsigned k = 0; k < NELEM(reasons); k++) {
		setup(NULL);
		/* EDX:EAX bit 40 (EDX bit 8), IA32_XSS bit 40, bitmap bit 40. */
		E.gpr[2] = 1u << 8;
		E.gpr[0] = 0;
		E.xss = 1ull << 40;
		V.XSS_EXIT_BITMAP = 1ull << 40;
		/* Enable XSAVES/XRSTORS (secondary bit 20) clear: #UD. */
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		set_ctl(PROC2, B(20));
		assert_int_equal(decide_reason(reasons[k]), REFLECT_TO_L1);
		/* Any one of the three clear: no exit. */
		E.xss = 1ull << 41;
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		E.xss = 1ull << 40;
		E.gpr[2] = 0;
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		/* Only EDX's low 32 bits and EAX's count. */
		E.gpr[2] = 1ull << 40;
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		E.gpr[2] = 0;
		E.gpr[0] = (1ull << 40) | 1;
		E.xss = 1;
		V.XSS_EXIT_BITMAP = 1;
		assert_int_equal(decide_reason(reasons[k]), REFLECT_TO_L1);
		V.XSS_EXIT_BITMAP = 2;
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
	}
}

static void test_encls(void **state)
{
	(void)state;
	V.ENCLS_EXITING_BITMAP = (1ull << 5) | (1ull << 63);
	E.gpr[0] = 5;
	/* Enable ENCLS exiting (secondary bit 15) clear: no exit. */
	assert_int_equal(decide_reason(60), HANDLE_IN_L0);
	set_ctl(PROC2, B(15));
	assert_int_equal(decide_reason(60), REFLECT_TO_L1);
	E.gpr[0] = 6;
	assert_int_equal(decide_reason(60), HANDLE_IN_L0);
	/* EAX >= 63: bit 63. */
	E.gpr[0] = 63;
	assert_int_equal(decide_reason(60), REFLECT_TO_L1);
	E.gpr[0] = 0x12345678;
	assert_int_equal(decide_reason(60), REFLECT_TO_L1);
	V.ENCLS_EXITING_BITMAP = 1ull << 62;
	assert_int_equal(decide_reason(60), HANDLE_IN_L0);
	E.gpr[0] = 62;
	assert_int_equal(decide_reason(60), REFLECT_TO_L1);
	/* RAX bits 63:32 are not EAX. */
	E.gpr[0] = (1ull << 32) | 5;
	assert_int_equal(decide_reason(60), HANDLE_IN_L0);
}

static void test_vmfunc(void **state)
{
	(void)state;
	E.gpr[0] = 0;
	/* Enable VM functions (secondary bit 13) clear: #UD in L2. */
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
	set_ctl(PROC2, B(13));
	/* Function 0 not enabled in the VM-function controls: L1's. */
	assert_int_equal(decide_reason(59), REFLECT_TO_L1);
	V.VM_FUNCTION_CONTROLS = 1;
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
	E.gpr[0] = 1;
	assert_int_equal(decide_reason(59), REFLECT_TO_L1);
	/* EAX above 63: #UD (VMFUNC in 30.3), whatever the controls. */
	E.gpr[0] = 64;
	V.VM_FUNCTION_CONTROLS = ~0ull;
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
	V.VM_FUNCTION_CONTROLS = 0;
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
	E.gpr[0] = 63;
	assert_int_equal(decide_reason(59), REFLECT_TO_L1);
	V.VM_FUNCTION_CONTROLS = 1ull << 63;
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
	/* RAX bits 63:32 are not EAX. */
	E.gpr[0] = (1ull << 32) | 63;
	assert_int_equal(decide_reason(59), HANDLE_IN_L0);
}

/* ---- EPT, preemption timer, APIC virtualization, PML ------------------------------ */

static void test_ept(void **state)
{
	static const unsigned reasons[] = { 48, 49 };

	(void)state;
	for (unsigned k = 0; k < NELEM(reasons); k++) {
		setup(NULL);
		F.ept = REFLECT_EPT_L1;
		/* L1 without EPT (secondary bit 1): always L0's, the hook is
		 * not asked. */
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		V.SECONDARY_PROC_CONTROLS = B(1);
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		assert_int_equal(F.ept_calls, 0);
		V.PROC_BASED_CONTROLS = P_SECONDARY;
		assert_int_equal(decide_reason(reasons[k]), REFLECT_TO_L1);
		F.ept = REFLECT_EPT_L0;
		assert_int_equal(decide_reason(reasons[k]), HANDLE_IN_L0);
		F.ept = REFLECT_EPT_UNKNOWN;
		assert_int_equal(decide_reason(reasons[k]), CANNOT_DECIDE);
		assert_int_equal(F.ept_calls, 3);
		E.reason = reasons[k];
		assert_int_equal(nested_reflect_exit(&V, &E, NULL).verdict,
				 CANNOT_DECIDE);
	}
}

static void test_preemption_timer(void **state)
{
	(void)state;
	E.l1_timer_expired = true;
	/* Pin bit 6 clear: L1 has no timer; the exit is L0's. */
	assert_int_equal(decide_reason(52), HANDLE_IN_L0);
	V.PIN_BASED_CONTROLS = B(6);
	assert_int_equal(decide_reason(52), REFLECT_TO_L1);
	E.l1_timer_expired = false;
	assert_int_equal(decide_reason(52), HANDLE_IN_L0);
}

static void test_apic_virt(void **state)
{
	/* Exit 44 APIC access: "virtualize APIC accesses" (secondary bit 0,
	 * 29.4); 45 virtualized EOI: virtual-interrupt delivery (bit 9,
	 * 29.1.3); 56 APIC write: APIC-register virtualization (bit 8) or
	 * virtual-interrupt delivery (29.4.3.3). Each exit is L1's exactly
	 * when the vmcs12 has one of its controls; virtualize x2APIC mode
	 * (bit 4) alone causes none of them. vmcs02 has no APIC
	 * virtualization of L0's, so an exit the vmcs12 cannot cause is
	 * undecided (a bug for the caller to stop on), never L0's. */
	static const struct {
		unsigned reason;
		uint32_t causes;
	} rows[] = {
		{ 44, B(0) }, { 45, B(9) }, { 56, B(8) | B(9) },
	};
	static const uint32_t apicv[] = { B(0), B(4), B(8), B(9) };

	(void)state;
	for (unsigned k = 0; k < NELEM(rows); k++) {
		setup(NULL);
		V.SECONDARY_PROC_CONTROLS = ~(B(0) | B(4) | B(8) | B(9));
		V.PROC_BASED_CONTROLS = P_SECONDARY;
		assert_int_equal(decide_reason(rows[k].reason), CANNOT_DECIDE);
		for (unsigned j = 0; j < NELEM(apicv); j++) {
			V.SECONDARY_PROC_CONTROLS = apicv[j];
			assert_int_equal(decide_reason(rows[k].reason),
					 (rows[k].causes & apicv[j]) ? REFLECT_TO_L1
								     : CANNOT_DECIDE);
		}
		/* Without the secondary controls none of them is set. */
		V.SECONDARY_PROC_CONTROLS = rows[k].causes;
		V.PROC_BASED_CONTROLS = 0;
		assert_int_equal(decide_reason(rows[k].reason), CANNOT_DECIDE);
	}
}

static void test_pml(void **state)
{
	(void)state;
	/* Enable PML is secondary bit 17, with EPT (bit 1). */
	assert_int_equal(decide_reason(62), HANDLE_IN_L0);
	set_ctl(PROC2, B(17));
	assert_int_equal(decide_reason(62), HANDLE_IN_L0);
	set_ctl(PROC2, B(1));
	assert_int_equal(decide_reason(62), CANNOT_DECIDE);
}

static void test_pconfig_enclv(void **state)
{
	(void)state;
	/* PCONFIG 65 (enable PCONFIG, secondary bit 27), ENCLV 70 (enable
	 * ENCLV exiting, bit 28): their bitmaps are not in vmcs12. */
	assert_int_equal(decide_reason(65), HANDLE_IN_L0);
	assert_int_equal(decide_reason(70), HANDLE_IN_L0);
	set_ctl(PROC2, B(27));
	assert_int_equal(decide_reason(65), CANNOT_DECIDE);
	assert_int_equal(decide_reason(70), HANDLE_IN_L0);
	set_ctl(PROC2, B(28));
	assert_int_equal(decide_reason(70), CANNOT_DECIDE);
}

/* ---- reasons no CPU gives here, entry failures, names ----------------------------- */

static void test_unknown_and_unmodelled(void **state)
{
	/* Unused numbers (35, 38, 42, 71), beyond the table, SMIs (5, 6),
	 * RSM (17), vmcs02 entry failures (33, 34), SPP (66), 72-75. */
	static const uint32_t undecided[] = { 35, 38, 42, 71, 76, 1000, 0xffff,
					      5, 6, 17, 33, 34, 66, 72, 73, 74,
					      75, 0x80000021, 0x80000022 };

	(void)state;
	V.PIN_BASED_CONTROLS = V.PROC_BASED_CONTROLS = ~0u;
	V.SECONDARY_PROC_CONTROLS = ~0u;
	V.TERTIARY_PROC_CONTROLS = ~0ull;
	for (unsigned k = 0; k < NELEM(undecided); k++)
		assert_int_equal(decide_reason(undecided[k]), CANNOT_DECIDE);
	/* A machine check during entry (41, bit 31 set) is the machine's. */
	assert_int_equal(decide_reason(0x80000029), HANDLE_IN_L0);
	/* Bit 31 with an ordinary reason is no CPU's report. */
	assert_int_equal(decide_reason(0x8000000a), CANNOT_DECIDE);
	/* Bits 30:16 other than 31 do not change the basic reason: CPUID
	 * with the "pending MTF" bit 28 still always exits. */
	assert_int_equal(decide_reason(0x1000000a), REFLECT_TO_L1);
}

/* Every 16-bit basic reason gets a verdict and a reason text. */
static void test_every_reason_has_text(void **state)
{
	(void)state;
	V.PROC_BASED_CONTROLS = ~0u;
	V.SECONDARY_PROC_CONTROLS = ~0u;
	for (uint32_t r = 0; r <= 0xffff; r++) {
		enum reflect_verdict v = decide_reason(r);

		assert_true(v == REFLECT_TO_L1 || v == HANDLE_IN_L0 ||
			    v == CANNOT_DECIDE);
	}
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(reflect_verdict_name(REFLECT_TO_L1), "reflect to L1");
	assert_string_equal(reflect_verdict_name(HANDLE_IN_L0), "handle in L0");
	assert_string_equal(reflect_verdict_name(CANNOT_DECIDE), "cannot decide");
	assert_string_equal(reflect_verdict_name((enum reflect_verdict)9), "?");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unconditional),
		T(test_control_rows),
		T(test_secondary_needs_activation),
		T(test_enable_and_exiting),
		T(test_exception_bitmap),
		T(test_pf_pfec),
		T(test_nmi),
		T(test_exception_bad_info),
		T(test_cr0_mask_shadow),
		T(test_cr4_mask_shadow),
		T(test_cr3_targets),
		T(test_cr8),
		T(test_cr_impossible),
		T(test_clts),
		T(test_lmsw),
		T(test_io_unconditional),
		T(test_io_bitmaps),
		T(test_io_read_fails),
		T(test_msr_no_bitmaps),
		T(test_msr_ranges),
		T(test_vmread_vmwrite),
		T(test_pause),
		T(test_xsaves),
		T(test_encls),
		T(test_vmfunc),
		T(test_ept),
		T(test_preemption_timer),
		T(test_apic_virt),
		T(test_pml),
		T(test_pconfig_enclv),
		T(test_unknown_and_unmodelled),
		T(test_every_reason_has_text),
		T(test_verdict_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
