/* What the guest is told at boot: its memory map (the host map with
 * Nestor's own memory taken out), the basic mem_lower/mem_upper figures, and
 * the Multiboot2 (spec 3.6) or Multiboot1 (0.6.96, 3.3) boot information
 * block built from them.
 *
 * Pure code: no allocation, no global state; the builders write only into
 * the caller's buffer. */
#ifndef NESTOR_BOOT_GUEST_INFO_H
#define NESTOR_BOOT_GUEST_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "mm/mem_region.h"

/* The guest's memory map: sorted by base, non-overlapping (where entries
 * overlap, the higher type value wins, so any non-available type beats
 * MEM_AVAILABLE; types outside 1..5 become MEM_RESERVED), every hidden
 * range, rounded outward to 4 KiB, turned from available into
 * MEM_RESERVED (holes stay holes), and adjacent entries of one type merged.
 * Returns 0 with *nout entries in out, or -1 if they do not fit in cap (or
 * an argument is NULL). */
int guest_memory_view(const struct mem_region *map, unsigned n,
		      const struct phys_range *hidden, unsigned nhidden,
		      struct mem_region *out, unsigned cap, unsigned *nout);

/* Multiboot 0.6.96 3.3: lower = KiB of available memory contiguous from
 * address 0 (at most 640); upper = KiB of available memory contiguous from
 * 1 MiB (saturated at 2^32 - 1). Either is 0 when its start is not RAM. */
void guest_basic_meminfo(const struct mem_region *map, unsigned n,
			 uint32_t *lower_kb, uint32_t *upper_kb);

struct guest_module_desc {
	uint64_t start, end;	/* [start, end), must fit 32 bits */
	const char *cmdline;	/* NULL = "" */
};

struct guest_boot_desc {
	const char *cmdline;		/* NULL = "" (the tag is always there) */
	const char *loader_name;	/* NULL = no loader name */
	const struct guest_module_desc *mods;
	unsigned nmods;
	const struct mem_region *map;	/* the guest view; no mmap if 0 */
	unsigned nmap;
	uint32_t mem_lower_kb, mem_upper_kb;
	const void *rsdp;		/* NULL = no ACPI tags */
	uint32_t rsdp_len;		/* >= 20 (version 1), >= 36 (2) */
	int rsdp_version;		/* 1: ACPI 1.0 RSDP, 2: ACPI 2.0+ */
};

/* Bytes mb2_info_build needs for d, or 0 if d is not valid (NULL lists with
 * non-zero counts, a bad RSDP version/length). */
size_t mb2_info_size(const struct guest_boot_desc *d);

/* Multiboot2 spec 3.6: total_size, reserved, then 8-byte aligned tags:
 * cmdline (1), loader name (2, if given), one module tag (3) per module,
 * basic meminfo (4), mmap (6, entry_size 24, version 0, if nmap > 0), ACPI
 * old RSDP (14: the first 20 bytes; also given for a version 2 RSDP) and
 * new RSDP (15, version 2 only), end (0). Padding is zero. Returns 0, or -1
 * if d is invalid, cap is too small, a module address does not fit 32 bits
 * or the total does not fit total_size. */
int mb2_info_build(void *buf, size_t cap, const struct guest_boot_desc *d);

/* Bytes mb1_info_build needs for d, or 0 if d is not valid. */
size_t mb1_info_size(const struct guest_boot_desc *d);

/* Multiboot 0.6.96 3.3: struct multiboot_info (116 bytes, framebuffer
 * fields included, zero) at buf, flags bits 0 (mem_lower/upper), 2
 * (cmdline), 3 (mods), 6 (mmap, if nmap > 0), 9 (boot_loader_name, if
 * given); then the module list (mod_start, mod_end, string, reserved), the
 * mmap entries (size = 20, base_addr, length, type) and the strings, all
 * inside buf and referenced by 32-bit guest-physical addresses buf_gpa +
 * offset. Returns 0, or -1 if d is invalid, cap is too small, or an address
 * does not fit 32 bits. */
int mb1_info_build(void *buf, size_t cap, uint64_t buf_gpa,
		   const struct guest_boot_desc *d);

#endif
