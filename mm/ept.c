/* Extended page tables: decodes the EPT capabilities, builds and changes
 * 4-level EPT paging structures (including the L0 identity map) and walks
 * them the way the CPU does, reporting misconfigurations.
 *
 * Citations are to the Intel SDM Vol. 3C in its recent numbering: 29.3.2
 * (EPT translation and entry formats), 29.3.3.1 (EPT misconfigurations),
 * 29.3.7 (EPT memory typing), 25.6.11 (EPTP), Appendix A.10
 * (IA32_VMX_EPT_VPID_CAP). Older editions have the same text as chapter 28
 * (28.3.x, or 28.2.x before HLAT was added) and 24.6.11.
 *
 * Not modelled: 5-level EPT, mode-based execute control (bit 10), sub-page
 * permissions, EPT-violation #VE, supervisor shadow-stack bits. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/ept.h"

/* ------------------------------------------------------------------------
 * Entry format (SDM 29.3.2, the entry-format tables for PML4E, PDPTE, PDE
 * and PTE).
 * ------------------------------------------------------------------------ */

#define ENTRIES_PER_TABLE 512u
/* Bits 51:12: the physical address of the next table or of the page. */
#define ENTRY_ADDR_MASK 0x000ffffffffff000ULL
/* Bits 5:3 of a leaf: EPT memory type. */
#define ENTRY_MT_SHIFT 3
#define ENTRY_MT_MASK (7ULL << ENTRY_MT_SHIFT)
/* Bit 6 of a leaf: ignore PAT (SDM 29.3.7.2). */
#define ENTRY_IPAT (1ULL << 6)
/* Bit 7: in a PDPTE / PDE, 1 = maps a 1 GiB / 2 MiB page; reserved in a
 * PML4E; ignored in a PTE. */
#define ENTRY_PS (1ULL << 7)
/* Reserved (must be 0) bits that do not depend on MAXPHYADDR. */
#define RSVD_PML4E 0xf8ULL             /* bits 7:3 of a PML4E */
#define RSVD_NONLEAF 0x78ULL           /* bits 6:3 of a non-leaf PDPTE/PDE */
#define RSVD_1G_ADDR 0x3ffff000ULL     /* bits 29:12 of a 1 GiB PDPTE */
#define RSVD_2M_ADDR 0x1ff000ULL       /* bits 20:12 of a 2 MiB PDE */

/* A 4-level walk translates 48-bit guest-physical addresses (SDM 29.3.2:
 * the PML4E is selected by bits 47:39). */
#define EPT_GPA_BITS 48
/* MAXPHYADDR bounds we accept (SDM Vol. 3A 4.1.4: at most 52; 32 is the
 * smallest value, for CPUs without CPUID.80000008H, PAE and PSE-36). */
#define MIN_MAXPHYADDR 32
#define MAX_MAXPHYADDR 52

#define SIZE_2M (1ULL << 21)

/* Bits 2:0 of an entry select the accesses it allows (SDM 29.3.2). */
static unsigned entry_perm(uint64_t entry)
{
	return (unsigned)(entry & EPT_RWX);
}

/* SDM 29.3.2: an entry is present if any of bits 2:0 is 1. */
static bool entry_present(uint64_t entry)
{
	return entry_perm(entry) != 0;
}

/* Log2 of the bytes one entry at this level covers: 12, 21, 30, 39. */
static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (level - 1);
}

static uint64_t level_span(unsigned level)
{
	return 1ULL << level_shift(level);
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> level_shift(level)) & (ENTRIES_PER_TABLE - 1));
}

/* A PTE is always a leaf; a PDPTE or PDE is one when bit 7 is set. */
static bool entry_is_leaf(uint64_t entry, unsigned level)
{
	return level == 1 || (level <= 3 && (entry & ENTRY_PS));
}

/* SDM 29.3.3.1: memory types 2, 3 and 7 are reserved. */
static bool memtype_valid(unsigned mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT ||
	       mt == EPT_MT_WP || mt == EPT_MT_WB;
}

static bool maxphyaddr_valid(unsigned m)
{
	return m >= MIN_MAXPHYADDR && m <= MAX_MAXPHYADDR;
}

/* Guest-physical addresses must lie below both 2^48 (4-level walk) and
 * 2^MAXPHYADDR. */
static uint64_t gpa_limit(unsigned maxphyaddr)
{
	unsigned bits = maxphyaddr < EPT_GPA_BITS ? maxphyaddr : EPT_GPA_BITS;

	return 1ULL << bits;
}

/* Entries are read and written with single 64-bit accesses: the CPU may be
 * walking the tables at the same time (SDM 29.3.2). */
static uint64_t read_entry(const uint64_t *slot)
{
	return *(const volatile uint64_t *)slot;
}

static void write_entry(uint64_t *slot, uint64_t val)
{
	*(volatile uint64_t *)slot = val;
}

static uint64_t *table_at(const struct ept_mem_ops *ops, uint64_t pa)
{
	return ops->phys_to_virt(ops->ctx, pa);
}

/* ------------------------------------------------------------------------
 * Capabilities and EPTP.
 * ------------------------------------------------------------------------ */

#define CAP_EXEC_ONLY (1ULL << 0)
#define CAP_WALK4 (1ULL << 6)
#define CAP_MT_UC (1ULL << 8)
#define CAP_MT_WB (1ULL << 14)
#define CAP_2M (1ULL << 16)
#define CAP_1G (1ULL << 17)
#define CAP_AD (1ULL << 21)

/* SDM Appendix A.10: bit 0 execute-only, bit 6 page-walk length 4, bit 8 UC
 * and bit 14 WB EPTP memory types, bit 16 2 MiB pages, bit 17 1 GiB pages,
 * bit 21 accessed and dirty flags. */
struct ept_caps ept_caps_from_msr(uint64_t cap, unsigned maxphyaddr)
{
	struct ept_caps c = {
		.exec_only = cap & CAP_EXEC_ONLY,
		.walk4 = cap & CAP_WALK4,
		.mt_uc = cap & CAP_MT_UC,
		.mt_wb = cap & CAP_MT_WB,
		.page_2m = cap & CAP_2M,
		.page_1g = cap & CAP_1G,
		.ad = cap & CAP_AD,
		.maxphyaddr = maxphyaddr,
	};

	return c;
}

/* SDM 25.6.11 (EPTP): bits 2:0 memory type of the paging structures (6 =
 * WB), bits 5:3 page-walk length minus 1, bit 6 enables A/D flags, bits
 * N-1:12 the PML4 address, all other bits reserved (0). */
#define EPTP_MT_WB 6ULL
#define EPTP_WALK4 (3ULL << 3)
#define EPTP_AD (1ULL << 6)

uint64_t ept_eptp(const struct ept *e, bool enable_ad)
{
	if (!e || !e->pml4_pa)
		return 0;
	if (enable_ad && !e->caps.ad)
		return 0;
	return e->pml4_pa | EPTP_MT_WB | EPTP_WALK4 | (enable_ad ? EPTP_AD : 0);
}

unsigned ept_table_pages(const struct ept *e)
{
	return e ? e->table_pages : 0;
}

/* ------------------------------------------------------------------------
 * Table pages.
 * ------------------------------------------------------------------------ */

/* A fresh, zeroed table page; 0 on failure. A page the ops hand out that is
 * unaligned, above MAXPHYADDR or unreachable is given back and refused. */
static uint64_t alloc_table(struct ept *e)
{
	uint64_t pa = e->ops.alloc_page(e->ops.ctx);
	uint64_t *t;

	if (!pa)
		return 0;
	t = (pa % PAGE_SIZE == 0 && pa < (1ULL << e->caps.maxphyaddr)) ?
		    table_at(&e->ops, pa) : NULL;
	if (!t) {
		if (e->ops.free_page)
			e->ops.free_page(e->ops.ctx, pa);
		return 0;
	}
	memset(t, 0, PAGE_SIZE);
	e->table_pages++;
	return pa;
}

/* Gives back the table at pa (a table at `level`) and every table below it,
 * if the ops can take pages back. Called only after the last reference to
 * it has been overwritten. */
static void free_tables(struct ept *e, uint64_t pa, unsigned level)
{
	uint64_t *t;

	if (!e->ops.free_page)
		return;
	t = table_at(&e->ops, pa);
	if (t && level > 1) {
		for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++) {
			uint64_t ent = read_entry(&t[i]);

			if (entry_present(ent) && !entry_is_leaf(ent, level))
				free_tables(e, ent & ENTRY_ADDR_MASK,
					    level - 1);
		}
	}
	e->ops.free_page(e->ops.ctx, pa);
	e->table_pages--;
}

/* True if no entry of the table at pa is present. */
static bool table_empty(struct ept *e, uint64_t pa)
{
	uint64_t *t = table_at(&e->ops, pa);

	if (!t)
		return false;
	for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
		if (entry_present(read_entry(&t[i])))
			return false;
	return true;
}

/* Frees what old (an entry at level that has just been overwritten)
 * referenced, if it was a table. */
static void release_old(struct ept *e, uint64_t old, unsigned level)
{
	if (level > 1 && entry_present(old) && !entry_is_leaf(old, level))
		free_tables(e, old & ENTRY_ADDR_MASK, level - 1);
}

int ept_init(struct ept *e, const struct ept_mem_ops *ops,
	     const struct ept_caps *caps)
{
	if (!e)
		return -1;
	memset(e, 0, sizeof(*e));
	if (!ops || !ops->alloc_page || !ops->phys_to_virt || !caps)
		return -1;
	/* We build 4-level tables and use WB for them (SDM A.10 bits 6, 14). */
	if (!caps->walk4 || !caps->mt_wb || !maxphyaddr_valid(caps->maxphyaddr))
		return -1;
	e->ops = *ops;
	e->caps = *caps;
	/* Splitting a 1 GiB page needs 2 MiB leaves: without them, never
	 * create 1 GiB pages. */
	if (!e->caps.page_2m)
		e->caps.page_1g = false;
	e->pml4_pa = alloc_table(e);
	return e->pml4_pa ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Map and unmap.
 * ------------------------------------------------------------------------ */

struct map_req {
	uint64_t gpa;       /* start of the whole request */
	uint64_t hpa;       /* host address for gpa */
	uint64_t leaf_attr; /* perm | memtype << 3 | ignore-PAT << 6 */
	bool unmap;
};

/* Whether a leaf may sit at this level (SDM A.10 bits 16, 17). */
static bool leaf_allowed(const struct ept *e, unsigned level)
{
	return level == 1 || (level == 2 && e->caps.page_2m) ||
	       (level == 3 && e->caps.page_1g);
}

/* A table at level - 1 mapping exactly what the large leaf `old` at level
 * mapped: same attributes (rights, memory type, ignore-PAT, A/D, ...), bit 7
 * set only for 2 MiB leaves (SDM 29.3.2). 0 on allocation failure. */
static uint64_t split_leaf(struct ept *e, uint64_t old, unsigned level)
{
	unsigned child = level - 1;
	uint64_t span = level_span(child);
	uint64_t base = old & ENTRY_ADDR_MASK & ~(level_span(level) - 1);
	uint64_t attr = old & ~(ENTRY_ADDR_MASK | ENTRY_PS);
	uint64_t pa = alloc_table(e);
	uint64_t *t;

	if (!pa)
		return 0;
	t = table_at(&e->ops, pa);
	if (child > 1)
		attr |= ENTRY_PS;
	for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
		write_entry(&t[i], attr | (base + i * span));
	return pa;
}

static int update_table(struct ept *e, uint64_t table_pa, unsigned level,
			uint64_t gpa, uint64_t end, const struct map_req *rq);

/* The table below *slot, creating it (empty, or splitting a large leaf) if
 * needed. Non-leaf entries allow everything (RWX): rights are decided by the
 * leaves (SDM 29.3.2, rights are the AND over all levels). */
static uint64_t table_below(struct ept *e, uint64_t *slot, unsigned level)
{
	uint64_t old = read_entry(slot);
	uint64_t pa;

	if (entry_present(old) && !entry_is_leaf(old, level))
		return old & ENTRY_ADDR_MASK;
	pa = entry_present(old) ? split_leaf(e, old, level) : alloc_table(e);
	if (pa)
		write_entry(slot, pa | EPT_RWX);
	return pa;
}

/* Applies the request to [gpa, end), which lies inside the entry *slot at
 * `level`; whole says it covers the entry's entire range. */
static int update_entry(struct ept *e, uint64_t *slot, unsigned level,
			uint64_t gpa, uint64_t end, bool whole,
			const struct map_req *rq)
{
	uint64_t old = read_entry(slot);
	uint64_t child;

	if (rq->unmap) {
		if (whole) {
			write_entry(slot, 0);
			release_old(e, old, level);
			return 0;
		}
		if (!entry_present(old))
			return 0;
	} else {
		uint64_t hpa = rq->hpa + (gpa - rq->gpa);

		if (whole && leaf_allowed(e, level) &&
		    hpa % level_span(level) == 0) {
			write_entry(slot, hpa | rq->leaf_attr |
						  (level > 1 ? ENTRY_PS : 0));
			release_old(e, old, level);
			return 0;
		}
	}
	if (level == 1)
		return -1; /* unreachable: page-aligned pieces are whole */
	child = table_below(e, slot, level);
	if (!child)
		return -1;
	if (update_table(e, child, level - 1, gpa, end, rq))
		return -1;
	if (rq->unmap && e->ops.free_page && table_empty(e, child)) {
		/* Nothing below maps anything any more: the entry goes
		 * (not present, SDM 29.3.2) and so does the table, so a
		 * map/unmap pair (the MAXPHYADDR probe) leaves no table
		 * pages behind. The caller's INVEPT precedes any reuse. */
		write_entry(slot, 0);
		free_tables(e, child, level - 1);
	}
	return 0;
}

/* Applies the request to [gpa, end) in the table at table_pa (at level). */
static int update_table(struct ept *e, uint64_t table_pa, unsigned level,
			uint64_t gpa, uint64_t end, const struct map_req *rq)
{
	uint64_t *t = table_at(&e->ops, table_pa);
	uint64_t span = level_span(level);

	if (!t)
		return -1;
	while (gpa < end) {
		uint64_t slot_start = ALIGN_DOWN(gpa, span);
		/* gpa < 2^48: slot_start + span cannot overflow. */
		uint64_t slot_end = slot_start + span;
		uint64_t piece_end = end < slot_end ? end : slot_end;
		bool whole = gpa == slot_start && piece_end == slot_end;

		if (update_entry(e, &t[level_index(gpa, level)], level, gpa,
				 piece_end, whole, rq))
			return -1;
		gpa = piece_end;
	}
	return 0;
}

/* Checks [gpa, gpa + len): page aligned, non-empty, no overflow, below the
 * guest-physical limit. */
static bool gpa_range_valid(const struct ept *e, uint64_t gpa, uint64_t len)
{
	uint64_t lim = gpa_limit(e->caps.maxphyaddr);

	return gpa % PAGE_SIZE == 0 && len % PAGE_SIZE == 0 && len != 0 &&
	       gpa < lim && len <= lim - gpa;
}

/* SDM 29.3.3.1: write without read is a misconfiguration, and so is
 * execute without read unless the CPU supports execute-only (A.10 bit 0).
 * perm 0 would be a not-present entry: use ept_unmap. */
static bool perm_valid(const struct ept *e, unsigned perm)
{
	if (perm == 0 || (perm & ~EPT_RWX))
		return false;
	if ((perm & EPT_W) && !(perm & EPT_R))
		return false;
	if (perm == EPT_X && !e->caps.exec_only)
		return false;
	return true;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
	    unsigned perm, unsigned memtype)
{
	return ept_map_ipat(e, gpa, hpa, len, perm, memtype, false);
}

int ept_map_ipat(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
		 unsigned perm, unsigned memtype, bool ipat)
{
	struct map_req rq;

	if (!e || !e->pml4_pa || !gpa_range_valid(e, gpa, len))
		return -1;
	if (hpa % PAGE_SIZE || hpa >= (1ULL << e->caps.maxphyaddr) ||
	    len > (1ULL << e->caps.maxphyaddr) - hpa)
		return -1;
	if (!perm_valid(e, perm) || !memtype_valid(memtype))
		return -1;
	rq.gpa = gpa;
	rq.hpa = hpa;
	rq.leaf_attr = perm | ((uint64_t)memtype << ENTRY_MT_SHIFT) |
		       (ipat ? ENTRY_IPAT : 0);
	rq.unmap = false;
	return update_table(e, e->pml4_pa, EPT_LEVELS, gpa, gpa + len, &rq);
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
	struct map_req rq = { .gpa = gpa, .unmap = true };

	if (!e || !e->pml4_pa || !gpa_range_valid(e, gpa, len))
		return -1;
	return update_table(e, e->pml4_pa, EPT_LEVELS, gpa, gpa + len, &rq);
}

/* ------------------------------------------------------------------------
 * Identity map.
 *
 * A sweep over [0, limit) in runs of pages of one class. Boundaries are the
 * page-rounded (both ways) ends of every map entry and hidden range, so
 * between two consecutive boundaries either there is one page, or no entry
 * starts or ends inside any page and every page has the same class. Adjacent
 * stretches of the same class are merged so that ept_map can use large
 * pages. No scratch memory; O(n) per boundary, O(n^2) per classification.
 * ------------------------------------------------------------------------ */

enum page_class { CLASS_RAM, CLASS_UC, CLASS_HIDDEN };

struct ident {
	const struct mem_region *map;
	unsigned n;
	const struct phys_range *hidden;
	unsigned nhidden;
	uint64_t limit; /* 2 MiB aligned, <= 2^48 */
};

/* Multiboot2 spec 3.6.8 types: 1 available RAM, 3 ACPI reclaimable, 4 ACPI
 * NVS are memory (cacheable); 2 reserved, 5 bad and unknown types are not. */
static bool type_is_ram(uint32_t type)
{
	return type == MEM_AVAILABLE || type == MEM_ACPI_RECLAIMABLE ||
	       type == MEM_ACPI_NVS;
}

/* Map entry i clamped to [0, limit); false if nothing is left. */
static bool entry_range(const struct ident *id, unsigned i, uint64_t *start,
			uint64_t *end)
{
	const struct mem_region *r = &id->map[i];

	if (r->len == 0 || r->base >= id->limit)
		return false;
	*start = r->base;
	*end = r->len > id->limit - r->base ? id->limit : r->base + r->len;
	return true;
}

/* Hidden range i clamped to [0, limit) and rounded outward to pages. */
static bool hidden_range(const struct ident *id, unsigned i, uint64_t *start,
			 uint64_t *end)
{
	const struct phys_range *h = &id->hidden[i];

	if (h->start >= h->end || h->start >= id->limit)
		return false;
	*start = ALIGN_DOWN(h->start, PAGE_SIZE);
	*end = ALIGN_UP(h->end < id->limit ? h->end : id->limit, PAGE_SIZE);
	return true;
}

static void consider(uint64_t point, uint64_t p, uint64_t *best)
{
	if (point > p && point < *best)
		*best = point;
}

/* The first boundary above p (limit if none). */
static uint64_t next_boundary(const struct ident *id, uint64_t p)
{
	uint64_t best = id->limit, s, t;

	for (unsigned i = 0; i < id->n; i++) {
		if (!entry_range(id, i, &s, &t))
			continue;
		consider(ALIGN_DOWN(s, PAGE_SIZE), p, &best);
		consider(ALIGN_UP(s, PAGE_SIZE), p, &best);
		consider(ALIGN_DOWN(t, PAGE_SIZE), p, &best);
		consider(ALIGN_UP(t, PAGE_SIZE), p, &best);
	}
	for (unsigned i = 0; i < id->nhidden; i++) {
		if (!hidden_range(id, i, &s, &t))
			continue;
		consider(s, p, &best);
		consider(t, p, &best);
	}
	return best;
}

/* Whether RAM entries together cover every byte of [p, p + 4 KiB). */
static bool page_all_ram(const struct ident *id, uint64_t p)
{
	uint64_t x = p, page_end = p + PAGE_SIZE, s, t;

	while (x < page_end) {
		bool advanced = false;

		for (unsigned i = 0; i < id->n; i++) {
			if (!type_is_ram(id->map[i].type) ||
			    !entry_range(id, i, &s, &t))
				continue;
			if (s <= x && x < t) {
				x = t;
				advanced = true;
			}
		}
		if (!advanced)
			return false;
	}
	return true;
}

/* The class of the page at p: hidden beats non-RAM beats RAM; a page any
 * non-RAM entry touches is UC, and so is one RAM does not fully cover. */
static enum page_class classify(const struct ident *id, uint64_t p)
{
	uint64_t s, t;

	for (unsigned i = 0; i < id->nhidden; i++)
		if (hidden_range(id, i, &s, &t) && s <= p && p < t)
			return CLASS_HIDDEN;
	for (unsigned i = 0; i < id->n; i++)
		if (!type_is_ram(id->map[i].type) &&
		    entry_range(id, i, &s, &t) && s < p + PAGE_SIZE && t > p)
			return CLASS_UC;
	return page_all_ram(id, p) ? CLASS_RAM : CLASS_UC;
}

/* Hidden pages all show the one page hidden_hpa, read-only (writes cause
 * EPT violations) and WB; with no such page they are not present. */
static int map_hidden(struct ept *e, uint64_t start, uint64_t end,
		      uint64_t hidden_hpa)
{
	if (!hidden_hpa)
		return ept_unmap(e, start, end - start);
	for (uint64_t p = start; p < end; p += PAGE_SIZE)
		if (ept_map(e, p, hidden_hpa, PAGE_SIZE, EPT_R, EPT_MT_WB))
			return -1;
	return 0;
}

static int map_run(struct ept *e, enum page_class cls, uint64_t start,
		   uint64_t end, uint64_t hidden_hpa)
{
	switch (cls) {
	case CLASS_RAM:
		return ept_map(e, start, start, end - start, EPT_RWX,
			       EPT_MT_WB);
	case CLASS_UC:
		return ept_map(e, start, start, end - start, EPT_RWX,
			       EPT_MT_UC);
	case CLASS_HIDDEN:
		return map_hidden(e, start, end, hidden_hpa);
	}
	return -1;
}

int ept_build_identity(struct ept *e, const struct mem_region *map,
		       unsigned n, const struct phys_range *hidden,
		       unsigned nhidden, uint64_t limit,
		       uint64_t hidden_page_hpa)
{
	struct ident id = { map, n, hidden, nhidden, 0 };
	uint64_t p = 0;

	if (!e || !e->pml4_pa || (n && !map) || (nhidden && !hidden))
		return -1;
	if (limit == 0 || limit > gpa_limit(e->caps.maxphyaddr))
		return -1;
	id.limit = ALIGN_UP(limit, SIZE_2M);
	if (id.limit > gpa_limit(e->caps.maxphyaddr))
		return -1;
	if (hidden_page_hpa % PAGE_SIZE ||
	    hidden_page_hpa >= (1ULL << e->caps.maxphyaddr))
		return -1;
	for (unsigned i = 0; i < nhidden; i++)
		if (hidden[i].start > hidden[i].end)
			return -1;

	while (p < id.limit) {
		enum page_class cls = classify(&id, p);
		uint64_t q = next_boundary(&id, p);

		while (q < id.limit && classify(&id, q) == cls)
			q = next_boundary(&id, q);
		if (map_run(e, cls, p, q, hidden_page_hpa))
			return -1;
		p = q;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Walk (SDM 29.3.2 translation, 29.3.3.1 misconfigurations).
 * ------------------------------------------------------------------------ */

/* Bits 51:maxphyaddr: reserved in every entry (SDM 29.3.3.1: "setting a bit
 * in the range 51:12 that is beyond the logical processor's physical-address
 * width"). */
static uint64_t high_rsvd_mask(unsigned maxphyaddr)
{
	return ((1ULL << 52) - 1) & ~((1ULL << maxphyaddr) - 1);
}

/* Why a present entry at `level` has reserved bits set (SDM 29.3.2 entry
 * formats), NULL if it has none. */
static const char *reserved_bits(const struct ept_caps *caps, uint64_t ent,
				 unsigned level)
{
	bool ps = ent & ENTRY_PS;

	if (ent & high_rsvd_mask(caps->maxphyaddr))
		return "address bit above MAXPHYADDR set";
	switch (level) {
	case 4:
		if (ps)
			return "bit 7 set in PML4E";
		if (ent & RSVD_PML4E)
			return "reserved bits 7:3 set in PML4E";
		return NULL;
	case 3:
		if (ps && !caps->page_1g)
			return "1 GiB page (PDPTE bit 7) not supported";
		if (ps && (ent & RSVD_1G_ADDR))
			return "reserved bits 29:12 set in 1 GiB PDPTE";
		if (!ps && (ent & RSVD_NONLEAF))
			return "reserved bits 6:3 set in non-leaf PDPTE";
		return NULL;
	case 2:
		if (ps && !caps->page_2m)
			return "2 MiB page (PDE bit 7) not supported";
		if (ps && (ent & RSVD_2M_ADDR))
			return "reserved bits 20:12 set in 2 MiB PDE";
		if (!ps && (ent & RSVD_NONLEAF))
			return "reserved bits 6:3 set in non-leaf PDE";
		return NULL;
	}
	return NULL; /* PTE: only the address bits */
}

enum entry_verdict { ENTRY_OK, ENTRY_NOT_PRESENT, ENTRY_MISCONFIG };

/* Checks one entry in the order of SDM 29.3.3.1; *why says what is wrong. */
static enum entry_verdict check_entry(const struct ept_caps *caps,
				      uint64_t ent, unsigned level,
				      const char **why)
{
	unsigned perm = entry_perm(ent);

	if ((perm & EPT_W) && !(perm & EPT_R)) {
		*why = "write access without read access";
		return ENTRY_MISCONFIG;
	}
	if ((perm & EPT_X) && !(perm & EPT_R) && !caps->exec_only) {
		*why = "execute-only not supported";
		return ENTRY_MISCONFIG;
	}
	if (!entry_present(ent)) {
		*why = "not present";
		return ENTRY_NOT_PRESENT;
	}
	*why = reserved_bits(caps, ent, level);
	if (*why)
		return ENTRY_MISCONFIG;
	if (entry_is_leaf(ent, level) &&
	    !memtype_valid((unsigned)((ent & ENTRY_MT_MASK) >> ENTRY_MT_SHIFT))) {
		*why = "reserved memory type (2, 3 or 7)";
		return ENTRY_MISCONFIG;
	}
	return ENTRY_OK;
}

static void walk_leaf(struct ept_walk *out, uint64_t ent, unsigned level,
		      uint64_t gpa, unsigned perm)
{
	uint64_t off = level_span(level) - 1;

	out->ok = true;
	out->why = NULL;
	out->hpa = (ent & ENTRY_ADDR_MASK & ~off) | (gpa & off);
	out->perm = perm;
	out->memtype = (unsigned)((ent & ENTRY_MT_MASK) >> ENTRY_MT_SHIFT);
	out->ignore_pat = ent & ENTRY_IPAT;
	out->page_level = level;
}

int ept_walk_caps(const struct ept_mem_ops *ops, uint64_t pml4_pa,
		  const struct ept_caps *caps, uint64_t gpa,
		  struct ept_walk *out)
{
	uint64_t table = pml4_pa;
	unsigned perm = EPT_RWX;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	out->why = "bad arguments";
	if (!ops || !ops->phys_to_virt || !caps ||
	    !maxphyaddr_valid(caps->maxphyaddr))
		return -1;
	/* SDM 25.6.11: the PML4 address is 4 KiB aligned, below 2^N. */
	if (pml4_pa % PAGE_SIZE || pml4_pa >= (1ULL << caps->maxphyaddr)) {
		out->why = "bad PML4 address";
		return -1;
	}
	if (gpa >= gpa_limit(caps->maxphyaddr)) {
		out->why = "guest-physical address beyond the address width";
		return -1;
	}
	for (unsigned level = EPT_LEVELS; level >= 1; level--) {
		const uint64_t *t = table_at(ops, table);
		uint64_t ent;

		if (!t) {
			out->why = "EPT table page not accessible";
			return -1;
		}
		ent = read_entry(&t[level_index(gpa, level)]);
		out->entry[out->levels_walked++] = ent;
		switch (check_entry(caps, ent, level, &out->why)) {
		case ENTRY_NOT_PRESENT:
			return 0;
		case ENTRY_MISCONFIG:
			out->misconfig = true;
			return 0;
		case ENTRY_OK:
			break;
		}
		/* Rights are the AND over all levels (SDM 29.3.2). */
		perm &= entry_perm(ent);
		if (entry_is_leaf(ent, level)) {
			walk_leaf(out, ent, level, gpa, perm);
			return 0;
		}
		table = ent & ENTRY_ADDR_MASK;
	}
	return 0; /* unreachable: a PTE is always a leaf */
}

int ept_walk(const struct ept_mem_ops *ops, uint64_t pml4_pa,
	     unsigned maxphyaddr, bool exec_only_ok, uint64_t gpa,
	     struct ept_walk *out)
{
	struct ept_caps caps = {
		.exec_only = exec_only_ok,
		.walk4 = true,
		.page_2m = true,
		.page_1g = true,
		.mt_wb = true,
		.maxphyaddr = maxphyaddr,
	};

	return ept_walk_caps(ops, pml4_pa, &caps, gpa, out);
}
