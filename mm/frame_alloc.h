/* Physical frame allocator: hands out 4 KiB frames of usable RAM.
 *
 * It keeps a fixed-capacity, sorted, non-overlapping, non-adjacent list of
 * free extents [start, end) of whole frames. It is plain data: it never reads
 * or writes the memory it manages, so host tests can use fake addresses. */
#ifndef NESTOR_MM_FRAME_ALLOC_H
#define NESTOR_MM_FRAME_ALLOC_H

#include <stdint.h>
#include "mm/mem_region.h"

#define FA_MAX_EXTENTS 256

/* No x86 CPU has more than 52 physical address bits (Intel SDM Vol. 3A
 * 4.1.4, MAXPHYADDR <= 52): memory-map entries are clamped below this. */
#define FA_PHYS_LIMIT (1ULL << 52)

struct frame_alloc {
	struct phys_range free[FA_MAX_EXTENTS];    /* free extents, sorted */
	unsigned nfree;
	struct phys_range managed[FA_MAX_EXTENTS]; /* usable extents, sorted */
	unsigned nmanaged;
	uint64_t free_bytes;    /* bytes in free[] */
	uint64_t managed_bytes; /* bytes in managed[] */
	uint64_t lost_bytes;    /* freed bytes dropped because free[] was full */
};

enum fa_status {
	FA_OK = 0,
	FA_ERR_NO_MEMORY,
	FA_ERR_TOO_MANY_REGIONS,
	FA_ERR_BAD_ARG,
	FA_ERR_NOT_MANAGED,
	FA_ERR_DOUBLE_FREE,
};

const char *fa_strerror(enum fa_status s);

/* Builds the allocator from a memory map (any order; overlapping, zero-length
 * and absurd entries allowed). Usable memory is MEM_AVAILABLE memory minus
 * every non-available entry and every reserved range (both rounded outward to
 * whole frames), limited to [min_addr, max_addr) (max_addr 0 = no limit, both
 * rounded inward), with each remaining extent shrunk inward to whole frames.
 * min_addr must be >= 4096 so that 0 is never a valid frame.
 * On any error the allocator is left empty (every allocation fails). */
enum fa_status fa_init(struct frame_alloc *fa, const struct mem_region *map,
		       unsigned nmap, const struct phys_range *reserved,
		       unsigned nres, uint64_t min_addr, uint64_t max_addr);

/* One frame, lowest address first; 0 when out of memory. */
uint64_t fa_alloc(struct frame_alloc *fa);

/* nframes contiguous frames starting at a multiple of align (a power of two
 * >= 4096), lowest address first; 0 on failure or bad arguments. */
uint64_t fa_alloc_contig(struct frame_alloc *fa, uint64_t nframes,
			 uint64_t align);

/* Gives back nframes frames at addr (page aligned, inside one managed extent,
 * none of them free already). If the free list is full and the range cannot
 * merge with a neighbour, the frames are counted in lost_bytes (FA_OK). */
enum fa_status fa_free(struct frame_alloc *fa, uint64_t addr, uint64_t nframes);

uint64_t fa_free_bytes(const struct frame_alloc *fa);

/* The managed (usable) extents, for the boot banner. Out of range i gives
 * {0, 0}. */
unsigned fa_region_count(const struct frame_alloc *fa);
struct phys_range fa_region(const struct frame_alloc *fa, unsigned i);

/* Total MEM_AVAILABLE bytes, counting overlapping available entries once and
 * leaving out every byte also covered by a non-available entry. No alignment
 * and no address limits except the 52-bit clamp. */
uint64_t mem_map_usable_bytes(const struct mem_region *map, unsigned n);

#endif
