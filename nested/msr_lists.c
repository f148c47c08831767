/* L1's MSR lists (SDM Vol. 3C 24.7.2, 24.8.2): the VM-entry MSR-load list
 * (26.4), the VM-exit MSR-store list (27.4) and the VM-exit MSR-load list
 * (27.6), carried out for L1 by L0.
 *
 * Where an MSR lives while a level runs: the ones the VMCS switches
 * (SYSENTER_CS/ESP/EIP, IA32_DEBUGCTL, IA32_PAT where Nestor's VMCSes load
 * it, FS/GS base) are the current VMCS's guest fields, for L2 vmcs02's and
 * for L1 vmcs01's; the ones Nestor passes through (msr_policy_vmx() says
 * MSR_PASS) are the CPU's own and are read or written there with the
 * checked forms; the ones Nestor emulates or that the operator's filter
 * denies behave as a WRMSR/RDMSR of L1 at CPL 0 would. IA32_EFER in a list
 * is not emulated: said, and L1 stopped. */
#include "nested/msr_lists.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/string.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "vmx/exits.h"
#include "vmx/msr_policy.h"
#include "vmx/vmcs.h"

/* The VMCS guest field that holds `msr` for the running level, or 0. */
static uint32_t msr_field(const struct vcpu *v, uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		return VMCS_GUEST_IA32_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_IA32_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_IA32_SYSENTER_EIP;
	/* By the current VMCS's own entry controls: vmcs02 may load PAT
	 * for L1 where vmcs01 does not (26.4: the list comes after the
	 * guest state, so its value must be the one that entry loads). */
	case MSR_IA32_DEBUGCTL:
		return (v->cur->ctls.entry & ENTRY_LOAD_DEBUG_CONTROLS)
			       ? VMCS_GUEST_IA32_DEBUGCTL : 0;
	case MSR_IA32_PAT:
		return (v->cur->ctls.entry & ENTRY_LOAD_PAT)
			       ? VMCS_GUEST_IA32_PAT : 0;
	case 0xc0000100u: /* IA32_FS_BASE */
		return VMCS_GUEST_FS_BASE;
	case 0xc0000101u: /* IA32_GS_BASE */
		return VMCS_GUEST_GS_BASE;
	default:
		return 0;
	}
}

/* Canonical for the CPU's linear-address width (Vol. 1 3.3.7.1): 57 bits
 * where CPUID.(7,0):ECX.LA57[16] = 1, else 48. */
static bool canonical_for_cpu(uint64_t a)
{
	unsigned sh = (cpuid(7, 0).ecx & (1u << 16)) ? 7 : 16;

	return (uint64_t)((int64_t)(a << sh) >> sh) == a;
}

/* "WRMSR of the value would #GP at CPL 0" (26.4, 27.6) for the MSRs a
 * VMCS field holds, which no WRMSR of Nestor's would test: the SYSENTER
 * and FS/GS base addresses must be canonical (Vol. 3A 5.8.7), DEBUGCTL
 * keeps its reserved bits clear, PAT holds memory types (Vol. 4 Table
 * 2-2). */
static bool field_value_ok(uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case 0xc0000100u:
	case 0xc0000101u:
		return canonical_for_cpu(val);
	case MSR_IA32_DEBUGCTL:
		return !(val & debugctl_rsvd(cpuid(7, 0).ebx & (1u << 11)));
	case MSR_IA32_PAT:
		return pat_value_ok(val);
	default:
		return true;
	}
}

enum entry_msr_load nested_msr_load_decide(struct vcpu *v, uint32_t msr,
					   uint64_t val)
{
	if (msr == MSR_EFER)
		return ENTRY_MSR_LOAD_UNKNOWN;
	if (msr_field(v, msr) || msr == MSR_IA32_SYSENTER_CS)
		return field_value_ok(msr, val) ? ENTRY_MSR_LOAD_OK
						: ENTRY_MSR_LOAD_BAD;
	switch (msr_policy_vmx(v->vm->msr_filter, msr, true, v->vm->nested)) {
	case MSR_PASS:
	case MSR_IGNORE:
		return ENTRY_MSR_LOAD_OK;   /* the WRMSR itself decides */
	case MSR_GP:
	case MSR_DENY:
		return ENTRY_MSR_LOAD_BAD;  /* a WRMSR of L1 gets #GP(0) */
	default:
		return ENTRY_MSR_LOAD_UNKNOWN;
	}
}

/* One MSR written for the running level; false if the WRMSR would #GP. */
static bool load_one(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint32_t f = msr_field(v, msr);

	if (f) {
		if (!field_value_ok(msr, val))
			return false;
		vmcs_write(f, val);
		return true;
	}
	switch (msr_policy_vmx(v->vm->msr_filter, msr, true, v->vm->nested)) {
	case MSR_PASS:
		return wrmsr_checked(msr, val) == 0;
	case MSR_IGNORE:
		return true;
	case MSR_GP:
	case MSR_DENY:
		return false;
	default:
		log_printf(LOG_QUIET, "nestor: L1's MSR list loads MSR 0x%x, which Nestor emulates\n", msr);
		guest_unsupported(v, "an MSR Nestor emulates in L1's MSR-load list is not carried out yet");
	}
}

/* 24.7.2, 24.8.2: an entry is 16 bytes: index in 31:0, 63:32 reserved,
 * then the value. */
static bool read_entry(struct vcpu *v, uint64_t area, uint32_t i,
		       uint64_t e[2])
{
	return l2_read_l1(v, area + 16ull * i, e, 16);
}

/* Where the CPU would read or write the list, it is not L1's RAM (nor
 * Nestor's memory, which reads as all-ones): docs/architecture.md. */
static void area_stop(struct vcpu *v, const char *field, uint64_t area,
		      uint32_t i)
{
	l2_stop_address(v, field, area + 16ull * i,
			"the CPU would reach whatever is there; Nestor does not emulate that");
}

uint32_t nested_entry_msr_load(struct vcpu *v)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	/* 26.4: in order; the checks (vmx/entry_checks.c) passed every
	 * entry, so only the WRMSR itself can still fail. */
	for (uint32_t i = 0; i < f->ENTRY_MSR_LOAD_COUNT; i++) {
		uint64_t e[2];

		if (!read_entry(v, f->ENTRY_MSR_LOAD_ADDR, i, e))
			area_stop(v, "VM-entry MSR-load area (ENTRY_MSR_LOAD_ADDR)",
				  f->ENTRY_MSR_LOAD_ADDR, i);
		if (!load_one(v, (uint32_t)e[0], e[1]))
			return i + 1;
	}
	return 0;
}

void nested_entry_msr_load_prefix(struct vcpu *v, uint32_t n)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	for (uint32_t i = 0; i < n && i < f->ENTRY_MSR_LOAD_COUNT; i++) {
		uint64_t e[2];

		if (!read_entry(v, f->ENTRY_MSR_LOAD_ADDR, i, e))
			area_stop(v, "VM-entry MSR-load area (ENTRY_MSR_LOAD_ADDR)",
				  f->ENTRY_MSR_LOAD_ADDR, i);
		if (!load_one(v, (uint32_t)e[0], e[1]))
			guest_unsupported(v, "an MSR-load entry the checks passed faulted");
	}
}

bool nested_exit_msr_store(struct vcpu *v)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	for (uint32_t i = 0; i < f->EXIT_MSR_STORE_COUNT; i++) {
		uint64_t e[2], *slot;
		uint32_t msr, fld;

		if (!read_entry(v, f->EXIT_MSR_STORE_ADDR, i, e))
			area_stop(v, "VM-exit MSR-store area (EXIT_MSR_STORE_ADDR)",
				  f->EXIT_MSR_STORE_ADDR, i);
		msr = (uint32_t)e[0];
		/* 27.4: reserved bits, IA32_SMBASE and the x2APIC MSRs make the
		 * store fail (a VMX abort). */
		if ((e[0] >> 32) || msr == 0x9eu || (msr >> 8) == 0x8u)
			return false;
		fld = msr_field(v, msr);
		if (fld) {
			e[1] = vmcs_read(fld);
		} else if (msr == MSR_EFER) {
			e[1] = vmcs_read(VMCS_GUEST_IA32_EFER);
		} else {
			switch (msr_policy_vmx(v->vm->msr_filter, msr, false,
					       v->vm->nested)) {
			case MSR_PASS:
				if (rdmsr_checked(msr, &e[1]))
					return false;
				break;
			case MSR_GP:
			case MSR_DENY:
				return false;
			default:
				log_printf(LOG_QUIET, "nestor: L1's VM-exit MSR-store list reads MSR 0x%x, which Nestor emulates\n", msr);
				guest_unsupported(v, "an MSR Nestor emulates in L1's VM-exit MSR-store list is not carried out yet");
			}
		}
		slot = guest_phys_ptr(v, f->EXIT_MSR_STORE_ADDR + 16ull * i + 8, 8);
		if (!slot)
			area_stop(v, "VM-exit MSR-store area (EXIT_MSR_STORE_ADDR), written",
				  f->EXIT_MSR_STORE_ADDR, i);
		*slot = e[1];
	}
	return true;
}

bool nested_exit_msr_load(struct vcpu *v)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	for (uint32_t i = 0; i < f->EXIT_MSR_LOAD_COUNT; i++) {
		uint64_t e[2];
		uint32_t msr;

		if (!read_entry(v, f->EXIT_MSR_LOAD_ADDR, i, e))
			area_stop(v, "VM-exit MSR-load area (EXIT_MSR_LOAD_ADDR)",
				  f->EXIT_MSR_LOAD_ADDR, i);
		msr = (uint32_t)e[0];
		/* 27.6: FS/GS base, the x2APIC MSRs, IA32_SMM_MONITOR_CTL and
		 * reserved bits make the load fail (a VMX abort). */
		if (msr == 0xc0000100u || msr == 0xc0000101u || (msr >> 8) == 0x8u ||
		    msr == MSR_IA32_SMM_MONITOR_CTL || (e[0] >> 32))
			return false;
		if (msr == MSR_EFER)
			guest_unsupported(v, "IA32_EFER in L1's VM-exit MSR-load list is not carried out yet");
		if (!load_one(v, msr, e[1]))
			return false;
	}
	return true;
}
