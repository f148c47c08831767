/* The debug shell's views (vmx/shell_view.c): `vmcs` of any of vmcs01,
 * vmcs02, L1's vmcs12 and the shadow VMCS, and `ept` as the level that
 * runs sees it (EPT01; while L2 runs EPT12, EPT02 and EPT01). Called by
 * vmx/shell_actions.c with the guest stopped at an exit. */
#ifndef NESTOR_VMX_SHELL_VIEW_H
#define NESTOR_VMX_SHELL_VIEW_H

#include <stdint.h>

struct vcpu;
struct shell_cmd;

void shell_vmcs(struct vcpu *v, const struct shell_cmd *c);
void shell_ept(struct vcpu *v, uint64_t gpa);

#endif
