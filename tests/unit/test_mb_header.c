/* Unit tests for the multiboot header finder (boot/mb_header.c): builds
 * Multiboot2 and Multiboot1 headers inside a fake kernel image, checks a
 * valid one field by field, then every error path, the search windows and
 * alignment rules, and Nestor's own build/nestor.elf if it exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/mb_header.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

#define IMG_CAP 40000
#define OPT 1	/* MULTIBOOT_HEADER_TAG_OPTIONAL */

static uint8_t img[IMG_CAP];
static size_t img_len;
static struct mb_header out;
static char err[MB_HEADER_ERR_LEN];

/* ---- builders -------------------------------------------------------- */

struct hb {
	uint8_t d[1024];
	uint32_t len;
};

static struct hb h;

static void reset(void)
{
	memset(img, 0, sizeof(img));
	img_len = IMG_CAP;
	memset(&h, 0, sizeof(h));
	h.len = 16;
}

/* A header tag (spec 3.1.3) with n u32 payload words, padded to 8. */
static void tag(uint16_t type, uint16_t flags, const uint32_t *payload,
		unsigned n)
{
	wr16(h.d + h.len, type);
	wr16(h.d + h.len + 2, flags);
	wr32(h.d + h.len + 4, 8 + 4 * n);
	if (n)
		memcpy(h.d + h.len + 8, payload, 4 * n);
	h.len += ALIGN_UP(8 + 4 * n, 8);
}

static void tag0(uint16_t type, uint16_t flags)
{
	tag(type, flags, NULL, 0);
}

static void end_tag(void)
{
	tag0(0, 0);
}

/* Writes the header (fixed part per spec 3.1.2 + tags) at off with
 * header_length hlen (0: the built length) and a matching checksum. */
static void put_mb2_len(size_t off, uint32_t arch, uint32_t hlen)
{
	uint32_t magic = MB2_HEADER_MAGIC;

	if (!hlen)
		hlen = h.len;
	wr32(h.d, magic);
	wr32(h.d + 4, arch);
	wr32(h.d + 8, hlen);
	wr32(h.d + 12, -(magic + arch + hlen));
	memcpy(img + off, h.d, h.len);
}

static void put_mb2(size_t off)
{
	put_mb2_len(off, 0, 0);
}

static void put_mb1(size_t off, uint32_t flags)
{
	wr32(img + off, MB1_HEADER_MAGIC);
	wr32(img + off + 4, flags);
	wr32(img + off + 8, -(MB1_HEADER_MAGIC + flags));
}

static int find(void)
{
	memset(err, 'x', sizeof(err));
	return mb_header_find(img, img_len, &out, err, sizeof(err));
}

static void expect_error(const char *msg)
{
	static const struct mb_header zero;

	assert_int_equal(find(), -1);
	assert_string_equal(err, msg);
	assert_memory_equal(&out, &zero, sizeof(zero));
}

static void expect_none(void)
{
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_NONE);
	assert_string_equal(err, "");
}

/* ---- multiboot2: valid ----------------------------------------------- */

static void test_mb2_full(void **state)
{
	const uint32_t req[] = { 1, 2, 3, 4, 6, 14, 15, 0 };
	const uint32_t opt_req[] = { 8, 9, 100 };
	const uint32_t entry = 0x100040;
	const uint32_t console = 2;		/* EGA text supported */
	const uint32_t fb[] = { 1024, 768, 32 };
	const uint32_t efi_entry = 0x100080;
	const uint32_t reloc[] = { 0x100000, 0x1000000, 0x1000, 1 };
	const uint32_t junk = 7;

	(void)state;
	reset();
	tag(1, 0, req, ARRAY_SIZE(req));
	tag(1, OPT, opt_req, ARRAY_SIZE(opt_req));
	tag(3, 0, &entry, 1);
	tag(4, 0, &console, 1);
	tag(5, OPT, fb, 3);
	tag0(6, 0);
	tag0(7, OPT);
	tag(8, 0, &efi_entry, 1);
	tag(9, 0, &efi_entry, 1);
	tag(10, 0, reloc, 4);
	tag(42, OPT, &junk, 1);
	end_tag();
	put_mb2(0x1008);
	assert_int_equal(find(), 0);
	assert_string_equal(err, "");
	assert_int_equal(out.kind, MB_KIND_MB2);
	assert_int_equal(out.offset, 0x1008);
	assert_int_equal(out.mb2_length, h.len);
	assert_int_equal(out.mb1_flags, 0);
	assert_true(out.entry_override);
	assert_int_equal(out.entry_addr, 0x100040);
	assert_int_equal(out.required_info, 0xc05f);
	assert_int_equal(out.requested_info, 0xc35f);
	assert_int_equal(out.mb2_tags, 0x7fa);
	assert_true(out.wants_cmdline);
	assert_true(out.wants_loader_name);
	assert_true(out.wants_modules);
	assert_true(out.wants_meminfo);
	assert_true(out.wants_mmap);
	assert_true(out.wants_rsdp);
	assert_true(out.modules_page_aligned);
	assert_true(out.video_requested);
}

static void test_mb2_minimal(void **state)
{
	(void)state;
	reset();
	end_tag();
	put_mb2(0);
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB2);
	assert_int_equal(out.offset, 0);
	assert_int_equal(out.mb2_length, 24);
	assert_false(out.entry_override);
	assert_int_equal(out.requested_info, 0);
	assert_int_equal(out.mb2_tags, 0);
	assert_false(out.wants_mmap);
	assert_false(out.modules_page_aligned);
	assert_false(out.video_requested);
}

/* Bytes after the end tag inside header_length are not read as tags. */
static void test_mb2_bytes_after_end_tag(void **state)
{
	(void)state;
	reset();
	end_tag();
	tag0(0x7777, 0);
	put_mb2(0x20);
	assert_int_equal(find(), 0);
	assert_int_equal(out.mb2_length, 32);
	assert_int_equal(out.mb2_tags, 0);
}

/* ---- multiboot2: feature errors -------------------------------------- */

static void test_mb2_info_request_errors(void **state)
{
	const uint32_t fb_info = 8, big = 100, ok_then_bad[] = { 6, 5 };

	(void)state;
	reset();
	tag(1, 0, &fb_info, 1);
	end_tag();
	put_mb2(0);
	expect_error("guest requires multiboot2 information type 8 that Nestor does not provide");

	reset();
	tag(1, 0, &big, 1);
	end_tag();
	put_mb2(0);
	expect_error("guest requires multiboot2 information type 100 that Nestor does not provide");

	reset();
	tag(1, 0, ok_then_bad, 2);
	end_tag();
	put_mb2(0);
	expect_error("guest requires multiboot2 information type 5 that Nestor does not provide");

	/* size 8 + 2: not a whole number of u32 types */
	reset();
	tag0(1, 0);
	wr32(h.d + 16 + 4, 10);
	h.len += 8;
	end_tag();
	put_mb2(0);
	expect_error("multiboot2 information request tag size 10 is not 8 + a multiple of 4");

	/* an empty request is fine */
	reset();
	tag0(1, 0);
	end_tag();
	put_mb2(0);
	assert_int_equal(find(), 0);
	assert_int_equal(out.mb2_tags, 2);
}

static void test_mb2_address_tag(void **state)
{
	const uint32_t a[] = { 0x100000, 0x100000, 0x200000, 0x300000 };

	(void)state;
	reset();
	tag(2, 0, a, 4);
	end_tag();
	put_mb2(0);
	expect_error("a.out-style address tag not supported; link the guest as ELF");
	reset();
	tag(2, OPT, a, 4);
	end_tag();
	put_mb2(0);
	assert_int_equal(find(), 0);
	assert_int_equal(out.mb2_tags, 4);
}

static void test_mb2_console_and_framebuffer(void **state)
{
	const uint32_t required = 3, fb[] = { 0, 0, 0 };

	(void)state;
	reset();
	tag(4, 0, &required, 1);
	end_tag();
	put_mb2(0);
	expect_error("guest requires a console (multiboot2 console flags tag); Nestor does not provide one");
	reset();
	tag(4, OPT, &required, 1);
	end_tag();
	put_mb2(0);
	assert_int_equal(find(), 0);
	assert_false(out.video_requested);

	reset();
	tag(5, 0, fb, 3);
	end_tag();
	put_mb2(0);
	expect_error("guest requires a framebuffer (multiboot2 framebuffer tag); Nestor does not provide one");
}

static void test_mb2_efi_boot_services(void **state)
{
	(void)state;
	reset();
	tag0(7, 0);
	end_tag();
	put_mb2(0);
	expect_error("guest requires EFI boot services (multiboot2 tag 7); Nestor does not provide them");
}

static void test_mb2_unknown_required_tag(void **state)
{
	(void)state;
	reset();
	tag0(11, 0);
	end_tag();
	put_mb2(0);
	expect_error("unknown required multiboot2 header tag type 11");
	reset();
	tag0(0xffff, 0);
	end_tag();
	put_mb2(0);
	expect_error("unknown required multiboot2 header tag type 65535");
	reset();
	tag0(0xffff, OPT | 2);	/* other flag bits do not matter */
	end_tag();
	put_mb2(0);
	assert_int_equal(find(), 0);
}

static void test_mb2_duplicate_entry(void **state)
{
	const uint32_t e = 0x100000;

	(void)state;
	reset();
	tag(3, 0, &e, 1);
	tag(3, OPT, &e, 1);
	end_tag();
	put_mb2(0);
	expect_error("multiboot2 header has two entry address tags");
}

/* ---- multiboot2: structural errors ----------------------------------- */

static void test_mb2_tag_too_small(void **state)
{
	(void)state;
	reset();
	tag0(3, 0);	/* entry address tag needs 12 bytes */
	end_tag();
	put_mb2(0);
	expect_error("multiboot2 header tag type 3 has size 8, smaller than 12");
	reset();
	tag0(10, OPT);
	end_tag();
	put_mb2(0);
	expect_error("multiboot2 header tag type 10 has size 8, smaller than 24");
}

static void test_mb2_bad_tag_sizes(void **state)
{
	(void)state;
	reset();
	tag0(6, 0);
	wr32(h.d + 16 + 4, 7);
	end_tag();
	put_mb2(0);
	expect_error("multiboot2 header tag at +0x10 has size 7, smaller than 8");

	reset();
	tag0(6, 0);
	end_tag();
	wr32(h.d + 16 + 4, 17);	/* one byte into the end tag's room, 16 + 17 > 32 */
	put_mb2(0);
	expect_error("multiboot2 header tag at +0x10 runs past header_length 32");

	reset();
	tag0(6, 0);
	end_tag();
	wr32(h.d + 24 + 4, 16);
	put_mb2(0);
	expect_error("multiboot2 header tag at +0x18 runs past header_length 32");

	reset();
	end_tag();
	tag0(0, 0);
	wr32(h.d + 16 + 4, 16);
	put_mb2(0);
	expect_error("multiboot2 header end tag has size 16, not 8");
}

static void test_mb2_no_end_tag(void **state)
{
	(void)state;
	reset();
	tag0(6, 0);
	put_mb2(0);
	expect_error("multiboot2 header has no end tag inside header_length 24");
	/* a header_length that stops mid-way through the end tag */
	reset();
	tag0(6, 0);
	end_tag();
	put_mb2_len(0, 0, 28);
	expect_error("multiboot2 header has no end tag inside header_length 28");
	/* header_length 16: no room for any tag */
	reset();
	put_mb2_len(0, 0, 16);
	expect_error("multiboot2 header has no end tag inside header_length 16");
}

static void test_mb2_fixed_part_errors(void **state)
{
	(void)state;
	reset();
	end_tag();
	put_mb2_len(0x10, 4, 0);
	expect_error("multiboot2 header at 0x10: architecture 4 is not 0 (i386)");
	reset();
	put_mb2_len(0x10, 0, 12);
	expect_error("multiboot2 header at 0x10: header_length 12 is smaller than 16");
	reset();
	put_mb2_len(0x10, 0, 0);
	wr32(img + 0x18, 0);	/* header_length 0, checksum recomputed */
	wr32(img + 0x1c, -(MB2_HEADER_MAGIC));
	expect_error("multiboot2 header at 0x10: header_length 0 is smaller than 16");
}

static void test_mb2_bad_checksum(void **state)
{
	(void)state;
	reset();
	end_tag();
	put_mb2(0x40);
	img[0x40 + 12] ^= 1;
	expect_error("multiboot2 magic at 0x40 but its checksum is wrong");
	/* a later valid header is still found */
	put_mb2(0x80);
	assert_int_equal(find(), 0);
	assert_int_equal(out.offset, 0x80);
}

/* ---- multiboot2: where it may be ------------------------------------- */

static void test_mb2_alignment(void **state)
{
	(void)state;
	reset();
	end_tag();
	put_mb2(0x44);	/* 4- but not 8-aligned: not a multiboot2 header */
	expect_none();
}

static void test_mb2_search_window(void **state)
{
	(void)state;
	/* last place where the whole 24-byte header fits the window */
	reset();
	end_tag();
	put_mb2(MB2_HEADER_SEARCH - 24);
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB2);
	assert_int_equal(out.offset, MB2_HEADER_SEARCH - 24);
	/* the fixed part fits, the tags do not */
	reset();
	end_tag();
	put_mb2(MB2_HEADER_SEARCH - 16);
	expect_error("multiboot2 header at 0x7ff0: header_length 24 runs past the first 32768 bytes");
	/* beyond the window: not found */
	reset();
	end_tag();
	put_mb2(MB2_HEADER_SEARCH);
	expect_none();
	reset();
	end_tag();
	put_mb2(MB2_HEADER_SEARCH - 8);
	expect_none();
}

static void test_mb2_truncated_image(void **state)
{
	(void)state;
	reset();
	end_tag();
	put_mb2(0x100);
	img_len = 0x100 + 23;
	expect_error("multiboot2 header at 0x100: header_length 24 runs past the end of the image");
	img_len = 0x100 + 24;
	assert_int_equal(find(), 0);
	/* the fixed part itself cut: no header */
	img_len = 0x100 + 15;
	expect_none();
}

/* ---- multiboot1 ------------------------------------------------------ */

static void test_mb1_valid(void **state)
{
	(void)state;
	reset();
	put_mb1(0x24, 0x3);
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB1);
	assert_int_equal(out.offset, 0x24);
	assert_int_equal(out.mb1_flags, 3);
	assert_true(out.modules_page_aligned);
	assert_true(out.wants_meminfo);
	assert_true(out.wants_mmap);
	assert_false(out.video_requested);
	assert_false(out.entry_override);

	reset();
	put_mb1(0, 0x4 | (1u << 20));	/* video; an optional high bit */
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB1);
	assert_true(out.video_requested);
	assert_false(out.modules_page_aligned);
	assert_false(out.wants_meminfo);
}

static void test_mb1_errors(void **state)
{
	(void)state;
	reset();
	put_mb1(0x24, 0x3);
	img[0x24 + 8] ^= 0x80;
	expect_error("multiboot1 magic at 0x24 but its checksum is wrong");

	reset();
	put_mb1(0x24, 0x10003);
	expect_error("multiboot1 a.out kludge (flags bit 16) not supported; link the guest as ELF");

	reset();
	put_mb1(0x24, 1u << 5);
	expect_error("unsupported required multiboot1 feature bit 5");
	reset();
	put_mb1(0x24, 1u << 15 | 1);
	expect_error("unsupported required multiboot1 feature bit 15");
	reset();
	put_mb1(0x24, (1u << 9) | (1u << 3) | 2);
	expect_error("unsupported required multiboot1 feature bit 3");
}

static void test_mb1_search_window(void **state)
{
	(void)state;
	reset();
	put_mb1(MB1_HEADER_SEARCH - 12, 0);
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB1);
	assert_int_equal(out.offset, MB1_HEADER_SEARCH - 12);
	reset();
	put_mb1(MB1_HEADER_SEARCH - 8, 0);
	expect_none();
	reset();
	put_mb1(0x22, 0);	/* not 4-aligned */
	expect_none();
	/* image cut inside the header */
	reset();
	put_mb1(0x100, 0);
	img_len = 0x100 + 11;
	expect_none();
}

/* ---- both, neither --------------------------------------------------- */

static void test_both_mb2_wins(void **state)
{
	const uint32_t fb[] = { 0, 0, 0 };

	(void)state;
	reset();
	put_mb1(0x10, 0x3);
	end_tag();
	put_mb2(0x100);
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB2);
	assert_int_equal(out.offset, 0x100);
	assert_int_equal(out.mb1_flags, 0);

	/* an unusable multiboot2 header is an error even with a good mb1 */
	reset();
	put_mb1(0x10, 0x3);
	tag(5, 0, fb, 3);
	end_tag();
	put_mb2(0x100);
	expect_error("guest requires a framebuffer (multiboot2 framebuffer tag); Nestor does not provide one");

	/* a multiboot2 magic with a bad checksum is not a header */
	reset();
	put_mb1(0x10, 0x3);
	end_tag();
	put_mb2(0x100);
	img[0x10c] ^= 1;
	assert_int_equal(find(), 0);
	assert_int_equal(out.kind, MB_KIND_MB1);
}

static void test_neither(void **state)
{
	(void)state;
	reset();
	expect_none();
	img_len = 0;
	expect_none();
	assert_int_equal(mb_header_find(NULL, 0, &out, err, sizeof(err)), 0);
	assert_int_equal(out.kind, MB_KIND_NONE);
	assert_int_equal(mb_header_find(NULL, 10, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "multiboot header search: image pointer is NULL");
	assert_int_equal(mb_header_find(img, 10, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "multiboot header search: output pointer is NULL");
}

static void test_err_buffer(void **state)
{
	char small[10];

	(void)state;
	reset();
	put_mb1(0, 1u << 5);
	assert_int_equal(mb_header_find(img, img_len, &out, NULL, 0), -1);
	assert_int_equal(mb_header_find(img, img_len, &out, small, 0), -1);
	assert_int_equal(mb_header_find(img, img_len, &out, small, sizeof(small)), -1);
	assert_string_equal(small, "unsupport");
}

/* Every prefix of an image with a full header: no out-of-bounds read
 * (ASan), and a clear answer. */
static void test_every_truncation(void **state)
{
	const uint32_t req[] = { 1, 6 }, e = 0x100000;
	uint32_t hend;
	size_t n;

	(void)state;
	reset();
	tag(1, 0, req, 2);
	tag(3, 0, &e, 1);
	end_tag();
	put_mb2(0x200);
	hend = 0x200 + h.len;
	for (n = 0; n <= hend; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int r;

		assert_non_null(copy);
		memcpy(copy, img, n);
		r = mb_header_find(copy, n, &out, err, sizeof(err));
		if (n < 0x210)
			assert_true(r == 0 && out.kind == MB_KIND_NONE);
		else if (n < hend)
			assert_int_equal(r, -1);
		else
			assert_true(r == 0 && out.kind == MB_KIND_MB2 && out.entry_addr == e);
		free(copy);
	}
}

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
	/* boot/entry.asm: an mb2 header with the relocatable tag (type 10,
	 * size 24) and the end tag, then an mb1 header with flags 0; mb2
	 * wins. */
	assert_int_equal(mb_header_find(buf, (size_t)size, &out, err, sizeof(err)), 0);
	assert_int_equal(out.kind, MB_KIND_MB2);
	assert_int_equal(out.offset % 8, 0);
	assert_true(out.offset < MB2_HEADER_SEARCH);
	assert_int_equal(out.mb2_length, 16 + 24 + 8);
	assert_int_equal(out.mb2_tags, 1u << 10);
	assert_false(out.entry_override);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mb2_full),
		cmocka_unit_test(test_mb2_minimal),
		cmocka_unit_test(test_mb2_bytes_after_end_tag),
		cmocka_unit_test(test_mb2_info_request_errors),
		cmocka_unit_test(test_mb2_address_tag),
		cmocka_unit_test(test_mb2_console_and_framebuffer),
		cmocka_unit_test(test_mb2_efi_boot_services),
		cmocka_unit_test(test_mb2_unknown_required_tag),
		cmocka_unit_test(test_mb2_duplicate_entry),
		cmocka_unit_test(test_mb2_tag_too_small),
		cmocka_unit_test(test_mb2_bad_tag_sizes),
		cmocka_unit_test(test_mb2_no_end_tag),
		cmocka_unit_test(test_mb2_fixed_part_errors),
		cmocka_unit_test(test_mb2_bad_checksum),
		cmocka_unit_test(test_mb2_alignment),
		cmocka_unit_test(test_mb2_search_window),
		cmocka_unit_test(test_mb2_truncated_image),
		cmocka_unit_test(test_mb1_valid),
		cmocka_unit_test(test_mb1_errors),
		cmocka_unit_test(test_mb1_search_window),
		cmocka_unit_test(test_both_mb2_wins),
		cmocka_unit_test(test_neither),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_nestor_elf),
	};

	return cmocka_run_group_tests_name("mb_header", tests, NULL, NULL);
}
