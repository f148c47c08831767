/* Nestor's memory: its image and the pool every page it allocates after
 * boot comes from (EPT tables, VMCS and VMXON regions, bitmaps, stacks; with
 * nested VMX also shadow EPT tables, vmcs02s, shadow VMCSes, vmcs12 caches).
 * Both sit at the top of RAM below 4 GiB and are hidden from the guest,
 * whose RAM is what lies below (docs/architecture.md, "Where Nestor
 * lives").
 *
 * Pure code: it decides where the pool goes from the frame allocator's view
 * of free RAM and never touches the memory. */
#ifndef NESTOR_MM_NESTOR_MEM_H
#define NESTOR_MM_NESTOR_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "mm/frame_alloc.h"
#include "mm/mem_region.h"

/* nestor_mem= (MiB): the pool's size. The smallest value runs one guest
 * without nested VMX; the largest is most of a 4 GiB machine. */
#define NESTOR_MEM_MIN_MIB 2u
#define NESTOR_MEM_MAX_MIB 3072u
/* The default: 1/8 of RAM, at least the floor, at most the cap, which
 * holds nested VMX comfortably. */
#define NESTOR_MEM_DEFAULT_FLOOR_MIB 8u
#define NESTOR_MEM_DEFAULT_CAP_MIB 64u
/* Pieces of free RAM the pool may be made of (firmware regions, the boot
 * information and modules split free RAM near the top). */
#define NESTOR_MEM_MAX_PIECES 16
#define NESTOR_MEM_ERR_LEN 160

/* The default nestor_mem= in MiB for usable_bytes of RAM. */
unsigned nestor_mem_default_mib(uint64_t usable_bytes);

struct nestor_mem_plan {
	/* The pool: page-aligned pieces of free RAM, ascending. */
	struct phys_range pool[NESTOR_MEM_MAX_PIECES];
	unsigned npool;
	uint64_t pool_bytes;
	/* What the guest must not see: the image and the pool pieces,
	 * ascending, touching ranges merged. */
	struct phys_range hidden[NESTOR_MEM_MAX_PIECES + 1];
	unsigned nhidden;
	/* The span from the lowest to the highest hidden byte. */
	struct phys_range span;
};

/* Plans a pool of `bytes` (a non-zero multiple of 4 KiB): the highest
 * `bytes` of the free RAM in free_ram (an allocator over usable RAM below
 * 4 GiB without the image, the boot information and the modules), taken
 * from the top down; an extent only partly
 * needed gives its upper part, so the guest's RAM stays below. image is
 * Nestor's image (physical). Returns 0, or -1 with the reason in err: bad
 * arguments, not enough free RAM, or more than NESTOR_MEM_MAX_PIECES
 * pieces. *out is zeroed on error. */
int nestor_mem_plan(const struct frame_alloc *free_ram, uint64_t bytes,
		    struct phys_range image, struct nestor_mem_plan *out,
		    char *err, size_t errlen);

#endif
