/* Reading the VMX capability MSRs. Which ones exist follows SDM Vol. 3D:
 *  - TRUE_* controls (A.2): iff IA32_VMX_BASIC[55] = 1;
 *  - PROCBASED_CTLS2 (A.3.3): iff PROCBASED_CTLS allowed-1 bit 63
 *    ("activate secondary controls");
 *  - EPT_VPID_CAP (A.10): iff PROCBASED_CTLS2 allowed-1 bit 33 (EPT) or
 *    bit 37 (VPID);
 *  - VMFUNC (A.11): iff PROCBASED_CTLS2 allowed-1 bit 45 ("enable VM
 *    functions").
 * Reading an MSR that does not exist raises #GP, so these rules matter. */
#include "vmx/vmx_msrs.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/string.h"

#define BASIC_TRUE_CTLS (1ULL << 55)
#define PROC_ALLOW1_SECONDARY (1ULL << (32 + 31))
#define PROC2_ALLOW1_EPT (1ULL << (32 + 1))
#define PROC2_ALLOW1_VPID (1ULL << (32 + 5))
#define PROC2_ALLOW1_VMFUNC (1ULL << (32 + 13))

void vmx_msrs_read(struct vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	m->vmcs_enum = rdmsr(MSR_IA32_VMX_VMCS_ENUM);

	m->have_true_ctls = m->basic & BASIC_TRUE_CTLS;
	if (m->have_true_ctls) {
		m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	m->have_procbased2 = m->procbased & PROC_ALLOW1_SECONDARY;
	if (!m->have_procbased2)
		return;
	m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	m->have_ept_vpid_cap =
		m->procbased2 & (PROC2_ALLOW1_EPT | PROC2_ALLOW1_VPID);
	if (m->have_ept_vpid_cap)
		m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	m->have_vmfunc = m->procbased2 & PROC2_ALLOW1_VMFUNC;
	if (m->have_vmfunc)
		m->vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
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
