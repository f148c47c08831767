/* Guest placement planner: checks that the guest kernel's segments can be
 * loaded where they must go and chooses where the boot modules, the boot
 * information and any extra boot data (e.g. entry page tables) will live in
 * guest-physical memory, so that nothing the loader copies overwrites
 * something it still needs.
 *
 * The caller then: 1) copies every module whose module_dest differs from its
 * source start (no destination overlaps any source, so any order works);
 * 2) loads the segments, reading the guest image from module_dest[0] (the
 * image may have been moved out of its own segments' way); 3) builds the
 * boot information at info_addr (and the extra data at extra_addr).
 *
 * Pure code: no allocation, no global state. */
#ifndef NESTOR_BOOT_GUEST_LAYOUT_H
#define NESTOR_BOOT_GUEST_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mem_region.h"

#define GUEST_LAYOUT_MAX_MODULES 16
/* Recommended size of the caller's error buffer. */
#define GUEST_LAYOUT_ERR_LEN 128
/* [0, 1 MiB) is left to the guest's real-mode data (IVT, BDA, EBDA, ...):
 * nothing is placed there. */
#define GUEST_LAYOUT_LOW_KEEP (1ULL << 20)
/* Multiboot info fields are 32 bits: no module or block is larger. */
#define GUEST_LAYOUT_MAX_SIZE (1ULL << 32)
/* A limit for multiboot guests: the highest page-aligned end whose value
 * still fits a 32-bit field (mod_end is an exclusive end, Multiboot2 spec
 * 3.6.6 / Multiboot 0.6.96 3.3). */
#define GUEST_LAYOUT_LIMIT_32 0xFFFFF000ULL

struct guest_layout_in {
	const struct mem_region *map;	/* host memory map, any order */
	unsigned nmap;
	const struct phys_range *hidden; /* not guest RAM (Nestor's own) */
	unsigned nhidden;
	const struct phys_range *segments; /* where the guest ELF must go */
	unsigned nseg;
	const struct phys_range *modules; /* where GRUB put the modules; */
	unsigned nmod;			  /* module 0 = the guest image */
	uint64_t info_size;	/* boot information bytes (> 0) */
	uint64_t extra_size;	/* e.g. entry page tables; 0 = none */
	uint64_t limit;		/* everything ends at or below this */
	/* Multiboot2 module alignment tag / MB1 flags bit 0: a module may
	 * stay where it is only if it starts on a page boundary. */
	bool page_align_modules;
};

struct guest_layout_out {
	uint64_t module_dest[GUEST_LAYOUT_MAX_MODULES]; /* == start: stays */
	uint64_t info_addr;
	uint64_t extra_addr;	/* 0 when extra_size is 0 */
};

/* Rules:
 *  - every segment lies wholly in available RAM (where map entries overlap,
 *    the non-available one counts), outside every hidden range, at or below
 *    limit; empty segments are ignored;
 *  - a module stays where it is if that place obeys the destination rules
 *    below (its own source excepted) and overlaps no other module;
 *    otherwise, like the info and the extra data, it gets a page-aligned
 *    destination in available RAM, at or below limit, overlapping no
 *    segment, no hidden range, no module's source, no other destination and
 *    not [0, GUEST_LAYOUT_LOW_KEEP); a zero-length object counts as 1 byte;
 *  - destinations are chosen in the order modules 0..n-1, info, extra, each
 *    at the highest address that fits (first fit from the top).
 * Returns 0, or -1 with a formatted message in err[errlen] (err may be
 * NULL); *out is zeroed on error. */
int guest_layout_plan(const struct guest_layout_in *in,
		      struct guest_layout_out *out, char *err, size_t errlen);

#endif
