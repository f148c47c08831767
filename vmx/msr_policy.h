/* What happens to a guest RDMSR/WRMSR, given the operator's MSR filter
 * (pure: unit tested, and the MSR bitmap is computed from it).
 *
 * Nested seam: when nested VMX comes, an L2 access (not yet implemented)
 * will consult msr_filter_allows()/msr_policy() with this same filter first,
 * and only then L1's own MSR bitmap: the operator's filter binds L2 too, and
 * L1 cannot grant L2 an MSR that the filter or Nestor's policy takes away. */
#ifndef NESTOR_VMX_MSR_POLICY_H
#define NESTOR_VMX_MSR_POLICY_H

#include "arch/x86/regs.h"
#include "vmx/msr_filter.h"
#include <stdbool.h>
#include <stdint.h>

enum msr_action {
	MSR_PASS,     /* no VM exit: the guest uses the real MSR */
	MSR_GP,       /* exit; #GP(0) as a CPU without that MSR would give */
	MSR_EMULATE,  /* exit; Nestor answers (vmx/exit_msr.c) */
	MSR_IGNORE,   /* exit; the write is dropped (logged) */
	MSR_DENY,     /* exit; #GP(0) because the operator's filter denies it
		       * (logged) */
};

#define MSR_RTIT_FIRST 0x560 /* IA32_RTIT_OUTPUT_BASE, _MASK_PTRS */
#define MSR_RTIT_CTL 0x570   /* 0x570-0x572: CTL, STATUS, CR3_MATCH */
#define MSR_RTIT_ADDR_FIRST 0x580
#define MSR_RTIT_ADDR_LAST 0x58b
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST 0x493 /* IA32_VMX_EXIT_CTLS2, the highest today */

/* The action for one access. f is the operator's filter (NULL: none). The
 * x2APIC MSRs are never filtered; otherwise a denied access is MSR_DENY;
 * otherwise Nestor's own policy decides (see msr_policy.c). */
/* The same with nested VMX shown to the guest (nested=on): the VMX
 * capability MSRs and IA32_SMM_MONITOR_CTL are then read-only MSRs Nestor
 * answers (MSR_EMULATE for reads, #GP for writes: SDM Vol. 4 Table 2-2,
 * Vol. 3C A.1). The filter still comes first. */
enum msr_action msr_policy_vmx(const struct msr_filter *f, uint32_t msr,
			       bool write, bool vmx_shown);
enum msr_action msr_policy(const struct msr_filter *f, uint32_t msr,
			   bool write);

/* The 4-KiB MSR bitmap (SDM Vol. 3C, 24.6.9): read bitmap for low MSRs
 * (0x0-0x1fff) at byte 0, read high (0xc0000000-0xc0001fff) at 1024, write
 * low at 2048, write high at 3072; a set bit makes the access exit. The
 * bit is set for every access whose msr_policy(f, ...) is not MSR_PASS. */
void msr_bitmap_build(const struct msr_filter *f, uint8_t bitmap[4096]);
bool msr_bitmap_intercepts(const uint8_t bitmap[4096], uint32_t msr, bool write);
/* Make one more access exit, for a reason outside msr_policy() (e.g. a
 * reduced guest MAXPHYADDR: vmx/phys_width_exits.c). MSRs outside the two
 * ranges always exit already. */
void msr_bitmap_intercept(uint8_t bitmap[4096], uint32_t msr, bool write);

#endif
