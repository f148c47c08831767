/* Extended page tables (EPT): build, change and walk 4-level EPT paging
 * structures (Intel SDM Vol. 3C, "VMX Support for Address Translation").
 *
 * Section numbers are those of the recent SDM (chapter 29, 25.6.11); older
 * editions number the same text chapter 28 and 24.6.11.
 *
 * Pure code: table pages are reached only through struct ept_mem_ops, so
 * host tests can use malloc'ed pages with made-up physical addresses. */
#ifndef NESTOR_MM_EPT_H
#define NESTOR_MM_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mem_region.h"

/* Access rights, bits 2:0 of every EPT entry (SDM 29.3.2). */
#define EPT_R 1u
#define EPT_W 2u
#define EPT_X 4u
#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/* EPT memory types, bits 5:3 of a leaf entry (SDM 29.3.7.2); 2, 3 and 7 are
 * reserved (SDM 29.3.3.1). */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

/* Paging levels, also ept_walk.page_level: 1 = 4 KiB PTE, 2 = 2 MiB PDE,
 * 3 = 1 GiB PDPTE, 4 = PML4E (never a leaf). */
#define EPT_LEVELS 4

struct ept_mem_ops {
	/* Physical address of a zeroed 4 KiB page, 0 on failure. */
	uint64_t (*alloc_page)(void *ctx);
	/* Where the table page at pa can be read and written; NULL if pa is
	 * not a table page this context knows. */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/* Optional (may be NULL: the pages are then leaked): takes back a
	 * table page that no entry references any more. The caller must
	 * INVEPT before such a page is reused while the EPT is live. */
	void (*free_page)(void *ctx, uint64_t pa);
	void *ctx;
};

/* What the CPU supports, from IA32_VMX_EPT_VPID_CAP (SDM Appendix A.10). */
struct ept_caps {
	bool exec_only; /* bit 0: execute-only translations */
	bool walk4;     /* bit 6: page-walk length 4 */
	bool page_2m;   /* bit 16: EPT PDE may map a 2 MiB page */
	bool page_1g;   /* bit 17: EPT PDPTE may map a 1 GiB page */
	bool mt_uc;     /* bit 8: EPTP memory type UC */
	bool mt_wb;     /* bit 14: EPTP memory type WB */
	bool ad;        /* bit 21: accessed and dirty flags */
	unsigned maxphyaddr; /* CPUID.80000008H:EAX[7:0] (SDM Vol. 3A 4.1.4) */
};

struct ept_caps ept_caps_from_msr(uint64_t ept_vpid_cap, unsigned maxphyaddr);

struct ept {
	uint64_t pml4_pa;
	struct ept_mem_ops ops;
	struct ept_caps caps;
	unsigned table_pages; /* table pages owned now (allocated - freed) */
};

/* Allocates an empty PML4. -1 if caps lack walk4 or WB, maxphyaddr is not in
 * [32, 52], an op is missing, or the allocation fails. If caps have 1 GiB but
 * not 2 MiB pages, 1 GiB pages are not used (a split would need 2 MiB ones). */
int ept_init(struct ept *e, const struct ept_mem_ops *ops,
	     const struct ept_caps *caps);

/* The EPTP (SDM 25.6.11): WB, walk length 4, PML4 address, A/D enable if
 * asked; 0 if A/D is asked for but not supported. */
uint64_t ept_eptp(const struct ept *e, bool enable_ad);

/* Maps [gpa, gpa + len) to [hpa, hpa + len) with perm (EPT_R/W/X) and a leaf
 * memory type, overwriting existing mappings. Uses 1 GiB / 2 MiB leaves where
 * the caps and the alignment of gpa, hpa and the length allow; a large page
 * that is only partly remapped is split, keeping the rest of its mapping.
 * -1 on bad arguments (unaligned, len 0, overflow, gpa + len > 2^48 or
 * 2^maxphyaddr, hpa + len > 2^maxphyaddr, perm 0, write without read,
 * execute-only without CPU support, reserved memtype) or allocation failure;
 * after a failure every entry is still valid but the range may be only partly
 * mapped. */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
	    unsigned perm, unsigned memtype);
/* The same with the leaves' ignore-PAT bit (bit 6, SDM 29.3.7.2) set as
 * given: ept_map() is this with ipat false. */
int ept_map_ipat(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
		 unsigned perm, unsigned memtype, bool ipat);

/* Makes [gpa, gpa + len) not present, splitting large pages as needed; a
 * table left with no present entry is unlinked and given back (when the ops
 * can take pages back), so mapping and unmapping a page leaves the table
 * count as it was. The caller must INVEPT before those pages are reused.
 * Same argument rules and failure behaviour as ept_map. */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len);

/* The L0 identity map for the one guest, on a fresh EPT: every page of
 * [0, ALIGN_UP(limit, 2 MiB)) maps gpa == hpa RWX, WB where the whole page is
 * RAM (MEM_AVAILABLE, MEM_ACPI_RECLAIMABLE, MEM_ACPI_NVS) and no other entry
 * touches it, UC everywhere else (reserved, bad, unknown types, holes). The
 * hidden ranges (rounded outward to 4 KiB) map page by page to the one page
 * hidden_page_hpa, read-only WB, or are left not present if hidden_page_hpa
 * is 0. -1 on bad arguments (limit 0 or beyond 2^maxphyaddr, a hidden range
 * with start > end, hidden_page_hpa unaligned or too high) or allocation
 * failure. */
int ept_build_identity(struct ept *e, const struct mem_region *map,
		       unsigned n, const struct phys_range *hidden,
		       unsigned nhidden, uint64_t limit,
		       uint64_t hidden_page_hpa);

/* Result of a software walk (SDM 29.3.2 translation, 29.3.3.1
 * misconfigurations). ok: translated. !ok && misconfig: EPT misconfiguration.
 * !ok && !misconfig: not present (an EPT violation for any access) or, when
 * ept_walk returned -1, no walk was possible. */
struct ept_walk {
	bool ok;
	bool misconfig;
	const char *why;     /* static text when !ok, NULL when ok */
	uint64_t hpa;        /* translated address (ok only) */
	unsigned perm;       /* AND of bits 2:0 over every level (ok only) */
	unsigned memtype;    /* leaf bits 5:3 (ok only) */
	bool ignore_pat;     /* leaf bit 6 (ok only) */
	unsigned page_level; /* 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB (ok only) */
	unsigned levels_walked; /* entries read: entry[0] = PML4E ... */
	uint64_t entry[EPT_LEVELS]; /* ... entry[3] = PTE */
};

/* Walks the EPT at pml4_pa for gpa assuming 2 MiB and 1 GiB pages are
 * supported. Returns 0 when a verdict was reached (out says which), -1 when
 * no walk was possible: bad arguments (maxphyaddr not in [32, 52], gpa at or
 * above 2^maxphyaddr or 2^48) or a table page phys_to_virt does not know. */
int ept_walk(const struct ept_mem_ops *ops, uint64_t pml4_pa,
	     unsigned maxphyaddr, bool exec_only_ok, uint64_t gpa,
	     struct ept_walk *out);

/* The same, with the CPU's features from caps: maxphyaddr, exec_only, and
 * page_2m / page_1g (bit 7 set at a level that cannot map a page is a
 * reserved bit, SDM Appendix A.10 bits 16 and 17). */
int ept_walk_caps(const struct ept_mem_ops *ops, uint64_t pml4_pa,
		  const struct ept_caps *caps, uint64_t gpa,
		  struct ept_walk *out);

unsigned ept_table_pages(const struct ept *e);

#endif
