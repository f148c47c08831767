/* Shadow EPT composition for nested VMX (issue 14, item 2): EPT02 is
 * EPT12 (L1's EPT for L2) composed with EPT01 (Nestor's EPT for L1).
 *
 * Two pure steps, run by L0 on an EPT violation in EPT02 while L2 runs:
 *  1. ept12_walk(): walk L1's EPT12 for an L2 guest-physical address and an
 *     access exactly as a CPU with the capabilities L1 was shown would: a
 *     translation (plus the EPT12 A/D updates the CPU would make), or the
 *     EPT misconfiguration or EPT violation L1 must get.
 *  2. ept02_compose(): combine that translation with what EPT01 maps at the
 *     L1 guest-physical address into the one EPT02 leaf to install, or say
 *     that L0 must handle the access itself (not L1 RAM, hidden, or denied
 *     by EPT01).
 *
 * Citations: Intel SDM Vol. 3C, the numbering of the editions that call the
 * EPT chapter 28 ("VMX Support for Address Translation"): 28.2.2 translation
 * and entry formats, 28.2.3.1 misconfigurations, 28.2.3.2 violations, 28.2.4
 * accessed and dirty flags, 28.2.6 memory typing; 24.6.11 EPTP; 26.2.1.1 the
 * VM-entry checks on the EPTP; 27.2.1 Table 27-7 the EPT-violation exit
 * qualification; Appendix A.10 IA32_VMX_EPT_VPID_CAP. Recent editions have
 * the same text as 29.3.x, 25.6.11, 28.2.1 (mm/ept.h uses those numbers).
 *
 * Not modelled: mode-based execute control (MBEC, bit 10 of the entries and
 * exit-qualification bit 6: L1 must not be shown MBEC while this is used),
 * sub-page write permissions, supervisor shadow stacks (EPTP bit 7 is
 * treated as reserved), EPT-violation #VE, HLAT, and the PML (L1's
 * page-modification log is the caller's). The layer rule keeps vmx/ out of
 * mm/: the caller passes vmx_msrs.ept_vpid_cap, not the struct.
 *
 * For the caller: run EPTP02 with A/D enabled exactly when EPTP12 has it
 * (and the host supports it), so that the CPU reports L2's guest
 * paging-structure accesses in EPT02 as writes exactly when L1's CPU
 * would; the write-less leaf ept02_compose() gives while EPT12's dirty
 * flag is clear then brings every first write back to L0. Drop EPT02 on
 * INVEPT and on a new EPTP12 (28.3.3 / 28.4.3 caching rules). */
#ifndef NESTOR_MM_EPT_COMPOSE_H
#define NESTOR_MM_EPT_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/ept.h"

/* What L1 was shown in IA32_VMX_EPT_VPID_CAP (SDM A.10) and its MAXPHYADDR
 * (CPUID.80000008H:EAX[7:0] as L1 sees it). */
struct ept12_caps {
	bool exec_only; /* bit 0: execute-only translations */
	bool walk4;     /* bit 6: page-walk length 4 */
	bool walk5;     /* bit 7: page-walk length 5 */
	bool mt_uc;     /* bit 8: EPTP memory type UC */
	bool mt_wb;     /* bit 14: EPTP memory type WB */
	bool page_2m;   /* bit 16: PDE may map a 2 MiB page */
	bool page_1g;   /* bit 17: PDPTE may map a 1 GiB page */
	bool ad;        /* bit 21: accessed and dirty flags */
	unsigned maxphyaddr; /* L1's physical-address width, 32..52 */
};

struct ept12_caps ept12_caps_from_msr(uint64_t ept_vpid_cap,
				      unsigned maxphyaddr);

/* Whether the EPTP L1 put in vmcs12 passes the VM-entry checks of SDM
 * 26.2.1.1 against caps (memory type UC/WB as supported, walk length 4 or
 * 5 as supported, A/D only if supported, bits 11:7 and 63:MAXPHYADDR
 * zero). *why (may be NULL) says what is wrong. A vmcs12 whose EPTP fails
 * this never gets L2 running, so ept12_walk refuses it. */
bool ept12_eptp_valid(const struct ept12_caps *caps, uint64_t eptp,
		      const char **why);

/* The access: bits 2:0 are exit-qualification bits 2:0 (Table 27-7). More
 * than one may be set (a read-modify-write is READ | WRITE). */
#define EPT12_ACC_READ 1u
#define EPT12_ACC_WRITE 2u
#define EPT12_ACC_FETCH 4u
/* The access is the CPU's own access to a guest paging-structure entry
 * while translating a linear address. With EPT12 A/D enabled it is treated
 * as a write (SDM 28.2.3.2, 28.2.4). Leave it out for the PDPTE loads of
 * MOV to CR with PAE paging: those stay reads (28.2.3.2). */
#define EPT12_ACC_PAGING 8u

/* Reads the 8-byte EPT12 entry at L1 guest-physical address l1_gpa (always
 * 8-byte aligned). 0 on success; nonzero if l1_gpa is not L1 RAM L0 can
 * read (the walk then stops with EPT12_READ_FAILED). */
typedef int (*ept12_read_fn)(void *ctx, uint64_t l1_gpa, uint64_t *entry);

enum ept12_kind {
	EPT12_TRANSLATED, /* the access is allowed: see l1_gpa, level, ... */
	EPT12_MISCONFIG,  /* give L1 an EPT misconfiguration (exit 49) */
	EPT12_VIOLATION,  /* give L1 an EPT violation (exit 48), exit_qual */
	EPT12_READ_FAILED, /* an EPT12 table is not readable L1 RAM: L0
			    * decides (entry_gpa says where) */
	EPT12_BAD_INPUT,  /* no walk: bad caps, EPTP fails 26.2.1.1, gpa at
			   * or beyond what L1 or the walk length can address,
			   * access without bits 2:0, or a NULL argument */
};

/* Why an entry is a misconfiguration (SDM 28.2.3.1). */
enum ept12_misconfig {
	EPT12_MC_NONE,
	EPT12_MC_WRITE_NO_READ, /* bits 2:0 = 010b or 110b */
	EPT12_MC_EXEC_ONLY,     /* 100b without execute-only support */
	EPT12_MC_RSVD_ADDR,     /* a bit in 51:MAXPHYADDR set */
	EPT12_MC_RSVD_BITS,     /* 7:3 of a PML4E/PML5E, 6:3 of a non-leaf
				 * PDPTE/PDE, 29:12 of a 1 GiB PDPTE, 20:12
				 * of a 2 MiB PDE */
	EPT12_MC_LARGE_PAGE,    /* bit 7 in a PDPTE / PDE without 1 GiB /
				 * 2 MiB support (A.10 bits 17 / 16) */
	EPT12_MC_MEMTYPE,       /* leaf memory type 2, 3 or 7 */
};

/* Accessed flag (bit 8) and dirty flag (bit 9) of an EPT entry (28.2.4). */
#define EPT12_ENTRY_A (1ULL << 8)
#define EPT12_ENTRY_D (1ULL << 9)

/* One A/D update the CPU would make: OR `set` into the entry at l1_gpa
 * (atomically: the CPU uses a locked update, 28.2.4). Only flags that are
 * still clear are listed. */
struct ept12_ad_update {
	uint64_t l1_gpa;
	uint64_t set;
};

#define EPT12_MAX_LEVELS 5

struct ept12_result {
	enum ept12_kind kind;
	uint64_t gpa;     /* the L2 guest-physical address walked */
	unsigned access;  /* bits 2:0 after the A/D rule for paging accesses */
	bool ad_enabled;  /* EPTP bit 6 */

	/* EPT12_TRANSLATED */
	uint64_t l1_gpa;  /* the L1 guest-physical address of gpa */
	unsigned level;   /* page size: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
	unsigned perm;    /* AND of bits 2:0 over every entry (EPT_R/W/X) */
	unsigned memtype; /* leaf bits 5:3 */
	bool ipat;        /* leaf bit 6 */
	bool dirty;       /* with A/D: the leaf's dirty flag once the
			   * updates below are made */
	unsigned n_ad;    /* A/D updates to make, top level first */
	struct ept12_ad_update ad[EPT12_MAX_LEVELS];

	/* EPT12_VIOLATION: exit-qualification bits 0-5 (Table 27-7): 2:0 the
	 * access, 5:3 the AND of bits 2:0 of the entries used (0 for a
	 * not-present entry). The caller adds bit 7 (guest linear address
	 * valid), bit 8 (the access was the translation, not a paging-
	 * structure access), bits 9-11 if L1 was shown advanced EPT-violation
	 * information (A.10 bit 22), bit 12 (NMI unblocking due to IRET), and
	 * fills the guest-physical and guest-linear address fields. Bit 6 is 0
	 * (no MBEC). */
	uint64_t exit_qual;

	/* EPT12_MISCONFIG (the exit qualification is 0; the guest-physical
	 * address field gets gpa) */
	enum ept12_misconfig misconfig;

	/* MISCONFIG, VIOLATION of a not-present entry, READ_FAILED: the level
	 * (5 = PML5E ... 1 = PTE) and L1 guest-physical address of the entry
	 * the walk stopped at; 0 when it completed. */
	unsigned stop_level;
	uint64_t entry_gpa;
	const char *why; /* static text for every kind but TRANSLATED */

	/* Every entry read, top level first. */
	unsigned levels_walked;
	uint64_t entry[EPT12_MAX_LEVELS];
};

/* Walks EPT12 at eptp for gpa and access (EPT12_ACC_*). Returns 0 with
 * out->kind set; -1 only for EPT12_BAD_INPUT. Order of the verdicts as on
 * the CPU (28.2.3): an entry that is a misconfiguration wins over a later
 * one being not present; permissions are checked only when the walk
 * reached a leaf with no misconfiguration. A/D updates are given only for
 * a translation (Bochs writes them after its permission check). */
int ept12_walk(const struct ept12_caps *caps, uint64_t eptp, uint64_t gpa,
	       unsigned access, ept12_read_fn read, void *ctx,
	       struct ept12_result *out);

/* What EPT01 maps at one L1 guest-physical address. */
struct ept01_map {
	uint64_t hpa;     /* host physical address of the byte at l1_gpa */
	unsigned level;   /* EPT01 page size: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
	unsigned perm;    /* EPT_R/W/X */
	unsigned memtype; /* EPT_MT_* */
	bool ipat;
};

/* Looks up l1_gpa in EPT01. 0 and *m filled if it is L1 RAM or device
 * memory EPT01 maps for L1 itself; nonzero if it is not mapped, or is
 * Nestor's hidden memory (whatever EPT01 shows L1 there): L0 handles it. */
typedef int (*ept01_lookup_fn)(void *ctx, uint64_t l1_gpa,
			       struct ept01_map *m);

enum ept02_kind {
	EPT02_MAP, /* install leaf: it allows the access */
	EPT02_L0,  /* L0 handles the access; nothing to install */
};

struct ept02_leaf {
	enum ept02_kind kind;
	uint64_t gpa;     /* L2 guest-physical address, aligned to the size */
	uint64_t hpa;     /* host physical address, aligned to the size */
	unsigned level;   /* 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
	unsigned perm;    /* EPT_R/W/X */
	unsigned memtype; /* EPT_MT_* */
	bool ipat;
	const char *why;  /* EPT02_L0: static text */
};

/* Composes the EPT02 leaf for w12 (an EPT12_TRANSLATED result). host: the
 * capabilities of the CPU's EPT (leaf sizes, execute-only, MAXPHYADDR).
 * Size: the smallest of the EPT12 page, the EPT01 page and what the host
 * supports. Permissions: the intersection, less write while EPT12's dirty
 * flag is still clear (so the first write faults and sets it, 28.2.4).
 * Memory type: see ept02_memtype(). 0 with out->kind set; -1 (and kind
 * EPT02_L0) if w12 is not a translation or an argument is NULL. */
int ept02_compose(const struct ept12_result *w12,
		  const struct ept_caps *host, ept01_lookup_fn lookup,
		  void *ctx, struct ept02_leaf *out);

/* The EPT02 leaf memory type and ignore-PAT for an EPT12 leaf (mt12,
 * ipat12) over an EPT01 leaf (mt01, ipat01), SDM 28.2.6.2 and Vol. 3A
 * 11.5.2.2 Table 11-7 (with EPT the EPT type takes the MTRR's place):
 *  - EPT01 WB without IPAT (Nestor's identity-mapped RAM) passes every PAT
 *    type through, so L1's type and IPAT carry over unchanged: exact;
 *  - EPT01 UC without IPAT lets only a WC PAT type through: WC from EPT12
 *    stays (WC, ipat12), anything else becomes (UC, ipat12): exact, or
 *    stricter (UC for WC) for EPT12 WP with PAT UC-;
 *  - EPT01 with IPAT forces its type on L1's own accesses: (mt01, IPAT);
 *  - anything else (EPT01 WC/WT/WP without IPAT, not made by Nestor):
 *    (UC, IPAT), never less strict than the CPU. */
void ept02_memtype(unsigned mt12, bool ipat12, unsigned mt01, bool ipat01,
		   unsigned *mt, bool *ipat);

/* The EPT entry for an EPT02_MAP leaf (SDM 28.2.2 formats): hpa, bits 2:0,
 * memory type in 5:3, IPAT in 6, bit 7 for a 2 MiB / 1 GiB page. 0 for
 * anything else. */
uint64_t ept02_leaf_entry(const struct ept02_leaf *leaf);

/* The largest page level, at most `level` (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB),
 * whose naturally aligned block around gpa leaves out the 4-KiB page at
 * `avoid` (0 when even the 4-KiB page is that one). Nested VMX: no EPT02
 * leaf other than its own may cover L1's APIC-access page when Nestor
 * backs it with a page of its own (nested/l2_apic.c, SDM 29.4). */
unsigned ept_level_avoiding(uint64_t gpa, unsigned level, uint64_t avoid);

#endif
