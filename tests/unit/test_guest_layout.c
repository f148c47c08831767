/* Unit tests for the guest placement planner (boot/guest_layout.c): fixed
 * scenarios on a Bochs-like memory map (modules in the way, segment errors,
 * sizes, limits), a generic checker of every placement rule, and a random
 * comparison against a simple cell-by-cell reference model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/guest_layout.h"
#include "lib/compiler.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PG 4096ULL

#define AV(b, l) { .base = (b), .len = (l), .type = MEM_AVAILABLE }
#define RS(b, l) { .base = (b), .len = (l), .type = MEM_RESERVED }
#define TY(b, l, t) { .base = (b), .len = (l), .type = (t) }

/* Bochs's e820 map for a 128 MiB machine. */
static const struct mem_region bochs_map[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0x7ff0000 - 0x100000),
	TY(0x7ff0000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

/* Nestor's image at 2 MiB and its memory pool. */
static const struct phys_range nestor_hidden[] = {
	{ 0x200000, 0x220000 },
	{ 0x4000000, 0x7000000 },
};

static struct guest_layout_in in;
static struct guest_layout_out out;
static char err[GUEST_LAYOUT_ERR_LEN];

static void setup_bochs(void)
{
	memset(&in, 0, sizeof(in));
	in.map = bochs_map;
	in.nmap = ARRAY_SIZE(bochs_map);
	in.hidden = nestor_hidden;
	in.nhidden = ARRAY_SIZE(nestor_hidden);
	in.info_size = 0x3000;
	in.limit = GUEST_LAYOUT_LIMIT_32;
}

static int plan(void)
{
	memset(err, 'x', sizeof(err));
	return guest_layout_plan(&in, &out, err, sizeof(err));
}

static void expect_error(const char *msg)
{
	static const struct guest_layout_out zero;

	assert_int_equal(plan(), -1);
	assert_string_equal(err, msg);
	assert_memory_equal(&out, &zero, sizeof(zero));
}

/* ---- independent rule checker ---------------------------------------- */

static bool ovl(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Every byte of [s, e) is in an available entry and in no other entry;
 * checked at 256-byte steps plus both ends (all test edges are multiples
 * of 256). */
static bool ram_ref(uint64_t s, uint64_t e)
{
	for (uint64_t a = s; a < e; a = (a | 0xff) + 1) {
		bool av = false;

		for (unsigned i = 0; i < in.nmap; i++) {
			const struct mem_region *r = &in.map[i];

			if (a >= r->base && a - r->base < r->len) {
				if (r->type != MEM_AVAILABLE)
					return false;
				av = true;
			}
		}
		if (!av)
			return false;
	}
	return true;
}

static bool ovl_list(const struct phys_range *r, unsigned n, uint64_t s,
		     uint64_t e, int skip)
{
	for (unsigned i = 0; i < n; i++)
		if ((int)i != skip && ovl(r[i].start, r[i].end, s, e))
			return true;
	return false;
}

/* Checks every documented rule on the plan in `out`. */
static void check_rules(void)
{
	uint64_t ds[GUEST_LAYOUT_MAX_MODULES + 2], de[GUEST_LAYOUT_MAX_MODULES + 2];
	unsigned nd = 0;

	for (unsigned i = 0; i < in.nmod; i++) {
		uint64_t len = in.modules[i].end - in.modules[i].start;
		uint64_t d = out.module_dest[i];
		uint64_t e = d + (len ? len : 1);
		bool stays = d == in.modules[i].start;

		assert_true(d >= GUEST_LAYOUT_LOW_KEEP);
		assert_true(e <= in.limit);
		assert_true(ram_ref(d, e));
		assert_false(ovl_list(in.segments, in.nseg, d, e, -1));
		assert_false(ovl_list(in.hidden, in.nhidden, d, e, -1));
		assert_false(ovl_list(in.modules, in.nmod, d, e, stays ? (int)i : -1));
		if (!stays)
			assert_int_equal(d % PG, 0);
		if (stays && in.page_align_modules)
			assert_int_equal(d % PG, 0);
		ds[nd] = d;
		de[nd++] = e;
	}
	ds[nd] = out.info_addr;
	de[nd++] = out.info_addr + in.info_size;
	if (in.extra_size) {
		ds[nd] = out.extra_addr;
		de[nd++] = out.extra_addr + in.extra_size;
	} else {
		assert_int_equal(out.extra_addr, 0);
	}
	for (unsigned i = in.nmod; i < nd; i++) {
		assert_int_equal(ds[i] % PG, 0);
		assert_true(ds[i] >= GUEST_LAYOUT_LOW_KEEP);
		assert_true(de[i] <= in.limit);
		assert_true(ram_ref(ds[i], de[i]));
		assert_false(ovl_list(in.segments, in.nseg, ds[i], de[i], -1));
		assert_false(ovl_list(in.hidden, in.nhidden, ds[i], de[i], -1));
		assert_false(ovl_list(in.modules, in.nmod, ds[i], de[i], -1));
	}
	for (unsigned i = 0; i < nd; i++)
		for (unsigned j = i + 1; j < nd; j++)
			assert_false(ovl(ds[i], de[i], ds[j], de[j]));
}

/* ---- scenarios ------------------------------------------------------- */

static void test_nothing_in_the_way(void **state)
{
	const struct phys_range segs[] = { { 0x100000, 0x180000 }, { 0x180000, 0x1c0000 } };
	const struct phys_range mods[] = { { 0x221000, 0x2a1000 }, { 0x2a1000, 0x2a1800 } };

	(void)state;
	setup_bochs();
	in.segments = segs;
	in.nseg = 2;
	in.modules = mods;
	in.nmod = 2;
	in.extra_size = 0x6000;
	assert_int_equal(plan(), 0);
	assert_string_equal(err, "");
	assert_int_equal(out.module_dest[0], 0x221000);
	assert_int_equal(out.module_dest[1], 0x2a1000);
	/* highest free RAM: [0x7000000, 0x7ff0000), below the ACPI tables */
	assert_int_equal(out.info_addr, 0x7fed000);
	assert_int_equal(out.extra_addr, 0x7fe7000);
	assert_int_equal(out.module_dest[2], 0);
	check_rules();
}

static void test_modules_in_the_way_move(void **state)
{
	const struct phys_range segs[] = { { 0x1000000, 0x1200000 }, { 0x1200000, 0x1400000 } };
	const struct phys_range mods[] = {
		{ 0x1100000, 0x1180000 },	/* inside segment 0 */
		{ 0x13ff000, 0x1401000 },	/* straddles segment 1's end */
		{ 0x2000000, 0x2001000 },	/* out of the way */
		{ 0x1401000, 0x1401800 },	/* just after module 1 */
	};

	(void)state;
	setup_bochs();
	in.segments = segs;
	in.nseg = 2;
	in.modules = mods;
	in.nmod = 4;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0x7f70000);
	assert_int_equal(out.module_dest[1], 0x7f6e000);
	assert_int_equal(out.module_dest[2], 0x2000000);
	assert_int_equal(out.module_dest[3], 0x1401000);
	assert_int_equal(out.info_addr, 0x7f6b000);
	assert_int_equal(out.extra_addr, 0);
	check_rules();
}

static void test_module_overlaps_other_module(void **state)
{
	const struct phys_range mods[] = {
		{ 0x300000, 0x310000 },
		{ 0x30f000, 0x320000 },
		{ 0x320000, 0x321000 },	/* touching is not overlapping */
	};

	(void)state;
	setup_bochs();
	in.modules = mods;
	in.nmod = 3;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0x7fe0000);
	assert_int_equal(out.module_dest[1], 0x7fcf000);
	assert_int_equal(out.module_dest[2], 0x320000);
	check_rules();
}

static void test_module_bad_home_moves(void **state)
{
	const struct phys_range mods[] = {
		{ 0x21f000, 0x221000 },		/* overlaps Nestor's image */
		{ 0x80000, 0x81000 },		/* below 1 MiB */
		{ 0x300800, 0x301800 },		/* not page aligned */
		{ 0x7fef000, 0x7ff1000 },	/* runs into the ACPI tables */
		{ 0xa0000, 0xa1000 },		/* in a hole */
	};

	(void)state;
	setup_bochs();
	in.modules = mods;
	in.nmod = 5;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0x7fed000);
	assert_int_equal(out.module_dest[1], 0x7fec000);
	assert_int_equal(out.module_dest[2], 0x300800);	/* may stay */
	/* module 3's source blocks the top: placed below it */
	assert_int_equal(out.module_dest[3], 0x7fea000);
	assert_int_equal(out.module_dest[4], 0x7fe9000);
	check_rules();

	in.page_align_modules = true;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[2], 0x7feb000);
	assert_int_equal(out.module_dest[3], 0x7fe9000);
	assert_int_equal(out.module_dest[4], 0x7fe8000);
	check_rules();
}

static void test_module_above_limit_moves(void **state)
{
	static const struct mem_region big[] = {
		AV(0, 0x9fc00),
		AV(0x100000, 0xbff00000),
		RS(0xfffc0000, 0x40000),
		AV(0x100000000ull, 0x100000000ull),
	};
	const struct phys_range mods[] = { { 0x100001000ull, 0x100002000ull } };

	(void)state;
	setup_bochs();
	in.map = big;
	in.nmap = ARRAY_SIZE(big);
	in.nhidden = 1;
	in.modules = mods;
	in.nmod = 1;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0xbffff000);
	assert_int_equal(out.info_addr, 0xbfffc000);
	check_rules();
	/* with a 64-bit limit it stays */
	in.limit = 1ULL << 40;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0x100001000ull);
	assert_int_equal(out.info_addr, 0x1ffffd000ull);
	check_rules();
}

/* RAM right up to 4 GiB: nothing ends above GUEST_LAYOUT_LIMIT_32. */
static void test_limit_32(void **state)
{
	static const struct mem_region map[] = { AV(0x100000, 0xfff00000) };

	(void)state;
	setup_bochs();
	in.map = map;
	in.nmap = 1;
	in.nhidden = 0;
	in.extra_size = 1;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.info_addr, 0xffffc000);
	assert_int_equal(out.extra_addr, 0xffffb000);
	check_rules();
}

/* A big module skips the top region when it does not fit there. */
static void test_first_fit_from_top_skips_small_region(void **state)
{
	const struct phys_range mods[] = {
		{ 0x100000, 0x1100000 },	/* 16 MiB, overlapping a segment */
		{ 0x3ff0000, 0x4000000 },	/* just under the pool */
	};
	const struct phys_range segs[] = { { 0x100000, 0x110000 } };

	(void)state;
	setup_bochs();
	in.segments = segs;
	in.nseg = 1;
	in.modules = mods;
	in.nmod = 2;
	assert_int_equal(plan(), 0);
	/* [0x7000000, 0x7ff0000) is 16 MiB - 64 KiB: too small; below the pool
	 * the free top is module 1's source start. */
	assert_int_equal(out.module_dest[0], 0x3ff0000 - 0x1000000);
	assert_int_equal(out.module_dest[1], 0x3ff0000);
	assert_int_equal(out.info_addr, 0x7fed000);
	check_rules();
}

/* Edges that are not page aligned are rounded down. */
static void test_unaligned_edges(void **state)
{
	static const struct mem_region map[] = {
		AV(0x100000, 0x1000800),	/* ends at 0x1100800 */
		RS(0x10ff900, 0x100),		/* a hole punched near the top */
	};
	const struct phys_range mods[] = { { 0x100000, 0x100100 } };
	const struct phys_range segs[] = { { 0x100000, 0x101000 } };

	(void)state;
	setup_bochs();
	in.map = map;
	in.nmap = 2;
	in.nhidden = 0;
	in.segments = segs;
	in.nseg = 1;
	in.modules = mods;
	in.nmod = 1;
	in.info_size = 0x1000;
	assert_int_equal(plan(), 0);
	/* the RAM end 0x1100800 still holds 0x100 bytes at 0x1100000 */
	assert_int_equal(out.module_dest[0], 0x1100000);
	/* a page at 0x10ff000 would touch the reserved 0x10ff900: the info
	 * goes below it, (0x10ff900 - 0x1000) rounded down */
	assert_int_equal(out.info_addr, 0x10fe000);
	check_rules();
}

static void test_zero_length_modules(void **state)
{
	const struct phys_range segs[] = { { 0x1000000, 0x1100000 } };
	const struct phys_range mods[] = {
		{ 0x1080000, 0x1080000 },	/* empty, inside a segment */
		{ 0x2000000, 0x2000000 },	/* empty, fine where it is */
		{ 0x1000000, 0x1000000 },	/* empty, at a segment's start */
	};

	(void)state;
	setup_bochs();
	in.segments = segs;
	in.nseg = 1;
	in.modules = mods;
	in.nmod = 3;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.module_dest[0], 0x7fef000);
	assert_int_equal(out.module_dest[1], 0x2000000);
	assert_int_equal(out.module_dest[2], 0x7fee000);
	assert_int_equal(out.info_addr, 0x7feb000);
	check_rules();
}

/* Overlapping map entries: the non-available one wins; adjacent
 * available entries join. */
static void test_overlapping_map(void **state)
{
	static const struct mem_region map[] = {
		AV(0x1000000, 0x1000000),
		AV(0x100000, 0xf00000),		/* adjacent below */
		RS(0x1800000, 0x1000),		/* inside the first */
	};
	const struct phys_range segs_ok[] = { { 0xf00000, 0x1100000 } };
	const struct phys_range segs_bad[] = { { 0x17ff000, 0x1801000 } };

	(void)state;
	setup_bochs();
	in.map = map;
	in.nmap = 3;
	in.nhidden = 0;
	in.segments = segs_ok;
	in.nseg = 1;
	assert_int_equal(plan(), 0);
	assert_int_equal(out.info_addr, 0x1ffd000);
	check_rules();
	in.segments = segs_bad;
	expect_error("guest segment [0x17ff000,0x1801000) is not in guest RAM");
}

/* ---- errors ---------------------------------------------------------- */

static void test_segment_errors(void **state)
{
	struct phys_range seg;

	(void)state;
	setup_bochs();
	in.segments = &seg;
	in.nseg = 1;
	seg = (struct phys_range){ 0x90000, 0xa0000 };
	expect_error("guest segment [0x90000,0xa0000) is not in guest RAM");
	seg = (struct phys_range){ 0xa0000, 0xb0000 };	/* hole */
	expect_error("guest segment [0xa0000,0xb0000) is not in guest RAM");
	seg = (struct phys_range){ 0x7fe0000, 0x7ff0001 };	/* ACPI */
	expect_error("guest segment [0x7fe0000,0x7ff0001) is not in guest RAM");
	seg = (struct phys_range){ 0x7ff0000 - 1, 0x7ff0000 };
	assert_int_equal(plan(), 0);
	seg = (struct phys_range){ 0x100000, 0x201000 };
	expect_error("guest segment [0x100000,0x201000) overlaps Nestor's memory [0x200000,0x220000)");
	seg = (struct phys_range){ 0x3fff000, 0x4000001 };
	expect_error("guest segment [0x3fff000,0x4000001) overlaps Nestor's memory [0x4000000,0x7000000)");
	seg = (struct phys_range){ 0xfffff000, 0x100001000ull };
	expect_error("guest segment [0xfffff000,0x100001000) ends above the limit 0xfffff000");
	seg = (struct phys_range){ 0x300000, 0x200000 };
	expect_error("guest segment 0 has its end below its start");
	/* an empty segment is ignored wherever it is */
	seg = (struct phys_range){ 0xa0000, 0xa0000 };
	assert_int_equal(plan(), 0);
}

static void test_size_errors(void **state)
{
	const struct phys_range huge[] = { { 0x100000, 0x100000 + (4 * GiB) + 1 } };
	const struct phys_range four[] = { { 0x100000, 0x100000 + 4 * GiB } };
	const struct phys_range big[] = { { 0x100000, 0x100000 + 200 * MiB } };

	(void)state;
	setup_bochs();
	in.modules = huge;
	in.nmod = 1;
	expect_error("module 0 is larger than 4 GiB (size 0x100000001)");
	in.modules = four;	/* allowed size, but no room */
	expect_error("not enough guest RAM to place module 0 (size 0x100000000)");
	in.modules = big;
	expect_error("not enough guest RAM to place module 0 (size 0xc800000)");
	in.nmod = 0;
	in.info_size = 0;
	expect_error("boot information size is 0");
	in.info_size = 4 * GiB + 1;
	expect_error("boot information size 0x100000001 is larger than 4 GiB");
	in.info_size = 64 * MiB;
	expect_error("not enough guest RAM to place the boot information (size 0x4000000)");
	in.info_size = 0x1000;
	in.extra_size = 4 * GiB + 1;
	expect_error("extra boot data size 0x100000001 is larger than 4 GiB");
	in.extra_size = 63 * MiB;
	expect_error("not enough guest RAM to place the extra boot data (size 0x3f00000)");
	in.extra_size = 61 * MiB;	/* fits under the pool */
	assert_int_equal(plan(), 0);
	assert_int_equal(out.extra_addr, 0x4000000 - 61 * MiB);
}

static void test_input_errors(void **state)
{
	struct phys_range mods[GUEST_LAYOUT_MAX_MODULES + 1];
	const struct phys_range bad = { 0x2000, 0x1000 };

	(void)state;
	setup_bochs();
	for (unsigned i = 0; i < ARRAY_SIZE(mods); i++)
		mods[i] = (struct phys_range){ 0x300000 + i * PG, 0x300000 + (i + 1) * PG };
	in.modules = mods;
	in.nmod = GUEST_LAYOUT_MAX_MODULES;
	assert_int_equal(plan(), 0);
	for (unsigned i = 0; i < GUEST_LAYOUT_MAX_MODULES; i++)
		assert_int_equal(out.module_dest[i], mods[i].start);
	in.nmod = GUEST_LAYOUT_MAX_MODULES + 1;
	expect_error("17 modules, more than 16");
	in.nmod = 1;
	in.modules = &bad;
	expect_error("module 0 has its end below its start");
	in.modules = NULL;
	expect_error("module list is NULL");
	in.nmod = 0;
	in.hidden = &bad;
	in.nhidden = 1;
	expect_error("hidden range 0 has its end below its start");
	in.nhidden = 0;
	in.map = NULL;
	expect_error("memory map is NULL");
	assert_int_equal(guest_layout_plan(NULL, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "layout input pointer is NULL");
	assert_int_equal(guest_layout_plan(&in, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "layout output pointer is NULL");
	assert_int_equal(guest_layout_plan(&in, NULL, NULL, 0), -1);
}

static void test_no_map_no_room(void **state)
{
	static const struct mem_region low[] = { AV(0, 0x100000) };

	(void)state;
	setup_bochs();
	in.map = NULL;
	in.nmap = 0;
	expect_error("not enough guest RAM to place the boot information (size 0x3000)");
	/* RAM only in the first MiB is not usable for placement */
	in.map = low;
	in.nmap = 1;
	expect_error("not enough guest RAM to place the boot information (size 0x3000)");
}

/* Map order does not matter, and the same input gives the same plan. */
static void test_deterministic(void **state)
{
	struct mem_region shuffled[ARRAY_SIZE(bochs_map)];
	const struct phys_range segs[] = { { 0x1000000, 0x1400000 } };
	const struct phys_range mods[] = { { 0x1100000, 0x1180000 }, { 0x1380000, 0x1500000 } };
	struct guest_layout_out first;

	(void)state;
	setup_bochs();
	in.segments = segs;
	in.nseg = 1;
	in.modules = mods;
	in.nmod = 2;
	in.extra_size = 0x5000;
	assert_int_equal(plan(), 0);
	first = out;
	assert_int_equal(plan(), 0);
	assert_memory_equal(&first, &out, sizeof(out));
	for (unsigned i = 0; i < ARRAY_SIZE(bochs_map); i++)
		shuffled[i] = bochs_map[ARRAY_SIZE(bochs_map) - 1 - i];
	in.map = shuffled;
	assert_int_equal(plan(), 0);
	assert_memory_equal(&first, &out, sizeof(out));
	check_rules();
}

/* ---- random comparison with a reference model ------------------------ */

/* Addresses in [0, 4 MiB) in 256-byte cells; limit inside that. */
#define CELL 256u
#define SPACE (4 * MiB)
#define NCELL (SPACE / CELL)

static uint8_t cell_avail[NCELL];
static uint8_t cell_block[NCELL];

static uint64_t rnd_cell_addr(void)
{
	return (uint64_t)(rand() % (NCELL + 1)) * CELL;
}

static void ref_mark_block(uint64_t s, uint64_t e)
{
	for (uint64_t a = s; a < e && a < SPACE; a += CELL)
		cell_block[a / CELL] = 1;
}

static bool ref_free(uint64_t s, uint64_t len)
{
	uint64_t e = s + (len ? len : 1);

	if (s < GUEST_LAYOUT_LOW_KEEP || e > in.limit)
		return false;
	for (uint64_t a = s & ~(uint64_t)(CELL - 1); a < e; a += CELL)
		if (!cell_avail[a / CELL] || cell_block[a / CELL])
			return false;
	return true;
}

/* Highest page-aligned start that is free, scanning down; -1 if none. */
static int64_t ref_place(uint64_t len)
{
	for (int64_t p = (int64_t)(SPACE - PG); p >= 0; p -= PG)
		if (ref_free((uint64_t)p, len)) {
			ref_mark_block((uint64_t)p, (uint64_t)p + (len ? len : 1));
			return p;
		}
	return -1;
}

static void ref_build_cells(const struct mem_region *map, unsigned nmap)
{
	memset(cell_avail, 0, sizeof(cell_avail));
	memset(cell_block, 0, sizeof(cell_block));
	for (unsigned i = 0; i < nmap; i++)
		for (uint64_t a = map[i].base; a < map[i].base + map[i].len && a < SPACE; a += CELL)
			if (map[i].type == MEM_AVAILABLE && cell_avail[a / CELL] != 2)
				cell_avail[a / CELL] = 1;
	for (unsigned i = 0; i < nmap; i++)
		for (uint64_t a = map[i].base; a < map[i].base + map[i].len && a < SPACE; a += CELL)
			if (map[i].type != MEM_AVAILABLE)
				cell_avail[a / CELL] = 2;
	for (unsigned i = 0; i < NCELL; i++)
		cell_avail[i] = cell_avail[i] == 1;
}

static void random_range(struct phys_range *r, uint64_t max_len)
{
	uint64_t s = rnd_cell_addr();
	uint64_t len = (uint64_t)(rand() % (max_len / CELL + 1)) * CELL;

	*r = (struct phys_range){ s, s + len };
}

static void test_random_vs_reference(void **state)
{
	struct mem_region map[6];
	struct phys_range hidden[2], segs[3], mods[5];
	unsigned ok = 0, iters = 3000;

	(void)state;
	srand(12345);
	for (unsigned it = 0; it < iters; it++) {
		unsigned nmap = 1 + rand() % 6;
		bool ref_ok = true;
		int64_t d;

		for (unsigned i = 0; i < nmap; i++) {
			uint64_t b = rnd_cell_addr();

			map[i] = (struct mem_region){ b, (uint64_t)(rand() % 8192) * CELL,
						      rand() % 4 ? MEM_AVAILABLE : 1 + rand() % 5 };
		}
		memset(&in, 0, sizeof(in));
		in.map = map;
		in.nmap = nmap;
		in.nhidden = rand() % 3;
		for (unsigned i = 0; i < in.nhidden; i++)
			random_range(&hidden[i], 256 * KiB);
		in.hidden = hidden;
		in.nseg = 0;	/* segments are validated, not placed: keep them valid */
		in.segments = segs;
		in.nmod = rand() % 6;
		for (unsigned i = 0; i < in.nmod; i++)
			random_range(&mods[i], 128 * KiB);
		in.modules = mods;
		in.info_size = 1 + (uint64_t)(rand() % 64) * CELL;
		in.extra_size = rand() % 2 ? (uint64_t)(rand() % 64) * CELL : 0;
		in.limit = GUEST_LAYOUT_LOW_KEEP + rnd_cell_addr() % (SPACE - GUEST_LAYOUT_LOW_KEEP + 1);
		in.page_align_modules = rand() % 2;

		/* reference: stays, then places in order */
		ref_build_cells(map, nmap);
		for (unsigned i = 0; i < in.nhidden; i++)
			ref_mark_block(hidden[i].start, hidden[i].end);
		uint64_t ref_dest[5];
		for (unsigned i = 0; i < in.nmod; i++) {
			uint64_t len = mods[i].end - mods[i].start;
			bool stay = !(in.page_align_modules && mods[i].start % PG) &&
				    ref_free(mods[i].start, len) &&
				    !ovl_list(mods, in.nmod, mods[i].start,
					      mods[i].start + (len ? len : 1), (int)i);

			ref_dest[i] = stay ? mods[i].start : UINT64_MAX;
		}
		for (unsigned i = 0; i < in.nmod; i++)
			ref_mark_block(mods[i].start, mods[i].end);
		for (unsigned i = 0; i < in.nmod && ref_ok; i++) {
			if (ref_dest[i] != UINT64_MAX)
				continue;
			d = ref_place(mods[i].end - mods[i].start);
			ref_ok = d >= 0;
			ref_dest[i] = (uint64_t)d;
		}
		int64_t ref_info = -1, ref_extra = 0;
		if (ref_ok) {
			ref_info = ref_place(in.info_size);
			ref_ok = ref_info >= 0;
		}
		if (ref_ok && in.extra_size) {
			ref_extra = ref_place(in.extra_size);
			ref_ok = ref_extra >= 0;
		}

		int r = plan();
		if (!ref_ok) {
			assert_int_equal(r, -1);
			assert_non_null(strstr(err, "not enough guest RAM"));
			continue;
		}
		assert_int_equal(r, 0);
		for (unsigned i = 0; i < in.nmod; i++)
			assert_int_equal(out.module_dest[i], ref_dest[i]);
		assert_int_equal(out.info_addr, (uint64_t)ref_info);
		assert_int_equal(out.extra_addr, (uint64_t)ref_extra);
		check_rules();
		ok++;
	}
	/* both outcomes were exercised */
	assert_true(ok > iters / 10);
	assert_true(ok < iters);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_in_the_way),
		cmocka_unit_test(test_modules_in_the_way_move),
		cmocka_unit_test(test_module_overlaps_other_module),
		cmocka_unit_test(test_module_bad_home_moves),
		cmocka_unit_test(test_module_above_limit_moves),
		cmocka_unit_test(test_limit_32),
		cmocka_unit_test(test_first_fit_from_top_skips_small_region),
		cmocka_unit_test(test_unaligned_edges),
		cmocka_unit_test(test_zero_length_modules),
		cmocka_unit_test(test_overlapping_map),
		cmocka_unit_test(test_segment_errors),
		cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_no_map_no_room),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_random_vs_reference),
	};

	return cmocka_run_group_tests_name("guest_layout", tests, NULL, NULL);
}
