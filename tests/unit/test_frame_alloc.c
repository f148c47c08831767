/* Unit tests for the physical frame allocator (mm/frame_alloc.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/frame_alloc.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PG 4096ULL

/* The allocator is ~8 KiB: keep it (and its copies) in static storage. */
static struct frame_alloc fa;
static struct frame_alloc saved;

#define AV(b, l) { .base = (b), .len = (l), .type = MEM_AVAILABLE }
#define RS(b, l) { .base = (b), .len = (l), .type = MEM_RESERVED }
#define TY(b, l, t) { .base = (b), .len = (l), .type = (t) }

/* QEMU's e820 map for a 128 MiB guest. */
static const struct mem_region qemu_map[] = {
	AV(0, 0x9fc00),
	RS(0x9fc00, 0x400),
	RS(0xf0000, 0x10000),
	AV(0x100000, 0x7fe0000 - 0x100000),
	RS(0xfffc0000, 0x40000),
};

/* Bochs's e820 map for a 128 MiB guest (ACPI tables at the top). */
static const struct mem_region bochs_map[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0x7ff0000 - 0x100000),
	TY(0x7ff0000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

/* ---------------------------------------------------------------- helpers */

/* Checks every structural invariant of the allocator. */
static void check_invariants(const struct frame_alloc *a)
{
	uint64_t sum = 0;

	assert_true(a->nmanaged <= FA_MAX_EXTENTS);
	assert_true(a->nfree <= FA_MAX_EXTENTS);
	for (unsigned i = 0; i < a->nmanaged; i++) {
		const struct phys_range *r = &a->managed[i];

		assert_int_equal(r->start % PG, 0);
		assert_int_equal(r->end % PG, 0);
		assert_true(r->start < r->end);
		assert_true(r->start >= PG);
		assert_true(r->end <= FA_PHYS_LIMIT);
		if (i > 0)
			assert_true(a->managed[i - 1].end < r->start);
		sum += r->end - r->start;
	}
	assert_int_equal(sum, a->managed_bytes);

	sum = 0;
	for (unsigned i = 0; i < a->nfree; i++) {
		const struct phys_range *r = &a->free[i];
		bool inside = false;

		assert_int_equal(r->start % PG, 0);
		assert_int_equal(r->end % PG, 0);
		assert_true(r->start < r->end);
		/* Sorted and merged: never touching. */
		if (i > 0)
			assert_true(a->free[i - 1].end < r->start);
		for (unsigned j = 0; j < a->nmanaged; j++)
			if (a->managed[j].start <= r->start &&
			    r->end <= a->managed[j].end)
				inside = true;
		assert_true(inside);
		sum += r->end - r->start;
	}
	assert_int_equal(sum, a->free_bytes);
	assert_int_equal(fa_free_bytes(a), a->free_bytes);
	assert_true(a->free_bytes + a->lost_bytes <= a->managed_bytes);
}

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* True if [s, e) is fully covered by the union of available entries. */
static bool covered_by_available(const struct mem_region *map, unsigned n,
				 uint64_t s, uint64_t e)
{
	uint64_t pos = s;
	bool moved = true;

	while (pos < e && moved) {
		moved = false;
		for (unsigned i = 0; i < n; i++) {
			uint64_t b = map[i].base, l = map[i].len;
			uint64_t end = l > UINT64_MAX - b ? UINT64_MAX : b + l;

			if (map[i].type == MEM_AVAILABLE && b <= pos &&
			    end > pos) {
				pos = end;
				moved = true;
			}
		}
	}
	return pos >= e;
}

/* Checks that frame addr may legally be handed out. */
static void check_frame_legal(uint64_t addr, const struct mem_region *map,
			      unsigned n, const struct phys_range *res,
			      unsigned nres, uint64_t lo, uint64_t hi)
{
	assert_int_equal(addr % PG, 0);
	assert_true(addr >= lo);
	if (hi != 0)
		assert_true(addr + PG <= hi);
	assert_true(covered_by_available(map, n, addr, addr + PG));
	for (unsigned i = 0; i < n; i++) {
		uint64_t b = map[i].base, l = map[i].len;
		uint64_t end = l > UINT64_MAX - b ? UINT64_MAX : b + l;

		if (map[i].type != MEM_AVAILABLE)
			assert_false(overlaps(addr, addr + PG, b, end));
	}
	for (unsigned i = 0; i < nres; i++)
		assert_false(overlaps(addr, addr + PG, res[i].start,
				      res[i].end));
}

/* Allocates every frame, checking each one is legal and new. Returns the
 * number of frames handed out. */
static uint64_t drain_and_check(const struct mem_region *map, unsigned n,
				const struct phys_range *res, unsigned nres,
				uint64_t lo, uint64_t hi)
{
	uint64_t count = 0, prev = 0, addr;
	uint64_t total = fa.free_bytes / PG;

	while ((addr = fa_alloc(&fa)) != 0) {
		/* Lowest first on a fresh allocator: strictly increasing,
		 * hence never the same frame twice. */
		assert_true(addr > prev);
		check_frame_legal(addr, map, n, res, nres, lo, hi);
		prev = addr;
		count++;
		assert_true(count <= total);
	}
	assert_int_equal(count, total);
	assert_int_equal(fa_free_bytes(&fa), 0);
	assert_int_equal(fa.nfree, 0);
	check_invariants(&fa);
	return count;
}

static void assert_region(unsigned i, uint64_t start, uint64_t end)
{
	struct phys_range r = fa_region(&fa, i);

	assert_int_equal(r.start, start);
	assert_int_equal(r.end, end);
}

/* ------------------------------------------------------ realistic maps */

static void test_qemu_e820(void **state)
{
	(void)state;
	const struct phys_range res[] = {
		{ 0x100000, 0x180123 }, /* Nestor image, unaligned end */
		{ 0x200010, 0x200510 }, /* multiboot info */
		{ 0x300000, 0x400000 }, /* a module */
	};

	assert_int_equal(fa_init(&fa, qemu_map, ARRAY_SIZE(qemu_map), res,
				 ARRAY_SIZE(res), 1 * MiB, 4 * GiB), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 3);
	assert_region(0, 0x181000, 0x200000);
	assert_region(1, 0x201000, 0x300000);
	assert_region(2, 0x400000, 0x7fe0000);
	assert_int_equal(fa.managed_bytes,
			 (0x200000 - 0x181000) + (0x300000 - 0x201000) +
			 (0x7fe0000 - 0x400000));
	assert_int_equal(fa_free_bytes(&fa), fa.managed_bytes);
	assert_int_equal(fa.lost_bytes, 0);
	assert_int_equal(mem_map_usable_bytes(qemu_map, ARRAY_SIZE(qemu_map)),
			 0x9fc00 + (0x7fe0000 - 0x100000));

	assert_int_equal(fa_alloc(&fa), 0x181000);
	assert_int_equal(fa_alloc(&fa), 0x182000);
	drain_and_check(qemu_map, ARRAY_SIZE(qemu_map), res, ARRAY_SIZE(res),
			1 * MiB, 4 * GiB);
	assert_int_equal(fa_alloc(&fa), 0);
}

static void test_bochs_e820(void **state)
{
	(void)state;
	const struct phys_range res[] = { { 0x100000, 0x140000 } };

	assert_int_equal(fa_init(&fa, bochs_map, ARRAY_SIZE(bochs_map), res,
				 ARRAY_SIZE(res), 1 * MiB, 4 * GiB), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 0x140000, 0x7ff0000);
	assert_int_equal(mem_map_usable_bytes(bochs_map,
					      ARRAY_SIZE(bochs_map)),
			 0x9f000 + (0x7ff0000 - 0x100000));
	assert_int_equal(drain_and_check(bochs_map, ARRAY_SIZE(bochs_map),
					 res, ARRAY_SIZE(res), 1 * MiB,
					 4 * GiB),
			 (0x7ff0000 - 0x140000) / PG);
}

/* ------------------------------------------------------ map shapes */

static void test_holes_unsorted_overlapping(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0x3000000, 0x1000000),  /* [48M, 64M) */
		AV(0x100000, 0x100000),    /* [1M, 2M) */
		AV(0x3800000, 0x1000000),  /* [56M, 72M) overlaps the first */
		AV(0x180000, 0x200000),    /* [1.5M, 3.5M) overlaps [1M, 2M) */
		AV(0x3100000, 0x10000),    /* fully inside the first */
		AV(0x800000, 0x100000),    /* [8M, 9M), isolated */
		AV(0x900000, 0x100000),    /* [9M, 10M), touches the previous */
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 0), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 3);
	assert_region(0, 0x100000, 0x380000);
	assert_region(1, 0x800000, 0xa00000);
	assert_region(2, 0x3000000, 0x4800000);
	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)),
			 0x280000 + 0x200000 + 0x1800000);
	drain_and_check(map, ARRAY_SIZE(map), NULL, 0, 1 * MiB, 0);
}

static void test_non_available_wins(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(1 * MiB, 15 * MiB),
		/* ACPI tables in the middle, unaligned: rounded outward. */
		TY(8 * MiB + 0x800, 0x1000, MEM_ACPI_RECLAIMABLE),
		TY(10 * MiB, 0x1000, MEM_ACPI_NVS),
		TY(11 * MiB, 0x2000, MEM_BAD),
		TY(12 * MiB, 0x1000, 7),          /* unknown: not usable */
		TY(13 * MiB, 0x1000, 0),          /* invalid: not usable */
		TY(14 * MiB, 0x1000, 0xffffffff), /* invalid: not usable */
		/* A reserved entry listed before an overlapping available one
		 * still wins. */
		RS(15 * MiB, 2 * MiB),
		AV(15 * MiB, 1 * MiB),
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 0), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 7);
	assert_region(0, 1 * MiB, 8 * MiB);
	assert_region(1, 8 * MiB + 0x2000, 10 * MiB);
	assert_region(2, 10 * MiB + 0x1000, 11 * MiB);
	assert_region(3, 11 * MiB + 0x2000, 12 * MiB);
	assert_region(4, 12 * MiB + 0x1000, 13 * MiB);
	assert_region(5, 13 * MiB + 0x1000, 14 * MiB);
	assert_region(6, 14 * MiB + 0x1000, 15 * MiB);
	/* The usable byte count subtracts exactly, without rounding. */
	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)),
			 14 * MiB - 0x1000 - 0x1000 - 0x2000 - 0x3000);
	drain_and_check(map, ARRAY_SIZE(map), NULL, 0, 1 * MiB, 0);
}

static void test_zero_length_entries(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0x500000, 0),         /* nothing */
		AV(1 * MiB, 1 * MiB),
		RS(1 * MiB + 0x4000, 0), /* cuts nothing */
		AV(0, 0),
	};
	const struct phys_range res[] = {
		{ 1 * MiB + 0x8000, 1 * MiB + 0x8000 }, /* empty: cuts nothing */
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 0), FA_OK);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, 2 * MiB);
	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)), 1 * MiB);

	/* Only zero-length entries: nothing usable. */
	const struct mem_region empty[] = { AV(1 * MiB, 0), AV(0, 0) };

	assert_int_equal(fa_init(&fa, empty, ARRAY_SIZE(empty), NULL, 0,
				 1 * MiB, 0), FA_ERR_NO_MEMORY);
	assert_int_equal(fa_init(&fa, empty, 0, NULL, 0, 1 * MiB, 0),
			 FA_ERR_NO_MEMORY);
	assert_int_equal(fa_init(&fa, NULL, 0, NULL, 0, 1 * MiB, 0),
			 FA_ERR_NO_MEMORY);
	assert_int_equal(mem_map_usable_bytes(empty, ARRAY_SIZE(empty)), 0);
}

static void test_absurd_entries(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(UINT64_MAX - 0xfff, 0x1000),  /* base near 2^64 */
		AV(UINT64_MAX, UINT64_MAX),      /* base + len overflows */
		AV(FA_PHYS_LIMIT, 1 * GiB),      /* above 52 bits */
		AV(1 * MiB, UINT64_MAX),         /* len 2^64 - 1 */
		RS(UINT64_MAX - 0x1000, 0x2000), /* overflowing reserved */
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 0), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, FA_PHYS_LIMIT);
	assert_int_equal(fa.managed_bytes, FA_PHYS_LIMIT - 1 * MiB);
	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)),
			 FA_PHYS_LIMIT - 1 * MiB);

	/* Contiguous allocation near the top of the clamped space. */
	assert_int_equal(fa_alloc_contig(&fa, 1, 1ULL << 51), 1ULL << 51);
	assert_int_equal(fa_alloc_contig(&fa, 1, 1ULL << 52), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 1ULL << 63), 0);
	check_invariants(&fa);

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 4 * GiB), FA_OK);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, 4 * GiB);

	/* A reserved entry covering everything leaves nothing. */
	const struct mem_region all_reserved[] = {
		AV(1 * MiB, 1 * GiB),
		RS(0, UINT64_MAX),
	};

	assert_int_equal(fa_init(&fa, all_reserved, ARRAY_SIZE(all_reserved),
				 NULL, 0, 1 * MiB, 0), FA_ERR_NO_MEMORY);
	assert_int_equal(fa_alloc(&fa), 0);
	assert_int_equal(mem_map_usable_bytes(all_reserved,
					      ARRAY_SIZE(all_reserved)), 0);

	/* A reserved range reaching past 2^52 cuts the top off. */
	const struct phys_range res[] = { { 2 * GiB, UINT64_MAX } };

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 0), FA_OK);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, 2 * GiB);
}

static void test_above_4g(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(4 * GiB, 4 * GiB),
		AV(1 * MiB, 2 * GiB - 1 * MiB),
		RS(3 * GiB, 1 * GiB),
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 0), FA_OK);
	assert_int_equal(fa_region_count(&fa), 2);
	assert_region(0, 1 * MiB, 2 * GiB);
	assert_region(1, 4 * GiB, 8 * GiB);

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 4 * GiB), FA_OK);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, 2 * GiB);

	/* An unaligned max_addr is rounded down. */
	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0, 1 * MiB,
				 5 * GiB + 0x800), FA_OK);
	assert_int_equal(fa_region_count(&fa), 2);
	assert_region(1, 4 * GiB, 5 * GiB);

	/* Only memory above max_addr: nothing usable. */
	const struct mem_region high[] = { AV(4 * GiB, 4 * GiB) };

	assert_int_equal(fa_init(&fa, high, 1, NULL, 0, 1 * MiB, 4 * GiB),
			 FA_ERR_NO_MEMORY);
	/* max_addr above 2^52 means no limit. */
	assert_int_equal(fa_init(&fa, high, 1, NULL, 0, 1 * MiB, UINT64_MAX),
			 FA_OK);
	assert_region(0, 4 * GiB, 8 * GiB);
}

static void test_unaligned_shrunk_inward(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0x100800, 0x100000), /* [0x100800, 0x200800) */
		/* Two touching halves of frames: the frame they share
		 * in full (0x301000) is kept. */
		AV(0x300800, 0x1000),
		AV(0x301800, 0x1000),
		AV(0x400001, 0xffe), /* less than a frame */
		AV(0x500800, 0x1000), /* crosses a frame boundary, no frame */
	};
	const struct phys_range res[] = { { 0x150010, 0x150020 } };

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 0), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 3);
	assert_region(0, 0x101000, 0x150000);
	assert_region(1, 0x151000, 0x200000);
	assert_region(2, 0x301000, 0x302000);
	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)),
			 0x100000 + 0x2000 + 0xffe + 0x1000);
	drain_and_check(map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), 1 * MiB,
			0);

	/* An unaligned min_addr is rounded up. */
	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), NULL, 0,
				 0x180001, 0), FA_OK);
	assert_region(0, 0x181000, 0x200000);
}

static void test_first_mib_never_used(void **state)
{
	(void)state;
	const struct mem_region map[] = { AV(0, 2 * MiB) };

	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB, 0), FA_OK);
	assert_region(0, 1 * MiB, 2 * MiB);
	assert_int_equal(drain_and_check(map, 1, NULL, 0, 1 * MiB, 0),
			 256);

	/* min_addr must keep frame 0 out. */
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 0, 0),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 4095, 0),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 4096, 0), FA_OK);
	assert_region(0, 4096, 2 * MiB);
	assert_int_equal(fa_alloc(&fa), 4096);
}

static void test_reserved_never_handed_out(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0, 0x9fc00),
		AV(1 * MiB, 31 * MiB),
		TY(20 * MiB + 0x123, 0x10, MEM_ACPI_NVS),
		AV(64 * MiB, 16 * MiB),
		RS(70 * MiB, 1 * MiB),
	};
	const struct phys_range res[] = {
		{ 1 * MiB, 1 * MiB + 0x5a123 },          /* image */
		{ 0x9000, 0x9800 },                       /* below min */
		{ 4 * MiB + 0x10, 4 * MiB + 0x900 },      /* mbi */
		{ 5 * MiB - 0x800, 6 * MiB + 0x800 },     /* module 1 */
		{ 6 * MiB + 0x2000, 6 * MiB + 0x2001 },   /* module 2 */
		{ 31 * MiB, 66 * MiB },                   /* spans a hole */
		{ 79 * MiB, 100 * MiB },                  /* past the end */
	};

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 4 * GiB), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa_region_count(&fa), 7);
	assert_region(0, 1 * MiB + 0x5b000, 4 * MiB);
	assert_region(1, 4 * MiB + 0x1000, 5 * MiB - 0x1000);
	assert_region(2, 6 * MiB + 0x1000, 6 * MiB + 0x2000);
	assert_region(3, 6 * MiB + 0x3000, 20 * MiB);
	assert_region(4, 20 * MiB + 0x1000, 31 * MiB);
	assert_region(5, 66 * MiB, 70 * MiB);
	assert_region(6, 71 * MiB, 79 * MiB);
	/* There is no region 7: fa_region answers {0, 0} past the end. */
	assert_region(7, 0, 0);
	drain_and_check(map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), 1 * MiB,
			4 * GiB);
}

/* ------------------------------------------------------ allocation */

static void init_simple(uint64_t start, uint64_t end)
{
	const struct mem_region map[] = { AV(start, end - start) };

	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB, 0), FA_OK);
	assert_region(0, start, end);
}

static void test_contig_alignment(void **state)
{
	(void)state;
	init_simple(1 * MiB, 64 * MiB);

	assert_int_equal(fa_alloc(&fa), 1 * MiB);
	assert_int_equal(fa_alloc_contig(&fa, 512, 2 * MiB), 2 * MiB);
	check_invariants(&fa);
	/* The gap below the 2 MiB block is still handed out first. */
	assert_int_equal(fa_alloc(&fa), 1 * MiB + PG);
	assert_int_equal(fa_alloc_contig(&fa, 1, 2 * MiB), 4 * MiB);
	assert_int_equal(fa_alloc_contig(&fa, 3, PG), 1 * MiB + 2 * PG);
	assert_int_equal(fa_alloc_contig(&fa, 16, 64 * KiB),
			 1 * MiB + 64 * KiB);
	check_invariants(&fa);
	assert_int_equal(fa_free_bytes(&fa),
			 63 * MiB - (1 + 512 + 1 + 1 + 3 + 16) * PG);

	/* Too big for what is left: nothing changes. */
	memcpy(&saved, &fa, sizeof(fa));
	assert_int_equal(fa_alloc_contig(&fa, 63 * MiB / PG, PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 64 * MiB), 0);
	assert_memory_equal(&saved, &fa, sizeof(fa));

	/* Bad arguments. */
	assert_int_equal(fa_alloc_contig(&fa, 0, PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 0), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 2048), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 4095), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, 3 * PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, PG + 1), 0);
	assert_int_equal(fa_alloc_contig(&fa, UINT64_MAX, PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1ULL << 52, PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, (UINT64_MAX >> 12) + 1, PG), 0);
	assert_int_equal(fa_alloc_contig(NULL, 1, PG), 0);
	assert_int_equal(fa_alloc(NULL), 0);
	assert_memory_equal(&saved, &fa, sizeof(fa));

	/* A whole-extent allocation empties it. */
	init_simple(2 * MiB, 4 * MiB);
	assert_int_equal(fa_alloc_contig(&fa, 512, 2 * MiB), 2 * MiB);
	assert_int_equal(fa.nfree, 0);
	assert_int_equal(fa_alloc(&fa), 0);
}

static void test_contig_across_extents(void **state)
{
	(void)state;
	/* Two extents that are not contiguous: a block may not span them. */
	const struct mem_region map[] = {
		AV(1 * MiB, 1 * MiB),
		AV(2 * MiB + PG, 2 * MiB),
	};

	assert_int_equal(fa_init(&fa, map, 2, NULL, 0, 1 * MiB, 0), FA_OK);
	assert_int_equal(fa_alloc_contig(&fa, 257, PG), 2 * MiB + PG);
	assert_int_equal(fa_alloc_contig(&fa, 256, PG), 1 * MiB);
	assert_int_equal(fa_alloc_contig(&fa, 256, PG), 0);
	assert_int_equal(fa_alloc_contig(&fa, 255, PG), 2 * MiB + 258 * PG);
	assert_int_equal(fa.nfree, 0);
	check_invariants(&fa);
}

static void test_free_and_reallocate(void **state)
{
	(void)state;
	init_simple(1 * MiB, 2 * MiB);
	uint64_t a = fa_alloc(&fa), b = fa_alloc(&fa), c = fa_alloc(&fa);

	assert_int_equal(a, 1 * MiB);
	assert_int_equal(b, 1 * MiB + PG);
	assert_int_equal(c, 1 * MiB + 2 * PG);
	assert_int_equal(fa.nfree, 1);

	assert_int_equal(fa_free(&fa, b, 1), FA_OK);
	assert_int_equal(fa.nfree, 2);
	check_invariants(&fa);
	assert_int_equal(fa_alloc(&fa), b);
	assert_int_equal(fa.nfree, 1);

	assert_int_equal(fa_free(&fa, a, 1), FA_OK);
	assert_int_equal(fa_free(&fa, c, 1), FA_OK);
	assert_int_equal(fa_free(&fa, b, 1), FA_OK);
	check_invariants(&fa);
	assert_int_equal(fa.nfree, 1);
	assert_int_equal(fa.free[0].start, 1 * MiB);
	assert_int_equal(fa.free[0].end, 2 * MiB);
	assert_int_equal(fa_free_bytes(&fa), 1 * MiB);
	assert_int_equal(fa.lost_bytes, 0);
}

static void test_merging(void **state)
{
	(void)state;
	init_simple(1 * MiB, 2 * MiB);
	/* Take everything, then give it back in scattered blocks. */
	assert_int_equal(fa_alloc_contig(&fa, 256, PG), 1 * MiB);
	assert_int_equal(fa.nfree, 0);

	/* Blocks of 4 frames: free 1, 3, 5 (isolated), then 4 (merges with
	 * both neighbours), then 0 (merges with next only), 2 (both) and
	 * finally the tail 6.. (merges with previous only). */
	const uint64_t base = 1 * MiB, blk = 4 * PG;

	assert_int_equal(fa_free(&fa, base + 1 * blk, 4), FA_OK);
	assert_int_equal(fa_free(&fa, base + 3 * blk, 4), FA_OK);
	assert_int_equal(fa_free(&fa, base + 5 * blk, 4), FA_OK);
	assert_int_equal(fa.nfree, 3);
	assert_int_equal(fa_free(&fa, base + 4 * blk, 4), FA_OK);
	assert_int_equal(fa.nfree, 2);
	assert_int_equal(fa.free[1].start, base + 3 * blk);
	assert_int_equal(fa.free[1].end, base + 6 * blk);
	assert_int_equal(fa_free(&fa, base, 4), FA_OK);
	assert_int_equal(fa.nfree, 2);
	assert_int_equal(fa.free[0].start, base);
	assert_int_equal(fa.free[0].end, base + 2 * blk);
	assert_int_equal(fa_free(&fa, base + 2 * blk, 4), FA_OK);
	assert_int_equal(fa.nfree, 1);
	check_invariants(&fa);
	assert_int_equal(fa_free(&fa, base + 6 * blk, 256 - 24), FA_OK);
	assert_int_equal(fa.nfree, 1);
	assert_int_equal(fa.free[0].start, 1 * MiB);
	assert_int_equal(fa.free[0].end, 2 * MiB);
	assert_int_equal(fa_free_bytes(&fa), 1 * MiB);
	check_invariants(&fa);
}

static void test_double_free(void **state)
{
	(void)state;
	init_simple(1 * MiB, 2 * MiB);
	uint64_t a = fa_alloc_contig(&fa, 8, PG);

	assert_int_equal(a, 1 * MiB);
	assert_int_equal(fa_free(&fa, a + 2 * PG, 2), FA_OK);
	memcpy(&saved, &fa, sizeof(fa));

	/* Exactly the same frames again. */
	assert_int_equal(fa_free(&fa, a + 2 * PG, 2), FA_ERR_DOUBLE_FREE);
	/* Partly free: the range overlaps the free block from below... */
	assert_int_equal(fa_free(&fa, a + 1 * PG, 2), FA_ERR_DOUBLE_FREE);
	/* ... from above ... */
	assert_int_equal(fa_free(&fa, a + 3 * PG, 2), FA_ERR_DOUBLE_FREE);
	/* ... around it ... */
	assert_int_equal(fa_free(&fa, a, 8), FA_ERR_DOUBLE_FREE);
	/* ... and the never-allocated remainder of the extent. */
	assert_int_equal(fa_free(&fa, a + 7 * PG, 2), FA_ERR_DOUBLE_FREE);
	assert_int_equal(fa_free(&fa, 2 * MiB - PG, 1), FA_ERR_DOUBLE_FREE);
	assert_memory_equal(&saved, &fa, sizeof(fa));

	/* Neighbours still free fine. */
	assert_int_equal(fa_free(&fa, a + 1 * PG, 1), FA_OK);
	assert_int_equal(fa_free(&fa, a + 4 * PG, 1), FA_OK);
	assert_int_equal(fa.nfree, 2);
	check_invariants(&fa);
}

static void test_free_unmanaged_rejected(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0, 0x9fc00),
		AV(1 * MiB, 1 * MiB),
		AV(3 * MiB, 1 * MiB),
	};
	const struct phys_range res[] = { { 3 * MiB, 3 * MiB + PG } };

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 0), FA_OK);
	assert_int_equal(fa_alloc_contig(&fa, 256, PG), 1 * MiB);
	memcpy(&saved, &fa, sizeof(fa));

	/* Below min_addr, although available in the map. */
	assert_int_equal(fa_free(&fa, 0x1000, 1), FA_ERR_NOT_MANAGED);
	assert_int_equal(fa_free(&fa, 1 * MiB - PG, 1), FA_ERR_NOT_MANAGED);
	assert_int_equal(fa_free(&fa, 1 * MiB - PG, 2), FA_ERR_NOT_MANAGED);
	/* In the hole, and spanning it. */
	assert_int_equal(fa_free(&fa, 2 * MiB, 1), FA_ERR_NOT_MANAGED);
	assert_int_equal(fa_free(&fa, 2 * MiB - PG, 2), FA_ERR_NOT_MANAGED);
	assert_int_equal(fa_free(&fa, 1 * MiB, 1024), FA_ERR_NOT_MANAGED);
	/* A reserved range. */
	assert_int_equal(fa_free(&fa, 3 * MiB, 1), FA_ERR_NOT_MANAGED);
	/* Past the end of memory. */
	assert_int_equal(fa_free(&fa, 4 * MiB, 1), FA_ERR_NOT_MANAGED);
	assert_int_equal(fa_free(&fa, (UINT64_MAX & ~(PG - 1)) - PG, 1),
			 FA_ERR_NOT_MANAGED);
	/* Malformed requests. */
	assert_int_equal(fa_free(&fa, 1 * MiB + 1, 1), FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(&fa, 1 * MiB + 0x800, 1), FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(&fa, 1 * MiB, 0), FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(&fa, 1 * MiB, UINT64_MAX), FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(&fa, 1 * MiB, 1ULL << 52), FA_ERR_BAD_ARG);
	/* addr + size reaches or wraps past 2^64. */
	assert_int_equal(fa_free(&fa, UINT64_MAX & ~(PG - 1), 1),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(&fa, UINT64_MAX & ~(PG - 1), 2),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_free(NULL, 1 * MiB, 1), FA_ERR_BAD_ARG);
	assert_memory_equal(&saved, &fa, sizeof(fa));

	assert_int_equal(fa_free(&fa, 1 * MiB, 256), FA_OK);
	check_invariants(&fa);
}

static void test_exhaustion(void **state)
{
	(void)state;
	init_simple(1 * MiB, 1 * MiB + 3 * PG);
	assert_int_equal(fa_alloc(&fa), 1 * MiB);
	assert_int_equal(fa_alloc(&fa), 1 * MiB + PG);
	assert_int_equal(fa_alloc(&fa), 1 * MiB + 2 * PG);
	assert_int_equal(fa_alloc(&fa), 0);
	assert_int_equal(fa_alloc(&fa), 0);
	assert_int_equal(fa_alloc_contig(&fa, 1, PG), 0);
	assert_int_equal(fa_free_bytes(&fa), 0);
	check_invariants(&fa);
	assert_int_equal(fa_free(&fa, 1 * MiB + PG, 1), FA_OK);
	assert_int_equal(fa_alloc(&fa), 1 * MiB + PG);
	assert_int_equal(fa_alloc(&fa), 0);
}

/* n separated 1-frame regions at 1 MiB + 2 * PG * i. */
static unsigned make_separated_map(struct mem_region *map, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		map[i].base = 1 * MiB + 2 * PG * i;
		map[i].len = PG;
		map[i].type = MEM_AVAILABLE;
	}
	return n;
}

static struct mem_region big_map[1024];

static void test_too_many_regions(void **state)
{
	(void)state;
	unsigned n = make_separated_map(big_map, FA_MAX_EXTENTS);

	assert_int_equal(fa_init(&fa, big_map, n, NULL, 0, 1 * MiB, 0), FA_OK);
	assert_int_equal(fa_region_count(&fa), FA_MAX_EXTENTS);
	assert_region(FA_MAX_EXTENTS - 1, 1 * MiB + 2 * PG * 255,
		      1 * MiB + 2 * PG * 255 + PG);
	check_invariants(&fa);

	n = make_separated_map(big_map, FA_MAX_EXTENTS + 1);
	assert_int_equal(fa_init(&fa, big_map, n, NULL, 0, 1 * MiB, 0),
			 FA_ERR_TOO_MANY_REGIONS);
	/* Left empty: nothing can be allocated. */
	assert_int_equal(fa_region_count(&fa), 0);
	assert_int_equal(fa_free_bytes(&fa), 0);
	assert_int_equal(fa_alloc(&fa), 0);
	assert_int_equal(fa_free(&fa, 1 * MiB, 1), FA_ERR_NOT_MANAGED);

	/* The same map limited by max_addr fits again. */
	assert_int_equal(fa_init(&fa, big_map, n, NULL, 0, 1 * MiB,
				 1 * MiB + 2 * PG * 256), FA_OK);
	assert_int_equal(fa_region_count(&fa), FA_MAX_EXTENTS);

	/* Many entries that vanish (sub-frame, or reserved) do not count. */
	for (unsigned i = 0; i < 1000; i++) {
		big_map[i].base = 16 * MiB + 2 * PG * i + 1;
		big_map[i].len = PG;
		big_map[i].type = MEM_AVAILABLE;
	}
	big_map[1000 - 1] = (struct mem_region)AV(1 * MiB, 1 * MiB);
	assert_int_equal(fa_init(&fa, big_map, 1000, NULL, 0, 1 * MiB, 0),
			 FA_OK);
	assert_int_equal(fa_region_count(&fa), 1);
	assert_region(0, 1 * MiB, 2 * MiB);
}

static void test_full_free_list_loses_frames(void **state)
{
	(void)state;
	/* 600 frames, all allocated, then every other frame freed: each
	 * free makes a new extent until the list is full. */
	init_simple(1 * MiB, 1 * MiB + 600 * PG);
	assert_int_equal(fa_alloc_contig(&fa, 600, PG), 1 * MiB);
	for (unsigned i = 0; i < FA_MAX_EXTENTS; i++)
		assert_int_equal(fa_free(&fa, 1 * MiB + 2 * PG * i, 1), FA_OK);
	assert_int_equal(fa.nfree, FA_MAX_EXTENTS);
	assert_int_equal(fa.lost_bytes, 0);

	/* An isolated frame has no slot: counted as lost, not an error. */
	uint64_t iso = 1 * MiB + 2 * PG * 257;

	assert_int_equal(fa_free(&fa, iso, 1), FA_OK);
	assert_int_equal(fa.lost_bytes, PG);
	assert_int_equal(fa.nfree, FA_MAX_EXTENTS);
	assert_int_equal(fa_free_bytes(&fa), FA_MAX_EXTENTS * PG);
	check_invariants(&fa);

	/* Frames that merge with a neighbour still go in. */
	assert_int_equal(fa_free(&fa, 1 * MiB + 511 * PG, 1), FA_OK);
	assert_int_equal(fa.free[FA_MAX_EXTENTS - 1].start, 1 * MiB + 510 * PG);
	assert_int_equal(fa.free[FA_MAX_EXTENTS - 1].end, 1 * MiB + 512 * PG);
	/* Filling a gap joins two extents and frees a slot. */
	assert_int_equal(fa_free(&fa, 1 * MiB + PG, 1), FA_OK);
	assert_int_equal(fa.nfree, FA_MAX_EXTENTS - 1);
	assert_int_equal(fa.lost_bytes, PG);
	check_invariants(&fa);
	/* The lost frame (514) is in no free extent: never handed out. */
	for (unsigned i = 0; i < fa.nfree; i++)
		assert_false(fa.free[i].start <= iso && iso < fa.free[i].end);
	assert_int_equal(fa.free[0].start, 1 * MiB);
	assert_int_equal(fa.free[0].end, 1 * MiB + 3 * PG);
}

static void test_full_free_list_contig_loses_gap(void **state)
{
	(void)state;
	const uint64_t f0 = 1 * MiB;

	init_simple(f0, f0 + 600 * PG);
	assert_int_equal(fa_alloc_contig(&fa, 600, PG), f0);
	/* Free extents: frames [1, 4), then 6, 8, ... until the list is
	 * full. */
	assert_int_equal(fa_free(&fa, f0 + PG, 3), FA_OK);
	for (unsigned k = 0; k < FA_MAX_EXTENTS - 1; k++)
		assert_int_equal(fa_free(&fa, f0 + (6 + 2 * k) * PG, 1), FA_OK);
	assert_int_equal(fa.nfree, FA_MAX_EXTENTS);
	uint64_t before = fa_free_bytes(&fa);

	/* Frame 2 is the first 8 KiB aligned one; taking it would split
	 * [1, 4) with no slot for the tail: frame 1 is dropped as lost. */
	assert_int_equal(fa_alloc_contig(&fa, 1, 2 * PG), f0 + 2 * PG);
	assert_int_equal(fa.lost_bytes, PG);
	assert_int_equal(fa_free_bytes(&fa), before - 2 * PG);
	assert_int_equal(fa.nfree, FA_MAX_EXTENTS);
	assert_int_equal(fa.free[0].start, f0 + 3 * PG);
	assert_int_equal(fa.free[0].end, f0 + 4 * PG);
	check_invariants(&fa);
}

/* Random alloc/free against a shadow bitmap. */
#define SHADOW_FRAMES 2048
static uint8_t shadow[SHADOW_FRAMES]; /* 0 unmanaged, 1 free, 2 used */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_shadow(void)
{
	uint64_t nfree = 0;

	for (unsigned f = 0; f < SHADOW_FRAMES; f++) {
		uint64_t addr = (uint64_t)f * PG;
		bool in_free = false;

		for (unsigned i = 0; i < fa.nfree; i++)
			if (fa.free[i].start <= addr && addr < fa.free[i].end)
				in_free = true;
		assert_int_equal(in_free, shadow[f] == 1);
		nfree += shadow[f] == 1;
	}
	assert_int_equal(fa_free_bytes(&fa), nfree * PG);
}

static void test_random_against_shadow(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(1 * MiB, 3 * MiB),
		RS(2 * MiB, 64 * KiB),
		AV(5 * MiB, 3 * MiB),
	};
	const struct phys_range res[] = { { 6 * MiB, 6 * MiB + 0x10 } };

	assert_int_equal(fa_init(&fa, map, ARRAY_SIZE(map), res,
				 ARRAY_SIZE(res), 1 * MiB, 0), FA_OK);
	memset(shadow, 0, sizeof(shadow));
	for (unsigned i = 0; i < fa.nmanaged; i++)
		for (uint64_t a = fa.managed[i].start; a < fa.managed[i].end;
		     a += PG)
			shadow[a / PG] = 1;

	for (unsigned step = 0; step < 4000; step++) {
		uint64_t n = 1 + rng() % 8, f = rng() % SHADOW_FRAMES;
		uint64_t align = PG << (rng() % 6), got, expect = 0;

		switch (rng() % 3) {
		case 0: /* alloc_contig: first fit, lowest address */
			for (uint64_t s = 0; s + n <= SHADOW_FRAMES && !expect;
			     s += align / PG) {
				bool ok = true;

				for (uint64_t k = 0; k < n; k++)
					ok = ok && shadow[s + k] == 1;
				if (ok)
					expect = s * PG;
			}
			got = fa_alloc_contig(&fa, n, align);
			assert_int_equal(got, expect);
			for (uint64_t k = 0; got && k < n; k++)
				shadow[got / PG + k] = 2;
			break;
		case 1: { /* free a random range: exact status expected */
			enum fa_status want = FA_OK;

			if (f + n > SHADOW_FRAMES) {
				want = FA_ERR_NOT_MANAGED;
			} else {
				for (uint64_t k = 0; k < n; k++)
					if (shadow[f + k] == 0)
						want = FA_ERR_NOT_MANAGED;
				for (uint64_t k = 0; k < n && !want; k++)
					if (shadow[f + k] == 1)
						want = FA_ERR_DOUBLE_FREE;
			}
			assert_int_equal(fa_free(&fa, f * PG, n), want);
			for (uint64_t k = 0; want == FA_OK && k < n; k++)
				shadow[f + k] = 1;
			break;
		}
		default:
			for (f = 0; f < SHADOW_FRAMES && shadow[f] != 1; f++)
				;
			expect = f < SHADOW_FRAMES ? f * PG : 0;
			assert_int_equal(fa_alloc(&fa), expect);
			if (expect)
				shadow[f] = 2;
			break;
		}
		if (step % 64 == 0) {
			check_invariants(&fa);
			check_shadow();
		}
	}
	assert_int_equal(fa.lost_bytes, 0);
	check_invariants(&fa);
	check_shadow();
}

/* ------------------------------------------------------ arguments, misc */

static void test_bad_init_args(void **state)
{
	(void)state;
	const struct mem_region map[] = { AV(1 * MiB, 1 * MiB) };
	const struct phys_range inverted[] = { { 1 * MiB + PG, 1 * MiB } };

	assert_int_equal(fa_init(NULL, map, 1, NULL, 0, 1 * MiB, 0),
			 FA_ERR_BAD_ARG);
	/* A failed init leaves a previously working allocator empty. */
	init_simple(1 * MiB, 2 * MiB);
	assert_int_equal(fa_init(&fa, NULL, 1, NULL, 0, 1 * MiB, 0),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_alloc(&fa), 0);
	assert_int_equal(fa_region_count(&fa), 0);

	assert_int_equal(fa_init(&fa, map, 1, NULL, 1, 1 * MiB, 0),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, inverted, 1, 1 * MiB, 0),
			 FA_ERR_BAD_ARG);
	/* max_addr at or below min_addr. */
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB, 1 * MiB),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB, PG),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB,
				 1 * MiB + 0xfff), FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, FA_PHYS_LIMIT, 0),
			 FA_ERR_BAD_ARG);
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, UINT64_MAX, 0),
			 FA_ERR_BAD_ARG);
	/* One frame is enough. */
	assert_int_equal(fa_init(&fa, map, 1, NULL, 0, 1 * MiB,
				 1 * MiB + PG), FA_OK);
	assert_int_equal(fa.managed_bytes, PG);
}

static void test_region_queries(void **state)
{
	(void)state;
	struct phys_range r;

	init_simple(1 * MiB, 2 * MiB);
	assert_int_equal(fa_region_count(&fa), 1);
	r = fa_region(&fa, 1);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 0);
	r = fa_region(&fa, UINT32_MAX);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 0);
	r = fa_region(NULL, 0);
	assert_int_equal(r.end, 0);
	assert_int_equal(fa_region_count(NULL), 0);
	assert_int_equal(fa_free_bytes(NULL), 0);
	/* Allocation does not change the managed regions. */
	assert_int_not_equal(fa_alloc(&fa), 0);
	assert_region(0, 1 * MiB, 2 * MiB);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(fa_strerror(FA_OK), "success");
	assert_string_equal(fa_strerror(FA_ERR_NO_MEMORY), "no usable memory");
	assert_string_equal(fa_strerror(FA_ERR_TOO_MANY_REGIONS),
		"too many usable memory regions for the frame allocator");
	assert_string_equal(fa_strerror(FA_ERR_BAD_ARG), "bad argument");
	assert_string_equal(fa_strerror(FA_ERR_NOT_MANAGED),
			    "address not managed by the frame allocator");
	assert_string_equal(fa_strerror(FA_ERR_DOUBLE_FREE),
			    "frame freed twice");
	assert_string_equal(fa_strerror((enum fa_status)99),
			    "unknown frame allocator error");
}

static void test_usable_bytes(void **state)
{
	(void)state;
	const struct mem_region map[] = {
		AV(0x1000, 0x3000),
		AV(0x2000, 0x3000),         /* overlaps: counted once */
		AV(0x2800, 0x10),           /* inside: counted once */
		RS(0x3000, 0x123),          /* exact, no rounding */
		TY(0x10000, 0x1000, MEM_ACPI_NVS), /* outside avail */
		AV(0x20000, 0x1),
	};

	assert_int_equal(mem_map_usable_bytes(map, ARRAY_SIZE(map)),
			 0x4000 - 0x123 + 1);
	assert_int_equal(mem_map_usable_bytes(NULL, 5), 0);
	assert_int_equal(mem_map_usable_bytes(map, 0), 0);
	/* Address 0 counts: no limits apply here. */
	const struct mem_region low[] = { AV(0, 0x9fc00) };

	assert_int_equal(mem_map_usable_bytes(low, 1), 0x9fc00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_e820),
		cmocka_unit_test(test_bochs_e820),
		cmocka_unit_test(test_holes_unsorted_overlapping),
		cmocka_unit_test(test_non_available_wins),
		cmocka_unit_test(test_zero_length_entries),
		cmocka_unit_test(test_absurd_entries),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_unaligned_shrunk_inward),
		cmocka_unit_test(test_first_mib_never_used),
		cmocka_unit_test(test_reserved_never_handed_out),
		cmocka_unit_test(test_contig_alignment),
		cmocka_unit_test(test_contig_across_extents),
		cmocka_unit_test(test_free_and_reallocate),
		cmocka_unit_test(test_merging),
		cmocka_unit_test(test_double_free),
		cmocka_unit_test(test_free_unmanaged_rejected),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_too_many_regions),
		cmocka_unit_test(test_full_free_list_loses_frames),
		cmocka_unit_test(test_full_free_list_contig_loses_gap),
		cmocka_unit_test(test_random_against_shadow),
		cmocka_unit_test(test_bad_init_args),
		cmocka_unit_test(test_region_queries),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_usable_bytes),
	};

	return cmocka_run_group_tests_name("frame_alloc", tests, NULL, NULL);
}
