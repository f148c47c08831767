/* L2 runs: vmcs02 (nested/l2.c), the exits taken while L2 runs
 * (nested/l2_exit.c) and shadow EPT (nested/ept02.c). Only nested/
 * includes this. */
#ifndef NESTOR_NESTED_L2_H
#define NESTOR_NESTED_L2_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/ept.h"
#include "nested/vmcs02_merge.h"
#include "vmx/vcpu.h"

/* What nested_switch() does next (VCPU_REQ_NESTED). */
enum nested_switch_to {
	NESTED_SWITCH_NONE,
	NESTED_TO_L2,   /* L1's VMLAUNCH/VMRESUME passed every check */
	NESTED_TO_L1,   /* an exit reflected to L1: vmcs12 is written */
};

/* One vCPU's L2 machinery. Written by the file named per member; kept
 * across guest restarts (the pages are Nestor's); nested_vcpu_init()
 * resets the switch, VPID02's owner and EPT02's EPTP12. */
struct l2_state {
	bool ready;                      /* l2.c: pages allocated */
	struct vmcs_state vmcs02;        /* l2.c: the VMCS L2 runs on */
	uint8_t *msr_bitmap, *io_a, *io_b; /* l2.c: vmcs02's merged bitmaps */
	enum nested_switch_to pending;   /* l2.c, l2_exit.c, vmentry.c */
	bool launch;                     /* vmentry.c: the entry is VMLAUNCH */
	/* l2.c: from the last merge (nested/vmcs02_merge.h). */
	bool shadow_ept;                 /* L1 uses EPT for L2 */
	bool flush_vpid_each_switch;
	uint16_t vpid12;                 /* L1's VPID of the L2 that runs */
	/* l2.c (and vmx_ops.c, shadow.c through l2_field_written() and
	 * l2_all_dirty()): what of the vmcs12 changed since vmcs02 was last
	 * built from it, so that an entry rewrites only that (issue 14
	 * item 1): a bit per row of vmx/vmcs_fields.h, or everything (a new
	 * current VMCS, a reset, vmcs02 never built). */
	bool all_dirty;
	uint64_t dirty[4];
	struct vmcs02_out last_out;      /* l2.c: the controls vmcs02 holds */
	/* l2.c: the vmcs12 rows a reflected exit changed, for the shadow
	 * VMCS's sync (a bit per row). */
	uint64_t exit_changed[4];
	bool vpid12_valid;               /* vpid02 holds vpid12's mappings */
	/* ept02.c: EPT02 = EPT12 o EPT01, built on EPT violations. */
	bool ept02_ready;
	struct ept ept02;
	uint64_t eptp02;
	uint64_t eptp12;                 /* the EPTP12 EPT02 was built for */
	/* l2.c: L2's state at the reflected exit that 27.5 keeps for L1:
	 * the CR0 and EFER bits a VM exit does not load, IA32_PAT when the
	 * vmcs12 does not load it on exit, and blocking by NMI (27.5.5). */
	uint64_t l2_cr0, l2_efer, l2_pat;
	bool l1_nmi_blocked;
	uint64_t ept02_fills;            /* statistics */
	uint64_t ept02_drops;
};

extern struct l2_state l2_boot;

static inline struct l2_state *l2_of(struct vcpu *v)
{
	(void)v;
	return &l2_boot;
}

/* The VPID Nestor gives L2 (L1 has v->vpid). */
#define NESTED_VPID02 2u

/* l2.c: read len bytes of L1's RAM at gpa (vmcs02_read_fn shape). */
bool l2_read_l1(void *ctx, uint64_t gpa, void *buf, size_t len);

/* l2.c: the reflected exit: L2's state saved into the cached vmcs12 with
 * the exit information in `info` (what the CPU would have written for
 * L1), then the switch to L1 is requested. */
struct l2_exit_info {
	uint32_t reason;
	uint64_t qual;
	uint64_t gla, gpa;
	uint32_t intr_info, intr_error;
	uint32_t idt_info, idt_error;
	uint32_t insn_len, insn_info;
};
void l2_reflect(struct vcpu *v, const struct l2_exit_info *info);

/* ept02.c */
/* The EPTP vmcs02 runs with for L1's EPTP12 (dropping EPT02 if EPTP12 is
 * not the one it was built for). 0: no memory (L1 is stopped). */
uint64_t ept02_for(struct vcpu *v, uint64_t eptp12);
/* Drop every EPT02 translation (INVEPT by L1, a new EPTP12, a low pool). */
void ept02_drop(struct vcpu *v, const char *why);
/* An EPT violation in vmcs02 while L1 uses EPT: fill EPT02 (true: L2
 * resumes) or give L1 its EPT violation / misconfiguration (l2_reflect). */
void ept02_violation(struct vcpu *v);

/* l2.c: what the event queue must not inject into vmcs02 (vmx/vcpu.h
 * l2_events_closed): at L2's entry, or at the exits after it. */
uint8_t l2_closed_events(const struct vmcs12 *f, bool at_entry);

/* l2.c: L1 changed one field of the current vmcs12 (an emulated VMWRITE,
 * or one its shadow VMCS holds), or the whole of it. */
void l2_field_written(struct vcpu *v, const struct vmcs_field_info *f);
void l2_all_dirty(struct vcpu *v);

/* l2.c: INVVPID by L1 of its VPID(s), exact by type (30.3 INVVPID). */
void l2_invvpid(struct vcpu *v, uint64_t type, uint16_t vpid12, uint64_t la);

#endif
