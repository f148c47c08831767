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
struct ept;

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

/* The debug shell (vmx/shell_view.c), the guest stopped at an exit of
 * either level; nested/shell_view.c. */

/* The VMCSes `vmcs 01|02|12|shadow` names. */
enum nested_vmcs {
	NESTED_VMCS01 = 1,  /* L1's, while L2 runs (vmcs02 is current) */
	NESTED_VMCS02,      /* L2's, while L1 runs (vmcs01 is current) */
	NESTED_VMCS12,      /* L1's current VMCS, from Nestor's cache */
	NESTED_VMCS_SHADOW, /* the shadow VMCS L1's VMREAD/VMWRITE use */
};

/* One field's outcome in nested_vmcs_fields(). */
enum nested_field {
	NESTED_FIELD_OK,
	NESTED_FIELD_NO_CPU,      /* the CPU has no such field (VMfail) */
	NESTED_FIELD_NOT_SHOWN,   /* vmcs12: L1 was not shown this field */
	NESTED_FIELD_NOT_SHADOWED, /* shadow: not in the shadow VMCS (L1's
				    * VMREAD of it exits to Nestor) */
};

/* What was read, for the header line. */
struct nested_vmcs_info {
	const char *why;  /* not NULL: nothing was read, and why not */
	const char *note; /* NULL, or what the values are as of */
	uint64_t pa;      /* the VMCS's address (the vmcs12: L1's) */
};

/* Reads the fields at the rows[0..n) of vmx/vmcs_fields.h of VMCS `which`
 * into vals[]/st[] (a VMCS other than the current one by VMPTRLD, VMREAD
 * and VMPTRLD of the current one again, 30.3; only a VMCS already on this
 * CPU's loaded list, so no launch state changes). A VMCS that does not
 * exist or cannot be read now (no nested VMX, no vmcs02 yet, no current
 * vmcs12, no VMCS shadowing) fills info->why. */
void nested_vmcs_fields(struct vcpu *v, enum nested_vmcs which,
			const uint16_t *rows, unsigned n, uint64_t *vals,
			enum nested_field *st, struct nested_vmcs_info *info);

/* The L2 side of `ept ADDR` while L2 runs: L1's EPT12 walk of l2_gpa (for
 * a read, nothing set, as nested_l2_gpa_to_l1()) entry by entry, and the
 * EPT02 that vmcs02 runs on. */
#define NESTED_EPT12_MAX 5
struct nested_ept_view {
	bool ept12;          /* L1 uses EPT for L2 (else L2's GPA is L1's) */
	uint64_t eptp12;
	unsigned top_level;  /* level of entry[0]: 4 (or 5) */
	unsigned nentries;   /* EPT12 entries read */
	uint64_t entry[NESTED_EPT12_MAX];
	uint64_t entry_gpa[NESTED_EPT12_MAX]; /* where each lies in L1 RAM */
	bool translated;     /* EPT12 maps l2_gpa for reading */
	const char *why;     /* !translated: why not */
	uint64_t l1_gpa;     /* translated: L1's guest-physical address */
	/* vmcs02's EPT: EPT02 (NULL: vmcs02 runs on EPT01, L1 without EPT
	 * and no APIC-access page outside its RAM). */
	const struct ept *ept02;
};
/* False when L2 does not run (nothing filled). */
bool nested_ept_view(struct vcpu *v, uint64_t l2_gpa,
		     struct nested_ept_view *out);

#endif
