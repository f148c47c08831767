/* Unit tests for what the guest is told (boot/guest_info.c): the guest
 * memory view (hidden ranges punched out, sorting, overlaps, merging, cap),
 * mem_lower/mem_upper, the Multiboot2 info (parsed back with Nestor's own
 * mb2_parse and walked raw) and the Multiboot1 info (read back field by
 * field through its 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/guest_info.h"
#include "boot/multiboot2.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define AV(b, l) { .base = (b), .len = (l), .type = MEM_AVAILABLE }
#define RS(b, l) { .base = (b), .len = (l), .type = MEM_RESERVED }
#define TY(b, l, t) { .base = (b), .len = (l), .type = (t) }

static const struct mem_region bochs_map[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0x7ff0000 - 0x100000),
	TY(0x7ff0000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

/* Nestor's image, its pool, and an unaligned range (rounded outward). */
static const struct phys_range hidden[] = {
	{ 0x200000, 0x220000 },
	{ 0x4000000, 0x7000000 },
	{ 0x300100, 0x300f00 },
};

static const struct mem_region bochs_view[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0x100000),
	RS(0x200000, 0x20000),
	AV(0x220000, 0xe0000),
	RS(0x300000, 0x1000),
	AV(0x301000, 0x4000000 - 0x301000),
	RS(0x4000000, 0x3000000),
	AV(0x7000000, 0xff0000),
	TY(0x7ff0000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

static struct mem_region view[64];
static unsigned nview;

static void expect_view(const struct mem_region *want, unsigned n)
{
	assert_int_equal(nview, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(view[i].base, want[i].base);
		assert_int_equal(view[i].len, want[i].len);
		assert_int_equal(view[i].type, want[i].type);
	}
}

/* ---- memory view ----------------------------------------------------- */

static void test_view_bochs(void **state)
{
	(void)state;
	assert_int_equal(guest_memory_view(bochs_map, ARRAY_SIZE(bochs_map),
					   hidden, ARRAY_SIZE(hidden), view,
					   ARRAY_SIZE(view), &nview), 0);
	expect_view(bochs_view, ARRAY_SIZE(bochs_view));
}

static void test_view_cap(void **state)
{
	(void)state;
	/* exactly enough */
	assert_int_equal(guest_memory_view(bochs_map, ARRAY_SIZE(bochs_map),
					   hidden, ARRAY_SIZE(hidden), view,
					   ARRAY_SIZE(bochs_view), &nview), 0);
	expect_view(bochs_view, ARRAY_SIZE(bochs_view));
	/* one short; nothing is written past cap */
	memset(view, 0xee, sizeof(view));
	assert_int_equal(guest_memory_view(bochs_map, ARRAY_SIZE(bochs_map),
					   hidden, ARRAY_SIZE(hidden), view,
					   ARRAY_SIZE(bochs_view) - 1, &nview), -1);
	assert_int_equal(view[ARRAY_SIZE(bochs_view) - 1].base, 0xeeeeeeeeeeeeeeeeull);
	assert_int_equal(guest_memory_view(bochs_map, 1, NULL, 0, view, 0, &nview), -1);
	/* an empty map fits anywhere */
	assert_int_equal(guest_memory_view(bochs_map, 0, hidden, 1, NULL, 0, &nview), 0);
	assert_int_equal(nview, 0);
}

static void test_view_sorts_merges_and_overlaps(void **state)
{
	static const struct mem_region map[] = {
		AV(0x300000, 0x100000),
		AV(0x100000, 0x100000),
		AV(0x200000, 0x100000),		/* joins its neighbours */
		AV(0x180000, 0x10000),		/* duplicate inside */
		TY(0x250000, 0x10000, MEM_ACPI_NVS), /* inside: wins */
		TY(0x258000, 0x10000, MEM_BAD),	/* overlaps the NVS: higher wins */
		RS(0x3f0000, 0x20000),		/* overlaps the end */
		AV(0x500000, 0),		/* empty: ignored */
		TY(0x600000, 0x1000, 7),	/* unknown type */
		TY(0x601000, 0x1000, 0),	/* type 0 */
	};
	static const struct mem_region want[] = {
		AV(0x100000, 0x150000),
		TY(0x250000, 0x8000, MEM_ACPI_NVS),
		TY(0x258000, 0x10000, MEM_BAD),
		AV(0x268000, 0x3f0000 - 0x268000),
		RS(0x3f0000, 0x20000),
		RS(0x600000, 0x2000),
	};

	(void)state;
	assert_int_equal(guest_memory_view(map, ARRAY_SIZE(map), NULL, 0, view,
					   ARRAY_SIZE(view), &nview), 0);
	expect_view(want, ARRAY_SIZE(want));
}

static void test_view_hidden_edge_cases(void **state)
{
	static const struct mem_region map[] = {
		AV(0x100000, 0x100000),
		RS(0x200000, 0x1000),
		TY(0x300000, 0x10000, MEM_ACPI_RECLAIMABLE),
	};
	static const struct phys_range h[] = {
		{ 0x1ff001, 0x1ff002 },		/* touches the reserved entry */
		{ 0x280000, 0x290000 },		/* in a hole */
		{ 0x308000, 0x318000 },		/* over ACPI and past it */
		{ 0x100000, 0x100000 },		/* empty */
	};
	static const struct mem_region want[] = {
		AV(0x100000, 0xff000),
		RS(0x1ff000, 0x2000),
		TY(0x300000, 0x10000, MEM_ACPI_RECLAIMABLE),
	};

	(void)state;
	assert_int_equal(guest_memory_view(map, ARRAY_SIZE(map), h, ARRAY_SIZE(h),
					   view, ARRAY_SIZE(view), &nview), 0);
	expect_view(want, ARRAY_SIZE(want));
}

static void test_view_extremes(void **state)
{
	static const struct mem_region map[] = {
		AV(0xfffffffffffff000ull, 0x2000),	/* wraps: clipped */
		AV(0, 0x1000),
	};
	static const struct phys_range h[] = {
		{ 0xfffffffffffff800ull, UINT64_MAX },
	};
	static const struct mem_region want[] = {
		AV(0, 0x1000),
		RS(0xfffffffffffff000ull, 0xfff),
	};

	(void)state;
	assert_int_equal(guest_memory_view(map, 2, h, 1, view, ARRAY_SIZE(view),
					   &nview), 0);
	expect_view(want, ARRAY_SIZE(want));
	assert_int_equal(guest_memory_view(NULL, 1, NULL, 0, view, 4, &nview), -1);
	assert_int_equal(guest_memory_view(map, 2, NULL, 1, view, 4, &nview), -1);
	assert_int_equal(guest_memory_view(map, 2, NULL, 0, NULL, 4, &nview), -1);
	assert_int_equal(guest_memory_view(map, 2, NULL, 0, view, 4, NULL), -1);
}

/* The view's own output is already a fixed point. */
static void test_view_idempotent(void **state)
{
	(void)state;
	assert_int_equal(guest_memory_view(bochs_view, ARRAY_SIZE(bochs_view),
					   NULL, 0, view, ARRAY_SIZE(view), &nview), 0);
	expect_view(bochs_view, ARRAY_SIZE(bochs_view));
}

/* ---- basic meminfo --------------------------------------------------- */

static void meminfo(const struct mem_region *m, unsigned n, uint32_t lo,
		    uint32_t up)
{
	uint32_t l = 0xdead, u = 0xbeef;

	guest_basic_meminfo(m, n, &l, &u);
	assert_int_equal(l, lo);
	assert_int_equal(u, up);
}

static void test_basic_meminfo(void **state)
{
	static const struct mem_region qemu[] = {
		AV(0, 0x9fc00), RS(0x9fc00, 0x400),
		AV(0x100000, 0x7fe0000 - 0x100000),
	};
	static const struct mem_region full_low[] = { AV(0, 0x200000) };
	static const struct mem_region split[] = {
		AV(0x180000, 0x80000), AV(0x100000, 0x80000), /* joined */
		AV(0x200000, 0x100000),
		RS(0x280000, 0x1000),	/* cuts the run */
		AV(0, 0x1000),
	};
	static const struct mem_region huge[] = { AV(0x100000, 1ULL << 63) };
	static const struct mem_region no_low[] = { AV(0x1000, 0x9e000) };
	static const struct mem_region reserved_at_1m[] = {
		AV(0, 0xa0000), AV(0x100000, 0x100000), RS(0x100000, 0x1000),
	};

	(void)state;
	meminfo(bochs_map, ARRAY_SIZE(bochs_map), 636, (0x7ff0000 - 0x100000) / 1024);
	meminfo(bochs_view, ARRAY_SIZE(bochs_view), 636, 1024);
	meminfo(qemu, ARRAY_SIZE(qemu), 639, (0x7fe0000 - 0x100000) / 1024);
	meminfo(full_low, 1, 640, 1024);
	meminfo(split, ARRAY_SIZE(split), 4, 0x180000 / 1024);
	meminfo(huge, 1, 0, UINT32_MAX);
	meminfo(no_low, 1, 0, 0);
	meminfo(reserved_at_1m, ARRAY_SIZE(reserved_at_1m), 640, 0);
	meminfo(NULL, 3, 0, 0);
	meminfo(bochs_map, 0, 0, 0);
	guest_basic_meminfo(bochs_map, 1, NULL, NULL);	/* no crash */
}

/* ---- boot descriptions ----------------------------------------------- */

static uint8_t rsdp1[20], rsdp2[36];

static void fill_rsdp(void)
{
	uint64_t xsdt = 0x7ffe1100;
	uint32_t len = 36;
	uint8_t sum = 0;
	int i;

	memset(rsdp2, 0, sizeof(rsdp2));
	memcpy(rsdp2, "RSD PTR ", 8);
	memcpy(rsdp2 + 9, "NESTOR", 6);
	rsdp2[16] = 0x00; rsdp2[17] = 0x10; rsdp2[18] = 0xfe; rsdp2[19] = 0x7f;
	memcpy(rsdp1, rsdp2, 20);
	for (i = 0; i < 20; i++)
		sum += rsdp1[i];
	rsdp1[8] = (uint8_t)-sum;
	rsdp2[15] = 2;
	sum = 0;
	for (i = 0; i < 20; i++)
		sum += rsdp2[i];
	rsdp2[8] = (uint8_t)-sum;
	memcpy(rsdp2 + 20, &len, 4);
	memcpy(rsdp2 + 24, &xsdt, 8);
	sum = 0;
	for (i = 0; i < 36; i++)
		sum += rsdp2[i];
	rsdp2[32] = (uint8_t)-sum;
}

static const struct guest_module_desc mods[] = {
	{ 0x300000, 0x3a0123, "initrd root=/dev/ram0" },
	{ 0x7fe0000, 0x7fe0000, NULL },		/* empty, no string */
	{ 0xfffff000, 0xffffffff, "last" },
};

static struct guest_boot_desc full_desc(void)
{
	fill_rsdp();
	return (struct guest_boot_desc){
		.cmdline = "console=ttyS0 quiet",
		.loader_name = "Nestor",
		.mods = mods, .nmods = ARRAY_SIZE(mods),
		.map = bochs_view, .nmap = ARRAY_SIZE(bochs_view),
		.mem_lower_kb = 636, .mem_upper_kb = 1024,
		.rsdp = rsdp2, .rsdp_len = 36, .rsdp_version = 2,
	};
}

/* ---- multiboot2 ------------------------------------------------------ */

static _Alignas(8) uint8_t buf[8192];
static struct mb2_info mi;

/* Walks the tags raw: records their types, checks 8-byte alignment and
 * zero padding. Returns the tag count. */
static unsigned walk_mb2(const uint8_t *b, uint32_t *types, unsigned max)
{
	uint32_t total = rd32(b), off = 8;
	unsigned n = 0;

	assert_int_equal(total % 8, 0);
	assert_int_equal(rd32(b + 4), 0);
	while (off < total) {
		uint32_t type = rd32(b + off), size = rd32(b + off + 4);

		assert_true(n < max);
		types[n++] = type;
		assert_true(size >= 8 && off + size <= total);
		for (uint32_t i = off + size; i < ALIGN_UP(off + size, 8); i++)
			assert_int_equal(b[i], 0);
		off = ALIGN_UP(off + size, 8);
		if (type == 0)
			break;
	}
	assert_int_equal(off, total);
	return n;
}

static void test_mb2_full(void **state)
{
	struct guest_boot_desc d = full_desc();
	struct mb2_error e;
	uint32_t types[32];
	const uint32_t want_types[] = { 1, 2, 3, 3, 3, 4, 6, 14, 15, 0 };
	size_t size = mb2_info_size(&d);
	unsigned n;

	(void)state;
	/* 8 + cmdline 28->32 + name 15->16 + modules 38->40, 17->24, 21->24
	 * + meminfo 16 + mmap 16 + 12 * 24 + acpi 28->32, 44->48 + end 8 */
	assert_int_equal(size, 8 + 32 + 16 + 40 + 24 + 24 + 16 + 304 + 32 + 48 + 8);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(mb2_info_build(buf, size, &d), 0);
	assert_int_equal(rd32(buf), size);
	assert_int_equal(buf[size], 0xaa);	/* nothing past the end */
	n = walk_mb2(buf, types, ARRAY_SIZE(types));
	assert_int_equal(n, ARRAY_SIZE(want_types));
	assert_memory_equal(types, want_types, sizeof(want_types));

	assert_int_equal(mb2_parse(buf, size, &mi, &e), 0);
	assert_int_equal(mi.warning_count, 0);
	assert_int_equal(mi.total_size, size);
	assert_string_equal(mi.cmdline, "console=ttyS0 quiet");
	assert_string_equal(mi.loader_name, "Nestor");
	assert_int_equal(mi.module_count, 3);
	assert_int_equal(mi.modules[0].start, 0x300000);
	assert_int_equal(mi.modules[0].end, 0x3a0123);
	assert_string_equal(mi.modules[0].cmdline, "initrd root=/dev/ram0");
	assert_int_equal(mi.modules[1].start, 0x7fe0000);
	assert_int_equal(mi.modules[1].end, 0x7fe0000);
	assert_string_equal(mi.modules[1].cmdline, "");
	assert_int_equal(mi.modules[2].start, 0xfffff000);
	assert_int_equal(mi.modules[2].end, 0xffffffff);
	assert_string_equal(mi.modules[2].cmdline, "last");
	assert_true(mi.have_basic_meminfo);
	assert_int_equal(mi.mem_lower_kb, 636);
	assert_int_equal(mi.mem_upper_kb, 1024);
	assert_true(mi.have_mmap);
	assert_int_equal(mi.mmap_count, ARRAY_SIZE(bochs_view));
	for (unsigned i = 0; i < ARRAY_SIZE(bochs_view); i++) {
		assert_int_equal(mi.mmap[i].base, bochs_view[i].base);
		assert_int_equal(mi.mmap[i].len, bochs_view[i].len);
		assert_int_equal(mi.mmap[i].type, bochs_view[i].type);
	}
	assert_int_equal(mi.rsdp_version, 2);
	assert_int_equal(mi.rsdp_len, 36);
	assert_memory_equal(mi.rsdp, rsdp2, 36);
	assert_false(mi.have_fb);
	assert_false(mi.have_efi_mmap);
}

/* The mmap tag's header: entry_size 24, entry_version 0 (spec 3.6.8), and
 * each entry's reserved word 0. */
static void test_mb2_mmap_raw(void **state)
{
	struct guest_boot_desc d = full_desc();
	uint32_t off = 8;

	(void)state;
	d.nmods = 0;
	d.loader_name = NULL;
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), 0);
	while (rd32(buf + off) != 6)
		off = ALIGN_UP(off + rd32(buf + off + 4), 8);
	assert_int_equal(rd32(buf + off + 4), 16 + 24 * ARRAY_SIZE(bochs_view));
	assert_int_equal(rd32(buf + off + 8), 24);
	assert_int_equal(rd32(buf + off + 12), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(bochs_view); i++) {
		const uint8_t *e = buf + off + 16 + 24 * i;

		assert_int_equal(rd64(e), bochs_view[i].base);
		assert_int_equal(rd64(e + 8), bochs_view[i].len);
		assert_int_equal(rd32(e + 16), bochs_view[i].type);
		assert_int_equal(rd32(e + 20), 0);
	}
}

static void test_mb2_minimal_and_rsdp_v1(void **state)
{
	struct guest_boot_desc d = { 0 };
	struct mb2_error e;
	uint32_t types[8];
	const uint32_t want_min[] = { 1, 4, 0 };
	const uint32_t want_v1[] = { 1, 4, 14, 0 };

	(void)state;
	assert_int_equal(mb2_info_size(&d), 8 + 16 + 16 + 8);
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), 0);
	assert_int_equal(walk_mb2(buf, types, 8), 3);
	assert_memory_equal(types, want_min, sizeof(want_min));
	assert_int_equal(mb2_parse(buf, sizeof(buf), &mi, &e), 0);
	assert_string_equal(mi.cmdline, "");
	assert_null(mi.loader_name);
	assert_int_equal(mi.module_count, 0);
	assert_false(mi.have_mmap);
	assert_null(mi.rsdp);

	fill_rsdp();
	d.rsdp = rsdp1;
	d.rsdp_len = 24;	/* only the first 20 bytes are copied */
	d.rsdp_version = 1;
	assert_int_equal(mb2_info_size(&d), 8 + 16 + 16 + 32 + 8);
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), 0);
	assert_int_equal(walk_mb2(buf, types, 8), 4);
	assert_memory_equal(types, want_v1, sizeof(want_v1));
	assert_int_equal(mb2_parse(buf, sizeof(buf), &mi, &e), 0);
	assert_int_equal(mi.warning_count, 0);
	assert_int_equal(mi.rsdp_version, 1);
	assert_int_equal(mi.rsdp_len, 20);
	assert_memory_equal(mi.rsdp, rsdp1, 20);
}

static void test_mb2_errors(void **state)
{
	struct guest_boot_desc d = full_desc();
	struct guest_module_desc bad_mod[1] = { { 0x1000, 0x100000000ull, "x" } };
	size_t size = mb2_info_size(&d);
	uint8_t *exact = malloc(size);

	(void)state;
	/* a buffer one byte short: refused, nothing written (ASan) */
	assert_non_null(exact);
	assert_int_equal(mb2_info_build(exact, size - 1, &d), -1);
	assert_int_equal(mb2_info_build(exact, size, &d), 0);
	free(exact);
	assert_int_equal(mb2_info_build(NULL, sizeof(buf), &d), -1);
	assert_int_equal(mb2_info_build(buf, sizeof(buf), NULL), -1);
	assert_int_equal(mb2_info_size(NULL), 0);

	d.mods = bad_mod;
	d.nmods = 1;
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);
	bad_mod[0] = (struct guest_module_desc){ 0x2000, 0x1000, NULL };
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);
	d.mods = NULL;
	assert_int_equal(mb2_info_size(&d), 0);
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);

	d = full_desc();
	d.map = NULL;
	assert_int_equal(mb2_info_size(&d), 0);
	d = full_desc();
	d.rsdp_version = 3;
	assert_int_equal(mb2_info_size(&d), 0);
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);
	d.rsdp_version = 2;
	d.rsdp_len = 35;
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);
	d.rsdp_version = 1;
	d.rsdp_len = 19;
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), -1);
	d.rsdp_len = 20;
	assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), 0);
}

/* ---- multiboot1 ------------------------------------------------------ */

#define MB1_GPA 0x9000ull

/* The byte at guest address a in buf (built at MB1_GPA), bounds-checked. */
static const uint8_t *at(uint32_t a, size_t size, size_t len)
{
	assert_true(a >= MB1_GPA && a - MB1_GPA + len <= size);
	return buf + (a - MB1_GPA);
}

static const char *str_at(uint32_t a, size_t size)
{
	const char *s = (const char *)at(a, size, 1);

	assert_true(strnlen(s, size - (a - MB1_GPA)) < size - (a - MB1_GPA));
	return s;
}

static void test_mb1_full(void **state)
{
	struct guest_boot_desc d = full_desc();
	size_t size = mb1_info_size(&d);
	const uint8_t *m;
	uint32_t mmap_addr, mmap_len, p;
	unsigned i;

	(void)state;
	/* 120 + 3 * 16 + 12 * 24 + strings 20 + 7 + 22 + 1 + 5 */
	assert_int_equal(size, 120 + 48 + 288 + 20 + 7 + 22 + 1 + 5);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(mb1_info_build(buf, size, MB1_GPA, &d), 0);
	assert_int_equal(buf[size], 0xaa);
	/* Multiboot 0.6.96 3.3 flags: 0 mem, 2 cmdline, 3 mods, 6 mmap,
	 * 9 boot_loader_name */
	assert_int_equal(rd32(buf), 0x24d);
	assert_int_equal(rd32(buf + 4), 636);
	assert_int_equal(rd32(buf + 8), 1024);
	assert_int_equal(rd32(buf + 12), 0);	/* boot_device: not given */
	assert_string_equal(str_at(rd32(buf + 16), size), "console=ttyS0 quiet");
	assert_int_equal(rd32(buf + 20), 3);
	m = at(rd32(buf + 24), size, 3 * 16);
	assert_int_equal(rd32(buf + 24) % 8, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rd32(m + 16 * i), mods[i].start);
		assert_int_equal(rd32(m + 16 * i + 4), mods[i].end);
		assert_string_equal(str_at(rd32(m + 16 * i + 8), size),
				    mods[i].cmdline ? mods[i].cmdline : "");
		assert_int_equal(rd32(m + 16 * i + 12), 0);
	}
	for (i = 28; i < 44; i++)	/* syms */
		assert_int_equal(buf[i], 0);
	mmap_len = rd32(buf + 44);
	mmap_addr = rd32(buf + 48);
	assert_int_equal(mmap_len, 24 * ARRAY_SIZE(bochs_view));
	/* walk it the way the spec's example kernel does */
	for (i = 0, p = mmap_addr; p < mmap_addr + mmap_len; i++) {
		const uint8_t *e = at(p, size, 24);

		assert_int_equal(rd32(e), 20);
		assert_int_equal(rd64(e + 4), bochs_view[i].base);
		assert_int_equal(rd64(e + 12), bochs_view[i].len);
		assert_int_equal(rd32(e + 20), bochs_view[i].type);
		p += rd32(e) + 4;
	}
	assert_int_equal(i, ARRAY_SIZE(bochs_view));
	for (i = 52; i < 64; i++)	/* drives, config_table */
		assert_int_equal(buf[i], 0);
	assert_string_equal(str_at(rd32(buf + 64), size), "Nestor");
	for (i = 68; i < 120; i++)	/* apm, vbe, framebuffer, padding */
		assert_int_equal(buf[i], 0);
}

static void test_mb1_minimal(void **state)
{
	struct guest_boot_desc d = { .mem_lower_kb = 639, .mem_upper_kb = 7 };
	size_t size = mb1_info_size(&d);

	(void)state;
	assert_int_equal(size, 121);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(mb1_info_build(buf, size, MB1_GPA, &d), 0);
	assert_int_equal(rd32(buf), 0x0d);
	assert_int_equal(rd32(buf + 4), 639);
	assert_int_equal(rd32(buf + 8), 7);
	assert_string_equal(str_at(rd32(buf + 16), size), "");
	assert_int_equal(rd32(buf + 20), 0);
	assert_int_equal(rd32(buf + 24), MB1_GPA + 120);
	assert_int_equal(rd32(buf + 44), 0);
	assert_int_equal(rd32(buf + 48), 0);
	assert_int_equal(rd32(buf + 64), 0);
	assert_int_equal(buf[size], 0xaa);
}

static void test_mb1_errors(void **state)
{
	struct guest_boot_desc d = full_desc();
	struct guest_module_desc bad_mod[1] = { { 0x1000, 0x100000000ull, "x" } };
	size_t size = mb1_info_size(&d);

	(void)state;
	assert_int_equal(mb1_info_build(buf, size - 1, MB1_GPA, &d), -1);
	/* the last byte at 2^32 - 1 is fine, one more is not */
	assert_int_equal(mb1_info_build(buf, size, (1ULL << 32) - size, &d), 0);
	assert_int_equal(rd32(buf + 24), (uint32_t)((1ULL << 32) - size + 120));
	assert_int_equal(mb1_info_build(buf, size, (1ULL << 32) - size + 1, &d), -1);
	assert_int_equal(mb1_info_build(buf, size, 1ULL << 32, &d), -1);
	assert_int_equal(mb1_info_build(buf, size, UINT64_MAX, &d), -1);
	assert_int_equal(mb1_info_build(NULL, size, MB1_GPA, &d), -1);
	assert_int_equal(mb1_info_build(buf, size, MB1_GPA, NULL), -1);
	assert_int_equal(mb1_info_size(NULL), 0);
	d.mods = bad_mod;
	d.nmods = 1;
	assert_int_equal(mb1_info_build(buf, sizeof(buf), MB1_GPA, &d), -1);
	d.nmods = 0;
	d.rsdp_version = 0;
	assert_int_equal(mb1_info_size(&d), 0);
	assert_int_equal(mb1_info_build(buf, sizeof(buf), MB1_GPA, &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_bochs),
		cmocka_unit_test(test_view_cap),
		cmocka_unit_test(test_view_sorts_merges_and_overlaps),
		cmocka_unit_test(test_view_hidden_edge_cases),
		cmocka_unit_test(test_view_extremes),
		cmocka_unit_test(test_view_idempotent),
		cmocka_unit_test(test_basic_meminfo),
		cmocka_unit_test(test_mb2_full),
		cmocka_unit_test(test_mb2_mmap_raw),
		cmocka_unit_test(test_mb2_minimal_and_rsdp_v1),
		cmocka_unit_test(test_mb2_errors),
		cmocka_unit_test(test_mb1_full),
		cmocka_unit_test(test_mb1_minimal),
		cmocka_unit_test(test_mb1_errors),
	};

	return cmocka_run_group_tests_name("guest_info", tests, NULL, NULL);
}
