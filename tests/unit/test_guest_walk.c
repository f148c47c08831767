/* Unit tests for the guest page-table walker (mm/guest_walk.c): a fake
 * guest-physical memory, page tables built for one linear address in each
 * paging mode, and table-driven cases that tweak one entry or one register
 * and assert the exact status, error code, faulting level and address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/guest_walk.h"

#define BIT(n) (1ULL << (n))
#define PG 4096ULL

/* Entry bits (SDM 4.3-4.5). */
#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define PS BIT(7)
#define XD BIT(63)
#define KEY(k) ((uint64_t)(k) << 59)
#define EFER_LME BIT(8)

#define RSVD_P (PFEC_RSVD | PFEC_P)

/* --------------------------------------------------- fake guest memory */

#define MEM_SIZE (4ULL << 20)
#define TABLE_BASE 0x10000ULL

static uint8_t mem[MEM_SIZE];

struct fake_mem {
	uint64_t alias;    /* gpa bits reads ignore (RAM aliased there) */
	bool fail;         /* a read of fail_gpa fails */
	uint64_t fail_gpa;
	unsigned reads;
};

/* gw_read_fn: guest RAM is [0, MEM_SIZE); anything else fails. */
static int fake_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct fake_mem *fm = ctx;
	uint64_t v = 0;

	fm->reads++;
	/* The walker only reads naturally aligned 4- or 8-byte entries. */
	assert_true(size == 4 || size == 8);
	assert_int_equal(gpa % size, 0);
	if (fm->fail && gpa == fm->fail_gpa)
		return -1;
	gpa &= ~fm->alias;
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
		return -1;
	memcpy(&v, mem + gpa, size);
	*val = v;
	return 0;
}

/* ----------------------------------------------------- table builders */

/* Default linear addresses: every index on the path is non-zero. */
#define LA32 0x87654321ULL
#define LA64 0x00007a5bc3d4e5f6ULL /* canonical for 4-level */
#define LA57 0x00abcdef01234567ULL /* canonical for 5-level only */

/* Default page frames mapped (never read by the walker). */
#define T4K32 0x12345000ULL  /* 32-bit paging PTE: 32-bit address */
#define T4M 0x512400000ULL   /* 32-bit paging 4 MiB page, PSE-36 bits 34:32 */
#define T4K 0x345678000ULL
#define T2M 0x246800000ULL
#define T1G 0x780000000ULL

/* Expected translations of the default addresses. */
#define G32_4K (T4K32 + (LA32 & 0xfff))
#define G32_4M (T4M + (LA32 & 0x3fffff))
#define GPAE_4K (T4K + (LA32 & 0xfff))
#define GPAE_2M (T2M + (LA32 & 0x1fffff))
#define G64_4K (T4K + (LA64 & 0xfff))
#define G64_2M (T2M + (LA64 & 0x1fffff))
#define G64_1G (T1G + (LA64 & 0x3fffffff))
#define G57_4K (T4K + (LA57 & 0xfff))
#define G57_2M (T2M + (LA57 & 0x1fffff))
#define G57_1G (T1G + (LA57 & 0x3fffffff))

struct env {
	struct gw_state st;
	struct fake_mem fm;
	enum gw_mode mode;
	unsigned top;         /* level of the root table's entries */
	unsigned esize;       /* entry size */
	uint64_t la;
	uint64_t ent_gpa[6];  /* gpa of la's entry at each level */
	uint64_t next;        /* next free table frame */
};

static uint64_t new_table(struct env *e)
{
	uint64_t t = e->next;

	assert_true(t + PG <= MEM_SIZE);
	memset(mem + t, 0, PG);
	e->next += PG;
	return t;
}

static uint64_t get_ent(const struct env *e, unsigned level)
{
	uint64_t v = 0;

	assert_true(level >= 1 && level <= e->top);
	memcpy(&v, mem + e->ent_gpa[level], e->esize);
	return v;
}

static void put_ent(struct env *e, unsigned level, uint64_t v)
{
	assert_true(level >= 1 && level <= e->top);
	if (e->esize == 4)
		assert_true(v <= 0xffffffffULL);
	memcpy(mem + e->ent_gpa[level], &v, e->esize);
}

static void tweak_ent(struct env *e, unsigned level, uint64_t set,
		      uint64_t clr)
{
	put_ent(e, level, (get_ent(e, level) & ~clr) | set);
}

static uint64_t index_of(const struct env *e, unsigned level)
{
	if (e->mode == GW_MODE_32BIT)
		return (e->la >> (level == 2 ? 22 : 12)) & 0x3ff;
	if (e->mode == GW_MODE_PAE && level == 3)
		return (e->la >> 30) & 3;
	return (e->la >> (12 + 9 * (level - 1))) & 0x1ff;
}

static uint64_t leaf_entry(const struct env *e, unsigned level, uint64_t pa)
{
	uint64_t flags = P | RW | US | (level > 1 ? PS : 0);

	/* 32-bit 4 MiB page: address bits 39:32 go in PDE bits 20:13. */
	if (e->mode == GW_MODE_32BIT && level == 2)
		return (pa & 0xffc00000ULL) | ((pa >> 32) << 13) | flags;
	return pa | flags;
}

static void init_state(struct gw_state *st, enum gw_mode mode)
{
	memset(st, 0, sizeof(*st));
	st->maxphyaddr = 46;
	st->page_1g = true;
	st->cr0 = GW_CR0_PE | GW_CR0_WP | BIT(4) /* ET */;
	if (mode != GW_MODE_NONE)
		st->cr0 |= GW_CR0_PG;
	switch (mode) {
	case GW_MODE_32BIT:
		st->cr4 = GW_CR4_PSE;
		break;
	case GW_MODE_PAE:
		st->cr4 = GW_CR4_PAE;
		st->efer = GW_EFER_NXE;
		break;
	case GW_MODE_5LEVEL:
		st->cr4 = GW_CR4_LA57;
		/* fall through */
	case GW_MODE_4LEVEL:
		st->cr4 |= GW_CR4_PAE;
		st->efer = EFER_LME | GW_EFER_LMA | GW_EFER_NXE;
		break;
	default:
		break;
	}
}

static unsigned top_level(enum gw_mode mode)
{
	switch (mode) {
	case GW_MODE_32BIT:
		return 2;
	case GW_MODE_PAE:
		return 3;
	case GW_MODE_4LEVEL:
		return 4;
	case GW_MODE_5LEVEL:
		return 5;
	default:
		return 0;
	}
}

/* Fresh tables mapping la to pa with a leaf at level leaf (1 = 4K,
 * 2 = 2M/4M, 3 = 1G); every entry P, R/W, U/S (PAE PDPTE: P only). */
static void build(struct env *e, enum gw_mode mode, uint64_t la,
		  unsigned leaf, uint64_t pa)
{
	uint64_t table;

	memset(e, 0, sizeof(*e));
	e->mode = mode;
	e->la = la;
	e->next = TABLE_BASE;
	init_state(&e->st, mode);
	e->top = top_level(mode);
	if (mode == GW_MODE_NONE)
		return;
	e->esize = mode == GW_MODE_32BIT ? 4 : 8;

	table = new_table(e);
	if (mode == GW_MODE_PAE) {
		/* CR3[31:5] locates the PDPT (SDM 4.4.1); bits 4:3 ignored. */
		table += 0x60;
		e->st.cr3 = table | 0x18;
	} else {
		e->st.cr3 = table | 0x18; /* PWT/PCD: not address bits */
	}
	for (unsigned level = e->top; level >= leaf; level--) {
		uint64_t next, flags;

		e->ent_gpa[level] = table + index_of(e, level) * e->esize;
		if (level == leaf) {
			put_ent(e, level, leaf_entry(e, level, pa));
			break;
		}
		next = new_table(e);
		flags = (mode == GW_MODE_PAE && level == 3) ? P : P | RW | US;
		put_ent(e, level, next | flags);
		table = next;
	}
}

static uint64_t default_la(enum gw_mode mode)
{
	switch (mode) {
	case GW_MODE_4LEVEL:
		return LA64;
	case GW_MODE_5LEVEL:
		return LA57;
	default:
		return LA32;
	}
}

static uint64_t default_target(enum gw_mode mode, unsigned leaf)
{
	if (leaf == 3)
		return T1G;
	if (leaf == 2)
		return mode == GW_MODE_32BIT ? T4M : T2M;
	return mode == GW_MODE_32BIT ? T4K32 : T4K;
}

static uint64_t leaf_size(enum gw_mode mode, unsigned leaf)
{
	if (leaf == 3)
		return 1ULL << 30;
	if (leaf == 2)
		return mode == GW_MODE_32BIT ? 4ULL << 20 : 2ULL << 20;
	return PG;
}

static void walk(struct env *e, unsigned access, struct gw_result *r)
{
	e->fm.reads = 0;
	memset(r, 0xa5, sizeof(*r)); /* the walker must fill every field */
	guest_walk(&e->st, e->la, access, fake_read, &e->fm, r);
}

/* ------------------------------------------------- table-driven cases */

struct tweak {
	unsigned level; /* 0 = none */
	uint64_t set, clr;
};

struct wcase {
	const char *name;
	enum gw_mode mode;
	unsigned leaf; /* 0 = 1 (4K) */
	unsigned access;
	unsigned cpl;
	uint64_t cr0_clr, cr4_set, cr4_clr, efer_set, efer_clr, rflags;
	uint32_t pkru, pkrs;
	unsigned maxphy; /* 0 = 46 */
	bool no_1g, alias38;
	struct tweak tw[2];
	/* expected */
	enum gw_status status;
	uint32_t pfec;
	unsigned flevel;
	uint64_t gpa;
	bool pdpte_invalid;
};

#define OK(g) .status = GW_OK, .gpa = (g)
#define PF(lvl, code) .status = GW_PAGE_FAULT, .flevel = (lvl), .pfec = (code)
#define PF0(code, g) .status = GW_PAGE_FAULT, .flevel = 0, .pfec = (code), \
	.gpa = (g)
#define TW(l, s, c) { .level = (l), .set = (s), .clr = (c) }

#define M32 GW_MODE_32BIT
#define MPAE GW_MODE_PAE
#define M4 GW_MODE_4LEVEL
#define M5 GW_MODE_5LEVEL
#define R GW_READ
#define W GW_WRITE
#define F GW_FETCH
#define IMPL GW_IMPLICIT_SUPERVISOR
#define WP GW_CR0_WP
#define NXE GW_EFER_NXE
#define SMEP GW_CR4_SMEP
#define SMAP GW_CR4_SMAP
#define PKE GW_CR4_PKE
#define PKS GW_CR4_PKS
#define PSE GW_CR4_PSE
#define AC GW_RFLAGS_AC
#define AD5 0x400u /* PKRU/PKRS AD bit of key 5 */
#define WD5 0x800u /* PKRU/PKRS WD bit of key 5 */

static void run_case(const struct wcase *c)
{
	unsigned leaf = c->leaf ? c->leaf : 1;
	uint64_t want_size = 0;
	unsigned want_n;
	struct gw_result r;
	struct env e;

	build(&e, c->mode, default_la(c->mode), leaf,
	      default_target(c->mode, leaf));
	e.st.cpl = c->cpl;
	e.st.cr0 &= ~c->cr0_clr;
	e.st.cr4 = (e.st.cr4 | c->cr4_set) & ~c->cr4_clr;
	e.st.efer = (e.st.efer | c->efer_set) & ~c->efer_clr;
	e.st.rflags = c->rflags | BIT(1);
	e.st.pkru = c->pkru;
	e.st.pkrs = c->pkrs;
	if (c->maxphy)
		e.st.maxphyaddr = c->maxphy;
	if (c->no_1g)
		e.st.page_1g = false;
	if (c->alias38)
		e.fm.alias = BIT(38);
	for (unsigned i = 0; i < ARRAY_SIZE(c->tw); i++)
		if (c->tw[i].level)
			tweak_ent(&e, c->tw[i].level, c->tw[i].set,
				  c->tw[i].clr);

	walk(&e, c->access, &r);

	if (c->status == GW_OK || c->flevel == 0)
		want_size = leaf_size(c->mode, leaf);
	want_n = e.top + 1 - (c->status == GW_OK || c->flevel == 0 ?
			      leaf : c->flevel);
	if (r.status != c->status || r.pfec != c->pfec ||
	    r.fault_level != c->flevel || r.gpa != c->gpa ||
	    r.pdpte_invalid != c->pdpte_invalid || r.page_size != want_size ||
	    r.nentries != want_n || e.fm.reads != want_n || r.non_canonical ||
	    r.bad_input || r.abort_gpa != 0)
		fail_msg("case '%s': status %d (want %d) pfec %#x (want %#x) "
			 "level %u (want %u) gpa %#llx (want %#llx) "
			 "pdpte_invalid %d size %#llx (want %#llx) "
			 "nentries %u reads %u (want %u)",
			 c->name, r.status, c->status, r.pfec, c->pfec,
			 r.fault_level, c->flevel, (unsigned long long)r.gpa,
			 (unsigned long long)c->gpa, r.pdpte_invalid,
			 (unsigned long long)r.page_size,
			 (unsigned long long)want_size, r.nentries,
			 e.fm.reads, want_n);
}

static void run_cases(const struct wcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_case(&cases[i]);
}

/* Every mode at every page size, for every kind of access. */
static const struct wcase translation_cases[] = {
	{ "32-bit 4K read", M32, OK(G32_4K) },
	{ "32-bit 4K user write", M32, .access = W, .cpl = 3, OK(G32_4K) },
	{ "32-bit 4K fetch", M32, .access = F, OK(G32_4K) },
	{ "32-bit 4M read", M32, .leaf = 2, OK(G32_4M) },
	{ "32-bit 4M user fetch", M32, .leaf = 2, .access = F, .cpl = 3,
	  OK(G32_4M) },
	{ "32-bit PSE=0: PDE.PS ignored", M32, .cr4_clr = PSE,
	  .tw = { TW(2, PS, 0) }, OK(G32_4K) },
	{ "32-bit PDE ignored bits 11:8", M32, .tw = { TW(2, 0xf00, 0) },
	  OK(G32_4K) },
	{ "32-bit PTE PAT/G/ignored bits", M32, .tw = { TW(1, 0xf80, 0) },
	  OK(G32_4K) },
	{ "PAE 4K read", MPAE, OK(GPAE_4K) },
	{ "PAE 4K user write", MPAE, .access = W, .cpl = 3, OK(GPAE_4K) },
	{ "PAE 4K fetch", MPAE, .access = F, OK(GPAE_4K) },
	{ "PAE 2M read", MPAE, .leaf = 2, OK(GPAE_2M) },
	{ "PAE 2M PAT bit 12", MPAE, .leaf = 2, .tw = { TW(2, BIT(12), 0) },
	  OK(GPAE_2M) },
	{ "PAE PDPTE PWT/PCD/ignored bits", MPAE,
	  .tw = { TW(3, BIT(3) | BIT(4) | BIT(9) | BIT(10) | BIT(11), 0) },
	  OK(GPAE_4K) },
	{ "4-level 4K read", M4, OK(G64_4K) },
	{ "4-level 4K user write", M4, .access = W, .cpl = 3, OK(G64_4K) },
	{ "4-level 4K user fetch", M4, .access = F, .cpl = 3, OK(G64_4K) },
	{ "4-level 2M read", M4, .leaf = 2, OK(G64_2M) },
	{ "4-level 2M write", M4, .leaf = 2, .access = W, OK(G64_2M) },
	{ "4-level 1G read", M4, .leaf = 3, OK(G64_1G) },
	{ "4-level 1G fetch", M4, .leaf = 3, .access = F, OK(G64_1G) },
	{ "5-level 4K read", M5, OK(G57_4K) },
	{ "5-level 2M user write", M5, .leaf = 2, .access = W, .cpl = 3,
	  OK(G57_2M) },
	{ "5-level 1G fetch", M5, .leaf = 3, .access = F, OK(G57_1G) },
	{ "CPL 1 and 2 are supervisor", M4, .cpl = 2, .access = W,
	  .tw = { TW(1, 0, US | RW) }, .cr0_clr = WP, OK(G64_4K) },
};

static void test_translations(void **state)
{
	(void)state;
	run_cases(translation_cases, ARRAY_SIZE(translation_cases));
}

/* SDM 4.7: P = 0 in any entry: #PF with P = 0 at that level; W/U/I still
 * describe the access; reserved bits of a not-present entry don't count. */
static const struct wcase not_present_cases[] = {
	{ "32-bit PDE", M32, .tw = { TW(2, 0, P) }, PF(2, 0) },
	{ "32-bit PTE user write", M32, .access = W, .cpl = 3,
	  .tw = { TW(1, 0, P) }, PF(1, PFEC_W | PFEC_U) },
	{ "32-bit 4M PDE fetch (no I: PAE=0)", M32, .leaf = 2, .access = F,
	  .efer_set = NXE, .tw = { TW(2, 0, P) }, PF(2, 0) },
	{ "32-bit 4M PDE with bit 21, not present", M32, .leaf = 2,
	  .tw = { TW(2, BIT(21), P) }, PF(2, 0) },
	{ "PAE PDPTE", MPAE, .tw = { TW(3, 0, P) }, PF(3, 0) },
	{ "PAE PDPTE with reserved bits", MPAE,
	  .tw = { TW(3, BIT(1) | BIT(2) | BIT(63), P) }, PF(3, 0) },
	{ "PAE PDE write", MPAE, .access = W, .tw = { TW(2, 0, P) },
	  PF(2, PFEC_W) },
	{ "PAE PTE user fetch", MPAE, .access = F, .cpl = 3,
	  .tw = { TW(1, 0, P) }, PF(1, PFEC_U | PFEC_I) },
	{ "PAE 2M PDE", MPAE, .leaf = 2, .tw = { TW(2, 0, P) }, PF(2, 0) },
	{ "4-level PML4E", M4, .tw = { TW(4, 0, P) }, PF(4, 0) },
	{ "4-level PDPTE user write", M4, .access = W, .cpl = 3,
	  .tw = { TW(3, 0, P) }, PF(3, PFEC_W | PFEC_U) },
	{ "4-level PDE fetch", M4, .access = F, .tw = { TW(2, 0, P) },
	  PF(2, PFEC_I) },
	{ "4-level PTE implicit write at CPL 3", M4, .access = W | IMPL,
	  .cpl = 3, .tw = { TW(1, 0, P) }, PF(1, PFEC_W) },
	{ "4-level 2M PDE user read", M4, .leaf = 2, .cpl = 3,
	  .tw = { TW(2, 0, P) }, PF(2, PFEC_U) },
	{ "4-level 1G PDPTE", M4, .leaf = 3, .tw = { TW(3, 0, P) }, PF(3, 0) },
	{ "4-level PML4E all reserved bits, not present", M4, .access = F,
	  .efer_clr = NXE, .tw = { TW(4, BIT(51) | PS | XD, P) }, PF(4, 0) },
	{ "4-level PTE not present under U/S=0", M4, .cpl = 3,
	  .tw = { TW(4, 0, US), TW(1, 0, P) }, PF(1, PFEC_U) },
	{ "4-level PTE not present under R/W=0", M4, .access = W,
	  .tw = { TW(3, 0, RW), TW(1, 0, P) }, PF(1, PFEC_W) },
	{ "4-level PTE not present under XD", M4, .access = F,
	  .tw = { TW(2, XD, 0), TW(1, 0, P) }, PF(1, PFEC_I) },
	{ "4-level not present wins over lower reserved bits", M4,
	  .tw = { TW(2, 0, P), TW(1, BIT(50), 0) }, PF(2, 0) },
	{ "5-level PML5E", M5, .tw = { TW(5, 0, P) }, PF(5, 0) },
	{ "5-level PML4E user", M5, .cpl = 3, .tw = { TW(4, 0, P) },
	  PF(4, PFEC_U) },
	{ "5-level PTE", M5, .tw = { TW(1, 0, P) }, PF(1, 0) },
};

static void test_not_present(void **state)
{
	(void)state;
	run_cases(not_present_cases, ARRAY_SIZE(not_present_cases));
}

/* Reserved bits (SDM 4.3 Table 4-4, 4.4 Tables 4-8..4-11, 4.5): #PF with
 * RSVD = 1 and P = 1 plus W/U/I. */
static const struct wcase reserved_cases[] = {
	/* 4-level, bits 51:MAXPHYADDR at each level (MAXPHYADDR 46). */
	{ "4L PML4E bit 46", M4, .tw = { TW(4, BIT(46), 0) }, PF(4, RSVD_P) },
	{ "4L PDPTE bit 51 user write", M4, .access = W, .cpl = 3,
	  .tw = { TW(3, BIT(51), 0) }, PF(3, RSVD_P | PFEC_W | PFEC_U) },
	{ "4L PDE bit 47 fetch", M4, .access = F, .tw = { TW(2, BIT(47), 0) },
	  PF(2, RSVD_P | PFEC_I) },
	{ "4L PTE bit 50", M4, .tw = { TW(1, BIT(50), 0) }, PF(1, RSVD_P) },
	{ "4L PTE bit 45 is address", M4, .tw = { TW(1, BIT(45), 0) },
	  OK(G64_4K + BIT(45)) },
	{ "4L PTE bits 58:52 ignored", M4,
	  .tw = { TW(1, BIT(58) | BIT(52), 0) },
	  OK(G64_4K) },
	{ "4L PML4E bits 62:52 ignored", M4,
	  .tw = { TW(4, BIT(62) | BIT(59) | BIT(52), 0) }, OK(G64_4K) },
	{ "4L PDE bits 11:8 ignored", M4, .tw = { TW(2, 0xf00, 0) },
	  OK(G64_4K) },
	/* The same bit under different MAXPHYADDRs. */
	{ "4L PTE bit 38, M=36", M4, .maxphy = 36, .tw = { TW(1, BIT(38), 0) },
	  PF(1, RSVD_P) },
	{ "4L PTE bit 38, M=40", M4, .maxphy = 40, .tw = { TW(1, BIT(38), 0) },
	  OK(G64_4K + BIT(38)) },
	{ "4L PTE bit 38, M=46", M4, .tw = { TW(1, BIT(38), 0) },
	  OK(G64_4K + BIT(38)) },
	{ "4L PTE bit 36, M=36", M4, .maxphy = 36, .tw = { TW(1, BIT(36), 0) },
	  PF(1, RSVD_P) },
	{ "4L PTE bit 35, M=36", M4, .maxphy = 36, .tw = { TW(1, BIT(35), 0) },
	  OK(G64_4K + BIT(35)) },
	{ "4L PTE bit 40, M=40", M4, .maxphy = 40, .tw = { TW(1, BIT(40), 0) },
	  PF(1, RSVD_P) },
	{ "4L PTE bit 39, M=40", M4, .maxphy = 40, .tw = { TW(1, BIT(39), 0) },
	  OK(G64_4K + BIT(39)) },
	{ "4L PTE bit 46, M=46", M4, .tw = { TW(1, BIT(46), 0) },
	  PF(1, RSVD_P) },
	{ "4L PTE bit 51, M=52", M4, .maxphy = 52, .tw = { TW(1, BIT(51), 0) },
	  OK(G64_4K + BIT(51)) },
	{ "4L PDPTE bit 38, M=36", M4, .maxphy = 36, .alias38 = true,
	  .tw = { TW(3, BIT(38), 0) }, PF(3, RSVD_P) },
	{ "4L PDPTE bit 38, M=40 (table up there)", M4, .maxphy = 40,
	  .alias38 = true, .tw = { TW(3, BIT(38), 0) }, OK(G64_4K) },
	{ "4L PML4E bit 38, M=40 (table up there)", M4, .maxphy = 40,
	  .alias38 = true, .tw = { TW(4, BIT(38), 0) }, OK(G64_4K) },
	/* XD with EFER.NXE = 0, at each level. */
	{ "4L PML4E XD, NXE=0", M4, .efer_clr = NXE, .tw = { TW(4, XD, 0) },
	  PF(4, RSVD_P) },
	{ "4L PDPTE XD, NXE=0", M4, .efer_clr = NXE, .tw = { TW(3, XD, 0) },
	  PF(3, RSVD_P) },
	{ "4L PDE XD, NXE=0, user", M4, .efer_clr = NXE, .cpl = 3,
	  .tw = { TW(2, XD, 0) }, PF(2, RSVD_P | PFEC_U) },
	{ "4L PTE XD, NXE=0, fetch (no I)", M4, .efer_clr = NXE, .access = F,
	  .tw = { TW(1, XD, 0) }, PF(1, RSVD_P) },
	{ "4L PTE XD, NXE=0, fetch, SMEP (I)", M4, .efer_clr = NXE,
	  .cr4_set = SMEP, .access = F, .tw = { TW(1, XD, 0) },
	  PF(1, RSVD_P | PFEC_I) },
	{ "4L 1G XD, NXE=0", M4, .leaf = 3, .efer_clr = NXE,
	  .tw = { TW(3, XD, 0) }, PF(3, RSVD_P) },
	{ "4L PTE XD, NXE=1, read", M4, .tw = { TW(1, XD, 0) }, OK(G64_4K) },
	/* PS in PML4E / PML5E. */
	{ "4L PML4E PS", M4, .tw = { TW(4, PS, 0) }, PF(4, RSVD_P) },
	{ "5L PML5E PS", M5, .tw = { TW(5, PS, 0) }, PF(5, RSVD_P) },
	{ "5L PML4E PS", M5, .tw = { TW(4, PS, 0) }, PF(4, RSVD_P) },
	{ "5L PML5E bit 46", M5, .tw = { TW(5, BIT(46), 0) }, PF(5, RSVD_P) },
	{ "5L PML5E XD, NXE=0", M5, .efer_clr = NXE, .tw = { TW(5, XD, 0) },
	  PF(5, RSVD_P) },
	/* 1-GByte pages. */
	{ "4L 1G bit 13", M4, .leaf = 3, .tw = { TW(3, BIT(13), 0) },
	  PF(3, RSVD_P) },
	{ "4L 1G bit 29", M4, .leaf = 3, .tw = { TW(3, BIT(29), 0) },
	  PF(3, RSVD_P) },
	{ "4L 1G bit 12 is PAT", M4, .leaf = 3, .tw = { TW(3, BIT(12), 0) },
	  OK(G64_1G) },
	{ "4L 1G bit 30 is address", M4, .leaf = 3,
	  .tw = { TW(3, BIT(30), 0) }, OK(G64_1G + BIT(30)) },
	{ "4L 1G without 1G support", M4, .leaf = 3, .no_1g = true,
	  PF(3, RSVD_P) },
	{ "4L 1G without 1G support, user write", M4, .leaf = 3,
	  .no_1g = true, .access = W, .cpl = 3,
	  PF(3, RSVD_P | PFEC_W | PFEC_U) },
	{ "4L PDPTE to PD without 1G support", M4, .no_1g = true, OK(G64_4K) },
	{ "5L 1G bit 20", M5, .leaf = 3, .tw = { TW(3, BIT(20), 0) },
	  PF(3, RSVD_P) },
	/* 2-MByte pages. */
	{ "4L 2M bit 13", M4, .leaf = 2, .tw = { TW(2, BIT(13), 0) },
	  PF(2, RSVD_P) },
	{ "4L 2M bit 20", M4, .leaf = 2, .tw = { TW(2, BIT(20), 0) },
	  PF(2, RSVD_P) },
	{ "4L 2M bit 12 is PAT", M4, .leaf = 2, .tw = { TW(2, BIT(12), 0) },
	  OK(G64_2M) },
	{ "4L 2M bit 21 is address", M4, .leaf = 2,
	  .tw = { TW(2, BIT(21), 0) }, OK(G64_2M + BIT(21)) },
	{ "4L 2M bit 40, M=40", M4, .leaf = 2, .maxphy = 40,
	  .tw = { TW(2, BIT(40), 0) }, PF(2, RSVD_P) },
	/* PAE: bits 62:MAXPHYADDR, XD, large pages, PDPTEs. */
	{ "PAE PDE bit 52 (62:M reserved)", MPAE, .tw = { TW(2, BIT(52), 0) },
	  PF(2, RSVD_P) },
	{ "PAE PTE bit 58", MPAE, .tw = { TW(1, BIT(58), 0) }, PF(1, RSVD_P) },
	{ "PAE PTE bit 62, user write", MPAE, .access = W, .cpl = 3,
	  .tw = { TW(1, BIT(62), 0) }, PF(1, RSVD_P | PFEC_W | PFEC_U) },
	{ "PAE PTE bit 36, M=36", MPAE, .maxphy = 36,
	  .tw = { TW(1, BIT(36), 0) }, PF(1, RSVD_P) },
	{ "PAE PTE bit 35, M=36", MPAE, .maxphy = 36,
	  .tw = { TW(1, BIT(35), 0) }, OK(GPAE_4K + BIT(35)) },
	{ "PAE PTE XD, NXE=0", MPAE, .efer_clr = NXE, .tw = { TW(1, XD, 0) },
	  PF(1, RSVD_P) },
	{ "PAE PDE XD, NXE=0, fetch (no I)", MPAE, .efer_clr = NXE,
	  .access = F, .tw = { TW(2, XD, 0) }, PF(2, RSVD_P) },
	{ "PAE PTE XD, NXE=1", MPAE, .tw = { TW(1, XD, 0) }, OK(GPAE_4K) },
	{ "PAE 2M bit 13", MPAE, .leaf = 2, .tw = { TW(2, BIT(13), 0) },
	  PF(2, RSVD_P) },
	{ "PAE 2M bit 20 fetch", MPAE, .leaf = 2, .access = F,
	  .tw = { TW(2, BIT(20), 0) }, PF(2, RSVD_P | PFEC_I) },
	{ "PAE PDPTE bit 1", MPAE, .tw = { TW(3, BIT(1), 0) }, PF(3, RSVD_P),
	  .pdpte_invalid = true },
	{ "PAE PDPTE bit 2", MPAE, .tw = { TW(3, BIT(2), 0) }, PF(3, RSVD_P),
	  .pdpte_invalid = true },
	{ "PAE PDPTE bit 5", MPAE, .tw = { TW(3, BIT(5), 0) }, PF(3, RSVD_P),
	  .pdpte_invalid = true },
	{ "PAE PDPTE bit 8, user write", MPAE, .access = W, .cpl = 3,
	  .tw = { TW(3, BIT(8), 0) }, PF(3, RSVD_P | PFEC_W | PFEC_U),
	  .pdpte_invalid = true },
	{ "PAE PDPTE bit 63 even with NXE=1", MPAE, .tw = { TW(3, XD, 0) },
	  PF(3, RSVD_P), .pdpte_invalid = true },
	{ "PAE PDPTE bit 52", MPAE, .tw = { TW(3, BIT(52), 0) }, PF(3, RSVD_P),
	  .pdpte_invalid = true },
	{ "PAE PDPTE bit 36, M=36", MPAE, .maxphy = 36,
	  .tw = { TW(3, BIT(36), 0) }, PF(3, RSVD_P), .pdpte_invalid = true },
	{ "PAE PDPTE bit 38, M=40 (table up there)", MPAE, .maxphy = 40,
	  .alias38 = true, .tw = { TW(3, BIT(38), 0) }, OK(GPAE_4K) },
	/* 32-bit paging 4 MiB pages: bits 21:(M-19) reserved, M=min(40,MPA). */
	{ "32 4M bit 21, M=46", M32, .leaf = 2, .tw = { TW(2, BIT(21), 0) },
	  PF(2, RSVD_P) },
	{ "32 4M bit 20, M=46 (address bit 39)", M32, .leaf = 2,
	  .tw = { TW(2, BIT(20), 0) }, OK(G32_4M + BIT(39)) },
	{ "32 4M bit 20, M=40", M32, .leaf = 2, .maxphy = 40,
	  .tw = { TW(2, BIT(20), 0) }, OK(G32_4M + BIT(39)) },
	{ "32 4M bit 20, M=39", M32, .leaf = 2, .maxphy = 39,
	  .tw = { TW(2, BIT(20), 0) }, PF(2, RSVD_P) },
	{ "32 4M bit 17, M=36", M32, .leaf = 2, .maxphy = 36,
	  .tw = { TW(2, BIT(17), 0) }, PF(2, RSVD_P) },
	{ "32 4M bit 16, M=36 (address bit 35)", M32, .leaf = 2, .maxphy = 36,
	  .tw = { TW(2, BIT(16), 0) }, OK(G32_4M + BIT(35)) },
	{ "32 4M bits 34:32 set, M=36", M32, .leaf = 2, .maxphy = 36,
	  OK(G32_4M) },
	{ "32 4M bit 13, M=32", M32, .leaf = 2, .maxphy = 32,
	  .tw = { TW(2, BIT(13), 0x1fe000) }, PF(2, RSVD_P) },
	{ "32 4M below 4G, M=32", M32, .leaf = 2, .maxphy = 32,
	  .tw = { TW(2, 0, 0x1fe000) }, OK((T4M & 0xffffffffULL) +
					   (LA32 & 0x3fffff)) },
	{ "32 4M bit 21 user write", M32, .leaf = 2, .access = W, .cpl = 3,
	  .tw = { TW(2, BIT(21), 0) }, PF(2, RSVD_P | PFEC_W | PFEC_U) },
	{ "32 4M bit 21 fetch, SMEP", M32, .leaf = 2, .access = F,
	  .cr4_set = SMEP, .tw = { TW(2, BIT(21), 0) },
	  PF(2, RSVD_P | PFEC_I) },
	{ "reserved wins over a U/S=0 above it", M4, .cpl = 3,
	  .tw = { TW(4, 0, US), TW(1, BIT(50), 0) },
	  PF(1, RSVD_P | PFEC_U) },
};

static void test_reserved_bits(void **state)
{
	(void)state;
	run_cases(reserved_cases, ARRAY_SIZE(reserved_cases));
}

/* SDM 4.6.1 access rights, SDM 4.7 error codes (faults at level 0). */
static const struct wcase rights_cases[] = {
	/* R/W and CR0.WP. */
	{ "sup write RO PTE, WP=1", M4, .access = W, .tw = { TW(1, 0, RW) },
	  PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "sup write RO PTE, WP=0", M4, .access = W, .cr0_clr = WP,
	  .tw = { TW(1, 0, RW) }, OK(G64_4K) },
	{ "sup write RO PDPTE, WP=1", M4, .access = W, .tw = { TW(3, 0, RW) },
	  PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "sup write RO PML4E, WP=0", M4, .access = W, .cr0_clr = WP,
	  .tw = { TW(4, 0, RW) }, OK(G64_4K) },
	{ "sup read RO", M4, .tw = { TW(1, 0, RW) }, OK(G64_4K) },
	{ "user write RO PDE, WP=0", M4, .access = W, .cpl = 3,
	  .cr0_clr = WP, .tw = { TW(2, 0, RW) },
	  PF0(PFEC_P | PFEC_W | PFEC_U, G64_4K) },
	{ "user write RO PTE, WP=1", M4, .access = W, .cpl = 3,
	  .tw = { TW(1, 0, RW) }, PF0(PFEC_P | PFEC_W | PFEC_U, G64_4K) },
	{ "user read RO", M4, .cpl = 3, .tw = { TW(1, 0, RW) }, OK(G64_4K) },
	{ "sup write RO 2M, WP=1", M4, .leaf = 2, .access = W,
	  .tw = { TW(2, 0, RW) }, PF0(PFEC_P | PFEC_W, G64_2M) },
	{ "sup write RO 1G, WP=1", M4, .leaf = 3, .access = W,
	  .tw = { TW(3, 0, RW) }, PF0(PFEC_P | PFEC_W, G64_1G) },
	{ "PAE sup write RO PTE, WP=1", MPAE, .access = W,
	  .tw = { TW(1, 0, RW) }, PF0(PFEC_P | PFEC_W, GPAE_4K) },
	{ "32 user write RO PDE", M32, .access = W, .cpl = 3,
	  .tw = { TW(2, 0, RW) }, PF0(PFEC_P | PFEC_W | PFEC_U, G32_4K) },
	{ "32 sup write RO 4M, WP=1", M32, .leaf = 2, .access = W,
	  .tw = { TW(2, 0, RW) }, PF0(PFEC_P | PFEC_W, G32_4M) },
	/* U/S. */
	{ "user read, U/S=0 in PML4E", M4, .cpl = 3, .tw = { TW(4, 0, US) },
	  PF0(PFEC_P | PFEC_U, G64_4K) },
	{ "user read, U/S=0 in PDPTE", M4, .cpl = 3, .tw = { TW(3, 0, US) },
	  PF0(PFEC_P | PFEC_U, G64_4K) },
	{ "user write, U/S=0 in PDE", M4, .access = W, .cpl = 3,
	  .tw = { TW(2, 0, US) }, PF0(PFEC_P | PFEC_W | PFEC_U, G64_4K) },
	{ "user read, U/S=0 in PTE", M4, .cpl = 3, .tw = { TW(1, 0, US) },
	  PF0(PFEC_P | PFEC_U, G64_4K) },
	{ "user read, U/S=0 in PML5E", M5, .cpl = 3, .tw = { TW(5, 0, US) },
	  PF0(PFEC_P | PFEC_U, G57_4K) },
	{ "PAE user read, U/S=0 in PDE", MPAE, .cpl = 3,
	  .tw = { TW(2, 0, US) }, PF0(PFEC_P | PFEC_U, GPAE_4K) },
	{ "32 user read, U/S=0 in PTE", M32, .cpl = 3, .tw = { TW(1, 0, US) },
	  PF0(PFEC_P | PFEC_U, G32_4K) },
	{ "sup read, U/S=0", M4, .tw = { TW(3, 0, US) }, OK(G64_4K) },
	/* XD (NXE = 1) and I/D. */
	{ "sup fetch XD PTE", M4, .access = F, .tw = { TW(1, XD, 0) },
	  PF0(PFEC_P | PFEC_I, G64_4K) },
	{ "sup fetch XD PML4E", M4, .access = F, .tw = { TW(4, XD, 0) },
	  PF0(PFEC_P | PFEC_I, G64_4K) },
	{ "user fetch XD PDPTE", M4, .access = F, .cpl = 3,
	  .tw = { TW(3, XD, 0) }, PF0(PFEC_P | PFEC_U | PFEC_I, G64_4K) },
	{ "sup fetch XD 2M", M4, .leaf = 2, .access = F,
	  .tw = { TW(2, XD, 0) }, PF0(PFEC_P | PFEC_I, G64_2M) },
	{ "sup fetch XD 1G", M4, .leaf = 3, .access = F,
	  .tw = { TW(3, XD, 0) }, PF0(PFEC_P | PFEC_I, G64_1G) },
	{ "sup write XD", M4, .access = W, .tw = { TW(1, XD, 0) },
	  OK(G64_4K) },
	{ "PAE sup fetch XD PDE", MPAE, .access = F, .tw = { TW(2, XD, 0) },
	  PF0(PFEC_P | PFEC_I, GPAE_4K) },
	{ "user fetch of supervisor page, NXE=1", M4, .access = F, .cpl = 3,
	  .tw = { TW(1, 0, US) }, PF0(PFEC_P | PFEC_U | PFEC_I, G64_4K) },
	{ "user fetch of supervisor page, NXE=0: no I", M4, .access = F,
	  .cpl = 3, .efer_clr = NXE, .tw = { TW(1, 0, US) },
	  PF0(PFEC_P | PFEC_U, G64_4K) },
	{ "fetch not present, NXE=0 SMEP=0: no I", M4, .access = F,
	  .efer_clr = NXE, .tw = { TW(1, 0, P) }, PF(1, 0) },
	{ "fetch not present, NXE=0 SMEP=1: I", M4, .access = F,
	  .efer_clr = NXE, .cr4_set = SMEP, .tw = { TW(1, 0, P) },
	  PF(1, PFEC_I) },
	{ "PAE fetch not present, NXE=0: no I", MPAE, .access = F,
	  .efer_clr = NXE, .tw = { TW(1, 0, P) }, PF(1, 0) },
	{ "32 fetch not present, NXE=1 but PAE=0: no I", M32, .access = F,
	  .efer_set = NXE, .tw = { TW(1, 0, P) }, PF(1, 0) },
	{ "32 user fetch of supervisor page: no I", M32, .access = F,
	  .cpl = 3, .tw = { TW(2, 0, US) }, PF0(PFEC_P | PFEC_U, G32_4K) },
	{ "32 bit 31 of PTE is address, not XD", M32, .access = F,
	  .efer_set = NXE, .tw = { TW(1, BIT(31), 0) },
	  OK(G32_4K | BIT(31)) },
	/* SMEP. */
	{ "SMEP sup fetch of user page", M4, .access = F, .cr4_set = SMEP,
	  PF0(PFEC_P | PFEC_I, G64_4K) },
	{ "SMEP sup fetch of user page, NXE=0", M4, .access = F,
	  .cr4_set = SMEP, .efer_clr = NXE, PF0(PFEC_P | PFEC_I, G64_4K) },
	{ "SMEP sup fetch of supervisor page", M4, .access = F,
	  .cr4_set = SMEP, .tw = { TW(2, 0, US) }, OK(G64_4K) },
	{ "SMEP user fetch of user page", M4, .access = F, .cpl = 3,
	  .cr4_set = SMEP, OK(G64_4K) },
	{ "SMEP sup read of user page", M4, .cr4_set = SMEP, OK(G64_4K) },
	{ "SMEP 32-bit sup fetch of user page", M32, .access = F,
	  .cr4_set = SMEP, PF0(PFEC_P | PFEC_I, G32_4K) },
	{ "SMEP PAE sup fetch of user 2M page", MPAE, .leaf = 2, .access = F,
	  .cr4_set = SMEP, PF0(PFEC_P | PFEC_I, GPAE_2M) },
	/* SMAP. */
	{ "SMAP sup read of user page, AC=0", M4, .cr4_set = SMAP,
	  PF0(PFEC_P, G64_4K) },
	{ "SMAP sup read of user page, AC=1", M4, .cr4_set = SMAP,
	  .rflags = AC, OK(G64_4K) },
	{ "SMAP implicit read of user page, AC=1", M4, .access = R | IMPL,
	  .cr4_set = SMAP, .rflags = AC, PF0(PFEC_P, G64_4K) },
	{ "SMAP implicit read at CPL 3, AC=1: U/S=0", M4, .access = R | IMPL,
	  .cpl = 3, .cr4_set = SMAP, .rflags = AC, PF0(PFEC_P, G64_4K) },
	{ "implicit read at CPL 3 of supervisor page", M4, .access = R | IMPL,
	  .cpl = 3, .cr4_set = SMAP, .tw = { TW(1, 0, US) }, OK(G64_4K) },
	{ "implicit read of user page, SMAP=0", M4, .access = R | IMPL,
	  .cpl = 3, OK(G64_4K) },
	{ "implicit write at CPL 3, RO supervisor page, WP=0", M4,
	  .access = W | IMPL, .cpl = 3, .cr0_clr = WP,
	  .tw = { TW(1, 0, US | RW) }, OK(G64_4K) },
	{ "implicit write at CPL 3, RO supervisor page, WP=1", M4,
	  .access = W | IMPL, .cpl = 3, .tw = { TW(1, 0, US | RW) },
	  PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "SMAP sup write of user page, AC=0", M4, .access = W,
	  .cr4_set = SMAP, PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "SMAP sup write of user page, AC=1", M4, .access = W,
	  .cr4_set = SMAP, .rflags = AC, OK(G64_4K) },
	{ "SMAP sup write of RO user page, WP=0, AC=1", M4, .access = W,
	  .cr4_set = SMAP, .rflags = AC, .cr0_clr = WP,
	  .tw = { TW(1, 0, RW) }, OK(G64_4K) },
	{ "SMAP sup write of RO user page, WP=1, AC=1", M4, .access = W,
	  .cr4_set = SMAP, .rflags = AC, .tw = { TW(1, 0, RW) },
	  PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "SMAP sup write of RO user page, WP=0, AC=0", M4, .access = W,
	  .cr4_set = SMAP, .cr0_clr = WP, .tw = { TW(1, 0, RW) },
	  PF0(PFEC_P | PFEC_W, G64_4K) },
	{ "sup write of RO user page, WP=0, SMAP=0", M4, .access = W,
	  .cr0_clr = WP, .tw = { TW(2, 0, RW) }, OK(G64_4K) },
	{ "SMAP does not apply to fetches", M4, .access = F, .cr4_set = SMAP,
	  OK(G64_4K) },
	{ "SMAP does not apply to user accesses", M4, .cpl = 3,
	  .cr4_set = SMAP, OK(G64_4K) },
	{ "SMAP sup read of supervisor page (U/S=0 in PML4E)", M4,
	  .cr4_set = SMAP, .tw = { TW(4, 0, US) }, OK(G64_4K) },
	{ "SMAP 32-bit sup read of user 4M page", M32, .leaf = 2,
	  .cr4_set = SMAP, PF0(PFEC_P, G32_4M) },
	{ "SMAP PAE sup read of user page", MPAE, .cr4_set = SMAP,
	  PF0(PFEC_P, GPAE_4K) },
	{ "SMAP + SMEP sup fetch of user page", M4, .access = F,
	  .cr4_set = SMAP | SMEP, .rflags = AC, PF0(PFEC_P | PFEC_I, G64_4K) },
};

static void test_access_rights(void **state)
{
	(void)state;
	run_cases(rights_cases, ARRAY_SIZE(rights_cases));
}

/* SDM 4.6.2 protection keys; PK error-code bit (4.7). Key 5 in the leaf. */
static const struct wcase pkey_cases[] = {
	{ "user read, AD", M4, .cpl = 3, .cr4_set = PKE, .pkru = AD5,
	  .tw = { TW(1, KEY(5), 0) }, PF0(PFEC_P | PFEC_U | PFEC_PK, G64_4K) },
	{ "user write, WD", M4, .access = W, .cpl = 3, .cr4_set = PKE,
	  .pkru = WD5, .tw = { TW(1, KEY(5), 0) },
	  PF0(PFEC_P | PFEC_W | PFEC_U | PFEC_PK, G64_4K) },
	{ "user write, WD, WP=0", M4, .access = W, .cpl = 3, .cr4_set = PKE,
	  .cr0_clr = WP, .pkru = WD5, .tw = { TW(1, KEY(5), 0) },
	  PF0(PFEC_P | PFEC_W | PFEC_U | PFEC_PK, G64_4K) },
	{ "user read, WD", M4, .cpl = 3, .cr4_set = PKE, .pkru = WD5,
	  .tw = { TW(1, KEY(5), 0) }, OK(G64_4K) },
	{ "user fetch, AD: keys ignore fetches", M4, .access = F, .cpl = 3,
	  .cr4_set = PKE, .pkru = AD5 | WD5, .tw = { TW(1, KEY(5), 0) },
	  OK(G64_4K) },
	{ "sup read of user page, AD", M4, .cr4_set = PKE, .pkru = AD5,
	  .tw = { TW(1, KEY(5), 0) }, PF0(PFEC_P | PFEC_PK, G64_4K) },
	{ "sup write of user page, WD, WP=1", M4, .access = W,
	  .cr4_set = PKE, .pkru = WD5, .tw = { TW(1, KEY(5), 0) },
	  PF0(PFEC_P | PFEC_W | PFEC_PK, G64_4K) },
	{ "sup write of user page, WD, WP=0", M4, .access = W,
	  .cr4_set = PKE, .cr0_clr = WP, .pkru = WD5,
	  .tw = { TW(1, KEY(5), 0) }, OK(G64_4K) },
	{ "implicit read of user page, AD", M4, .access = R | IMPL, .cpl = 3,
	  .cr4_set = PKE, .pkru = AD5, .tw = { TW(1, KEY(5), 0) },
	  PF0(PFEC_P | PFEC_PK, G64_4K) },
	{ "CR4.PKE=0", M4, .cpl = 3, .pkru = 0xffffffffu,
	  .tw = { TW(1, KEY(5), 0) }, OK(G64_4K) },
	{ "other key's AD", M4, .cpl = 3, .cr4_set = PKE, .pkru = 0x100,
	  .tw = { TW(1, KEY(5), 0) }, OK(G64_4K) },
	{ "key 0, AD0", M4, .cpl = 3, .cr4_set = PKE, .pkru = 1,
	  PF0(PFEC_P | PFEC_U | PFEC_PK, G64_4K) },
	{ "key 15, WD15", M4, .access = W, .cpl = 3, .cr4_set = PKE,
	  .pkru = 0x80000000u, .tw = { TW(1, KEY(15), 0) },
	  PF0(PFEC_P | PFEC_W | PFEC_U | PFEC_PK, G64_4K) },
	{ "supervisor page, PKRU all denied", M4, .cr4_set = PKE,
	  .pkru = 0xffffffffu, .tw = { TW(1, KEY(5), US) }, OK(G64_4K) },
	{ "user page under U/S=0 PDE: supervisor address", M4,
	  .cr4_set = PKE, .pkru = 0xffffffffu,
	  .tw = { TW(1, KEY(5), 0), TW(2, 0, US) }, OK(G64_4K) },
	{ "user write RO page with WD: both, PK set", M4, .access = W,
	  .cpl = 3, .cr4_set = PKE, .pkru = WD5,
	  .tw = { TW(1, KEY(5), RW) },
	  PF0(PFEC_P | PFEC_W | PFEC_U | PFEC_PK, G64_4K) },
	{ "user write RO page, key allows: no PK", M4, .access = W, .cpl = 3,
	  .cr4_set = PKE, .pkru = 0x55555555u & ~AD5,
	  .tw = { TW(1, KEY(5), RW) },
	  PF0(PFEC_P | PFEC_W | PFEC_U, G64_4K) },
	{ "user read of supervisor page with AD: no PK", M4, .cpl = 3,
	  .cr4_set = PKE, .pkru = AD5, .tw = { TW(1, KEY(5), US) },
	  PF0(PFEC_P | PFEC_U, G64_4K) },
	{ "2M leaf key", M4, .leaf = 2, .cpl = 3, .cr4_set = PKE, .pkru = AD5,
	  .tw = { TW(2, KEY(5), 0) }, PF0(PFEC_P | PFEC_U | PFEC_PK, G64_2M) },
	{ "1G leaf key", M4, .leaf = 3, .cpl = 3, .cr4_set = PKE, .pkru = AD5,
	  .tw = { TW(3, KEY(5), 0) }, PF0(PFEC_P | PFEC_U | PFEC_PK, G64_1G) },
	{ "key bits in a non-leaf entry are ignored", M4, .cpl = 3,
	  .cr4_set = PKE, .pkru = AD5, .tw = { TW(2, KEY(5), 0) }, OK(G64_4K) },
	{ "5-level user read, AD", M5, .cpl = 3, .cr4_set = PKE, .pkru = AD5,
	  .tw = { TW(1, KEY(5), 0) }, PF0(PFEC_P | PFEC_U | PFEC_PK, G57_4K) },
	{ "PAE ignores PKE", MPAE, .cpl = 3, .cr4_set = PKE,
	  .pkru = 0xffffffffu, OK(GPAE_4K) },
	{ "32-bit ignores PKE", M32, .cpl = 3, .cr4_set = PKE,
	  .pkru = 0xffffffffu, OK(G32_4K) },
	{ "SMAP and AD: PK set", M4, .cr4_set = PKE | SMAP, .pkru = AD5,
	  .tw = { TW(1, KEY(5), 0) }, PF0(PFEC_P | PFEC_PK, G64_4K) },
	/* PKS: supervisor-mode addresses, IA32_PKRS. */
	{ "PKS sup read, AD", M4, .cr4_set = PKS, .pkrs = AD5,
	  .tw = { TW(1, KEY(5), US) }, PF0(PFEC_P | PFEC_PK, G64_4K) },
	{ "PKS sup write, WD, WP=0", M4, .access = W, .cr4_set = PKS,
	  .cr0_clr = WP, .pkrs = WD5, .tw = { TW(1, KEY(5), US) },
	  OK(G64_4K) },
	{ "PKS sup write, WD, WP=1", M4, .access = W, .cr4_set = PKS,
	  .pkrs = WD5, .tw = { TW(1, KEY(5), US) },
	  PF0(PFEC_P | PFEC_W | PFEC_PK, G64_4K) },
	{ "PKS sup read, WD", M4, .cr4_set = PKS, .pkrs = WD5,
	  .tw = { TW(1, KEY(5), US) }, OK(G64_4K) },
	{ "PKS sup fetch, AD", M4, .access = F, .cr4_set = PKS, .pkrs = AD5,
	  .tw = { TW(1, KEY(5), US) }, OK(G64_4K) },
	{ "PKS user read of supervisor page, AD", M4, .cpl = 3,
	  .cr4_set = PKS, .pkrs = AD5, .tw = { TW(1, KEY(5), US) },
	  PF0(PFEC_P | PFEC_U | PFEC_PK, G64_4K) },
	{ "PKS does not cover user pages", M4, .cr4_set = PKS,
	  .pkrs = 0xffffffffu, .tw = { TW(1, KEY(5), 0) }, OK(G64_4K) },
	{ "PKRU does not cover supervisor pages under PKS", M4,
	  .cr4_set = PKS | PKE, .pkru = 0xffffffffu,
	  .tw = { TW(1, KEY(5), US) }, OK(G64_4K) },
};

static void test_protection_keys(void **state)
{
	(void)state;
	run_cases(pkey_cases, ARRAY_SIZE(pkey_cases));
}

/* ---------------------------------------------------- standalone tests */

static void assert_abort(const struct gw_result *r, uint64_t abort_gpa)
{
	assert_int_equal(r->status, GW_ABORT);
	assert_int_equal(r->pfec, 0);
	assert_int_equal(r->gpa, 0);
	assert_int_equal(r->page_size, 0);
	assert_int_equal(r->abort_gpa, abort_gpa);
}

static void test_paging_disabled(void **state)
{
	static const unsigned accesses[] = { R, W, F, R | IMPL, W | IMPL };
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_NONE, 0x123456789ULL, 1, 0);
	e.st.cr4 = SMEP | SMAP | PKE; /* irrelevant without paging */
	e.st.pkru = 0xffffffffu;
	for (unsigned cpl = 0; cpl <= 3; cpl += 3) {
		for (unsigned i = 0; i < ARRAY_SIZE(accesses); i++) {
			e.st.cpl = cpl;
			walk(&e, accesses[i], &r);
			assert_int_equal(r.status, GW_OK);
			assert_int_equal(r.gpa, 0x23456789ULL);
			assert_int_equal(r.pfec, 0);
			assert_int_equal(r.page_size, PG);
			assert_int_equal(r.nentries, 0);
			assert_int_equal(e.fm.reads, 0);
			assert_true(r.writable && r.user && r.executable);
		}
	}
	/* Real mode too (PE = 0). */
	e.st.cr0 = 0;
	e.la = 0xfffff;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, 0xfffff);
}

/* Outside IA-32e mode linear addresses are 32 bits (SDM Table 4-1). */
static void test_la_truncated_outside_long_mode(void **state)
{
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	e.la = 0xffffffff00000000ULL | LA32;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, G32_4K);

	build(&e, GW_MODE_PAE, LA32, 2, T2M);
	e.la = 0x1234567800000000ULL | LA32;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, GPAE_2M);
}

/* The entries read are reported top-down with their addresses. */
static void test_entries_recorded(void **state)
{
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.nentries, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(r.entry_gpa[i], e.ent_gpa[4 - i]);
		assert_int_equal(r.entry[i], get_ent(&e, 4 - i));
	}
	assert_int_equal(r.entry_gpa[0],
			 TABLE_BASE + ((LA64 >> 39) & 0x1ff) * 8);
	assert_int_equal(r.entry[3], T4K | P | RW | US);

	/* 32-bit paging: 4-byte entries; the high half of the read value is
	 * not part of the entry. */
	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.nentries, 2);
	assert_int_equal(r.entry_gpa[0], TABLE_BASE + (LA32 >> 22) * 4);
	assert_int_equal(r.entry[0], (TABLE_BASE + PG) | P | RW | US);
	assert_int_equal(r.entry_gpa[1],
			 TABLE_BASE + PG + ((LA32 >> 12) & 0x3ff) * 4);
	assert_int_equal(r.entry[1], T4K32 | P | RW | US);

	/* PAE: the PDPTE comes from CR3[31:5] + 8 * la[31:30]. */
	build(&e, GW_MODE_PAE, LA32, 1, T4K);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.nentries, 3);
	assert_int_equal(r.entry_gpa[0], TABLE_BASE + 0x60 + 2 * 8);
	assert_int_equal(r.entry[0], (TABLE_BASE + PG) | P);

	/* A fault: the faulting entry is the last one recorded. */
	build(&e, GW_MODE_5LEVEL, LA57, 2, T2M);
	tweak_ent(&e, 3, 0, P);
	walk(&e, W, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.nentries, 3);
	assert_int_equal(r.entry_gpa[2], e.ent_gpa[3]);
	assert_int_equal(r.entry[2], get_ent(&e, 3));
	assert_int_equal(r.entry[2] & P, 0);
}

static void test_effective_rights(void **state)
{
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_4LEVEL, LA64, 2, T2M);
	walk(&e, R, &r);
	assert_true(r.writable && r.user && r.executable);
	assert_int_equal(r.pkey, 0);

	tweak_ent(&e, 3, XD, RW);
	tweak_ent(&e, 2, KEY(9), 0);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_false(r.writable);
	assert_true(r.user);
	assert_false(r.executable);
	assert_int_equal(r.pkey, 9);

	tweak_ent(&e, 4, 0, US);
	walk(&e, R, &r);
	assert_false(r.user);

	/* Rights are reported with an access-rights fault, cleared on a walk
	 * fault. */
	e.st.cpl = 3;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.fault_level, 0);
	assert_false(r.user);
	assert_false(r.writable);
	assert_int_equal(r.pkey, 9);
	tweak_ent(&e, 2, 0, P);
	walk(&e, R, &r);
	assert_int_equal(r.fault_level, 2);
	assert_false(r.writable || r.user || r.executable);
	assert_int_equal(r.pkey, 0);

	/* XD means nothing with NXE = 0 in 32-bit paging (no bit 63). */
	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	e.st.efer = GW_EFER_NXE;
	walk(&e, F, &r);
	assert_int_equal(r.status, GW_OK);
	assert_true(r.executable);
	assert_int_equal(r.pkey, 0);

	/* PAE PDPTEs carry no rights. */
	build(&e, GW_MODE_PAE, LA32, 1, T4K);
	walk(&e, W, &r);
	assert_true(r.writable && r.user && r.executable);
}

/* A failed read ends the walk with GW_ABORT and the address (not a #PF). */
static void test_read_failure(void **state)
{
	struct gw_result r;
	struct env e;

	(void)state;
	for (unsigned level = 4; level >= 1; level--) {
		build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
		e.fm.fail = true;
		e.fm.fail_gpa = e.ent_gpa[level];
		walk(&e, W, &r);
		assert_abort(&r, e.ent_gpa[level]);
		assert_int_equal(r.fault_level, level);
		assert_int_equal(r.nentries, 4 - level);
	}
	build(&e, GW_MODE_5LEVEL, LA57, 1, T4K);
	e.fm.fail = true;
	e.fm.fail_gpa = e.ent_gpa[5];
	walk(&e, R, &r);
	assert_abort(&r, e.ent_gpa[5]);
	assert_int_equal(r.fault_level, 5);

	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	e.fm.fail = true;
	e.fm.fail_gpa = e.ent_gpa[1];
	walk(&e, R, &r);
	assert_abort(&r, e.ent_gpa[1]);
	assert_int_equal(r.fault_level, 1);
	assert_int_equal(r.nentries, 1);

	build(&e, GW_MODE_PAE, LA32, 1, T4K);
	e.fm.fail = true;
	e.fm.fail_gpa = e.ent_gpa[3];
	walk(&e, R, &r);
	assert_abort(&r, e.ent_gpa[3]);
	assert_int_equal(r.fault_level, 3);
	assert_int_equal(r.nentries, 0);

	/* An entry pointing beyond guest RAM. */
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	put_ent(&e, 2, 0x10000000ULL | P | RW | US);
	walk(&e, R, &r);
	assert_abort(&r, 0x10000000ULL + ((LA64 >> 12) & 0x1ff) * 8);
	assert_int_equal(r.fault_level, 1);

	/* CR3 beyond guest RAM. */
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	e.st.cr3 = 0x7fff000ULL;
	walk(&e, R, &r);
	assert_abort(&r, 0x7fff000ULL + ((LA64 >> 39) & 0x1ff) * 8);
	assert_int_equal(r.fault_level, 4);
}

/* CR3 reserved bits are checked by MOV to CR3, not by the walk: the walker
 * only uses CR3 bits MAXPHYADDR-1:12. */
static void test_cr3_high_bits_not_checked(void **state)
{
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	e.st.maxphyaddr = 36;
	e.st.cr3 |= BIT(40) | BIT(63);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, G64_4K);
	assert_int_equal(r.entry_gpa[0], e.ent_gpa[4]);

	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	e.st.cr3 |= 0xfff;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, G32_4K);
}

/* SDM 4.5: non-canonical addresses give #GP, not #PF: GW_ABORT. */
static void test_non_canonical(void **state)
{
	static const struct {
		enum gw_mode mode;
		uint64_t la;
		bool canonical;
	} cases[] = {
		{ GW_MODE_4LEVEL, 0x0000800000000000ULL, false },
		{ GW_MODE_4LEVEL, 0xffff7fffffffffffULL, false },
		{ GW_MODE_4LEVEL, 0xff00000000000000ULL, false },
		{ GW_MODE_4LEVEL, 0x8000000000000000ULL, false },
		{ GW_MODE_4LEVEL, 0x0000000000000000ULL, true },
		{ GW_MODE_4LEVEL, 0x00007fffffffffffULL, true },
		{ GW_MODE_4LEVEL, 0xffff800000000000ULL, true },
		{ GW_MODE_4LEVEL, 0xffffffffffffffffULL, true },
		{ GW_MODE_5LEVEL, 0x0100000000000000ULL, false },
		{ GW_MODE_5LEVEL, 0xfeffffffffffffffULL, false },
		{ GW_MODE_5LEVEL, 0x7f00000000000000ULL, false },
		{ GW_MODE_5LEVEL, 0x0000800000000000ULL, true },
		{ GW_MODE_5LEVEL, 0x00ffffffffffffffULL, true },
		{ GW_MODE_5LEVEL, 0xff00000000000000ULL, true },
	};
	struct gw_result r;
	struct env e;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		build(&e, cases[i].mode, cases[i].la, 1, T4K);
		walk(&e, R, &r);
		if (cases[i].canonical) {
			assert_int_equal(r.status, GW_OK);
			assert_int_equal(r.gpa, T4K + (cases[i].la & 0xfff));
			assert_false(r.non_canonical);
		} else {
			assert_abort(&r, 0);
			assert_true(r.non_canonical);
			assert_int_equal(r.nentries, 0);
			assert_int_equal(e.fm.reads, 0);
		}
	}
}

/* PAE PDPTE registers (SDM 4.4.1) instead of memory. */
static void test_pae_pdpte_registers(void **state)
{
	struct gw_result r;
	struct env e;
	uint64_t good;

	(void)state;
	build(&e, GW_MODE_PAE, LA32, 1, T4K);
	good = get_ent(&e, 3);
	e.st.use_pdptes = true;
	e.st.pdptes[2] = good;
	tweak_ent(&e, 3, 0, P); /* memory changed after the CR3 load */
	walk(&e, W, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, GPAE_4K);
	assert_int_equal(r.nentries, 3);
	assert_int_equal(e.fm.reads, 2);
	assert_int_equal(r.entry_gpa[0], e.ent_gpa[3]);
	assert_int_equal(r.entry[0], good);

	/* The register is not present while memory is. */
	put_ent(&e, 3, good);
	e.st.pdptes[2] = good & ~P;
	walk(&e, W, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.pfec, PFEC_W);
	assert_int_equal(r.fault_level, 3);
	assert_false(r.pdpte_invalid);

	/* A register with reserved bits (VM entry would have refused it). */
	e.st.pdptes[2] = good | BIT(5);
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.pfec, RSVD_P);
	assert_int_equal(r.fault_level, 3);
	assert_true(r.pdpte_invalid);
	assert_int_equal(e.fm.reads, 0);

	/* Only the PDPTE selected by la[31:30] matters. */
	e.st.pdptes[2] = good;
	e.st.pdptes[0] = e.st.pdptes[1] = e.st.pdptes[3] = BIT(1) | P;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_false(r.pdpte_invalid);
}

static void test_bad_input(void **state)
{
	struct gw_state saved;
	struct gw_result r;
	struct env e;

	(void)state;
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	saved = e.st;

	static const unsigned bad_access[] = { 3, 4, 0x20, 0x13, F | IMPL,
					       0x80000000u };
	for (unsigned i = 0; i < ARRAY_SIZE(bad_access); i++) {
		walk(&e, bad_access[i], &r);
		assert_abort(&r, 0);
		assert_true(r.bad_input);
		assert_int_equal(e.fm.reads, 0);
	}

	static const unsigned bad_maxphy[] = { 0, 31, 53, 64, 0xffffffffu };
	for (unsigned i = 0; i < ARRAY_SIZE(bad_maxphy); i++) {
		e.st = saved;
		e.st.maxphyaddr = bad_maxphy[i];
		walk(&e, R, &r);
		assert_abort(&r, 0);
		assert_true(r.bad_input);
	}

	e.st = saved;
	e.st.cpl = 4;
	walk(&e, R, &r);
	assert_true(r.bad_input);

	/* Impossible modes: LMA without PG or PAE, PG without PE. */
	e.st = saved;
	e.st.cr0 &= ~GW_CR0_PG;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_ABORT);
	assert_true(r.bad_input);
	e.st = saved;
	e.st.cr4 &= ~GW_CR4_PAE;
	walk(&e, R, &r);
	assert_true(r.bad_input);
	e.st = saved;
	e.st.cr0 &= ~GW_CR0_PE;
	walk(&e, R, &r);
	assert_true(r.bad_input);

	/* NULL arguments. */
	e.st = saved;
	memset(&r, 0xa5, sizeof(r));
	guest_walk(NULL, LA64, R, fake_read, &e.fm, &r);
	assert_int_equal(r.status, GW_ABORT);
	assert_true(r.bad_input);
	memset(&r, 0xa5, sizeof(r));
	guest_walk(&e.st, LA64, R, NULL, &e.fm, &r);
	assert_int_equal(r.status, GW_ABORT);
	assert_true(r.bad_input);
	guest_walk(&e.st, LA64, R, fake_read, &e.fm, NULL); /* no crash */

	/* The limits themselves are fine. */
	e.st.maxphyaddr = 52;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	build(&e, GW_MODE_32BIT, LA32, 1, T4K32);
	e.st.maxphyaddr = 32;
	e.st.cpl = 3;
	walk(&e, R, &r);
	assert_int_equal(r.status, GW_OK);
	assert_int_equal(r.gpa, G32_4K);
}

static void test_mode_names(void **state)
{
	struct gw_state st;

	(void)state;
	init_state(&st, GW_MODE_NONE);
	assert_string_equal(gw_mode_name(&st), "none");
	assert_int_equal(gw_get_mode(&st), GW_MODE_NONE);
	st.cr0 = 0;
	assert_string_equal(gw_mode_name(&st), "none");
	init_state(&st, GW_MODE_32BIT);
	assert_string_equal(gw_mode_name(&st), "32-bit");
	st.cr4 |= GW_CR4_LA57; /* ignored outside IA-32e mode */
	assert_string_equal(gw_mode_name(&st), "32-bit");
	init_state(&st, GW_MODE_PAE);
	assert_string_equal(gw_mode_name(&st), "PAE");
	st.cr4 |= GW_CR4_LA57;
	st.efer |= EFER_LME; /* LME alone (paging not via LMA) */
	assert_string_equal(gw_mode_name(&st), "PAE");
	init_state(&st, GW_MODE_4LEVEL);
	assert_string_equal(gw_mode_name(&st), "4-level");
	init_state(&st, GW_MODE_5LEVEL);
	assert_string_equal(gw_mode_name(&st), "5-level");
	assert_int_equal(gw_get_mode(&st), GW_MODE_5LEVEL);
	st.cr4 &= ~GW_CR4_PAE;
	assert_string_equal(gw_mode_name(&st), "invalid");
	init_state(&st, GW_MODE_4LEVEL);
	st.cr0 &= ~GW_CR0_PG;
	assert_string_equal(gw_mode_name(&st), "invalid");
	init_state(&st, GW_MODE_32BIT);
	st.cr0 &= ~GW_CR0_PE;
	assert_string_equal(gw_mode_name(&st), "invalid");
	assert_string_equal(gw_mode_name(NULL), "invalid");
	assert_int_equal(gw_get_mode(NULL), GW_MODE_INVALID);
}

/* The walker is read-only: it never sets accessed/dirty flags (SDM 4.8). */
static void test_memory_untouched(void **state)
{
	static uint8_t before[MEM_SIZE];
	static const unsigned accesses[] = { R, W, F };
	static const enum gw_mode modes[] = { GW_MODE_32BIT, GW_MODE_PAE,
					      GW_MODE_4LEVEL, GW_MODE_5LEVEL };
	struct gw_result r;
	struct env e;

	(void)state;
	for (unsigned m = 0; m < ARRAY_SIZE(modes); m++) {
		build(&e, modes[m], default_la(modes[m]), 1,
		      default_target(modes[m], 1));
		memcpy(before, mem, MEM_SIZE);
		for (unsigned i = 0; i < ARRAY_SIZE(accesses); i++) {
			walk(&e, accesses[i], &r);
			assert_int_equal(r.status, GW_OK);
			assert_int_equal(get_ent(&e, 1) & (BIT(5) | BIT(6)), 0);
		}
		assert_memory_equal(before, mem, MEM_SIZE);
	}
}

/* gw_ad_bits() (SDM 4.8): A in every entry a walk used, D also in the
 * leaf for a write; nothing in a PAE PDPTE (4.4.1, Table 4-8: bit 5 is
 * reserved there); 4-byte entries in 32-bit paging; nothing without a
 * translation. */
static void test_ad_bits(void **state)
{
	static const struct {
		enum gw_mode mode;
		uint64_t la;
		unsigned leaf, n, size;
		bool pdpte_first;
	} rows[] = {
		{ GW_MODE_4LEVEL, LA64, 1, 4, 8, false },
		{ GW_MODE_4LEVEL, LA64, 2, 3, 8, false },
		{ GW_MODE_32BIT, LA32, 1, 2, 4, false },
		{ GW_MODE_32BIT, LA32, 2, 1, 4, false },
		{ GW_MODE_PAE, LA32, 1, 3, 8, true },
		{ GW_MODE_PAE, LA32, 2, 2, 8, true },
	};
	struct gw_result r;
	struct env e;
	unsigned size;

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(rows); k++) {
		uint64_t pa = rows[k].mode == GW_MODE_32BIT ? T4K32 : T4K;

		if (rows[k].leaf == 2)
			pa = rows[k].mode == GW_MODE_32BIT ? T4M : T2M;
		build(&e, rows[k].mode, rows[k].la, rows[k].leaf, pa);
		for (unsigned wr = 0; wr < 2; wr++) {
			walk(&e, wr ? W : R, &r);
			assert_int_equal(r.status, GW_OK);
			assert_int_equal(r.nentries, rows[k].n);
			for (unsigned i = 0; i < r.nentries; i++) {
				uint64_t want = BIT(5);

				if (wr && i + 1 == r.nentries)
					want |= BIT(6);
				if (rows[k].pdpte_first && i == 0)
					want = 0;
				assert_int_equal(gw_ad_bits(&e.st, &r, i, wr,
							    &size), want);
				assert_int_equal(size, rows[k].size);
			}
			/* Past the entries the walk used. */
			assert_int_equal(gw_ad_bits(&e.st, &r, r.nentries, wr,
						    &size), 0);
		}
	}
	/* A fault sets nothing. */
	build(&e, GW_MODE_4LEVEL, LA64, 1, T4K);
	tweak_ent(&e, 1, 0, P);
	walk(&e, W, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	for (unsigned i = 0; i < r.nentries; i++)
		assert_int_equal(gw_ad_bits(&e.st, &r, i, true, &size), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translations),
		cmocka_unit_test(test_not_present),
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_access_rights),
		cmocka_unit_test(test_protection_keys),
		cmocka_unit_test(test_paging_disabled),
		cmocka_unit_test(test_la_truncated_outside_long_mode),
		cmocka_unit_test(test_entries_recorded),
		cmocka_unit_test(test_effective_rights),
		cmocka_unit_test(test_read_failure),
		cmocka_unit_test(test_cr3_high_bits_not_checked),
		cmocka_unit_test(test_non_canonical),
		cmocka_unit_test(test_pae_pdpte_registers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_memory_untouched),
		cmocka_unit_test(test_ad_bits),
	};

	return cmocka_run_group_tests_name("guest_walk", tests, NULL, NULL);
}
