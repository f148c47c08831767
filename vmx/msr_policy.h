/* What happens to a guest RDMSR/WRMSR (pure: unit tested, and the MSR
 * bitmap is computed from it). */
#ifndef NESTOR_VMX_MSR_POLICY_H
#define NESTOR_VMX_MSR_POLICY_H

#include "arch/x86/regs.h"
#include <stdbool.h>
#include <stdint.h>

enum msr_action {
	MSR_PASS,     /* no VM exit: the guest uses the real MSR */
	MSR_GP,       /* exit; #GP(0) as a CPU without that MSR would give */
	MSR_EMULATE,  /* exit; Nestor answers (vmx/exit_msr.c) */
	MSR_IGNORE,   /* exit; the write is dropped (logged) */
};

#define MSR_RTIT_FIRST 0x560 /* IA32_RTIT_OUTPUT_BASE, _MASK_PTRS */
#define MSR_RTIT_CTL 0x570   /* 0x570-0x572: CTL, STATUS, CR3_MATCH */
#define MSR_RTIT_ADDR_FIRST 0x580
#define MSR_RTIT_ADDR_LAST 0x58b
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST 0x493 /* IA32_VMX_EXIT_CTLS2, the highest today */

enum msr_action msr_policy(uint32_t msr, bool write);

/* The 4-KiB MSR bitmap (SDM Vol. 3C, 24.6.9): read bitmap for low MSRs
 * (0x0-0x1fff) at byte 0, read high (0xc0000000-0xc0001fff) at 1024, write
 * low at 2048, write high at 3072; a set bit makes the access exit. */
void msr_bitmap_build(uint8_t bitmap[4096]);
bool msr_bitmap_intercepts(const uint8_t bitmap[4096], uint32_t msr, bool write);

#endif
