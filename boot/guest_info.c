/* What the guest is told at boot: its memory map, the basic memory figures,
 * and the Multiboot2 / Multiboot1 boot information built from a
 * struct guest_boot_desc.
 *
 * The builders run twice over the same code: once with no buffer to measure
 * (the *_size functions), once to write, so size and contents cannot
 * disagree. All stores go through memcpy, so nothing depends on the
 * buffer's alignment. */
#include <stdbool.h>

#include "boot/guest_info.h"
#include "lib/bytes.h"
#include "lib/compiler.h"
#include "lib/string.h"

#define KiB 1024u
#define LOW_MEM_MAX (640u * KiB) /* conventional memory, Multiboot 3.3 */
#define HIGH_MEM_START (1024u * KiB)

/* ------------------------------------------------------------ memory map */

static uint64_t region_end(const struct mem_region *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/* Multiboot2 spec 3.6.8 / e820 types 1..5; anything else is reserved. */
static uint32_t norm_type(uint32_t type)
{
	return type >= MEM_AVAILABLE && type <= MEM_BAD ? type : MEM_RESERVED;
}

static uint64_t hidden_start(const struct phys_range *h)
{
	return ALIGN_DOWN(h->start, PAGE_SIZE);
}

static uint64_t hidden_end(const struct phys_range *h)
{
	if (h->end > UINT64_MAX - (PAGE_SIZE - 1))
		return UINT64_MAX;
	return ALIGN_UP(h->end, PAGE_SIZE);
}

static void lower_bound(uint64_t v, uint64_t x, uint64_t *best, bool *any)
{
	if (v > x && (!*any || v < *best)) {
		*best = v;
		*any = true;
	}
}

/* The smallest entry or hidden-range edge above x; false if none. */
static bool next_edge(const struct mem_region *map, unsigned n,
		      const struct phys_range *hidden, unsigned nhidden,
		      uint64_t x, uint64_t *next)
{
	bool any = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (map[i].len == 0)
			continue;
		lower_bound(map[i].base, x, next, &any);
		lower_bound(region_end(&map[i]), x, next, &any);
	}
	for (i = 0; i < nhidden; i++) {
		lower_bound(hidden_start(&hidden[i]), x, next, &any);
		lower_bound(hidden_end(&hidden[i]), x, next, &any);
	}
	return any;
}

/* The type of the byte at x: the highest type of the entries holding it
 * (0 = hole); available memory inside a hidden range is reserved. */
static uint32_t type_at(const struct mem_region *map, unsigned n,
			const struct phys_range *hidden, unsigned nhidden,
			uint64_t x)
{
	uint32_t type = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (map[i].len && map[i].base <= x && x < region_end(&map[i]) &&
		    norm_type(map[i].type) > type)
			type = norm_type(map[i].type);
	if (type != MEM_AVAILABLE)
		return type;
	for (i = 0; i < nhidden; i++)
		if (hidden_start(&hidden[i]) <= x && x < hidden_end(&hidden[i]))
			return MEM_RESERVED;
	return type;
}

/* Appends [x, next) of `type`, merging with the previous entry. */
static int emit_region(struct mem_region *out, unsigned cap, unsigned *nout,
		       uint64_t x, uint64_t next, uint32_t type)
{
	struct mem_region *last = *nout ? &out[*nout - 1] : NULL;

	if (last && last->type == type && last->base + last->len == x) {
		last->len += next - x;
		return 0;
	}
	if (*nout >= cap)
		return -1;
	out[(*nout)++] = (struct mem_region){ x, next - x, type };
	return 0;
}

/* Sweeps the edges from the lowest entry base upwards; between two edges
 * the type is constant. */
int guest_memory_view(const struct mem_region *map, unsigned n,
		      const struct phys_range *hidden, unsigned nhidden,
		      struct mem_region *out, unsigned cap, unsigned *nout)
{
	uint64_t x = UINT64_MAX, next = 0;
	unsigned i;

	if (!nout || (n && !map) || (nhidden && !hidden) || (cap && !out))
		return -1;
	*nout = 0;
	for (i = 0; i < n; i++)
		if (map[i].len && map[i].base < x)
			x = map[i].base;
	while (x != UINT64_MAX && next_edge(map, n, hidden, nhidden, x, &next)) {
		uint32_t type = type_at(map, n, hidden, nhidden, x);

		if (type && emit_region(out, cap, nout, x, next, type))
			return -1;
		x = next;
	}
	return 0;
}

/* The furthest end of an available entry that holds cur, or cur. */
static uint64_t available_reach(const struct mem_region *map, unsigned n,
				uint64_t cur)
{
	uint64_t reach = cur;
	unsigned i;

	for (i = 0; i < n; i++)
		if (map[i].type == MEM_AVAILABLE && map[i].base <= cur &&
		    cur < region_end(&map[i]) && region_end(&map[i]) > reach)
			reach = region_end(&map[i]);
	return reach;
}

/* End of the run of available memory that starts at a (a if none): walks
 * available entries end to end and stops at the first byte covered by a
 * non-available entry, which wins where entries overlap. */
static uint64_t available_run_end(const struct mem_region *map, unsigned n,
				  uint64_t a)
{
	uint64_t cur = a;

	for (;;) {
		uint64_t reach = available_reach(map, n, cur), stop = reach;
		unsigned i;

		if (reach == cur)
			return cur;
		for (i = 0; i < n; i++) {
			uint64_t base = map[i].base > cur ? map[i].base : cur;

			if (map[i].type != MEM_AVAILABLE && map[i].len &&
			    map[i].base < reach && region_end(&map[i]) > cur &&
			    base < stop)
				stop = base;
		}
		if (stop < reach)
			return stop;
		cur = reach;
	}
}

void guest_basic_meminfo(const struct mem_region *map, unsigned n,
			 uint32_t *lower_kb, uint32_t *upper_kb)
{
	uint64_t low = 0, high = 0;

	if (!map)
		n = 0;
	if (n) {
		low = available_run_end(map, n, 0);
		high = available_run_end(map, n, HIGH_MEM_START) - HIGH_MEM_START;
	}
	if (low > LOW_MEM_MAX)
		low = LOW_MEM_MAX;
	high /= KiB;
	if (lower_kb)
		*lower_kb = (uint32_t)(low / KiB);
	if (upper_kb)
		*upper_kb = high > UINT32_MAX ? UINT32_MAX : (uint32_t)high;
}

/* ---------------------------------------------------------------- writer */

/* A cursor over the output; with p == NULL it only measures. */
struct out {
	uint8_t *p;
	size_t off;
};

static void put(struct out *o, const void *src, size_t n)
{
	if (o->p)
		memcpy(o->p + o->off, src, n);
	o->off += n;
}

static void put32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

static void put64(struct out *o, uint64_t v)
{
	put(o, &v, sizeof(v));
}

static void put32_at(struct out *o, size_t at, uint32_t v)
{
	if (o->p)
		wr32(o->p + at, v);
}

static void put_str(struct out *o, const char *s)
{
	put(o, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* Checks the parts of d both formats rely on. */
static bool desc_ok(const struct guest_boot_desc *d)
{
	if (!d || (d->nmods && !d->mods) || (d->nmap && !d->map))
		return false;
	if (!d->rsdp)
		return true;
	/* ACPI spec 5.2.5.3: 20-byte 1.0 RSDP; 2.0+ RSDP is >= 36 bytes. */
	if (d->rsdp_version == 1)
		return d->rsdp_len >= 20;
	return d->rsdp_version == 2 && d->rsdp_len >= 36;
}

static bool mods_fit_32(const struct guest_boot_desc *d)
{
	unsigned i;

	for (i = 0; i < d->nmods; i++)
		if (d->mods[i].start > d->mods[i].end ||
		    d->mods[i].end > UINT32_MAX)
			return false;
	return true;
}

/* ------------------------------------------------------------ multiboot2 */

/* Multiboot2 spec 3.6.2: u32 type, u32 size (header included, padding
 * excluded); the next tag starts 8-byte aligned. */
#define MB2_TAG_ALIGN 8u
#define MB2_RSDP_V1_LEN 20u

static size_t tag_begin(struct out *o, uint32_t type)
{
	size_t start = o->off;

	put32(o, type);
	put32(o, 0);
	return start;
}

static void tag_end(struct out *o, size_t start)
{
	size_t end = o->off;

	put32_at(o, start + 4, (uint32_t)(end - start));
	/* The buffer was zeroed: skipping is zero padding. */
	o->off = ALIGN_UP(end, MB2_TAG_ALIGN);
}

/* Spec 3.6.5 (type 1) and 3.6.9 (type 2): a zero-terminated string. */
static void mb2_string_tag(struct out *o, uint32_t type, const char *s)
{
	size_t t = tag_begin(o, type);

	put_str(o, s);
	tag_end(o, t);
}

/* Spec 3.6.6: u32 mod_start, u32 mod_end, string; one tag per module. */
static void mb2_module_tag(struct out *o, const struct guest_module_desc *m)
{
	size_t t = tag_begin(o, 3);

	put32(o, (uint32_t)m->start);
	put32(o, (uint32_t)m->end);
	put_str(o, m->cmdline);
	tag_end(o, t);
}

/* Spec 3.6.3: u32 mem_lower, u32 mem_upper (KiB). */
static void mb2_meminfo_tag(struct out *o, const struct guest_boot_desc *d)
{
	size_t t = tag_begin(o, 4);

	put32(o, d->mem_lower_kb);
	put32(o, d->mem_upper_kb);
	tag_end(o, t);
}

/* Spec 3.6.8: entry_size 24, entry_version 0, then u64 base_addr,
 * u64 length, u32 type, u32 reserved (0) per entry. */
static void mb2_mmap_tag(struct out *o, const struct guest_boot_desc *d)
{
	size_t t = tag_begin(o, 6);
	unsigned i;

	put32(o, 24);
	put32(o, 0);
	for (i = 0; i < d->nmap; i++) {
		put64(o, d->map[i].base);
		put64(o, d->map[i].len);
		put32(o, d->map[i].type);
		put32(o, 0);
	}
	tag_end(o, t);
}

/* Spec 3.6.16 (14: the ACPI 1.0 RSDP, 20 bytes) and 3.6.17 (15: the 2.0+
 * RSDP, Length bytes). A 2.0 RSDP starts with a valid 1.0 one (ACPI spec
 * 5.2.5.3: the first checksum covers the first 20 bytes), so it is given as
 * both for guests that read only tag 14. */
static void mb2_acpi_tags(struct out *o, const struct guest_boot_desc *d)
{
	size_t t;

	if (!d->rsdp)
		return;
	t = tag_begin(o, 14);
	put(o, d->rsdp, MB2_RSDP_V1_LEN);
	tag_end(o, t);
	if (d->rsdp_version != 2)
		return;
	t = tag_begin(o, 15);
	put(o, d->rsdp, d->rsdp_len);
	tag_end(o, t);
}

/* Spec 3.6.1-3.6.2: u32 total_size, u32 reserved, tags, end tag (0, 8). */
static void mb2_emit(struct out *o, const struct guest_boot_desc *d)
{
	unsigned i;

	put32(o, 0);	/* total_size, set below */
	put32(o, 0);	/* reserved */
	mb2_string_tag(o, 1, str_or_empty(d->cmdline));
	if (d->loader_name)
		mb2_string_tag(o, 2, d->loader_name);
	for (i = 0; i < d->nmods; i++)
		mb2_module_tag(o, &d->mods[i]);
	mb2_meminfo_tag(o, d);
	if (d->nmap)
		mb2_mmap_tag(o, d);
	mb2_acpi_tags(o, d);
	put32(o, 0);
	put32(o, 8);
	put32_at(o, 0, (uint32_t)o->off);
}

size_t mb2_info_size(const struct guest_boot_desc *d)
{
	struct out o = { 0 };

	if (!desc_ok(d))
		return 0;
	mb2_emit(&o, d);
	return o.off;
}

int mb2_info_build(void *buf, size_t cap, const struct guest_boot_desc *d)
{
	size_t size = mb2_info_size(d);
	struct out o = { .p = buf };

	if (!buf || size == 0 || size > cap || size > UINT32_MAX ||
	    !mods_fit_32(d))
		return -1;
	memset(buf, 0, size);
	mb2_emit(&o, d);
	return o.off == size ? 0 : -1;
}

/* ------------------------------------------------------------ multiboot1 */

/* Multiboot 0.6.96 3.3 struct multiboot_info: field offsets. */
#define MB1_INFO_SIZE 116u
#define MB1_FLAGS 0u
#define MB1_MEM_LOWER 4u
#define MB1_MEM_UPPER 8u
#define MB1_CMDLINE 16u
#define MB1_MODS_COUNT 20u
#define MB1_MODS_ADDR 24u
#define MB1_MMAP_LENGTH 44u
#define MB1_MMAP_ADDR 48u
#define MB1_LOADER_NAME 64u

#define MB1_F_MEM (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS (1u << 3)
#define MB1_F_MMAP (1u << 6)
#define MB1_F_LOADER_NAME (1u << 9)

/* 3.3: a module entry is mod_start, mod_end, string, reserved; an mmap
 * entry is u32 size (20, not counting itself), u64 base_addr, u64 length,
 * u32 type. */
#define MB1_MOD_SIZE 16u
#define MB1_MMAP_ENTRY_SIZE 24u
#define MB1_MMAP_SIZE_FIELD 20u

/* Where each part goes inside buf. */
struct mb1_layout {
	size_t mods, mmap, strings, size;
};

static size_t str_size(const char *s)
{
	return strlen(str_or_empty(s)) + 1;
}

static void mb1_plan(const struct guest_boot_desc *d, struct mb1_layout *l)
{
	unsigned i;

	l->mods = ALIGN_UP((size_t)MB1_INFO_SIZE, 8);
	l->mmap = l->mods + (size_t)d->nmods * MB1_MOD_SIZE;
	l->strings = l->mmap + (size_t)d->nmap * MB1_MMAP_ENTRY_SIZE;
	l->size = l->strings + str_size(d->cmdline);
	if (d->loader_name)
		l->size += str_size(d->loader_name);
	for (i = 0; i < d->nmods; i++)
		l->size += str_size(d->mods[i].cmdline);
}

size_t mb1_info_size(const struct guest_boot_desc *d)
{
	struct mb1_layout l;

	if (!desc_ok(d))
		return 0;
	mb1_plan(d, &l);
	return l.size;
}

/* Writes string s at the string cursor; returns its guest address. */
static uint32_t mb1_string(struct out *o, uint64_t gpa, const char *s)
{
	uint32_t addr = (uint32_t)(gpa + o->off);

	put_str(o, s);
	return addr;
}

static void mb1_mmap(uint8_t *buf, const struct mb1_layout *l,
		     const struct guest_boot_desc *d)
{
	struct out o = { .p = buf, .off = l->mmap };
	unsigned i;

	for (i = 0; i < d->nmap; i++) {
		put32(&o, MB1_MMAP_SIZE_FIELD);
		put64(&o, d->map[i].base);
		put64(&o, d->map[i].len);
		put32(&o, d->map[i].type);
	}
}

/* Module entries and all strings; fills the string fields of the info. */
static void mb1_mods_and_strings(uint8_t *buf, uint64_t gpa,
				 const struct mb1_layout *l,
				 const struct guest_boot_desc *d)
{
	struct out mods = { .p = buf, .off = l->mods };
	struct out str = { .p = buf, .off = l->strings };
	unsigned i;

	put32_at(&str, MB1_CMDLINE, mb1_string(&str, gpa, d->cmdline));
	if (d->loader_name)
		put32_at(&str, MB1_LOADER_NAME,
			 mb1_string(&str, gpa, d->loader_name));
	for (i = 0; i < d->nmods; i++) {
		put32(&mods, (uint32_t)d->mods[i].start);
		put32(&mods, (uint32_t)d->mods[i].end);
		put32(&mods, mb1_string(&str, gpa, d->mods[i].cmdline));
		put32(&mods, 0);
	}
}

int mb1_info_build(void *buf, size_t cap, uint64_t buf_gpa,
		   const struct guest_boot_desc *d)
{
	struct out info = { .p = buf };
	struct mb1_layout l;
	uint32_t flags = MB1_F_MEM | MB1_F_CMDLINE | MB1_F_MODS;

	if (!buf || !desc_ok(d) || !mods_fit_32(d))
		return -1;
	mb1_plan(d, &l);
	/* Every address handed out is buf_gpa + an offset below l.size. */
	if (l.size > cap || buf_gpa > UINT32_MAX ||
	    l.size > (uint64_t)UINT32_MAX + 1 - buf_gpa)
		return -1;
	memset(buf, 0, l.size);
	if (d->nmap)
		flags |= MB1_F_MMAP;
	if (d->loader_name)
		flags |= MB1_F_LOADER_NAME;
	put32_at(&info, MB1_FLAGS, flags);
	put32_at(&info, MB1_MEM_LOWER, d->mem_lower_kb);
	put32_at(&info, MB1_MEM_UPPER, d->mem_upper_kb);
	put32_at(&info, MB1_MODS_COUNT, d->nmods);
	put32_at(&info, MB1_MODS_ADDR, (uint32_t)(buf_gpa + l.mods));
	if (d->nmap) {
		put32_at(&info, MB1_MMAP_LENGTH,
			 (uint32_t)(l.strings - l.mmap));
		put32_at(&info, MB1_MMAP_ADDR, (uint32_t)(buf_gpa + l.mmap));
	}
	mb1_mmap(buf, &l, d);
	mb1_mods_and_strings(buf, buf_gpa, &l, d);
	return 0;
}
