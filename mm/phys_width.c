/* A guest physical-address width below the host's (see mm/phys_width.h). */
#include "mm/phys_width.h"

#define MSR_APIC_BASE 0x1bu
#define MSR_MTRR_PHYSBASE0 0x200u
/* The architectural MSR list (SDM Vol. 4, Table 2-2) defines
 * IA32_MTRR_PHYSBASE0..PHYSMASK9 at 0x200..0x213 (10 variable ranges). */
#define MSR_MTRR_PHYSMASK9 0x213u

struct pf_intercept pf_intercept_for(bool reduced)
{
	if (!reduced)
		return (struct pf_intercept){ false, 0, 0 };
	return (struct pf_intercept){ true, PFEC_P | PFEC_RSVD, PFEC_P };
}

bool pf_intercept_exits(const struct pf_intercept *pi, uint32_t pfec)
{
	bool equal = (pfec & pi->mask) == pi->match;

	return pi->bitmap_bit ? equal : !equal;
}

unsigned phys_width_access_from_pfec(uint32_t pfec, unsigned cpl)
{
	unsigned access = GW_READ;

	if (pfec & PFEC_I)
		access = GW_FETCH;
	else if (pfec & PFEC_W)
		access = GW_WRITE;
	/* Only data accesses can be implicit supervisor accesses (SDM 4.6). */
	if (cpl == 3 && !(pfec & PFEC_U) && access != GW_FETCH)
		access |= GW_IMPLICIT_SUPERVISOR;
	return access;
}

bool phys_width_rsvd_fault(const struct gw_state *st, uint64_t la,
			   unsigned access, gw_read_fn rd, void *ctx,
			   uint32_t *pfec)
{
	struct gw_result r;

	guest_walk(st, la, access, rd, ctx, &r);
	if (r.status != GW_PAGE_FAULT || !(r.pfec & PFEC_RSVD))
		return false;
	*pfec = r.pfec;
	return true;
}

static uint64_t bits_from(unsigned lo)
{
	return lo >= 64 ? 0 : ~0ULL << lo;
}

bool phys_width_cr3_valid(uint64_t val, bool ia32e, bool pcide,
			  unsigned maxphyaddr)
{
	uint64_t reserved;

	if (!ia32e)
		return true;
	reserved = bits_from(maxphyaddr);
	if (pcide)
		reserved &= ~(1ULL << 63);
	return !(val & reserved);
}

uint64_t phys_width_cr3_stored(uint64_t val, bool ia32e, bool pcide)
{
	if (!ia32e)
		return val & 0xffffffffULL;
	return pcide ? val & ~(1ULL << 63) : val;
}

bool phys_width_pdpte_valid(uint64_t pdpte, unsigned maxphyaddr)
{
	return !(pdpte & 1) ||
	       !(pdpte & gw_pae_pdpte_reserved_bits(maxphyaddr));
}

bool phys_width_msr_checked(uint32_t msr)
{
	return msr == MSR_APIC_BASE ||
	       (msr >= MSR_MTRR_PHYSBASE0 && msr <= MSR_MTRR_PHYSMASK9);
}

uint64_t phys_width_msr_read(uint32_t msr, uint64_t val, unsigned maxphyaddr)
{
	if (!phys_width_msr_checked(msr))
		return val;
	return val & ~bits_from(maxphyaddr);
}

bool phys_width_msr_valid(uint32_t msr, uint64_t val, unsigned maxphyaddr)
{
	if (!phys_width_msr_checked(msr))
		return true;
	return !(val & bits_from(maxphyaddr));
}
