/* Where Nestor's memory pool goes: the highest free RAM below 4 GiB, next
 * to the image GRUB loaded at the top (mm/nestor_mem.h). */
#include <stdarg.h>
#include <stdbool.h>

#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/nestor_mem.h"

#define MiB (1ULL << 20)

typedef unsigned long long ull;

unsigned nestor_mem_default_mib(uint64_t usable_bytes)
{
	uint64_t mib = usable_bytes / 8 / MiB;

	if (mib < NESTOR_MEM_DEFAULT_FLOOR_MIB)
		return NESTOR_MEM_DEFAULT_FLOOR_MIB;
	if (mib > NESTOR_MEM_DEFAULT_CAP_MIB)
		return NESTOR_MEM_DEFAULT_CAP_MIB;
	return (unsigned)mib;
}

/* Adds r to the ascending list, merged with a neighbour it touches. The
 * caller guarantees room for one more and no overlap. */
static void add_range(struct phys_range *list, unsigned *n,
		      struct phys_range r)
{
	unsigned i = 0;

	while (i < *n && list[i].start < r.start)
		i++;
	if (i > 0 && list[i - 1].end == r.start) {
		list[i - 1].end = r.end;
		if (i < *n && list[i].start == r.end) {
			list[i - 1].end = list[i].end;
			memmove(&list[i], &list[i + 1],
				(*n - i - 1) * sizeof(list[0]));
			(*n)--;
		}
		return;
	}
	if (i < *n && list[i].start == r.end) {
		list[i].start = r.start;
		return;
	}
	memmove(&list[i + 1], &list[i], (*n - i) * sizeof(list[0]));
	list[i] = r;
	(*n)++;
}

static int plan(const struct frame_alloc *free_ram, uint64_t bytes,
		struct phys_range image, struct nestor_mem_plan *out,
		char *err, size_t errlen)
{
	uint64_t need = bytes, avail = fa_free_bytes(free_ram);

	if (bytes == 0 || bytes % PAGE_SIZE)
		return fmt_fail(err, errlen, "pool size %#llx is not a non-zero multiple of 4 KiB",
			    (ull)bytes);
	if (image.start >= image.end)
		return fmt_fail(err, errlen, "Nestor's image range is empty");
	if (avail < bytes)
		return fmt_fail(err, errlen, "%llu MiB asked, only %llu MiB of free RAM below 4 GiB",
			    (ull)(bytes / MiB), (ull)(avail / MiB));
	/* The free extents are ascending: walk them from the top. */
	for (unsigned i = free_ram->nfree; i-- > 0 && need;) {
		struct phys_range r = free_ram->free[i];
		uint64_t take = r.end - r.start < need ? r.end - r.start : need;

		if (out->npool == NESTOR_MEM_MAX_PIECES)
			return fmt_fail(err, errlen, "free RAM at the top is split into more than %u pieces",
				    NESTOR_MEM_MAX_PIECES);
		out->pool[out->npool++] = (struct phys_range){ r.end - take, r.end };
		need -= take;
	}
	if (need)
		return fmt_fail(err, errlen, "%llu MiB asked, only %llu MiB of free RAM below 4 GiB",
			    (ull)(bytes / MiB), (ull)((bytes - need) / MiB));
	out->pool_bytes = bytes;
	/* Collected from the top down: make them ascending. */
	for (unsigned i = 0; i < out->npool / 2; i++) {
		struct phys_range t = out->pool[i];

		out->pool[i] = out->pool[out->npool - 1 - i];
		out->pool[out->npool - 1 - i] = t;
	}
	add_range(out->hidden, &out->nhidden, image);
	for (unsigned i = 0; i < out->npool; i++) {
		if (out->pool[i].start < image.end && image.start < out->pool[i].end)
			return fmt_fail(err, errlen, "free RAM overlaps Nestor's image");
		add_range(out->hidden, &out->nhidden, out->pool[i]);
	}
	out->span = (struct phys_range){ out->hidden[0].start,
					 out->hidden[out->nhidden - 1].end };
	return 0;
}

int nestor_mem_plan(const struct frame_alloc *free_ram, uint64_t bytes,
		    struct phys_range image, struct nestor_mem_plan *out,
		    char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fmt_fail(err, errlen, "no plan to fill");
	memset(out, 0, sizeof(*out));
	if (!free_ram)
		return fmt_fail(err, errlen, "no free RAM given");
	if (plan(free_ram, bytes, image, out, err, errlen)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
