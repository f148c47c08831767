/* Unit tests for the Linux boot protocol loader side (boot/linux_boot.c):
 * synthetic bzImages built here (setup sectors, header fields, payload,
 * CRC), every refusal of linux_image_parse, kernel placement on fixed maps
 * and against a brute-force model, and boot_params checked byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/linux_boot.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define AV(b, l) { .base = (b), .len = (l), .type = MEM_AVAILABLE }
#define RS(b, l) { .base = (b), .len = (l), .type = MEM_RESERVED }
#define TY(b, l, t) { .base = (b), .len = (l), .type = (t) }

/* ---- synthetic bzImage builder ---------------------------------------- */

struct spec {
	uint8_t setup_sects;	/* the field as written */
	unsigned real_sects;	/* sectors actually present (0: from field) */
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t initrd_addr_max;
	uint32_t payload;	/* bytes after the setup, CRC included */
	int64_t syssize;	/* -1: payload / 16 */
	uint8_t jump_len;	/* byte at 0x201 */
	uint32_t trailer;	/* extra bytes after syssize * 16 */
};

static struct spec default_spec(void)
{
	return (struct spec){
		.setup_sects = 2, .version = 0x020F,
		.loadflags = LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP |
			     LINUX_KEEP_SEGMENTS | LINUX_QUIET_FLAG,
		.xloadflags = LINUX_XLF_KERNEL_64, .relocatable = 1,
		.kernel_alignment = 0x200000, .pref_address = 0x1000000,
		.init_size = 0x2000000, .cmdline_size = 2047,
		.initrd_addr_max = 0x7fffffff, .payload = 0x400,
		.syssize = -1, .jump_len = 0x26C - 0x202,
	};
}

static uint8_t img[192 * 1024];
static size_t img_len;

/* "The Image Checksum" as build.c computes it, bit by bit. */
static uint32_t crc32_raw(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xEDB88320u : 0);
	}
	return crc;
}

static void build(const struct spec *s)
{
	unsigned sects = s->real_sects ? s->real_sects
			 : (s->setup_sects ? s->setup_sects : 4);
	size_t off = (sects + 1) * 512;
	uint32_t sys = s->syssize < 0 ? s->payload / 16 : (uint32_t)s->syssize;

	memset(img, 0, sizeof(img));
	for (size_t i = 0; i < off; i++)	/* recognisable setup bytes */
		img[i] = (uint8_t)(i * 7 + 3);
	img[0x1EF] = 0xFF;			/* sentinel: must not be copied */
	img[0x1F0] = 0xEE;
	img[LINUX_HDR_SETUP_SECTS] = s->setup_sects;
	wr16(img + 0x1F2, 1);			/* root_flags */
	wr32(img + LINUX_HDR_SYSSIZE, sys);
	wr16(img + 0x1FA, 0xFFFF);		/* vid_mode */
	wr16(img + LINUX_HDR_BOOT_FLAG, 0xAA55);
	img[LINUX_HDR_JUMP] = 0xEB;
	img[LINUX_HDR_JUMP + 1] = s->jump_len;
	memcpy(img + LINUX_HDR_MAGIC, "HdrS", 4);
	wr16(img + LINUX_HDR_VERSION, s->version);
	img[LINUX_HDR_TYPE_OF_LOADER] = 0;
	img[LINUX_HDR_LOADFLAGS] = s->loadflags;
	wr32(img + LINUX_HDR_CODE32_START, 0x100000);
	wr32(img + LINUX_HDR_RAMDISK_IMAGE, 0x11111111);
	wr32(img + LINUX_HDR_RAMDISK_SIZE, 0x22222222);
	wr16(img + LINUX_HDR_HEAP_END_PTR, 0x5000);
	img[LINUX_HDR_EXT_LOADER_VER] = 0x33;
	img[LINUX_HDR_EXT_LOADER_TYPE] = 0x44;
	wr32(img + LINUX_HDR_CMD_LINE_PTR, 0x55555555);
	wr32(img + LINUX_HDR_INITRD_ADDR_MAX, s->initrd_addr_max);
	wr32(img + LINUX_HDR_KERNEL_ALIGNMENT, s->kernel_alignment);
	img[LINUX_HDR_RELOCATABLE] = s->relocatable;
	img[LINUX_HDR_MIN_ALIGNMENT] = 21;
	wr16(img + LINUX_HDR_XLOADFLAGS, s->xloadflags);
	wr32(img + LINUX_HDR_CMDLINE_SIZE, s->cmdline_size);
	wr32(img + LINUX_HDR_HW_SUBARCH, 0x66);
	wr64(img + LINUX_HDR_HW_SUBARCH_DATA, 0x7777);
	wr32(img + 0x248, 0x3A0);		/* payload_offset */
	wr32(img + 0x24C, 0x100);		/* payload_length */
	wr64(img + LINUX_HDR_SETUP_DATA, 0x8888);
	wr64(img + LINUX_HDR_PREF_ADDRESS, s->pref_address);
	wr32(img + LINUX_HDR_INIT_SIZE, s->init_size);
	wr32(img + 0x264, 0x190);		/* handover_offset */
	wr32(img + 0x268, 0x1234);		/* kernel_info_offset */
	for (size_t i = 0; i < s->payload; i++)
		img[off + i] = (uint8_t)(i ^ 0x5A);
	if (s->payload >= 4 && off + s->payload <= sizeof(img)) {
		uint32_t crc = crc32_raw(img, off + s->payload - 4);

		wr32(img + off + s->payload - 4, crc);
	}
	for (size_t i = 0; i < s->trailer; i++)
		img[off + s->payload + i] = 0xC3;
	img_len = off + s->payload + s->trailer;
	assert_true(img_len <= sizeof(img));
}

static struct linux_image k;
static char err[LINUX_BOOT_ERR_LEN];

static int parse(void)
{
	memset(err, 0, sizeof(err));
	memset(&k, 0xA5, sizeof(k));
	return linux_image_parse(img, img_len, &k, err, sizeof(err));
}

static void assert_err(const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void refuse_with(const char *needle)
{
	assert_int_equal(parse(), -1);
	assert_err(needle);
	assert_true(all_zero(&k, sizeof(k)));
}

/* ---- linux_image_parse ------------------------------------------------ */

static void test_parse_ok(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.version, 0x020F);
	assert_int_equal(k.setup_sects, 2);
	assert_int_equal(k.payload_off, 3 * 512);
	assert_int_equal(k.payload_len, 0x400);
	assert_int_equal(k.syssize, 0x40);
	assert_int_equal(k.loadflags, s.loadflags);
	assert_int_equal(k.xloadflags, LINUX_XLF_KERNEL_64);
	assert_true(k.relocatable);
	assert_int_equal(k.kernel_alignment, 0x200000);
	assert_int_equal(k.min_alignment, 21);
	assert_int_equal(k.pref_address, 0x1000000);
	assert_int_equal(k.init_size, 0x2000000);
	assert_int_equal(k.cmdline_size, 2047);
	assert_int_equal(k.initrd_addr_max, 0x7fffffff);
	assert_int_equal(k.hdr_end, 0x26C);
	assert_memory_equal(k.hdr, img + 0x1F1, 0x26C - 0x1F1);
	assert_true(all_zero(k.hdr + (0x26C - 0x1F1), sizeof(k.hdr) - (0x26C - 0x1F1)));
	assert_true(linux_image_crc_ok(img, img_len, &k));
}

static void test_parse_err_null_out(void **state)
{
	(void)state;
	assert_int_equal(linux_image_parse(img, 4096, NULL, err, sizeof(err)), -1);
	assert_int_equal(linux_image_parse(NULL, 4096, &k, NULL, 0), -1);
	assert_true(all_zero(&k, sizeof(k)));
	/* A NULL error buffer is fine; a 1-byte one gets just the NUL. */
	err[0] = 'x';
	assert_int_equal(linux_image_parse(img, 10, &k, err, 1), -1);
	assert_int_equal(err[0], 0);
}

static void test_refuse_short(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	img_len = 0x267;
	refuse_with("too short");
	img_len = 0;
	refuse_with("too short");
	img_len = 0x26B;	/* the header ends at 0x26C */
	refuse_with("the setup header ends at 0x26c, past the end of the 0x26b-byte image");
	img_len = 0x26C;	/* header present, setup sectors not */
	refuse_with("setup_sects 2 puts the protected-mode kernel at offset 0x600, but the image ends at 0x26c");
}

static void test_refuse_boot_flag(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	wr16(img + 0x1FE, 0x55AA);
	refuse_with("boot_flag at 0x1fe is 0x55aa, not 0xaa55");
}

static void test_refuse_no_hdrs(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	memcpy(img + 0x202, "HdrT", 4);
	refuse_with("not a bzImage");
}

static void test_refuse_version(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.version = 0x020B;
	build(&s);
	refuse_with("boot protocol 2.11 is too old: Nestor needs 2.12");
	s.version = 0x0100;
	build(&s);
	refuse_with("boot protocol 1.00");
	s.version = 0x020C;	/* the minimum itself is fine */
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.version, 0x020C);
}

static void test_refuse_not_loaded_high(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.loadflags = LINUX_CAN_USE_HEAP;
	build(&s);
	refuse_with("LOADED_HIGH");
}

static void test_refuse_not_64bit(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.xloadflags = LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	build(&s);
	refuse_with("XLF_KERNEL_64");
}

static void test_refuse_header_length(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	img[0x200] = 0xE9;
	refuse_with("not a short jmp");
	s.jump_len = 0x65;	/* ends at 0x267: misses handover_offset */
	build(&s);
	refuse_with("ends the setup header at 0x267");
	s.jump_len = 0x80;	/* a backward jump: 0x282 */
	build(&s);
	refuse_with("at 0x282, outside [0x268, 0x281]");
	s.jump_len = 0x7F;	/* the largest accepted */
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.hdr_end, 0x281);
	assert_memory_equal(k.hdr, img + 0x1F1, 0x281 - 0x1F1);
	s.jump_len = 0x66;	/* 2.12..2.14 headers end at 0x268 */
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.hdr_end, 0x268);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.setup_sects = 0;
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.setup_sects, 4);
	assert_int_equal(k.payload_off, 5 * 512);
	assert_int_equal(k.payload_len, 0x400);
	assert_true(linux_image_crc_ok(img, img_len, &k));
}

static void test_refuse_setup_beyond_file(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.setup_sects = 200;
	s.real_sects = 2;
	build(&s);	/* 1536 + 0x400 bytes, setup claims 201 sectors */
	refuse_with("setup_sects 200 puts the protected-mode kernel at offset 0x19200, but the image ends at 0xa00");
	s = default_spec();
	s.setup_sects = 4;
	s.payload = 0;
	s.syssize = 0;
	build(&s);	/* the file ends exactly where the kernel would start */
	refuse_with("at offset 0xa00, but the image ends at 0xa00");
	s.setup_sects = 255;
	s.real_sects = 0;
	s.payload = 16;
	s.syssize = -1;
	build(&s);	/* the largest setup is fine */
	assert_int_equal(parse(), 0);
	assert_int_equal(k.payload_off, 256 * 512);
	assert_int_equal(k.payload_len, 16);
}

static void test_syssize(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.syssize = 0;
	build(&s);
	refuse_with("syssize is 0");
	s.syssize = 0x41;	/* 16 bytes more than the file holds */
	build(&s);
	refuse_with("syssize says the protected-mode kernel is 0x410 bytes, but only 0x400");
	s.syssize = 0xFFFFFFFF;	/* * 16 must not wrap */
	build(&s);
	refuse_with("0xffffffff0 bytes");
	/* A Secure Boot signature after syssize * 16: loaded too. */
	s = default_spec();
	s.trailer = 0x300;
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(k.syssize, 0x40);
	assert_int_equal(k.payload_len, 0x700);
	assert_true(linux_image_crc_ok(img, img_len, &k));
}

static void test_refuse_init_size(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.init_size = 0x3FF;
	build(&s);
	refuse_with("init_size 0x3ff is smaller than the 0x400 bytes");
	s.init_size = 0x400;
	build(&s);
	assert_int_equal(parse(), 0);
}

static void test_refuse_alignment(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.kernel_alignment = 0x300000;
	build(&s);
	refuse_with("kernel_alignment 0x300000 is not a power of two");
	s.kernel_alignment = 0;
	build(&s);
	refuse_with("kernel_alignment 0x0 is not a power of two");
	s.kernel_alignment = 0x800;
	build(&s);
	refuse_with("kernel_alignment 0x800 is outside [0x1000, 0x40000000]");
	s.kernel_alignment = 0x80000000;
	build(&s);
	refuse_with("outside");
	s.kernel_alignment = 0x1000;
	build(&s);
	assert_int_equal(parse(), 0);
	/* Not relocatable: the alignment does not matter. */
	s.relocatable = 0;
	s.kernel_alignment = 0x300000;
	build(&s);
	assert_int_equal(parse(), 0);
	assert_false(k.relocatable);
}

static void test_refuse_pref_address(void **state)
{
	struct spec s = default_spec();

	(void)state;
	s.pref_address = 0xFFFFFFFFFFFFF000ULL;
	s.init_size = 0xFFFFFFFF;
	build(&s);
	refuse_with("pref_address 0xfffffffffffff000 is beyond");
	s.pref_address = LINUX_PHYS_LIMIT - 1;
	build(&s);
	assert_int_equal(parse(), 0);
}

static void test_crc(void **state)
{
	struct spec s = default_spec();

	(void)state;
	build(&s);
	assert_int_equal(parse(), 0);
	assert_true(linux_image_crc_ok(img, img_len, &k));
	img[0x300] ^= 1;
	assert_false(linux_image_crc_ok(img, img_len, &k));
	img[0x300] ^= 1;
	img[img_len - 1] ^= 0x80;	/* the CRC itself */
	assert_false(linux_image_crc_ok(img, img_len, &k));
	img[img_len - 1] ^= 0x80;
	assert_false(linux_image_crc_ok(img, img_len - 1, &k));
	assert_false(linux_image_crc_ok(NULL, img_len, &k));
}

static void test_initrd_limit(void **state)
{
	struct linux_image t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.initrd_addr_max = 0x7fffffff;
	assert_int_equal(linux_initrd_limit(&t), 0x80000000ULL);
	t.initrd_addr_max = 0xFFFFFFFF;
	assert_int_equal(linux_initrd_limit(&t), 0x100000000ULL);
	t.initrd_addr_max = 0x37FFFFFF;
	t.xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_int_equal(linux_initrd_limit(&t), LINUX_PHYS_LIMIT);
}

/* ---- linux_kernel_place ----------------------------------------------- */

/* A 128 MiB guest: Bochs-like low memory, Nestor at [8, 10) MiB reserved. */
static const struct mem_region map128[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0x700000),
	RS(0x800000, 0x200000),
	AV(0xa00000, 0x8000000 - 0xa00000),
	TY(0x8000000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

static struct linux_image kimg(bool reloc, uint64_t pref, uint32_t align,
			       uint32_t init)
{
	struct linux_image t;

	memset(&t, 0, sizeof(t));
	t.relocatable = reloc;
	t.pref_address = pref;
	t.kernel_alignment = align;
	t.init_size = init;
	t.hdr_end = 0x26C;
	t.xloadflags = LINUX_XLF_KERNEL_64;
	t.cmdline_size = 255;
	t.initrd_addr_max = 0x7fffffff;
	return t;
}

static uint64_t place(const struct linux_image *t, const struct mem_region *m,
		      unsigned n)
{
	uint64_t a = 0xdead;

	memset(err, 0, sizeof(err));
	if (linux_kernel_place(t, m, n, &a, err, sizeof(err))) {
		assert_int_equal(a, 0);
		return ~0ULL;
	}
	return a;
}

static void test_place_relocatable(void **state)
{
	struct linux_image t = kimg(true, 16 * MiB, 2 * MiB, 32 * MiB);

	(void)state;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 16 * MiB);
	/* Unaligned pref_address: the next aligned address. */
	t.pref_address = 17 * MiB;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 18 * MiB);
	/* pref_address 0: from 1 MiB, aligned, skipping Nestor's [8, 10). */
	t.pref_address = 0;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 10 * MiB);
	t.init_size = 6 * MiB;	/* [2, 8) MiB fits exactly */
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 2 * MiB);
	t.init_size = 6 * MiB + 1;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 10 * MiB);
	/* The largest that fits: [16 MiB, 128 MiB). */
	t = kimg(true, 16 * MiB, 2 * MiB, 112 * MiB);
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 16 * MiB);
	t.init_size++;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), ~0ULL);
	assert_err("does not fit");
	assert_err("0x200000-aligned range of 0x7000001 bytes");
}

static void test_place_never_below_pref(void **state)
{
	/* Room only below pref_address: refused, the kernel would move up. */
	static const struct mem_region m[] = {
		AV(0x100000, 15 * MiB),
		RS(16 * MiB, 16 * MiB),
	};
	struct linux_image t = kimg(true, 16 * MiB, 2 * MiB, 4 * MiB);

	(void)state;
	assert_int_equal(place(&t, m, ARRAY_SIZE(m)), ~0ULL);
	assert_err("between 0x1000000 and 4 GiB");
	t.pref_address = 2 * MiB;
	assert_int_equal(place(&t, m, ARRAY_SIZE(m)), 2 * MiB);
}

static void test_place_holes_and_overlaps(void **state)
{
	static const struct mem_region holes[] = {
		AV(0x100000, 23 * MiB),		/* to 24 MiB */
		AV(40 * MiB, 100 * MiB),	/* hole [24, 40) */
	};
	static const struct mem_region split[] = {
		AV(48 * MiB, 80 * MiB),		/* unmerged, unsorted */
		AV(16 * MiB, 8 * MiB),
		AV(24 * MiB, 24 * MiB),
	};
	static const struct mem_region overlap[] = {
		AV(0x100000, 127 * MiB),
		RS(20 * MiB, 4 * KiB),		/* inside the RAM entry */
		TY(29 * MiB + 1, 1, MEM_BAD),
	};
	struct linux_image t = kimg(true, 16 * MiB, 2 * MiB, 16 * MiB);

	(void)state;
	assert_int_equal(place(&t, holes, ARRAY_SIZE(holes)), 40 * MiB);
	t.init_size = 8 * MiB;
	assert_int_equal(place(&t, holes, ARRAY_SIZE(holes)), 16 * MiB);
	t.init_size = 64 * MiB;
	assert_int_equal(place(&t, split, ARRAY_SIZE(split)), 16 * MiB);
	t.init_size = 4 * MiB;
	/* [16, 20) fits; 8 MiB does not before the reserved page. */
	assert_int_equal(place(&t, overlap, ARRAY_SIZE(overlap)), 16 * MiB);
	/* After the reserved page: 22 MiB, but [22, 30) holds the bad
	 * byte at 29 MiB + 1, so 30 MiB; 7 MiB fits at 22. */
	t.init_size = 8 * MiB;
	assert_int_equal(place(&t, overlap, ARRAY_SIZE(overlap)), 30 * MiB);
	t.init_size = 7 * MiB;
	assert_int_equal(place(&t, overlap, ARRAY_SIZE(overlap)), 22 * MiB);
	assert_int_equal(place(&t, NULL, 0), ~0ULL);
	assert_int_equal(linux_kernel_place(&t, NULL, 3, NULL, err, sizeof(err)), -1);
}

static void test_place_4gib_limit(void **state)
{
	static const struct mem_region high[] = {
		AV(0x100000, 15 * MiB),
		AV(3584 * MiB, 2 * GiB),	/* [3.5, 5.5) GiB */
	};
	struct linux_image t = kimg(true, 16 * MiB, 2 * MiB, 512 * MiB);

	(void)state;
	assert_int_equal(place(&t, high, ARRAY_SIZE(high)), 3584 * MiB);
	t.init_size++;		/* would end above 4 GiB */
	assert_int_equal(place(&t, high, ARRAY_SIZE(high)), ~0ULL);
	t = kimg(true, 16 * MiB, 2 * MiB, 0xFFFFFFFF);	/* no wrap */
	assert_int_equal(place(&t, high, ARRAY_SIZE(high)), ~0ULL);
	assert_err("does not fit");
	t = kimg(true, 5 * GiB, 2 * MiB, 1 * MiB);	/* pref above 4 GiB */
	assert_int_equal(place(&t, high, ARRAY_SIZE(high)), ~0ULL);
}

static void test_place_fixed(void **state)
{
	struct linux_image t = kimg(false, 16 * MiB, 0x300000, 32 * MiB);

	(void)state;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 16 * MiB);
	t.pref_address = 9 * MiB;	/* inside Nestor's reserved range */
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), ~0ULL);
	assert_err("not relocatable, it must run at [0x900000, 0x2900000)");
	assert_err("does not fit");
	t.pref_address = 0;		/* old default: 0x100000 */
	t.init_size = 7 * MiB;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), 0x100000);
	t.init_size = 7 * MiB + 1;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), ~0ULL);
	t.pref_address = 0x1000;	/* below 1 MiB */
	t.init_size = 0x1000;
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), ~0ULL);
	t = kimg(false, 0xFFFF0000, 0, 0xFFFFFFFF);
	assert_int_equal(place(&t, map128, ARRAY_SIZE(map128)), ~0ULL);
	assert_err("0x1fffeffff");
}

/* Random maps in whole MiB (entries start below 64 MiB and end below
 * CELLS MiB) against a cell-by-cell model. */
#define CELLS 96
static void test_place_model(void **state)
{
	struct mem_region m[8];
	bool good[CELLS];

	(void)state;
	srand(7);
	for (int iter = 0; iter < 3000; iter++) {
		unsigned n = 1 + rand() % 8;
		uint64_t align = 1ULL << (rand() % 4);	/* MiB */
		uint64_t pref = rand() % 64, size = 1 + rand() % 24;
		struct linux_image t = kimg(rand() % 4 != 0, pref * MiB,
					    (uint32_t)(align * MiB),
					    (uint32_t)(size * MiB));
		uint64_t expect = ~0ULL, got, first;

		for (unsigned i = 0; i < n; i++) {
			uint64_t b = rand() % 64, l = rand() % 24;

			m[i] = (struct mem_region){ b * MiB, l * MiB,
				rand() % 3 ? MEM_AVAILABLE : 1 + rand() % 5 };
		}
		for (unsigned c = 0; c < CELLS; c++) {
			bool av = false, other = false;

			for (unsigned i = 0; i < n; i++) {
				bool in = c * MiB >= m[i].base &&
					  c * MiB < m[i].base + m[i].len;

				av |= in && m[i].type == MEM_AVAILABLE;
				other |= in && m[i].type != MEM_AVAILABLE;
			}
			good[c] = av && !other;
		}
		if (t.relocatable) {
			first = pref > 1 ? pref : 1;
			first = (first + align - 1) / align * align;
		} else {
			first = pref ? pref : 1;
		}
		for (uint64_t a = first; a + size <= CELLS;
		     a += t.relocatable ? align : CELLS) {
			bool ok = true;

			for (uint64_t c = a; c < a + size; c++)
				ok &= good[c];
			if (ok) {
				expect = a * MiB;
				break;
			}
		}
		got = place(&t, m, n);
		if (got != expect)
			fail_msg("iter %d: got 0x%llx expected 0x%llx", iter,
				 (unsigned long long)got,
				 (unsigned long long)expect);
	}
}

/* ---- linux_boot_params_build ------------------------------------------ */

#define GUARD 64
static uint8_t zbuf[GUARD + LINUX_ZERO_PAGE_SIZE + GUARD];
static uint8_t *const zp = zbuf + GUARD;
static struct linux_boot_desc desc;

static void std_desc(void)
{
	struct spec s = default_spec();

	build(&s);
	assert_int_equal(parse(), 0);
	memset(&desc, 0, sizeof(desc));
	desc.k = &k;
	desc.map = map128;
	desc.nmap = ARRAY_SIZE(map128);
	desc.kernel_addr = 16 * MiB;
	desc.params_addr = 0x7000;
	desc.cmdline_addr = 0x8000;
	desc.cmdline_len = 20;
	desc.initrd_addr = 96 * MiB;
	desc.initrd_size = 0x123456;
	desc.rsdp_addr = 0xF6A20;
}

static int bp_build(void)
{
	memset(zbuf, 0xA5, sizeof(zbuf));
	memset(err, 0, sizeof(err));
	return linux_boot_params_build(zp, LINUX_ZERO_PAGE_SIZE, &desc, err,
				       sizeof(err));
}

static void assert_guards(void)
{
	for (size_t i = 0; i < GUARD; i++) {
		assert_int_equal(zbuf[i], 0xA5);
		assert_int_equal(zp[LINUX_ZERO_PAGE_SIZE + i], 0xA5);
	}
}

static void bp_refuse(const char *needle)
{
	assert_int_equal(bp_build(), -1);
	assert_err(needle);
	assert_guards();
}

static void test_bp_layout(void **state)
{
	const unsigned n = ARRAY_SIZE(map128);

	(void)state;
	std_desc();
	assert_int_equal(bp_build(), 0);
	assert_guards();
	/* Before the header: all zero but the RSDP and the e820 count. */
	assert_int_equal(rd64(zp + 0x070), 0xF6A20);
	assert_int_equal(rd32(zp + 0x0C0), 0);
	assert_int_equal(rd32(zp + 0x0C4), 0);
	assert_int_equal(rd32(zp + 0x0C8), 0);
	assert_int_equal(zp[0x1E8], n);
	for (size_t i = 0; i < 0x1F1; i++)
		if (i < 0x070 || i >= 0x078)
			if (i != 0x1E8)
				assert_int_equal(zp[i], 0);
	/* The header: copied, then the loader's fields. */
	assert_int_equal(zp[0x1F1], 2);
	assert_int_equal(rd16(zp + 0x1F2), 1);
	assert_int_equal(rd32(zp + 0x1F4), 0x40);
	assert_int_equal(rd16(zp + 0x1FA), 0xFFFF);
	assert_int_equal(rd16(zp + 0x1FE), 0xAA55);
	assert_int_equal(zp[0x200], 0xEB);
	assert_int_equal(zp[0x201], 0x6A);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(rd16(zp + 0x206), 0x020F);
	assert_memory_equal(zp + 0x208, img + 0x208, 8); /* realmode_swtch.. */
	assert_int_equal(zp[0x210], 0xFF);
	assert_int_equal(zp[0x211], LINUX_LOADED_HIGH);
	assert_memory_equal(zp + 0x212, img + 0x212, 2);
	assert_int_equal(rd32(zp + 0x214), 16 * MiB);
	assert_int_equal(rd32(zp + 0x218), 96 * MiB);
	assert_int_equal(rd32(zp + 0x21C), 0x123456);
	assert_memory_equal(zp + 0x220, img + 0x220, 4);
	assert_int_equal(rd16(zp + 0x224), 0);
	assert_int_equal(zp[0x226], 0);
	assert_int_equal(zp[0x227], 0);
	assert_int_equal(rd32(zp + 0x228), 0x8000);
	assert_memory_equal(zp + 0x22C, img + 0x22C, 0x23C - 0x22C);
	assert_int_equal(rd32(zp + 0x23C), 0);
	assert_int_equal(rd64(zp + 0x240), 0);
	assert_memory_equal(zp + 0x248, img + 0x248, 8);
	assert_int_equal(rd64(zp + 0x250), 0);
	assert_memory_equal(zp + 0x258, img + 0x258, 0x26C - 0x258);
	assert_int_equal(rd32(zp + 0x268), 0x1234);
	/* After the header up to the e820 table: zero. */
	assert_true(all_zero(zp + 0x26C, 0x2D0 - 0x26C));
	/* e820 table. */
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = zp + 0x2D0 + 20 * i;

		assert_int_equal(rd64(e), map128[i].base);
		assert_int_equal(rd64(e + 8), map128[i].len);
		assert_int_equal(rd32(e + 16), map128[i].type);
	}
	assert_true(all_zero(zp + 0x2D0 + 20 * n, LINUX_ZERO_PAGE_SIZE - 0x2D0 - 20 * n));
}

static void test_bp_header_copy_length(void **state)
{
	struct spec s = default_spec();

	(void)state;
	std_desc();
	s.version = 0x020C;
	s.jump_len = 0x66;	/* 2.12: ends at 0x268 */
	build(&s);
	assert_int_equal(parse(), 0);
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd32(zp + 0x264), 0x190);
	assert_true(all_zero(zp + 0x268, 0x2D0 - 0x268)); /* 0x1234 not copied */
	/* The RSDP goes to 0x070 whatever the version; never 0x268/0x270. */
	assert_int_equal(rd64(zp + 0x070), 0xF6A20);
	assert_int_equal(zp[0x1EF], 0);	/* sentinel not copied */
	assert_int_equal(zp[0x1F0], 0);
	desc.rsdp_addr = 0;
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd64(zp + 0x070), 0);
	/* No initrd: both fields zero, whatever the address. */
	desc.initrd_size = 0;
	desc.initrd_addr = 0x1234;
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd32(zp + 0x218), 0);
	assert_int_equal(rd32(zp + 0x21C), 0);
}

static const struct mem_region map_high[] = {
	AV(0, 0x9f000),
	AV(0x100000, 0xbff00000),		/* to 3 GiB */
	RS(0xc0000000, 0x40000000),
	AV(0x100000000ULL, 0x300000000ULL),	/* [4, 16) GiB */
};

static void test_bp_ext_fields(void **state)
{
	struct spec s = default_spec();

	(void)state;
	std_desc();
	s.xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	build(&s);
	assert_int_equal(parse(), 0);
	desc.map = map_high;
	desc.nmap = ARRAY_SIZE(map_high);
	desc.params_addr = 0x1FFFFF000ULL;
	desc.cmdline_addr = 0x100008000ULL;
	desc.initrd_addr = 0x200000000ULL;
	desc.initrd_size = 0x100000010ULL;
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd32(zp + 0x228), 0x8000);
	assert_int_equal(rd32(zp + 0x0C8), 1);
	assert_int_equal(rd32(zp + 0x218), 0);
	assert_int_equal(rd32(zp + 0x0C0), 2);
	assert_int_equal(rd32(zp + 0x21C), 0x10);
	assert_int_equal(rd32(zp + 0x0C4), 1);
	assert_int_equal(zp[0x1E8], 4);
	assert_int_equal(rd64(zp + 0x2D0 + 3 * 20), 0x100000000ULL);
	assert_int_equal(rd64(zp + 0x2D0 + 3 * 20 + 8), 0x300000000ULL);
	/* Same placement without XLF_CAN_BE_LOADED_ABOVE_4G. */
	k.xloadflags = LINUX_XLF_KERNEL_64;
	bp_refuse("the zero page [0x1fffff000, 0x200000000) ends above 0x100000000");
	desc.params_addr = 0x7000;
	bp_refuse("the command line [0x100008000, 0x100008015) ends above 0x100000000");
	desc.cmdline_addr = 0x8000;
	bp_refuse("the initrd [0x200000000, 0x300000010) ends above 0x80000000");
}

static void test_bp_initrd_limit(void **state)
{
	(void)state;
	std_desc();
	desc.initrd_addr = 0x80000000 - 0x123456;	/* last byte 0x7fffffff */
	desc.map = map_high;
	desc.nmap = ARRAY_SIZE(map_high);
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd32(zp + 0x218), 0x80000000 - 0x123456);
	desc.initrd_addr++;
	bp_refuse("ends above 0x80000000, the highest this kernel accepts");
	desc.initrd_addr = 0;
	bp_refuse("the initrd cannot be at address 0");
	desc.initrd_addr = UINT64_MAX - 0x100;
	bp_refuse("wraps around");
}

static void test_bp_cmdline(void **state)
{
	(void)state;
	std_desc();
	desc.cmdline_len = 2047;	/* == cmdline_size: allowed */
	assert_int_equal(bp_build(), 0);
	desc.cmdline_len = 2048;
	bp_refuse("the command line is 2048 characters, more than this kernel's cmdline_size 2047");
	desc.cmdline_len = 0;
	desc.cmdline_addr = 0;
	bp_refuse("command line cannot be at address 0");
	desc.cmdline_addr = 0x9efff;	/* the NUL at 0x9f000 is reserved */
	desc.cmdline_len = 1;
	bp_refuse("the command line [0x9efff, 0x9f001) is not in available guest RAM");
	desc.cmdline_len = 0;
	assert_int_equal(bp_build(), 0);
}

static void test_bp_overlaps_and_ram(void **state)
{
	(void)state;
	std_desc();
	desc.initrd_addr = 48 * MiB - 1;	/* last byte of the kernel */
	bp_refuse("the kernel [0x1000000, 0x3000000) overlaps the initrd");
	std_desc();
	desc.cmdline_addr = 0x7FFF;
	bp_refuse("the zero page [0x7000, 0x8000) overlaps the command line [0x7fff, 0x8014)");
	std_desc();
	desc.params_addr = 0x9f000;
	bp_refuse("the zero page [0x9f000, 0xa0000) is not in available guest RAM");
	std_desc();
	desc.initrd_addr = 127 * MiB;		/* runs into ACPI data */
	bp_refuse("the initrd [0x7f00000, 0x8023456) is not in available guest RAM");
}

static void test_bp_kernel_addr(void **state)
{
	struct spec s = default_spec();

	(void)state;
	std_desc();
	desc.kernel_addr = 17 * MiB;
	bp_refuse("kernel address 0x1100000 is not 0x200000-aligned");
	desc.kernel_addr = 14 * MiB;
	bp_refuse("below pref_address 0x1000000");
	desc.kernel_addr = 8 * MiB;	/* in Nestor's memory: not RAM */
	k.pref_address = 0;
	bp_refuse("the kernel's [0x800000, +0x2000000) is not available guest RAM");
	s.relocatable = 0;
	build(&s);
	assert_int_equal(parse(), 0);
	desc.kernel_addr = 18 * MiB;
	bp_refuse("not relocatable: it must be loaded at 0x1000000, not 0x1200000");
	desc.kernel_addr = 16 * MiB;
	assert_int_equal(bp_build(), 0);
	assert_int_equal(rd32(zp + 0x214), 16 * MiB);
}

static void test_bp_e820(void **state)
{
	static struct mem_region big[LINUX_E820_MAX + 3];
	unsigned n = 0;

	(void)state;
	std_desc();
	big[n++] = (struct mem_region)AV(0, 0x9f000);
	big[n++] = (struct mem_region)AV(0x100000, 127 * MiB);
	big[n++] = (struct mem_region)TY(2 * GiB, 0, MEM_RESERVED); /* empty */
	while (n < LINUX_E820_MAX + 1)
		big[n] = (struct mem_region)TY(3 * GiB + n * 0x1000, 0x1000,
					       n == 5 ? 7 : 1 + n % 5), n++;
	desc.map = big;
	desc.nmap = n;	/* 128 non-empty entries */
	assert_int_equal(bp_build(), 0);
	assert_int_equal(zp[0x1E8], 128);
	/* Entry 2 (empty) skipped: table slot 2 is map entry 3. */
	assert_int_equal(rd64(zp + 0x2D0 + 2 * 20), 3 * GiB + 3 * 0x1000);
	assert_int_equal(rd32(zp + 0x2D0 + 2 * 20 + 16), 1 + 3 % 5);
	assert_int_equal(rd32(zp + 0x2D0 + 4 * 20 + 16), MEM_RESERVED); /* 7 */
	assert_int_equal(rd64(zp + 0x2D0 + 127 * 20), 3 * GiB + 128 * 0x1000);
	assert_int_equal(rd32(zp + 0x2D0 + 127 * 20 + 16), 1 + 128 % 5);
	assert_true(all_zero(zp + 0x2D0 + 128 * 20, 0xD00 - 0x2D0 - 128 * 20));
	big[n] = (struct mem_region)TY(4 * GiB, 0x1000, MEM_RESERVED);
	desc.nmap = n + 1;	/* 129 */
	bp_refuse("more than 128 entries");
	big[n] = (struct mem_region)TY(UINT64_MAX - 0xFFF, 0x2000, MEM_RESERVED);
	bp_refuse("wraps around");
}

static void test_bp_args(void **state)
{
	(void)state;
	std_desc();
	assert_int_equal(linux_boot_params_build(zp, 4095, &desc, err, sizeof(err)), -1);
	assert_err("needs 4096 bytes");
	assert_int_equal(linux_boot_params_build(NULL, 4096, &desc, err, sizeof(err)), -1);
	assert_int_equal(linux_boot_params_build(zp, 4096, NULL, err, sizeof(err)), -1);
	desc.map = NULL;
	assert_int_equal(linux_boot_params_build(zp, 4096, &desc, err, sizeof(err)), -1);
	std_desc();
	k.hdr_end = 0;	/* never parsed */
	bp_refuse("was not checked");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_err_null_out),
		cmocka_unit_test(test_refuse_short),
		cmocka_unit_test(test_refuse_boot_flag),
		cmocka_unit_test(test_refuse_no_hdrs),
		cmocka_unit_test(test_refuse_version),
		cmocka_unit_test(test_refuse_not_loaded_high),
		cmocka_unit_test(test_refuse_not_64bit),
		cmocka_unit_test(test_refuse_header_length),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_refuse_setup_beyond_file),
		cmocka_unit_test(test_syssize),
		cmocka_unit_test(test_refuse_init_size),
		cmocka_unit_test(test_refuse_alignment),
		cmocka_unit_test(test_refuse_pref_address),
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_initrd_limit),
		cmocka_unit_test(test_place_relocatable),
		cmocka_unit_test(test_place_never_below_pref),
		cmocka_unit_test(test_place_holes_and_overlaps),
		cmocka_unit_test(test_place_4gib_limit),
		cmocka_unit_test(test_place_fixed),
		cmocka_unit_test(test_place_model),
		cmocka_unit_test(test_bp_layout),
		cmocka_unit_test(test_bp_header_copy_length),
		cmocka_unit_test(test_bp_ext_fields),
		cmocka_unit_test(test_bp_initrd_limit),
		cmocka_unit_test(test_bp_cmdline),
		cmocka_unit_test(test_bp_overlaps_and_ram),
		cmocka_unit_test(test_bp_kernel_addr),
		cmocka_unit_test(test_bp_e820),
		cmocka_unit_test(test_bp_args),
	};

	return cmocka_run_group_tests_name("linux_boot", tests, NULL, NULL);
}
