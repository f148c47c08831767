/* Unit tests for the multiboot2 boot-information parser (boot/multiboot2.c):
 * builds info blobs with a small builder, checks a realistic GRUB-like info
 * field by field, then every malformed variant the parser must reject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot2.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

/* ---- info builder ---------------------------------------------------- */

#define BLOB_CAP 16384

struct blob {
	_Alignas(8) uint8_t data[BLOB_CAP];
	uint32_t len;
	uint32_t tag_start;
};

static void b_put(struct blob *b, const void *p, size_t n)
{
	assert_true(b->len + n <= BLOB_CAP);
	memcpy(b->data + b->len, p, n);
	b->len += (uint32_t)n;
}

static void b_u8(struct blob *b, uint8_t v) { b_put(b, &v, 1); }
static void b_u32(struct blob *b, uint32_t v) { b_put(b, &v, 4); }
static void b_u64(struct blob *b, uint64_t v) { b_put(b, &v, 8); }

static void set_u32(struct blob *b, uint32_t off, uint32_t v)
{
	wr32(b->data + off, v);
}

static void b_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8; /* total_size and reserved, filled by b_finish */
}

static void b_begin(struct blob *b, uint32_t type)
{
	b->tag_start = b->len;
	b_u32(b, type);
	b_u32(b, 0);
}

/* Writes the tag's size and pads to 8 bytes; returns the tag's offset. */
static uint32_t b_end(struct blob *b)
{
	set_u32(b, b->tag_start + 4, b->len - b->tag_start);
	while (b->len % 8)
		b_u8(b, 0);
	return b->tag_start;
}

static uint32_t b_finish(struct blob *b)
{
	uint32_t off;

	b_begin(b, MB2_TAG_END);
	off = b_end(b);
	set_u32(b, 0, b->len);
	return off;
}

static uint32_t b_string_tag(struct blob *b, uint32_t type, const char *s)
{
	b_begin(b, type);
	b_put(b, s, strlen(s) + 1);
	return b_end(b);
}

static uint32_t b_module(struct blob *b, uint32_t start, uint32_t end,
			 const char *s)
{
	b_begin(b, MB2_TAG_MODULE);
	b_u32(b, start);
	b_u32(b, end);
	b_put(b, s, strlen(s) + 1);
	return b_end(b);
}

static uint32_t b_meminfo(struct blob *b, uint32_t lower, uint32_t upper)
{
	b_begin(b, MB2_TAG_BASIC_MEMINFO);
	b_u32(b, lower);
	b_u32(b, upper);
	return b_end(b);
}

struct e820 {
	uint64_t base, len;
	uint32_t type;
};

static uint32_t b_mmap_v(struct blob *b, uint32_t entry_size,
			 uint32_t version, const struct e820 *e, unsigned n)
{
	unsigned i, pad;

	b_begin(b, MB2_TAG_MMAP);
	b_u32(b, entry_size);
	b_u32(b, version);
	for (i = 0; i < n; i++) {
		b_u64(b, e[i].base);
		b_u64(b, e[i].len);
		b_u32(b, e[i].type);
		for (pad = 20; pad < entry_size; pad++)
			b_u8(b, 0xee);
	}
	return b_end(b);
}

static uint32_t b_mmap(struct blob *b, const struct e820 *e, unsigned n)
{
	return b_mmap_v(b, 24, 0, e, n);
}

static void fill_rsdp_v1(uint8_t r[20])
{
	uint8_t sum = 0;
	int i;

	memcpy(r, "RSD PTR ", 8);
	r[8] = 0;
	memcpy(r + 9, "NESTOR", 6);
	r[15] = 0;
	r[16] = 0x00; r[17] = 0x10; r[18] = 0xfe; r[19] = 0x7f; /* RSDT */
	for (i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (uint8_t)-sum;
}

static void fill_rsdp_v2(uint8_t r[36])
{
	uint64_t xsdt = 0x7ffe1100;
	uint8_t sum = 0;
	uint32_t len = 36;
	int i;

	memset(r, 0, 36);
	fill_rsdp_v1(r);
	r[15] = 2;
	/* revision changed, recompute the 20-byte checksum */
	r[8] = 0;
	for (i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (uint8_t)-sum;
	memcpy(r + 20, &len, 4);
	memcpy(r + 24, &xsdt, 8);
	sum = 0;
	for (i = 0; i < 36; i++)
		sum += r[i];
	r[32] = (uint8_t)-sum;
}

static uint32_t b_raw_tag(struct blob *b, uint32_t type, const void *p,
			  size_t n)
{
	b_begin(b, type);
	b_put(b, p, n);
	return b_end(b);
}

static uint32_t b_rsdp_v1(struct blob *b)
{
	uint8_t r[20];

	fill_rsdp_v1(r);
	return b_raw_tag(b, MB2_TAG_ACPI_OLD, r, sizeof(r));
}

static uint32_t b_rsdp_v2(struct blob *b)
{
	uint8_t r[36];

	fill_rsdp_v2(r);
	return b_raw_tag(b, MB2_TAG_ACPI_NEW, r, sizeof(r));
}

static uint32_t b_framebuffer(struct blob *b)
{
	b_begin(b, MB2_TAG_FRAMEBUFFER);
	b_u64(b, 0xfd000000);
	b_u32(b, 4096);
	b_u32(b, 1024);
	b_u32(b, 768);
	b_u8(b, 32);
	b_u8(b, 1);	/* RGB */
	b_u8(b, 0);
	b_u8(b, 0);
	b_u8(b, 16); b_u8(b, 8); b_u8(b, 8); b_u8(b, 8);
	b_u8(b, 0); b_u8(b, 8);
	return b_end(b);
}

struct efi_desc {
	uint32_t type;
	uint64_t phys, pages;
};

static uint32_t b_efi_mmap(struct blob *b, uint32_t desc_size,
			   const struct efi_desc *d, unsigned n)
{
	unsigned i, pad;

	b_begin(b, MB2_TAG_EFI_MMAP);
	b_u32(b, desc_size);
	b_u32(b, 1);
	for (i = 0; i < n; i++) {
		b_u32(b, d[i].type);
		b_u32(b, 0);
		b_u64(b, d[i].phys);
		b_u64(b, 0);		/* VirtualStart */
		b_u64(b, d[i].pages);
		b_u64(b, 0xf);		/* Attribute */
		for (pad = 40; pad < desc_size; pad++)
			b_u8(b, 0xee);
	}
	return b_end(b);
}

/* ---- parsing helpers --------------------------------------------------- */

/* Parse from an exact-size heap copy so ASan catches any read past it.
 * The copy lives until the next parse or the test's teardown. */
static uint8_t *g_copy;

static int free_copy(void **state)
{
	(void)state;
	free(g_copy);
	g_copy = NULL;
	return 0;
}

static int parse_avail(const struct blob *b, size_t avail,
		       struct mb2_info *mi, struct mb2_error *err)
{
	free(g_copy);
	g_copy = malloc(b->len);
	assert_non_null(g_copy);
	assert_int_equal((uintptr_t)g_copy % 8, 0);
	memcpy(g_copy, b->data, b->len);
	assert_true(avail <= b->len);
	return mb2_parse(g_copy, avail, mi, err);
}

static int parse(const struct blob *b, struct mb2_info *mi,
		 struct mb2_error *err)
{
	return parse_avail(b, b->len, mi, err);
}

static void expect_error(const struct blob *b, const char *msg,
			 uint32_t offset, uint32_t tag_type)
{
	static struct mb2_info mi;
	struct mb2_error err;

	assert_int_equal(parse(b, &mi, &err), -1);
	assert_non_null(err.msg);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.offset, offset);
	assert_int_equal(err.tag_type, tag_type);
	/* A failed parse leaves nothing half-filled behind. */
	assert_null(mi.cmdline);
	assert_int_equal(mi.mmap_count, 0);
	assert_int_equal(mi.total_size, 0);
}

static void expect_ok(const struct blob *b, struct mb2_info *mi)
{
	struct mb2_error err;

	assert_int_equal(parse(b, mi, &err), 0);
	assert_int_equal(mi->total_size, b->len);
}

static const char *copy_at(uint32_t off)
{
	return (const char *)g_copy + off;
}

/* ---- realistic info ---------------------------------------------------- */

static const struct e820 grub_map[6] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7fee0000, 1 },
	{ 0x7ffe0000, 0x20000, 3 },
	{ 0x100000000, 0x80000000, 1 },
};

static void test_grub_like_info(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t cmd, name, m1, m2, v2;
	const struct mem_region *map;
	unsigned i, n = 99;

	(void)state;
	b_init(&b);
	cmd = b_string_tag(&b, MB2_TAG_CMDLINE, "nestor console=com1 loglevel=4");
	name = b_string_tag(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	m1 = b_module(&b, 0x200000, 0x3f0123, "bzImage console=ttyS0");
	m2 = b_module(&b, 0x400000, 0x400000, "");
	b_meminfo(&b, 639, 2096000);
	b_string_tag(&b, MB2_TAG_BOOTDEV, "\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
	b_mmap(&b, grub_map, 6);
	b_framebuffer(&b);
	b_rsdp_v1(&b);
	v2 = b_rsdp_v2(&b);
	b_finish(&b);

	expect_ok(&b, &mi);
	assert_ptr_equal(mi.cmdline, copy_at(cmd + 8));
	assert_string_equal(mi.cmdline, "nestor console=com1 loglevel=4");
	assert_ptr_equal(mi.loader_name, copy_at(name + 8));
	assert_string_equal(mi.loader_name, "GRUB 2.06");

	assert_int_equal(mi.module_count, 2);
	assert_false(mi.modules_truncated);
	assert_int_equal(mi.modules[0].start, 0x200000);
	assert_int_equal(mi.modules[0].end, 0x3f0123);
	assert_ptr_equal(mi.modules[0].cmdline, copy_at(m1 + 16));
	assert_string_equal(mi.modules[0].cmdline, "bzImage console=ttyS0");
	assert_int_equal(mi.modules[1].start, 0x400000);
	assert_int_equal(mi.modules[1].end, 0x400000);
	assert_ptr_equal(mi.modules[1].cmdline, copy_at(m2 + 16));
	assert_string_equal(mi.modules[1].cmdline, "");

	assert_true(mi.have_basic_meminfo);
	assert_int_equal(mi.mem_lower_kb, 639);
	assert_int_equal(mi.mem_upper_kb, 2096000);

	assert_true(mi.have_mmap);
	assert_false(mi.mmap_truncated);
	assert_int_equal(mi.mmap_count, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(mi.mmap[i].base, grub_map[i].base);
		assert_int_equal(mi.mmap[i].len, grub_map[i].len);
		assert_int_equal(mi.mmap[i].type, grub_map[i].type);
	}
	assert_false(mi.have_efi_mmap);
	map = mb2_memory_map(&mi, &n);
	assert_ptr_equal(map, mi.mmap);
	assert_int_equal(n, 6);

	assert_true(mi.have_fb);
	assert_int_equal(mi.fb.addr, 0xfd000000);
	assert_int_equal(mi.fb.pitch, 4096);
	assert_int_equal(mi.fb.width, 1024);
	assert_int_equal(mi.fb.height, 768);
	assert_int_equal(mi.fb.bpp, 32);
	assert_int_equal(mi.fb.type, 1);

	/* Both RSDPs valid: the ACPI 2.0 one wins. */
	assert_ptr_equal(mi.rsdp, copy_at(v2 + 8));
	assert_int_equal(mi.rsdp_len, 36);
	assert_int_equal(mi.rsdp_version, 2);

	assert_false(mi.efi_boot_services_not_exited);
	assert_int_equal(mi.warning_count, 0);
	assert_int_equal(mi.warnings_dropped, 0);
}

static void test_minimal_info(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	unsigned n = 99;

	(void)state;
	b_init(&b);
	b_finish(&b);
	assert_int_equal(b.len, 16);
	expect_ok(&b, &mi);
	assert_null(mi.cmdline);
	assert_null(mi.loader_name);
	assert_null(mi.rsdp);
	assert_int_equal(mi.rsdp_version, 0);
	assert_false(mi.have_mmap);
	assert_false(mi.have_basic_meminfo);
	assert_int_equal(mi.module_count, 0);
	assert_null(mb2_memory_map(&mi, &n));
	assert_int_equal(n, 0);
	assert_null(mb2_memory_map(NULL, NULL));
}

static void test_rsdp_v1_only(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t v1;

	(void)state;
	b_init(&b);
	v1 = b_rsdp_v1(&b);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_ptr_equal(mi.rsdp, copy_at(v1 + 8));
	assert_int_equal(mi.rsdp_len, 20);
	assert_int_equal(mi.rsdp_version, 1);
	assert_int_equal(mi.warning_count, 0);
}

static void test_rsdp_prefers_new_in_any_order(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t v2;

	(void)state;
	b_init(&b);
	v2 = b_rsdp_v2(&b);
	b_rsdp_v1(&b);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_ptr_equal(mi.rsdp, copy_at(v2 + 8));
	assert_int_equal(mi.rsdp_version, 2);
}

/* ---- header checks ----------------------------------------------------- */

static void test_null_arguments(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	struct mb2_error err;

	(void)state;
	b_init(&b);
	b_finish(&b);
	assert_int_equal(mb2_parse(NULL, 64, &mi, &err), -1);
	assert_string_equal(err.msg, "info pointer is NULL");
	assert_int_equal(err.tag_type, MB2_NO_TAG);
	assert_int_equal(mb2_parse(b.data, b.len, NULL, &err), -1);
	assert_string_equal(err.msg, "output pointer is NULL");
	/* err is optional */
	assert_int_equal(mb2_parse(b.data, 4, &mi, NULL), -1);
	assert_int_equal(mb2_parse(b.data, b.len, &mi, NULL), 0);
}

static void test_misaligned_pointer(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	struct mb2_error err;
	uint8_t *raw;
	int shift;

	(void)state;
	b_init(&b);
	b_finish(&b);
	raw = malloc(b.len + 8);
	assert_non_null(raw);
	for (shift = 1; shift < 8; shift++) {
		memcpy(raw + shift, b.data, b.len);
		assert_int_equal(mb2_parse(raw + shift, b.len, &mi, &err), -1);
		assert_string_equal(err.msg, "info pointer is not 8-byte aligned");
		assert_int_equal(err.offset, 0);
	}
	free(raw);
}

static void test_avail_below_fixed_part(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	struct mb2_error err;

	(void)state;
	b_init(&b);
	b_finish(&b);
	assert_int_equal(parse_avail(&b, 7, &mi, &err), -1);
	assert_string_equal(err.msg, "fewer than 8 readable bytes for the fixed part");
	assert_int_equal(parse_avail(&b, 0, &mi, &err), -1);
	assert_string_equal(err.msg, "fewer than 8 readable bytes for the fixed part");
}

static void test_total_size_too_small(void **state)
{
	static struct blob b;
	static const uint32_t sizes[] = { 0, 8, 15 };
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		b_init(&b);
		b_finish(&b);
		set_u32(&b, 0, sizes[i]);
		expect_error(&b, "total_size is smaller than 16 (fixed part + end tag)",
			     0, MB2_NO_TAG);
	}
}

static void test_total_size_over_avail(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	struct mb2_error err;

	(void)state;
	b_init(&b);
	b_string_tag(&b, MB2_TAG_CMDLINE, "x");
	b_finish(&b);
	/* Exactly total_size readable: fine. One byte less: rejected. */
	assert_int_equal(parse_avail(&b, b.len, &mi, &err), 0);
	assert_int_equal(parse_avail(&b, b.len - 1, &mi, &err), -1);
	assert_string_equal(err.msg, "total_size is larger than the readable bytes");
	assert_int_equal(err.offset, 0);

	set_u32(&b, 0, 0xfffffff8);
	expect_error(&b, "total_size is larger than the readable bytes", 0,
		     MB2_NO_TAG);
}

static void test_total_size_too_large_for_tags(void **state)
{
	static struct blob b;
	uint32_t end;

	(void)state;
	/* total_size covers 8 zero bytes beyond the end tag. */
	b_init(&b);
	end = b_finish(&b);
	b_u64(&b, 0);
	set_u32(&b, 0, b.len);
	expect_error(&b, "bytes follow the end tag inside total_size", end,
		     MB2_TAG_END);
}

static void test_total_size_not_multiple_of_8(void **state)
{
	static struct blob b;

	(void)state;
	b_init(&b);
	b_finish(&b);
	b_u32(&b, 0);
	set_u32(&b, 0, 20);
	expect_error(&b, "total_size is not a multiple of 8", 0, MB2_NO_TAG);
}

static void test_reserved_nonzero_is_warning(void **state)
{
	static struct blob b;
	static struct mb2_info mi;

	(void)state;
	b_init(&b);
	b_finish(&b);
	set_u32(&b, 4, 0xdeadbeef);
	expect_ok(&b, &mi);
	assert_int_equal(mi.warning_count, 1);
	assert_string_equal(mi.warnings[0],
			    "reserved field of the fixed part is 0xdeadbeef, not 0 at 0x00000004");
}

/* ---- generic tag checks ------------------------------------------------ */

static void test_tag_size_below_8(void **state)
{
	static struct blob b;
	static const uint32_t sizes[] = { 0, 4, 7 };
	uint32_t off;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		b_init(&b);
		b_meminfo(&b, 1, 2);
		off = b_meminfo(&b, 1, 2);
		b_finish(&b);
		set_u32(&b, off + 4, sizes[i]);
		expect_error(&b, "tag size is smaller than 8", off + 4,
			     MB2_TAG_BASIC_MEMINFO);
	}
}

static void test_tag_overruns_total_size(void **state)
{
	static struct blob b;
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_string_tag(&b, 77, "unknown tag");
	b_finish(&b);
	/* Tag reaches exactly total_size: it swallows the end tag. */
	set_u32(&b, off + 4, b.len - off);
	expect_error(&b, "no end tag before total_size runs out", b.len,
		     MB2_NO_TAG);
	/* One byte further: overrun. */
	set_u32(&b, off + 4, b.len - off + 1);
	expect_error(&b, "tag runs past total_size", off + 4, 77);
	/* Huge size must not wrap the offset arithmetic. */
	set_u32(&b, off + 4, 0xfffffff9);
	expect_error(&b, "tag runs past total_size", off + 4, 77);
	set_u32(&b, off + 4, 0xffffffff);
	expect_error(&b, "tag runs past total_size", off + 4, 77);
}

static void test_missing_end_tag(void **state)
{
	static struct blob b;

	(void)state;
	b_init(&b);
	b_meminfo(&b, 1, 2);
	set_u32(&b, 0, b.len);
	expect_error(&b, "no end tag before total_size runs out", b.len,
		     MB2_NO_TAG);
}

static void test_end_tag_wrong_size(void **state)
{
	static struct blob b;
	uint32_t off;

	(void)state;
	b_init(&b);
	b_begin(&b, MB2_TAG_END);
	b_u64(&b, 0);
	off = b_end(&b);
	set_u32(&b, 0, b.len);
	expect_error(&b, "end tag size is not 8", off + 4, MB2_TAG_END);
}

static void test_unknown_tags_are_skipped(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint8_t junk[13] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

	(void)state;
	b_init(&b);
	b_raw_tag(&b, 99, junk, sizeof(junk));	/* size 21, padded to 24 */
	b_raw_tag(&b, 0xffffffff, junk, 0);
	b_raw_tag(&b, MB2_TAG_ELF_SECTIONS, junk, 5);
	b_string_tag(&b, MB2_TAG_CMDLINE, "after");
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_string_equal(mi.cmdline, "after");
	assert_int_equal(mi.warning_count, 0);
}

struct min_size_case {
	uint32_t type;
	uint32_t size;	/* one below the minimum */
	const char *msg;
};

static void test_tag_minimum_sizes(void **state)
{
	static const struct min_size_case cases[] = {
		{ MB2_TAG_CMDLINE, 8, "cmdline tag is smaller than 9 (header + NUL)" },
		{ MB2_TAG_LOADER_NAME, 8, "loader name tag is smaller than 9 (header + NUL)" },
		{ MB2_TAG_MODULE, 16, "module tag is smaller than 17 (start, end, NUL)" },
		{ MB2_TAG_BASIC_MEMINFO, 15, "basic meminfo tag is smaller than 16" },
		{ MB2_TAG_MMAP, 15, "mmap tag is smaller than its 16-byte header" },
		{ MB2_TAG_FRAMEBUFFER, 30, "framebuffer tag is smaller than 31" },
		{ MB2_TAG_ACPI_OLD, 27, "ACPI old RSDP tag is smaller than 28 (header + 20)" },
		{ MB2_TAG_ACPI_NEW, 43, "ACPI new RSDP tag is smaller than 44 (header + 36)" },
		{ MB2_TAG_EFI_MMAP, 15, "EFI mmap tag is smaller than its 16-byte header" },
		{ MB2_TAG_LOAD_BASE_ADDR, 11, "load base address tag is smaller than 12" },
	};
	static struct blob b;
	uint8_t zeros[64] = { 0 };
	uint32_t off;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		b_init(&b);
		off = b_raw_tag(&b, cases[i].type, zeros, cases[i].size - 8);
		b_finish(&b);
		expect_error(&b, cases[i].msg, off + 4, cases[i].type);
	}
}

/* ---- strings ----------------------------------------------------------- */

static void test_unterminated_strings(void **state)
{
	static const uint32_t types[] = { MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME };
	static const char *const msgs[] = {
		"cmdline tag string is not NUL-terminated inside the tag",
		"loader name string is not NUL-terminated inside the tag",
	};
	static struct blob b;
	uint32_t off;
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* "abc" without NUL, followed by zero padding that must not
		 * count as the terminator. */
		b_init(&b);
		off = b_raw_tag(&b, types[i], "abc", 3);
		b_finish(&b);
		expect_error(&b, msgs[i], off + 8, types[i]);
	}

	b_init(&b);
	b_begin(&b, MB2_TAG_MODULE);
	b_u32(&b, 0x1000);
	b_u32(&b, 0x2000);
	b_put(&b, "mod", 3);
	off = b_end(&b);
	b_finish(&b);
	expect_error(&b, "module string is not NUL-terminated inside the tag",
		     off + 16, MB2_TAG_MODULE);
}

static void test_string_nul_is_last_byte(void **state)
{
	static struct blob b;
	static struct mb2_info mi;

	(void)state;
	/* Tag of size 16: 7 chars + NUL, no padding. */
	b_init(&b);
	b_string_tag(&b, MB2_TAG_CMDLINE, "1234567");
	b_finish(&b);
	assert_int_equal(b.len, 32);
	expect_ok(&b, &mi);
	assert_string_equal(mi.cmdline, "1234567");
}

/* ---- memory map -------------------------------------------------------- */

static void test_mmap_bad_entry_size(void **state)
{
	static const uint32_t small[] = { 0, 8, 16 };
	static const uint32_t unaligned[] = { 28, 36 };
	static struct blob b;
	uint32_t off;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		b_init(&b);
		off = b_mmap(&b, grub_map, 2);
		b_finish(&b);
		set_u32(&b, off + 8, small[i]);
		expect_error(&b, "mmap entry_size is smaller than 24", off + 8,
			     MB2_TAG_MMAP);
	}
	for (i = 0; i < 2; i++) {
		b_init(&b);
		off = b_mmap_v(&b, unaligned[i], 0, grub_map, 2);
		b_finish(&b);
		expect_error(&b, "mmap entry_size is not a multiple of 8",
			     off + 8, MB2_TAG_MMAP);
	}
}

static void test_mmap_partial_entry(void **state)
{
	static struct blob b;
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_mmap(&b, grub_map, 2);
	b_finish(&b);
	set_u32(&b, off + 4, 16 + 24 + 16);	/* 1 entry and 2/3 of one */
	expect_error(&b, "mmap tag size is not 16 + a whole number of entries",
		     off + 16, MB2_TAG_MMAP);
}

static void test_mmap_larger_entry_size(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	unsigned i;

	(void)state;
	b_init(&b);
	b_mmap_v(&b, 40, 0, grub_map, 6);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap_count, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(mi.mmap[i].base, grub_map[i].base);
		assert_int_equal(mi.mmap[i].len, grub_map[i].len);
	}
}

static void test_mmap_empty(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	unsigned n = 99;

	(void)state;
	b_init(&b);
	b_mmap(&b, grub_map, 0);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_true(mi.have_mmap);
	assert_int_equal(mi.mmap_count, 0);
	assert_ptr_equal(mb2_memory_map(&mi, &n), mi.mmap);
	assert_int_equal(n, 0);
}

static void test_mmap_entry_version_is_warning(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_mmap_v(&b, 24, 1, grub_map, 1);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap_count, 1);
	assert_int_equal(mi.warning_count, 1);
	assert_int_equal(off, 8);
	assert_string_equal(mi.warnings[0],
			    "mmap entry_version is 1, not 0; read as version 0 at 0x00000014");
}

static void test_mmap_types_converted(void **state)
{
	static const struct e820 e[] = {
		{ 0, 1, 0 }, { 1, 1, 1 }, { 2, 1, 2 }, { 3, 1, 3 },
		{ 4, 1, 4 }, { 5, 1, 5 }, { 6, 1, 6 }, { 7, 1, 0xffffffff },
	};
	static const uint32_t want[] = {
		MEM_RESERVED, MEM_AVAILABLE, MEM_RESERVED, MEM_ACPI_RECLAIMABLE,
		MEM_ACPI_NVS, MEM_BAD, MEM_RESERVED, MEM_RESERVED,
	};
	static struct blob b;
	static struct mb2_info mi;
	unsigned i;

	(void)state;
	b_init(&b);
	b_mmap(&b, e, 8);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap_count, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(mi.mmap[i].type, want[i]);
}

static void test_mmap_entry_overflow(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	struct e820 e[2] = { { 0, 0x1000, 1 }, { 0xfffffffffffff000, 0x1000, 2 } };
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_mmap(&b, e, 2);
	b_finish(&b);
	expect_error(&b, "mmap entry base + length overflows 64 bits",
		     off + 16 + 24, MB2_TAG_MMAP);

	/* Ending at the last byte of the address space is fine. */
	e[1].len = 0xfff;
	b_init(&b);
	b_mmap(&b, e, 2);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap[1].base + mi.mmap[1].len, UINT64_MAX);
}

static void test_mmap_truncation(void **state)
{
	static struct e820 e[MB2_MAX_MMAP + 1];
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off;
	unsigned i;

	(void)state;
	for (i = 0; i < MB2_MAX_MMAP + 1; i++)
		e[i] = (struct e820){ (uint64_t)i << 20, 1 << 20, 1 };

	b_init(&b);
	b_mmap(&b, e, MB2_MAX_MMAP);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap_count, MB2_MAX_MMAP);
	assert_false(mi.mmap_truncated);
	assert_int_equal(mi.warning_count, 0);

	b_init(&b);
	off = b_mmap(&b, e, MB2_MAX_MMAP + 1);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.mmap_count, MB2_MAX_MMAP);
	assert_true(mi.mmap_truncated);
	assert_int_equal(mi.mmap[MB2_MAX_MMAP - 1].base,
			 (uint64_t)(MB2_MAX_MMAP - 1) << 20);
	assert_int_equal(mi.warning_count, 1);
	assert_int_equal(off + 16 + 24 * MB2_MAX_MMAP, 0xc18);
	assert_string_equal(mi.warnings[0],
			    "more than 128 mmap entries, extra ignored at 0x00000c18");
}

static void test_duplicate_unique_tags(void **state)
{
	static struct blob b;
	uint32_t off;

	(void)state;
	b_init(&b);
	b_string_tag(&b, MB2_TAG_CMDLINE, "one");
	off = b_string_tag(&b, MB2_TAG_CMDLINE, "two");
	b_finish(&b);
	expect_error(&b, "duplicate cmdline tag", off, MB2_TAG_CMDLINE);

	b_init(&b);
	b_mmap(&b, grub_map, 1);
	b_meminfo(&b, 1, 2);
	off = b_mmap(&b, grub_map, 1);
	b_finish(&b);
	expect_error(&b, "duplicate mmap tag", off, MB2_TAG_MMAP);

	b_init(&b);
	b_rsdp_v2(&b);
	off = b_rsdp_v2(&b);
	b_finish(&b);
	expect_error(&b, "duplicate ACPI new RSDP tag", off, MB2_TAG_ACPI_NEW);
}

/* Spec 3.6.23: the load base of a relocated image; unique, 12 bytes. */
static void test_load_base_tag(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off;

	(void)state;
	b_init(&b);
	b_begin(&b, MB2_TAG_LOAD_BASE_ADDR);
	b_u32(&b, 0x0fc00000);
	b_end(&b);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_true(mi.have_load_base);
	assert_int_equal(mi.load_base, 0x0fc00000);

	b_init(&b);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_false(mi.have_load_base);

	b_init(&b);
	b_begin(&b, MB2_TAG_LOAD_BASE_ADDR);
	b_u32(&b, 0x200000);
	b_end(&b);
	b_begin(&b, MB2_TAG_LOAD_BASE_ADDR);
	b_u32(&b, 0x400000);
	off = b_end(&b);
	b_finish(&b);
	expect_error(&b, "duplicate load base address tag", off,
		     MB2_TAG_LOAD_BASE_ADDR);

}

/* ---- modules ----------------------------------------------------------- */

static void test_module_start_above_end(void **state)
{
	static struct blob b;
	uint32_t off;

	(void)state;
	b_init(&b);
	b_module(&b, 0x1000, 0x2000, "ok");
	off = b_module(&b, 0x2001, 0x2000, "bad");
	b_finish(&b);
	expect_error(&b, "module mod_start is above mod_end", off + 8,
		     MB2_TAG_MODULE);
}

static void test_module_truncation(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off = 0, last_kept = 0;
	unsigned i;

	(void)state;
	b_init(&b);
	for (i = 0; i < MB2_MAX_MODULES + 1; i++) {
		off = b_module(&b, i * 0x1000, i * 0x1000 + 0x800, "m");
		if (i == MB2_MAX_MODULES - 1)
			last_kept = off;
	}
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.module_count, MB2_MAX_MODULES);
	assert_true(mi.modules_truncated);
	assert_int_equal(mi.modules[MB2_MAX_MODULES - 1].start,
			 (MB2_MAX_MODULES - 1) * 0x1000);
	assert_ptr_equal(mi.modules[MB2_MAX_MODULES - 1].cmdline,
			 copy_at(last_kept + 16));
	assert_int_equal(mi.warning_count, 1);
	assert_int_equal(off, 8 + 24 * MB2_MAX_MODULES);
	assert_string_equal(mi.warnings[0],
			    "more than 16 modules, extra ignored at 0x00000188");
}

/* ---- ACPI RSDP --------------------------------------------------------- */

static void test_bad_rsdp_v1_checksum(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_rsdp_v1(&b);
	b_finish(&b);
	b.data[off + 8 + 19] ^= 1;
	expect_ok(&b, &mi);
	assert_null(mi.rsdp);
	assert_int_equal(mi.rsdp_len, 0);
	assert_int_equal(mi.rsdp_version, 0);
	assert_int_equal(mi.warning_count, 1);
	assert_string_equal(mi.warnings[0],
			    "ACPI RSDP checksum (first 20 bytes) is bad, RSDP ignored at 0x00000008");
}

static void test_bad_rsdp_signature(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_rsdp_v1(&b);
	b_finish(&b);
	b.data[off + 8] = 'X';
	b.data[off + 8 + 8] += 'R' - 'X';	/* keep the checksum valid */
	expect_ok(&b, &mi);
	assert_null(mi.rsdp);
	assert_int_equal(mi.warning_count, 1);
	assert_string_equal(mi.warnings[0],
			    "ACPI RSDP signature is not \"RSD PTR \", RSDP ignored at 0x00000008");
}

static void test_bad_rsdp_v2_falls_back_to_v1(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint32_t v1, v2;

	(void)state;
	b_init(&b);
	v2 = b_rsdp_v2(&b);
	v1 = b_rsdp_v1(&b);
	b_finish(&b);
	b.data[v2 + 8 + 35] ^= 0x40;	/* only the extended checksum breaks */
	expect_ok(&b, &mi);
	assert_ptr_equal(mi.rsdp, copy_at(v1 + 8));
	assert_int_equal(mi.rsdp_len, 20);
	assert_int_equal(mi.rsdp_version, 1);
	assert_int_equal(mi.warning_count, 1);
	assert_string_equal(mi.warnings[0],
			    "ACPI 2.0 RSDP extended checksum is bad, RSDP ignored at 0x00000008");
}

static void test_rsdp_v2_bad_length_or_revision(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint8_t r[36];
	uint32_t len;

	(void)state;
	/* Length 37 but the tag holds only 36 bytes. */
	fill_rsdp_v2(r);
	len = 37;
	memcpy(r + 20, &len, 4);
	r[32]--;	/* Length +1, so extended checksum -1 keeps it valid */
	b_init(&b);
	b_raw_tag(&b, MB2_TAG_ACPI_NEW, r, 36);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_null(mi.rsdp);
	assert_string_equal(mi.warnings[0],
			    "ACPI 2.0 RSDP Length is < 36 or past its tag, RSDP ignored at 0x00000008");

	fill_rsdp_v2(r);
	len = 20;
	memcpy(r + 20, &len, 4);
	b_init(&b);
	b_raw_tag(&b, MB2_TAG_ACPI_NEW, r, 36);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_null(mi.rsdp);
	assert_string_equal(mi.warnings[0],
			    "ACPI 2.0 RSDP Length is < 36 or past its tag, RSDP ignored at 0x00000008");

	/* Revision 0 in a tag-15 RSDP: Length would be meaningless. */
	fill_rsdp_v1(r);
	memset(r + 20, 0, 16);
	b_init(&b);
	b_raw_tag(&b, MB2_TAG_ACPI_NEW, r, 36);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_null(mi.rsdp);
	assert_string_equal(mi.warnings[0],
			    "ACPI 2.0 RSDP has revision < 2, RSDP ignored at 0x00000008");
}

static void test_rsdp_v2_longer_length(void **state)
{
	static struct blob b;
	static struct mb2_info mi;
	uint8_t r[40];
	uint32_t len = 40, off;
	uint8_t sum = 0;
	int i;

	(void)state;
	fill_rsdp_v2(r);
	memcpy(r + 20, &len, 4);
	r[36] = 0x11; r[37] = 0x22; r[38] = 0x33; r[39] = 0;
	r[32] = 0;
	for (i = 0; i < 40; i++)
		sum += r[i];
	r[32] = (uint8_t)-sum;
	b_init(&b);
	off = b_raw_tag(&b, MB2_TAG_ACPI_NEW, r, 40);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_ptr_equal(mi.rsdp, copy_at(off + 8));
	assert_int_equal(mi.rsdp_len, 40);
	assert_int_equal(mi.rsdp_version, 2);
}

/* ---- EFI memory map ---------------------------------------------------- */

static void test_efi_mmap_descriptor_size_48(void **state)
{
	static const struct efi_desc d[] = {
		{ 0, 0x0, 1 },			/* Reserved */
		/* Gaps between same-type neighbours keep them unmerged. */
		{ 1, 0x1000, 2 },		/* LoaderCode */
		{ 2, 0x4000, 3 },		/* LoaderData */
		{ 3, 0x8000, 4 },		/* BootServicesCode */
		{ 4, 0xd000, 1 },		/* BootServicesData */
		{ 5, 0xf000, 1 },		/* RuntimeServicesCode */
		{ 6, 0x11000, 1 },		/* RuntimeServicesData */
		{ 7, 0x100000, 0x7ff00 },	/* Conventional */
		{ 8, 0x80000000, 1 },		/* Unusable */
		{ 9, 0x80001000, 2 },		/* ACPIReclaim */
		{ 10, 0x80003000, 3 },		/* ACPINVS */
		{ 11, 0xfee00000, 1 },		/* MMIO */
		{ 12, 0xfee02000, 1 },		/* MMIOPortSpace */
		{ 13, 0xfee04000, 1 },		/* PalCode */
		{ 14, 0x100000000, 0x100 },	/* Persistent */
		{ 0x70000000, 0x200000000, 1 },	/* OEM range */
	};
	static const uint32_t want[] = {
		MEM_RESERVED, MEM_AVAILABLE, MEM_AVAILABLE, MEM_AVAILABLE,
		MEM_AVAILABLE, MEM_RESERVED, MEM_RESERVED, MEM_AVAILABLE,
		MEM_BAD, MEM_ACPI_RECLAIMABLE, MEM_ACPI_NVS, MEM_RESERVED,
		MEM_RESERVED, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,
	};
	static struct blob b;
	static struct mb2_info mi;
	unsigned i, n = 0;

	(void)state;
	b_init(&b);
	b_raw_tag(&b, MB2_TAG_EFI_BS_NOT_EXITED, "", 0);
	b_efi_mmap(&b, 48, d, ARRAY_SIZE(d));
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_true(mi.efi_boot_services_not_exited);
	assert_true(mi.have_efi_mmap);
	assert_false(mi.have_mmap);
	assert_false(mi.efi_mmap_truncated);
	assert_int_equal(mi.efi_mmap_count, ARRAY_SIZE(d));
	for (i = 0; i < ARRAY_SIZE(d); i++) {
		assert_int_equal(mi.efi_mmap[i].base, d[i].phys);
		assert_int_equal(mi.efi_mmap[i].len, d[i].pages * 4096);
		assert_int_equal(mi.efi_mmap[i].type, want[i]);
	}
	assert_ptr_equal(mb2_memory_map(&mi, &n), mi.efi_mmap);
	assert_int_equal(n, ARRAY_SIZE(d));
}

static void test_efi_mmap_descriptor_size_40_and_tag6_preferred(void **state)
{
	static const struct efi_desc d[] = { { 7, 0x100000, 16 } };
	static struct blob b;
	static struct mb2_info mi;
	unsigned n = 0;

	(void)state;
	b_init(&b);
	b_efi_mmap(&b, 40, d, 1);
	b_mmap(&b, grub_map, 6);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.efi_mmap_count, 1);
	assert_int_equal(mi.efi_mmap[0].len, 0x10000);
	assert_ptr_equal(mb2_memory_map(&mi, &n), mi.mmap);
	assert_int_equal(n, 6);
}

static void test_efi_mmap_bad(void **state)
{
	static const struct efi_desc d[] = {
		{ 7, 0x100000, 16 },
		{ 7, 0x1000, 0x0010000000000000ULL },	/* pages * 4096 overflows */
	};
	static struct blob b;
	struct efi_desc top[1] = { { 7, 0xfffffffffffff000ULL, 1 } };
	uint32_t off;

	(void)state;
	b_init(&b);
	off = b_efi_mmap(&b, 32, d, 1);
	b_finish(&b);
	expect_error(&b, "EFI mmap descriptor_size is smaller than 40", off + 8,
		     MB2_TAG_EFI_MMAP);

	b_init(&b);
	off = b_efi_mmap(&b, 48, d, 2);
	b_finish(&b);
	expect_error(&b, "EFI descriptor pages * 4096 + base overflows 64 bits",
		     off + 16 + 48, MB2_TAG_EFI_MMAP);

	b_init(&b);
	off = b_efi_mmap(&b, 48, top, 1);
	b_finish(&b);
	expect_error(&b, "EFI descriptor pages * 4096 + base overflows 64 bits",
		     off + 16, MB2_TAG_EFI_MMAP);

	b_init(&b);
	off = b_efi_mmap(&b, 48, d, 1);
	b_finish(&b);
	set_u32(&b, off + 4, 16 + 40);	/* 40 of the 48 bytes */
	expect_error(&b, "EFI mmap tag size is not 16 + whole descriptors",
		     off + 16, MB2_TAG_EFI_MMAP);
}

static void test_efi_mmap_merges_adjacent_same_type(void **state)
{
	/* As OVMF reports it: runs of descriptors that differ only in EFI type
	 * or attributes but convert to the same enum mem_type. */
	static const struct efi_desc d[] = {
		{ 7, 0x0, 0xa0 },		/* Conventional [0, 0xa0000) */
		{ 7, 0x100000, 0x100 },		/* Conventional, gap before */
		{ 4, 0x200000, 0x10 },		/* BootServicesData: merges */
		{ 1, 0x210000, 0x10 },		/* LoaderCode: merges */
		{ 9, 0x220000, 0x1 },		/* ACPIReclaim: new region */
		{ 9, 0x221000, 0x1 },		/* ACPIReclaim: merges */
		{ 7, 0x222000, 0x1 },		/* Conventional: new region */
	};
	static struct blob b;
	static struct mb2_info mi;

	(void)state;
	b_init(&b);
	b_efi_mmap(&b, 48, d, ARRAY_SIZE(d));
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.efi_mmap_count, 4);
	assert_int_equal(mi.efi_mmap[0].base, 0);
	assert_int_equal(mi.efi_mmap[0].len, 0xa0000);
	assert_int_equal(mi.efi_mmap[1].base, 0x100000);
	assert_int_equal(mi.efi_mmap[1].len, 0x120000);
	assert_int_equal(mi.efi_mmap[1].type, MEM_AVAILABLE);
	assert_int_equal(mi.efi_mmap[2].base, 0x220000);
	assert_int_equal(mi.efi_mmap[2].len, 0x2000);
	assert_int_equal(mi.efi_mmap[2].type, MEM_ACPI_RECLAIMABLE);
	assert_int_equal(mi.efi_mmap[3].base, 0x222000);
	assert_int_equal(mi.efi_mmap[3].type, MEM_AVAILABLE);
	assert_int_equal(mi.warning_count, 0);
}

static void test_efi_mmap_truncation(void **state)
{
	static struct efi_desc d[MB2_MAX_MMAP + 1];
	static struct blob b;
	static struct mb2_info mi;
	unsigned i;

	(void)state;
	for (i = 0; i < MB2_MAX_MMAP + 1; i++)
		d[i] = (struct efi_desc){ 7, (uint64_t)i << 20, 1 };
	b_init(&b);
	b_efi_mmap(&b, 48, d, MB2_MAX_MMAP + 1);
	b_finish(&b);
	expect_ok(&b, &mi);
	assert_int_equal(mi.efi_mmap_count, MB2_MAX_MMAP);
	assert_true(mi.efi_mmap_truncated);
	assert_int_equal(mi.warning_count, 1);
	assert_string_equal(mi.warnings[0],
			    "more than 128 EFI descriptors, extra ignored at 0x00001818");
}

/* ---- warnings overflow ------------------------------------------------- */

static void test_warning_slots_overflow(void **state)
{
	static struct e820 e[MB2_MAX_MMAP + 1];
	static struct blob b;
	static struct mb2_info mi;
	uint32_t v1;
	unsigned i;

	(void)state;
	for (i = 0; i < MB2_MAX_MMAP + 1; i++)
		e[i] = (struct e820){ (uint64_t)i << 20, 1 << 20, 1 };
	b_init(&b);
	v1 = b_rsdp_v1(&b);			/* warning 2: bad checksum */
	b_mmap_v(&b, 24, 7, e, MB2_MAX_MMAP + 1); /* warnings 3 and 4 */
	for (i = 0; i < MB2_MAX_MODULES + 1; i++)
		b_module(&b, 0, 0, "");		/* warning 5 */
	b_finish(&b);
	set_u32(&b, 4, 1);			/* warning 1: reserved */
	b.data[v1 + 8 + 10] ^= 0xff;
	expect_ok(&b, &mi);
	assert_int_equal(mi.warning_count, MB2_MAX_WARNINGS);
	assert_int_equal(mi.warnings_dropped, 1);
	assert_string_equal(mi.warnings[0],
			    "reserved field of the fixed part is 0x1, not 0 at 0x00000004");
	assert_int_equal(strncmp(mi.warnings[1], "ACPI RSDP checksum", 18), 0);
	assert_int_equal(strncmp(mi.warnings[2], "mmap entry_version", 18), 0);
	assert_int_equal(strncmp(mi.warnings[3], "more than 128 mmap", 18), 0);
	assert_int_equal(mi.module_count, MB2_MAX_MODULES);
	assert_true(mi.modules_truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_teardown(fn, free_copy)
		T(test_grub_like_info),
		T(test_minimal_info),
		T(test_rsdp_v1_only),
		T(test_rsdp_prefers_new_in_any_order),
		T(test_null_arguments),
		T(test_misaligned_pointer),
		T(test_avail_below_fixed_part),
		T(test_total_size_too_small),
		T(test_total_size_over_avail),
		T(test_total_size_too_large_for_tags),
		T(test_total_size_not_multiple_of_8),
		T(test_reserved_nonzero_is_warning),
		T(test_tag_size_below_8),
		T(test_tag_overruns_total_size),
		T(test_missing_end_tag),
		T(test_end_tag_wrong_size),
		T(test_unknown_tags_are_skipped),
		T(test_tag_minimum_sizes),
		T(test_unterminated_strings),
		T(test_string_nul_is_last_byte),
		T(test_mmap_bad_entry_size),
		T(test_mmap_partial_entry),
		T(test_mmap_larger_entry_size),
		T(test_mmap_empty),
		T(test_mmap_entry_version_is_warning),
		T(test_mmap_types_converted),
		T(test_mmap_entry_overflow),
		T(test_mmap_truncation),
		T(test_duplicate_unique_tags),
		T(test_load_base_tag),
		T(test_module_start_above_end),
		T(test_module_truncation),
		T(test_bad_rsdp_v1_checksum),
		T(test_bad_rsdp_signature),
		T(test_bad_rsdp_v2_falls_back_to_v1),
		T(test_rsdp_v2_bad_length_or_revision),
		T(test_rsdp_v2_longer_length),
		T(test_efi_mmap_descriptor_size_48),
		T(test_efi_mmap_descriptor_size_40_and_tag6_preferred),
		T(test_efi_mmap_bad),
		T(test_efi_mmap_merges_adjacent_same_type),
		T(test_efi_mmap_truncation),
		T(test_warning_slots_overflow),
#undef T
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
