/* Control-register accesses that exit: MOV to CR0/CR4 (and LMSW) touching a
 * bit Nestor owns through the guest/host masks (SDM Vol. 3C, 25.1.3; exit
 * qualification 27.2.1, Table 27-3). The guest sees its own value through
 * the read shadow; the real register keeps the bits VMX needs. Architectural
 * #GP cases of MOV to CR0/CR4 (SDM Vol. 2B, MOV—Move to/from Control
 * Registers; Vol. 3A, 2.5) are raised as the hardware would. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"
#include "vmx/tlb.h"

#define CS_AR_L (1u << 13)

static void emulate_cr0_write(struct vcpu *v, uint64_t val)
{
	uint64_t mask = v->cr0_guest_host_mask;
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t real;

	/* #GP: reserved bits 63:32, PG without PE, NW without CD (Vol. 3A
	 * 2.5; Vol. 2B MOV CR). */
	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD))) {
		inject_gp0(v);
		return;
	}
	/* Enabling paging with EFER.LME = 1 activates IA-32e mode and needs
	 * CR4.PAE (Vol. 3A 9.8.5); an exiting MOV does not do it for us. */
	if ((val & CR0_PG) && !(vmcs_read(VMCS_GUEST_CR0) & CR0_PG) &&
	    (efer & EFER_LME)) {
		if (!(vmcs_read(VMCS_GUEST_CR4) & CR4_PAE)) {
			inject_gp0(v);
			return;
		}
		vmcs_write(VMCS_GUEST_IA32_EFER, efer | EFER_LMA);
		vmcs_set_bits(VMCS_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
	} else if (!(val & CR0_PG) && (efer & EFER_LMA)) {
		/* Leaving long mode with CS.L = 1 is #GP (Vol. 3A 9.8.5.4). */
		if (vmcs_read(VMCS_GUEST_CS_AR) & CS_AR_L) {
			inject_gp0(v);
			return;
		}
		vmcs_write(VMCS_GUEST_IA32_EFER, efer & ~EFER_LMA);
		vmcs_clear_bits(VMCS_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
	}
	if (!v->cfg->unrestricted_guest && (~val & (CR0_PE | CR0_PG)))
		guest_unsupported(v, "the guest turned off protected mode or paging, which needs unrestricted guest (IA32_VMX_PROCBASED_CTLS2 bit 39) that this CPU lacks");
	/* The real CR0 keeps the bits VMX fixes to 1 (24.8, A.7). */
	real = (val & ~mask) | (v->cfg->cr0_fixed0 & mask);
	if (v->cfg->unrestricted_guest)
		real = (real & ~(CR0_PE | CR0_PG)) | (val & (CR0_PE | CR0_PG));
	vmcs_write(VMCS_GUEST_CR0, real);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	flush_guest_tlb(v);
	skip_instruction(v);
}

static void emulate_cr4_write(struct vcpu *v, uint64_t val)
{
	uint64_t mask = v->cr4_guest_host_mask;
	/* VMXE and SMXE: VMX and SMX are hidden from the guest. */
	uint64_t allowed = v->cfg->cr4_fixed1 & ~(CR4_VMXE | CR4_SMXE);

	/* #GP: bits the CPU does not support (here: not allowed in VMX
	 * operation besides VMXE, which the guest must not see), clearing
	 * PAE in IA-32e mode, setting PCIDE with CR3[11:0] != 0 (Vol. 2B
	 * MOV CR; Vol. 3A 4.10.1). */
	if ((val & ~allowed) ||
	    (!(val & CR4_PAE) && (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA)) ||
	    ((val & CR4_PCIDE) && !(vmcs_read(VMCS_GUEST_CR4) & CR4_PCIDE) &&
	     (vmcs_read(VMCS_GUEST_CR3) & 0xfff))) {
		inject_gp0(v);
		return;
	}
	vmcs_write(VMCS_GUEST_CR4, (val & ~mask) | (v->cfg->cr4_fixed0 & mask));
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	flush_guest_tlb(v);
	skip_instruction(v);
}

static uint64_t guest_visible_cr0(const struct vcpu *v)
{
	return (vmcs_read(VMCS_GUEST_CR0) & ~v->cr0_guest_host_mask) |
	       (vmcs_read(VMCS_CR0_READ_SHADOW) & v->cr0_guest_host_mask);
}

/* MOV to CR uses 64-bit operands only in 64-bit mode (IA-32e mode with
 * CS.L = 1); elsewhere the upper half of the register is ignored (Vol. 2B,
 * MOV—Move to/from Control Registers). */
static uint64_t cr_source(struct vcpu *v, unsigned gpr)
{
	uint64_t val = gpr_read(v, gpr);

	if (!(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) ||
	    !(vmcs_read(VMCS_GUEST_CS_AR) & CS_AR_L))
		val &= 0xffffffffull;
	return val;
}

void handle_cr_access(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned cr = q & 0xf, type = (q >> 4) & 3, gpr = (q >> 8) & 0xf;

	switch (type) {
	case 0: /* MOV to CR */
		if (cr == 0)
			emulate_cr0_write(v, cr_source(v, gpr));
		else if (cr == 4)
			emulate_cr4_write(v, cr_source(v, gpr));
		else
			guest_unsupported(v, "MOV to a control register Nestor does not intercept");
		return;
	case 3: { /* LMSW: bits 3:0 only; it can set PE but never clear it */
		uint64_t cr0 = guest_visible_cr0(v);
		uint64_t src = (q >> 16) & 0xf;

		emulate_cr0_write(v, (cr0 & ~(CR0_MP | CR0_EM | CR0_TS)) | src | (cr0 & CR0_PE));
		return;
	}
	default: /* MOV from CR, CLTS: no owned bit makes these exit */
		guest_unsupported(v, "unexpected control-register access exit");
	}
}
