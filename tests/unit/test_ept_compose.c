/* Unit tests for the shadow-EPT composition (mm/ept_compose.c): EPT12
 * tables in a fake L1 memory of 4 KiB pages at made-up L1 addresses, built
 * for one L2 guest-physical address; table-driven cases change one entry
 * and assert the exact verdict, class, exit qualification and A/D list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/ept_compose.h"

#define BIT(n) (1ULL << (n))
#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PG 4096ULL

/* IA32_VMX_EPT_VPID_CAP values (../shared/platform.md): Bochs Skylake
 * (1 GiB pages, A/D), and the older models (no 1 GiB, no A/D). */
#define CAP_SKYLAKE 0x00000f0106334141ULL
#define CAP_OLD 0x00000f0106114141ULL

#define R EPT_R
#define W EPT_W
#define X EPT_X
#define PS BIT(7)
#define A EPT12_ENTRY_A
#define D EPT12_ENTRY_D
#define MT(t) ((uint64_t)(t) << 3)
#define IPAT BIT(6)

/* ------------------------------------------------------- fake L1 memory */

#define MAX_PAGES 16

static struct {
	uint64_t gpa[MAX_PAGES];
	uint64_t page[MAX_PAGES][512];
	unsigned n;
	unsigned reads;
} l1;

static uint64_t *page_at(uint64_t gpa, bool create)
{
	for (unsigned i = 0; i < l1.n; i++)
		if (l1.gpa[i] == gpa)
			return l1.page[i];
	if (!create)
		return NULL;
	assert_true(l1.n < MAX_PAGES);
	l1.gpa[l1.n] = gpa;
	memset(l1.page[l1.n], 0, PG);
	return l1.page[l1.n++];
}

static int l1_read(void *ctx, uint64_t gpa, uint64_t *entry)
{
	uint64_t *p = page_at(gpa & ~(PG - 1), false);

	(void)ctx;
	assert_int_equal(gpa % 8, 0);
	l1.reads++;
	if (!p)
		return -1;
	*entry = p[(gpa % PG) / 8];
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(&l1, 0, sizeof(l1));
	return 0;
}

/* Tables: PML5 0x9000, PML4 0x10000, PDPT 0x11000, PD 0x12000, PT
 * 0x13000 (L1 guest-physical). */
#define T5 0x9000ULL
#define T4 0x10000ULL
#define T3 0x11000ULL
#define T2 0x12000ULL
#define T1 0x13000ULL
#define EPTP4 (T4 | EPT_MT_WB | (3ULL << 3))
#define EPTP4_AD (EPTP4 | BIT(6))
#define EPTP5 (T5 | EPT_MT_WB | (4ULL << 3))

static unsigned idx(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> (12 + 9 * (level - 1))) & 511);
}

static void put(uint64_t table, uint64_t gpa, unsigned level, uint64_t v)
{
	page_at(table, true)[idx(gpa, level)] = v;
}

static uint64_t get(uint64_t table, uint64_t gpa, unsigned level)
{
	return page_at(table, true)[idx(gpa, level)];
}

/* The entries at levels 4..1 for gpa: e[0] = PML4E ... e[3] = PTE. A table
 * entry is its flags | the next table; the PTE is given whole. */
static void path(uint64_t gpa, uint64_t f4, uint64_t f3, uint64_t f2,
		 uint64_t pte)
{
	put(T4, gpa, 4, T3 | f4);
	put(T3, gpa, 3, T2 | f3);
	put(T2, gpa, 2, T1 | f2);
	put(T1, gpa, 1, pte);
}

static struct ept12_caps caps_of(uint64_t cap, unsigned maxphyaddr)
{
	return ept12_caps_from_msr(cap, maxphyaddr);
}

static struct ept12_result walk_c(const struct ept12_caps *c, uint64_t eptp,
				  uint64_t gpa, unsigned access)
{
	struct ept12_result r;
	int rc = ept12_walk(c, eptp, gpa, access, l1_read, NULL, &r);

	assert_int_equal(rc, r.kind == EPT12_BAD_INPUT ? -1 : 0);
	return r;
}

static struct ept12_result walk(uint64_t eptp, uint64_t gpa, unsigned access)
{
	struct ept12_caps c = caps_of(CAP_SKYLAKE, 39);

	return walk_c(&c, eptp, gpa, access);
}

#define G 0x12345678ULL /* an L2 gpa under 2^39 */
#define PAGE 0x7654000ULL /* an L1 page */

/* ---------------------------------------------------------- capabilities */

static void test_caps_from_msr(void **state)
{
	struct { unsigned bit; size_t off; } bits[] = {
		{ 0, offsetof(struct ept12_caps, exec_only) },
		{ 6, offsetof(struct ept12_caps, walk4) },
		{ 7, offsetof(struct ept12_caps, walk5) },
		{ 8, offsetof(struct ept12_caps, mt_uc) },
		{ 14, offsetof(struct ept12_caps, mt_wb) },
		{ 16, offsetof(struct ept12_caps, page_2m) },
		{ 17, offsetof(struct ept12_caps, page_1g) },
		{ 21, offsetof(struct ept12_caps, ad) },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
		struct ept12_caps on = caps_of(BIT(bits[i].bit), 40);
		struct ept12_caps off = caps_of(~BIT(bits[i].bit), 40);

		assert_true(*((bool *)&on + bits[i].off));
		assert_false(*((bool *)&off + bits[i].off));
		assert_int_equal(on.maxphyaddr, 40);
	}
}

/* SDM 26.2.1.1 EPTP checks, each with its passing neighbour. */
static void test_eptp_valid(void **state)
{
	struct ept12_caps sky = caps_of(CAP_SKYLAKE, 36);
	struct ept12_caps old = caps_of(CAP_OLD, 36);
	struct ept12_caps five = caps_of(CAP_SKYLAKE | BIT(7), 52);
	struct ept12_caps no_uc = caps_of(CAP_SKYLAKE & ~BIT(8), 36);
	struct {
		const struct ept12_caps *c;
		uint64_t eptp;
		bool ok;
	} t[] = {
		{ &sky, EPTP4, true },
		{ &sky, T4 | 0 | (3 << 3), true },      /* UC */
		{ &no_uc, T4 | 0 | (3 << 3), false },   /* UC not shown */
		{ &sky, T4 | 1 | (3 << 3), false },     /* WC */
		{ &sky, T4 | 2 | (3 << 3), false },
		{ &sky, T4 | 4 | (3 << 3), false },
		{ &sky, T4 | 7 | (3 << 3), false },
		{ &sky, T4 | 6 | (2 << 3), false },     /* 3 levels */
		{ &sky, EPTP5, false },                 /* 5 levels not shown */
		{ &five, EPTP5, true },
		{ &five, T5 | 6 | (5 << 3), false },
		{ &sky, EPTP4_AD, true },
		{ &old, EPTP4_AD, false },              /* A/D not shown */
		{ &old, EPTP4, true },
		{ &sky, EPTP4 | BIT(7), false },
		{ &sky, EPTP4 | BIT(11), false },
		{ &sky, EPTP4 | BIT(35), true },        /* below MAXPHYADDR */
		{ &sky, EPTP4 | BIT(36), false },
		{ &sky, EPTP4 | BIT(63), false },
		{ &five, EPTP5 | BIT(51), true },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		const char *why = "unset";
		bool ok = ept12_eptp_valid(t[i].c, t[i].eptp, &why);

		if (ok != t[i].ok)
			fail_msg("case %u: eptp %#llx: got %d (%s)", i,
				 (unsigned long long)t[i].eptp, ok, why);
		assert_true(ok ? why == NULL : why != NULL);
	}
	assert_false(ept12_eptp_valid(NULL, EPTP4, NULL));
}

/* ------------------------------------------------------------ translation */

static void test_translate_4k(void **state)
{
	struct ept12_result r;

	(void)state;
	path(G, R | W | X, R | W | X, R | W | X, PAGE | R | W | MT(6) | IPAT);
	r = walk(EPTP4, G, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_null(r.why);
	assert_int_equal(r.l1_gpa, PAGE | (G & 0xfff));
	assert_int_equal(r.level, 1);
	assert_int_equal(r.perm, R | W);
	assert_int_equal(r.memtype, EPT_MT_WB);
	assert_true(r.ipat);
	assert_int_equal(r.levels_walked, 4);
	assert_int_equal(r.entry[3], PAGE | R | W | MT(6) | IPAT);
	assert_int_equal(r.n_ad, 0); /* A/D not enabled */
	assert_int_equal(r.stop_level, 0);
	/* Rights are the AND of every level (28.2.2). */
	path(G, R | X, R | W | X, R | W, PAGE | R | W | X | MT(0));
	r = walk(EPTP4, G, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.perm, R);
	assert_int_equal(r.memtype, EPT_MT_UC);
	assert_false(r.ipat);
}

static void test_large_pages(void **state)
{
	struct ept12_result r;
	uint64_t g2 = 0x40345678ULL, g1 = 0x4012345678ULL;

	(void)state;
	put(T4, g2, 4, T3 | R | W | X);
	put(T3, g2, 3, T2 | R | W | X);
	put(T2, g2, 2, 0x3e00000ULL | PS | R | X | MT(4));
	r = walk(EPTP4, g2, EPT12_ACC_FETCH);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.l1_gpa, 0x3e00000ULL | (g2 & (2 * MiB - 1)));
	assert_int_equal(r.memtype, EPT_MT_WT);
	assert_int_equal(r.levels_walked, 3);

	put(T4, g1, 4, T3 | R | W | X);
	put(T3, g1, 3, 0x1c0000000ULL | PS | R | W | MT(5));
	r = walk(EPTP4, g1, EPT12_ACC_WRITE);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.level, 3);
	assert_int_equal(r.l1_gpa, 0x1c0000000ULL | (g1 & (GiB - 1)));
	assert_int_equal(r.memtype, EPT_MT_WP);
	assert_int_equal(r.levels_walked, 2);
	/* Bit 7 of a PTE is ignored (28.2.2). */
	path(G, R, R, R, PAGE | PS | R | MT(6));
	r = walk(EPTP4, G, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.level, 1);
}

static void test_five_level(void **state)
{
	struct ept12_caps c = caps_of(CAP_SKYLAKE | BIT(7), 52);
	uint64_t g = (1ULL << 51) | G;
	struct ept12_result r;

	(void)state;
	put(T5, g, 5, T4 | R | W | X);
	path(g, R | W | X, R | W | X, R | W | X, PAGE | R | MT(6));
	r = walk_c(&c, EPTP5, g, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.levels_walked, 5);
	assert_int_equal(r.l1_gpa, PAGE | (g & 0xfff));
	/* PML5E has the PML4E format: bits 7:3 reserved. */
	put(T5, g, 5, T4 | R | W | X | BIT(3));
	r = walk_c(&c, EPTP5, g, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_MISCONFIG);
	assert_int_equal(r.misconfig, EPT12_MC_RSVD_BITS);
	assert_int_equal(r.stop_level, 5);
	/* The same gpa is beyond a 4-level walk (bits 47:0, 28.2.2). */
	r = walk_c(&c, EPTP4, g, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_BAD_INPUT);
}

/* --------------------------------------------------------- misconfiguration */

struct mc_case {
	unsigned level;  /* which entry of the 4K path to change */
	uint64_t value;  /* its new low bits (the address is kept) */
	enum ept12_misconfig mc;
};

/* The 4K path for G with every entry RWX, then one entry changed. */
static struct ept12_result mc_walk(const struct ept12_caps *c,
				   const struct mc_case *k, unsigned access)
{
	uint64_t pte = PAGE | R | W | X | MT(6);

	path(G, R | W | X, R | W | X, R | W | X, pte);
	switch (k->level) {
	case 4: put(T4, G, 4, T3 | k->value); break;
	/* A large leaf gets a 1 GiB-aligned address, a table entry the next
	 * table. */
	case 3: put(T3, G, 3, (k->value & PS ? GiB : T2) | k->value); break;
	case 2: put(T2, G, 2, (k->value & PS ? GiB : T1) | k->value); break;
	case 1: put(T1, G, 1, PAGE | k->value); break;
	}
	return walk_c(c, EPTP4, G, access);
}

static void check_mc(const struct ept12_caps *c, const struct mc_case *t,
		     unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct ept12_result r = mc_walk(c, &t[i], EPT12_ACC_READ);

		if (t[i].mc == EPT12_MC_NONE) {
			if (r.kind == EPT12_MISCONFIG)
				fail_msg("case %u (level %u, %#llx): %s", i,
					 t[i].level,
					 (unsigned long long)t[i].value, r.why);
			continue;
		}
		if (r.kind != EPT12_MISCONFIG || r.misconfig != t[i].mc)
			fail_msg("case %u (level %u, %#llx): kind %d class %d",
				 i, t[i].level, (unsigned long long)t[i].value,
				 r.kind, r.misconfig);
		assert_int_equal(r.stop_level, t[i].level);
		assert_int_equal(r.levels_walked, 5 - t[i].level);
		assert_non_null(r.why);
		assert_int_equal(r.exit_qual, 0);
		assert_int_equal(r.n_ad, 0);
	}
}

/* SDM 28.2.3.1, each class with its passing neighbour, at every level. */
static void test_misconfig_classes(void **state)
{
	struct ept12_caps c = caps_of(CAP_SKYLAKE & ~1ULL, 39); /* no X-only */
	struct mc_case t[] = {
		/* bits 2:0 = 010b / 110b at every level; 011b passes */
		{ 4, W, EPT12_MC_WRITE_NO_READ },
		{ 3, W | X, EPT12_MC_WRITE_NO_READ },
		{ 2, W, EPT12_MC_WRITE_NO_READ },
		{ 1, W | MT(6), EPT12_MC_WRITE_NO_READ },
		{ 1, W | X | MT(6), EPT12_MC_WRITE_NO_READ },
		{ 1, R | W | X | MT(6), EPT12_MC_NONE },
		/* 100b without execute-only support */
		{ 4, X, EPT12_MC_EXEC_ONLY },
		{ 3, X, EPT12_MC_EXEC_ONLY },
		{ 2, X, EPT12_MC_EXEC_ONLY },
		{ 1, X | MT(6), EPT12_MC_EXEC_ONLY },
		{ 1, R | X | MT(6), EPT12_MC_NONE },
		/* reserved bits 7:3 of a PML4E; 11:8 are ignored */
		{ 4, R | W | X | BIT(3), EPT12_MC_RSVD_BITS },
		{ 4, R | W | X | BIT(6), EPT12_MC_RSVD_BITS },
		{ 4, R | W | X | BIT(7), EPT12_MC_RSVD_BITS },
		{ 4, R | W | X | 0xf00, EPT12_MC_NONE },
		{ 4, R | W | X | BIT(62), EPT12_MC_NONE },
		/* bits 6:3 of a non-leaf PDPTE / PDE */
		{ 3, R | W | X | BIT(3), EPT12_MC_RSVD_BITS },
		{ 3, R | W | X | BIT(6), EPT12_MC_RSVD_BITS },
		{ 3, R | W | X | 0xf00, EPT12_MC_NONE },
		{ 2, R | W | X | BIT(5), EPT12_MC_RSVD_BITS },
		{ 2, R | W | X | BIT(6), EPT12_MC_RSVD_BITS },
		{ 2, R | W | X | 0xf00, EPT12_MC_NONE },
		/* a PTE: 6:3 are the type and IPAT, 11:7 ignored */
		{ 1, R | X | MT(6) | IPAT | 0xf80, EPT12_MC_NONE },
		/* leaf memory types 2, 3, 7 reserved */
		{ 1, R | X | MT(2), EPT12_MC_MEMTYPE },
		{ 1, R | X | MT(3), EPT12_MC_MEMTYPE },
		{ 1, R | X | MT(7), EPT12_MC_MEMTYPE },
		{ 1, R | X | MT(0), EPT12_MC_NONE },
		{ 1, R | X | MT(1), EPT12_MC_NONE },
		{ 1, R | X | MT(4), EPT12_MC_NONE },
		{ 1, R | X | MT(5), EPT12_MC_NONE },
		/* not present: the other bits do not matter (28.2.2) */
		{ 4, 0xff8, EPT12_MC_NONE },
		{ 1, MT(7) | BIT(12), EPT12_MC_NONE },
	};

	(void)state;
	check_mc(&c, t, ARRAY_SIZE(t));
	/* Execute-only shown: 100b is a translation. */
	c.exec_only = true;
	{
		struct mc_case ok = { 1, X | MT(6), EPT12_MC_NONE };
		struct ept12_result r = mc_walk(&c, &ok, EPT12_ACC_FETCH);

		assert_int_equal(r.kind, EPT12_TRANSLATED);
		assert_int_equal(r.perm, X);
	}
}

/* Large pages: bit 7 where the caps L1 was shown allow it, the reserved
 * address bits of a large leaf, and its memory type. */
static void test_misconfig_large(void **state)
{
	struct ept12_caps sky = caps_of(CAP_SKYLAKE, 39);
	struct ept12_caps old = caps_of(CAP_OLD, 39); /* no 1 GiB */
	struct ept12_caps small = caps_of(CAP_OLD & ~BIT(16), 39);
	struct mc_case t_sky[] = {
		{ 3, PS | R | MT(6), EPT12_MC_NONE },
		{ 3, PS | R | MT(6) | BIT(12), EPT12_MC_RSVD_BITS },
		{ 3, PS | R | MT(6) | BIT(29), EPT12_MC_RSVD_BITS },
		{ 3, PS | R | MT(6) | BIT(30), EPT12_MC_NONE },
		{ 3, PS | R | MT(3), EPT12_MC_MEMTYPE },
		{ 2, PS | R | MT(6), EPT12_MC_NONE },
		{ 2, PS | R | MT(6) | BIT(12), EPT12_MC_RSVD_BITS },
		{ 2, PS | R | MT(6) | BIT(20), EPT12_MC_RSVD_BITS },
		{ 2, PS | R | MT(6) | BIT(21), EPT12_MC_NONE },
		{ 2, PS | R | MT(7), EPT12_MC_MEMTYPE },
	};
	struct mc_case t_old[] = {
		{ 3, PS | R | MT(6), EPT12_MC_LARGE_PAGE },
		{ 2, PS | R | MT(6), EPT12_MC_NONE },
	};
	struct mc_case t_small[] = {
		{ 3, PS | R | MT(6), EPT12_MC_LARGE_PAGE },
		{ 2, PS | R | MT(6), EPT12_MC_LARGE_PAGE },
		{ 2, R | W | X, EPT12_MC_NONE },
	};

	(void)state;
	check_mc(&sky, t_sky, ARRAY_SIZE(t_sky));
	check_mc(&old, t_old, ARRAY_SIZE(t_old));
	check_mc(&small, t_small, ARRAY_SIZE(t_small));
}

/* Bits 51:MAXPHYADDR of every entry are reserved (28.2.3.1), for L1's
 * MAXPHYADDR: narrow (32, 36), common (39) and the widest (52). */
static void test_maxphyaddr(void **state)
{
	struct {
		unsigned m, level;
		uint64_t value;
		enum ept12_misconfig mc;
	} t[] = {
		{ 36, 1, R | MT(6) | BIT(35), EPT12_MC_NONE },
		{ 36, 1, R | MT(6) | BIT(36), EPT12_MC_RSVD_ADDR },
		{ 36, 1, R | MT(6) | BIT(51), EPT12_MC_RSVD_ADDR },
		{ 36, 4, R | W | X | BIT(36), EPT12_MC_RSVD_ADDR },
		{ 36, 3, R | W | X | BIT(40), EPT12_MC_RSVD_ADDR },
		{ 36, 2, R | W | X | BIT(47), EPT12_MC_RSVD_ADDR },
		{ 32, 1, R | MT(6) | BIT(31), EPT12_MC_NONE },
		{ 32, 1, R | MT(6) | BIT(32), EPT12_MC_RSVD_ADDR },
		{ 52, 1, R | MT(6) | BIT(51), EPT12_MC_NONE },
		{ 52, 1, R | MT(6) | BIT(52), EPT12_MC_NONE }, /* ignored */
		{ 39, 1, R | MT(6) | BIT(38), EPT12_MC_NONE },
		{ 39, 1, R | MT(6) | BIT(39), EPT12_MC_RSVD_ADDR },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		struct ept12_caps c = caps_of(CAP_SKYLAKE, t[i].m);
		struct mc_case k = { t[i].level, t[i].value, t[i].mc };
		struct ept12_result r;

		reset(NULL);
		r = mc_walk(&c, &k, EPT12_ACC_READ);
		if (t[i].mc == EPT12_MC_NONE) {
			if (r.kind != EPT12_TRANSLATED)
				fail_msg("case %u: kind %d (%s)", i, r.kind,
					 r.why);
			/* A translation never exceeds L1's width. */
			assert_true(r.l1_gpa < (1ULL << t[i].m));
			assert_int_equal(r.l1_gpa & ~0xfffULL,
					 (PAGE | t[i].value) & 0xffffffffff000ULL);
		} else if (r.kind != EPT12_MISCONFIG ||
			   r.misconfig != t[i].mc ||
			   r.stop_level != t[i].level) {
			fail_msg("case %u: kind %d class %d level %u", i,
				 r.kind, r.misconfig, r.stop_level);
		}
	}
}

/* The guest-physical address must be within L1's width and the walk's
 * (bits 47:0 for 4 levels, 28.2.2). */
static void test_gpa_width(void **state)
{
	struct ept12_caps c36 = caps_of(CAP_SKYLAKE, 36);
	struct ept12_caps c52 = caps_of(CAP_SKYLAKE, 52);
	uint64_t top36 = (1ULL << 36) - 1;
	struct ept12_result r;

	(void)state;
	path(top36, R | W | X, R | W | X, R | W | X, PAGE | R | MT(6));
	r = walk_c(&c36, EPTP4, top36, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	r = walk_c(&c36, EPTP4, top36 + 1, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_BAD_INPUT);
	path((1ULL << 48) - 1, R | W | X, R | W | X, R | W | X,
	     PAGE | R | MT(6));
	r = walk_c(&c52, EPTP4, (1ULL << 48) - 1, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	r = walk_c(&c52, EPTP4, 1ULL << 48, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_BAD_INPUT);
}

static void test_bad_input(void **state)
{
	struct ept12_caps c = caps_of(CAP_SKYLAKE, 39);
	struct ept12_caps bad = caps_of(CAP_SKYLAKE, 53);
	struct ept12_result r;

	(void)state;
	path(G, R, R, R, PAGE | R | MT(6));
	assert_int_equal(walk_c(&c, EPTP4, G, EPT12_ACC_READ).kind,
			 EPT12_TRANSLATED);
	assert_int_equal(walk_c(&bad, EPTP4, G, EPT12_ACC_READ).kind,
			 EPT12_BAD_INPUT);
	assert_int_equal(walk_c(&c, EPTP4 | BIT(7), G, EPT12_ACC_READ).kind,
			 EPT12_BAD_INPUT);
	assert_int_equal(walk_c(&c, EPTP4, G, 0).kind, EPT12_BAD_INPUT);
	assert_int_equal(walk_c(&c, EPTP4, G, EPT12_ACC_PAGING).kind,
			 EPT12_BAD_INPUT);
	assert_int_equal(walk_c(&c, EPTP4, G, 0x10 | R).kind,
			 EPT12_BAD_INPUT);
	assert_int_equal(ept12_walk(&c, EPTP4, G, R, NULL, NULL, &r), -1);
	assert_int_equal(r.kind, EPT12_BAD_INPUT);
	assert_int_equal(ept12_walk(NULL, EPTP4, G, R, l1_read, NULL, &r), -1);
	assert_int_equal(ept12_walk(&c, EPTP4, G, R, l1_read, NULL, NULL), -1);
}

/* A table outside readable L1 RAM: the walk stops there, L0 decides. */
static void test_read_failed(void **state)
{
	struct ept12_result r;

	(void)state;
	path(G, R | W | X, R | W | X, R | W | X, PAGE | R | MT(6));
	put(T3, G, 3, 0x5000000ULL | R | W | X); /* no such page */
	r = walk(EPTP4, G, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_READ_FAILED);
	assert_int_equal(r.stop_level, 2);
	assert_int_equal(r.entry_gpa, 0x5000000ULL + 8 * idx(G, 2));
	assert_int_equal(r.levels_walked, 2);
	r = walk(T4 + 0x100000 + 0x1f, G, EPT12_ACC_READ); /* type 7 */
	assert_int_equal(r.kind, EPT12_BAD_INPUT);
	r = walk((T4 + 0x100000) | EPT_MT_WB | (3 << 3), G, EPT12_ACC_READ);
	assert_int_equal(r.kind, EPT12_READ_FAILED);
	assert_int_equal(r.stop_level, 4);
	assert_int_equal(r.levels_walked, 0);
}

/* ------------------------------------------------------------- violations */

/* Every valid permission set at the leaf against every access: a violation
 * exactly when the access asks for a right the AND lacks; the qualification
 * is the access in bits 2:0 and the rights in 5:3 (Table 27-7). */
static void test_violation_matrix(void **state)
{
	const unsigned perms[] = { R, R | W, R | X, R | W | X, X };
	const unsigned accs[] = { R, W, X, R | W };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(perms); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(accs); j++) {
			/* The rights may come from any level: put them at
			 * the PDE or at the PTE. */
			for (unsigned where = 0; where < 2; where++) {
				struct ept12_result r;
				unsigned p = perms[i], a = accs[j];

				if (where == 0)
					path(G, R | W | X, R | W | X, p,
					     PAGE | R | W | X | MT(6));
				else
					path(G, R | W | X, R | W | X,
					     R | W | X, PAGE | p | MT(6));
				r = walk(EPTP4, G, a);
				if (a & ~p) {
					assert_int_equal(r.kind,
							 EPT12_VIOLATION);
					assert_int_equal(r.exit_qual,
							 a | (p << 3));
					assert_int_equal(r.stop_level, 0);
					assert_int_equal(r.levels_walked, 4);
				} else {
					assert_int_equal(r.kind,
							 EPT12_TRANSLATED);
					assert_int_equal(r.perm, p);
					assert_int_equal(r.exit_qual, 0);
				}
			}
		}
	}
}

/* A not-present entry at each level: bits 5:3 are 0, the walk stops. */
static void test_violation_not_present(void **state)
{
	(void)state;
	for (unsigned level = 4; level >= 1; level--) {
		struct mc_case k = { level, 0, EPT12_MC_NONE };
		struct ept12_caps c = caps_of(CAP_SKYLAKE, 39);
		struct ept12_result r = mc_walk(&c, &k, R | W);

		assert_int_equal(r.kind, EPT12_VIOLATION);
		assert_int_equal(r.exit_qual, R | W);
		assert_int_equal(r.stop_level, level);
		assert_int_equal(r.levels_walked, 5 - level);
		k.value = R;
		if (level == 1)
			k.value |= MT(6);
		r = mc_walk(&c, &k, R);
		assert_int_equal(r.kind, EPT12_TRANSLATED);
	}
	/* A misconfigured leaf wins over missing rights higher up. */
	path(G, R, R | W | X, R | W | X, PAGE | R | W | MT(7));
	assert_int_equal(walk(EPTP4, G, W).kind, EPT12_MISCONFIG);
}

/* Guest paging-structure accesses are writes with EPT A/D (28.2.3.2). */
static void test_paging_access(void **state)
{
	struct ept12_result r;

	(void)state;
	path(G, R | W | X, R | W | X, R | W | X, PAGE | R | MT(6));
	r = walk(EPTP4, G, R | EPT12_ACC_PAGING);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.access, R);
	r = walk(EPTP4_AD, G, R | EPT12_ACC_PAGING);
	assert_int_equal(r.kind, EPT12_VIOLATION);
	assert_int_equal(r.exit_qual, W | (R << 3));
	assert_int_equal(r.access, W);
	r = walk(EPTP4_AD, G, R);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	put(T1, G, 1, PAGE | R | W | MT(6));
	r = walk(EPTP4_AD, G, R | EPT12_ACC_PAGING);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_true(r.dirty);
}

/* ------------------------------------------------------------ A/D flags */

static void test_ad_list(void **state)
{
	struct ept12_result r;

	(void)state;
	/* A read: A on every entry, no D. */
	path(G, R | W | X, R | W | X, R | W | X, PAGE | R | W | MT(6));
	r = walk(EPTP4_AD, G, R);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_true(r.ad_enabled);
	assert_false(r.dirty);
	assert_int_equal(r.n_ad, 4);
	assert_int_equal(r.ad[0].l1_gpa, T4 + 8 * idx(G, 4));
	assert_int_equal(r.ad[1].l1_gpa, T3 + 8 * idx(G, 3));
	assert_int_equal(r.ad[2].l1_gpa, T2 + 8 * idx(G, 2));
	assert_int_equal(r.ad[3].l1_gpa, T1 + 8 * idx(G, 1));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(r.ad[i].set, A);
	/* A write: the leaf also gets D. */
	r = walk(EPTP4_AD, G, W);
	assert_int_equal(r.n_ad, 4);
	assert_int_equal(r.ad[3].set, A | D);
	assert_true(r.dirty);
	/* Flags already set are not listed. */
	put(T4, G, 4, get(T4, G, 4) | A);
	put(T2, G, 2, get(T2, G, 2) | A | D); /* D ignored in a non-leaf */
	put(T1, G, 1, get(T1, G, 1) | A);
	r = walk(EPTP4_AD, G, W);
	assert_int_equal(r.n_ad, 2);
	assert_int_equal(r.ad[0].l1_gpa, T3 + 8 * idx(G, 3));
	assert_int_equal(r.ad[0].set, A);
	assert_int_equal(r.ad[1].l1_gpa, T1 + 8 * idx(G, 1));
	assert_int_equal(r.ad[1].set, D);
	put(T1, G, 1, get(T1, G, 1) | D);
	r = walk(EPTP4_AD, G, R);
	assert_int_equal(r.n_ad, 1);
	assert_true(r.dirty);
	/* Not enabled in the EPTP: nothing; a violation: nothing. */
	r = walk(EPTP4, G, W);
	assert_int_equal(r.n_ad, 0);
	assert_false(r.ad_enabled);
	put(T1, G, 1, PAGE | R | MT(6));
	r = walk(EPTP4_AD, G, W);
	assert_int_equal(r.kind, EPT12_VIOLATION);
	assert_int_equal(r.n_ad, 0);
	/* A 2 MiB leaf gets D at level 2. */
	put(T2, G, 2, (2 * MiB * 9) | PS | R | W | MT(6));
	r = walk(EPTP4_AD, G, W);
	assert_int_equal(r.kind, EPT12_TRANSLATED);
	assert_int_equal(r.n_ad, 2); /* the PML4E's A is set already */
	assert_int_equal(r.ad[0].set, A);
	assert_int_equal(r.ad[1].l1_gpa, T2 + 8 * idx(G, 2));
	assert_int_equal(r.ad[1].set, A | D);
}

/* ------------------------------------------------------------ composition */

/* EPT01 for the tests: one page of `level` at l1 base m_l1 -> host m_hpa. */
static struct {
	bool present;
	uint64_t l1_base, hpa;
	unsigned level, perm, memtype;
	bool ipat;
	uint64_t asked;
} e01;

static int e01_lookup(void *ctx, uint64_t l1_gpa, struct ept01_map *m)
{
	uint64_t size = 1ULL << (12 + 9 * (e01.level - 1));

	(void)ctx;
	e01.asked = l1_gpa;
	if (!e01.present || l1_gpa < e01.l1_base ||
	    l1_gpa - e01.l1_base >= size)
		return -1;
	m->hpa = e01.hpa + (l1_gpa - e01.l1_base);
	m->level = e01.level;
	m->perm = e01.perm;
	m->memtype = e01.memtype;
	m->ipat = e01.ipat;
	return 0;
}

static void set_e01(uint64_t l1_base, uint64_t hpa, unsigned level,
		    unsigned perm, unsigned mt, bool ipat)
{
	e01.present = true;
	e01.l1_base = l1_base;
	e01.hpa = hpa;
	e01.level = level;
	e01.perm = perm;
	e01.memtype = mt;
	e01.ipat = ipat;
}

static struct ept_caps host_caps(void)
{
	return ept_caps_from_msr(CAP_SKYLAKE, 46);
}

/* A translation made by hand: L2 gpa g -> L1 gpa at `level`. */
static struct ept12_result tr(uint64_t g, uint64_t l1_gpa, unsigned level,
			      unsigned perm, unsigned access)
{
	struct ept12_result w = { 0 };

	w.kind = EPT12_TRANSLATED;
	w.gpa = g;
	w.l1_gpa = l1_gpa;
	w.level = level;
	w.perm = perm;
	w.access = access;
	w.memtype = EPT_MT_WB;
	return w;
}

static struct ept02_leaf compose(const struct ept12_result *w,
				 const struct ept_caps *h)
{
	struct ept02_leaf l;

	assert_int_equal(ept02_compose(w, h, e01_lookup, NULL, &l), 0);
	return l;
}

/* Leaf size: the smaller of the two pages and what the host can map; the
 * address offsets carry through. */
static void test_compose_sizes(void **state)
{
	struct ept_caps h = host_caps(), h2m = h, h4k = h;
	struct {
		unsigned l12, l01;
		const struct ept_caps *host;
		unsigned want;
	} t[] = {
		{ 1, 1, &h, 1 }, { 1, 2, &h, 1 }, { 1, 3, &h, 1 },
		{ 2, 1, &h, 1 }, { 2, 2, &h, 2 }, { 2, 3, &h, 2 },
		{ 3, 1, &h, 1 }, { 3, 2, &h, 2 }, { 3, 3, &h, 3 },
		{ 3, 3, &h2m, 2 }, { 2, 2, &h4k, 1 }, { 3, 3, &h4k, 1 },
	};
	/* L2 gpa, L1 gpa and host address agree in their low 30 bits only
	 * where the pages allow; take offsets inside a 1 GiB page. */
	uint64_t g = 7 * GiB + 0x12345678ULL;
	uint64_t l1a = 3 * GiB + 0x12345678ULL;
	uint64_t hpa = 11 * GiB + 0x12345678ULL;

	(void)state;
	h2m.page_1g = false;
	h4k.page_2m = false;
	h4k.page_1g = false;
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t s12 = 1ULL << (12 + 9 * (t[i].l12 - 1));
		uint64_t s01 = 1ULL << (12 + 9 * (t[i].l01 - 1));
		uint64_t want = 1ULL << (12 + 9 * (t[i].want - 1));
		/* Offsets agree modulo each level's own page size. */
		uint64_t l1 = (l1a & ~(s12 - 1)) | (g & (s12 - 1));
		struct ept12_result w = tr(g, l1, t[i].l12, R | W | X, R);
		struct ept02_leaf l;

		set_e01(l1 & ~(s01 - 1), (hpa & ~(s01 - 1)), t[i].l01,
			R | W | X, EPT_MT_WB, false);
		l = compose(&w, t[i].host);
		if (l.kind != EPT02_MAP || l.level != t[i].want)
			fail_msg("case %u: kind %d level %u (%s)", i, l.kind,
				 l.level, l.why ? l.why : "");
		assert_int_equal(e01.asked, l1);
		assert_int_equal(l.gpa, g & ~(want - 1));
		assert_int_equal(l.hpa, (hpa & ~(s01 - 1) & ~(want - 1)) |
						((l1 & (s01 - 1)) & ~(want - 1)));
		assert_int_equal(l.gpa % want, 0);
		assert_int_equal(l.hpa % want, 0);
	}
}

/* Permissions are the intersection; an access EPT01 denies is L0's. */
static void test_compose_perms(void **state)
{
	struct ept_caps h = host_caps(), h_no_xo = h;
	struct {
		unsigned p12, p01, access;
		const struct ept_caps *host;
		enum ept02_kind kind;
		unsigned perm;
	} t[] = {
		{ R | W | X, R | W | X, R, &h, EPT02_MAP, R | W | X },
		{ R, R | W | X, R, &h, EPT02_MAP, R },
		{ R | W | X, R, R, &h, EPT02_MAP, R },
		{ R | W | X, R, W, &h, EPT02_L0, 0 },  /* e.g. read-only */
		{ R | X, R | W, X, &h, EPT02_L0, 0 },
		{ R | W, R | X, R, &h, EPT02_MAP, R },
		{ X, R | W | X, X, &h, EPT02_MAP, X },
		{ X, R | W | X, X, &h_no_xo, EPT02_L0, 0 },
		{ R | X, X, X, &h, EPT02_MAP, X },
	};

	(void)state;
	h_no_xo.exec_only = false;
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		struct ept12_result w = tr(G, PAGE | (G & 0xfff), 1, t[i].p12,
					   t[i].access);
		struct ept02_leaf l;

		set_e01(PAGE, 0x88000000ULL, 1, t[i].p01, EPT_MT_WB, false);
		l = compose(&w, t[i].host);
		if (l.kind != t[i].kind || l.perm != t[i].perm)
			fail_msg("case %u: kind %d perm %u", i, l.kind, l.perm);
		if (l.kind == EPT02_L0)
			assert_non_null(l.why);
	}
}

/* With EPT12 A/D, write is withheld until EPT12's dirty flag is set. */
static void test_compose_dirty(void **state)
{
	struct ept_caps h = host_caps();
	struct ept12_result w = tr(G, PAGE, 1, R | W | X, R);
	struct ept02_leaf l;

	(void)state;
	set_e01(PAGE, 0x88000000ULL, 1, R | W | X, EPT_MT_WB, false);
	w.ad_enabled = true;
	l = compose(&w, &h);
	assert_int_equal(l.kind, EPT02_MAP);
	assert_int_equal(l.perm, R | X);
	w.dirty = true;
	l = compose(&w, &h);
	assert_int_equal(l.perm, R | W | X);
	w.ad_enabled = false;
	w.dirty = false;
	l = compose(&w, &h);
	assert_int_equal(l.perm, R | W | X);
	/* End to end: a write walk sets dirty, the leaf is writable. */
	path(G, R | W | X, R | W | X, R | W | X, PAGE | R | W | MT(6));
	w = walk(EPTP4_AD, G, W);
	assert_true(w.dirty);
	l = compose(&w, &h);
	assert_int_equal(l.kind, EPT02_MAP);
	assert_int_equal(l.perm, R | W);
}

/* Nothing that EPT01 does not map for L1 reaches L2. */
static void test_compose_hidden(void **state)
{
	struct ept_caps h = host_caps();
	struct ept12_result w = tr(G, PAGE | 0x10, 1, R | W, R);
	struct ept12_result bad = w;
	struct ept02_leaf l;

	(void)state;
	e01.present = false;
	l = compose(&w, &h);
	assert_int_equal(l.kind, EPT02_L0);
	assert_int_equal(ept02_leaf_entry(&l), 0);
	/* A lookup whose offset does not match is refused. */
	set_e01(PAGE, 0x88000000ULL, 1, R | W, EPT_MT_WB, false);
	assert_int_equal(compose(&w, &h).kind, EPT02_MAP);
	e01.hpa = 0x88000008ULL;
	assert_int_equal(compose(&w, &h).kind, EPT02_L0);
	/* ... and so is an invalid EPT01 leaf (write without read). */
	e01.hpa = 0x88000000ULL;
	e01.perm = W;
	assert_int_equal(compose(&w, &h).kind, EPT02_L0);
	e01.perm = R | W;
	/* ... and a host address beyond the host's width. */
	e01.hpa = 1ULL << 46;
	assert_int_equal(compose(&w, &h).kind, EPT02_L0);
	/* Only a translation composes. */
	bad.kind = EPT12_VIOLATION;
	assert_int_equal(ept02_compose(&bad, &h, e01_lookup, NULL, &l), -1);
	assert_int_equal(l.kind, EPT02_L0);
	assert_int_equal(ept02_compose(&w, &h, NULL, NULL, &l), -1);
}

/* SDM 28.2.6.2 with Table 11-7: each EPT01 class. */
static void test_compose_memtype(void **state)
{
	const unsigned types[] = { EPT_MT_UC, EPT_MT_WC, EPT_MT_WT,
				   EPT_MT_WP, EPT_MT_WB };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		for (unsigned ip = 0; ip < 2; ip++) {
			unsigned mt;
			bool ipat;

			/* EPT01 WB, no IPAT: L1's choice carries over. */
			ept02_memtype(types[i], ip, EPT_MT_WB, false, &mt,
				      &ipat);
			assert_int_equal(mt, types[i]);
			assert_int_equal(ipat, ip);
			/* EPT01 UC, no IPAT: only WC survives. */
			ept02_memtype(types[i], ip, EPT_MT_UC, false, &mt,
				      &ipat);
			assert_int_equal(mt, types[i] == EPT_MT_WC ?
						     EPT_MT_WC : EPT_MT_UC);
			assert_int_equal(ipat, ip);
			/* EPT01 with IPAT: its type, forced. */
			ept02_memtype(types[i], ip, EPT_MT_WT, true, &mt,
				      &ipat);
			assert_int_equal(mt, EPT_MT_WT);
			assert_true(ipat);
			/* EPT01 WC without IPAT: UC, forced. */
			ept02_memtype(types[i], ip, EPT_MT_WC, false, &mt,
				      &ipat);
			assert_int_equal(mt, EPT_MT_UC);
			assert_true(ipat);
		}
	}
}

static void test_leaf_entry(void **state)
{
	struct ept02_leaf l = {
		.kind = EPT02_MAP, .gpa = 2 * MiB, .hpa = 0x40200000ULL,
		.level = 2, .perm = R | X, .memtype = EPT_MT_WC, .ipat = true,
	};

	(void)state;
	assert_int_equal(ept02_leaf_entry(&l),
			 0x40200000ULL | R | X | MT(1) | IPAT | PS);
	l.level = 1;
	l.ipat = false;
	l.hpa = 0x1234000ULL;
	assert_int_equal(ept02_leaf_entry(&l), 0x1234000ULL | R | X | MT(1));
	l.kind = EPT02_L0;
	assert_int_equal(ept02_leaf_entry(&l), 0);
	assert_int_equal(ept02_leaf_entry(NULL), 0);
}

/* The APIC-access page of nested/l2_apic.c: the largest block around an
 * address that leaves one 4-KiB page out. */
static void test_level_avoiding(void **state)
{
	const uint64_t a = 0xfee00000ULL;

	(void)state;
	/* Another GiB: the 1 GiB page stays. */
	assert_int_equal(ept_level_avoiding(0x40000000ULL, 3, a), 3);
	/* Same GiB, another 2 MiB: 2 MiB. */
	assert_int_equal(ept_level_avoiding(0xfe000000ULL, 3, a), 2);
	assert_int_equal(ept_level_avoiding(0xfec00000ULL, 3, a), 2);
	/* Same 2 MiB, another page: 4 KiB. */
	assert_int_equal(ept_level_avoiding(0xfee01000ULL, 3, a), 1);
	assert_int_equal(ept_level_avoiding(0xfeffffffULL, 2, a), 1);
	/* A's own page: no level leaves it out. */
	assert_int_equal(ept_level_avoiding(0xfee00fffULL, 3, a), 0);
	assert_int_equal(ept_level_avoiding(a, 1, a), 0);
	/* Never larger than asked. */
	assert_int_equal(ept_level_avoiding(0x40000000ULL, 1, a), 1);
	assert_int_equal(ept_level_avoiding(0x0ULL, 2, 0x200000ULL), 2);
	assert_int_equal(ept_level_avoiding(0x0ULL, 3, 0x200000ULL), 2);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_caps_from_msr),
		T(test_eptp_valid),
		T(test_translate_4k),
		T(test_large_pages),
		T(test_five_level),
		T(test_misconfig_classes),
		T(test_misconfig_large),
		T(test_maxphyaddr),
		T(test_gpa_width),
		T(test_bad_input),
		T(test_read_failed),
		T(test_violation_matrix),
		T(test_violation_not_present),
		T(test_paging_access),
		T(test_ad_list),
		T(test_compose_sizes),
		T(test_compose_perms),
		T(test_compose_dirty),
		T(test_compose_hidden),
		T(test_compose_memtype),
		T(test_leaf_entry),
		T(test_level_avoiding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
