/* Multiboot2 boot-information parser: validates the structure a Multiboot2
 * boot loader leaves at EBX (Multiboot2 spec 3.6 "Boot information") and
 * extracts what Nestor needs into a plain struct mb2_info.
 *
 * Pure code: no allocation, no global state; every pointer it returns points
 * into the caller's info buffer. */
#ifndef NESTOR_BOOT_MULTIBOOT2_H
#define NESTOR_BOOT_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mem_region.h"

/* Value in EAX when a Multiboot2 loader enters the OS (spec 3.3). */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 16
#define MB2_MAX_WARNINGS 4
#define MB2_WARNING_LEN 96

/* Tag types (Multiboot2 spec 3.6.3 - 3.6.23). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS_NOT_EXITED = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE_ADDR = 21,
};

/* mb2_error.tag_type when the error is not inside a tag (header checks). */
#define MB2_NO_TAG 0xffffffffu

/* One boot module, [start, end) physical (spec 3.6.6). */
struct mb2_module {
	uint64_t start, end;
	const char *cmdline; /* into the info, NUL-terminated; "" if empty */
};

/* Framebuffer info (spec 3.6.12); recorded only, colour info not parsed. */
struct mb2_framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
};

struct mb2_info {
	const char *cmdline;     /* tag 1, NULL if absent */
	const char *loader_name; /* tag 2, NULL if absent */

	/* tag 4 */
	bool have_basic_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;

	/* tag 6; types 1..5 kept, anything else becomes MEM_RESERVED */
	struct mem_region mmap[MB2_MAX_MMAP];
	unsigned mmap_count;
	bool have_mmap;
	bool mmap_truncated;

	/* tag 17; EFI descriptors converted to enum mem_type */
	struct mem_region efi_mmap[MB2_MAX_MMAP];
	unsigned efi_mmap_count;
	bool have_efi_mmap;
	bool efi_mmap_truncated;

	/* tag 3, in the order the loader listed them */
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned module_count;
	bool modules_truncated;

	/* Tag 15 (version 2, rsdp_len = RSDP Length field) if it is valid,
	 * else tag 14 (version 1, rsdp_len = 20) if valid, else NULL / 0. */
	const void *rsdp;
	uint32_t rsdp_len;
	int rsdp_version;

	bool have_fb; /* tag 8 */
	struct mb2_framebuffer fb;

	uint32_t total_size;
	bool efi_boot_services_not_exited; /* tag 18 */

	/* Tag 21: where the loader put a relocatable image (spec 3.6.23). */
	bool have_load_base;
	uint32_t load_base;

	/* Non-fatal oddities (truncation, bad RSDP, ...). At most
	 * MB2_MAX_WARNINGS are kept; warnings_dropped counts the rest. */
	unsigned warning_count;
	unsigned warnings_dropped;
	char warnings[MB2_MAX_WARNINGS][MB2_WARNING_LEN];
};

/* msg is a static string; offset = byte offset in the info where it went
 * wrong; tag_type = type of the tag being parsed, or MB2_NO_TAG. */
struct mb2_error {
	const char *msg;
	uint32_t offset;
	uint32_t tag_type;
};

/* Parse the boot information at `info`; `avail` bytes at `info` are
 * guaranteed readable. Returns 0 and fills *out on success; returns -1 and
 * fills *err (if not NULL) on error, in which case *out is zeroed. */
int mb2_parse(const void *info, size_t avail, struct mb2_info *out,
	      struct mb2_error *err);

/* The tag-6 memory map if present, else the EFI one, else NULL with
 * *count = 0. `count` may be NULL. */
const struct mem_region *mb2_memory_map(const struct mb2_info *mi,
					unsigned *count);

#endif
