/* RDMSR/WRMSR exits (SDM Vol. 3C, 25.1.3): decided by vmx/msr_policy.c
 * with the operator's MSR filter (msr_filter=, vmx/msr_filter.c). Nested
 * seam: L2 accesses will consult the same msr_policy() with the same filter
 * before L1's MSR bitmap. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "mm/phys_width.h"
#include "vmx/apic_icr.h"
#include "vmx/l1_msrs.h"
#include "vmx/msr_policy.h"
#include "vmx/mtrr.h"
#include "vmx/vmcs.h"

/* RDMSR of an MSR Nestor emulates. False: #GP(0). */
static bool emulated_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL:
		/* nested=on: per vCPU, locked with VMX outside SMX enabled
		 * as firmware leaves it (set at launch). */
		if (v->vm->nested) {
			*val = v->l1vmx.feature_control;
			return true;
		}
		/* What a CPU without VMX shows: locked, both VMX-enable bits
		 * clear (SDM Vol. 3C, 23.7). Other bits (e.g. SGX) as is. */
		if (rdmsr_checked(msr, val))
			return false;
		*val = (*val | FEATURE_CONTROL_LOCKED) &
		       ~(FEATURE_CONTROL_VMX_INSIDE_SMX |
			 FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return true;
	case MSR_IA32_MISC_ENABLE:
		/* Bits 11/12: BTS/PEBS unavailable (SDM Vol. 4, Table 2-2). */
		if (rdmsr_checked(msr, val))
			return false;
		*val |= (1ull << 11) | (1ull << 12);
		return true;
	case MSR_IA32_SMM_MONITOR_CTL:
		/* nested=on: no dual-monitor treatment, nothing set (SDM Vol. 3C
		 * 32.15.5); reached only when VMX is shown (msr_policy_vmx). */
		*val = 0;
		return true;
	default:
		if (msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST)
			return vmx_l1_msr_value(&v->vm->l1_caps, msr, val);
		return mtrr_msr(msr) && mtrr_read(&v->mtrr, msr, val);
	}
}

/* A denied access is the operator's decision, so it is logged, but a guest
 * must not flood the console: the first MSR_DENY_LOG_BURST denials, then one
 * in MSR_DENY_LOG_EVERY with the count so far. */
#define MSR_DENY_LOG_BURST 16
#define MSR_DENY_LOG_EVERY 1024

static void deny(struct vcpu *v, uint32_t msr, bool write)
{
	uint64_t n = ++v->msr_denials;

	if (n <= MSR_DENY_LOG_BURST || n % MSR_DENY_LOG_EVERY == 0)
		pr_warn("nestor: MSR filter denied guest %s of MSR 0x%x at RIP 0x%lx: #GP (%lu denials so far)\n",
			write ? "WRMSR" : "RDMSR", msr,
			exit_get(&v->exit, EF_RIP), n);
	inject_gp0(v);
}

/* x2APIC ICR (SDM Vol. 3A 11.12.9): INIT and Start-Up IPIs are refused
 * (vmx/apic_icr.h); the guest sees the other CPUs not come up. The write
 * is always intercepted, so it is checked here first as the CPU would:
 * outside x2APIC mode (IA32_APIC_BASE.EN and EXTD not both set) every
 * x2APIC MSR raises #GP(0) (11.12.1, 11.12.1.2), and so does a reserved
 * ICR bit. Nothing here may fault in Nestor: the MSRs are read checked. */
static void write_icr(struct vcpu *v, uint64_t val)
{
	uint64_t base, id, ldr;
	struct apic_self self;
	struct icr_write w;

	if (rdmsr_checked(MSR_IA32_APIC_BASE, &base) ||
	    (base & (APIC_BASE_EN | APIC_BASE_EXTD)) !=
		    (APIC_BASE_EN | APIC_BASE_EXTD) ||
	    (val & X2APIC_ICR_RESERVED) ||
	    rdmsr_checked(MSR_X2APIC_ID, &id) ||
	    rdmsr_checked(MSR_X2APIC_LDR, &ldr)) {
		inject_gp0(v);
		return;
	}
	self = (struct apic_self){ true, (uint32_t)id, (uint32_t)ldr, false };
	val &= ~X2APIC_ICR_IGNORED;
	w = (struct icr_write){ (uint32_t)val, (uint32_t)(val >> 32) };
	if (!apic_icr_route(&w, &self)) {
		if (v->refused_ipis++ < MSR_DENY_LOG_BURST)
			pr_warn("nestor: guest %s IPI (x2APIC ICR 0x%lx) refused: Nestor runs one vCPU and keeps the other CPUs\n",
				apic_icr_mode_name(val), val);
		skip_instruction(v);
		return;
	}
	if (wrmsr_checked(MSR_X2APIC_ICR, ((uint64_t)w.dest << 32) | w.icr)) {
		inject_gp0(v);
		return;
	}
	skip_instruction(v);
}

void handle_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val;

	switch (msr_policy_vmx(v->vm->msr_filter, msr, false, v->vm->nested)) {
	case MSR_EMULATE:
		if (!emulated_read(v, msr, &val)) {
			inject_gp0(v);
			return;
		}
		break;
	case MSR_PASS: /* intercepted for another reason (reduced width) */
		if (rdmsr_checked(msr, &val)) {
			inject_gp0(v);
			return;
		}
		/* A CPU of the guest's width has no address bits above it
		 * (mm/phys_width.h). */
		val = phys_width_msr_read(msr, val, v->vm->maxphyaddr);
		break;
	case MSR_DENY:
		deny(v, msr, false);
		return;
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
	uint64_t val = (v->regs->rdx << 32) | (uint32_t)v->regs->rax, cur;
	enum msr_action action = msr_policy_vmx(v->vm->msr_filter, msr, true, v->vm->nested);

	if (action == MSR_DENY) {
		deny(v, msr, true);
		return;
	}
	/* Address bits at and above the guest's MAXPHYADDR are reserved in
	 * the MSRs that hold physical addresses (mm/phys_width.h): checked
	 * before anything else (the CPU checks only its own width, and an
	 * emulated IA32_APIC_BASE write must #GP before any other rule). */
	if (!phys_width_msr_valid(msr, val, v->vm->maxphyaddr)) {
		inject_gp0(v);
		return;
	}
	switch (action) {
	case MSR_EMULATE:
		if (msr == MSR_X2APIC_ICR) {
			write_icr(v, val);
			return;
		}
		if (mtrr_msr(msr)) {
			if (!mtrr_write(&v->mtrr, msr, val, v->vm->maxphyaddr)) {
				inject_gp0(v);
				return;
			}
			break;
		}
		if (msr == MSR_IA32_XSS) {
			if ((val & XSS_PT) || wrmsr_checked(msr, val)) {
				inject_gp0(v);
				return;
			}
			break;
		}
		if (msr != MSR_IA32_APIC_BASE) {
			guest_unsupported(v, "WRMSR of an MSR Nestor emulates without a write handler (a bug in vmx/msr_policy.c)");
		}
		/* IA32_APIC_BASE. Bits 51:12 are the xAPIC base (Vol. 3A
		 * 11.4.4). Nestor does not move the window: a write that
		 * keeps it passes. */
		if (rdmsr_checked(msr, &cur)) {
			inject_gp0(v);
			return;
		}
		if ((val ^ cur) & APIC_BASE_ADDR)
			guest_unsupported(v, "the guest moved its local APIC window (IA32_APIC_BASE); Nestor does not relocate it");
		if (wrmsr_checked(msr, val)) {
			inject_gp0(v);
			return;
		}
		break;
	case MSR_IGNORE:
		pr_warn("nestor: guest WRMSR 0x%x = 0x%lx dropped (not allowed under Nestor)\n",
			msr, val);
		break;
	case MSR_PASS: /* intercepted for another reason (e.g. above) */
		if (wrmsr_checked(msr, val)) {
			inject_gp0(v);
			return;
		}
		break;
	default:
		inject_gp0(v);
		return;
	}
	skip_instruction(v);
}
