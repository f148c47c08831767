/* Unit tests for mm/phys_width.c: a guest MAXPHYADDR (N) below the host's.
 * The #PF intercept rule (SDM Vol. 3C 25.2) over every error code, the
 * access a #PF error code describes, the reserved-bit #PF over page tables
 * built in a small fake guest memory (every level, every page size, every
 * access kind, a bit at each position of the address field, N = 36 and 40),
 * and the MOV-to-CR3, PAE PDPTE and MSR width checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/guest_walk.h"
#include "mm/phys_width.h"

#define BIT(n) (1ULL << (n))

/* Entry bits (SDM Vol. 3A 4.3-4.5). */
#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define PS BIT(7)
#define XD BIT(63)
#define EFER_LME BIT(8)

#define RSVD_P (PFEC_RSVD | PFEC_P)
#define PFEC_SENTINEL 0xdead0000u

/* ------------------------------------------------------ fake guest memory */

#define MEM_PAGES 8
#define MEM_BYTES (MEM_PAGES * 4096ULL)

/* Guest RAM is [0, MEM_BYTES); reads ignore the gpa bits in 'ignore' (RAM
 * aliased up there), anything else fails. */
struct gmem {
	uint8_t bytes[MEM_BYTES];
	uint64_t ignore;
	unsigned reads;
};

static struct gmem gm;

static int gmem_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct gmem *m = ctx;
	uint64_t v = 0;

	m->reads++;
	assert_true(size == 4 || size == 8);
	assert_int_equal(gpa % size, 0);
	gpa &= ~m->ignore;
	if (gpa >= MEM_BYTES || MEM_BYTES - gpa < size)
		return -1;
	memcpy(&v, m->bytes + gpa, size);
	*val = v;
	return 0;
}

static void gmem_reset(void)
{
	memset(&gm, 0, sizeof(gm));
}

/* ------------------------------------------------------- 4-level tables */

/* Every index on the path is non-zero and distinct; canonical (bit 47 0). */
#define LA ((0x0a5ULL << 39) | (0x1c3ULL << 30) | (0x0d4ULL << 21) | \
	    (0x1e5ULL << 12) | 0x5f6ULL)

/* Page frames mapped (never read), all below 2^32 so that bits 32..51 of
 * a leaf are the ones the tests set. */
#define T4K 0x76543000ULL
#define T2M 0x76600000ULL
#define T1G 0x40000000ULL

/* The table holding the entries of a level: PML4 at 0x1000 (CR3), PDPT at
 * 0x2000, PD at 0x3000, PT at 0x4000. */
static uint64_t table_of(unsigned level)
{
	return 0x1000ULL * (5 - level);
}

static uint64_t ent_gpa(unsigned level, uint64_t la)
{
	return table_of(level) + (((la >> (12 + 9 * (level - 1))) & 0x1ff) << 3);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	assert_true(gpa + 8 <= MEM_BYTES);
	memcpy(&v, gm.bytes + gpa, 8);
	return v;
}

static void put64(uint64_t gpa, uint64_t v)
{
	assert_true(gpa + 8 <= MEM_BYTES);
	memcpy(gm.bytes + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	assert_true(gpa + 4 <= MEM_BYTES);
	memcpy(gm.bytes + gpa, &v, 4);
}

static uint64_t target_of(unsigned leaf)
{
	return leaf == 3 ? T1G : leaf == 2 ? T2M : T4K;
}

static uint64_t size_of(unsigned leaf)
{
	return 1ULL << (12 + 9 * (leaf - 1));
}

/* 4-level paging (CR0.PG/PE/WP, CR4.PAE, EFER.LME/LMA/NXE), guest width
 * n, 1-GByte pages supported, CPL 0. */
static void state_4level(struct gw_state *st, unsigned n)
{
	memset(st, 0, sizeof(*st));
	st->cr0 = GW_CR0_PE | GW_CR0_WP | GW_CR0_PG | BIT(4);
	st->cr3 = table_of(4);
	st->cr4 = GW_CR4_PAE;
	st->efer = EFER_LME | GW_EFER_LMA | GW_EFER_NXE;
	st->rflags = BIT(1);
	st->maxphyaddr = n;
	st->page_1g = true;
}

/* Fresh memory with la mapped by a leaf at level leaf (1 = 4K, 2 = 2M,
 * 3 = 1G); every entry P | R/W | U/S. */
static void build_4level(unsigned leaf)
{
	gmem_reset();
	for (unsigned level = 4; level > leaf; level--)
		put64(ent_gpa(level, LA), table_of(level - 1) | P | RW | US);
	put64(ent_gpa(leaf, LA), target_of(leaf) | P | RW | US |
				 (leaf > 1 ? PS : 0));
}

static void tweak(unsigned level, uint64_t set, uint64_t clr)
{
	uint64_t gpa = ent_gpa(level, LA);

	put64(gpa, (get64(gpa) & ~clr) | set);
}

/* The access kinds of a #PF and the W/U/I bits a CPU reports for them
 * (SDM Vol. 3A 4.7): W/R for a write, U/S for a user-mode access (CPL 3,
 * not implicit), I/D for a fetch iff CR4.SMEP = 1 or (CR4.PAE = 1 and
 * EFER.NXE = 1). */
struct acc {
	const char *name;
	unsigned access, cpl;
	bool nxe, smep;
	uint32_t bits;         /* W/U/I of the error code */
	unsigned from_pfec;    /* phys_width_access_from_pfec(P | bits, cpl) */
	bool denied;           /* a protection fault on an all-P|RW|US path */
};

#define IMPL GW_IMPLICIT_SUPERVISOR

static const struct acc accs[] = {
	{ "read", GW_READ, 0, true, false, 0, GW_READ, false },
	{ "write", GW_WRITE, 0, true, false, PFEC_W, GW_WRITE, false },
	{ "fetch NXE=1", GW_FETCH, 0, true, false, PFEC_I, GW_FETCH, false },
	{ "fetch NXE=0 SMEP=0", GW_FETCH, 0, false, false, 0, GW_READ, false },
	/* SMEP: a supervisor fetch from a user page is a protection fault. */
	{ "fetch NXE=0 SMEP=1", GW_FETCH, 0, false, true, PFEC_I, GW_FETCH,
	  true },
	{ "user read", GW_READ, 3, true, false, PFEC_U, GW_READ, false },
	{ "user write", GW_WRITE, 3, true, false, PFEC_U | PFEC_W, GW_WRITE,
	  false },
	{ "user fetch NXE=1", GW_FETCH, 3, true, false, PFEC_U | PFEC_I,
	  GW_FETCH, false },
	{ "user fetch NXE=0", GW_FETCH, 3, false, false, PFEC_U, GW_READ,
	  false },
	{ "implicit supervisor write at CPL 3", GW_WRITE | IMPL, 3, true, false,
	  PFEC_W, GW_WRITE | IMPL, false },
	{ "implicit supervisor read at CPL 3", GW_READ | IMPL, 3, false, false,
	  0, GW_READ | IMPL, false },
};

static void apply_acc(struct gw_state *st, const struct acc *a)
{
	st->cpl = a->cpl;
	if (a->nxe)
		st->efer |= GW_EFER_NXE;
	else
		st->efer &= ~GW_EFER_NXE;
	if (a->smep)
		st->cr4 |= GW_CR4_SMEP;
	else
		st->cr4 &= ~GW_CR4_SMEP;
}

/* phys_width_rsvd_fault() for access; *pfec must be left alone on false. */
static bool rsvd(const struct gw_state *st, uint64_t la, unsigned access,
		 uint32_t *pfec)
{
	*pfec = PFEC_SENTINEL;
	return phys_width_rsvd_fault(st, la, access, gmem_read, &gm, pfec);
}

static void walk(const struct gw_state *st, uint64_t la, unsigned access,
		 struct gw_result *r)
{
	gm.reads = 0;
	guest_walk(st, la, access, gmem_read, &gm, r);
}

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			fail_msg(__VA_ARGS__);                                \
	} while (0)

/* One case: path to a leaf at level leaf, bit b set in the entry at level
 * level, guest width n. */
static void check_bit(unsigned leaf, unsigned level, unsigned b, unsigned n,
		      const struct acc *a)
{
	struct gw_state st;
	struct gw_result r;
	uint32_t pfec;
	bool want_rsvd = b >= n;
	bool got;

	build_4level(leaf);
	tweak(level, BIT(b), 0);
	state_4level(&st, n);
	apply_acc(&st, a);

	got = rsvd(&st, LA, a->access, &pfec);
	CHECK(got == want_rsvd && pfec == (want_rsvd ?
		      (RSVD_P | a->bits) : PFEC_SENTINEL),
	      "leaf %u level %u bit %u N=%u %s: rsvd %d pfec %#x",
	      leaf, level, b, n, a->name, got, pfec);

	/* The access a #PF error code describes gives the same verdict. */
	got = rsvd(&st, LA, phys_width_access_from_pfec(PFEC_P | a->bits,
							a->cpl), &pfec);
	CHECK(got == want_rsvd && pfec == (want_rsvd ?
		      (RSVD_P | a->bits) : PFEC_SENTINEL),
	      "from pfec: leaf %u level %u bit %u N=%u %s: rsvd %d pfec %#x",
	      leaf, level, b, n, a->name, got, pfec);

	walk(&st, LA, a->access, &r);
	if (want_rsvd) {
		/* The fault is at that level: nothing below it was read. */
		CHECK(r.status == GW_PAGE_FAULT && r.fault_level == level &&
		      gm.reads == 5 - level,
		      "walk leaf %u level %u bit %u N=%u %s: status %d level %u reads %u",
		      leaf, level, b, n, a->name, r.status, r.fault_level,
		      gm.reads);
		return;
	}
	if (level > leaf) {
		/* The next table is at or above 4 GiB: not guest RAM. */
		CHECK(r.status == GW_ABORT &&
		      r.abort_gpa == (table_of(level - 1) | BIT(b)) + 8 *
		      ((LA >> (12 + 9 * (level - 2))) & 0x1ff),
		      "walk leaf %u level %u bit %u N=%u %s: status %d abort %#llx",
		      leaf, level, b, n, a->name, r.status,
		      (unsigned long long)r.abort_gpa);
		/* With RAM aliased there, the walk goes on to a translation. */
		gm.ignore = 0xffULL << 32;
		got = rsvd(&st, LA, a->access, &pfec);
		CHECK(!got && pfec == PFEC_SENTINEL,
		      "aliased leaf %u level %u bit %u N=%u %s: rsvd", leaf,
		      level, b, n, a->name);
		walk(&st, LA, a->access, &r);
		gm.ignore = 0;
		CHECK(r.gpa == (target_of(leaf) | (LA & (size_of(leaf) - 1))),
		      "aliased leaf %u level %u bit %u N=%u %s: gpa %#llx",
		      leaf, level, b, n, a->name, (unsigned long long)r.gpa);
	} else {
		CHECK(r.gpa == (target_of(leaf) | BIT(b) |
				(LA & (size_of(leaf) - 1))),
		      "leaf %u bit %u N=%u %s: gpa %#llx", leaf, b, n, a->name,
		      (unsigned long long)r.gpa);
	}
	if (a->denied)
		CHECK(r.status == GW_PAGE_FAULT && r.fault_level == 0 &&
		      r.pfec == (PFEC_P | a->bits),
		      "leaf %u level %u bit %u N=%u %s: status %d pfec %#x",
		      leaf, level, b, n, a->name, r.status, r.pfec);
	else
		CHECK(r.status == GW_OK,
		      "leaf %u level %u bit %u N=%u %s: status %d pfec %#x",
		      leaf, level, b, n, a->name, r.status, r.pfec);
}

/* SDM Vol. 3A 4.5 (Tables 4-14..4-19): bits 51:N of every present 4-level
 * entry are reserved, for every page size; bits 32..N-1 are address bits. */
static void test_rsvd_every_level_size_access_bit(void **state)
{
	static const unsigned widths[] = { 36, 40 };
	unsigned cases = 0;

	(void)state;
	for (unsigned leaf = 1; leaf <= 3; leaf++)
		for (unsigned level = 4; level >= leaf; level--)
			for (unsigned i = 0; i < ARRAY_SIZE(accs); i++)
				for (unsigned w = 0; w < ARRAY_SIZE(widths); w++)
					for (unsigned b = 32; b <= 51; b++) {
						check_bit(leaf, level, b,
							  widths[w], &accs[i]);
						cases++;
					}
	/* 3 sizes: 4 + 3 + 2 levels, 11 accesses, 2 widths, 20 bits. */
	assert_int_equal(cases, 9 * 11 * 2 * 20);
}

/* Bits 62:52 of 4-level entries are ignored (62:59 are the protection key
 * of a leaf, CR4.PKE = 0 here): never a reserved-bit fault, whatever N. */
static void test_ignored_high_bits(void **state)
{
	struct gw_state st;
	struct gw_result r;
	uint32_t pfec;

	(void)state;
	for (unsigned leaf = 1; leaf <= 3; leaf++)
		for (unsigned level = 4; level >= leaf; level--)
			for (unsigned b = 52; b <= 62; b++) {
				build_4level(leaf);
				tweak(level, BIT(b), 0);
				state_4level(&st, 36);
				assert_false(rsvd(&st, LA, GW_WRITE, &pfec));
				assert_int_equal(pfec, PFEC_SENTINEL);
				walk(&st, LA, GW_WRITE, &r);
				assert_int_equal(r.status, GW_OK);
			}
}

/* XD (bit 63) is reserved iff EFER.NXE = 0 (SDM 4.5): independent of N. */
static void test_xd_reserved_without_nxe(void **state)
{
	struct gw_state st;
	uint32_t pfec;

	(void)state;
	for (unsigned level = 4; level >= 1; level--) {
		build_4level(1);
		tweak(level, XD, 0);
		state_4level(&st, 36);
		st.efer &= ~GW_EFER_NXE;
		assert_true(rsvd(&st, LA, GW_READ, &pfec));
		assert_int_equal(pfec, RSVD_P);
		st.efer |= GW_EFER_NXE;
		assert_false(rsvd(&st, LA, GW_READ, &pfec));
		/* With NXE = 1, XD denies the fetch: a protection fault. */
		assert_false(rsvd(&st, LA, GW_FETCH, &pfec));
		assert_int_equal(pfec, PFEC_SENTINEL);
	}
}

/* A protection fault is not a reserved-bit fault; with a guest-reserved
 * address bit in the same path, the reserved bit wins (SDM 4.7: reserved
 * bits are checked during the walk, rights after it). */
static void test_protection_vs_rsvd(void **state)
{
	struct gw_state st;
	struct gw_result r;
	uint32_t pfec;

	(void)state;
	/* Write to a read-only page, CR0.WP = 1, no high bit: P|W, not RSVD. */
	build_4level(1);
	tweak(1, 0, RW);
	state_4level(&st, 36);
	assert_false(rsvd(&st, LA, GW_WRITE, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
	walk(&st, LA, GW_WRITE, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.pfec, PFEC_P | PFEC_W);
	/* The same at CPL 3: P|W|U. */
	st.cpl = 3;
	assert_false(rsvd(&st, LA, GW_WRITE, &pfec));
	walk(&st, LA, GW_WRITE, &r);
	assert_int_equal(r.pfec, PFEC_P | PFEC_W | PFEC_U);

	/* Read-only PTE with bit 37 (an address bit to a 40-bit CPU, which
	 * raises the P|W protection fault): the guest's CPU says P|W|RSVD. */
	build_4level(1);
	tweak(1, BIT(37), RW);
	state_4level(&st, 36);
	assert_true(rsvd(&st, LA, GW_WRITE, &pfec));
	assert_int_equal(pfec, 0xb);
	assert_true(rsvd(&st, LA, phys_width_access_from_pfec(PFEC_P | PFEC_W,
							      0), &pfec));
	assert_int_equal(pfec, 0xb);
	/* ... and a 40-bit guest gets the protection fault. */
	state_4level(&st, 40);
	assert_false(rsvd(&st, LA, GW_WRITE, &pfec));
	walk(&st, LA, GW_WRITE, &r);
	assert_int_equal(r.pfec, PFEC_P | PFEC_W);

	/* Read-only at the PML4E, bit 37 in a 2M PDE, user write: 0xf. */
	build_4level(2);
	tweak(4, 0, RW);
	tweak(2, BIT(37), 0);
	state_4level(&st, 36);
	st.cpl = 3;
	assert_true(rsvd(&st, LA, GW_WRITE, &pfec));
	assert_int_equal(pfec, RSVD_P | PFEC_W | PFEC_U);

	/* Supervisor page, bit 36 in a 1G PDPTE, user read: 0xd. */
	build_4level(3);
	tweak(3, BIT(36), US);
	state_4level(&st, 36);
	st.cpl = 3;
	assert_true(rsvd(&st, LA, GW_READ, &pfec));
	assert_int_equal(pfec, RSVD_P | PFEC_U);

	/* XD page, bit 45 in the PTE, fetch (NXE=1): 0x19. */
	build_4level(1);
	tweak(3, XD, 0);
	tweak(1, BIT(45), 0);
	state_4level(&st, 36);
	assert_true(rsvd(&st, LA, GW_FETCH, &pfec));
	assert_int_equal(pfec, RSVD_P | PFEC_I);
}

/* SDM 4.7: reserved bits of a not-present entry are not checked. */
static void test_not_present_ignores_high_bits(void **state)
{
	struct gw_state st;
	struct gw_result r;
	uint32_t pfec;

	(void)state;
	for (unsigned leaf = 1; leaf <= 3; leaf++)
		for (unsigned level = 4; level >= leaf; level--)
			for (unsigned i = 0; i < ARRAY_SIZE(accs); i++) {
				build_4level(leaf);
				tweak(level, BIT(51) | BIT(40) | BIT(37) |
					     BIT(36) | XD, P);
				state_4level(&st, 36);
				apply_acc(&st, &accs[i]);
				assert_false(rsvd(&st, LA, accs[i].access,
						  &pfec));
				assert_int_equal(pfec, PFEC_SENTINEL);
				walk(&st, LA, accs[i].access, &r);
				assert_int_equal(r.status, GW_PAGE_FAULT);
				assert_int_equal(r.fault_level, level);
				assert_int_equal(r.pfec, accs[i].bits);
			}
}

/* A walk that is no #PF at all gives false and leaves *pfec alone. */
static void test_rsvd_fault_other_outcomes(void **state)
{
	struct gw_state st;
	uint32_t pfec;

	(void)state;
	build_4level(1);
	state_4level(&st, 36);
	assert_false(rsvd(&st, LA, GW_READ, &pfec)); /* translation */
	assert_int_equal(pfec, PFEC_SENTINEL);
	/* Non-canonical (#GP, not #PF). */
	assert_false(rsvd(&st, LA | BIT(47), GW_READ, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
	/* Bad state: MAXPHYADDR below 32. */
	tweak(1, BIT(40), 0);
	st.maxphyaddr = 31;
	assert_false(rsvd(&st, LA, GW_READ, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
	st.maxphyaddr = 53;
	assert_false(rsvd(&st, LA, GW_READ, &pfec));
	/* Bad access. */
	st.maxphyaddr = 36;
	assert_false(rsvd(&st, LA, GW_FETCH | IMPL, &pfec));
	assert_false(rsvd(&st, LA, 3, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
	assert_true(rsvd(&st, LA, GW_READ, &pfec));
	assert_int_equal(pfec, RSVD_P);
	/* A read failure (no RAM at the PDPT) aborts. */
	st.cr3 = 0x100000;
	assert_false(rsvd(&st, LA, GW_READ, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
}

/* ---------------------------------------------------------- PAE paging */

#define LA32 ((2ULL << 30) | (0x0d4ULL << 21) | (0x1e5ULL << 12) | 0x5f6ULL)
#define PAE_PD 0x1000ULL
#define PAE_PT 0x2000ULL
#define PAE_PDPT 0x3020ULL /* 32-byte aligned (SDM 4.4.1, Table 4-7) */

static uint64_t pae_ent_gpa(unsigned level)
{
	return (level == 2 ? PAE_PD : PAE_PT) +
	       (((LA32 >> (level == 2 ? 21 : 12)) & 0x1ff) << 3);
}

/* PAE paging (CR4.PAE, EFER.LMA = 0, NXE), width n, PDPTE registers in
 * use; leaf 1 = 4K, 2 = 2M. The PDPT is in memory too. */
static void build_pae(struct gw_state *st, unsigned n, unsigned leaf)
{
	gmem_reset();
	memset(st, 0, sizeof(*st));
	st->cr0 = GW_CR0_PE | GW_CR0_WP | GW_CR0_PG | BIT(4);
	st->cr3 = PAE_PDPT;
	st->cr4 = GW_CR4_PAE;
	st->efer = GW_EFER_NXE;
	st->rflags = BIT(1);
	st->maxphyaddr = n;
	st->use_pdptes = true;
	st->pdptes[2] = PAE_PD | P;
	put64(PAE_PDPT + 16, PAE_PD | P);
	if (leaf == 2) {
		put64(pae_ent_gpa(2), T2M | P | RW | US | PS);
		return;
	}
	put64(pae_ent_gpa(2), PAE_PT | P | RW | US);
	put64(pae_ent_gpa(1), T4K | P | RW | US);
}

/* SDM 4.4.2, Tables 4-9..4-11: bits 62:N of PAE PDEs/PTEs are reserved
 * (PAE entries have no ignored high bits). */
static void test_pae_entries(void **state)
{
	struct gw_state st;
	uint32_t pfec;

	(void)state;
	for (unsigned leaf = 1; leaf <= 2; leaf++)
		for (unsigned level = 2; level >= leaf; level--)
			for (unsigned b = 32; b <= 62; b++)
				for (unsigned i = 0; i < ARRAY_SIZE(accs); i++) {
					const struct acc *a = &accs[i];
					bool want = b >= 36;
					uint64_t g = pae_ent_gpa(level);
					bool got;

					build_pae(&st, 36, leaf);
					put64(g, get64(g) | BIT(b));
					apply_acc(&st, a);
					if (level > leaf && !want)
						gm.ignore = 0xfULL << 32;
					got = rsvd(&st, LA32, a->access, &pfec);
					CHECK(got == want && pfec == (want ?
						(RSVD_P | a->bits) :
						PFEC_SENTINEL),
					      "PAE leaf %u level %u bit %u %s: %d %#x",
					      leaf, level, b, a->name, got, pfec);
				}
	/* The case the issue names: bit 38 in a PDE and in a PTE. */
	build_pae(&st, 36, 1);
	put64(pae_ent_gpa(2), get64(pae_ent_gpa(2)) | BIT(38));
	assert_true(rsvd(&st, LA32, GW_WRITE, &pfec));
	assert_int_equal(pfec, RSVD_P | PFEC_W);
	build_pae(&st, 36, 1);
	put64(pae_ent_gpa(1), get64(pae_ent_gpa(1)) | BIT(38));
	assert_true(rsvd(&st, LA32, GW_READ, &pfec));
	assert_int_equal(pfec, RSVD_P);
	/* ... but not for a 40-bit guest. */
	st.maxphyaddr = 40;
	assert_false(rsvd(&st, LA32, GW_READ, &pfec));
}

/* SDM 4.4.1, Table 4-8: a present PDPTE with bits 63:N set could not have
 * been loaded (#GP); the walker reports it as RSVD|P (pdpte_invalid). */
static void test_pae_pdpte(void **state)
{
	struct gw_state st;
	struct gw_result r;
	uint32_t pfec;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(accs); i++) {
		build_pae(&st, 36, 1);
		apply_acc(&st, &accs[i]);
		st.pdptes[2] |= BIT(38);
		assert_true(rsvd(&st, LA32, accs[i].access, &pfec));
		assert_int_equal(pfec, RSVD_P | accs[i].bits);
		walk(&st, LA32, accs[i].access, &r);
		assert_true(r.pdpte_invalid);
		assert_int_equal(r.fault_level, 3);
	}
	/* From memory (use_pdptes = false) too. */
	build_pae(&st, 36, 1);
	st.use_pdptes = false;
	put64(PAE_PDPT + 16, PAE_PD | P | BIT(38));
	assert_true(rsvd(&st, LA32, GW_WRITE, &pfec));
	assert_int_equal(pfec, RSVD_P | PFEC_W);
	/* Width 40: bit 38 is an address bit (no RAM there: abort). */
	st.maxphyaddr = 40;
	assert_false(rsvd(&st, LA32, GW_WRITE, &pfec));
	assert_int_equal(pfec, PFEC_SENTINEL);
	/* Not present with junk: a not-present #PF, not RSVD. */
	build_pae(&st, 36, 1);
	st.pdptes[2] = BIT(38) | BIT(1) | BIT(63);
	assert_false(rsvd(&st, LA32, GW_READ, &pfec));
	walk(&st, LA32, GW_READ, &r);
	assert_int_equal(r.status, GW_PAGE_FAULT);
	assert_int_equal(r.pfec, 0);
}

/* ---------------------------------------------- 32-bit paging, PSE-36 */

/* SDM 4.3, Table 4-4: a 4-MByte PDE has address bits (M-1):32 in bits
 * (M-20):13 and bits 21:(M-19) reserved, M = min(N, 40). */
static void test_pse36(void **state)
{
	struct gw_state st;
	struct gw_result r;
	uint64_t pde_gpa = 0x1000 + ((LA32 >> 22) << 2);
	uint32_t pfec;

	(void)state;
	for (unsigned n = 36; n <= 40; n += 4)
		for (unsigned b = 13; b <= 21; b++) {
			bool want = b >= n - 19;

			gmem_reset();
			memset(&st, 0, sizeof(st));
			st.cr0 = GW_CR0_PE | GW_CR0_PG;
			st.cr3 = 0x1000;
			st.cr4 = GW_CR4_PSE;
			st.maxphyaddr = n;
			put32(pde_gpa, (uint32_t)(0x76400000ULL | P | RW | US |
						  PS | BIT(b)));
			assert_int_equal(rsvd(&st, LA32, GW_WRITE, &pfec), want);
			assert_int_equal(pfec, want ? RSVD_P | PFEC_W :
					       PFEC_SENTINEL);
			if (want)
				continue;
			walk(&st, LA32, GW_WRITE, &r);
			assert_int_equal(r.status, GW_OK);
			assert_int_equal(r.gpa, 0x76400000ULL |
					 (LA32 & 0x3fffff) |
					 (BIT(b) << (32 - 13)));
		}
}

/* ----------------------------------------------------- #PF intercept */

/* SDM Vol. 3C 25.2, restated bit by bit: "PFEC & PFEC_MASK = PFEC_MATCH"
 * holds iff for every bit i, (PFEC[i] AND MASK[i]) = MATCH[i] (so a MATCH
 * bit outside MASK makes equality impossible); with equality bit 14 of the
 * exception bitmap is followed, with inequality its meaning is reversed. */
static bool sdm_pf_exits(bool bit14, uint32_t mask, uint32_t match,
			 uint32_t pfec)
{
	bool equal = true;

	for (unsigned i = 0; i < 32; i++)
		if ((((pfec >> i) & (mask >> i)) & 1) != ((match >> i) & 1))
			equal = false;
	return equal ? bit14 : !bit14;
}

static void test_pf_intercept_for(void **state)
{
	struct pf_intercept on = pf_intercept_for(true);
	struct pf_intercept off = pf_intercept_for(false);
	unsigned exits_on = 0;

	(void)state;
	assert_true(on.bitmap_bit);
	assert_int_equal(on.mask, PFEC_P | PFEC_RSVD);
	assert_int_equal(on.match, PFEC_P);
	assert_false(off.bitmap_bit);
	assert_int_equal(off.mask, 0);
	assert_int_equal(off.match, 0);

	for (uint32_t pfec = 0; pfec < 32; pfec++) {
		bool p = pfec & PFEC_P, rsvd_bit = pfec & PFEC_RSVD;

		/* Reduced width: exactly the faults with P = 1, RSVD = 0. */
		assert_int_equal(pf_intercept_exits(&on, pfec),
				 p && !rsvd_bit);
		assert_int_equal(pf_intercept_exits(&on, pfec),
				 sdm_pf_exits(true, on.mask, on.match, pfec));
		/* The other error-code bits (PK, SS, HLAT, SGX) don't count. */
		assert_int_equal(pf_intercept_exits(&on, pfec | 0x80e0u),
				 p && !rsvd_bit);
		/* Full width: never. */
		assert_false(pf_intercept_exits(&off, pfec));
		assert_false(pf_intercept_exits(&off, pfec | 0x80e0u));
		assert_false(sdm_pf_exits(false, off.mask, off.match, pfec));
		exits_on += pf_intercept_exits(&on, pfec);
	}
	assert_int_equal(exits_on, 8); /* P = 1, RSVD = 0: W/U/I free */
	assert_true(pf_intercept_exits(&on, 0xb & ~PFEC_RSVD));
	assert_false(pf_intercept_exits(&on, 0xb));
	assert_false(pf_intercept_exits(&on, PFEC_W | PFEC_U));
}

/* pf_intercept_exits() against the 25.2 rule for both bitmap values and a
 * spread of masks/matches, with hand-checked counts. */
static void test_pf_intercept_exits_rule(void **state)
{
	static const struct {
		uint32_t mask, match;
		unsigned exits14, exits0; /* over the 32 low error codes */
	} c[] = {
		{ 0, 0, 32, 0 },              /* bit 14 alone decides */
		{ 0, PFEC_P, 0, 32 },         /* match outside mask: never equal */
		{ PFEC_P, PFEC_P, 16, 16 },
		{ PFEC_P, 0, 16, 16 },
		{ PFEC_P | PFEC_RSVD, PFEC_P, 8, 24 },
		{ PFEC_P | PFEC_RSVD, PFEC_P | PFEC_RSVD, 8, 24 },
		{ 0x1f, 0x1f, 1, 31 },
		{ 0x1f, 0, 1, 31 },
		{ 0xffffffffu, 0x3, 1, 31 },
		{ PFEC_W | PFEC_I, PFEC_W, 8, 24 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
		for (unsigned bit14 = 0; bit14 <= 1; bit14++) {
			struct pf_intercept pi = { bit14, c[i].mask,
						   c[i].match };
			unsigned n = 0;

			for (uint32_t pfec = 0; pfec < 32; pfec++) {
				bool e = pf_intercept_exits(&pi, pfec);

				CHECK(e == sdm_pf_exits(bit14, c[i].mask,
							c[i].match, pfec),
				      "case %u bit14 %u pfec %#x", i, bit14,
				      pfec);
				n += e;
			}
			assert_int_equal(n, bit14 ? c[i].exits14 : c[i].exits0);
		}
}

/* --------------------------------------------- access from a #PF code */

/* I/D -> fetch, else W/R -> write, else read; U/S = 0 at CPL 3 -> implicit
 * supervisor (data accesses only). P, RSVD, PK don't matter. */
static void test_access_from_pfec(void **state)
{
	static const unsigned cpls[] = { 0, 1, 2, 3 };

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cpls); c++)
		for (uint32_t pfec = 0; pfec < 64; pfec++) {
			unsigned cpl = cpls[c];
			unsigned want = (pfec & PFEC_I) ? GW_FETCH :
					(pfec & PFEC_W) ? GW_WRITE : GW_READ;
			unsigned got = phys_width_access_from_pfec(pfec, cpl);

			if (cpl == 3 && !(pfec & PFEC_U) && want != GW_FETCH)
				want |= IMPL;
			CHECK(got == want, "pfec %#x cpl %u: %#x, want %#x",
			      pfec, cpl, got, want);
		}
	/* The error codes of the access kinds the walk tests use. */
	for (unsigned i = 0; i < ARRAY_SIZE(accs); i++)
		CHECK(phys_width_access_from_pfec(PFEC_P | accs[i].bits,
						  accs[i].cpl) ==
		      accs[i].from_pfec, "%s", accs[i].name);
	/* Spelled out: W/U/I at CPL 0 and 3. */
	assert_int_equal(phys_width_access_from_pfec(0, 0), GW_READ);
	assert_int_equal(phys_width_access_from_pfec(PFEC_W, 0), GW_WRITE);
	assert_int_equal(phys_width_access_from_pfec(PFEC_U, 0), GW_READ);
	assert_int_equal(phys_width_access_from_pfec(PFEC_W | PFEC_U, 0),
			 GW_WRITE);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I, 0), GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I | PFEC_W, 0),
			 GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I | PFEC_U, 0),
			 GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(0x1f, 0), GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(0, 3), GW_READ | IMPL);
	assert_int_equal(phys_width_access_from_pfec(PFEC_W, 3),
			 GW_WRITE | IMPL);
	assert_int_equal(phys_width_access_from_pfec(PFEC_U, 3), GW_READ);
	assert_int_equal(phys_width_access_from_pfec(PFEC_U | PFEC_W, 3),
			 GW_WRITE);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I, 3), GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I | PFEC_W, 3),
			 GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(PFEC_I | PFEC_U, 3),
			 GW_FETCH);
	assert_int_equal(phys_width_access_from_pfec(0x1f, 3), GW_FETCH);
}

/* ------------------------------------------------------------ MOV CR3 */

/* SDM Vol. 3A 4.5, Tables 4-12/4-13 (IA-32e: bits 63:N reserved; bit 63
 * of the source is "no invalidate" with PCIDE = 1, 4.10.4.1); outside
 * IA-32e mode CR3 is 32 bits (4.3, 4.4). */
static void test_cr3(void **state)
{
	static const unsigned widths[] = { 36, 39, 40, 46, 52 };

	(void)state;
	for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
		unsigned n = widths[w];

		for (unsigned b = 0; b < 64; b++) {
			uint64_t v = 0x1000 | BIT(b);
			bool ok = b < n;

			CHECK(phys_width_cr3_valid(v, true, false, n) == ok,
			      "N=%u bit %u PCIDE=0", n, b);
			CHECK(phys_width_cr3_valid(v, true, true, n) ==
			      (ok || b == 63), "N=%u bit %u PCIDE=1", n, b);
			CHECK(phys_width_cr3_valid(v, false, false, n) &&
			      phys_width_cr3_valid(v, false, true, n),
			      "N=%u bit %u outside IA-32e", n, b);
		}
		/* Bit N-1 with the no-invalidate flag; PCID 0xfff. */
		assert_true(phys_width_cr3_valid(BIT(63) | BIT(n - 1) | 0xfff,
						 true, true, n));
		assert_false(phys_width_cr3_valid(BIT(63) | BIT(n) | 0xfff,
						  true, true, n));
		assert_false(phys_width_cr3_valid(BIT(63) | BIT(n - 1), true,
						  false, n));
	}
	assert_true(phys_width_cr3_valid(~0ULL, false, false, 36));
	assert_false(phys_width_cr3_valid(~0ULL, true, true, 52));

	/* Stored values. */
	assert_int_equal(phys_width_cr3_stored(BIT(63) | 0x12345678000ULL |
					       0x123, true, true),
			 0x12345678000ULL | 0x123);
	assert_int_equal(phys_width_cr3_stored(0x800000001000ULL, true, true),
			 0x800000001000ULL);
	assert_int_equal(phys_width_cr3_stored(0xfff123456018ULL, true, false),
			 0xfff123456018ULL);
	assert_int_equal(phys_width_cr3_stored(BIT(63) | 0xabcdef018ULL, false,
					       false),
			 0xbcdef018ULL);
	assert_int_equal(phys_width_cr3_stored(BIT(63) | 0xabcdef018ULL, false,
					       true),
			 0xbcdef018ULL);
	assert_int_equal(phys_width_cr3_stored(~0ULL, false, false),
			 0xffffffffULL);
}

/* ------------------------------------------------------- PAE PDPTEs */

/* SDM 4.4.1, Table 4-8: reserved 2:1, 8:5, 63:N; only when present. */
static void test_pdpte_valid(void **state)
{
	static const unsigned widths[] = { 36, 40, 52 };

	(void)state;
	for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
		unsigned n = widths[w];

		assert_true(phys_width_pdpte_valid(~P, n));
		assert_true(phys_width_pdpte_valid(0, n));
		assert_false(phys_width_pdpte_valid(~0ULL, n));
		for (unsigned b = 1; b < 64; b++) {
			bool reserved = b == 1 || b == 2 ||
					(b >= 5 && b <= 8) || b >= n;

			CHECK(phys_width_pdpte_valid(P | BIT(b), n) == !reserved,
			      "N=%u bit %u", n, b);
			CHECK(phys_width_pdpte_valid(BIT(b), n),
			      "N=%u bit %u, not present", n, b);
		}
		/* Every address bit below N, PWT, PCD, ignored 11:9. */
		assert_true(phys_width_pdpte_valid(
			(BIT(n) - 0x1000) | 0xe18 | P, n));
	}
}

/* -------------------------------------------------------------- MSRs */

static void test_msr_checked(void **state)
{
	unsigned n = 0;

	(void)state;
	assert_true(phys_width_msr_checked(0x1b));
	assert_true(phys_width_msr_checked(0x200));
	assert_true(phys_width_msr_checked(0x201));
	assert_true(phys_width_msr_checked(0x212));
	assert_true(phys_width_msr_checked(0x213));
	assert_false(phys_width_msr_checked(0x1a));
	assert_false(phys_width_msr_checked(0x1c));
	assert_false(phys_width_msr_checked(0x1ff));
	assert_false(phys_width_msr_checked(0x214));
	assert_false(phys_width_msr_checked(0x250)); /* MTRR_FIX64K_00000 */
	assert_false(phys_width_msr_checked(0x2ff)); /* MTRR_DEF_TYPE */
	assert_false(phys_width_msr_checked(0x800 + 0x1b));
	assert_false(phys_width_msr_checked(0x4000001b));
	assert_false(phys_width_msr_checked(0xc000001bu));
	assert_false(phys_width_msr_checked(0xc0000200u));
	assert_false(phys_width_msr_checked(0xffffffffu));
	for (uint32_t msr = 0; msr <= 0x2000; msr++)
		n += phys_width_msr_checked(msr);
	assert_int_equal(n, 1 + 20);
}

static void test_msr_valid(void **state)
{
	static const uint32_t checked[] = { 0x1b, 0x200, 0x207, 0x20e, 0x213 };
	static const uint32_t unchecked[] = { 0x1a, 0x1c, 0x1ff, 0x214 };
	static const unsigned widths[] = { 36, 39 };

	(void)state;
	for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
		unsigned n = widths[w];

		for (unsigned i = 0; i < ARRAY_SIZE(checked); i++) {
			uint32_t msr = checked[i];

			for (unsigned b = 0; b < 64; b++)
				CHECK(phys_width_msr_valid(msr, BIT(b), n) ==
				      (b < n), "MSR %#x N=%u bit %u", msr, n, b);
			assert_true(phys_width_msr_valid(msr, BIT(n) - 1, n));
			assert_false(phys_width_msr_valid(msr, BIT(n) |
							  0xfee00900, n));
			assert_true(phys_width_msr_valid(msr, 0, n));
		}
		for (unsigned i = 0; i < ARRAY_SIZE(unchecked); i++) {
			assert_true(phys_width_msr_valid(unchecked[i], ~0ULL, n));
			assert_true(phys_width_msr_valid(unchecked[i], BIT(n), n));
		}
	}
	/* The usual IA32_APIC_BASE value (0xfee00000, BSP, enabled). */
	assert_true(phys_width_msr_valid(0x1b, 0xfee00900, 36));
	assert_false(phys_width_msr_valid(0x1b, 0xf00fee00900ULL, 36));
	assert_true(phys_width_msr_valid(0x1b, 0xf00fee00900ULL, 44));
}

/* What a guest of width N reads: PHYSMASKn loses its bits [N, host);
 * PHYSBASEn within N and APIC_BASE read as they are. (MTRR writes never
 * reach the CPU: vmx/mtrr.c keeps the guest's copy.) */
static void test_msr_read_write_views(void **state)
{
	const uint64_t mask40 = 0xffc0000800ULL; /* 1 GiB range, valid bit */

	(void)state;
	assert_int_equal(phys_width_msr_read(0x201, mask40, 36), 0xfc0000800ULL);
	assert_int_equal(phys_width_msr_read(0x201, mask40, 40), mask40);
	assert_int_equal(phys_width_msr_read(0x200, 0x80000006ULL | (1ULL << 38), 36),
			 0x80000006ULL);
	assert_int_equal(phys_width_msr_read(0x1b, 0xfee00900ULL, 36), 0xfee00900ULL);
	assert_int_equal(phys_width_msr_read(0x10, ~0ULL, 36), ~0ULL); /* not checked */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_intercept_for),
		cmocka_unit_test(test_pf_intercept_exits_rule),
		cmocka_unit_test(test_access_from_pfec),
		cmocka_unit_test(test_rsvd_every_level_size_access_bit),
		cmocka_unit_test(test_ignored_high_bits),
		cmocka_unit_test(test_xd_reserved_without_nxe),
		cmocka_unit_test(test_protection_vs_rsvd),
		cmocka_unit_test(test_not_present_ignores_high_bits),
		cmocka_unit_test(test_rsvd_fault_other_outcomes),
		cmocka_unit_test(test_pae_entries),
		cmocka_unit_test(test_pae_pdpte),
		cmocka_unit_test(test_pse36),
		cmocka_unit_test(test_cr3),
		cmocka_unit_test(test_pdpte_valid),
		cmocka_unit_test(test_msr_checked),
		cmocka_unit_test(test_msr_valid),
		cmocka_unit_test(test_msr_read_write_views),
	};

	return cmocka_run_group_tests_name("phys_width", tests, NULL, NULL);
}
