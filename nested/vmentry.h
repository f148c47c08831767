/* VMLAUNCH and VMRESUME from L1 (nested/vmentry.c), and the helpers of
 * nested/vmx_ops.c they share. Only nested/ includes this. */
#ifndef NESTOR_NESTED_VMENTRY_H
#define NESTOR_NESTED_VMENTRY_H

#include <stdbool.h>
#include <stdint.h>
#include "nested/vmcs12.h"
#include "nested/vmx_rules.h"
#include "vmx/vcpu.h"

/* 30.3 VMLAUNCH/VMRESUME after the #UD/#GP checks: the VMfail cases, the
 * checks of 26.2-26.4 against the capabilities L1 was shown, a VM-entry
 * failure exit to L1 (26.7) or, for an entry that passes, L2 (part 2). */
void nested_vmentry(struct vcpu *v, bool launch);

/* 27.5-27.6: L1's host state from the vmcs12 into vmcs01 (current), after
 * a VM-entry failure or a reflected exit; a failure is a VMX abort.
 * old_cr0/old_efer: the values before the exit, whose bits 27.5.1 leaves
 * alone (L2's after a VM exit, L1's after a failed entry); nmi_blocked:
 * blocking by NMI after it (27.5.5). */
void nested_load_host_state(struct vcpu *v, uint64_t old_cr0,
			    uint64_t old_efer, bool nmi_blocked);

/* 26.7: a VM entry that failed while or after loading guest state (exit
 * reason 33 or 34 with bit 31), vmcs01 current: the exit reason and
 * qualification into the vmcs12, L1's host state loaded. */
void nested_entry_failure(struct vcpu *v, uint32_t basic, uint32_t qual);

/* 27.7: a VMX abort with `indicator`: L1 is shut down. */
NORETURN void nested_vmx_abort(struct vcpu *v, uint32_t indicator);
#define VMX_ABORT_SAVE_GUEST_MSR 1u

/* nested/vmx_ops.c: */
uint32_t nested_l1_revision(const struct vcpu *v);
struct vmcs12_region *nested_region(struct vcpu *v, uint64_t pa);
void nested_writeback(struct vcpu *v);
/* Retire the instruction with result r (RFLAGS, error field). */
void nested_finish(struct vcpu *v, struct vmx_result r);

#endif
