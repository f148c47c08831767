/* The controls a VMCS gets, composed from what Nestor's own features want
 * (pure: unit tested).
 *
 * Features never read-modify-write the controls of whatever VMCS is
 * current. Each sets what it wants in struct l0_wants (its member says
 * which file writes it) and asks for VCPU_REQ_CONTROLS; before the next VM
 * entry, l0_controls_compose() turns the base configuration and the wants
 * into the controls, and only the fields that differ from the VMCS's
 * software copy (struct vmcs_ctls) are written (vmx/vmcs_ctls.c). With
 * nested VMX this composition is "what L0 needs", the L0 input of the
 * vmcs02 merge. */
#ifndef NESTOR_VMX_L0_CONTROLS_H
#define NESTOR_VMX_L0_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/phys_width.h"
#include "vmx/caps.h"

struct l0_wants {
	bool nmi_window;         /* vmx/event_inject.c: an NMI waits (24.6.2) */
	bool intr_window;        /* vmx/event_inject.c: an interrupt waits */
	bool mtf;                /* vmx/write_step.c: MTF step (25.5.2) */
	bool ext_int_exiting;    /* vmx/write_step.c: during an MTF step */
	bool all_exceptions;     /* vmx/write_step.c: every exception exits */
	bool all_pf;             /* vmx/phys_width_exits.c: the probe */
	struct pf_intercept pf;  /* vmx/phys_width_exits.c: #PF mask/match */
	bool cr3_load;           /* vmx/phys_width_exits.c: MOV to CR3 exits */
	uint64_t cr0_watch;      /* vmx/phys_width_exits.c: CR0 writes that */
	uint64_t cr4_watch;      /*   must exit, guest-owned in value */
	bool l1_vmx_root;        /* nested/vmx_ops.c: L1 is in VMX operation,
				  * where CR0.PE/PG are fixed (23.8) */
	bool vmcs_shadowing;     /* nested/shadow.c: L1's hot VMREAD/VMWRITE
				  * go to a shadow VMCS (24.10) */
	bool gdb_db;             /* vmx/guest_debug.c: #DB exits (breakpoints, step) */
	bool gdb_mov_dr;         /* vmx/guest_debug.c: MOV DR exits */
	bool preemption_timer;   /* vmx/guest_console.c, vmx/gdb_stub.c: an
				  * exit now and then to poll their ports
				  * (vmcs01 only: nested/l2.c) */
	bool ia32e_guest;        /* vmx/exit_cr.c, vmx/vmcs_setup.c: entry
				  * control "IA-32e mode guest" = EFER.LMA */
};

/* A VMCS's controls and CR masks (24.6, 24.8.1), and its CR0/CR4 read
 * shadows. */
struct vmcs_ctls {
	uint32_t pin, proc, proc2, exit, entry;
	uint32_t exc_bitmap, pfec_mask, pfec_match;
	uint64_t cr0_mask, cr4_mask;
	uint64_t cr0_shadow, cr4_shadow; /* guest state: vmx/vmcs_ctls.c */
};

/* The CR0/CR4 bits Nestor always owns (SDM 24.6.6, 25.3): the ones VMX
 * fixes (A.7, A.8; PE and PG not with unrestricted guest, 26.3.1.1), and
 * CR4.VMXE and SMXE, which the guest must not see. */
uint64_t l0_cr0_owned(const struct vmx_config *c);
uint64_t l0_cr4_owned(const struct vmx_config *c);

/* out's controls and masks (the read shadows are left as they are). */
void l0_controls_compose(const struct vmx_config *c, const struct l0_wants *w,
			 struct vmcs_ctls *out);

#endif
