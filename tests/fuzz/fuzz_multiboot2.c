/* libFuzzer target for the multiboot2 parser (boot/multiboot2.c): parses
 * arbitrary bytes and traps if any returned pointer or count escapes the
 * input, or if an accepted info breaks the rules the parser promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/multiboot2.h"
#include "lib/bytes.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* [p, p + len) lies inside [buf, buf + size). */
static int inside(const uint8_t *buf, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;

	return q >= buf && q <= buf + size && len <= (size_t)(buf + size - q);
}

/* p is the payload at hdr_len bytes into a tag of type `type` that lies
 * inside [buf, buf + total); returns the payload's room within that tag. */
static size_t tag_room(const uint8_t *buf, size_t total, const void *p,
		       size_t hdr_len, uint32_t type)
{
	const uint8_t *tag = (const uint8_t *)p - hdr_len;
	uint32_t size;

	CHECK(inside(buf, total, tag, hdr_len) && hdr_len >= 8);
	CHECK((size_t)(tag - buf) % 8 == 0);
	CHECK(rd32(tag) == type);
	size = rd32(tag + 4);
	CHECK(size > hdr_len && inside(buf, total, tag, size));
	return size - hdr_len;
}

/* A returned string lies inside its own tag and ends there. */
static void check_string(const uint8_t *buf, size_t total, const char *s,
			 size_t hdr_len, uint32_t type)
{
	size_t room = tag_room(buf, total, s, hdr_len, type);

	CHECK(strnlen(s, room) < room);
}

static void check_map(const struct mem_region *map, unsigned count)
{
	unsigned i;

	CHECK(count <= MB2_MAX_MMAP);
	for (i = 0; i < count; i++) {
		CHECK(map[i].len <= UINT64_MAX - map[i].base);
		CHECK(map[i].type >= MEM_AVAILABLE && map[i].type <= MEM_BAD);
	}
}

static void check_success(const uint8_t *buf, size_t size,
			  const struct mb2_info *mi)
{
	const struct mem_region *map;
	unsigned i, n;

	CHECK(mi->total_size >= 16 && mi->total_size <= size);
	if (mi->cmdline)
		check_string(buf, mi->total_size, mi->cmdline, 8,
			     MB2_TAG_CMDLINE);
	if (mi->loader_name)
		check_string(buf, mi->total_size, mi->loader_name, 8,
			     MB2_TAG_LOADER_NAME);
	CHECK(mi->module_count <= MB2_MAX_MODULES);
	for (i = 0; i < mi->module_count; i++) {
		check_string(buf, mi->total_size, mi->modules[i].cmdline, 16,
			     MB2_TAG_MODULE);
		CHECK(mi->modules[i].start <= mi->modules[i].end);
	}
	if (mi->rsdp) {
		CHECK(inside(buf, mi->total_size, mi->rsdp, mi->rsdp_len));
		CHECK(mi->rsdp_len <= tag_room(buf, mi->total_size, mi->rsdp, 8,
					       mi->rsdp_version == 2 ?
					       MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD));
		CHECK(memcmp(mi->rsdp, "RSD PTR ", 8) == 0);
		CHECK((mi->rsdp_version == 1 && mi->rsdp_len == 20) ||
		      (mi->rsdp_version == 2 && mi->rsdp_len >= 36));
	} else {
		CHECK(mi->rsdp_len == 0 && mi->rsdp_version == 0);
	}
	CHECK(mi->have_mmap || mi->mmap_count == 0);
	CHECK(mi->have_efi_mmap || mi->efi_mmap_count == 0);
	check_map(mi->mmap, mi->mmap_count);
	check_map(mi->efi_mmap, mi->efi_mmap_count);
	CHECK(mi->warning_count <= MB2_MAX_WARNINGS);
	CHECK(mi->warnings_dropped == 0 || mi->warning_count == MB2_MAX_WARNINGS);
	for (i = 0; i < mi->warning_count; i++)
		CHECK(strnlen(mi->warnings[i], MB2_WARNING_LEN) < MB2_WARNING_LEN);
	map = mb2_memory_map(mi, &n);
	if (mi->have_mmap)
		CHECK(map == mi->mmap && n == mi->mmap_count);
	else if (mi->have_efi_mmap)
		CHECK(map == mi->efi_mmap && n == mi->efi_mmap_count);
	else
		CHECK(map == NULL && n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_info mi;
	struct mb2_error err;
	uint8_t *buf;

	/* Exact-size heap copy (malloc is 16-byte aligned) so ASan flags any
	 * read past `size`. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	if (mb2_parse(buf, size, &mi, &err) == 0) {
		check_success(buf, size, &mi);
	} else {
		CHECK(err.msg != NULL && err.msg[0] != '\0');
		CHECK(err.offset <= size);
		CHECK(mi.cmdline == NULL && mi.total_size == 0);
	}

	/* A misaligned start is always refused, before any read. */
	if (size > 1) {
		CHECK(mb2_parse(buf + 1, size - 1, &mi, &err) == -1);
		CHECK(strcmp(err.msg, "info pointer is not 8-byte aligned") == 0);
	}
	free(buf);
	return 0;
}
