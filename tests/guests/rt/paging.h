/* The test guests' own page tables: [0, 4 GiB) identity-mapped with 2 MiB
 * pages (built in rt/entry.asm), and 4 KiB mappings with any PTE bits the
 * caller chooses (reserved bits included) for paging tests. */
#ifndef NESTOR_GUESTS_RT_PAGING_H
#define NESTOR_GUESTS_RT_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* Paging-structure entry bits (SDM Vol. 3A, 4.5, Tables 4-14 to 4-20). */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7) /* in a PDE: 2 MiB page; in a PTE: PAT */
#define PTE_G (1ULL << 8)
#define PTE_XD (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* #PF error code bits (SDM Vol. 3A, 4.7, Figure 4-12). */
#define PF_ERR_P (1U << 0)
#define PF_ERR_W (1U << 1)
#define PF_ERR_U (1U << 2)
#define PF_ERR_RSVD (1U << 3)
#define PF_ERR_I (1U << 4)

#define RT_IDENTITY_LIMIT (4ULL << 30)

/* The PTE that maps the 4 KiB page holding va, splitting its 2 MiB page
 * into an identity-mapped page table (same attributes) first if needed.
 * NULL if va >= 4 GiB or the pool of page tables is used up. */
uint64_t *rt_pte(uint64_t va);

/* Sets the PTE for va's page to exactly `pte` and flushes the TLB entry.
 * Returns false if rt_pte() fails. */
bool rt_map_4k(uint64_t va, uint64_t pte);

/* Maps va's page back to itself with `flags` (e.g. PTE_P | PTE_RW). */
bool rt_identity_4k(uint64_t va, uint64_t flags);

void rt_invlpg(uint64_t va);

/* MAXPHYADDR from CPUID.80000008H:EAX[7:0], 36 if the leaf is missing
 * (SDM Vol. 3A, 4.1.4). */
unsigned rt_maxphyaddr(void);

#endif
