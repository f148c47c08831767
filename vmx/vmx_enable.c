/* Entering VMX operation (SDM Vol. 3C, 24.7 "Enabling and entering VMX
 * operation", 24.8 "Restrictions on VMX operation"). */
#include "vmx/vmx_enable.h"
#include "vmx/vmcs_track.h"
#include "arch/x86/cpu.h"
#include "vmx/vmx_options.h"
#include "lib/log.h"
#include "vmx/vmx_insn.h"


/* 24.7: VMXON outside SMX needs IA32_FEATURE_CONTROL bits 0 (lock) and 2.
 * Firmware (and nested KVM) may leave the MSR unlocked: then Nestor sets
 * "VMX outside SMX" and locks it, as the SDM expects system software to. */
static int feature_control_ready(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		pr_info("nestor: IA32_FEATURE_CONTROL was unlocked; enabled VMX outside SMX and locked it (0x%lx)\n",
			fc);
		return 0;
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		pr_err("nestor: VMX is disabled by the firmware: IA32_FEATURE_CONTROL = 0x%lx is locked with bit 2 (VMX outside SMX) clear; enable VT-x in the firmware setup\n",
		       fc);
		return -1;
	}
	return 0;
}

/* 24.8: CR0 and CR4 bits fixed to 1 in VMX operation are set, bits fixed
 * to 0 must already be clear (Nestor never sets any of them). */
static int apply_fixed_bits(const struct vmx_config *cfg)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;

	cr0 |= cfg->cr0_fixed0;
	cr4 |= cfg->cr4_fixed0;
	if ((cr0 & ~cfg->cr0_fixed1) || (cr4 & ~cfg->cr4_fixed1)) {
		pr_err("nestor: CR0 0x%lx / CR4 0x%lx have bits that VMX operation requires clear (IA32_VMX_CR0_FIXED1 0x%lx, IA32_VMX_CR4_FIXED1 0x%lx)\n",
		       cr0, cr4, cfg->cr0_fixed1, cfg->cr4_fixed1);
		return -1;
	}
	write_cr0(cr0);
	if (vmx_options.test_vmxon_fault)
		cr4 &= ~CR4_VMXE; /* test only: make VMXON #UD */
	write_cr4(cr4);
	return 0;
}

int vmx_enable(const struct vmx_config *cfg, uint64_t vmxon_pa)
{
	unsigned st;

	if (feature_control_ready() || apply_fixed_bits(cfg))
		return -1;
	/* 24.11.5: the VMXON region starts with the VMCS revision id. */
	*(volatile uint32_t *)vmxon_pa = cfg->revision;
	/* Marked before VMXON: an NMI right after it must find VMX on to
	 * leave it (the teardown tolerates VMXOFF's #UD if VMXON failed). */
	vmx_cpu_entered(vmxon_pa);
	st = vmxon_checked(vmxon_pa);
	if (st & EXTABLE_FAULTED) {
		unsigned vec = st & 0xff;

		pr_err("nestor: VMXON faulted with %s (vector %u): CR0=0x%lx CR4=0x%lx IA32_FEATURE_CONTROL=0x%lx VMXON region=0x%lx\n",
		       vec == 6 ? "#UD" : vec == 13 ? "#GP" : "an exception", vec,
		       read_cr0(), read_cr4(), rdmsr(MSR_IA32_FEATURE_CONTROL),
		       vmxon_pa);
		vmx_cpu_left();
		write_cr4(read_cr4() & ~CR4_VMXE);
		pr_err("nestor: CR4.VMXE cleared again; VMX not entered\n");
		return -1;
	}
	if (st != VMX_OK) {
		/* VMfailInvalid: e.g. bad region or wrong revision (31.3). */
		pr_err("nestor: VMXON failed (%s) with region 0x%lx, revision 0x%x\n",
		       st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid",
		       vmxon_pa, cfg->revision);
		vmx_cpu_left();
		write_cr4(read_cr4() & ~CR4_VMXE);
		return -1;
	}
	pr_info("nestor: VMX operation entered (VMXON region 0x%lx)\n", vmxon_pa);
	return 0;
}
