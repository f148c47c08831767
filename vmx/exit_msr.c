/* RDMSR/WRMSR exits (SDM Vol. 3C, 25.1.3): decided by vmx/msr_policy.c.
 * Issue 5's MSR filter and nested VMX (L2 accesses) will consult the same
 * decision function. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "vmx/msr_policy.h"

static uint64_t emulated_read(uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL:
		/* What a CPU without VMX shows: locked, both VMX-enable bits
		 * clear (SDM Vol. 3C, 23.7). Other bits (e.g. SGX) as is. */
		return (rdmsr(MSR_IA32_FEATURE_CONTROL) | FEATURE_CONTROL_LOCKED) &
		       ~(FEATURE_CONTROL_VMX_INSIDE_SMX |
			 FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	case MSR_IA32_MISC_ENABLE:
		/* Bits 11/12: BTS/PEBS unavailable (SDM Vol. 4, Table 2-2). */
		return rdmsr(MSR_IA32_MISC_ENABLE) | (1ull << 11) | (1ull << 12);
	default:
		return 0;
	}
}

void handle_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val;

	switch (msr_policy(msr, false)) {
	case MSR_EMULATE:
		val = emulated_read(msr);
		break;
	case MSR_PASS: /* only reached if the bitmap and policy disagree */
		val = rdmsr(msr);
		break;
	default:
		inject_gp0(v);
		return;
	}
	v->regs->rax = (uint32_t)val;
	v->regs->rdx = val >> 32;
	skip_instruction(v);
}

void handle_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val = (v->regs->rdx << 32) | (uint32_t)v->regs->rax;

	switch (msr_policy(msr, true)) {
	case MSR_EMULATE: /* IA32_APIC_BASE */
		/* Bits 51:12 are the xAPIC base (Vol. 3A 10.4.4). Nestor does
		 * not move the window: a write that keeps it passes. */
		if ((val ^ rdmsr(msr)) & 0x000ffffffffff000ull)
			guest_unsupported(v, "the guest moved its local APIC window (IA32_APIC_BASE); Nestor does not relocate it");
		wrmsr(msr, val);
		break;
	case MSR_IGNORE:
		pr_warn("nestor: guest WRMSR 0x%x = 0x%lx dropped (not allowed under Nestor)\n",
			msr, val);
		break;
	case MSR_PASS:
		wrmsr(msr, val);
		break;
	default:
		inject_gp0(v);
		return;
	}
	skip_instruction(v);
}
