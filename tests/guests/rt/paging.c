/* 4 KiB mappings on top of the guest's 2 MiB identity map: a 2 MiB page is
 * split into a page table from a small static pool the first time one of its
 * 4 KiB pages is remapped (SDM Vol. 3A, 4.5). */
#include "tests/guests/rt/paging.h"

#include <stddef.h>

#include "arch/x86/cpu.h"
#include "lib/compiler.h"

#define ENTRIES 512
#define PT_POOL_SIZE 8
#define PD_ENTRIES (4 * ENTRIES) /* four page directories: 4 GiB */
/* Bits a 2 MiB PDE shares with the PTEs of its split: P RW US PWT PCD A D
 * G and XD; PS (a PAT bit in a PTE) and the PDE's PAT bit 12 are dropped. */
#define PDE_INHERITED (PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | \
		       PTE_D | PTE_G | PTE_XD)

extern uint64_t rt_pd[PD_ENTRIES]; /* rt/entry.asm */

static uint64_t pt_pool[PT_POOL_SIZE][ENTRIES] __attribute__((aligned(4096)));
static unsigned pt_used;

void rt_invlpg(uint64_t va)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

static uint64_t *split_2m(uint64_t *pde)
{
	uint64_t *pt, base, attrs;

	if (pt_used == PT_POOL_SIZE)
		return NULL;
	pt = pt_pool[pt_used++];
	base = *pde & PTE_ADDR_MASK & ~((1ULL << 21) - 1);
	attrs = *pde & PDE_INHERITED;
	for (unsigned i = 0; i < ENTRIES; i++)
		pt[i] = (base + i * PAGE_SIZE) | attrs;
	*pde = (uint64_t)pt | PTE_P | PTE_RW | (attrs & PTE_US);
	write_cr3(read_cr3()); /* drop the 2 MiB translation everywhere */
	return pt;
}

uint64_t *rt_pte(uint64_t va)
{
	uint64_t *pde, *pt;

	if (va >= RT_IDENTITY_LIMIT)
		return NULL;
	pde = &rt_pd[va >> 21];
	if (*pde & PTE_PS)
		pt = split_2m(pde);
	else
		pt = (uint64_t *)(*pde & PTE_ADDR_MASK);
	if (!pt)
		return NULL;
	return &pt[(va >> 12) & (ENTRIES - 1)];
}

bool rt_map_4k(uint64_t va, uint64_t pte)
{
	uint64_t *p = rt_pte(va);

	if (!p)
		return false;
	*p = pte;
	rt_invlpg(va);
	return true;
}

bool rt_identity_4k(uint64_t va, uint64_t flags)
{
	return rt_map_4k(va, (va & PTE_ADDR_MASK) | flags);
}

unsigned rt_maxphyaddr(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return cpuid(0x80000008, 0).eax & 0xff;
}
