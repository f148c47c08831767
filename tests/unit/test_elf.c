/* Unit tests for the guest ELF parser and loader (boot/elf.c): builds ELF32
 * and ELF64 images by hand, checks a valid one field by field, then every
 * malformed variant the parser must reject, then loading through a fake
 * guest memory, then Nestor's own build/nestor.elf if it has been built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/elf.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

/* ---- image builder --------------------------------------------------- */

#define IMG_CAP 0x4000
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_GNU_STACK 0x6474e551u
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct img {
	uint8_t data[IMG_CAP];
	size_t len;
	bool is64;
	uint64_t phoff;
};

static struct img im;
static struct elf_image out;
static const char *err;

static void w16(size_t off, uint16_t v) { wr16(im.data + off, v); }
static void w32(size_t off, uint32_t v) { wr32(im.data + off, v); }
static void w64(size_t off, uint64_t v) { wr64(im.data + off, v); }

static size_t phsize(void) { return im.is64 ? 56 : 32; }

/* Offsets of e_phoff, e_phentsize, e_phnum in the two header layouts. */
static size_t off_phentsize(void) { return im.is64 ? 54 : 42; }
static size_t off_phnum(void) { return im.is64 ? 56 : 44; }

static void put_ph(unsigned i, const struct ph *p)
{
	size_t o = im.phoff + i * phsize();

	w32(o, p->type);
	if (im.is64) {
		w32(o + 4, p->flags);
		w64(o + 8, p->offset);
		w64(o + 16, p->vaddr);
		w64(o + 24, p->paddr);
		w64(o + 32, p->filesz);
		w64(o + 40, p->memsz);
		w64(o + 48, 0x1000);
	} else {
		w32(o + 4, (uint32_t)p->offset);
		w32(o + 8, (uint32_t)p->vaddr);
		w32(o + 12, (uint32_t)p->paddr);
		w32(o + 16, (uint32_t)p->filesz);
		w32(o + 20, (uint32_t)p->memsz);
		w32(o + 24, p->flags);
		w32(o + 28, 0x1000);
	}
}

/* A little-endian ET_EXEC image of IMG_CAP bytes whose program headers
 * follow the ELF header; file bytes are a pattern of their offset. */
static void build(bool is64, uint64_t entry, const struct ph *ph, unsigned n)
{
	size_t i;

	memset(&im, 0, sizeof(im));
	im.is64 = is64;
	im.len = IMG_CAP;
	for (i = 0; i < IMG_CAP; i++)
		im.data[i] = (uint8_t)(i * 7 + 3);
	memset(im.data, 0, is64 ? 64 : 52);
	memcpy(im.data, "\177ELF", 4);
	im.data[4] = is64 ? 2 : 1;
	im.data[5] = 1;
	im.data[6] = 1;
	w16(16, 2);			/* ET_EXEC */
	w16(18, is64 ? 62 : 3);		/* EM_X86_64 / EM_386 */
	w32(20, 1);
	im.phoff = is64 ? 64 : 52;
	if (is64) {
		w64(24, entry);
		w64(32, im.phoff);
		w16(52, 64);
	} else {
		w32(24, (uint32_t)entry);
		w32(28, (uint32_t)im.phoff);
		w16(40, 52);
	}
	w16(off_phentsize(), (uint16_t)phsize());
	w16(off_phnum(), (uint16_t)n);
	for (i = 0; i < n; i++)
		put_ph((unsigned)i, &ph[i]);
}

static int parse(void)
{
	err = NULL;
	return elf_parse(im.data, im.len, &out, &err);
}

static void expect_error(const char *msg)
{
	static const struct elf_image zero;

	assert_int_equal(parse(), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
	assert_memory_equal(&out, &zero, sizeof(zero));
}

/* A typical 64-bit higher-half kernel: text RX, rodata R, data+bss RW,
 * plus headers that must be ignored. */
static const struct ph k64[] = {
	{ PT_LOAD, PF_R | PF_X, 0x1000, 0xffffffff80100000ull, 0x100000, 0x1000, 0x1000 },
	{ PT_NOTE, PF_R, 0x1800, 0, 0, 0x20, 0x20 },
	{ PT_LOAD, PF_R, 0x2000, 0xffffffff80101000ull, 0x101000, 0x800, 0x800 },
	{ PT_LOAD, PF_R | PF_W, 0x3000, 0xffffffff80102000ull, 0x102000, 0x100, 0x5000 },
	{ PT_LOAD, PF_R, 0x3800, 0x500000, 0x500000, 0, 0 }, /* empty */
	{ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0 },
};
#define K64_ENTRY 0xffffffff80100024ull

static const struct ph k32[] = {
	{ PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1800, 0x1800 },
	{ PT_LOAD, PF_R | PF_W, 0x3000, 0x102000, 0x102000, 0x200, 0x1000 },
};

static void build64(void) { build(true, K64_ENTRY, k64, ARRAY_SIZE(k64)); }
static void build32(void) { build(false, 0x100010, k32, ARRAY_SIZE(k32)); }

/* ---- valid images ---------------------------------------------------- */

static void test_valid_elf64(void **state)
{
	(void)state;
	build64();
	assert_int_equal(parse(), 0);
	assert_null(err);
	assert_true(out.is64);
	assert_int_equal(out.entry, K64_ENTRY);
	assert_int_equal(out.entry_paddr, 0x100024);
	assert_int_equal(out.nseg, 3);
	assert_int_equal(out.seg[0].paddr, 0x100000);
	assert_int_equal(out.seg[0].vaddr, 0xffffffff80100000ull);
	assert_int_equal(out.seg[0].filesz, 0x1000);
	assert_int_equal(out.seg[0].memsz, 0x1000);
	assert_int_equal(out.seg[0].offset, 0x1000);
	assert_int_equal(out.seg[0].flags, PF_R | PF_X);
	assert_int_equal(out.seg[1].paddr, 0x101000);
	assert_int_equal(out.seg[1].offset, 0x2000);
	assert_int_equal(out.seg[1].flags, PF_R);
	assert_int_equal(out.seg[2].paddr, 0x102000);
	assert_int_equal(out.seg[2].filesz, 0x100);
	assert_int_equal(out.seg[2].memsz, 0x5000);
	assert_int_equal(out.seg[2].flags, PF_R | PF_W);
}

static void test_valid_elf32(void **state)
{
	(void)state;
	build32();
	assert_int_equal(parse(), 0);
	assert_false(out.is64);
	assert_int_equal(out.entry, 0x100010);
	assert_int_equal(out.entry_paddr, 0x100010);
	assert_int_equal(out.nseg, 2);
	assert_int_equal(out.seg[0].paddr, 0x100000);
	assert_int_equal(out.seg[0].filesz, 0x1800);
	assert_int_equal(out.seg[1].paddr, 0x102000);
	assert_int_equal(out.seg[1].filesz, 0x200);
	assert_int_equal(out.seg[1].memsz, 0x1000);
	assert_int_equal(out.seg[1].offset, 0x3000);
	assert_int_equal(out.seg[1].flags, PF_R | PF_W);
}

static void test_err_may_be_null(void **state)
{
	(void)state;
	build64();
	assert_int_equal(elf_parse(im.data, im.len, &out, NULL), 0);
	im.data[0] = 0;
	assert_int_equal(elf_parse(im.data, im.len, &out, NULL), -1);
	assert_int_equal(elf_parse(im.data, im.len, NULL, &err), -1);
	assert_non_null(err);
	assert_int_equal(elf_parse(NULL, 100, &out, &err), -1);
	assert_non_null(err);
}

/* Boundaries that must be accepted. */
static void test_boundaries_accepted(void **state)
{
	struct ph p[3] = {
		/* file bytes end exactly at the end of the image */
		{ PT_LOAD, PF_X, IMG_CAP - 0x100, 0x1000, 0x1000, 0x100, 0x100 },
		/* physically adjacent to the first: not an overlap */
		{ PT_LOAD, PF_R, 0, 0x1100, 0x1100, 0, 0x100 },
		/* ends exactly at 2^52 */
		{ PT_LOAD, PF_R, 0, 0x9000, ELF_PHYS_LIMIT - 0x1000, 0, 0x1000 },
	};

	(void)state;
	/* entry at the last byte of the executable segment */
	build(true, 0x10ff, p, 3);
	assert_int_equal(parse(), 0);
	assert_int_equal(out.nseg, 3);
	assert_int_equal(out.entry_paddr, 0x10ff);
	/* the same first two segments as ELF32 */
	build(false, 0x1000, p, 2);
	assert_int_equal(parse(), 0);
}

static void test_sixteen_segments_ok_seventeen_not(void **state)
{
	struct ph p[17];
	unsigned i;

	(void)state;
	for (i = 0; i < 17; i++)
		p[i] = (struct ph){ PT_LOAD, PF_R | PF_X, 0x1000, 0x100000 + i * 0x1000,
				    0x100000 + i * 0x1000, 0x10, 0x1000 };
	build(true, 0x100000, p, 16);
	assert_int_equal(parse(), 0);
	assert_int_equal(out.nseg, 16);
	assert_int_equal(out.seg[15].paddr, 0x10f000);
	build(true, 0x100000, p, 17);
	expect_error("ELF has more than 16 loadable segments");
	/* empty PT_LOADs do not count */
	p[16].memsz = 0;
	p[16].filesz = 0;
	build(true, 0x100000, p, 17);
	assert_int_equal(parse(), 0);
	assert_int_equal(out.nseg, 16);
}

/* ---- malformed headers ----------------------------------------------- */

static void test_too_short(void **state)
{
	(void)state;
	build64();
	im.len = 15;
	expect_error("image is smaller than an ELF identification (16 bytes)");
	im.len = 63;
	expect_error("image is smaller than its ELF header");
	build32();
	im.len = 51;
	expect_error("image is smaller than its ELF header");
	im.len = 0;
	expect_error("image is smaller than an ELF identification (16 bytes)");
}

static void test_bad_ident(void **state)
{
	(void)state;
	build64();
	im.data[1] = 'e';
	expect_error("not an ELF file (bad magic)");
	build64();
	im.data[4] = 0;
	expect_error("ELF class is neither ELF32 nor ELF64");
	im.data[4] = 3;
	expect_error("ELF class is neither ELF32 nor ELF64");
	build64();
	im.data[5] = 2;
	expect_error("ELF data encoding is not little-endian");
	build64();
	im.data[6] = 0;
	expect_error("ELF identification version (EI_VERSION) is not 1");
}

static void test_bad_header_fields(void **state)
{
	(void)state;
	build64();
	w32(20, 2);
	expect_error("ELF header e_version is not 1");
	build64();
	w16(18, 3);
	expect_error("ELF64 image is not for x86-64 (e_machine is not EM_X86_64)");
	build32();
	w16(18, 62);
	expect_error("ELF32 image is not for i386 (e_machine is not EM_386)");
	build64();
	w16(16, 3);	/* ET_DYN */
	expect_error("ELF type is not ET_EXEC (a static executable)");
	build32();
	w16(16, 1);	/* ET_REL */
	expect_error("ELF type is not ET_EXEC (a static executable)");
}

static void test_bad_program_header_table(void **state)
{
	(void)state;
	build64();
	w16(off_phnum(), 0);
	expect_error("ELF has no program headers");
	build64();
	w16(off_phnum(), 0xffff);
	expect_error("ELF uses extended program header numbering (PN_XNUM); not supported");
	build64();
	w16(off_phentsize(), 32);
	expect_error("ELF e_phentsize does not match the class's program header size");
	build32();
	w16(off_phentsize(), 56);
	expect_error("ELF e_phentsize does not match the class's program header size");
	/* table ends one byte past the image */
	build64();
	w64(32, IMG_CAP - ARRAY_SIZE(k64) * 56 + 1);
	expect_error("ELF program header table lies outside the image");
	/* phoff past the end, and phoff that would wrap */
	build64();
	w64(32, IMG_CAP + 8);
	expect_error("ELF program header table lies outside the image");
	build64();
	w64(32, UINT64_MAX - 8);
	expect_error("ELF program header table lies outside the image");
	build32();
	w32(28, 0xffffffffu);
	expect_error("ELF program header table lies outside the image");
	/* table exactly at the end is fine */
	build64();
	memmove(im.data + IMG_CAP - ARRAY_SIZE(k64) * 56, im.data + 64,
		ARRAY_SIZE(k64) * 56);
	w64(32, IMG_CAP - ARRAY_SIZE(k64) * 56);
	assert_int_equal(parse(), 0);
	assert_int_equal(out.nseg, 3);
}

/* ---- malformed segments ---------------------------------------------- */

static void test_dynamic_rejected(void **state)
{
	struct ph p[2] = { k32[0], { PT_INTERP, PF_R, 0x100, 0, 0, 0x10, 0x10 } };

	(void)state;
	build(false, 0x100010, p, 2);
	expect_error("dynamic executables are not supported (PT_INTERP or PT_DYNAMIC present)");
	p[1].type = PT_DYNAMIC;
	build(true, 0x100010, p, 2);
	expect_error("dynamic executables are not supported (PT_INTERP or PT_DYNAMIC present)");
}

static void test_filesz_above_memsz(void **state)
{
	struct ph p = { PT_LOAD, PF_X, 0x1000, 0x100000, 0x100000, 0x101, 0x100 };

	(void)state;
	build(true, 0x100000, &p, 1);
	expect_error("ELF segment's p_filesz is larger than its p_memsz");
	/* also for a zero-memsz segment */
	p.memsz = 0;
	p.filesz = 1;
	build(false, 0x100000, &p, 1);
	expect_error("ELF segment's p_filesz is larger than its p_memsz");
}

static void test_file_bytes_outside(void **state)
{
	struct ph p = { PT_LOAD, PF_X, IMG_CAP - 0x100, 0x100000, 0x100000, 0x101, 0x1000 };

	(void)state;
	build(true, 0x100000, &p, 1);
	expect_error("ELF segment's file bytes (p_offset + p_filesz) lie outside the image");
	p.offset = UINT64_MAX - 0x10;	/* offset + filesz wraps */
	build(true, 0x100000, &p, 1);
	expect_error("ELF segment's file bytes (p_offset + p_filesz) lie outside the image");
	p.offset = IMG_CAP + 1;
	p.filesz = 0;
	build(false, 0x100000, &p, 1);
	expect_error("ELF segment's file bytes (p_offset + p_filesz) lie outside the image");
}

static void test_paddr_range(void **state)
{
	struct ph p[2] = {
		k64[0],
		{ PT_LOAD, PF_R, 0, 0x9000, ELF_PHYS_LIMIT - 0x1000, 0, 0x1001 },
	};

	(void)state;
	build(true, K64_ENTRY, p, 2);
	expect_error("ELF segment's p_paddr + p_memsz is above 2^52");
	p[1].paddr = UINT64_MAX - 0x10;	/* wraps */
	p[1].memsz = 0x100;
	build(true, K64_ENTRY, p, 2);
	expect_error("ELF segment's p_paddr + p_memsz is above 2^52");
	p[1].paddr = ELF_PHYS_LIMIT;
	p[1].memsz = 1;
	build(true, K64_ENTRY, p, 2);
	expect_error("ELF segment's p_paddr + p_memsz is above 2^52");
}

static void test_physical_overlap(void **state)
{
	struct ph p[3] = {
		{ PT_LOAD, PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x2000 },
		{ PT_LOAD, PF_R, 0x1000, 0x200000, 0x300000, 0x100, 0x100 },
		/* one byte into the first */
		{ PT_LOAD, PF_R, 0x1000, 0x400000, 0x101fff, 0x100, 0x100 },
	};

	(void)state;
	build(true, 0x100000, p, 3);
	expect_error("two ELF PT_LOAD segments overlap in physical memory");
	/* the later one ending one byte into the earlier one */
	p[2].paddr = 0xfff01;
	p[2].memsz = 0x100;
	build(true, 0x100000, p, 3);
	expect_error("two ELF PT_LOAD segments overlap in physical memory");
	/* ... and ending right at its start: fine */
	p[2].paddr = 0xfff00;
	build(true, 0x100000, p, 3);
	assert_int_equal(parse(), 0);
	/* the later one containing the earlier one */
	p[2].paddr = 0xff000;
	p[2].memsz = 0x10000;
	build(false, 0x100000, p, 3);
	expect_error("two ELF PT_LOAD segments overlap in physical memory");
	/* virtual overlap alone is fine */
	p[2].paddr = 0x400000;
	p[2].vaddr = 0x100000;
	build(true, 0x100000, p, 3);
	assert_int_equal(parse(), 0);
}

static void test_no_loadable_segment(void **state)
{
	struct ph p[2] = {
		{ PT_NOTE, PF_R, 0x100, 0, 0, 0x10, 0x10 },
		{ PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0, 0 },
	};

	(void)state;
	build(true, 0x100000, p, 2);
	expect_error("ELF has no loadable segment (PT_LOAD with p_memsz > 0)");
	build(false, 0x100000, p, 1);
	expect_error("ELF has no loadable segment (PT_LOAD with p_memsz > 0)");
}

static void test_entry_checks(void **state)
{
	(void)state;
	/* one past the end of the text segment (vaddr + memsz) */
	build(true, 0xffffffff80101000ull, k64, ARRAY_SIZE(k64));
	expect_error("ELF entry point is not inside an executable PT_LOAD segment");
	/* inside a non-executable segment */
	build(true, 0xffffffff80101010ull, k64, ARRAY_SIZE(k64));
	expect_error("ELF entry point is not inside an executable PT_LOAD segment");
	/* below every segment */
	build(true, 0xffffffff800fffffull, k64, ARRAY_SIZE(k64));
	expect_error("ELF entry point is not inside an executable PT_LOAD segment");
	/* the physical address is not a substitute for the virtual one */
	build(true, 0x100024, k64, ARRAY_SIZE(k64));
	expect_error("ELF entry point is not inside an executable PT_LOAD segment");
	/* inside the bss part of an executable segment is still inside */
	build(false, 0x1017ff, k32, ARRAY_SIZE(k32));
	assert_int_equal(parse(), 0);
	assert_int_equal(out.entry_paddr, 0x1017ff);
}

/* Every truncation of a valid image is rejected without reading past it
 * (ASan checks the reads). */
static void test_every_truncation(void **state)
{
	uint8_t *copy;
	size_t n;

	(void)state;
	build64();
	/* the last file byte any segment needs is at 0x30ff */
	for (n = 0; n <= 0x3100; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, im.data, n);
		assert_int_equal(elf_parse(copy, n, &out, &err), n == 0x3100 ? 0 : -1);
		if (n < 0x3100)
			assert_non_null(err);
		free(copy);
	}
}

/* ---- loading --------------------------------------------------------- */

#define GUEST_BASE 0x100000ull
#define GUEST_SIZE 0x8000ull

struct guest {
	uint8_t mem[GUEST_SIZE];
	unsigned calls;
	uint64_t last_gpa, last_len;
};

static struct guest g;

static void *gpa_to_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *gm = ctx;

	gm->calls++;
	gm->last_gpa = gpa;
	gm->last_len = len;
	if (gpa < GUEST_BASE || len > GUEST_SIZE ||
	    gpa - GUEST_BASE > GUEST_SIZE - len)
		return NULL;
	return gm->mem + (gpa - GUEST_BASE);
}

static void test_load(void **state)
{
	size_t i;

	(void)state;
	build64();
	assert_int_equal(parse(), 0);
	memset(&g, 0xaa, sizeof(g.mem));
	g.calls = 0;
	err = "x";
	assert_int_equal(elf_load(&out, im.data, gpa_to_ptr, &g, &err), 0);
	assert_null(err);
	assert_int_equal(g.calls, 3);
	assert_memory_equal(g.mem, im.data + 0x1000, 0x1000);
	assert_memory_equal(g.mem + 0x1000, im.data + 0x2000, 0x800);
	/* the gap between segment 1's end and segment 2 is untouched */
	for (i = 0x1800; i < 0x2000; i++)
		assert_int_equal(g.mem[i], 0xaa);
	assert_memory_equal(g.mem + 0x2000, im.data + 0x3000, 0x100);
	for (i = 0x2100; i < 0x7000; i++)
		assert_int_equal(g.mem[i], 0);
	assert_int_equal(g.mem[0x7000], 0xaa);
}

static void test_load_not_ram(void **state)
{
	struct ph p[2] = {
		{ PT_LOAD, PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x100 },
		/* runs one byte past the fake guest RAM */
		{ PT_LOAD, PF_R, 0x1000, 0x200000, GUEST_BASE + GUEST_SIZE - 0xff,
		  0x10, 0x100 },
	};

	(void)state;
	build(false, 0x100000, p, 2);
	assert_int_equal(parse(), 0);
	g.calls = 0;
	assert_int_equal(elf_load(&out, im.data, gpa_to_ptr, &g, &err), -1);
	assert_string_equal(err, "ELF segment's physical range is not guest RAM");
	assert_int_equal(g.calls, 2);
	assert_int_equal(g.last_gpa, GUEST_BASE + GUEST_SIZE - 0xff);
	assert_int_equal(g.last_len, 0x100);
}

static void test_load_bad_args(void **state)
{
	struct elf_image bad;

	(void)state;
	build64();
	assert_int_equal(parse(), 0);
	assert_int_equal(elf_load(NULL, im.data, gpa_to_ptr, &g, &err), -1);
	assert_string_equal(err, "ELF load: NULL argument");
	assert_int_equal(elf_load(&out, NULL, gpa_to_ptr, &g, &err), -1);
	assert_int_equal(elf_load(&out, im.data, NULL, &g, &err), -1);
	bad = out;
	bad.nseg = ELF_MAX_SEGMENTS + 1;
	assert_int_equal(elf_load(&bad, im.data, gpa_to_ptr, &g, &err), -1);
	assert_string_equal(err, "ELF load: segment count is above ELF_MAX_SEGMENTS");
	bad = out;
	bad.seg[1].filesz = bad.seg[1].memsz + 1;
	assert_int_equal(elf_load(&bad, im.data, gpa_to_ptr, &g, &err), -1);
	assert_string_equal(err, "ELF load: segment sizes are inconsistent");
	assert_int_equal(elf_load(&out, im.data, gpa_to_ptr, &g, NULL), 0);
}

/* ---- Nestor's own image ---------------------------------------------- */

static void test_nestor_elf(void **state)
{
	FILE *f = fopen("build/nestor.elf", "rb");
	uint8_t *buf;
	long size;

	(void)state;
	if (!f) {
		skip();
		return;
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	assert_int_equal(elf_parse(buf, (size_t)size, &out, &err), 0);
	assert_true(out.is64);
	assert_int_equal(out.nseg, 3);
	/* linker.ld: linked at -2 GiB, load addresses from 2 MiB up with
	 * the same layout (GRUB moves them all by one offset) */
	assert_int_equal(out.seg[0].vaddr, 0xffffffff80000000ULL);
	assert_int_equal(out.seg[0].paddr, 0x200000);
	assert_int_equal(out.seg[0].flags, PF_R | PF_X);
	for (unsigned i = 1; i < out.nseg; i++)
		assert_int_equal(out.seg[i].vaddr - out.seg[i].paddr,
				 out.seg[0].vaddr - out.seg[0].paddr);
	assert_true(out.entry >= out.seg[0].vaddr &&
		    out.entry < out.seg[0].vaddr + out.seg[0].memsz);
	assert_int_equal(out.entry_paddr,
			 out.entry - out.seg[0].vaddr + out.seg[0].paddr);
	assert_true(out.seg[0].paddr + out.seg[0].memsz <= out.seg[1].paddr);
	assert_true(out.seg[1].paddr + out.seg[1].memsz <= out.seg[2].paddr);
	assert_true(out.seg[2].memsz > out.seg[2].filesz); /* .bss */
	assert_int_equal(out.seg[2].flags, PF_R | PF_W);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_elf64),
		cmocka_unit_test(test_valid_elf32),
		cmocka_unit_test(test_err_may_be_null),
		cmocka_unit_test(test_boundaries_accepted),
		cmocka_unit_test(test_sixteen_segments_ok_seventeen_not),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_bad_program_header_table),
		cmocka_unit_test(test_dynamic_rejected),
		cmocka_unit_test(test_filesz_above_memsz),
		cmocka_unit_test(test_file_bytes_outside),
		cmocka_unit_test(test_paddr_range),
		cmocka_unit_test(test_physical_overlap),
		cmocka_unit_test(test_no_loadable_segment),
		cmocka_unit_test(test_entry_checks),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_not_ram),
		cmocka_unit_test(test_load_bad_args),
		cmocka_unit_test(test_nestor_elf),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
