/* The guest's breakpoints and single step, shared by the GDB stub and the
 * console shell; see vmx/guest_debug.c. Everything here runs in root mode
 * at a VM exit, on the current VMCS (vmcs01 while L1 runs, vmcs02 while L2
 * runs). */
#ifndef NESTOR_VMX_GUEST_DEBUG_H
#define NESTOR_VMX_GUEST_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Why the guest stopped, for the stub's stop reply and the shell's line. */
enum guest_stop_kind {
	GUEST_STOP_STEP,	/* the single step ended */
	GUEST_STOP_HWBREAK,	/* a DR0-DR3 breakpoint (GDB's Z1, the shell's) */
	GUEST_STOP_SWBREAK,	/* GDB's Z0 in DR0-DR3, or an EPT breakpoint */
	GUEST_STOP_INTERRUPT,	/* GDB's Ctrl-C */
};

/* The exits the machinery takes: a #DB exit (qualification: B0-B3, BS;
 * SDM Vol. 3C Table 27-1) or an MTF exit, true if it was a breakpoint's
 * or the step's; MOV DR exits (handle_dr_access(), vmx/exits.h). */
bool guest_debug_exception(struct vcpu *v, uint64_t qual);
bool guest_debug_mtf(struct vcpu *v);

/* Breakpoints: a hardware execute breakpoint at guest-linear addr (the
 * slot, DR0-DR3, or -1 when all are taken; sw: GDB's Z0); slot's removed
 * (false if it held none); every one at addr removed; slot's address;
 * all of them and the step ended (GDB detached). */
int guest_debug_break_insert(struct vcpu *v, uint64_t addr, bool sw);
bool guest_debug_break_remove(struct vcpu *v, unsigned slot);
void guest_debug_break_remove_addr(struct vcpu *v, uint64_t addr);
bool guest_debug_break_addr(unsigned slot, uint64_t *addr);
void guest_debug_clear(struct vcpu *v);

/* Leaving a stop: RF where a breakpoint is at RIP (17.3.1.1), and with
 * step one instruction of the level that runs by MTF or TF (see
 * guest_debug_step_refusal() first). */
void guest_debug_resume(struct vcpu *v, bool step);
/* Why no step can be made now (L2: L1 steps it with MTF itself, L2 sets
 * TF, `monitor level 1`), else NULL. */
const char *guest_debug_step_refusal(struct vcpu *v);

/* The stop: one is made (Ctrl-C, an EPT breakpoint); one is pending; the
 * pending one taken (false if none; its kind into *kind if not NULL). */
void guest_debug_stop(enum guest_stop_kind kind);
bool guest_debug_stop_pending(void);
bool guest_debug_stop_take(enum guest_stop_kind *kind);

/* GDB's `monitor level 1` (L2 never stops: vmcs02 gets no breakpoints). */
void guest_debug_set_level1_only(struct vcpu *v, bool on);
bool guest_debug_level1_only(void);

/* At each exit, and in nested_switch() once vmcs01 is current again
 * (through gdb_stub_l1_current()): what changed while stopped in L2
 * reaches vmcs01. */
void guest_debug_sync(struct vcpu *v);

/* The write step (vmx/write_step.c) and the EPT breakpoints
 * (vmx/ept_break.c): a step is under way; it wants MTF; the write step's
 * instruction retired, which ends the step too (true if one was under
 * way); an EPT breakpoint was hit (the step, if any, ends there). */
bool guest_debug_stepping(void);
bool guest_debug_wants_mtf(void);
bool guest_debug_step_retired(struct vcpu *v);
void guest_debug_stop_break(struct vcpu *v);

/* L2 (nested/l2.c, nested/l2_exit.c, nested/vmentry.c call in):
 *  - guest_debug_l2_wants(): the #DB and MOV-DR intercepts vmcs02 needs;
 *  - guest_debug_l2_entered(): at the end of each entry to L2, L2's own
 *    DR7 kept aside and the breakpoints' put in (dr7_is_l1s: the vmcs12
 *    does not load DR7, so L2 starts with L1's own, 26.3.2.1);
 *  - guest_debug_l2_exit(): at each exit of L2, whether its #DB or MTF
 *    exit is the machinery's (L0's, not L1's);
 *  - guest_debug_l2_leaving(): at the start of each exit to L1, before
 *    L2's state goes to the vmcs12, which never sees the breakpoints'
 *    DR7 nor the step's TF, BS or RF; a step under way ends there;
 *  - guest_debug_l1_dr7_loaded(): where the exit loads L1's host DR7
 *    (27.5.1), vmcs01 current;
 *  - guest_debug_step_left_l2(): once, whether the last step ended in
 *    L2's exit to L1 (and its reason). */
void guest_debug_l2_wants(bool *db, bool *mov_dr);
void guest_debug_l2_entered(struct vcpu *v, bool dr7_is_l1s);
bool guest_debug_l2_exit(struct vcpu *v, unsigned basic);
void guest_debug_l2_leaving(struct vcpu *v, uint32_t reason);
void guest_debug_l1_dr7_loaded(struct vcpu *v);
bool guest_debug_step_left_l2(uint32_t *reason);

#endif
