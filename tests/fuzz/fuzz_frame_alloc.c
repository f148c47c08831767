/* Fuzz target for the frame allocator (mm/frame_alloc.c).
 *
 * The input encodes a memory map, reserved ranges, limits and a sequence of
 * alloc/free operations. fa_init and mem_map_usable_bytes are checked against
 * an independent, sort-based reference; when all managed memory lies in the
 * first 16 MiB every operation is checked exactly against a per-frame shadow
 * model (lowest first, double free, lost frames), otherwise against the
 * allocator's invariants. Any mismatch traps.
 *
 * Input layout (little endian):
 *   u8 nmap, u8 nres, u16 min code, u16 max code,
 *   nmap * { u16 base code, u16 len code, u8 type },
 *   nres * { u16 start code, u16 len code },
 *   then 4-byte operations { u8 kind, u16 param, u8 count }.
 * An address code below 0xf000 means code * 256 (within 15 MiB, so often
 * unaligned); codes from 0xf000 pick absurd values (near 2^64, around 2^52,
 * around 4 GiB). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/compiler.h"
#include "mm/frame_alloc.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* The oracle's scans over the shadow and the free list run after every
 * operation; their comparisons say nothing about the allocator, so they
 * get no coverage instrumentation (most of the time per input was spent in
 * libFuzzer's comparison hooks there). */
#define ORACLE __attribute__((no_sanitize("coverage")))

#define MAX_MAP 24
#define MAX_RES 8
#define DOMAIN_FRAMES 4096 /* 16 MiB modelled exactly */
#define DOMAIN_END ((uint64_t)DOMAIN_FRAMES * PAGE_SIZE)

static struct frame_alloc fa;
static struct mem_region map[MAX_MAP];
static struct phys_range res[MAX_RES];
static uint8_t shadow[DOMAIN_FRAMES]; /* 0 unmanaged, 1 free, 2 used/lost */
/* Frames below the end of the last managed extent: the shadow is 0 from
 * there on, so no scan needs to go further. */
static unsigned dom;
/* Runs of free frames in the shadow, counted by check_shadow() after every
 * operation (and after fa_init): the model needs it to know when the
 * allocator's free list is full, and need not count them again. */
static unsigned runs;

/* ---------------------------------------------------------- input reader */

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t rd8(struct reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

static uint16_t rd16(struct reader *r)
{
	uint16_t lo = rd8(r);

	return (uint16_t)(lo | (uint16_t)rd8(r) << 8);
}

static const uint64_t absurd[16] = {
	UINT64_MAX, UINT64_MAX - 0xfff, UINT64_MAX - 0x1000, 1ULL << 63,
	FA_PHYS_LIMIT, FA_PHYS_LIMIT - 0x1000, FA_PHYS_LIMIT - 1,
	FA_PHYS_LIMIT + 0x800, 4ULL << 30, (4ULL << 30) - 1,
	(4ULL << 30) + 0x1000, 1ULL << 40, 0x100000, 0x1000, 0xfff, 0,
};

static uint64_t decode(uint16_t code)
{
	if (code >= 0xf000)
		return absurd[code & 0xf];
	return (uint64_t)code * 256;
}

/* ------------------------------------------------------------ reference */

static bool ref_clamp(uint64_t base, uint64_t len, uint64_t *s, uint64_t *e)
{
	uint64_t end;

	if (len == 0 || base >= FA_PHYS_LIMIT)
		return false;
	if (__builtin_add_overflow(base, len, &end) || end > FA_PHYS_LIMIT)
		end = FA_PHYS_LIMIT;
	*s = base;
	*e = end;
	return true;
}

static bool ref_covered(uint64_t p, bool avail, unsigned nmap,
			unsigned nres)
{
	uint64_t s, e;

	for (unsigned i = 0; i < nmap; i++) {
		if ((map[i].type == MEM_AVAILABLE) != avail)
			continue;
		if (ref_clamp(map[i].base, map[i].len, &s, &e) && s <= p &&
		    p < e)
			return true;
	}
	for (unsigned i = 0; !avail && i < nres; i++)
		if (ref_clamp(res[i].start, res[i].end - res[i].start, &s,
			      &e) && s <= p && p < e)
			return true;
	return false;
}

static uint64_t points[2 * (MAX_MAP + MAX_RES) + 2];

static unsigned add_point(unsigned n, uint64_t p, uint64_t lo, uint64_t hi)
{
	if (p > lo && p < hi)
		points[n++] = p;
	return n;
}

/* Sorted, deduplicated boundaries of the usable set within [lo, hi). */
static unsigned ref_points(unsigned nmap, unsigned nres, uint64_t lo,
			   uint64_t hi)
{
	unsigned n = 0;
	uint64_t s, e;

	points[n++] = lo;
	points[n++] = hi;
	for (unsigned i = 0; i < nmap; i++)
		if (ref_clamp(map[i].base, map[i].len, &s, &e)) {
			n = add_point(n, s, lo, hi);
			n = add_point(n, e, lo, hi);
		}
	for (unsigned i = 0; i < nres; i++)
		if (ref_clamp(res[i].start, res[i].end - res[i].start, &s,
			      &e)) {
			n = add_point(n, s, lo, hi);
			n = add_point(n, e, lo, hi);
		}
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && points[j - 1] > points[j]; j--) {
			uint64_t t = points[j];

			points[j] = points[j - 1];
			points[j - 1] = t;
		}
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++)
		if (m == 0 || points[m - 1] != points[i])
			points[m++] = points[i];
	return m;
}

static bool ref_member(unsigned i, unsigned nmap, unsigned nres)
{
	return ref_covered(points[i], true, nmap, nres) &&
	       !ref_covered(points[i], false, nmap, nres);
}

static uint64_t ref_usable_bytes(unsigned nmap)
{
	uint64_t total = 0;
	unsigned n = ref_points(nmap, 0, 0, FA_PHYS_LIMIT);

	for (unsigned i = 0; i + 1 < n; i++)
		if (ref_member(i, nmap, 0))
			total += points[i + 1] - points[i];
	return total;
}

static struct phys_range ref_managed[FA_MAX_EXTENTS + 8];

/* Expected managed extents: maximal runs of elementary intervals, shrunk
 * inward to whole frames. */
static unsigned ref_extents(unsigned nmap, unsigned nres, uint64_t lo,
			    uint64_t hi)
{
	unsigned n = ref_points(nmap, nres, lo, hi), count = 0;

	for (unsigned i = 0; i + 1 < n; i++) {
		if (!ref_member(i, nmap, nres))
			continue;
		unsigned j = i;

		while (j + 2 < n && ref_member(j + 1, nmap, nres))
			j++;
		uint64_t s = ALIGN_UP(points[i], PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(points[j + 1], PAGE_SIZE);

		if (s < e && count < ARRAY_SIZE(ref_managed))
			ref_managed[count++] = (struct phys_range){ s, e };
		i = j;
	}
	return count;
}

static enum fa_status ref_init_status(unsigned nres, uint64_t min,
				      uint64_t max, uint64_t *lo,
				      uint64_t *hi)
{
	for (unsigned i = 0; i < nres; i++)
		if (res[i].start > res[i].end)
			return FA_ERR_BAD_ARG;
	if (min < PAGE_SIZE || min >= FA_PHYS_LIMIT)
		return FA_ERR_BAD_ARG;
	*lo = ALIGN_UP(min, PAGE_SIZE);
	*hi = max == 0 || max > FA_PHYS_LIMIT ? FA_PHYS_LIMIT :
	      ALIGN_DOWN(max, PAGE_SIZE);
	return *hi <= *lo ? FA_ERR_BAD_ARG : FA_OK;
}

/* ------------------------------------------------------------ invariants */

ORACLE static bool in_managed(uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < fa.nmanaged; i++)
		if (fa.managed[i].start <= s && e <= fa.managed[i].end)
			return true;
	return false;
}

ORACLE static bool in_free(uint64_t addr)
{
	for (unsigned i = 0; i < fa.nfree; i++)
		if (fa.free[i].start <= addr && addr < fa.free[i].end)
			return true;
	return false;
}

ORACLE static void check_invariants(void)
{
	uint64_t sum = 0;

	CHECK(fa.nfree <= FA_MAX_EXTENTS);
	for (unsigned i = 0; i < fa.nfree; i++) {
		const struct phys_range *r = &fa.free[i];

		CHECK(r->start % PAGE_SIZE == 0 && r->end % PAGE_SIZE == 0);
		CHECK(r->start < r->end);
		CHECK(i == 0 || fa.free[i - 1].end < r->start);
		CHECK(in_managed(r->start, r->end));
		sum += r->end - r->start;
	}
	CHECK(sum == fa.free_bytes);
	CHECK(fa.free_bytes + fa.lost_bytes <= fa.managed_bytes);
}

/* --------------------------------------------------------- shadow model */

/* The free list must be exactly the runs of free frames in the shadow;
 * counts them into `runs`. One pass, run to run. */
ORACLE static void check_shadow(void)
{
	unsigned k = 0, f = 0;

	while (f < dom) {
		if (shadow[f] != 1) {
			f++;
			continue;
		}
		unsigned g = f;

		while (g < dom && shadow[g] == 1)
			g++;
		CHECK(k < fa.nfree);
		CHECK(fa.free[k].start == (uint64_t)f * PAGE_SIZE);
		CHECK(fa.free[k].end == (uint64_t)g * PAGE_SIZE);
		k++;
		f = g;
	}
	CHECK(k == fa.nfree);
	runs = k;
}

ORACLE static bool shadow_is(uint64_t f, uint64_t n, uint8_t state)
{
	for (uint64_t k = 0; k < n; k++)
		if (f + k >= dom || shadow[f + k] != state)
			return false;
	return true;
}

static void model_alloc_contig(uint64_t n, uint64_t align)
{
	uint64_t step = align / PAGE_SIZE, f;
	bool full = runs == FA_MAX_EXTENTS;

	for (f = 0; f < dom; f += step)
		if (shadow_is(f, n, 1))
			break;
	uint64_t got = fa_alloc_contig(&fa, n, align);

	if (f >= dom) {
		CHECK(got == 0);
		return;
	}
	CHECK(got == f * PAGE_SIZE);
	uint64_t head = f, tail = f + n;

	while (head > 0 && shadow[head - 1] == 1)
		head--;
	memset(&shadow[f], 2, n);
	/* No slot for a split: the head gap is dropped (lost). */
	if (full && head < f && tail < DOMAIN_FRAMES && shadow[tail] == 1)
		memset(&shadow[head], 2, f - head);
}

static void model_free(uint64_t f, uint64_t n, bool misalign)
{
	enum fa_status want = FA_OK;
	uint64_t addr = f * PAGE_SIZE + (misalign ? 0x800 : 0);

	if (misalign)
		want = FA_ERR_BAD_ARG;
	else if (f + n > DOMAIN_FRAMES)
		want = FA_ERR_NOT_MANAGED;
	for (uint64_t k = 0; want == FA_OK && k < n; k++)
		if (shadow[f + k] == 0)
			want = FA_ERR_NOT_MANAGED;
	for (uint64_t k = 0; want == FA_OK && k < n; k++)
		if (shadow[f + k] == 1)
			want = FA_ERR_DOUBLE_FREE;

	bool isolated = want == FA_OK && (f == 0 || shadow[f - 1] != 1) &&
			(f + n >= DOMAIN_FRAMES || shadow[f + n] != 1);
	bool lost = isolated && runs == FA_MAX_EXTENTS;
	uint64_t lost_before = fa.lost_bytes;

	CHECK(fa_free(&fa, addr, n) == want);
	if (want == FA_OK && !lost)
		memset(&shadow[f], 1, n);
	CHECK(fa.lost_bytes == lost_before + (lost ? n * PAGE_SIZE : 0));
}

/* ---------------------------------------------------- invariant-only ops */

static void loose_alloc(uint64_t n, uint64_t align)
{
	uint64_t before = fa.free_bytes, lowest = fa.nfree ? fa.free[0].start : 0;
	uint64_t got = fa_alloc_contig(&fa, n, align);

	if (got == 0) {
		CHECK(fa.free_bytes == before);
		CHECK(n > 1 || align > PAGE_SIZE || before == 0);
		return;
	}
	CHECK(got % align == 0);
	CHECK(n > 1 || align > PAGE_SIZE || got == lowest);
	CHECK(in_managed(got, got + n * PAGE_SIZE));
	CHECK(!in_free(got) && !in_free(got + (n - 1) * PAGE_SIZE));
	CHECK(fa.free_bytes <= before - n * PAGE_SIZE);
}

static void loose_free(uint64_t addr, uint64_t n)
{
	uint64_t before = fa.free_bytes + fa.lost_bytes;
	enum fa_status st = fa_free(&fa, addr, n);

	if (st == FA_OK)
		CHECK(fa.free_bytes + fa.lost_bytes == before + n * PAGE_SIZE);
	else
		CHECK(fa.free_bytes + fa.lost_bytes == before);
}

/* ------------------------------------------------------------ the target */

static void check_init(unsigned nmap, unsigned nres, uint64_t min,
		       uint64_t max, enum fa_status st)
{
	uint64_t lo = 0, hi = 0;
	enum fa_status want = ref_init_status(nres, min, max, &lo, &hi);
	unsigned n = 0;

	if (want == FA_OK) {
		n = ref_extents(nmap, nres, lo, hi);
		if (n == 0)
			want = FA_ERR_NO_MEMORY;
		else if (n > FA_MAX_EXTENTS)
			want = FA_ERR_TOO_MANY_REGIONS;
	}
	CHECK(st == want);
	if (st != FA_OK) {
		CHECK(fa_region_count(&fa) == 0 && fa_free_bytes(&fa) == 0);
		CHECK(fa_alloc(&fa) == 0);
		return;
	}
	CHECK(fa_region_count(&fa) == n);
	for (unsigned i = 0; i < n; i++) {
		struct phys_range r = fa_region(&fa, i);

		CHECK(r.start == ref_managed[i].start);
		CHECK(r.end == ref_managed[i].end);
		CHECK(r.start >= PAGE_SIZE);
	}
	CHECK(fa.nfree == n && fa.free_bytes == fa.managed_bytes);
	CHECK(fa.lost_bytes == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	unsigned nmap = rd8(&r) % (MAX_MAP + 1), nres = rd8(&r) % (MAX_RES + 1);
	uint64_t min = decode(rd16(&r)), max = decode(rd16(&r));

	for (unsigned i = 0; i < nmap; i++) {
		map[i].base = decode(rd16(&r));
		map[i].len = decode(rd16(&r));
		map[i].type = rd8(&r) % 8;
	}
	for (unsigned i = 0; i < nres; i++) {
		res[i].start = decode(rd16(&r));
		/* Wrapping is intended: it produces inverted ranges. */
		res[i].end = res[i].start + decode(rd16(&r));
	}

	CHECK(mem_map_usable_bytes(map, nmap) == ref_usable_bytes(nmap));
	enum fa_status st = fa_init(&fa, map, nmap, res, nres, min, max);

	check_init(nmap, nres, min, max, st);
	if (st != FA_OK)
		return 0;

	bool exact = fa.managed[fa.nmanaged - 1].end <= DOMAIN_END;

	if (exact) {
		memset(shadow, 0, sizeof(shadow));
		for (unsigned i = 0; i < fa.nmanaged; i++)
			memset(&shadow[fa.managed[i].start / PAGE_SIZE], 1,
			       (fa.managed[i].end - fa.managed[i].start) / PAGE_SIZE);
		dom = (unsigned)(fa.managed[fa.nmanaged - 1].end / PAGE_SIZE);
		check_shadow();
	}

	while (r.left >= 4) {
		uint8_t kind = rd8(&r);
		uint16_t param = rd16(&r);
		uint64_t n = 1 + rd8(&r) % 16;
		uint64_t align = PAGE_SIZE << (param % 12);
		uint64_t f = param % DOMAIN_FRAMES;

		switch (kind % 3) {
		case 0:
			n = 1;
			align = PAGE_SIZE;
			/* fall through */
		case 1:
			if (exact)
				model_alloc_contig(n, align);
			else
				loose_alloc(n, align);
			break;
		default:
			if (exact)
				model_free(f, n, kind & 0x80);
			else
				loose_free(f * PAGE_SIZE, n);
			break;
		}
		check_invariants();
		if (exact)
			check_shadow();
	}
	return 0;
}
