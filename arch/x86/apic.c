/* NMIs through the local APIC (see arch/x86/apic.h). Nestor's page tables
 * map the xAPIC window (below 4 GiB) identity, uncached by the MTRRs. */
#include "arch/x86/apic.h"
#include <stdbool.h>
#include "arch/x86/cpu.h"
#include "arch/x86/regs.h"

#define ICR_NMI (4u << 8)               /* delivery mode 100b */
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)     /* destination shorthand 11b */
#define ICR_PENDING (1u << 12)          /* xAPIC delivery status */
#define ICR_WAIT_LOOPS 1000000

static bool x2apic(uint64_t base)
{
	return base & APIC_BASE_EXTD;
}

static volatile uint32_t *xapic_reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)((base & APIC_BASE_ADDR) + off);
}

uint32_t apic_id(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (x2apic(base))
		return (uint32_t)rdmsr(MSR_X2APIC_ID);
	return *xapic_reg(base, XAPIC_ID) >> 24;
}

static void send_icr(uint32_t low, uint32_t dest)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (x2apic(base)) {
		wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | low);
		return;
	}
	/* 11.6.1: write the high half first; the low write sends. Then wait
	 * (bounded) until the APIC has taken the IPI. */
	*xapic_reg(base, XAPIC_ICR_HIGH) = dest << 24;
	*xapic_reg(base, XAPIC_ICR_LOW) = low;
	for (int i = 0; i < ICR_WAIT_LOOPS; i++)
		if (!(*xapic_reg(base, XAPIC_ICR_LOW) & ICR_PENDING))
			break;
}

void apic_send_nmi_self(void)
{
	send_icr(ICR_NMI | ICR_LEVEL_ASSERT, apic_id());
}

void apic_send_nmi_others(void)
{
	send_icr(ICR_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF, 0);
}
