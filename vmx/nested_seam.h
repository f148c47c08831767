/* The seam between vmx/ and nested/ (docs/architecture.md, "Layers"): the
 * one short header of entry points through which vmx/ reaches nested/.
 * It lives in vmx/, so that no vmx/ file includes a higher layer; nested/
 * implements it (nested/vmx_ops.c). vmx/ calls in here for the VM exits
 * nested VMX owns: L1's VMX instructions (basic exit reasons 18-27, 50,
 * 53), and, with part 2, the exits taken while L2 runs; and a guest reset,
 * which ends L1's VMX operation. */
#ifndef NESTOR_VMX_NESTED_SEAM_H
#define NESTOR_VMX_NESTED_SEAM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* A VMX instruction L1 executed (nested=on): emulated to SDM Vol. 3C
 * chapter 30 (nested/vmx_ops.c). */
void nested_vmx_instruction(struct vcpu *v);

/* At launch, before the first VM entry (vmx/vmx_start.c vmx_launch_guest(),
 * once vm->nested is known), and again when the
 * guest is reset (vmx/vmx_start.c vmx_restart_guest(): a reset leaves VMX
 * operation): fresh nested state for v, if the VM has nested VMX. */
void nested_vcpu_init(struct vcpu *v);

/* Part 2: L2 runs (nested/l2.c, nested/l2_exit.c). */

/* Any VM exit taken while v->level == VCPU_L2: reflected to L1 when L1's
 * vmcs12 asks for it (SDM 25.1-25.5), else handled in L0 and L2 resumes. */
void nested_l2_exit(struct vcpu *v);

/* VCPU_REQ_NESTED, consumed by the exit path right after the handler: the
 * switch a handler asked for, L1 -> L2 (L1's VMLAUNCH/VMRESUME passed every
 * check) or L2 -> L1 (an exit reflected to L1). v->cur and v->level change
 * here only. */
void nested_switch(struct vcpu *v);

/* VCPU_REQ_CONTROLS while L2 runs: L0's wants changed (the NMI window, ...);
 * vmcs02's controls are merged again with the vmcs12's. */
void nested_l2_controls(struct vcpu *v);

/* gdb= (vmx/gdb_stub.c) while L2 runs: L2's guest-physical address l2_gpa
 * as L1's guest-physical address, through L1's EPT12 when L1 uses EPT for
 * L2 (walked for a read as the CPU would, no A/D flag set), else the same
 * address; false when EPT12 does not map it for reading. */
bool nested_l2_gpa_to_l1(struct vcpu *v, uint64_t l2_gpa, uint64_t *l1_gpa);

/* gdb= while L2 runs: where L1 resumes at L2's next exit to it, the
 * vmcs12's host state (27.5.1, 27.5.3). */
void nested_l1_resume_point(struct vcpu *v, uint64_t *rip, uint64_t *rsp,
			    uint64_t *cr3);

#endif
