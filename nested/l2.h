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
	/* The APIC-access page (issue 15 item 1, 29.4). On the CPU an
	 * access of L2's is an APIC access when its translation ends on the
	 * page at A, the vmcs12's APIC-access address. vmcs02's is the host
	 * page H that EPT02 gives exactly those L2 pages: A itself when A
	 * is L1's RAM; otherwise Nestor's own apic_page, which EPT02 maps
	 * for every L2 page whose L1 address is A (apic_special), and which
	 * nothing else maps, so L1's device or hole behind A is never
	 * reached. EPT02 is then needed even when L1 has no EPT: it is the
	 * identity over L1's space (ept02.c, EPT02_IDENTITY). */
	uint64_t apic_page;              /* l2.c: allocated with vmcs02 */
	/* l2_apic.c (reset by vmx_ops.c's nested_vcpu_init()): */
	uint64_t apic_special;           /* A when not L1's RAM, else NO_APIC_SPECIAL */
	uint64_t apic_access02;          /* H, or NO_APIC_SPECIAL: VAA off */
	bool ept02_used;                 /* l2.c: vmcs02 runs on EPT02, not EPT01 */
	uint64_t ept02_fills;            /* statistics */
	uint64_t ept02_drops;
};

extern struct l2_state l2_boot;

static inline struct l2_state *l2_of(struct vcpu *v)
{
	(void)v;
	return &l2_boot;
}

#define NO_APIC_SPECIAL (~0ull) /* never a page address */
/* The EPTP12 of the identity EPT02 (L1 without EPT, its APIC-access page
 * not in its RAM): no EPTP passes 26.2.1.1 with a walk length of 0. */
#define EPT02_IDENTITY 0ull

/* The VPID Nestor gives L2 (L1 has v->vpid). */
#define NESTED_VPID02 2u

/* l2.c: read len bytes of L1's memory at gpa as the CPU reads it for L1
 * (vmcs02_read_fn shape): its RAM, and Nestor's memory as the all-ones
 * page L1 sees there; false for anything else (MMIO, a hole). */
bool l2_read_l1(void *ctx, uint64_t gpa, void *buf, size_t len);
/* l2.c: L1 named, for the CPU to use for L2, an address Nestor cannot
 * reproduce the CPU's accesses to (field: the vmcs12 field, spelled out;
 * why: what the CPU would do there). Says so and stops L1. */
NORETURN void l2_stop_address(struct vcpu *v, const char *field, uint64_t gpa,
		     const char *why);

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
/* An EPT violation in vmcs02 while it runs on EPT02: fill EPT02 (L2
 * resumes) or give L1 its EPT violation / misconfiguration (l2_reflect). */
void ept02_violation(struct vcpu *v);

/* l2.c: what the event queue must not inject into vmcs02 (vmx/vcpu.h
 * l2_events_closed): at L2's entry, or at the exits after it. */
uint8_t l2_closed_events(const struct vmcs12 *f, bool at_entry);

/* l2.c: L1 changed one field of the current vmcs12 (an emulated VMWRITE,
 * or one its shadow VMCS holds), or the whole of it. */
void l2_field_written(struct vcpu *v, const struct vmcs_field_info *f);
void l2_all_dirty(struct vcpu *v);

/* l2_apic.c (issue 15): the APIC-access page for this entry (vmcs12's A
 * into l2_state's apic_special / apic_access02, EPT02 dropped when A's
 * mapping changes); true when vmcs02's APIC-access address changed. */
bool l2_apic_access_choose(struct vcpu *v, struct l2_state *s,
			   const struct vmcs12 *f);
/* The APIC-virtualization fields vmcs02 takes for its controls c (24.6.8);
 * L1 is stopped when its virtual-APIC page is not its RAM. */
void l2_apic_fields(struct vcpu *v, const struct l2_state *s,
		    const struct vmcs12 *f, const struct vmcs_ctls *c);
/* The guest interrupt status into vmcs02 at entry, into the vmcs12 at a
 * reflected exit (with virtual-interrupt delivery). */
void l2_apic_entry_state(const struct vmcs12 *f, const struct vmcs_ctls *c);
void l2_apic_exit_state(struct vmcs12 *f);
/* Before vmcs02 is entered again after an exit L1 did not see: L1 is
 * stopped where that entry would act on a VTPR L2 lowered as memory. */
void l2_apic_before_resume(struct vcpu *v, const struct l2_state *s,
			   const struct vmcs12 *f);

/* l2.c: INVVPID by L1 of its VPID(s), exact by type (30.3 INVVPID). */
void l2_invvpid(struct vcpu *v, uint64_t type, uint16_t vpid12, uint64_t la);

#endif
