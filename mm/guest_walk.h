/* Guest page-table walker: translates a guest-linear address to a
 * guest-physical address, with the result (translation, or #PF error code)
 * that an Intel 64 CPU with the given MAXPHYADDR would produce (Intel SDM
 * Vol. 3A chapter 4, "Paging").
 *
 * It is pure and read-only: it reads paging-structure entries through a
 * caller-supplied callback and never writes guest memory, so it does NOT set
 * accessed or dirty flags (SDM 4.8): a caller that performs the access on the
 * guest's behalf and needs A/D to be exact must set them itself.
 *
 * Not modelled (their guest state must be off, or the caller must handle
 * them): CET shadow-stack accesses (error-code bit 6), HLAT (bit 7), SGX
 * (bit 15), LAM (CR3 bits 62:61, CR4.LAM_SUP), LASS, and the paging-structure
 * caches (TLBs): a CPU may use a stale cached translation, this walker always
 * reads memory. The CPU features it assumes are PAT and PSE-36 (every CPU
 * with VMX has both); 1-GByte pages are a parameter (gw_state.page_1g). */
#ifndef NESTOR_MM_GUEST_WALK_H
#define NESTOR_MM_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

/* Kind of access (low two bits of guest_walk()'s access argument). */
enum gw_access { GW_READ = 0, GW_WRITE = 1, GW_FETCH = 2 };
#define GW_ACCESS_KIND_MASK 0x3u

/* OR into access: an implicit supervisor-mode access (SDM 4.6: GDT/LDT/IDT/TSS
 * accesses, supervisor-mode whatever the CPL). Only with GW_READ/GW_WRITE. */
#define GW_IMPLICIT_SUPERVISOR 0x10u

/* The control-register, EFER and RFLAGS bits the walker looks at
 * (SDM Vol. 3A 2.5 "Control Registers", 2.2.1 "Extended Feature Enable
 * Register", Vol. 1 3.4.3 "EFLAGS"). */
#define GW_CR0_PE (1ULL << 0)
#define GW_CR0_WP (1ULL << 16)
#define GW_CR0_PG (1ULL << 31)
#define GW_CR4_PSE (1ULL << 4)
#define GW_CR4_PAE (1ULL << 5)
#define GW_CR4_LA57 (1ULL << 12)
#define GW_CR4_SMEP (1ULL << 20)
#define GW_CR4_SMAP (1ULL << 21)
#define GW_CR4_PKE (1ULL << 22)
#define GW_CR4_PKS (1ULL << 24)
#define GW_EFER_LMA (1ULL << 10)
#define GW_EFER_NXE (1ULL << 11)
#define GW_RFLAGS_AC (1ULL << 18)

/* The guest state that decides a translation. */
struct gw_state {
	uint64_t cr0, cr3, cr4, efer, rflags;
	unsigned cpl;        /* 0..3 */
	uint32_t pkru;       /* protection keys for user pages (SDM 4.6.2) */
	unsigned maxphyaddr; /* guest MAXPHYADDR, 32..52 (SDM 4.1.4) */
	/* CPUID.80000001H:EDX.Page1GB[26] as the guest sees it; false makes
	 * PS = 1 in a 4/5-level PDPTE a reserved bit (SDM 4.5). */
	bool page_1g;
	uint32_t pkrs; /* IA32_PKRS, used when CR4.PKS = 1 (SDM 4.6.2) */
	/* PAE paging: true = use pdptes[] (the PDPTE registers the CPU loaded,
	 * e.g. the VMCS guest PDPTE fields with EPT, SDM 4.4.1) instead of
	 * reading the PDPTEs from memory at CR3. */
	bool use_pdptes;
	uint64_t pdptes[4];
};

/* Reads a paging-structure entry (4 or 8 bytes, naturally aligned) at
 * guest-physical gpa into *val; returns 0 on success, -1 when gpa is not
 * readable guest memory (the walk then ends with GW_ABORT, not a #PF). */
typedef int (*gw_read_fn)(void *ctx, uint64_t gpa, unsigned size,
			  uint64_t *val);

enum gw_status {
	GW_OK,         /* translated and the access is allowed */
	GW_PAGE_FAULT, /* the CPU would raise #PF with error code pfec */
	GW_ABORT,      /* neither: read failure, #GP case or bad input */
};

/* Page-fault error code bits (SDM 4.7, figure "Page-Fault Error Code"). */
#define PFEC_P 1u
#define PFEC_W 2u
#define PFEC_U 4u
#define PFEC_RSVD 8u
#define PFEC_I 16u
#define PFEC_PK 32u
#define PFEC_SS 64u /* shadow-stack access (not modelled by the walker) */

struct gw_result {
	enum gw_status status;
	/* The translation: valid with GW_OK, and also filled in for an
	 * access-rights fault (fault_level 0), where a translation exists;
	 * 0 otherwise. */
	uint64_t gpa;
	uint32_t pfec;        /* error code with GW_PAGE_FAULT, else 0 */
	/* Level of the entry that faulted or could not be read (5 = PML5E,
	 * 4 = PML4E, 3 = PDPTE, 2 = PDE, 1 = PTE; 32-bit paging uses 2 and 1),
	 * 0 for a fault in the final access-rights check. */
	unsigned fault_level;
	uint64_t page_size;   /* with a translation: 4K, 2M, 4M or 1G (4K when
			       * paging is off); else 0 */
	unsigned nentries;    /* entries read, top-down, the faulting one too */
	uint64_t entry_gpa[5];
	uint64_t entry[5];
	/* With a translation: the rights the paging structures grant, i.e.
	 * R/W = 1, U/S = 1 in every entry, XD = 0 in every entry (or no XD:
	 * 32-bit paging / EFER.NXE = 0); all true when paging is off. These
	 * are not the verdict for a given access (CR0.WP, SMEP, SMAP and
	 * protection keys also count): status is. */
	bool writable, user, executable;
	uint64_t abort_gpa;   /* GW_ABORT after a failed read: its gpa */
	unsigned pkey;        /* 4/5-level, with a translation: leaf 62:59 */
	/* Why a walk ended without a translation, beyond status: */
	/* PAE paging: the PDPTE used is present with reserved bits set. A CPU
	 * would have raised #GP when loading it (MOV to CR3/CR0/CR4, SDM
	 * 4.4.1); reported as GW_PAGE_FAULT with PFEC_RSVD|PFEC_P. */
	bool pdpte_invalid;
	bool non_canonical;   /* GW_ABORT: 4/5-level, la not canonical (#GP) */
	bool bad_input;       /* GW_ABORT: invalid state or arguments */
};

/* Paging modes (SDM 4.1.1, Table 4-1). */
enum gw_mode {
	GW_MODE_NONE,    /* CR0.PG = 0 */
	GW_MODE_32BIT,   /* CR0.PG = 1, CR4.PAE = 0 */
	GW_MODE_PAE,     /* CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 0 */
	GW_MODE_4LEVEL,  /* CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 1, LA57 = 0 */
	GW_MODE_5LEVEL,  /* CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 1, LA57 = 1 */
	GW_MODE_INVALID, /* a combination no CPU can be in (see guest_walk.c) */
};

enum gw_mode gw_get_mode(const struct gw_state *st);

/* "none", "32-bit", "PAE", "4-level", "5-level"; "invalid" otherwise. */
const char *gw_mode_name(const struct gw_state *st);

/* SDM 4.4.1, Table 4-8: the reserved bits of a present PAE PDPTE (2:1, 8:5,
 * 63:maxphyaddr; maxphyaddr in 32..52). A CPU checks them when it loads the
 * PDPTE registers (MOV to CR3, or MOV to CR0/CR4 entering or changing PAE
 * paging) and raises #GP(0) instead. */
uint64_t gw_pae_pdpte_reserved_bits(unsigned maxphyaddr);

/* SDM 4.8: the accessed/dirty flags an access that translated (GW_OK) sets
 * in entry i (0 .. nentries - 1) of its walk r: A (bit 5) in every
 * paging-structure entry the walk used, and also D (bit 6) in the last one,
 * the entry that maps the page, for a write. PAE PDPTEs have no accessed
 * flag (4.4.1, Table 4-8: bit 5 is reserved), so they get 0. *size is the
 * entry's size: 4 bytes in 32-bit paging (4.3), 8 otherwise. */
uint64_t gw_ad_bits(const struct gw_state *st, const struct gw_result *r,
		    unsigned i, bool write, unsigned *size);

/* Translates la for an access (enum gw_access, optionally ORed with
 * GW_IMPLICIT_SUPERVISOR) and fills *out completely. Outside IA-32e mode
 * linear addresses are 32 bits: la is truncated to its low 32 bits. */
void guest_walk(const struct gw_state *st, uint64_t la, unsigned access,
		gw_read_fn rd, void *ctx, struct gw_result *out);

#endif
