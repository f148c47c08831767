/* Guest MSR policy (pure): the action for each RDMSR/WRMSR, from three
 * layers decided in this order.
 *
 * 1. The x2APIC MSRs 0x800-0x8ff (SDM Vol. 3A, 10.12.1.2) are never
 *    filtered (as in KVM's MSR filter) and pass through, except a write to
 *    the ICR (0x830, 10.12.9): Nestor must see INIT and SIPI IPIs, so that
 *    write is emulated. Reads of the ICR pass.
 * 2. The operator's filter (msr_filter=, vmx/msr_filter.h): an access it
 *    denies exits and gets #GP(0), logged (MSR_DENY).
 * 3. Nestor's own policy, which the filter can tighten but never loosen.
 *    Most MSRs pass through: the VMCS switches the ones Nestor itself relies
 *    on (EFER, PAT, SYSENTER_*, FS/GS base, DEBUGCTL: 24.4.1, 24.7.1,
 *    24.8.1), and Nestor uses no SYSCALL, SWAPGS, PMU or extended state of
 *    its own. Intercepted: the VMX capability MSRs and
 *    IA32_SMM_MONITOR_CTL (VMX is hidden, so they raise #GP as on a CPU
 *    without VMX: SDM Vol. 4, Table 2-2 "If CPUID.01H:ECX.[5] = 1"),
 *    IA32_FEATURE_CONTROL (emulated: locked, VMX bits clear), and the
 *    microcode update trigger (a guest must not load microcode under
 *    Nestor: dropped). Also intercepted, because they would let a guest
 *    reach Nestor's memory without going through EPT:
 *     - Intel PT (IA32_RTIT_*, SDM Vol. 3C, chapter 33: output addresses
 *       are host-physical unless "PT uses guest-physical addresses") and
 *       the DS save area / PEBS (IA32_DS_AREA, IA32_PEBS_ENABLE, Vol. 3B
 *       18.x: records are written while Nestor runs, at a linear address
 *       the guest chose): #GP, and CPUID hides the features
 *       (vmx/exit_cpuid.c);
 *     - IA32_APIC_BASE writes (Vol. 3A 10.4.4): moving the xAPIC window
 *       could put it over Nestor's memory; only a write that keeps the base
 *       passes;
 *     - IA32_MISC_ENABLE: reads report BTS and PEBS unavailable (bits 11,
 *       12), writes are dropped (bit 34 would make EFER.NXE, which Nestor
 *       uses, reserved);
 *     - the MTRRs (IA32_MTRRCAP, _DEF_TYPE, the fixed and variable ranges):
 *       they type Nestor's memory too, so the guest gets a virtual copy
 *       (vmx/mtrr.h).
 *    MSRs outside the two bitmap ranges always exit (SDM Vol. 3C, 24.6.9);
 *    Nestor knows none of them, so they get #GP.
 *
 * The MSR bitmap (24.6.9) is computed from this policy: an access exits
 * exactly when its action is not MSR_PASS. */
#include "vmx/msr_policy.h"
#include "lib/string.h"
#include "vmx/mtrr.h"

#define LOW_LAST 0x1fffu
#define HIGH_FIRST 0xc0000000u
#define HIGH_LAST 0xc0001fffu

/* Layer 1: the x2APIC MSRs, never filtered. */
static enum msr_action x2apic_policy(uint32_t msr, bool write)
{
	if (msr == MSR_X2APIC_ICR && write)
		return MSR_EMULATE;
	return MSR_PASS;
}

/* Layer 3: Nestor's own policy. */
static enum msr_action nestor_policy(uint32_t msr, bool write)
{
	if (msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST)
		return MSR_GP;
	if ((msr >= MSR_RTIT_FIRST && msr <= MSR_RTIT_FIRST + 1) ||
	    (msr >= MSR_RTIT_CTL && msr <= MSR_RTIT_CTL + 2) ||
	    (msr >= MSR_RTIT_ADDR_FIRST && msr <= MSR_RTIT_ADDR_LAST))
		return MSR_GP;
	switch (msr) {
	case MSR_IA32_DS_AREA:
	case MSR_IA32_PEBS_ENABLE:
		return MSR_GP;
	case MSR_IA32_APIC_BASE:
		return write ? MSR_EMULATE : MSR_PASS;
	case MSR_IA32_XSS:
		/* Writes are checked: bit 8 would let XRSTORS load the
		 * IA32_RTIT_* MSRs (Intel PT, host-physical output) past
		 * their intercepts (SDM Vol. 1 13.5.6, Vol. 3C 33.3.5). */
		return write ? MSR_EMULATE : MSR_PASS;
	case MSR_IA32_MISC_ENABLE:
		return write ? MSR_IGNORE : MSR_EMULATE;
	case MSR_IA32_FEATURE_CONTROL:
		/* Locked: a write raises #GP (SDM Vol. 4, Table 2-2). */
		return write ? MSR_GP : MSR_EMULATE;
	case MSR_IA32_SMM_MONITOR_CTL:
		return MSR_GP;
	case MSR_IA32_BIOS_UPDT_TRIG:
		return write ? MSR_IGNORE : MSR_PASS;
	}
	if (mtrr_msr(msr))
		/* Virtualized (vmx/mtrr.h): the CPU's MTRRs also type
		 * Nestor's memory. IA32_MTRRCAP is read-only (#GP). */
		return write && msr == MSR_MTRRCAP ? MSR_GP : MSR_EMULATE;
	if (msr <= LOW_LAST || (msr >= HIGH_FIRST && msr <= HIGH_LAST))
		return MSR_PASS;
	return MSR_GP;
}

enum msr_action msr_policy_vmx(const struct msr_filter *f, uint32_t msr,
			       bool write, bool vmx_shown)
{
	if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
		return x2apic_policy(msr, write);
	if (!msr_filter_allows(f, msr, write))
		return MSR_DENY;
	if (vmx_shown && ((msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST) ||
			  msr == MSR_IA32_SMM_MONITOR_CTL))
		return write ? MSR_GP : MSR_EMULATE;
	return nestor_policy(msr, write);
}

enum msr_action msr_policy(const struct msr_filter *f, uint32_t msr,
			   bool write)
{
	return msr_policy_vmx(f, msr, write, false);
}

static int bitmap_bit(uint32_t msr, bool write, unsigned *byte, unsigned *bit)
{
	unsigned base;

	if (msr <= LOW_LAST)
		base = 0;
	else if (msr >= HIGH_FIRST && msr <= HIGH_LAST)
		base = 1024;
	else
		return -1;
	if (write)
		base += 2048;
	*byte = base + (msr & 0x1fff) / 8;
	*bit = msr & 7;
	return 0;
}

void msr_bitmap_build(const struct msr_filter *f, uint8_t bitmap[4096])
{
	static const uint32_t range_start[2] = { 0, HIGH_FIRST };

	memset(bitmap, 0, 4096);
	for (unsigned r = 0; r < 2; r++) {
		for (uint32_t i = 0; i <= 0x1fff; i++) {
			uint32_t msr = range_start[r] + i;

			for (int w = 0; w < 2; w++) {
				unsigned byte, bit;

				if (msr_policy(f, msr, w) == MSR_PASS ||
				    bitmap_bit(msr, w, &byte, &bit))
					continue;
				bitmap[byte] |= (uint8_t)(1u << bit);
			}
		}
	}
}

bool msr_bitmap_intercepts(const uint8_t bitmap[4096], uint32_t msr, bool write)
{
	unsigned byte, bit;

	if (bitmap_bit(msr, write, &byte, &bit))
		return true; /* outside both ranges: always exits */
	return bitmap[byte] & (1u << bit);
}

void msr_bitmap_intercept(uint8_t bitmap[4096], uint32_t msr, bool write)
{
	unsigned byte, bit;

	if (!bitmap_bit(msr, write, &byte, &bit))
		bitmap[byte] |= (uint8_t)(1u << bit);
}
