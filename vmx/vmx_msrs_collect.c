/* Which VMX capability MSRs exist, and reading them through a reader the
 * caller gives (pure: Nestor reads with RDMSR, and so do the test guests,
 * tests/guests/rt/vmx.c). The rules are SDM Vol. 3D's:
 *  - TRUE_* controls (A.2): iff IA32_VMX_BASIC[55] = 1;
 *  - PROCBASED_CTLS2 (A.3.3): iff PROCBASED_CTLS allowed-1 bit 63
 *    ("activate secondary controls");
 *  - EPT_VPID_CAP (A.10): iff PROCBASED_CTLS2 allowed-1 bit 33 (EPT) or
 *    bit 37 (VPID);
 *  - VMFUNC (A.11): iff PROCBASED_CTLS2 allowed-1 bit 45 ("enable VM
 *    functions").
 * Reading an MSR that does not exist raises #GP, so these rules matter. */
#include "vmx/vmx_msrs.h"
#include "lib/string.h"

#define BASIC_TRUE_CTLS (1ULL << 55)
#define PROC_ALLOW1_SECONDARY (1ULL << (32 + 31))
#define PROC2_ALLOW1_EPT (1ULL << (32 + 1))
#define PROC2_ALLOW1_VPID (1ULL << (32 + 5))
#define PROC2_ALLOW1_VMFUNC (1ULL << (32 + 13))

void vmx_msrs_collect(struct vmx_msrs *m, uint64_t (*rd)(uint32_t msr))
{
	memset(m, 0, sizeof(*m));
	m->basic = rd(MSR_IA32_VMX_BASIC);
	m->pinbased = rd(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rd(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rd(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rd(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rd(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rd(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rd(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rd(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rd(MSR_IA32_VMX_CR4_FIXED1);
	m->vmcs_enum = rd(MSR_IA32_VMX_VMCS_ENUM);

	m->have_true_ctls = m->basic & BASIC_TRUE_CTLS;
	if (m->have_true_ctls) {
		m->true_pinbased = rd(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rd(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rd(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rd(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	m->have_procbased2 = m->procbased & PROC_ALLOW1_SECONDARY;
	if (!m->have_procbased2)
		return;
	m->procbased2 = rd(MSR_IA32_VMX_PROCBASED_CTLS2);
	m->have_ept_vpid_cap =
		m->procbased2 & (PROC2_ALLOW1_EPT | PROC2_ALLOW1_VPID);
	if (m->have_ept_vpid_cap)
		m->ept_vpid_cap = rd(MSR_IA32_VMX_EPT_VPID_CAP);
	m->have_vmfunc = m->procbased2 & PROC2_ALLOW1_VMFUNC;
	if (m->have_vmfunc)
		m->vmfunc = rd(MSR_IA32_VMX_VMFUNC);
}
