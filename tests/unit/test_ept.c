/* Unit tests for the EPT builder and walker (mm/ept.c). Table pages come
 * from a pool of aligned_alloc'ed pages with fake physical addresses
 * POOL_BASE + i * 4096. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/ept.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PG 4096ULL

#define CAP_BOCHS_NO_1G 0x00000f0106114141ULL
#define CAP_BOCHS_1G_AD 0x00000f0106334141ULL

/* ---------------------------------------------------------------- pool */

#define POOL_BASE 0x1000000ULL
#define POOL_MAX 4096u

struct pool {
	uint64_t *pages[POOL_MAX];
	unsigned used;      /* pages handed out (index of the next one) */
	unsigned limit;     /* allocations allowed in total */
	unsigned frees;     /* pages given back */
	unsigned bad_frees; /* free_page of an address not handed out */
	bool dirty;         /* hand out pages full of 0xaa (not zeroed) */
	uint64_t bogus_pa;  /* if set, alloc returns this instead */
};

static struct pool pool;

static uint64_t pool_alloc(void *ctx)
{
	struct pool *p = ctx;
	uint64_t *page;

	if (p->bogus_pa)
		return p->bogus_pa;
	if (p->used >= p->limit || p->used >= POOL_MAX)
		return 0;
	page = aligned_alloc(PG, PG);
	assert_non_null(page);
	memset(page, p->dirty ? 0xaa : 0, PG);
	p->pages[p->used] = page;
	return POOL_BASE + PG * p->used++;
}

static void *pool_virt(void *ctx, uint64_t pa)
{
	struct pool *p = ctx;

	if (pa < POOL_BASE || pa % PG || (pa - POOL_BASE) / PG >= p->used)
		return NULL;
	return p->pages[(pa - POOL_BASE) / PG];
}

static void pool_free(void *ctx, uint64_t pa)
{
	struct pool *p = ctx;
	uint64_t i = (pa - POOL_BASE) / PG;

	if (pa < POOL_BASE || pa % PG || i >= p->used || !p->pages[i]) {
		p->bad_frees++;
		return;
	}
	free(p->pages[i]);
	p->pages[i] = NULL; /* a walk through a freed table now fails */
	p->frees++;
}

static const struct ept_mem_ops ops = {
	.alloc_page = pool_alloc,
	.phys_to_virt = pool_virt,
	.free_page = pool_free,
	.ctx = &pool,
};

static const struct ept_mem_ops ops_leak = {
	.alloc_page = pool_alloc,
	.phys_to_virt = pool_virt,
	.ctx = &pool,
};

static int pool_setup(void **state)
{
	(void)state;
	memset(&pool, 0, sizeof(pool));
	pool.limit = POOL_MAX;
	return 0;
}

static int pool_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < pool.used; i++)
		free(pool.pages[i]);
	memset(&pool, 0, sizeof(pool));
	return 0;
}

static uint64_t *page_of(uint64_t pa)
{
	uint64_t *p = pool_virt(&pool, pa);

	assert_non_null(p);
	return p;
}

/* ---------------------------------------------------------------- helpers */

static struct ept_caps caps_all(void)
{
	return ept_caps_from_msr(CAP_BOCHS_1G_AD, 40);
}

static struct ept_caps caps_no1g(void)
{
	return ept_caps_from_msr(CAP_BOCHS_NO_1G, 40);
}

static struct ept_caps caps_4k_only(void)
{
	struct ept_caps c = caps_all();

	c.page_2m = false;
	c.page_1g = false;
	return c;
}

static void init_ept(struct ept *e, struct ept_caps c)
{
	assert_int_equal(ept_init(e, &ops, &c), 0);
	assert_int_equal(ept_table_pages(e), 1);
}

static struct ept_walk walk(const struct ept *e, uint64_t gpa)
{
	struct ept_walk w;

	assert_int_equal(ept_walk_caps(&e->ops, e->pml4_pa, &e->caps, gpa, &w),
			 0);
	return w;
}

static void expect_map(const struct ept *e, uint64_t gpa, uint64_t hpa,
		       unsigned perm, unsigned mt, unsigned level)
{
	struct ept_walk w = walk(e, gpa);

	assert_true(w.ok);
	assert_false(w.misconfig);
	assert_null(w.why);
	assert_int_equal(w.hpa, hpa);
	assert_int_equal(w.perm, perm);
	assert_int_equal(w.memtype, mt);
	assert_false(w.ignore_pat);
	assert_int_equal(w.page_level, level);
	assert_int_equal(w.levels_walked, 5 - level);
}

static void expect_absent(const struct ept *e, uint64_t gpa)
{
	struct ept_walk w = walk(e, gpa);

	assert_false(w.ok);
	assert_false(w.misconfig);
	assert_string_equal(w.why, "not present");
}

/* ---------------------------------------------------------------- caps */

static void test_caps_bochs(void **state)
{
	struct ept_caps c = ept_caps_from_msr(CAP_BOCHS_NO_1G, 40);

	(void)state;
	assert_true(c.exec_only);
	assert_true(c.walk4);
	assert_true(c.mt_uc);
	assert_true(c.mt_wb);
	assert_true(c.page_2m);
	assert_false(c.page_1g);
	assert_false(c.ad);
	assert_int_equal(c.maxphyaddr, 40);

	c = ept_caps_from_msr(CAP_BOCHS_1G_AD, 39);
	assert_true(c.exec_only);
	assert_true(c.walk4);
	assert_true(c.mt_uc);
	assert_true(c.mt_wb);
	assert_true(c.page_2m);
	assert_true(c.page_1g);
	assert_true(c.ad);
	assert_int_equal(c.maxphyaddr, 39);

	c = ept_caps_from_msr(0, 52);
	assert_false(c.exec_only || c.walk4 || c.mt_uc || c.mt_wb ||
		     c.page_2m || c.page_1g || c.ad);
	assert_int_equal(c.maxphyaddr, 52);
}

/* Each bit sets exactly its own field and nothing else. */
static void test_caps_single_bits(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 64; b++) {
		struct ept_caps c = ept_caps_from_msr(1ULL << b, 40);
		unsigned set = c.exec_only + c.walk4 + c.mt_uc + c.mt_wb +
			       c.page_2m + c.page_1g + c.ad;

		switch (b) {
		case 0: assert_true(c.exec_only); break;
		case 6: assert_true(c.walk4); break;
		case 8: assert_true(c.mt_uc); break;
		case 14: assert_true(c.mt_wb); break;
		case 16: assert_true(c.page_2m); break;
		case 17: assert_true(c.page_1g); break;
		case 21: assert_true(c.ad); break;
		default: assert_int_equal(set, 0); continue;
		}
		assert_int_equal(set, 1);
	}
	/* Everything but the bits we decode: nothing. */
	struct ept_caps c = ept_caps_from_msr(
		~((1ULL << 0) | (1ULL << 6) | (1ULL << 8) | (1ULL << 14) |
		  (1ULL << 16) | (1ULL << 17) | (1ULL << 21)), 40);
	assert_false(c.exec_only || c.walk4 || c.mt_uc || c.mt_wb ||
		     c.page_2m || c.page_1g || c.ad);
}

/* ---------------------------------------------------------------- init */

static void test_init_rejects(void **state)
{
	struct ept e;
	struct ept_caps c = caps_all();
	struct ept_mem_ops bad = ops;

	(void)state;
	c.walk4 = false;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	assert_int_equal(e.pml4_pa, 0);
	c = caps_all();
	c.mt_wb = false;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	c = caps_all();
	c.maxphyaddr = 31;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	c.maxphyaddr = 53;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	c = caps_all();
	assert_int_equal(ept_init(&e, NULL, &c), -1);
	assert_int_equal(ept_init(&e, &ops, NULL), -1);
	assert_int_equal(ept_init(NULL, &ops, &c), -1);
	bad.alloc_page = NULL;
	assert_int_equal(ept_init(&e, &bad, &c), -1);
	bad = ops;
	bad.phys_to_virt = NULL;
	assert_int_equal(ept_init(&e, &bad, &c), -1);
	assert_int_equal(pool.used, 0);

	/* Allocation failure. */
	pool.limit = 0;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	assert_int_equal(e.pml4_pa, 0);
	assert_int_equal(ept_table_pages(&e), 0);
	/* A failed EPT refuses everything without crashing. */
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_unmap(&e, 0, PG), -1);
	assert_int_equal(ept_eptp(&e, false), 0);
	assert_int_equal(ept_build_identity(&e, NULL, 0, NULL, 0, GiB, 0), -1);

	/* Pages the ops should not have handed out are refused (and given
	 * back): unaligned, above MAXPHYADDR, unknown to phys_to_virt. */
	pool.limit = POOL_MAX;
	pool.bogus_pa = POOL_BASE + 8;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	pool.bogus_pa = 1ULL << 40;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	pool.bogus_pa = 0x5000;
	assert_int_equal(ept_init(&e, &ops, &c), -1);
	assert_int_equal(pool.bad_frees, 3);
	pool.bogus_pa = 0;

	/* Minimal good caps: walk4 + WB. */
	c = ept_caps_from_msr((1ULL << 6) | (1ULL << 14), 32);
	assert_int_equal(ept_init(&e, &ops, &c), 0);
	assert_int_equal(e.pml4_pa, POOL_BASE);
	assert_int_equal(ept_table_pages(&e), 1);
	assert_int_equal(ept_table_pages(NULL), 0);
}

static void test_init_zeroes_dirty_pages(void **state)
{
	struct ept e;

	(void)state;
	pool.dirty = true;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0x5000, 0x7000, PG, EPT_RWX, EPT_MT_WB), 0);
	expect_map(&e, 0x5000, 0x7000, EPT_RWX, EPT_MT_WB, 1);
	expect_absent(&e, 0x6000);
	expect_absent(&e, 0x200000);
	expect_absent(&e, 0x40000000);
	expect_absent(&e, 1ULL << 39);
}

/* ---------------------------------------------------------------- EPTP */

static void test_eptp(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(e.pml4_pa, 0x1000000);
	/* WB (6) | walk length 4 - 1 = 3 in bits 5:3 | address. */
	assert_int_equal(ept_eptp(&e, false), 0x100001eULL);
	assert_int_equal(ept_eptp(&e, true), 0x100005eULL);
	assert_int_equal(ept_eptp(NULL, false), 0);

	init_ept(&e, caps_no1g()); /* no A/D */
	assert_int_equal(e.pml4_pa, 0x1001000);
	assert_int_equal(ept_eptp(&e, false), 0x100101eULL);
	assert_int_equal(ept_eptp(&e, true), 0);
}

/* ---------------------------------------------------------------- map */

static void test_map_4k(void **state)
{
	struct ept e;
	struct ept_walk w;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0x5000, 0x7000, PG, EPT_R | EPT_W,
				 EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&e), 4);
	w = walk(&e, 0x5123);
	assert_true(w.ok);
	assert_int_equal(w.hpa, 0x7123);
	assert_int_equal(w.perm, EPT_R | EPT_W);
	assert_int_equal(w.memtype, EPT_MT_WB);
	assert_int_equal(w.page_level, 1);
	assert_int_equal(w.levels_walked, 4);
	assert_int_equal(w.entry[0], POOL_BASE + 1 * PG + 7);
	assert_int_equal(w.entry[1], POOL_BASE + 2 * PG + 7);
	assert_int_equal(w.entry[2], POOL_BASE + 3 * PG + 7);
	assert_int_equal(w.entry[3], 0x7000 | 3 | (6 << 3));
	expect_map(&e, 0x5fff, 0x7fff, EPT_R | EPT_W, EPT_MT_WB, 1);

	expect_absent(&e, 0x4000);
	expect_absent(&e, 0x6000);
	w = walk(&e, 0x40000000);
	assert_int_equal(w.levels_walked, 2);
	assert_int_equal(w.entry[1], 0);
	w = walk(&e, 0x8000000000ULL);
	assert_int_equal(w.levels_walked, 1);

	/* Other rights and types, the top of the 48-bit space. */
	assert_int_equal(ept_map(&e, 0xfffffffff000ULL, 0xfffffff000ULL, PG,
				 EPT_R | EPT_X, EPT_MT_WC), -1); /* > 2^40 */
	assert_int_equal(ept_map(&e, 0xfffffff000ULL, 0xfffffff000ULL, PG,
				 EPT_R | EPT_X, EPT_MT_WC), 0);
	expect_map(&e, 0xfffffff000ULL, 0xfffffff000ULL, EPT_R | EPT_X,
		   EPT_MT_WC, 1);
	assert_int_equal(ept_map(&e, 0x6000, 0x1000, PG, EPT_X, EPT_MT_WT), 0);
	expect_map(&e, 0x6000, 0x1000, EPT_X, EPT_MT_WT, 1);
	assert_int_equal(ept_map(&e, 0x6000, 0x1000, PG, EPT_R, EPT_MT_WP), 0);
	expect_map(&e, 0x6000, 0x1000, EPT_R, EPT_MT_WP, 1);
	assert_int_equal(ept_map(&e, 0x6000, 0, PG, EPT_RWX, EPT_MT_UC), 0);
	expect_map(&e, 0x6abc, 0xabc, EPT_RWX, EPT_MT_UC, 1);
}

/* Bit 6 of the leaves (ignore PAT, 29.3.7.2) as asked, on 4 KiB and
 * 2 MiB leaves, and cleared again by a plain ept_map(). */
static void test_map_ipat(void **state)
{
	struct ept e;
	struct ept_walk w;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map_ipat(&e, 0x5000, 0x7000, PG, EPT_RWX,
				      EPT_MT_WB, true), 0);
	w = walk(&e, 0x5000);
	assert_true(w.ok && w.ignore_pat);
	assert_int_equal(w.entry[3], 0x7000 | 7 | (6 << 3) | 0x40);
	assert_int_equal(ept_map_ipat(&e, 0x200000, 0x400000, 2 * MiB,
				      EPT_R, EPT_MT_UC, true), 0);
	w = walk(&e, 0x2abcde);
	assert_true(w.ok && w.ignore_pat);
	assert_int_equal(w.page_level, 2);
	assert_int_equal(ept_map(&e, 0x5000, 0x7000, PG, EPT_RWX, EPT_MT_WB), 0);
	w = walk(&e, 0x5000);
	assert_true(w.ok && !w.ignore_pat);
	/* The argument rules are ept_map()'s. */
	assert_int_equal(ept_map_ipat(&e, 0x5000, 0x7000, PG, EPT_W,
				      EPT_MT_WB, true), -1);
}

static void test_map_2m(void **state)
{
	struct ept e;
	struct ept_walk w;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0x200000, 0x40000000, 2 * MiB, EPT_RWX,
				 EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&e), 3);
	w = walk(&e, 0x200000);
	assert_int_equal(w.entry[2], 0x40000000 | 0x80 | (6 << 3) | 7);
	expect_map(&e, 0x200000, 0x40000000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0x3fffff, 0x401fffff, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0x2abcde, 0x400abcde, EPT_RWX, EPT_MT_WB, 2);
	expect_absent(&e, 0x1ff000);
	expect_absent(&e, 0x400000);
}

static void test_map_1g(void **state)
{
	struct ept e;
	struct ept_walk w;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, GiB, 2 * GiB, GiB, EPT_R, EPT_MT_UC), 0);
	assert_int_equal(ept_table_pages(&e), 2);
	w = walk(&e, GiB);
	assert_int_equal(w.entry[1], 2 * GiB | 0x80 | 1);
	expect_map(&e, GiB, 2 * GiB, EPT_R, EPT_MT_UC, 3);
	expect_map(&e, 2 * GiB - 1, 3 * GiB - 1, EPT_R, EPT_MT_UC, 3);
	expect_map(&e, GiB + 0x12345678, 2 * GiB + 0x12345678, EPT_R,
		   EPT_MT_UC, 3);
	expect_absent(&e, GiB - PG);
	expect_absent(&e, 2 * GiB);
}

/* One call that needs every size: 4K up to a 2M boundary, 2M up to a 1G
 * boundary, a 1G page, 2M pages, 4K pages. */
static void test_map_mixed_sizes(void **state)
{
	struct ept e;
	uint64_t gpa = GiB - 2 * MiB - PG;
	uint64_t len = PG + 2 * MiB + GiB + 4 * MiB + 3 * PG;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, gpa, gpa, len, EPT_RWX, EPT_MT_WB), 0);
	expect_absent(&e, gpa - PG);
	expect_map(&e, gpa, gpa, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, GiB - 2 * MiB, GiB - 2 * MiB, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, GiB, GiB, EPT_RWX, EPT_MT_WB, 3);
	expect_map(&e, 2 * GiB - 1, 2 * GiB - 1, EPT_RWX, EPT_MT_WB, 3);
	expect_map(&e, 2 * GiB, 2 * GiB, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 2 * GiB + 2 * MiB, 2 * GiB + 2 * MiB, EPT_RWX,
		   EPT_MT_WB, 2);
	expect_map(&e, 2 * GiB + 4 * MiB, 2 * GiB + 4 * MiB, EPT_RWX,
		   EPT_MT_WB, 1);
	expect_map(&e, 2 * GiB + 4 * MiB + 2 * PG, 2 * GiB + 4 * MiB + 2 * PG,
		   EPT_RWX, EPT_MT_WB, 1);
	expect_absent(&e, gpa + len);
	/* PML4, PDPT, PD 0-1G, PT below 1G, PD 2-3G, PT at 2G + 4M. */
	assert_int_equal(ept_table_pages(&e), 6);
}

/* The host address must be aligned too: a 4K-aligned hpa forces 4K pages,
 * a 2M-aligned one 2M pages. */
static void test_map_misaligned_hpa(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, GiB, GiB + PG, GiB, EPT_RWX, EPT_MT_WB),
			 0);
	expect_map(&e, GiB, GiB + PG, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 2 * GiB - PG, 2 * GiB, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, GiB + 0x12345678, GiB + PG + 0x12345678, EPT_RWX,
		   EPT_MT_WB, 1);
	assert_int_equal(ept_table_pages(&e), 3 + 512);

	assert_int_equal(ept_map(&e, 3 * GiB, 2 * MiB, GiB, EPT_RWX,
				 EPT_MT_WB), 0);
	expect_map(&e, 3 * GiB, 2 * MiB, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 4 * GiB - 1, GiB + 2 * MiB - 1, EPT_RWX, EPT_MT_WB, 2);
	assert_int_equal(ept_table_pages(&e), 3 + 512 + 1);
}

static void test_map_no_large_caps(void **state)
{
	struct ept e;
	struct ept_caps c;

	(void)state;
	init_ept(&e, caps_no1g());
	assert_int_equal(ept_map(&e, 0, 0, GiB, EPT_RWX, EPT_MT_WB), 0);
	expect_map(&e, 0, 0, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, GiB - 1, GiB - 1, EPT_RWX, EPT_MT_WB, 2);
	assert_int_equal(ept_table_pages(&e), 3);

	init_ept(&e, caps_4k_only());
	assert_int_equal(ept_map(&e, 0, 0, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	expect_map(&e, 0, 0, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 4 * MiB - 1, 4 * MiB - 1, EPT_RWX, EPT_MT_WB, 1);
	assert_int_equal(ept_table_pages(&e), 3 + 2);

	/* 1G without 2M: 1G pages are not used either. */
	c = caps_all();
	c.page_2m = false;
	init_ept(&e, c);
	assert_false(e.caps.page_1g);
	assert_int_equal(ept_map(&e, GiB, GiB, GiB, EPT_RWX, EPT_MT_WB), 0);
	expect_map(&e, GiB, GiB, EPT_RWX, EPT_MT_WB, 1);
	assert_int_equal(ept_table_pages(&e), 3 + 512);
}

/* Remapping one 4K page of a 1G page splits it into 2M pages, one of which
 * is split into 4K pages; everything else keeps its old mapping. */
static void test_split_1g(void **state)
{
	struct ept e;
	struct ept_walk w;
	const uint64_t old = 2 * GiB;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0, old, GiB, EPT_RWX, EPT_MT_WB), 0);
	/* Give the 1G leaf A/D and suppress-#VE bits: the split keeps them. */
	w = walk(&e, 0);
	page_of(w.entry[0] & ~0xfffULL)[0] |= (1ULL << 8) | (1ULL << 9) |
					       (1ULL << 63);
	assert_int_equal(ept_table_pages(&e), 2);

	assert_int_equal(ept_map(&e, 0x12345000, 0x5000, PG, EPT_R, EPT_MT_UC),
			 0);
	assert_int_equal(ept_table_pages(&e), 4);
	expect_map(&e, 0x12345000, 0x5000, EPT_R, EPT_MT_UC, 1);
	expect_map(&e, 0x12345fff, 0x5fff, EPT_R, EPT_MT_UC, 1);
	expect_map(&e, 0x12344000, old + 0x12344000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x12346abc, old + 0x12346abc, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x12200000, old + 0x12200000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x123fffff, old + 0x123fffff, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x12400000, old + 0x12400000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0x121fffff, old + 0x121fffff, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0, old, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, GiB - 1, old + GiB - 1, EPT_RWX, EPT_MT_WB, 2);
	expect_absent(&e, GiB);

	w = walk(&e, 0x400000);
	assert_int_equal(w.entry[2], (old + 0x400000) | (1ULL << 63) |
				     (3ULL << 8) | 0x80 | (6 << 3) | 7);
	w = walk(&e, 0x12344000);
	assert_int_equal(w.entry[3], (old + 0x12344000) | (1ULL << 63) |
				     (3ULL << 8) | (6 << 3) | 7);
	/* Non-leaf entries created by the split allow everything. */
	assert_int_equal(w.entry[1] & 0xff, 7);
	assert_int_equal(w.entry[2] & 0xff, 7);
}

static void test_unmap(void **state)
{
	struct ept e;
	struct ept_walk w;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0, 0, GiB, EPT_RWX, EPT_MT_WB), 0);

	/* A 4K hole in the 1G page. */
	assert_int_equal(ept_unmap(&e, 0x600000 + 5 * PG, PG), 0);
	expect_absent(&e, 0x605000);
	expect_absent(&e, 0x605fff);
	expect_map(&e, 0x604fff, 0x604fff, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x606000, 0x606000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x800000, 0x800000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0x5fffff, 0x5fffff, EPT_RWX, EPT_MT_WB, 2);
	w = walk(&e, 0x605000);
	assert_int_equal(w.levels_walked, 4);
	assert_int_equal(w.entry[3], 0);

	/* A whole 2M page: the PDE is cleared. */
	assert_int_equal(ept_unmap(&e, 0x800000, 2 * MiB), 0);
	w = walk(&e, 0x800000);
	assert_false(w.ok);
	assert_int_equal(w.levels_walked, 3);
	assert_int_equal(w.entry[2], 0);
	expect_map(&e, 0xa00000, 0xa00000, EPT_RWX, EPT_MT_WB, 2);

	/* A range covering the 4K table and more: the PT is freed. */
	unsigned pages = ept_table_pages(&e);
	assert_int_equal(ept_unmap(&e, 0x400000, 6 * MiB), 0);
	assert_int_equal(ept_table_pages(&e), pages - 1);
	assert_int_equal(pool.frees, 1);
	expect_absent(&e, 0x400000);
	expect_absent(&e, 0x9fffff);
	expect_map(&e, 0x3ff000, 0x3ff000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0xa00000, 0xa00000, EPT_RWX, EPT_MT_WB, 2);

	/* Unmapping what is not mapped allocates nothing. */
	pages = ept_table_pages(&e);
	assert_int_equal(ept_unmap(&e, 5 * GiB + PG, 3 * PG), 0);
	assert_int_equal(ept_unmap(&e, 0x900000, PG), 0);
	assert_int_equal(ept_table_pages(&e), pages);

	/* Everything at once: whole PML4 entries are cleared, all tables
	 * below the PML4 freed. */
	assert_int_equal(ept_unmap(&e, 0, 1ULL << 40), 0);
	assert_int_equal(ept_table_pages(&e), 1);
	assert_int_equal(pool.bad_frees, 0);
	w = walk(&e, 0);
	assert_int_equal(w.levels_walked, 1);
	assert_int_equal(w.entry[0], 0);

	/* Bad arguments. */
	assert_int_equal(ept_unmap(&e, 0, 0), -1);
	assert_int_equal(ept_unmap(&e, 1, PG), -1);
	assert_int_equal(ept_unmap(&e, 0, PG + 1), -1);
	assert_int_equal(ept_unmap(&e, 1ULL << 40, PG), -1);
	assert_int_equal(ept_unmap(&e, (1ULL << 40) - PG, 2 * PG), -1);
	assert_int_equal(ept_unmap(&e, PG, UINT64_MAX - PG + 1), -1);
	assert_int_equal(ept_unmap(NULL, 0, PG), -1);
}

/* The MAXPHYADDR probe's pattern: map one 4K page far above the identity
 * map, unmap it. The tables the map created are given back, whatever
 * level they hang from; a table still in use stays; without free_page
 * nothing is pruned. */
static void test_unmap_prunes_empty_tables(void **state)
{
	struct ept e;
	struct ept_walk w;
	unsigned base;
	int frees;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0, 0, 4 * GiB, EPT_RWX, EPT_MT_WB), 0);
	base = ept_table_pages(&e);

	/* 64 GiB: a PD and a PT below the existing PDPT. */
	frees = pool.frees;
	assert_int_equal(ept_map(&e, 64 * GiB, 0x5000, PG, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&e), base + 2);
	assert_int_equal(ept_unmap(&e, 64 * GiB, PG), 0);
	assert_int_equal(ept_table_pages(&e), base);
	assert_int_equal(pool.frees, frees + 2);
	w = walk(&e, 64 * GiB);
	assert_false(w.ok);
	assert_int_equal(w.levels_walked, 2);
	assert_int_equal(w.entry[1], 0);

	/* Top of a 40-bit space: a PDPT, a PD and a PT under a new PML4
	 * entry, all given back; the PML4 entry is cleared. */
	assert_int_equal(ept_map(&e, (1ULL << 40) - PG, 0x5000, PG, EPT_R,
				 EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&e), base + 3);
	assert_int_equal(ept_unmap(&e, (1ULL << 40) - PG, PG), 0);
	assert_int_equal(ept_table_pages(&e), base);
	w = walk(&e, (1ULL << 40) - PG);
	assert_int_equal(w.levels_walked, 1);
	assert_int_equal(w.entry[0], 0);

	/* A thousand probes cost nothing lasting. */
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t gpa = 8 * GiB + (uint64_t)i * 3 * GiB % (512 * GiB);

		assert_int_equal(ept_map(&e, gpa, 0x5000, PG, EPT_R, EPT_MT_WB), 0);
		assert_int_equal(ept_unmap(&e, gpa, PG), 0);
	}
	assert_int_equal(ept_table_pages(&e), base);
	assert_int_equal(pool.bad_frees, 0);

	/* Two pages in one PT: unmapping one keeps the PT and the other. */
	assert_int_equal(ept_map(&e, 64 * GiB, 0x5000, PG, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&e, 64 * GiB + PG, 0x6000, PG, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_unmap(&e, 64 * GiB, PG), 0);
	assert_int_equal(ept_table_pages(&e), base + 2);
	expect_map(&e, 64 * GiB + PG, 0x6000, EPT_R, EPT_MT_WB, 1);
	assert_int_equal(ept_unmap(&e, 64 * GiB + PG, PG), 0);
	assert_int_equal(ept_table_pages(&e), base);

	/* The identity map itself is untouched. */
	expect_map(&e, 0x1000, 0x1000, EPT_RWX, EPT_MT_WB, 3);

	/* Ops that cannot take pages back: tables stay (and stay valid). */
	struct ept l;
	struct ept_caps c = caps_all();

	assert_int_equal(ept_init(&l, &ops_leak, &c), 0);
	assert_int_equal(ept_map(&l, 64 * GiB, 0x5000, PG, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&l), 4);
	assert_int_equal(ept_unmap(&l, 64 * GiB, PG), 0);
	assert_int_equal(ept_table_pages(&l), 4);
	expect_absent(&l, 64 * GiB);
}

/* Mapping over tables with a large page frees them (if the ops can take
 * pages back) or leaks them (if not); counts stay right. */
static void test_overwrite(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0, 0x10000000, 4 * MiB, EPT_R, EPT_MT_UC),
			 0);
	assert_int_equal(ept_map(&e, 0x1000, 0x1000, PG, EPT_RWX, EPT_MT_WB),
			 0);
	assert_int_equal(ept_map(&e, 0x201000, 0x1000, PG, EPT_RWX, EPT_MT_WB),
			 0);
	assert_int_equal(ept_table_pages(&e), 5);
	assert_int_equal(ept_map(&e, 0, 0, GiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&e), 2);
	assert_int_equal(pool.frees, 3);
	expect_map(&e, 0x1000, 0x1000, EPT_RWX, EPT_MT_WB, 3);
	expect_map(&e, 0x201000, 0x201000, EPT_RWX, EPT_MT_WB, 3);

	struct ept l;
	struct ept_caps c = caps_all();
	assert_int_equal(ept_init(&l, &ops_leak, &c), 0);
	assert_int_equal(ept_map(&l, 0, 0, PG, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&l), 4);
	assert_int_equal(ept_map(&l, 0, 0, GiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_table_pages(&l), 4); /* leaked, still counted */
	assert_int_equal(pool.frees, 3);
	assert_int_equal(ept_unmap(&l, 0, GiB), 0);
	assert_int_equal(ept_table_pages(&l), 4);
}

static void test_map_bad_args(void **state)
{
	struct ept e;
	struct ept_caps c;

	(void)state;
	init_ept(&e, caps_no1g()); /* exec-only supported */
	assert_int_equal(ept_map(&e, 1, 0, PG, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0x800, PG, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG - 1, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, 0, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0xfffffffffffff000ULL, 0, 2 * PG, EPT_RWX,
				 EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, PG, 0, UINT64_MAX - PG + 1, EPT_RWX,
				 EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 1ULL << 40, 0, PG, EPT_RWX, EPT_MT_WB),
			 -1);
	assert_int_equal(ept_map(&e, (1ULL << 40) - PG, 0, 2 * PG, EPT_RWX,
				 EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 1ULL << 40, PG, EPT_RWX, EPT_MT_WB),
			 -1);
	assert_int_equal(ept_map(&e, 0, (1ULL << 40) - PG, 2 * PG, EPT_RWX,
				 EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0xfffffffffffff000ULL, 2 * PG, EPT_RWX,
				 EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, 0, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, 8, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_RWX | 0x100, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_W, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_W | EPT_X, EPT_MT_WB), -1);
	for (unsigned mt = 0; mt < 16; mt++) {
		bool ok = mt == 0 || mt == 1 || mt == 4 || mt == 5 || mt == 6;

		assert_int_equal(ept_map(&e, 0, 0, PG, EPT_R, mt), ok ? 0 : -1);
	}
	assert_int_equal(ept_map(NULL, 0, 0, PG, EPT_RWX, EPT_MT_WB), -1);
	/* The rejected calls changed nothing. */
	assert_int_equal(ept_table_pages(&e), 4);
	expect_absent(&e, PG);

	/* Execute-only: fine where supported, refused where not. */
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_X, EPT_MT_WB), 0);
	expect_map(&e, 0, 0, EPT_X, EPT_MT_WB, 1);
	c = caps_no1g();
	c.exec_only = false;
	init_ept(&e, c);
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_X, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, 0, 0, PG, EPT_R | EPT_X, EPT_MT_WB), 0);

	/* MAXPHYADDR 52: guest addresses still stop at 2^48 (4-level walk),
	 * host addresses at 2^52. */
	c = caps_all();
	c.maxphyaddr = 52;
	init_ept(&e, c);
	assert_int_equal(ept_map(&e, 1ULL << 48, 0, PG, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, (1ULL << 48) - PG, (1ULL << 52) - PG, PG,
				 EPT_RWX, EPT_MT_WB), 0);
	struct ept_walk w;
	assert_int_equal(ept_walk(&e.ops, e.pml4_pa, 52, false,
				  (1ULL << 48) - 1, &w), 0);
	assert_true(w.ok);
	assert_int_equal(w.hpa, (1ULL << 52) - 1);
}

/* An allocation failure half-way leaves valid tables: the old mapping
 * stays wherever the new one could not be written. */
static void test_map_alloc_failure(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_map(&e, 0, 0, GiB, EPT_RWX, EPT_MT_WB), 0);
	pool.limit = pool.used; /* nothing more */
	assert_int_equal(ept_map(&e, 0x12345000, 0x5000, PG, EPT_R, EPT_MT_UC),
			 -1);
	assert_int_equal(ept_unmap(&e, 0x12345000, PG), -1);
	expect_map(&e, 0x12345000, 0x12345000, EPT_RWX, EPT_MT_WB, 3);
	pool.limit = pool.used + 1; /* the PD, not the PT */
	assert_int_equal(ept_map(&e, 0x12345000, 0x5000, PG, EPT_R, EPT_MT_UC),
			 -1);
	expect_map(&e, 0x12345000, 0x12345000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0x3fe00000, 0x3fe00000, EPT_RWX, EPT_MT_WB, 2);
	pool.limit = POOL_MAX;
	assert_int_equal(ept_map(&e, 0x12345000, 0x5000, PG, EPT_R, EPT_MT_UC),
			 0);
	expect_map(&e, 0x12345000, 0x5000, EPT_R, EPT_MT_UC, 1);

	/* A fresh range: fails at the first table; nothing present. */
	pool.limit = pool.used;
	assert_int_equal(ept_map(&e, 0x8000000000ULL, 0, 4 * PG, EPT_RWX,
				 EPT_MT_WB), -1);
	expect_absent(&e, 0x8000000000ULL);
}

/* ---------------------------------------------------------------- identity */

#define RAM(b, e) { .base = (b), .len = (e) - (b), .type = MEM_AVAILABLE }
#define RSV(b, e) { .base = (b), .len = (e) - (b), .type = MEM_RESERVED }
#define TYP(b, e, t) { .base = (b), .len = (e) - (b), .type = (t) }

static const struct mem_region bochs_map[] = {
	RAM(0, 0x9f000),
	RSV(0x9f000, 0xa0000),
	RSV(0xe8000, 0x100000),
	RAM(0x100000, 0xfff0000),
	TYP(0xfff0000, 0x10000000, MEM_ACPI_RECLAIMABLE),
	RSV(0xfffc0000, 0x100000000ULL),
};

static const struct phys_range bochs_hidden[] = {
	{ 0x200000, 0x1200000 },
};

#define HIDDEN_HPA 0x1100000ULL

/* What the identity map must say for the page at p (independent model). */
static void bochs_expect_page(const struct ept *e, uint64_t p, bool hidden_on)
{
	struct ept_walk w = walk(e, p);

	if (p >= 0x200000 && p < 0x1200000) {
		if (!hidden_on) {
			assert_false(w.ok);
			assert_false(w.misconfig);
			return;
		}
		assert_true(w.ok);
		assert_int_equal(w.hpa, HIDDEN_HPA);
		assert_int_equal(w.perm, EPT_R);
		assert_int_equal(w.memtype, EPT_MT_WB);
		assert_int_equal(w.page_level, 1);
		return;
	}
	assert_true(w.ok);
	assert_int_equal(w.hpa, p);
	assert_int_equal(w.perm, EPT_RWX);
	if (p < 0x9f000 || (p >= 0x100000 && p < 0x10000000))
		assert_int_equal(w.memtype, EPT_MT_WB);
	else
		assert_int_equal(w.memtype, EPT_MT_UC);
}

static void check_bochs_identity(const struct ept *e, bool hidden_on)
{
	for (uint64_t p = 0; p < 4 * GiB; p += PG)
		bochs_expect_page(e, p, hidden_on);
	expect_absent(e, 4 * GiB);
	expect_absent(e, 5 * GiB + 0x1234);
	expect_absent(e, (1ULL << 40) - 1);
}

static void test_identity_bochs_1g(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_build_identity(&e, bochs_map,
					    ARRAY_SIZE(bochs_map),
					    bochs_hidden, 1, 4 * GiB,
					    HIDDEN_HPA), 0);
	/* PML4, PDPT, PD 0-1G, PT 0-2M, 8 PTs for the hidden 16 MiB; 1G-4G
	 * is all UC and uses 1G pages. */
	assert_int_equal(ept_table_pages(&e), 12);
	expect_map(&e, 0, 0, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x9e000, 0x9e000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x9f000, 0x9f000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0xa0000, 0xa0000, EPT_RWX, EPT_MT_UC, 1); /* VGA */
	expect_map(&e, 0xb8123, 0xb8123, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0xe8000, 0xe8000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0xfffff, 0xfffff, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x100000, 0x100000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x1fffff, 0x1fffff, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x200000, HIDDEN_HPA, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x200abc, HIDDEN_HPA + 0xabc, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x11ff000, HIDDEN_HPA, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x1200000, 0x1200000, EPT_RWX, EPT_MT_WB, 2);
	expect_map(&e, 0xfff0000, 0xfff0000, EPT_RWX, EPT_MT_WB, 2); /* ACPI */
	expect_map(&e, 0x10000000, 0x10000000, EPT_RWX, EPT_MT_UC, 2);
	expect_map(&e, 0x20000000, 0x20000000, EPT_RWX, EPT_MT_UC, 2);
	expect_map(&e, 0x40000000, 0x40000000, EPT_RWX, EPT_MT_UC, 3);
	expect_map(&e, 0xfee00000, 0xfee00000, EPT_RWX, EPT_MT_UC, 3);
	expect_map(&e, 0xfffffff0, 0xfffffff0, EPT_RWX, EPT_MT_UC, 3);
	check_bochs_identity(&e, true);
}

static void test_identity_bochs_no1g(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_no1g());
	assert_int_equal(ept_build_identity(&e, bochs_map,
					    ARRAY_SIZE(bochs_map),
					    bochs_hidden, 1, 4 * GiB,
					    HIDDEN_HPA), 0);
	/* PML4, PDPT, 4 PDs, PT 0-2M, 8 hidden PTs. */
	assert_int_equal(ept_table_pages(&e), 15);
	expect_map(&e, 0xfee00000, 0xfee00000, EPT_RWX, EPT_MT_UC, 2);
	expect_map(&e, 0x1200000, 0x1200000, EPT_RWX, EPT_MT_WB, 2);
	check_bochs_identity(&e, true);
}

static void test_identity_bochs_4k_only(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_4k_only());
	assert_int_equal(ept_build_identity(&e, bochs_map,
					    ARRAY_SIZE(bochs_map),
					    bochs_hidden, 1, 4 * GiB,
					    HIDDEN_HPA), 0);
	assert_int_equal(ept_table_pages(&e), 2 + 4 + 2048);
	expect_map(&e, 0xfee00000, 0xfee00000, EPT_RWX, EPT_MT_UC, 1);
	check_bochs_identity(&e, true);
}

/* hidden_page_hpa 0: hidden pages are simply not present. */
static void test_identity_hidden_unmapped(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_build_identity(&e, bochs_map,
					    ARRAY_SIZE(bochs_map),
					    bochs_hidden, 1, 4 * GiB, 0), 0);
	assert_int_equal(ept_table_pages(&e), 4);
	expect_absent(&e, 0x200000);
	expect_absent(&e, 0x11fffff);
	check_bochs_identity(&e, false);
}

/* Limit rounding, boundaries inside pages, overlaps, odd types, hostile
 * entries. */
static void test_identity_edges(void **state)
{
	static const struct mem_region map[] = {
		RAM(0, 0x1800),          /* page 0x1000 completed by ... */
		RAM(0x1800, 0x3800),     /* ... this one: WB; 0x3000 UC */
		RAM(0x10000, 0x20000),
		RSV(0x14000, 0x14001),   /* non-RAM wins, rounded outward */
		RSV(0x16800, 0x16900),   /* inside one page */
		RSV(0x1a800, 0x1c000),   /* starts mid-page */
		RAM(0x5001, 0x7000),     /* page 0x5000 only partly RAM */
		TYP(0x20000, 0x30000, MEM_ACPI_NVS),
		TYP(0x30000, 0x31000, MEM_BAD),
		TYP(0x31000, 0x32000, 77), /* unknown type: UC */
		RAM(0x32000, 0x33000),
		RAM(0x40000, 0x40000),   /* empty */
		RAM(0x200000, 0x600000),
		{ .base = 0x500000, .len = UINT64_MAX, .type = MEM_RESERVED },
	};
	static const struct phys_range hidden[] = {
		{ 0x32800, 0x32801 },    /* rounded outward to one page */
		{ 0x50000, 0x50000 },    /* empty */
		{ 0x3ff000, 0x401000 },  /* across a 2M boundary */
		{ 0x700000, 0x900000 },  /* past the limit: clamped */
		{ 0x1000000, 0x2000000 },/* entirely past the limit */
	};
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_build_identity(&e, map, ARRAY_SIZE(map), hidden,
					    ARRAY_SIZE(hidden), 0x600001,
					    0x7000), 0);
	expect_map(&e, 0, 0, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x1000, 0x1000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x2000, 0x2000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x3000, 0x3000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x4000, 0x4000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x5000, 0x5000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x6000, 0x6000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x7000, 0x7000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x16000, 0x16000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x17000, 0x17000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x19000, 0x19000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x1a000, 0x1a000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x1b000, 0x1b000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x1c000, 0x1c000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x13000, 0x13000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x14000, 0x14000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x15000, 0x15000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x20000, 0x20000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x2f000, 0x2f000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x30000, 0x30000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x31000, 0x31000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x32000, 0x7000, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x33000, 0x33000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x40000, 0x40000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x50000, 0x50000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x3fe000, 0x3fe000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x3ff000, 0x7000, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x400000, 0x7000, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x401000, 0x401000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x4ff000, 0x4ff000, EPT_RWX, EPT_MT_WB, 1);
	expect_map(&e, 0x500000, 0x500000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x600000, 0x600000, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x6fffff, 0x6fffff, EPT_RWX, EPT_MT_UC, 1);
	expect_map(&e, 0x700000, 0x7000, EPT_R, EPT_MT_WB, 1);
	expect_map(&e, 0x7ff000, 0x7000, EPT_R, EPT_MT_WB, 1);
	/* limit 0x600001 rounds up to 0x800000. */
	expect_absent(&e, 0x800000);
	expect_absent(&e, 0x1000000);
}

/* Nothing in the map: all UC, all large pages. */
static void test_identity_empty_map(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_build_identity(&e, NULL, 0, NULL, 0, 4 * GiB, 0),
			 0);
	assert_int_equal(ept_table_pages(&e), 2);
	expect_map(&e, 0, 0, EPT_RWX, EPT_MT_UC, 3);
	expect_map(&e, 4 * GiB - 1, 4 * GiB - 1, EPT_RWX, EPT_MT_UC, 3);
	expect_absent(&e, 4 * GiB);
}

static void test_identity_bad_args(void **state)
{
	static const struct phys_range backwards[] = { { 0x3000, 0x2000 } };
	struct ept e;

	(void)state;
	init_ept(&e, caps_all());
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, NULL, 0, 0, 0),
			 -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, NULL, 0,
					    (1ULL << 40) + 1, 0), -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, NULL, 0,
					    UINT64_MAX, 0), -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, backwards, 1,
					    GiB, 0), -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, bochs_hidden, 1,
					    GiB, 0x1800), -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, bochs_hidden, 1,
					    GiB, 1ULL << 40), -1);
	assert_int_equal(ept_build_identity(&e, NULL, 6, NULL, 0, GiB, 0), -1);
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, NULL, 1, GiB, 0),
			 -1);
	assert_int_equal(ept_build_identity(NULL, bochs_map, 6, NULL, 0, GiB,
					    0), -1);
	/* Nothing was built by the refused calls. */
	assert_int_equal(ept_table_pages(&e), 1);
	expect_absent(&e, 0);

	/* The largest limit: rounds up to exactly 2^MAXPHYADDR. */
	assert_int_equal(ept_build_identity(&e, bochs_map, 6, NULL, 0,
					    (1ULL << 40) - 1, 0), 0);
	expect_map(&e, (1ULL << 40) - 1, (1ULL << 40) - 1, EPT_RWX, EPT_MT_UC,
		   3);
	expect_map(&e, 0x100000, 0x100000, EPT_RWX, EPT_MT_WB, 1);
}

/* Every allocation budget short of the 12 pages needed fails cleanly and
 * leaves tables a walk can go through; what is mapped is mapped right. */
static void test_identity_alloc_failure(void **state)
{
	(void)state;
	for (unsigned budget = 1; budget <= 12; budget++) {
		struct ept e;
		unsigned base = pool.used;

		pool.limit = base + budget;
		init_ept(&e, caps_all());
		assert_int_equal(ept_build_identity(&e, bochs_map,
						    ARRAY_SIZE(bochs_map),
						    bochs_hidden, 1, 4 * GiB,
						    HIDDEN_HPA),
				 budget == 12 ? 0 : -1);
		for (uint64_t p = 0; p < 4 * GiB; p += 2 * MiB - PG) {
			struct ept_walk w;

			assert_int_equal(ept_walk(&e.ops, e.pml4_pa, 40, false,
						  p, &w), 0);
			assert_false(w.misconfig);
			if (w.ok)
				bochs_expect_page(&e, ALIGN_DOWN(p, PG), true);
		}
	}
}

/* ---------------------------------------------------------------- walker */

/* Hand-built tables: PML4 -> PDPT -> PD -> PT, one path for gpa 0. */
struct hand {
	uint64_t pa[4];  /* PML4, PDPT, PD, PT */
	uint64_t *t[4];
};

static void hand_build(struct hand *h)
{
	for (int i = 0; i < 4; i++) {
		h->pa[i] = pool_alloc(&pool);
		h->t[i] = page_of(h->pa[i]);
	}
	h->t[0][0] = h->pa[1] | 7;
	h->t[1][0] = h->pa[2] | 7;
	h->t[2][0] = h->pa[3] | 7;
	h->t[3][0] = 0x5000 | (EPT_MT_WB << 3) | 7;
}

static struct ept_walk hand_walk_caps(const struct hand *h,
				      const struct ept_caps *c, uint64_t gpa)
{
	struct ept_walk w;

	assert_int_equal(ept_walk_caps(&ops, h->pa[0], c, gpa, &w), 0);
	return w;
}

static struct ept_walk hand_walk(const struct hand *h, bool exec_only,
				 uint64_t gpa)
{
	struct ept_walk w;

	assert_int_equal(ept_walk(&ops, h->pa[0], 40, exec_only, gpa, &w), 0);
	return w;
}

/* Sets entry `level` (0 = PML4E) to val, walks gpa 0, checks a
 * misconfiguration whose reason contains `what`, restores the entry. */
static void expect_misconfig(struct hand *h, int level, uint64_t val,
			     const struct ept_caps *c, const char *what)
{
	uint64_t saved = h->t[level][0];
	struct ept_walk w;

	h->t[level][0] = val;
	w = hand_walk_caps(h, c, 0);
	assert_false(w.ok);
	assert_true(w.misconfig);
	assert_non_null(w.why);
	if (!strstr(w.why, what))
		fail_msg("level %d entry %#llx: why '%s', expected '%s'", level,
			 (unsigned long long)val, w.why, what);
	assert_int_equal(w.levels_walked, level + 1);
	assert_int_equal(w.entry[level], val);
	h->t[level][0] = saved;
}

static void expect_ok(struct hand *h, int level, uint64_t val,
		      const struct ept_caps *c)
{
	uint64_t saved = h->t[level][0];
	struct ept_walk w;

	h->t[level][0] = val;
	w = hand_walk_caps(h, c, 0);
	if (!w.ok)
		fail_msg("level %d entry %#llx: %s", level,
			 (unsigned long long)val, w.why);
	h->t[level][0] = saved;
}

static void test_walk_hand_ok(void **state)
{
	struct hand h;
	struct ept_walk w;

	(void)state;
	hand_build(&h);
	w = hand_walk(&h, false, 0x123);
	assert_true(w.ok);
	assert_int_equal(w.hpa, 0x5123);
	assert_int_equal(w.perm, 7);
	assert_int_equal(w.memtype, EPT_MT_WB);
	assert_int_equal(w.page_level, 1);
	assert_int_equal(w.levels_walked, 4);
	assert_int_equal(w.entry[0], h.pa[1] | 7);
	assert_int_equal(w.entry[3], 0x5000 | (6 << 3) | 7);

	/* Rights are the AND over the levels. */
	h.t[0][0] = h.pa[1] | EPT_R;
	assert_int_equal(hand_walk(&h, false, 0).perm, EPT_R);
	h.t[0][0] = h.pa[1] | 7;
	h.t[1][0] = h.pa[2] | EPT_R | EPT_X;
	h.t[3][0] = 0x5000 | (6 << 3) | EPT_R | EPT_W;
	assert_int_equal(hand_walk(&h, false, 0).perm, EPT_R);
	h.t[2][0] = h.pa[3] | EPT_R | EPT_W;
	h.t[3][0] = 0x5000 | (6 << 3) | 7;
	assert_int_equal(hand_walk(&h, false, 0).perm, EPT_R);
	h.t[1][0] = h.pa[2] | 7;
	assert_int_equal(hand_walk(&h, false, 0).perm, EPT_R | EPT_W);
	/* Execute-only non-leaf (where supported) removes read access. */
	h.t[2][0] = h.pa[3] | EPT_X;
	w = hand_walk(&h, true, 0);
	assert_true(w.ok);
	assert_int_equal(w.perm, EPT_X);
	h.t[2][0] = h.pa[3] | 7;

	/* Ignored bits: PTE bit 7, bits 8-11 (A, D, ignored), 62:52;
	 * ignore-PAT is reported. */
	h.t[3][0] = 0x5000 | (1ULL << 62) | (1ULL << 52) | 0xf00 | 0x80 |
		    0x40 | (EPT_MT_UC << 3) | 7;
	w = hand_walk(&h, false, 0);
	assert_true(w.ok);
	assert_int_equal(w.hpa, 0x5000);
	assert_true(w.ignore_pat);
	assert_int_equal(w.memtype, EPT_MT_UC);
	h.t[2][0] = h.pa[3] | 0xf00 | (1ULL << 63) | 7;
	assert_true(hand_walk(&h, false, 0).ok);
	h.t[0][0] = h.pa[1] | 0xf00 | 7;
	assert_true(hand_walk(&h, false, 0).ok);

	/* A 1G leaf in the PDPT, a 2M leaf in the PD. */
	h.t[1][1] = (3 * GiB) | 0x80 | (EPT_MT_WT << 3) | EPT_R;
	w = hand_walk(&h, false, GiB + 0x12345678);
	assert_true(w.ok);
	assert_int_equal(w.hpa, 3 * GiB + 0x12345678);
	assert_int_equal(w.page_level, 3);
	assert_int_equal(w.levels_walked, 2);
	assert_int_equal(w.memtype, EPT_MT_WT);
	h.t[2][1] = (0x40000000 + 2 * MiB) | 0x80 | (EPT_MT_WP << 3) | 7;
	w = hand_walk(&h, false, 2 * MiB + 0x1234);
	assert_true(w.ok);
	assert_int_equal(w.hpa, 0x40201234);
	assert_int_equal(w.page_level, 2);
	assert_int_equal(w.memtype, EPT_MT_WP);
	assert_int_equal(w.perm, EPT_RWX);
	/* With 1G pages unsupported the same PDPTE is a misconfiguration. */
	struct ept_caps c = caps_no1g();
	w = hand_walk_caps(&h, &c, GiB);
	assert_true(w.misconfig);
}

static void test_walk_not_present(void **state)
{
	struct hand h;
	struct ept_walk w;

	(void)state;
	hand_build(&h);
	for (int level = 0; level < 4; level++) {
		uint64_t saved = h.t[level][0];

		/* Bits 2:0 clear: not present, whatever else is set
		 * (reserved bits do not matter then). */
		h.t[level][0] = (saved & ~7ULL) | 0xf8 | (1ULL << 45);
		w = hand_walk(&h, false, 0);
		assert_false(w.ok);
		assert_false(w.misconfig);
		assert_string_equal(w.why, "not present");
		assert_int_equal(w.levels_walked, level + 1);
		h.t[level][0] = saved;
	}
}

static void test_walk_misconfig(void **state)
{
	struct hand h;
	struct ept_caps c = caps_all(); /* exec-only, 2M, 1G; MAXPHYADDR 40 */
	struct ept_caps nox = caps_all();
	struct ept_caps no_large = caps_4k_only();

	(void)state;
	nox.exec_only = false;
	hand_build(&h);
	for (int level = 0; level < 4; level++) {
		uint64_t v = h.t[level][0];
		uint64_t a = v & ~0xfffULL;

		/* Write without read, with or without execute. */
		expect_misconfig(&h, level, a | EPT_W, &c, "write");
		expect_misconfig(&h, level, a | EPT_W | EPT_X, &c, "write");
		/* Execute-only only where supported. */
		expect_misconfig(&h, level, a | EPT_X, &nox, "execute-only");
		expect_ok(&h, level, a | EPT_X, &c);
		/* Address bits 51:MAXPHYADDR. */
		expect_misconfig(&h, level, v | (1ULL << 40), &c, "MAXPHYADDR");
		expect_misconfig(&h, level, v | (1ULL << 51), &c, "MAXPHYADDR");
	}
	struct ept_caps c52 = c;
	c52.maxphyaddr = 52;
	expect_ok(&h, 3, h.t[3][0] | (1ULL << 51), &c52);
	struct ept_caps c41 = c;
	c41.maxphyaddr = 41;
	expect_ok(&h, 3, h.t[3][0] | (1ULL << 40), &c41);
	expect_misconfig(&h, 3, h.t[3][0] | (1ULL << 41), &c41, "MAXPHYADDR");

	/* PML4E: bits 7:3 reserved, bit 7 named on its own. */
	for (unsigned b = 3; b <= 6; b++)
		expect_misconfig(&h, 0, h.t[0][0] | (1ULL << b), &c, "7:3");
	expect_misconfig(&h, 0, h.t[0][0] | 0x80, &c, "bit 7");
	/* Non-leaf PDPTE and PDE: bits 6:3 reserved. */
	for (unsigned b = 3; b <= 6; b++) {
		expect_misconfig(&h, 1, h.t[1][0] | (1ULL << b), &c, "6:3");
		expect_misconfig(&h, 2, h.t[2][0] | (1ULL << b), &c, "6:3");
	}

	/* Large pages: address bits below the page size reserved. */
	uint64_t g = (2 * GiB) | 0x80 | (EPT_MT_WB << 3) | 7;
	expect_ok(&h, 1, g, &c);
	expect_ok(&h, 1, g | (1ULL << 30), &c);
	expect_misconfig(&h, 1, g | (1ULL << 12), &c, "29:12");
	expect_misconfig(&h, 1, g | (1ULL << 29), &c, "29:12");
	expect_misconfig(&h, 1, g, &no_large, "1 GiB");
	uint64_t m = (2 * GiB) | 0x80 | (EPT_MT_WB << 3) | 7;
	expect_ok(&h, 2, m | (1ULL << 21), &c);
	expect_misconfig(&h, 2, m | (1ULL << 12), &c, "20:12");
	expect_misconfig(&h, 2, m | (1ULL << 20), &c, "20:12");
	expect_misconfig(&h, 2, m, &no_large, "2 MiB");

	/* Reserved memory types in every kind of leaf; the others pass. */
	for (uint64_t mt = 0; mt < 8; mt++) {
		bool bad = mt == 2 || mt == 3 || mt == 7;
		uint64_t pte = 0x5000 | (mt << 3) | 7;
		uint64_t pde = (2 * MiB) | 0x80 | (mt << 3) | 7;
		uint64_t pdpte = GiB | 0x80 | (mt << 3) | 7;

		if (bad) {
			expect_misconfig(&h, 3, pte, &c, "memory type");
			expect_misconfig(&h, 2, pde, &c, "memory type");
			expect_misconfig(&h, 1, pdpte, &c, "memory type");
		} else {
			expect_ok(&h, 3, pte, &c);
			expect_ok(&h, 2, pde, &c);
			expect_ok(&h, 1, pdpte, &c);
		}
	}
	/* The order of the rules: write-without-read before anything. */
	expect_misconfig(&h, 3, 0x5000 | (7 << 3) | EPT_W, &c, "write");
	/* A misconfiguration below a not-present entry is never reached. */
	h.t[3][0] = 0x5000 | EPT_W;
	h.t[2][0] = 0;
	struct ept_walk w = hand_walk_caps(&h, &c, 0);
	assert_false(w.misconfig);
	assert_int_equal(w.levels_walked, 3);
}

static void test_walk_bad_args(void **state)
{
	struct hand h;
	struct ept_walk w;
	struct ept_mem_ops no_virt = ops;

	(void)state;
	hand_build(&h);
	assert_int_equal(ept_walk(&ops, h.pa[0], 31, false, 0, &w), -1);
	assert_false(w.ok);
	assert_non_null(w.why);
	assert_int_equal(ept_walk(&ops, h.pa[0], 53, false, 0, &w), -1);
	assert_int_equal(ept_walk(&ops, h.pa[0], 40, false, 1ULL << 40, &w),
			 -1);
	assert_int_equal(ept_walk(&ops, h.pa[0], 52, false, 1ULL << 48, &w),
			 -1);
	assert_int_equal(ept_walk(&ops, h.pa[0], 52, false, UINT64_MAX, &w),
			 -1);
	assert_int_equal(ept_walk(&ops, h.pa[0] + 8, 40, false, 0, &w), -1);
	assert_int_equal(ept_walk(&ops, 1ULL << 40, 40, false, 0, &w), -1);
	assert_int_equal(ept_walk(NULL, h.pa[0], 40, false, 0, &w), -1);
	no_virt.phys_to_virt = NULL;
	assert_int_equal(ept_walk(&no_virt, h.pa[0], 40, false, 0, &w), -1);
	assert_int_equal(ept_walk(&ops, h.pa[0], 40, false, 0, NULL), -1);
	assert_int_equal(ept_walk_caps(&ops, h.pa[0], NULL, 0, &w), -1);

	/* A table page the ops do not know: no verdict, a reason. */
	h.t[1][0] = 0x5000 | 7;
	assert_int_equal(ept_walk(&ops, h.pa[0], 40, false, 0, &w), -1);
	assert_false(w.ok);
	assert_false(w.misconfig);
	assert_string_equal(w.why, "EPT table page not accessible");
	assert_int_equal(w.levels_walked, 2);
	assert_int_equal(ept_walk(&ops, 0x5000, 40, false, 0, &w), -1);
	assert_int_equal(w.levels_walked, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, pool_setup, pool_teardown)
		T(test_caps_bochs),
		T(test_caps_single_bits),
		T(test_init_rejects),
		T(test_init_zeroes_dirty_pages),
		T(test_eptp),
		T(test_map_4k),
		T(test_map_ipat),
		T(test_map_2m),
		T(test_map_1g),
		T(test_map_mixed_sizes),
		T(test_map_misaligned_hpa),
		T(test_map_no_large_caps),
		T(test_split_1g),
		T(test_unmap),
		T(test_unmap_prunes_empty_tables),
		T(test_overwrite),
		T(test_map_bad_args),
		T(test_map_alloc_failure),
		T(test_identity_bochs_1g),
		T(test_identity_bochs_no1g),
		T(test_identity_bochs_4k_only),
		T(test_identity_hidden_unmapped),
		T(test_identity_edges),
		T(test_identity_empty_map),
		T(test_identity_bad_args),
		T(test_identity_alloc_failure),
		T(test_walk_hand_ok),
		T(test_walk_not_present),
		T(test_walk_misconfig),
		T(test_walk_bad_args),
#undef T
	};

	return cmocka_run_group_tests_name("ept", tests, NULL, NULL);
}
