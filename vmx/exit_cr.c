/* Control-register accesses that exit: MOV to CR0/CR4 (and LMSW) touching a
 * bit Nestor owns through the guest/host masks (SDM Vol. 3C, 25.1.3; exit
 * qualification 27.2.1, Table 27-3). The guest sees its own value through
 * the read shadow; the real register keeps the bits VMX needs. Architectural
 * #GP cases of MOV to CR0/CR4 (SDM Vol. 2B, MOV—Move to/from Control
 * Registers; Vol. 3A, 2.5) are raised as the hardware would. */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/phys_width.h"
#include "vmx/exit_info.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_controls.h"
#include "vmx/tlb.h"

#define CR3_PCID_NOFLUSH (1ull << 63)

/* SDM Vol. 3A 4.4.1: with PAE paging (CR0.PG = 1, CR4.PAE = 1, not IA-32e
 * mode) the four PDPTEs at CR3[31:5] are loaded into registers; a present
 * one with a reserved bit set (63:MAXPHYADDR with the guest's width) makes
 * the loading instruction raise #GP(0) instead. With EPT the registers are
 * the VMCS guest PDPTE fields (24.4.2; VM entry loads them, 26.3.2.4).
 * Returns false for #GP. */
static bool load_pae_pdptes(struct vcpu *v, uint64_t cr3)
{
	uint64_t pdpte[4];
	const void *p = guest_phys_ptr(v, cr3 & 0xffffffe0ull, sizeof(pdpte));

	if (!p)
		guest_unsupported(v, "the guest's PAE page-directory-pointer table is not in its RAM");
	memcpy(pdpte, p, sizeof(pdpte));
	for (unsigned i = 0; i < 4; i++)
		if (!phys_width_pdpte_valid(pdpte[i], v->vm->maxphyaddr))
			return false;
	vmcs_write(VMCS_GUEST_PDPTE0, pdpte[0]);
	vmcs_write(VMCS_GUEST_PDPTE1, pdpte[1]);
	vmcs_write(VMCS_GUEST_PDPTE2, pdpte[2]);
	vmcs_write(VMCS_GUEST_PDPTE3, pdpte[3]);
	return true;
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* 4.4.1: a MOV to CR0/CR4 after which PAE paging is in use loads the PDPTEs
 * if it modifies CR0.CD, NW or PG, or CR4.PAE, PGE, PSE or SMEP. */
static bool reload_pdptes(struct vcpu *v, uint64_t cr0, uint64_t old_cr0,
			  uint64_t cr4, uint64_t old_cr4, uint64_t efer)
{
	uint64_t cr0_bits = CR0_CD | CR0_NW | CR0_PG;
	uint64_t cr4_bits = CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP;

	if (!pae_paging(cr0, cr4, efer) ||
	    !(((cr0 ^ old_cr0) & cr0_bits) || ((cr4 ^ old_cr4) & cr4_bits)))
		return true;
	return load_pae_pdptes(v, vmcs_read(VMCS_GUEST_CR3));
}


/* The entry control "IA-32e mode guest" follows EFER.LMA (24.8.1, 26.3.1.1);
 * this file and vmx/vmcs_setup.c own that want. */
static void set_ia32e_guest(struct vcpu *v, bool on)
{
	v->wants.ia32e_guest = on;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

/* In VMX operation the bits IA32_VMX_CR0/CR4_FIXED0 set must stay 1 and
 * the bits FIXED1 clears must stay 0 (SDM Vol. 3C 23.8): a MOV to CR0/CR4
 * that breaks them raises #GP(0), checked against the values L1 was shown
 * (they include CR4.VMXE, so clearing it in VMX operation is #GP too). */
static bool l1_vmx_cr_ok(const struct vcpu *v, uint64_t val, uint64_t fixed0,
			 uint64_t fixed1)
{
	if (!v->l1vmx.on)
		return true;
	return !(fixed0 & ~val) && !(val & ~fixed1 & 0xffffffffull);
}

static void emulate_cr0_write(struct vcpu *v, uint64_t val)
{
	/* Watched bits are owned only to see the write: their value is the
	 * guest's; the other owned bits are the ones VMX fixes. */
	uint64_t mask = l0_cr0_owned(v->cfg);
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t old = guest_visible_cr0(v);
	uint64_t real;

	/* #GP: reserved bits 63:32, PG without PE, NW without CD (Vol. 3A
	 * 2.5; Vol. 2B MOV CR). */
	/* ... and clearing PG while CR4.PCIDE = 1 (Vol. 3A 4.10.1). */
	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)) ||
	    (!(val & CR0_PG) && (guest_visible_cr4(v) & CR4_PCIDE)) ||
	    !l1_vmx_cr_ok(v, val, v->vm->l1_caps.cr0_fixed0,
			  v->vm->l1_caps.cr0_fixed1)) {
		inject_gp0(v);
		return;
	}
	/* PDPTEs, when PAE paging will be in use: EFER.LMA after the write is
	 * LME AND PG (Vol. 3A 9.8.5). Checked before anything changes. */
	if (!reload_pdptes(v, val, old, guest_visible_cr4(v), guest_visible_cr4(v),
			   (val & CR0_PG) && (efer & EFER_LME) ? efer | EFER_LMA
							  : efer & ~EFER_LMA)) {
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
		set_ia32e_guest(v, true);
	} else if (!(val & CR0_PG) && (efer & EFER_LMA)) {
		/* Leaving long mode with CS.L = 1 is #GP (Vol. 3A 9.8.5.4). */
		if (vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L) {
			inject_gp0(v);
			return;
		}
		vmcs_write(VMCS_GUEST_IA32_EFER, efer & ~EFER_LMA);
		set_ia32e_guest(v, false);
	}
	if (!v->cfg->unrestricted_guest && (~val & (CR0_PE | CR0_PG)))
		guest_unsupported(v, "the guest turned off protected mode or paging, which needs unrestricted guest (IA32_VMX_PROCBASED_CTLS2 bit 39) that this CPU lacks");
	/* The real CR0 keeps the bits VMX fixes to 1 (24.8, A.7). */
	real = (val & ~mask) | (v->cfg->cr0_fixed0 & mask);
	if (v->cfg->unrestricted_guest)
		real = (real & ~(CR0_PE | CR0_PG)) | (val & (CR0_PE | CR0_PG));
	vmcs_write(VMCS_GUEST_CR0, real);
	vmcs_set_cr0_shadow(v, val);
	/* 26.3.2.1, 27.5.1: VM entries and exits never modify CR0.CD and NW,
	 * so the guest's are the processor's: a write Nestor intercepted
	 * (a guest MAXPHYADDR below the host's watches them) is carried out
	 * on the CPU itself, as the guest's MOV would have been. */
	if ((read_cr0() ^ val) & (CR0_CD | CR0_NW))
		write_cr0((read_cr0() & ~(CR0_CD | CR0_NW)) |
			  (val & (CR0_CD | CR0_NW)));
	flush_guest_tlb(v);
	skip_instruction(v);
}

static void emulate_cr4_write(struct vcpu *v, uint64_t val)
{
	uint64_t mask = l0_cr4_owned(v->cfg);
	uint64_t old = guest_visible_cr4(v);
	/* SMXE: SMX is hidden from the guest; VMXE too unless nested=on. */
	uint64_t allowed = v->cfg->cr4_fixed1 &
			   ~(CR4_SMXE | (v->vm->nested ? 0 : CR4_VMXE));

	/* #GP: bits the CPU does not support (here: not allowed in VMX
	 * operation besides VMXE, which the guest must not see), clearing
	 * PAE in IA-32e mode, setting PCIDE with CR3[11:0] != 0 (Vol. 2B
	 * MOV CR; Vol. 3A 4.10.1). */
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);

	/* Also #GP: PCIDE outside IA-32e mode, changing LA57 in IA-32e mode
	 * (Vol. 2B MOV CR; Vol. 3A 4.10.1, 4.1.1). */
	if (((val & CR4_PCIDE) && !(efer & EFER_LMA)) ||
	    ((efer & EFER_LMA) && ((val ^ old) & CR4_LA57))) {
		inject_gp0(v);
		return;
	}
	if ((val & ~allowed) ||
	    !l1_vmx_cr_ok(v, val, v->vm->l1_caps.cr4_fixed0,
			  v->vm->l1_caps.cr4_fixed1) ||
	    (!(val & CR4_PAE) && (efer & EFER_LMA)) ||
	    ((val & CR4_PCIDE) && !(vmcs_read(VMCS_GUEST_CR4) & CR4_PCIDE) &&
	     (vmcs_read(VMCS_GUEST_CR3) & 0xfff))) {
		inject_gp0(v);
		return;
	}
	if (!reload_pdptes(v, guest_visible_cr0(v), guest_visible_cr0(v), val,
			   old, vmcs_read(VMCS_GUEST_IA32_EFER))) {
		inject_gp0(v);
		return;
	}
	vmcs_write(VMCS_GUEST_CR4, (val & ~mask) | (v->cfg->cr4_fixed0 & mask));
	vmcs_set_cr4_shadow(v, val);
	flush_guest_tlb(v);
	skip_instruction(v);
}

/* MOV to CR uses 64-bit operands only in 64-bit mode (IA-32e mode with
 * CS.L = 1); elsewhere the upper half of the register is ignored (Vol. 2B,
 * MOV—Move to/from Control Registers). */
static uint64_t cr_source(struct vcpu *v, unsigned gpr)
{
	uint64_t val = gpr_read(v, gpr);

	if (!(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) ||
	    !(vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L))
		val &= 0xffffffffull;
	return val;
}

/* MOV to CR3 exits with CR3-load exiting (25.1.3): on with a reduced guest
 * MAXPHYADDR (vmx/phys_width_exits.c), or forced by a CPU without the TRUE
 * controls. A reserved bit raises #GP(0) (mm/phys_width.h); with PAE paging
 * the PDPTEs are loaded (4.4.1). The TLB flush is wider than the
 * instruction's when PCIDs are on (a TLB is a cache: flushing more is
 * always allowed, 4.10.4.1), and skipped only for the PCID no-flush form. */
static void emulate_cr3_write(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t cr4 = guest_visible_cr4(v);
	bool ia32e = efer & EFER_LMA, pcide = cr4 & CR4_PCIDE;
	uint64_t cr3;

	if (!phys_width_cr3_valid(val, ia32e, pcide, v->vm->maxphyaddr)) {
		inject_gp0(v);
		return;
	}
	cr3 = phys_width_cr3_stored(val, ia32e, pcide);
	if (pae_paging(guest_visible_cr0(v), cr4, efer) &&
	    !load_pae_pdptes(v, cr3)) {
		inject_gp0(v);
		return;
	}
	vmcs_write(VMCS_GUEST_CR3, cr3);
	if (!(pcide && (val & CR3_PCID_NOFLUSH)))
		flush_guest_tlb(v);
	skip_instruction(v);
}

/* MOV from CR3 exits only where a CPU without the TRUE controls forces
 * CR3-store exiting (A.2): outside 64-bit mode the destination gets the low
 * 32 bits (Vol. 2B, MOV CR). */
static void emulate_cr3_read(struct vcpu *v, unsigned gpr)
{
	uint64_t cr3 = vmcs_read(VMCS_GUEST_CR3);

	if (!(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) ||
	    !(vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L))
		cr3 &= 0xffffffffull;
	gpr_write(v, gpr, cr3);
	skip_instruction(v);
}

void handle_cr_access(struct vcpu *v)
{
	uint64_t q = exit_get(&v->exit, EF_QUAL);
	unsigned cr = q & 0xf, type = (q >> 4) & 3, gpr = (q >> 8) & 0xf;

	switch (type) {
	case 0: /* MOV to CR */
		if (cr == 0)
			emulate_cr0_write(v, cr_source(v, gpr));
		else if (cr == 4)
			emulate_cr4_write(v, cr_source(v, gpr));
		else if (cr == 3)
			emulate_cr3_write(v, cr_source(v, gpr));
		else
			guest_unsupported(v, "MOV to a control register Nestor does not intercept");
		return;
	case 3: { /* LMSW: bits 3:0 only; it can set PE but never clear it */
		uint64_t cr0 = guest_visible_cr0(v);
		uint64_t src = (q >> 16) & 0xf;

		emulate_cr0_write(v, (cr0 & ~(CR0_MP | CR0_EM | CR0_TS)) | src | (cr0 & CR0_PE));
		return;
	}
	case 1: /* MOV from CR */
		if (cr == 3) {
			emulate_cr3_read(v, gpr);
			return;
		}
		guest_unsupported(v, "MOV from a control register Nestor does not intercept");
	default: /* CLTS: no owned bit makes it exit */
		guest_unsupported(v, "unexpected control-register access exit");
	}
}

/* L1's control registers and EFER set as a whole, as a VM exit to L1
 * loads them (nested/: SDM 27.5.1, 27.5.4). The values are L1's view;
 * Nestor's owned bits are added as for a MOV to CR. With PAE paging the
 * PDPTEs are checked and loaded first (27.5.4): false, with nothing
 * changed, if they are invalid (a VMX abort for the caller, 27.7). */
bool guest_load_control_regs(struct vcpu *v, uint64_t cr0, uint64_t cr3,
			     uint64_t cr4, uint64_t efer)
{
	uint64_t mask0 = l0_cr0_owned(v->cfg), mask4 = l0_cr4_owned(v->cfg);
	uint64_t real0 = (cr0 & ~mask0) | (v->cfg->cr0_fixed0 & mask0);

	if (pae_paging(cr0, cr4, efer) && !load_pae_pdptes(v, cr3))
		return false;
	if (v->cfg->unrestricted_guest)
		real0 = (real0 & ~(CR0_PE | CR0_PG)) | (cr0 & (CR0_PE | CR0_PG));
	vmcs_write(VMCS_GUEST_CR0, real0);
	vmcs_set_cr0_shadow(v, cr0);
	vmcs_write(VMCS_GUEST_CR4, (cr4 & ~mask4) | (v->cfg->cr4_fixed0 & mask4));
	vmcs_set_cr4_shadow(v, cr4);
	vmcs_write(VMCS_GUEST_CR3, cr3);
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	if (!!(efer & EFER_LMA) != v->wants.ia32e_guest)
		set_ia32e_guest(v, efer & EFER_LMA);
	flush_guest_tlb(v);
	return true;
}
