/* Guest page-table walker: one guest-linear address in, the guest-physical
 * address or the exact #PF error code out, as an Intel 64 CPU with the given
 * MAXPHYADDR would produce (Intel SDM Vol. 3A chapter 4). Pure and read-only:
 * it never sets accessed/dirty flags (SDM 4.8), see mm/guest_walk.h.
 *
 * Order of checks, as the CPU does it (SDM 4.7):
 *   1. walk the paging structures top-down; at each entry:
 *      a. P = 0: #PF with P = 0 (reserved bits of a not-present entry are
 *         not checked, so RSVD = 1 implies P = 1);
 *      b. a reserved bit set: #PF with RSVD = 1, P = 1;
 *   2. with the translation, check the access against the rights combined
 *      over every entry that controls it (SDM 4.6): #PF with P = 1.
 * W/R, U/S and I/D describe the access, not the rights (SDM 4.7), so every
 * #PF carries them; PK is set only by a protection-key denial in step 2.
 *
 * CR3 reserved bits are checked by MOV to CR3 (and VM entry), not by a
 * walk: this walker does not check them, it only uses the address bits. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/guest_walk.h"

#define BIT(n) (1ULL << (n))

/* Paging-structure entry bits common to every mode (SDM 4.3-4.5 tables). */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)

#define SIZE_4K (1ULL << 12)
#define SIZE_4M (1ULL << 22)

/* SDM 4.1.4: MAXPHYADDR is at most 52; 32 is the least a CPU reports. */
#define GW_MIN_MAXPHYADDR 32
#define GW_MAX_MAXPHYADDR 52

/* SDM 4.3, Table 4-4: with PSE-36, M = min(MAXPHYADDR, 40). */
#define PSE36_MAX_BITS 40

/* Bits hi..lo set; 0 when hi < lo. hi must be <= 63. */
static uint64_t bit_range(unsigned hi, unsigned lo)
{
	if (hi < lo || hi > 63)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/* ------------------------------------------------------------------ modes */

/* SDM 4.1.1 and Table 4-1. The combinations a CPU can never be in are
 * GW_MODE_INVALID: CR0.PG = 1 with CR0.PE = 0 (MOV to CR0 raises #GP, SDM
 * 2.5 "CR0.PG"), and EFER.LMA = 1 without both CR0.PG = 1 and CR4.PAE = 1
 * (LMA is LME AND PG, and PAE cannot be cleared in IA-32e mode: SDM
 * "Initializing IA-32e Mode"; VM entry checks the same). CR4.LA57 only
 * matters with LMA = 1 (Table 4-1). */
enum gw_mode gw_get_mode(const struct gw_state *st)
{
	bool pg, pae, lma;

	if (!st)
		return GW_MODE_INVALID;
	pg = st->cr0 & GW_CR0_PG;
	pae = st->cr4 & GW_CR4_PAE;
	lma = st->efer & GW_EFER_LMA;
	if (!pg)
		return lma ? GW_MODE_INVALID : GW_MODE_NONE;
	if (!(st->cr0 & GW_CR0_PE))
		return GW_MODE_INVALID;
	if (!pae)
		return lma ? GW_MODE_INVALID : GW_MODE_32BIT;
	if (!lma)
		return GW_MODE_PAE;
	return (st->cr4 & GW_CR4_LA57) ? GW_MODE_5LEVEL : GW_MODE_4LEVEL;
}

const char *gw_mode_name(const struct gw_state *st)
{
	switch (gw_get_mode(st)) {
	case GW_MODE_NONE:
		return "none";
	case GW_MODE_32BIT:
		return "32-bit";
	case GW_MODE_PAE:
		return "PAE";
	case GW_MODE_4LEVEL:
		return "4-level";
	case GW_MODE_5LEVEL:
		return "5-level";
	case GW_MODE_INVALID:
		break;
	}
	return "invalid";
}

/* ------------------------------------------------------------ walk state */

struct walk {
	const struct gw_state *st;
	enum gw_mode mode;
	uint64_t la;          /* truncated to 32 bits outside IA-32e mode */
	gw_read_fn rd;
	void *ctx;
	struct gw_result *out;
	unsigned m;           /* MAXPHYADDR */
	bool write, fetch;
	bool implicit;        /* implicit supervisor-mode access */
	bool user_access;     /* CPL = 3 and not implicit (SDM 4.6) */
	uint32_t pfec_access; /* W/R, U/S, I/D: describe the access (4.7) */
	/* Rights combined over the entries controlling the translation. */
	bool all_rw, all_us, any_xd;
};

static bool long_mode(const struct walk *w)
{
	return w->mode == GW_MODE_4LEVEL || w->mode == GW_MODE_5LEVEL;
}

static bool nxe(const struct walk *w)
{
	return w->st->efer & GW_EFER_NXE;
}

/* SDM 4.7: W/R = 1 for a write; U/S = 1 for a user-mode access; I/D = 1 for
 * an instruction fetch if CR4.SMEP = 1 or (CR4.PAE = 1 and EFER.NXE = 1).
 * All three describe the access, whatever the cause of the fault. */
static uint32_t access_pfec(const struct walk *w)
{
	const struct gw_state *st = w->st;
	uint32_t pfec = 0;

	if (w->write)
		pfec |= PFEC_W;
	if (w->user_access)
		pfec |= PFEC_U;
	if (w->fetch && ((st->cr4 & GW_CR4_SMEP) ||
			 ((st->cr4 & GW_CR4_PAE) && nxe(w))))
		pfec |= PFEC_I;
	return pfec;
}

static void page_fault(struct walk *w, unsigned level, uint32_t cause)
{
	w->out->status = GW_PAGE_FAULT;
	w->out->pfec = cause | w->pfec_access;
	w->out->fault_level = level;
}

static void record_entry(struct walk *w, uint64_t gpa, uint64_t val)
{
	struct gw_result *out = w->out;

	if (out->nentries < ARRAY_SIZE(out->entry)) {
		out->entry_gpa[out->nentries] = gpa;
		out->entry[out->nentries] = val;
		out->nentries++;
	}
}

/* Reads the entry of the given level; a failed read ends the walk with
 * GW_ABORT (not a #PF: e.g. an EPT violation or no guest RAM there). */
static bool read_entry(struct walk *w, unsigned level, uint64_t gpa,
		       unsigned size, uint64_t *val)
{
	uint64_t v = 0;

	if (w->rd(w->ctx, gpa, size, &v) != 0) {
		w->out->status = GW_ABORT;
		w->out->abort_gpa = gpa;
		w->out->fault_level = level;
		return false;
	}
	if (size == 4)
		v &= 0xffffffffULL;
	record_entry(w, gpa, v);
	*val = v;
	return true;
}

/* SDM 4.7: a not-present entry faults with P = 0 and its reserved bits are
 * not checked; a present one with a reserved bit set faults with RSVD = 1
 * and P = 1. True when the walk may go on. */
static bool check_entry(struct walk *w, unsigned level, uint64_t e,
			uint64_t reserved)
{
	if (!(e & PTE_P)) {
		page_fault(w, level, 0);
		return false;
	}
	if (e & reserved) {
		page_fault(w, level, PFEC_RSVD | PFEC_P);
		return false;
	}
	return true;
}

/* SDM 4.6.1: a translation is writable / user-mode / executable only if
 * R/W = 1 / U/S = 1 / XD = 0 in every paging-structure entry controlling it.
 * XD exists only outside 32-bit paging and with EFER.NXE = 1 (otherwise
 * bit 63 is reserved or, in 32-bit paging, absent). */
static void take_rights(struct walk *w, uint64_t e)
{
	w->all_rw = w->all_rw && (e & PTE_RW);
	w->all_us = w->all_us && (e & PTE_US);
	if (w->mode != GW_MODE_32BIT && nxe(w) && (e & PTE_XD))
		w->any_xd = true;
}

/* ------------------------------------------------------- access rights */

/* SDM 4.6.1, user-mode accesses: none to supervisor-mode addresses; writes
 * need R/W = 1 everywhere (whatever CR0.WP); fetches need XD = 0. SMEP and
 * SMAP concern supervisor-mode accesses only. */
static bool user_access_denied(const struct walk *w)
{
	if (!w->all_us)
		return true;
	if (w->write)
		return !w->all_rw;
	if (w->fetch)
		return w->any_xd;
	return false;
}

/* SDM 4.6.1, supervisor-mode instruction fetches: none from user-mode
 * addresses when CR4.SMEP = 1; otherwise XD = 0 is needed (with NXE). SMAP
 * does not apply to fetches. */
static bool supervisor_fetch_denied(const struct walk *w)
{
	if (w->all_us && (w->st->cr4 & GW_CR4_SMEP))
		return true;
	return w->any_xd;
}

/* SDM 4.6.1, supervisor-mode data accesses:
 * - to user-mode addresses with CR4.SMAP = 1: allowed only for explicit
 *   accesses with RFLAGS.AC = 1 (implicit ones, e.g. GDT/IDT/TSS reads, are
 *   denied whatever AC is);
 * - writes need R/W = 1 everywhere only when CR0.WP = 1 (to supervisor- and
 *   user-mode addresses alike); with WP = 0 any write is allowed (SMAP and
 *   protection keys aside). */
static bool supervisor_data_denied(const struct walk *w)
{
	const struct gw_state *st = w->st;

	if (w->all_us && (st->cr4 & GW_CR4_SMAP) &&
	    (w->implicit || !(st->rflags & GW_RFLAGS_AC)))
		return true;
	return w->write && !w->all_rw && (st->cr0 & GW_CR0_WP);
}

/* SDM 4.6.2 and 4.7 (PK flag). Only 4-level/5-level paging, only data
 * accesses. A user-mode address (U/S = 1 everywhere) uses PKRU when
 * CR4.PKE = 1, a supervisor-mode address uses IA32_PKRS when CR4.PKS = 1;
 * the key is bits 62:59 of the leaf entry. ADi = 1 denies every data access;
 * WDi = 1 denies writes by user-mode accesses, and by supervisor-mode
 * accesses only when CR0.WP = 1. The register is chosen by the address, not
 * the access: a supervisor access to a user page is subject to PKRU. */
static bool pkey_denied(const struct walk *w, unsigned key)
{
	const struct gw_state *st = w->st;
	uint32_t pkr;

	if (w->fetch || !long_mode(w))
		return false;
	if (w->all_us) {
		if (!(st->cr4 & GW_CR4_PKE))
			return false;
		pkr = st->pkru;
	} else {
		if (!(st->cr4 & GW_CR4_PKS))
			return false;
		pkr = st->pkrs;
	}
	if ((pkr >> (2 * key)) & 1)
		return true;
	return w->write && ((pkr >> (2 * key + 1)) & 1) &&
	       ((st->cr0 & GW_CR0_WP) || w->user_access);
}

/* The translation exists: record it and check the access (SDM 4.6). A
 * protection-key denial sets PK (SDM 4.7) even when the page-level rights
 * deny the access too: the PK conditions of 4.7 do not depend on them. */
static void translated(struct walk *w, uint64_t frame, uint64_t size,
		       uint64_t leaf)
{
	struct gw_result *out = w->out;
	bool denied, pk_denied;

	out->gpa = frame | (w->la & (size - 1));
	out->page_size = size;
	out->writable = w->all_rw;
	out->user = w->all_us;
	out->executable = !w->any_xd;
	if (long_mode(w))
		out->pkey = (unsigned)((leaf >> 59) & 0xf);

	if (w->user_access)
		denied = user_access_denied(w);
	else if (w->fetch)
		denied = supervisor_fetch_denied(w);
	else
		denied = supervisor_data_denied(w);
	pk_denied = pkey_denied(w, out->pkey);

	if (pk_denied)
		page_fault(w, 0, PFEC_P | PFEC_PK);
	else if (denied)
		page_fault(w, 0, PFEC_P);
	else
		out->status = GW_OK;
}

/* ------------------------------------------------------ 32-bit paging */

/* SDM 4.3. CR3[31:12] locates the page directory (Table 4-3); entries are
 * 4 bytes. With CR4.PSE = 1 a PDE with PS = 1 maps a 4-MByte page (Table
 * 4-4): bits 31:22 are address bits 31:22, bits (M-20):13 are address bits
 * (M-1):32 (PSE-36) and bits 21:(M-19) are reserved, M = min(MAXPHYADDR, 40).
 * Otherwise PS is ignored and the PDE references a page table (Table 4-5).
 * PDEs for page tables and PTEs (Table 4-6) have no reserved bits. */
static void walk_32bit(struct walk *w)
{
	const struct gw_state *st = w->st;
	unsigned m = w->m < PSE36_MAX_BITS ? w->m : PSE36_MAX_BITS;
	uint64_t pde_gpa, pte_gpa, pde, pte, frame;

	pde_gpa = (st->cr3 & 0xfffff000ULL) | (((w->la >> 22) & 0x3ff) << 2);
	if (!read_entry(w, 2, pde_gpa, 4, &pde))
		return;
	if ((st->cr4 & GW_CR4_PSE) && (pde & PTE_PS)) {
		if (!check_entry(w, 2, pde, bit_range(21, m - 19)))
			return;
		take_rights(w, pde);
		frame = (pde & 0xffc00000ULL) |
			((pde & bit_range(20, 13)) << (32 - 13));
		translated(w, frame, SIZE_4M, pde);
		return;
	}
	if (!check_entry(w, 2, pde, 0))
		return;
	take_rights(w, pde);

	pte_gpa = (pde & 0xfffff000ULL) | (((w->la >> 12) & 0x3ff) << 2);
	if (!read_entry(w, 1, pte_gpa, 4, &pte))
		return;
	if (!check_entry(w, 1, pte, 0))
		return;
	take_rights(w, pte);
	translated(w, pte & 0xfffff000ULL, SIZE_4K, pte);
}

/* ------------------------------- PAE, 4-level and 5-level paging tables */

/* Reserved bits of a present 8-byte entry below the PAE PDPT (SDM 4.4.2,
 * Tables 4-9..4-11) or at any level of 4-level/5-level paging (SDM 4.5,
 * Tables 4-14..4-20 and the reserved-bit list at the end of 4.5):
 * - PAE: bits 62:MAXPHYADDR (PAE entries have no ignored high bits);
 *   4/5-level: bits 51:MAXPHYADDR (62:52 are ignored or protection key);
 * - bit 63 (XD) when EFER.NXE = 0;
 * - PML5E and PML4E: PS (bit 7);
 * - PDPTE with PS = 1: PS itself without 1-GByte page support, else bits
 *   29:13 (the 1-GByte page address starts at bit 30; bit 12 is PAT);
 * - PDE with PS = 1: bits 20:13 (the 2-MByte page address starts at 21). */
static uint64_t reserved_bits(const struct walk *w, unsigned level,
			      uint64_t e)
{
	uint64_t r;

	if (w->mode == GW_MODE_PAE)
		r = bit_range(62, w->m);
	else
		r = bit_range(51, w->m);
	if (!nxe(w))
		r |= PTE_XD;
	switch (level) {
	case 5:
	case 4:
		r |= PTE_PS;
		break;
	case 3:
		if (e & PTE_PS)
			r |= w->st->page_1g ? bit_range(29, 13) : PTE_PS;
		break;
	case 2:
		if (e & PTE_PS)
			r |= bit_range(20, 13);
		break;
	default:
		break;
	}
	return r;
}

/* Walks from the table at guest-physical table, whose entries are of level
 * top, down to the leaf: a PTE, or a PDE/PDPTE with PS = 1 (only reached
 * when PS is not reserved). Each level indexes with 9 bits of la, starting
 * at bit 12 + 9 * (level - 1) (SDM 4.4.2, 4.5). */
static void walk_tables(struct walk *w, uint64_t table, unsigned top)
{
	for (unsigned level = top; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t gpa = table + (((w->la >> shift) & 0x1ff) << 3);
		uint64_t e;

		if (!read_entry(w, level, gpa, 8, &e))
			return;
		if (!check_entry(w, level, e, reserved_bits(w, level, e)))
			return;
		take_rights(w, e);
		if (level == 1 || (e & PTE_PS)) {
			translated(w, e & bit_range(w->m - 1, shift),
				   1ULL << shift, e);
			return;
		}
		table = e & bit_range(w->m - 1, 12);
	}
}

/* ------------------------------------------------------------ PAE paging */

/* SDM 4.4.1, Table 4-8: a PDPTE has bits 2:1, 8:5 and 63:MAXPHYADDR
 * reserved and no R/W, U/S or XD: PDPTEs never restrict access rights. */
uint64_t gw_pae_pdpte_reserved_bits(unsigned maxphyaddr)
{
	return bit_range(2, 1) | bit_range(8, 5) | bit_range(63, maxphyaddr);
}

static uint64_t pdpte_reserved_bits(const struct walk *w)
{
	return gw_pae_pdpte_reserved_bits(w->m);
}

/* SDM 4.4. CR3[31:5] locates the 32-byte PDPT (Table 4-7); la[31:30]
 * selects one of its four PDPTEs.
 *
 * A real CPU loads the four PDPTEs into registers when CR3 is loaded (or
 * CR0/CR4 change the paging mode, SDM 4.4.1) and raises #GP then if a present
 * one has reserved bits; it does not re-read them on a walk. Reading them
 * from memory (use_pdptes = false) gives a different result if the guest
 * changed them after loading CR3: callers that have the PDPTE registers
 * (e.g. the VMCS guest PDPTE fields when EPT is in use) should pass them.
 * Reserved bits in the PDPTE used are reported as a #PF with RSVD|P and
 * pdpte_invalid set (the CPU could not be in that state); only that PDPTE is
 * checked, not the other three. */
static void walk_pae(struct walk *w)
{
	unsigned idx = (unsigned)((w->la >> 30) & 3);
	uint64_t pdpte_gpa = (w->st->cr3 & 0xffffffe0ULL) + 8ULL * idx;
	uint64_t pdpte, reserved = pdpte_reserved_bits(w);

	if (w->st->use_pdptes) {
		pdpte = w->st->pdptes[idx];
		record_entry(w, pdpte_gpa, pdpte);
	} else if (!read_entry(w, 3, pdpte_gpa, 8, &pdpte)) {
		return;
	}
	if ((pdpte & PTE_P) && (pdpte & reserved))
		w->out->pdpte_invalid = true;
	if (!check_entry(w, 3, pdpte, reserved))
		return;
	walk_tables(w, pdpte & bit_range(w->m - 1, 12), 2);
}

/* ------------------------------------------------ 4-level/5-level paging */

/* SDM 4.5 (and Vol. 1 3.3.7.1 "Canonical Addressing"): with 4-level paging bits
 * 63:47 of la must be equal, with 5-level paging bits 63:56. A
 * non-canonical address raises #GP (or #SS), not #PF: GW_ABORT. */
static bool canonical(uint64_t la, unsigned la_bits)
{
	uint64_t top = la >> (la_bits - 1);

	return top == 0 || top == (~0ULL >> (la_bits - 1));
}

/* SDM 4.5: CR3 bits MAXPHYADDR-1:12 locate the PML4 (4-level) or the PML5
 * (5-level) table (Table 4-12/4-13; the low 12 bits are flags or PCID). */
static void walk_long(struct walk *w)
{
	unsigned top = w->mode == GW_MODE_5LEVEL ? 5 : 4;
	unsigned la_bits = w->mode == GW_MODE_5LEVEL ? 57 : 48;

	if (!canonical(w->la, la_bits)) {
		w->out->status = GW_ABORT;
		w->out->non_canonical = true;
		return;
	}
	walk_tables(w, w->st->cr3 & bit_range(w->m - 1, 12), top);
}

/* ---------------------------------------------------------------- entry */

static bool access_valid(unsigned access)
{
	unsigned kind = access & GW_ACCESS_KIND_MASK;

	if (access & ~(GW_ACCESS_KIND_MASK | GW_IMPLICIT_SUPERVISOR))
		return false;
	if (kind != GW_READ && kind != GW_WRITE && kind != GW_FETCH)
		return false;
	/* Implicit supervisor-mode accesses are data accesses (SDM 4.6). */
	return !(kind == GW_FETCH && (access & GW_IMPLICIT_SUPERVISOR));
}

static bool state_valid(const struct gw_state *st)
{
	return st->maxphyaddr >= GW_MIN_MAXPHYADDR &&
	       st->maxphyaddr <= GW_MAX_MAXPHYADDR && st->cpl <= 3 &&
	       gw_get_mode(st) != GW_MODE_INVALID;
}

static void walk_init(struct walk *w, const struct gw_state *st, uint64_t la,
		      unsigned access, gw_read_fn rd, void *ctx,
		      struct gw_result *out)
{
	unsigned kind = access & GW_ACCESS_KIND_MASK;

	w->st = st;
	w->mode = gw_get_mode(st);
	/* SDM 4.1.1, Table 4-1: outside IA-32e mode linear addresses are
	 * 32 bits wide. */
	w->la = long_mode(w) ? la : (la & 0xffffffffULL);
	w->rd = rd;
	w->ctx = ctx;
	w->out = out;
	w->m = st->maxphyaddr;
	w->write = kind == GW_WRITE;
	w->fetch = kind == GW_FETCH;
	w->implicit = access & GW_IMPLICIT_SUPERVISOR;
	/* SDM 4.6: CPL = 3 accesses are user-mode, except implicit ones. */
	w->user_access = st->cpl == 3 && !w->implicit;
	w->pfec_access = access_pfec(w);
	w->all_rw = true;
	w->all_us = true;
	w->any_xd = false;
}

void guest_walk(const struct gw_state *st, uint64_t la, unsigned access,
		gw_read_fn rd, void *ctx, struct gw_result *out)
{
	struct walk w;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!st || !rd || !access_valid(access) || !state_valid(st)) {
		out->status = GW_ABORT;
		out->bad_input = true;
		return;
	}
	walk_init(&w, st, la, access, rd, ctx, out);

	switch (w.mode) {
	case GW_MODE_NONE:
		/* SDM 4.1.1: no paging, the linear address is the physical
		 * address and nothing is checked. */
		out->status = GW_OK;
		out->gpa = w.la;
		out->page_size = SIZE_4K;
		out->writable = out->user = out->executable = true;
		break;
	case GW_MODE_32BIT:
		walk_32bit(&w);
		break;
	case GW_MODE_PAE:
		walk_pae(&w);
		break;
	case GW_MODE_4LEVEL:
	case GW_MODE_5LEVEL:
		walk_long(&w);
		break;
	case GW_MODE_INVALID:
		out->status = GW_ABORT;
		out->bad_input = true;
		break;
	}
}

uint64_t gw_ad_bits(const struct gw_state *st, const struct gw_result *r,
		    unsigned i, bool write, unsigned *size)
{
	enum gw_mode mode = gw_get_mode(st);
	uint64_t bits = BIT(5);

	*size = mode == GW_MODE_32BIT ? 4 : 8;
	if (r->status != GW_OK || i >= r->nentries)
		return 0;
	/* walk_pae() records the PDPTE first. */
	if (mode == GW_MODE_PAE && i == 0)
		return 0;
	if (write && i + 1 == r->nentries)
		bits |= BIT(6);
	return bits;
}
