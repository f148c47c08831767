/* Composing a VMCS's controls from Nestor's wants (see l0_controls.h). */
#include "vmx/l0_controls.h"
#include "arch/x86/regs.h"
#include "vmx/events.h"
#include "vmx/vmx_controls.h"

uint64_t l0_cr0_owned(const struct vmx_config *c)
{
	uint64_t fixed = c->cr0_fixed0 | ~c->cr0_fixed1;

	if (c->unrestricted_guest)
		fixed &= ~(CR0_PE | CR0_PG); /* 26.3.1.1 */
	return fixed & 0xffffffffull;
}

uint64_t l0_cr4_owned(const struct vmx_config *c)
{
	/* SMX is hidden from the guest too (CPUID.1:ECX[6]), so CR4.SMXE is
	 * owned and reads 0: GETSEC then raises #UD in the guest instead of
	 * exiting (SDM Vol. 2D, GETSEC). */
	return (c->cr4_fixed0 | ~c->cr4_fixed1 | CR4_VMXE | CR4_SMXE) &
	       0xffffffffull;
}

void l0_controls_compose(const struct vmx_config *c, const struct l0_wants *w,
			 struct vmcs_ctls *out)
{
	out->pin = c->ctl[VMX_PIN] |
		   (w->ext_int_exiting ? PIN_EXTERNAL_INTERRUPT_EXITING : 0) |
		   (w->preemption_timer ? PIN_PREEMPTION_TIMER : 0);
	out->proc = c->ctl[VMX_PROC] |
		    (w->nmi_window ? PROC_NMI_WINDOW_EXITING : 0) |
		    (w->intr_window ? PROC_INTERRUPT_WINDOW_EXITING : 0) |
		    (w->mtf ? PROC_MONITOR_TRAP_FLAG : 0) |
		    (w->cr3_load ? PROC_CR3_LOAD_EXITING : 0) |
		    (w->gdb_mov_dr ? PROC_MOV_DR_EXITING : 0);
	out->proc2 = c->ctl[VMX_PROC2] |
		     (w->vmcs_shadowing ? PROC2_VMCS_SHADOWING : 0);
	out->exit = c->ctl[VMX_EXIT];
	out->entry = (c->ctl[VMX_ENTRY] & ~ENTRY_IA32E_MODE_GUEST) |
		     (w->ia32e_guest ? ENTRY_IA32E_MODE_GUEST : 0);
	/* 25.2: a #PF exits iff bit 14 of the bitmap equals the result of
	 * (error code AND mask) == match; bit 14 = 1 with mask = match = 0
	 * makes every #PF exit. */
	if (w->all_exceptions || w->all_pf) {
		out->exc_bitmap = w->all_exceptions ? 0xffffffffu : 1u << VEC_PF;
		out->pfec_mask = 0;
		out->pfec_match = 0;
	} else {
		out->exc_bitmap = w->pf.bitmap_bit ? 1u << VEC_PF : 0;
		out->pfec_mask = w->pf.mask;
		out->pfec_match = w->pf.match;
	}
	if (w->gdb_db)
		out->exc_bitmap |= 1u << VEC_DB;
	/* In VMX operation CR0.PE and PG are fixed to 1 even where
	 * unrestricted guest lets a guest clear them (23.8): L1's writes to
	 * them must exit while it is in VMX operation. */
	out->cr0_mask = l0_cr0_owned(c) | w->cr0_watch |
			(w->l1_vmx_root ? CR0_PE | CR0_PG : 0);
	out->cr4_mask = l0_cr4_owned(c) | w->cr4_watch;
}
