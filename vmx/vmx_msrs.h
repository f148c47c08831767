/* The VMX capability MSRs, read raw (SDM Vol. 3D, Appendix A). */
#ifndef NESTOR_VMX_VMX_MSRS_H
#define NESTOR_VMX_VMX_MSRS_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_VMCS_ENUM 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_IA32_VMX_VMFUNC 0x491

/* Raw values; an MSR the CPU does not have (per the rules in Appendix A) is
 * left 0 and its `have_` flag false. */
struct vmx_msrs {
	uint64_t basic, pinbased, procbased, exit, entry, misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	uint64_t procbased2, ept_vpid_cap, vmfunc;
	uint64_t true_pinbased, true_procbased, true_exit, true_entry;
	bool have_procbased2, have_ept_vpid_cap, have_vmfunc, have_true_ctls;
};

/* Every VMX capability MSR that exists, read with rd(msr) (pure: the rules
 * of Appendix A on which exist, vmx/vmx_msrs_collect.c). */
void vmx_msrs_collect(struct vmx_msrs *m, uint64_t (*rd)(uint32_t msr));

/* Read every VMX capability MSR that exists. Only call on a CPU with
 * CPUID.01H:ECX.VMX = 1. */
void vmx_msrs_read(struct vmx_msrs *m);

/* Print them, one per line, for the boot banner. */
void vmx_msrs_print(const struct vmx_msrs *m);

#endif
