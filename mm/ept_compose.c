/* Shadow EPT composition: walk L1's EPT12 as the CPU would, then compose
 * the EPT02 leaf with EPT01. See mm/ept_compose.h for the SDM sections (the
 * numbering of the editions with the EPT chapter as 28). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/ept_compose.h"

#define ENTRIES_PER_TABLE 512u
/* Bits 51:12 of an entry: next table or page (28.2.2). */
#define ADDR_MASK 0x000ffffffffff000ULL
#define MT_SHIFT 3
#define MT_MASK (7ULL << MT_SHIFT)
#define IPAT (1ULL << 6)
#define PS (1ULL << 7)
/* Reserved bits that do not depend on MAXPHYADDR (28.2.2, Tables 28-1 to
 * 28-6; a PML5E has the PML4E format). */
#define RSVD_TOP 0xf8ULL          /* bits 7:3 of a PML5E / PML4E */
#define RSVD_NONLEAF 0x78ULL      /* bits 6:3 of a non-leaf PDPTE / PDE */
/* Bits 29:12 / 20:12 of a large leaf. Bochs' walker (read, not run)
 * seems to skip bit 12 there, as if it were the IA-32 PAT bit: we follow
 * the SDM. */
#define RSVD_1G 0x3ffff000ULL     /* bits 29:12 of a 1 GiB PDPTE */
#define RSVD_2M 0x1ff000ULL       /* bits 20:12 of a 2 MiB PDE */

/* EPTP (24.6.11): bits 2:0 memory type, 5:3 walk length - 1, bit 6 A/D
 * enable, bits 11:7 reserved here (bit 7 is the supervisor-shadow-stack
 * control, not shown to L1), N-1:12 the top table. */
#define EPTP_MT_MASK 7ULL
#define EPTP_PWL_SHIFT 3
#define EPTP_PWL_MASK (7ULL << EPTP_PWL_SHIFT)
#define EPTP_AD (1ULL << 6)
#define EPTP_RSVD_LOW 0xf80ULL

/* IA32_VMX_EPT_VPID_CAP bit 7, page-walk length 5 (A.10); the other bits
 * are read as for EPT01 (mm/ept.c ept_caps_from_msr()). */
#define CAP_WALK5 (1ULL << 7)

struct ept12_caps ept12_caps_from_msr(uint64_t cap, unsigned maxphyaddr)
{
	struct ept_caps h = ept_caps_from_msr(cap, maxphyaddr);
	struct ept12_caps c = {
		.exec_only = h.exec_only,
		.walk4 = h.walk4,
		.walk5 = cap & CAP_WALK5,
		.mt_uc = h.mt_uc,
		.mt_wb = h.mt_wb,
		.page_2m = h.page_2m,
		.page_1g = h.page_1g,
		.ad = h.ad,
		.maxphyaddr = h.maxphyaddr,
	};

	return c;
}

/* Vol. 3A 4.1.4: MAXPHYADDR is at most 52; 32 is the least we accept (as
 * mm/ept.c). */
static bool maxphyaddr_ok(unsigned m)
{
	return m >= 32 && m <= 52;
}

static uint64_t below(unsigned bits)
{
	return (1ULL << bits) - 1;
}

/* 28.2.3.1: memory types 2, 3 and 7 are reserved. */
static bool memtype_ok(unsigned mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT ||
	       mt == EPT_MT_WP || mt == EPT_MT_WB;
}

static void set_why(const char **why, const char *s)
{
	if (why)
		*why = s;
}

bool ept12_eptp_valid(const struct ept12_caps *caps, uint64_t eptp,
		      const char **why)
{
	uint64_t mt = eptp & EPTP_MT_MASK;
	uint64_t pwl = (eptp & EPTP_PWL_MASK) >> EPTP_PWL_SHIFT;

	if (!caps || !maxphyaddr_ok(caps->maxphyaddr)) {
		set_why(why, "bad capabilities");
		return false;
	}
	/* 26.2.1.1: "the EPT memory type (bits 2:0) must be a value
	 * supported by the processor as indicated in IA32_VMX_EPT_VPID_CAP"
	 * (A.10: bit 8 UC = 0, bit 14 WB = 6). */
	if (!((mt == EPT_MT_UC && caps->mt_uc) ||
	      (mt == EPT_MT_WB && caps->mt_wb))) {
		set_why(why, "EPTP memory type not supported");
		return false;
	}
	/* 26.2.1.1: bits 5:3 (walk length - 1) must be 3, or 4 where 5-level
	 * EPT is supported (A.10 bits 6, 7). */
	if (!((pwl == 3 && caps->walk4) || (pwl == 4 && caps->walk5))) {
		set_why(why, "EPTP page-walk length not supported");
		return false;
	}
	/* 26.2.1.1: bit 6 must be 0 without A/D support (A.10 bit 21). */
	if ((eptp & EPTP_AD) && !caps->ad) {
		set_why(why, "EPTP A/D enable without A/D support");
		return false;
	}
	/* 26.2.1.1: reserved bits 11:7 and 63:N must be 0. */
	if (eptp & EPTP_RSVD_LOW) {
		set_why(why, "EPTP reserved bits 11:7 set");
		return false;
	}
	if (eptp & ~below(caps->maxphyaddr)) {
		set_why(why, "EPTP bits above MAXPHYADDR set");
		return false;
	}
	set_why(why, NULL);
	return true;
}

/* ------------------------------------------------------------------------
 * Entries (28.2.2).
 * ------------------------------------------------------------------------ */

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (level - 1);
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> level_shift(level)) & (ENTRIES_PER_TABLE - 1));
}

/* A PTE is always a leaf; a PDPTE or PDE is one with bit 7 set. Bit 7 of a
 * PML4E / PML5E is reserved (checked before this is asked). */
static bool is_leaf(uint64_t ent, unsigned level)
{
	return level == 1 || ((level == 2 || level == 3) && (ent & PS));
}

/* The misconfiguration in a present entry's reserved bits (28.2.2 entry
 * formats, 28.2.3.1), EPT12_MC_NONE if none. */
static enum ept12_misconfig reserved(const struct ept12_caps *caps,
				     uint64_t ent, unsigned level,
				     const char **why)
{
	/* "a bit in the range 51:12 that is beyond the logical processor's
	 * physical-address width" */
	if (ent & ADDR_MASK & ~below(caps->maxphyaddr)) {
		*why = "address bit at or above MAXPHYADDR set";
		return EPT12_MC_RSVD_ADDR;
	}
	switch (level) {
	case 5:
	case 4:
		if (ent & RSVD_TOP) {
			*why = "reserved bits 7:3 set in PML5E/PML4E";
			return EPT12_MC_RSVD_BITS;
		}
		break;
	case 3:
		/* A.10 bit 17: only then may a PDPTE map a 1 GiB page. */
		if ((ent & PS) && !caps->page_1g) {
			*why = "1 GiB page not supported";
			return EPT12_MC_LARGE_PAGE;
		}
		if ((ent & PS) && (ent & RSVD_1G)) {
			*why = "reserved bits 29:12 set in 1 GiB PDPTE";
			return EPT12_MC_RSVD_BITS;
		}
		if (!(ent & PS) && (ent & RSVD_NONLEAF)) {
			*why = "reserved bits 6:3 set in non-leaf PDPTE";
			return EPT12_MC_RSVD_BITS;
		}
		break;
	case 2:
		/* A.10 bit 16: only then may a PDE map a 2 MiB page. */
		if ((ent & PS) && !caps->page_2m) {
			*why = "2 MiB page not supported";
			return EPT12_MC_LARGE_PAGE;
		}
		if ((ent & PS) && (ent & RSVD_2M)) {
			*why = "reserved bits 20:12 set in 2 MiB PDE";
			return EPT12_MC_RSVD_BITS;
		}
		if (!(ent & PS) && (ent & RSVD_NONLEAF)) {
			*why = "reserved bits 6:3 set in non-leaf PDE";
			return EPT12_MC_RSVD_BITS;
		}
		break;
	}
	/* 28.2.3.1: the last entry used (a PTE, or a PDPTE / PDE with bit 7
	 * set) with memory type 2, 3 or 7. */
	if (is_leaf(ent, level) &&
	    !memtype_ok((unsigned)((ent & MT_MASK) >> MT_SHIFT))) {
		*why = "reserved leaf memory type (2, 3 or 7)";
		return EPT12_MC_MEMTYPE;
	}
	return EPT12_MC_NONE;
}

/* 28.2.3.1 in its order: bits 2:0 = 010b/110b, 100b without execute-only;
 * then (only for a present entry, 28.2.2: any of bits 2:0 set) reserved
 * bits and the leaf memory type. */
static enum ept12_misconfig misconfig(const struct ept12_caps *caps,
				      uint64_t ent, unsigned level,
				      const char **why)
{
	unsigned perm = (unsigned)(ent & EPT_RWX);

	if ((perm & EPT_W) && !(perm & EPT_R)) {
		*why = "write access without read access";
		return EPT12_MC_WRITE_NO_READ;
	}
	if (perm == EPT_X && !caps->exec_only) {
		*why = "execute-only not supported";
		return EPT12_MC_EXEC_ONLY;
	}
	if (!perm)
		return EPT12_MC_NONE;
	return reserved(caps, ent, level, why);
}

/* ------------------------------------------------------------------------
 * The walk.
 * ------------------------------------------------------------------------ */

static int bad_input(struct ept12_result *out, const char *why)
{
	out->kind = EPT12_BAD_INPUT;
	out->why = why;
	return -1;
}

/* With EPT A/D enabled the CPU's accesses to guest paging-structure
 * entries are writes (28.2.3.2, 28.2.4); Bochs (and so our reference CPU)
 * then reports the access as a write alone. */
static unsigned effective_access(unsigned access, bool ad)
{
	if ((access & EPT12_ACC_PAGING) && ad)
		return EPT12_ACC_WRITE;
	return access & EPT_RWX;
}

/* 28.2.4: every entry used gets the accessed flag; the leaf gets the dirty
 * flag on a write. Only flags still clear are listed. */
static void ad_updates(struct ept12_result *out, const uint64_t *gpa_of)
{
	bool write = out->access & EPT12_ACC_WRITE;

	out->dirty = out->entry[out->levels_walked - 1] & EPT12_ENTRY_D;
	for (unsigned i = 0; i < out->levels_walked; i++) {
		bool leaf = i == out->levels_walked - 1;
		uint64_t set = EPT12_ENTRY_A;

		if (leaf && write)
			set |= EPT12_ENTRY_D;
		set &= ~out->entry[i];
		if (set) {
			out->ad[out->n_ad].l1_gpa = gpa_of[i];
			out->ad[out->n_ad].set = set;
			out->n_ad++;
		}
	}
	if (write)
		out->dirty = true;
}

static void translated(struct ept12_result *out, uint64_t ent,
		       unsigned level, unsigned perm)
{
	uint64_t off = below(level_shift(level));

	out->kind = EPT12_TRANSLATED;
	out->why = NULL;
	out->l1_gpa = (ent & ADDR_MASK & ~off) | (out->gpa & off);
	out->level = level;
	out->perm = perm;
	out->memtype = (unsigned)((ent & MT_MASK) >> MT_SHIFT);
	out->ipat = ent & IPAT;
}

/* 28.2.3.2 / Table 27-7 bits 0-5: the access, and the AND of bits 2:0 of
 * the entries used. */
static void violation(struct ept12_result *out, unsigned perm,
		      const char *why)
{
	out->kind = EPT12_VIOLATION;
	out->exit_qual = out->access | ((uint64_t)perm << 3);
	out->why = why;
}

int ept12_walk(const struct ept12_caps *caps, uint64_t eptp, uint64_t gpa,
	       unsigned access, ept12_read_fn read, void *ctx,
	       struct ept12_result *out)
{
	uint64_t gpa_of[EPT12_MAX_LEVELS];
	uint64_t table;
	unsigned levels, width, perm = EPT_RWX;
	const char *why = NULL;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	out->gpa = gpa;
	if (!caps || !read)
		return bad_input(out, "missing argument");
	if (!ept12_eptp_valid(caps, eptp, &why))
		return bad_input(out, why);
	if (!(access & EPT_RWX) || (access & ~(EPT_RWX | EPT12_ACC_PAGING)))
		return bad_input(out, "bad access");
	levels = (unsigned)((eptp & EPTP_PWL_MASK) >> EPTP_PWL_SHIFT) + 1;
	/* 28.2.2: a 4-level walk uses bits 47:0 (5-level: 56:0); the CPU
	 * never produces a guest-physical address beyond its MAXPHYADDR (a
	 * #PF comes first), so one beyond either width is the caller's to
	 * handle (mm/phys_width.h), not something to walk. */
	width = level_shift(levels + 1); /* 48 or 57 */
	if (width > caps->maxphyaddr)
		width = caps->maxphyaddr;
	if (gpa > below(width))
		return bad_input(out, "guest-physical address beyond the width");
	out->ad_enabled = eptp & EPTP_AD;
	out->access = effective_access(access, out->ad_enabled);
	table = eptp & ADDR_MASK;

	for (unsigned level = levels; level >= 1; level--) {
		uint64_t at = table + 8ULL * level_index(gpa, level);
		uint64_t ent;
		enum ept12_misconfig mc;

		out->stop_level = level;
		out->entry_gpa = at;
		if (read(ctx, at, &ent)) {
			out->kind = EPT12_READ_FAILED;
			out->why = "EPT12 table not in readable L1 RAM";
			return 0;
		}
		gpa_of[out->levels_walked] = at;
		out->entry[out->levels_walked++] = ent;
		mc = misconfig(caps, ent, level, &why);
		if (mc != EPT12_MC_NONE) {
			out->kind = EPT12_MISCONFIG;
			out->misconfig = mc;
			out->why = why;
			return 0;
		}
		/* Rights are the AND over every entry used (28.2.2). */
		perm &= (unsigned)(ent & EPT_RWX);
		if (!(ent & EPT_RWX)) {
			/* 28.2.3.2: a not-present entry; it is one of the
			 * entries used, so bits 5:3 are 0. */
			violation(out, 0, "EPT12 entry not present");
			return 0;
		}
		if (is_leaf(ent, level)) {
			out->stop_level = 0;
			out->entry_gpa = 0;
			/* 28.2.3.2: a read, write or fetch the AND of the
			 * entries does not allow. */
			if (out->access & ~perm) {
				violation(out, perm,
					  "access not allowed by EPT12");
				return 0;
			}
			translated(out, ent, level, perm);
			if (out->ad_enabled)
				ad_updates(out, gpa_of);
			return 0;
		}
		table = ent & ADDR_MASK;
	}
	return 0; /* unreachable: a PTE is always a leaf */
}

/* ------------------------------------------------------------------------
 * Composition with EPT01.
 * ------------------------------------------------------------------------ */

void ept02_memtype(unsigned mt12, bool ipat12, unsigned mt01, bool ipat01,
		   unsigned *mt, bool *ipat)
{
	if (mt01 == EPT_MT_WB && !ipat01) {
		/* Table 11-7, row WB: every PAT type comes out unchanged, so
		 * what L1 chose is what L2 gets on the CPU. */
		*mt = mt12;
		*ipat = ipat12;
	} else if (mt01 == EPT_MT_UC && !ipat01) {
		/* Table 11-7, row UC: only PAT WC escapes UC. L1's result is
		 * WC only if EPT12 says WC (with IPAT, or with PAT WC / UC-
		 * / WB, row WC, whose results are all UC or WC), or EPT12
		 * leaves PAT WC through without IPAT. */
		*mt = mt12 == EPT_MT_WC ? EPT_MT_WC : EPT_MT_UC;
		*ipat = ipat12;
	} else if (ipat01) {
		/* 28.2.6.2: with IPAT the EPT type is the type of every
		 * access of L1's, whatever its PAT says. */
		*mt = mt01;
		*ipat = true;
	} else {
		*mt = EPT_MT_UC;
		*ipat = true;
	}
}

static int l0(struct ept02_leaf *out, const char *why)
{
	out->kind = EPT02_L0;
	out->why = why;
	return 0;
}

static unsigned host_max_level(const struct ept_caps *host)
{
	if (host->page_2m && host->page_1g)
		return 3;
	return host->page_2m ? 2 : 1;
}

static bool map01_ok(const struct ept_caps *host, const struct ept01_map *m,
		     uint64_t l1_gpa)
{
	uint64_t off;

	/* An EPT01 leaf is valid EPT (28.2.3.1): no write without read. */
	if (m->level < 1 || m->level > 3 || !memtype_ok(m->memtype) ||
	    (m->perm & ~EPT_RWX) || ((m->perm & EPT_W) && !(m->perm & EPT_R)))
		return false;
	off = below(level_shift(m->level));
	/* The page maps linearly: the offset in it is the same on both
	 * sides, and it lies below the host's width. */
	return ((m->hpa ^ l1_gpa) & off) == 0 &&
	       maxphyaddr_ok(host->maxphyaddr) &&
	       (m->hpa | off) <= below(host->maxphyaddr);
}

int ept02_compose(const struct ept12_result *w12,
		  const struct ept_caps *host, ept01_lookup_fn lookup,
		  void *ctx, struct ept02_leaf *out)
{
	struct ept01_map m = { 0 };
	unsigned level, perm;
	uint64_t size;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!w12 || !host || !lookup || w12->kind != EPT12_TRANSLATED) {
		l0(out, "bad arguments");
		return -1;
	}
	/* Nothing EPT01 does not map for L1 may reach L2: Nestor's hidden
	 * memory and what is not L1's are L0's to handle. */
	if (lookup(ctx, w12->l1_gpa, &m))
		return l0(out, "not L1 memory in EPT01");
	if (!map01_ok(host, &m, w12->l1_gpa))
		return l0(out, "EPT01 lookup gave an unusable mapping");

	/* The leaf must lie inside both pages (split where they disagree)
	 * and be a size the CPU can map (A.10 bits 16, 17). */
	level = w12->level < m.level ? w12->level : m.level;
	if (level > host_max_level(host))
		level = host_max_level(host);
	size = 1ULL << level_shift(level);

	perm = w12->perm & m.perm;
	/* 28.2.4: a write sets EPT12's dirty flag. While it is clear, map
	 * without write so that the first write comes back here. */
	if (w12->ad_enabled && !w12->dirty)
		perm &= ~EPT_W;
	/* 28.2.3.1: execute-only only where the CPU supports it. */
	if (perm == EPT_X && !host->exec_only)
		perm = 0;
	if (!perm || (w12->access & ~perm))
		return l0(out, "EPT01 does not allow the access");

	out->kind = EPT02_MAP;
	out->gpa = w12->gpa & ~(size - 1);
	out->hpa = m.hpa & ~(size - 1);
	out->level = level;
	out->perm = perm;
	ept02_memtype(w12->memtype, w12->ipat, m.memtype, m.ipat,
		      &out->memtype, &out->ipat);
	return 0;
}

uint64_t ept02_leaf_entry(const struct ept02_leaf *leaf)
{
	if (!leaf || leaf->kind != EPT02_MAP)
		return 0;
	return leaf->hpa | leaf->perm | ((uint64_t)leaf->memtype << MT_SHIFT) |
	       (leaf->ipat ? IPAT : 0) | (leaf->level > 1 ? PS : 0);
}

unsigned ept_level_avoiding(uint64_t gpa, unsigned level, uint64_t avoid)
{
	while (level && !((gpa ^ avoid) >> (12 + 9 * (level - 1))))
		level--;
	return level;
}
