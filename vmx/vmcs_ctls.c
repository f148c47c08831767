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

/* A guest/host mask that gains bits (25.3): the guest kept reading those
 * bits from the register, and must go on reading the same values, now
 * from the read shadow. So before the new mask is written the shadow takes
 * the value the guest sees under the old one. */
static void keep_visible(uint32_t cr, uint32_t shadow_f, uint64_t old_mask,
			 uint64_t new_mask, uint64_t *shadow)
{
	uint64_t visible;

	if (!(new_mask & ~old_mask))
		return;
	visible = (vmcs_read(cr) & ~old_mask) | (*shadow & old_mask);
	if (visible != *shadow) {
		*shadow = visible;
		vmcs_write(shadow_f, visible);
	}
}

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
	if (!all) {
		keep_visible(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW, have->cr0_mask,
			     want.cr0_mask, &have->cr0_shadow);
		keep_visible(VMCS_GUEST_CR4, VMCS_CR4_READ_SHADOW, have->cr4_mask,
			     want.cr4_mask, &have->cr4_shadow);
	}
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
