/* Reading the VMX capability MSRs with RDMSR (which ones exist:
 * vmx/vmx_msrs_collect.c), and printing them. */
#include "vmx/vmx_msrs.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/string.h"

static uint64_t rdmsr_of(uint32_t msr)
{
	return rdmsr(msr);
}

void vmx_msrs_read(struct vmx_msrs *m)
{
	vmx_msrs_collect(m, rdmsr_of);
}

static void print_msr(const char *name, bool have, uint64_t v)
{
	if (have)
		pr_info("  %-28s 0x%016lx\n", name, v);
	else
		pr_info("  %-28s (not supported)\n", name);
}

void vmx_msrs_print(const struct vmx_msrs *m)
{
	pr_info("nestor: VMX capability MSRs:\n");
	print_msr("IA32_VMX_BASIC", true, m->basic);
	print_msr("IA32_VMX_PINBASED_CTLS", true, m->pinbased);
	print_msr("IA32_VMX_PROCBASED_CTLS", true, m->procbased);
	print_msr("IA32_VMX_PROCBASED_CTLS2", m->have_procbased2, m->procbased2);
	print_msr("IA32_VMX_EXIT_CTLS", true, m->exit);
	print_msr("IA32_VMX_ENTRY_CTLS", true, m->entry);
	print_msr("IA32_VMX_TRUE_PINBASED_CTLS", m->have_true_ctls, m->true_pinbased);
	print_msr("IA32_VMX_TRUE_PROCBASED_CTLS", m->have_true_ctls, m->true_procbased);
	print_msr("IA32_VMX_TRUE_EXIT_CTLS", m->have_true_ctls, m->true_exit);
	print_msr("IA32_VMX_TRUE_ENTRY_CTLS", m->have_true_ctls, m->true_entry);
	print_msr("IA32_VMX_MISC", true, m->misc);
	print_msr("IA32_VMX_CR0_FIXED0", true, m->cr0_fixed0);
	print_msr("IA32_VMX_CR0_FIXED1", true, m->cr0_fixed1);
	print_msr("IA32_VMX_CR4_FIXED0", true, m->cr4_fixed0);
	print_msr("IA32_VMX_CR4_FIXED1", true, m->cr4_fixed1);
	print_msr("IA32_VMX_VMCS_ENUM", true, m->vmcs_enum);
	print_msr("IA32_VMX_EPT_VPID_CAP", m->have_ept_vpid_cap, m->ept_vpid_cap);
	print_msr("IA32_VMX_VMFUNC", m->have_vmfunc, m->vmfunc);
}
