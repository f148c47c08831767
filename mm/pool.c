/* Nestor's memory pool at run time (mm/pool.h): the frame allocator over
 * the pieces mm/nestor_mem.c chose, with the fill pattern and the
 * exhaustion report. */
#include "mm/pool.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/frame_alloc.h"

static struct frame_alloc pool;
static unsigned pool_mib;
static uint64_t pattern[2];

static void fill(uint64_t start, uint64_t end)
{
	for (uint64_t *q = (uint64_t *)start; q < (uint64_t *)end; q += 2) {
		q[0] = pattern[0];
		q[1] = pattern[1];
	}
}

int pool_init(const struct nestor_mem_plan *plan, unsigned mib,
	      uint64_t fill0, uint64_t fill1)
{
	struct mem_region pieces[NESTOR_MEM_MAX_PIECES];

	for (unsigned i = 0; i < plan->npool; i++)
		pieces[i] = (struct mem_region){ plan->pool[i].start,
			plan->pool[i].end - plan->pool[i].start, MEM_AVAILABLE };
	if (fa_init(&pool, pieces, plan->npool, NULL, 0, PAGE_SIZE, 0) != FA_OK)
		return -1;
	pool_mib = mib;
	pattern[0] = fill0;
	pattern[1] = fill1;
	for (unsigned i = 0; i < plan->npool; i++)
		fill(plan->pool[i].start, plan->pool[i].end);
	return 0;
}

static void exhausted(uint64_t pages, const char *what)
{
	log_printf(LOG_QUIET,
		   "nestor: Nestor's memory is exhausted: no %lu free page(s) for %s (nestor_mem=%u MiB, %lu KiB free); boot with a larger nestor_mem=\n",
		   pages, what, pool_mib, fa_free_bytes(&pool) >> 10);
}

uint64_t pool_alloc_contig(uint64_t pages, const char *what)
{
	uint64_t pa = fa_alloc_contig(&pool, pages, PAGE_SIZE);

	if (!pa) {
		exhausted(pages, what);
		return 0;
	}
	memset((void *)pa, 0, pages * PAGE_SIZE);
	return pa;
}

uint64_t pool_alloc(const char *what)
{
	return pool_alloc_contig(1, what);
}

void pool_free(uint64_t pa)
{
	fill(pa, pa + PAGE_SIZE);
	if (fa_free(&pool, pa, 1) != FA_OK)
		log_printf(LOG_QUIET, "nestor: page 0x%lx given back to Nestor's memory pool is not one of its pages\n",
			   pa);
}

uint64_t pool_free_bytes(void)
{
	return fa_free_bytes(&pool);
}

uint64_t pool_used_bytes(void)
{
	return pool.managed_bytes - fa_free_bytes(&pool);
}

void pool_test_leave_free(uint64_t pages)
{
	while (fa_free_bytes(&pool) > pages * PAGE_SIZE && fa_alloc(&pool))
		;
	log_printf(LOG_QUIET, "nestor: test_pool_spare: %lu page(s) of Nestor's memory left free\n",
		   fa_free_bytes(&pool) >> PAGE_SHIFT);
}

int pool_check(void)
{
	for (unsigned i = 0; i < pool.nfree; i++) {
		const uint64_t *q = (const uint64_t *)pool.free[i].start;

		for (; q < (const uint64_t *)pool.free[i].end; q += 2)
			if (q[0] != pattern[0] || q[1] != pattern[1]) {
				log_printf(LOG_QUIET, "nestor: Nestor's memory: free page 0x%lx was written (qword 0x%lx)\n",
					   ALIGN_DOWN((uint64_t)q, PAGE_SIZE),
					   q[0] != pattern[0] ? (uint64_t)q : (uint64_t)(q + 1));
				return -1;
			}
	}
	log_printf(LOG_QUIET, "nestor: Nestor's memory: all %lu KiB free still hold the fill pattern\n",
		   fa_free_bytes(&pool) >> 10);
	return 0;
}

static uint64_t ept_page_alloc(void *ctx)
{
	return pool_alloc(ctx);
}

static void *ept_page_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)pa; /* the pool is identity-mapped */
}

static void ept_page_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	pool_free(pa);
}

struct ept_mem_ops pool_ept_ops(const char *what)
{
	return (struct ept_mem_ops){ ept_page_alloc, ept_page_virt,
				     ept_page_free, (void *)what };
}
