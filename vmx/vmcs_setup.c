/* Initial VMCS contents (SDM Vol. 3C, chapter 24; the checks these values
 * must pass are 26.2 and 26.3). */
#include "vmx/vmcs_setup.h"
#include "arch/x86/cpu.h"
#include "arch/x86/descriptors.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_controls.h"

extern char vmx_exit_entry[];



/* Segment access rights (24.4.1, Table 24-2): type 3:0, S 4, DPL 6:5,
 * P 7, AVL 12, L 13, D/B 14, G 15, unusable 16. */
#define AR_CODE32 0xc09b   /* execute/read accessed, S, P, D, G */
#define AR_CODE64 0xa09b   /* ... L instead of D */
#define AR_DATA 0xc093     /* read/write accessed, S, P, D/B, G */
#define AR_TSS_BUSY 0x008b /* busy TSS (32-bit/64-bit), P */
#define AR_UNUSABLE 0x10000

void vmcs_setup_controls(struct vcpu *v, const struct vmx_host_pages *hp)
{
	const struct vmx_config *c = v->cfg;

	/* The execution, exit and entry controls, the exception bitmap with
	 * its #PF mask/match and the CR masks are composed from Nestor's
	 * wants and written by vmcs_ctls_sync() (vmx/l0_controls.h). */
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_MSR_BITMAP, hp->msr_bitmap);
	vmcs_write(VMCS_IO_BITMAP_A, hp->io_bitmap_a);
	vmcs_write(VMCS_IO_BITMAP_B, hp->io_bitmap_b);
	vmcs_write(VMCS_EPT_POINTER, v->vm->eptp);
	if (c->ctl[VMX_PROC2] & PROC2_ENABLE_VPID)
		vmcs_write(VMCS_VPID, v->vpid);
	/* 26.3.1.5: all ones unless VMCS shadowing uses it. */
	vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
}

void vmcs_setup_host_state(const struct vmx_config *c,
			    const struct vmx_host_pages *hp)
{
	struct descriptor_table_ptr gdtr, idtr;

	__asm__ __volatile__("sgdt %0" : "=m"(gdtr));
	__asm__ __volatile__("sidt %0" : "=m"(idtr));
	/* 26.2.2 / 26.2.3: 64-bit host, flat selectors with RPL = TI = 0. */
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, SEL_CODE);
	vmcs_write(VMCS_HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, 0);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)&boot_cpu_tables.tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	/* The PAT fields exist only with the PAT controls (24.4.2, 24.5). */
	if (c->ctl[VMX_EXIT] & EXIT_LOAD_PAT)
		vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	/* See vmx/vmexit.asm: 8 below the 16-byte aligned top. */
	vmcs_write(VMCS_HOST_RSP, hp->exit_stack_top - 8);
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

static void set_segment(enum vmcs_field sel, uint16_t s, uint64_t base,
			uint32_t limit, uint32_t ar)
{
	/* Selector, base, limit and AR fields of one segment are at fixed
	 * distances in the encoding space (B.1.2, B.3.3, B.4.3). */
	unsigned i = (sel - VMCS_GUEST_ES_SELECTOR) / 2;

	vmcs_write(sel, s);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * i, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * i, ar);
}

void vmcs_setup_guest_state(struct vcpu *v, const struct guest_entry *e)
{
	bool lm = e->mode == GUEST_ENTRY_LONG64;
	uint64_t cr0_visible = CR0_PE | CR0_ET | (lm ? CR0_PG : 0);
	uint64_t cr4_visible = lm ? CR4_PAE : 0;
	uint64_t cr0 = cr0_visible | v->cfg->cr0_fixed0;
	uint64_t cr4 = cr4_visible | v->cfg->cr4_fixed0;
	uint64_t efer = lm ? (EFER_LME | EFER_LMA) : 0;
	uint16_t cs = e->cs_sel ? e->cs_sel : 0x08;
	uint16_t ds = e->ds_sel ? e->ds_sel : 0x10;

	if (v->cfg->unrestricted_guest && !lm)
		cr0 &= ~CR0_PG; /* paging off, allowed by unrestricted guest */
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_set_cr0_shadow(v, cr0_visible | CR0_NE);
	vmcs_write(VMCS_GUEST_CR3, lm ? e->cr3 : 0);
	vmcs_write(VMCS_GUEST_CR4, cr4);
	vmcs_set_cr4_shadow(v, cr4_visible);
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	if (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_PAT)
		vmcs_write(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull); /* power-on value */
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_DR7, 0x400);

	set_segment(VMCS_GUEST_CS_SELECTOR, cs, 0, 0xffffffff,
		    lm ? AR_CODE64 : AR_CODE32);
	set_segment(VMCS_GUEST_SS_SELECTOR, ds, 0, 0xffffffff, AR_DATA);
	set_segment(VMCS_GUEST_DS_SELECTOR, ds, 0, 0xffffffff, AR_DATA);
	set_segment(VMCS_GUEST_ES_SELECTOR, ds, 0, 0xffffffff, AR_DATA);
	set_segment(VMCS_GUEST_FS_SELECTOR, ds, 0, 0xffffffff, AR_DATA);
	set_segment(VMCS_GUEST_GS_SELECTOR, ds, 0, 0xffffffff, AR_DATA);
	set_segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0, AR_UNUSABLE);
	/* 26.3.1.2: TR must be a usable busy TSS even if the guest never
	 * loads one. */
	set_segment(VMCS_GUEST_TR_SELECTOR, 0, 0, 0x67, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, lm ? e->gdt_base : 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, lm ? e->gdt_limit : 0);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);

	vmcs_write(VMCS_GUEST_RIP, e->rip);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	v->wants.ia32e_guest = lm; /* entry control "IA-32e mode guest" */
	vcpu_request(v, VCPU_REQ_CONTROLS);
	v->regs->rax = e->rax;
	v->regs->rbx = e->rbx;
	v->regs->rsi = e->rsi;
}
