/* Guest placement planner: validates the guest segments' physical ranges
 * and picks non-overlapping, page-aligned guest-physical homes for the boot
 * modules, the boot information and the extra boot data.
 *
 * Placement is "first fit from the top": for an object of size L the best
 * page-aligned start p is the highest one whose [p, p + L) passes every
 * rule. If p is valid and p + 4 KiB is not, some edge E (the limit, the end
 * of an available map entry, or the start of something that must not be
 * overlapped) lies in [p + L, p + L + 4 KiB), so p = ALIGN_DOWN(E - L): it
 * is enough to try those candidates. Everything is O(n^2) in small n. */
#include <stdarg.h>

#include "boot/guest_layout.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

/* Destinations: modules, then the info, then the extra data. */
#define MAX_PLACED (GUEST_LAYOUT_MAX_MODULES + 2)

struct planner {
	const struct guest_layout_in *in;
	struct phys_range placed[MAX_PLACED];
	unsigned nplaced;
	char *err;
	size_t errlen;
};

typedef unsigned long long ull;

static int PRINTF_LIKE(2, 3) fail(struct planner *pl, const char *fmt, ...)
{
	va_list ap;

	if (pl->err && pl->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(pl->err, pl->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* End of a map entry, saturated at 2^64 - 1 if base + len overflows. */
static uint64_t region_end(const struct mem_region *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

static bool overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

static bool overlaps_any(const struct phys_range *r, unsigned n,
			 uint64_t s, uint64_t e, int skip)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if ((int)i != skip && overlap(r[i].start, r[i].end, s, e))
			return true;
	return false;
}

/* Where available entries overlap anything else, the other type wins. */
static bool touches_unavailable(const struct guest_layout_in *in,
				uint64_t s, uint64_t e)
{
	unsigned i;

	for (i = 0; i < in->nmap; i++) {
		const struct mem_region *r = &in->map[i];

		if (r->type != MEM_AVAILABLE && r->len &&
		    overlap(r->base, region_end(r), s, e))
			return true;
	}
	return false;
}

/* The furthest end of an available entry that contains `a`, or `a`. */
static uint64_t available_reach(const struct guest_layout_in *in, uint64_t a)
{
	uint64_t reach = a;
	unsigned i;

	for (i = 0; i < in->nmap; i++) {
		const struct mem_region *r = &in->map[i];
		uint64_t end = region_end(r);

		if (r->type == MEM_AVAILABLE && r->base <= a && a < end &&
		    end > reach)
			reach = end;
	}
	return reach;
}

/* [s, e) is guest RAM: covered by available entries (possibly several
 * adjacent or overlapping ones) and touching no non-available entry. */
static bool is_ram(const struct guest_layout_in *in, uint64_t s, uint64_t e)
{
	uint64_t cur = s;

	while (cur < e) {
		uint64_t next = available_reach(in, cur);

		if (next == cur)
			return false;
		cur = next;
	}
	return !touches_unavailable(in, s, e);
}

/* Every placement rule for [s, s + len) except "not a module source",
 * which the caller applies (a module staying in place is its own source). */
static bool place_ok(const struct planner *pl, uint64_t s, uint64_t len)
{
	const struct guest_layout_in *in = pl->in;
	uint64_t e;

	if (len == 0)
		len = 1;
	if (s < GUEST_LAYOUT_LOW_KEEP || s > in->limit || len > in->limit - s)
		return false;
	e = s + len;
	return is_ram(in, s, e) &&
	       !overlaps_any(in->segments, in->nseg, s, e, -1) &&
	       !overlaps_any(in->hidden, in->nhidden, s, e, -1) &&
	       !overlaps_any(pl->placed, pl->nplaced, s, e, -1);
}

static bool dest_ok(const struct planner *pl, uint64_t s, uint64_t len)
{
	uint64_t e = s + (len ? len : 1); /* place_ok checked no overflow */

	return place_ok(pl, s, len) &&
	       !overlaps_any(pl->in->modules, pl->in->nmod, s, e, -1);
}

/* Tries the candidate whose end is at edge E; keeps the highest valid. */
static void try_edge(const struct planner *pl, uint64_t edge, uint64_t len,
		     bool *found, uint64_t *best)
{
	uint64_t p;

	if (edge < len)
		return;
	p = ALIGN_DOWN(edge - len, PAGE_SIZE);
	if (*found && p <= *best)
		return;
	if (dest_ok(pl, p, len)) {
		*found = true;
		*best = p;
	}
}

static void try_range_starts(const struct planner *pl,
			     const struct phys_range *r, unsigned n,
			     uint64_t len, bool *found, uint64_t *best)
{
	unsigned i;

	for (i = 0; i < n; i++)
		try_edge(pl, r[i].start, len, found, best);
}

/* First fit from the top; on success records [*at, *at + len) as placed. */
static bool place(struct planner *pl, uint64_t len, uint64_t *at)
{
	const struct guest_layout_in *in = pl->in;
	uint64_t eff = len ? len : 1, best = 0;
	bool found = false;
	unsigned i;

	try_edge(pl, in->limit, eff, &found, &best);
	for (i = 0; i < in->nmap; i++) {
		const struct mem_region *r = &in->map[i];

		try_edge(pl, r->type == MEM_AVAILABLE ? region_end(r) : r->base,
			 eff, &found, &best);
	}
	try_range_starts(pl, in->hidden, in->nhidden, eff, &found, &best);
	try_range_starts(pl, in->segments, in->nseg, eff, &found, &best);
	try_range_starts(pl, in->modules, in->nmod, eff, &found, &best);
	try_range_starts(pl, pl->placed, pl->nplaced, eff, &found, &best);
	if (!found)
		return false;
	pl->placed[pl->nplaced++] = (struct phys_range){ best, best + eff };
	*at = best;
	return true;
}

static int check_ranges(struct planner *pl, const struct phys_range *r,
			unsigned n, const char *what)
{
	unsigned i;

	if (n && !r)
		return fail(pl, "%s list is NULL", what);
	for (i = 0; i < n; i++)
		if (r[i].start > r[i].end)
			return fail(pl, "%s %u has its end below its start", what, i);
	return 0;
}

static int check_input(struct planner *pl)
{
	const struct guest_layout_in *in = pl->in;

	if (in->nmap && !in->map)
		return fail(pl, "memory map is NULL");
	if (in->nmod > GUEST_LAYOUT_MAX_MODULES)
		return fail(pl, "%u modules, more than %u", in->nmod,
			    GUEST_LAYOUT_MAX_MODULES);
	if (check_ranges(pl, in->hidden, in->nhidden, "hidden range") ||
	    check_ranges(pl, in->segments, in->nseg, "guest segment") ||
	    check_ranges(pl, in->modules, in->nmod, "module"))
		return -1;
	if (in->info_size == 0)
		return fail(pl, "boot information size is 0");
	if (in->info_size > GUEST_LAYOUT_MAX_SIZE)
		return fail(pl, "boot information size %#llx is larger than 4 GiB",
			    (ull)in->info_size);
	if (in->extra_size > GUEST_LAYOUT_MAX_SIZE)
		return fail(pl, "extra boot data size %#llx is larger than 4 GiB",
			    (ull)in->extra_size);
	return 0;
}

/* Each non-empty segment: at or below limit, outside Nestor's memory, in
 * guest RAM. */
static int check_segments(struct planner *pl)
{
	const struct guest_layout_in *in = pl->in;
	unsigned i, j;

	for (i = 0; i < in->nseg; i++) {
		ull s = in->segments[i].start, e = in->segments[i].end;

		if (s == e)
			continue;
		if (e > in->limit)
			return fail(pl, "guest segment [%#llx,%#llx) ends above the limit %#llx",
				    s, e, (ull)in->limit);
		for (j = 0; j < in->nhidden; j++)
			if (overlap(s, e, in->hidden[j].start, in->hidden[j].end))
				return fail(pl, "guest segment [%#llx,%#llx) overlaps Nestor's memory [%#llx,%#llx)",
					    s, e, (ull)in->hidden[j].start,
					    (ull)in->hidden[j].end);
		if (!is_ram(in, s, e))
			return fail(pl, "guest segment [%#llx,%#llx) is not in guest RAM",
				    s, e);
	}
	return 0;
}

static bool may_stay(const struct planner *pl, unsigned i)
{
	const struct phys_range *m = &pl->in->modules[i];
	uint64_t len = m->end - m->start;

	if (pl->in->page_align_modules && m->start % PAGE_SIZE)
		return false;
	return place_ok(pl, m->start, len) &&
	       !overlaps_any(pl->in->modules, pl->in->nmod, m->start,
			     m->start + (len ? len : 1), (int)i);
}

static int plan_modules(struct planner *pl, struct guest_layout_out *out)
{
	const struct guest_layout_in *in = pl->in;
	unsigned i;

	for (i = 0; i < in->nmod; i++) {
		uint64_t len = in->modules[i].end - in->modules[i].start;

		if (len > GUEST_LAYOUT_MAX_SIZE)
			return fail(pl, "module %u is larger than 4 GiB (size %#llx)",
				    i, (ull)len);
	}
	/* Decide who stays before placing anything: placed ranges must not
	 * change that answer. */
	for (i = 0; i < in->nmod; i++)
		out->module_dest[i] = may_stay(pl, i) ? in->modules[i].start
						      : UINT64_MAX;
	for (i = 0; i < in->nmod; i++) {
		uint64_t len = in->modules[i].end - in->modules[i].start;

		if (out->module_dest[i] != UINT64_MAX)
			continue;
		if (!place(pl, len, &out->module_dest[i]))
			return fail(pl, "not enough guest RAM to place module %u (size %#llx)",
				    i, (ull)len);
	}
	return 0;
}

static int plan(struct planner *pl, struct guest_layout_out *out)
{
	const struct guest_layout_in *in = pl->in;

	if (check_input(pl) || check_segments(pl) || plan_modules(pl, out))
		return -1;
	if (!place(pl, in->info_size, &out->info_addr))
		return fail(pl, "not enough guest RAM to place the boot information (size %#llx)",
			    (ull)in->info_size);
	if (in->extra_size && !place(pl, in->extra_size, &out->extra_addr))
		return fail(pl, "not enough guest RAM to place the extra boot data (size %#llx)",
			    (ull)in->extra_size);
	return 0;
}

int guest_layout_plan(const struct guest_layout_in *in,
		      struct guest_layout_out *out, char *err, size_t errlen)
{
	struct planner pl = { .in = in, .err = err, .errlen = errlen };

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(&pl, "layout output pointer is NULL");
	memset(out, 0, sizeof(*out));
	if (!in)
		return fail(&pl, "layout input pointer is NULL");
	if (plan(&pl, out)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
