/* Physical frame allocator: turns a memory map into a list of free extents
 * and hands out / takes back 4 KiB frames. Pure code over plain data: it never
 * touches the memory it manages. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/frame_alloc.h"

const char *fa_strerror(enum fa_status s)
{
	switch (s) {
	case FA_OK:
		return "success";
	case FA_ERR_NO_MEMORY:
		return "no usable memory";
	case FA_ERR_TOO_MANY_REGIONS:
		return "too many usable memory regions for the frame allocator";
	case FA_ERR_BAD_ARG:
		return "bad argument";
	case FA_ERR_NOT_MANAGED:
		return "address not managed by the frame allocator";
	case FA_ERR_DOUBLE_FREE:
		return "frame freed twice";
	}
	return "unknown frame allocator error";
}

/* ------------------------------------------------------------------------
 * Memory-map sweep.
 *
 * The usable set is S = (union of available entries) minus (union of
 * exclusions), within [lo, hi). Exclusions are the non-available map entries
 * and the reserved ranges. The sweep walks S from low to high addresses and
 * reports it as pieces in increasing order (adjacent pieces may touch). It
 * needs no scratch memory and no sorting: each step jumps to the next entry
 * boundary, so it takes O((nmap + nres)^2) time.
 *
 * Exclusions are used exactly as given. fa_init shrinks each maximal run of S
 * inward to whole frames, which drops every frame an exclusion touches, the
 * same as rounding the exclusions outward.
 * ------------------------------------------------------------------------ */

struct sweep {
	const struct mem_region *map;
	unsigned nmap;
	const struct phys_range *res;
	unsigned nres;
	uint64_t lo, hi; /* limits, lo < hi <= FA_PHYS_LIMIT */
};

/* Clamps [base, base + len) to the 52-bit physical address space; false if
 * nothing is left. base + len may overflow 2^64: it is clamped, not wrapped. */
static bool clamp_extent(uint64_t base, uint64_t len, struct phys_range *out)
{
	if (len == 0 || base >= FA_PHYS_LIMIT)
		return false;
	out->start = base;
	out->end = len > FA_PHYS_LIMIT - base ? FA_PHYS_LIMIT : base + len;
	return true;
}

/* Multiboot2 spec 3.6.8: type 1 is available RAM; 3 (ACPI), 4 (preserve on
 * hibernation), 5 (defective) and every other value are not usable. */
static bool is_available(const struct mem_region *r)
{
	return r->type == MEM_AVAILABLE;
}

/* Exclusion i (map entries first, then reserved ranges); false if empty. */
static bool sweep_excl(const struct sweep *sw, unsigned i, bool from_map,
		       struct phys_range *out)
{
	if (from_map) {
		const struct mem_region *r = &sw->map[i];

		if (is_available(r) || !clamp_extent(r->base, r->len, out))
			return false;
	} else {
		const struct phys_range *r = &sw->res[i];

		/* fa_init has checked start <= end. */
		if (!clamp_extent(r->start, r->end - r->start, out))
			return false;
	}
	return true;
}

/* Finds the lowest available address a >= pos and the furthest end of an
 * available entry covering a. */
static bool sweep_next_avail(const struct sweep *sw, uint64_t pos,
			     uint64_t *a, uint64_t *end)
{
	struct phys_range r;

	*a = UINT64_MAX; /* every candidate is below FA_PHYS_LIMIT */
	*end = 0;
	for (unsigned i = 0; i < sw->nmap; i++) {
		if (!is_available(&sw->map[i]) ||
		    !clamp_extent(sw->map[i].base, sw->map[i].len, &r) ||
		    r.end <= pos)
			continue;
		uint64_t cand = r.start > pos ? r.start : pos;

		if (cand < *a) {
			*a = cand;
			*end = r.end;
		} else if (cand == *a && r.end > *end) {
			*end = r.end;
		}
	}
	return *a != UINT64_MAX;
}

/* Looks at the exclusions around address a: *cover_end is the furthest end
 * of an exclusion containing a (a if none), *next_start the lowest start of
 * an exclusion above a (hi if none). */
static void sweep_scan_excl(const struct sweep *sw, uint64_t a,
			    uint64_t *cover_end, uint64_t *next_start)
{
	struct phys_range r;

	*cover_end = a;
	*next_start = sw->hi;
	for (unsigned pass = 0; pass < 2; pass++) {
		bool from_map = pass == 0;
		unsigned n = from_map ? sw->nmap : sw->nres;

		for (unsigned i = 0; i < n; i++) {
			if (!sweep_excl(sw, i, from_map, &r))
				continue;
			if (r.start <= a && r.end > *cover_end)
				*cover_end = r.end;
			else if (r.start > a && r.start < *next_start)
				*next_start = r.start;
		}
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Calls emit(ctx, piece) for each piece of S in increasing address order;
 * stops early when emit returns false. */
static void sweep_run(const struct sweep *sw,
		      bool (*emit)(void *ctx, struct phys_range piece),
		      void *ctx)
{
	uint64_t pos = sw->lo, a, avail_end, cover_end, next_excl;

	/* Each step moves pos strictly up to an entry boundary. */
	while (pos < sw->hi && sweep_next_avail(sw, pos, &a, &avail_end)) {
		if (a >= sw->hi)
			break;
		sweep_scan_excl(sw, a, &cover_end, &next_excl);
		if (cover_end > a) {
			pos = cover_end;
			continue;
		}
		struct phys_range piece = {
			.start = a,
			.end = min_u64(min_u64(avail_end, next_excl), sw->hi),
		};
		if (!emit(ctx, piece))
			return;
		pos = piece.end;
	}
}

/* ------------------------------------------------------------------------
 * mem_map_usable_bytes
 * ------------------------------------------------------------------------ */

static bool emit_count(void *ctx, struct phys_range piece)
{
	*(uint64_t *)ctx += piece.end - piece.start; /* total <= 2^52 */
	return true;
}

uint64_t mem_map_usable_bytes(const struct mem_region *map, unsigned n)
{
	struct sweep sw = {
		.map = map, .nmap = n, .res = NULL, .nres = 0,
		.lo = 0, .hi = FA_PHYS_LIMIT,
	};
	uint64_t total = 0;

	if (map == NULL)
		return 0;
	sweep_run(&sw, emit_count, &total);
	return total;
}

/* ------------------------------------------------------------------------
 * fa_init
 * ------------------------------------------------------------------------ */

struct build_ctx {
	struct frame_alloc *fa;
	struct phys_range run; /* maximal run of S being collected */
	bool have_run;
	enum fa_status status;
};

/* Shrinks a finished run inward to whole frames and appends it. */
static bool build_close_run(struct build_ctx *b)
{
	struct frame_alloc *fa = b->fa;
	uint64_t start = ALIGN_UP(b->run.start, PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(b->run.end, PAGE_SIZE);

	b->have_run = false;
	if (start >= end)
		return true;
	if (fa->nmanaged == FA_MAX_EXTENTS) {
		b->status = FA_ERR_TOO_MANY_REGIONS;
		return false;
	}
	fa->managed[fa->nmanaged].start = start;
	fa->managed[fa->nmanaged].end = end;
	fa->nmanaged++;
	fa->managed_bytes += end - start;
	return true;
}

/* Pieces arrive in order; touching pieces form one run. Runs are shrunk only
 * once complete, so a frame split across two touching available entries is
 * kept, while any frame an exclusion touches lies outside every run. */
static bool emit_build(void *ctx, struct phys_range piece)
{
	struct build_ctx *b = ctx;

	if (b->have_run && piece.start == b->run.end) {
		b->run.end = piece.end;
		return true;
	}
	if (b->have_run && !build_close_run(b))
		return false;
	b->run = piece;
	b->have_run = true;
	return true;
}

static bool reserved_valid(const struct phys_range *res, unsigned nres)
{
	if (nres > 0 && res == NULL)
		return false;
	for (unsigned i = 0; i < nres; i++)
		if (res[i].start > res[i].end)
			return false;
	return true;
}

enum fa_status fa_init(struct frame_alloc *fa, const struct mem_region *map,
		       unsigned nmap, const struct phys_range *reserved,
		       unsigned nres, uint64_t min_addr, uint64_t max_addr)
{
	struct sweep sw = {
		.map = map, .nmap = nmap, .res = reserved, .nres = nres,
	};
	struct build_ctx b = { .fa = fa, .have_run = false, .status = FA_OK };

	if (fa == NULL)
		return FA_ERR_BAD_ARG;
	memset(fa, 0, sizeof(*fa));
	if ((nmap > 0 && map == NULL) || !reserved_valid(reserved, nres) ||
	    min_addr < PAGE_SIZE || min_addr >= FA_PHYS_LIMIT)
		return FA_ERR_BAD_ARG;
	sw.lo = ALIGN_UP(min_addr, PAGE_SIZE);
	sw.hi = max_addr == 0 || max_addr > FA_PHYS_LIMIT ?
		FA_PHYS_LIMIT : ALIGN_DOWN(max_addr, PAGE_SIZE);
	if (sw.hi <= sw.lo)
		return FA_ERR_BAD_ARG;

	sweep_run(&sw, emit_build, &b);
	if (b.status == FA_OK && b.have_run)
		build_close_run(&b);
	if (b.status == FA_OK && fa->nmanaged == 0)
		b.status = FA_ERR_NO_MEMORY;
	if (b.status != FA_OK) {
		memset(fa, 0, sizeof(*fa));
		return b.status;
	}
	memcpy(fa->free, fa->managed, fa->nmanaged * sizeof(fa->managed[0]));
	fa->nfree = fa->nmanaged;
	fa->free_bytes = fa->managed_bytes;
	return FA_OK;
}

/* ------------------------------------------------------------------------
 * Free-list edits
 * ------------------------------------------------------------------------ */

static void free_remove(struct frame_alloc *fa, unsigned i)
{
	memmove(&fa->free[i], &fa->free[i + 1],
		(fa->nfree - i - 1) * sizeof(fa->free[0]));
	fa->nfree--;
}

/* Caller guarantees nfree < FA_MAX_EXTENTS. */
static void free_insert(struct frame_alloc *fa, unsigned i,
			struct phys_range r)
{
	memmove(&fa->free[i + 1], &fa->free[i],
		(fa->nfree - i) * sizeof(fa->free[0]));
	fa->free[i] = r;
	fa->nfree++;
}

/* Size in bytes of nframes frames; false if zero or too big for 2^52. */
static bool frames_to_bytes(uint64_t nframes, uint64_t *bytes)
{
	if (nframes == 0 || nframes > (FA_PHYS_LIMIT >> PAGE_SHIFT))
		return false;
	*bytes = nframes << PAGE_SHIFT;
	return true;
}

/* ------------------------------------------------------------------------
 * Allocation
 * ------------------------------------------------------------------------ */

uint64_t fa_alloc(struct frame_alloc *fa)
{
	return fa_alloc_contig(fa, 1, PAGE_SIZE);
}

/* Lowest multiple of align >= start, or false on overflow. */
static bool align_up_checked(uint64_t start, uint64_t align, uint64_t *out)
{
	uint64_t rem = start & (align - 1);

	if (rem == 0) {
		*out = start;
		return true;
	}
	if (start > UINT64_MAX - (align - rem))
		return false;
	*out = start + (align - rem);
	return true;
}

/* Takes [at, at + bytes) out of free extent i, which contains it. */
static void free_carve(struct frame_alloc *fa, unsigned i, uint64_t at,
		       uint64_t bytes)
{
	struct phys_range *r = &fa->free[i];
	struct phys_range tail = { .start = at + bytes, .end = r->end };

	fa->free_bytes -= bytes;
	if (at == r->start) {
		r->start = tail.start;
		if (r->start == r->end)
			free_remove(fa, i);
		return;
	}
	r->end = at;
	if (tail.start == tail.end)
		return;
	if (fa->nfree < FA_MAX_EXTENTS) {
		free_insert(fa, i + 1, tail);
		return;
	}
	/* No slot for the split: the head gap is dropped and counted as lost
	 * (the same policy as fa_free on a full list). */
	fa->lost_bytes += r->end - r->start;
	fa->free_bytes -= r->end - r->start;
	*r = tail;
}

uint64_t fa_alloc_contig(struct frame_alloc *fa, uint64_t nframes,
			 uint64_t align)
{
	uint64_t bytes, at;

	if (fa == NULL || align < PAGE_SIZE || (align & (align - 1)) != 0 ||
	    !frames_to_bytes(nframes, &bytes))
		return 0;
	for (unsigned i = 0; i < fa->nfree; i++) {
		const struct phys_range *r = &fa->free[i];

		if (!align_up_checked(r->start, align, &at) || at >= r->end ||
		    r->end - at < bytes)
			continue;
		free_carve(fa, i, at, bytes);
		return at;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Freeing
 * ------------------------------------------------------------------------ */

static bool is_managed(const struct frame_alloc *fa, uint64_t start,
		       uint64_t end)
{
	for (unsigned i = 0; i < fa->nmanaged; i++)
		if (fa->managed[i].start <= start && end <= fa->managed[i].end)
			return true;
	return false;
}

/* Index of the first free extent starting at or above addr. */
static unsigned free_lower_bound(const struct frame_alloc *fa, uint64_t addr)
{
	unsigned lo = 0, hi = fa->nfree;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (fa->free[mid].start < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum fa_status fa_free(struct frame_alloc *fa, uint64_t addr, uint64_t nframes)
{
	uint64_t bytes, end;

	if (fa == NULL || (addr & (PAGE_SIZE - 1)) != 0 ||
	    !frames_to_bytes(nframes, &bytes) || addr > UINT64_MAX - bytes)
		return FA_ERR_BAD_ARG;
	end = addr + bytes;
	if (!is_managed(fa, addr, end))
		return FA_ERR_NOT_MANAGED;

	unsigned i = free_lower_bound(fa, addr);
	struct phys_range *prev = i > 0 ? &fa->free[i - 1] : NULL;
	struct phys_range *next = i < fa->nfree ? &fa->free[i] : NULL;

	if ((prev && prev->end > addr) || (next && next->start < end))
		return FA_ERR_DOUBLE_FREE;

	fa->free_bytes += bytes;
	if (prev && prev->end == addr) {
		prev->end = end;
		if (next && next->start == end) {
			prev->end = next->end;
			free_remove(fa, i);
		}
	} else if (next && next->start == end) {
		next->start = addr;
	} else if (fa->nfree < FA_MAX_EXTENTS) {
		free_insert(fa, i, (struct phys_range){ addr, end });
	} else {
		fa->free_bytes -= bytes;
		fa->lost_bytes += bytes;
	}
	return FA_OK;
}

/* ------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------ */

uint64_t fa_free_bytes(const struct frame_alloc *fa)
{
	return fa ? fa->free_bytes : 0;
}

unsigned fa_region_count(const struct frame_alloc *fa)
{
	return fa ? fa->nmanaged : 0;
}

struct phys_range fa_region(const struct frame_alloc *fa, unsigned i)
{
	struct phys_range none = { 0, 0 };

	if (fa == NULL || i >= fa->nmanaged)
		return none;
	return fa->managed[i];
}
