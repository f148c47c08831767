/* See vmx/l1_msrs.h. */
#include "vmx/l1_msrs.h"

bool vmx_l1_msr_value(const struct vmx_msrs *l1, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_VMX_BASIC: *val = l1->basic; return true;
	case MSR_IA32_VMX_PINBASED_CTLS: *val = l1->pinbased; return true;
	case MSR_IA32_VMX_PROCBASED_CTLS: *val = l1->procbased; return true;
	case MSR_IA32_VMX_EXIT_CTLS: *val = l1->exit; return true;
	case MSR_IA32_VMX_ENTRY_CTLS: *val = l1->entry; return true;
	case MSR_IA32_VMX_MISC: *val = l1->misc; return true;
	case MSR_IA32_VMX_CR0_FIXED0: *val = l1->cr0_fixed0; return true;
	case MSR_IA32_VMX_CR0_FIXED1: *val = l1->cr0_fixed1; return true;
	case MSR_IA32_VMX_CR4_FIXED0: *val = l1->cr4_fixed0; return true;
	case MSR_IA32_VMX_CR4_FIXED1: *val = l1->cr4_fixed1; return true;
	case MSR_IA32_VMX_VMCS_ENUM: *val = l1->vmcs_enum; return true;
	/* A.3.3: exists iff bit 63 of IA32_VMX_PROCBASED_CTLS (allowed-1 of
	 * "activate secondary controls") is 1. */
	case MSR_IA32_VMX_PROCBASED_CTLS2:
		*val = l1->procbased2;
		return l1->have_procbased2;
	/* A.10: iff "enable EPT" or "enable VPID" may be 1. */
	case MSR_IA32_VMX_EPT_VPID_CAP:
		*val = l1->ept_vpid_cap;
		return l1->have_ept_vpid_cap;
	/* A.2: the TRUE MSRs iff IA32_VMX_BASIC[55] = 1. */
	case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
		*val = l1->true_pinbased;
		return l1->have_true_ctls;
	case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
		*val = l1->true_procbased;
		return l1->have_true_ctls;
	case MSR_IA32_VMX_TRUE_EXIT_CTLS:
		*val = l1->true_exit;
		return l1->have_true_ctls;
	case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		*val = l1->true_entry;
		return l1->have_true_ctls;
	/* A.11: iff "enable VM functions" may be 1. */
	case MSR_IA32_VMX_VMFUNC:
		*val = l1->vmfunc;
		return l1->have_vmfunc;
	default:
		/* IA32_VMX_PROCBASED_CTLS3, IA32_VMX_EXIT_CTLS2: their
		 * controls are never shown (vmx_l1_msrs()). */
		*val = 0;
		return false;
	}
}
