/* Writing composed controls into the current VMCS (vmx/vmcs_ctls.h). */
#include "vmx/vmcs_ctls.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

#define SYNC(field, encoding)                                   \
	do {                                                    \
		if (all || want.field != have->field) {          \
			have->field = want.field;               \
			vmcs_write(encoding, want.field);       \
		}                                               \
	} while (0)

void vmcs_ctls_sync(struct vcpu *v, bool all)
{
	struct vmcs_ctls *have = &v->cur->ctls, want = *have;
	uint32_t proc;

	l0_controls_compose(v->cfg, &v->wants, &want);
	SYNC(pin, VMCS_PIN_BASED_CONTROLS);
	SYNC(proc2, VMCS_SECONDARY_PROC_CONTROLS);
	SYNC(exit, VMCS_EXIT_CONTROLS);
	SYNC(entry, VMCS_ENTRY_CONTROLS);
	SYNC(exc_bitmap, VMCS_EXCEPTION_BITMAP);
	SYNC(pfec_mask, VMCS_PAGE_FAULT_ERROR_CODE_MASK);
	SYNC(pfec_match, VMCS_PAGE_FAULT_ERROR_CODE_MATCH);
	SYNC(cr0_mask, VMCS_CR0_GUEST_HOST_MASK);
	SYNC(cr4_mask, VMCS_CR4_GUEST_HOST_MASK);
	/* The primary controls last, and from a local: an NMI may arrive
	 * between the copy and the VMWRITE and open the window itself
	 * (vmcs_ctls_nmi_window_now()); the check after the write puts the
	 * window back if this write took it away. */
	proc = want.proc;
	if (all || proc != have->proc) {
		have->proc = proc;
		vmcs_write(VMCS_PROC_BASED_CONTROLS, proc);
	}
	if (v->events.nmi_pending && !(proc & PROC_NMI_WINDOW_EXITING)) {
		proc |= PROC_NMI_WINDOW_EXITING;
		have->proc = proc;
		vmcs_write(VMCS_PROC_BASED_CONTROLS, proc);
	}
}

void vmcs_ctls_nmi_window_now(struct vcpu *v)
{
	struct vmcs_ctls *have = &v->cur->ctls;

	have->proc |= PROC_NMI_WINDOW_EXITING;
	vmwrite(VMCS_PROC_BASED_CONTROLS, have->proc);
}

void vmcs_set_cr0_shadow(struct vcpu *v, uint64_t val)
{
	v->cur->ctls.cr0_shadow = val;
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
}

void vmcs_set_cr4_shadow(struct vcpu *v, uint64_t val)
{
	v->cur->ctls.cr4_shadow = val;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
}
