/* Nestor's memory pool at run time: every page Nestor uses after boot (EPT
 * tables, VMXON and VMCS regions, bitmaps, stacks) comes from here, and the
 * guest never sees any of it (mm/nestor_mem.h says where it is). Free pages
 * hold a fill pattern (the guest memory-scan test's sentinel), so a write
 * that landed in free pool memory shows when the guest stops.
 *
 * Running out is never a fault: pool_alloc() says which option sizes the
 * pool and what wanted the page, and returns 0; the caller stops cleanly
 * (a refusal at launch, the guest stopped at run time). */
#ifndef NESTOR_MM_POOL_H
#define NESTOR_MM_POOL_H

#include <stdint.h>

#include "mm/ept.h"
#include "mm/nestor_mem.h"

/* Takes the plan's pieces (identity-mapped RAM) as the pool, nestor_mem=
 * `mib`, and fills them with the 16-byte pattern fill0, fill1. Returns 0,
 * or -1 if the pieces cannot be managed. */
int pool_init(const struct nestor_mem_plan *plan, unsigned mib,
	      uint64_t fill0, uint64_t fill1);

/* A zeroed page, lowest address first; 0 when the pool is exhausted, after
 * a line naming nestor_mem= and `what` wanted the page. */
uint64_t pool_alloc(const char *what);

/* `pages` contiguous zeroed pages; 0 (with the same line) if there are
 * none. */
uint64_t pool_alloc_contig(uint64_t pages, const char *what);

/* Gives a page back, refilled with the pattern. */
void pool_free(uint64_t pa);

uint64_t pool_free_bytes(void);
uint64_t pool_used_bytes(void);

/* Test only (test_pool_spare=): takes every free page but `pages` out of
 * use, so the exhaustion path can be reached on purpose. */
void pool_test_leave_free(uint64_t pages);

/* Checks that every free page still holds the pattern: prints one line
 * either way and returns 0, or -1 if some free page changed. */
int pool_check(void);

/* EPT paging-structure pages from the pool (mm/ept.h): zeroed pages,
 * identity-mapped, given back when a table empties; `what` names them in
 * the exhaustion report. */
struct ept_mem_ops pool_ept_ops(const char *what);

#endif
