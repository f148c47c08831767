/* The current VMCS's controls, written from their software copy: the one
 * place a control field of a running guest's VMCS is written (after the
 * first fill). See vmx/l0_controls.h. */
#ifndef NESTOR_VMX_VMCS_CTLS_H
#define NESTOR_VMX_VMCS_CTLS_H

#include <stdbool.h>
#include "vmx/vcpu.h"

/* Compose the controls from v->wants and write the fields that differ from
 * the current VMCS's copy (every field if all). Before VM entry. */
void vmcs_ctls_sync(struct vcpu *v, bool all);

/* NMI context: an NMI for the guest arrived while Nestor ran; open the NMI
 * window in the current VMCS at once, keeping the copy exact (it may
 * interrupt vmcs_ctls_sync(), which then repairs its own write). */
void vmcs_ctls_nmi_window_now(struct vcpu *v);

/* The CR0/CR4 read shadows (24.6.6): the values the guest reads for the
 * bits Nestor owns. */
void vmcs_set_cr0_shadow(struct vcpu *v, uint64_t val);
void vmcs_set_cr4_shadow(struct vcpu *v, uint64_t val);

#endif
