/* This CPU's VMX state for the crash/teardown path: whether it is in VMX
 * operation, which VMCSes it has loaded (vmx/loaded_vmcs.c, the NMI-safe
 * list), and leaving VMX with every one of them cleared.
 *
 * Every VMPTRLD and VMCLEAR of a VMCS Nestor keeps goes through
 * vmcs_load()/vmcs_clear(), which order the list updates around the
 * instruction (loaded_vmcs.h): publish before VMPTRLD, unlink after VMCLEAR,
 * so a crash walk from an NMI at any instruction sees every loaded VMCS. */
#ifndef NESTOR_VMX_VMCS_TRACK_H
#define NESTOR_VMX_VMCS_TRACK_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/loaded_vmcs.h"
#include "vmx/vmx_insn.h"

/* Test points for test_crash_nmi= (boot/config.h): where Nestor sends
 * itself an NMI that enters the crash path. */
enum crash_test_point {
	CRASH_TEST_NONE = 0,
	CRASH_TEST_VMPTRLD, /* between publishing a VMCS and its VMPTRLD */
	CRASH_TEST_VMCLEAR, /* between a VMCLEAR and the unlink */
	CRASH_TEST_GUEST,   /* at the guest's first NMI: a VM exit, or in
			     * Nestor while it handles a guest exit (e.g. the
			     * guest's self-NMI through the trapped xAPIC) */
	CRASH_TEST_L2,      /* at the first VM exit while L2 runs (vmcs01,
			     * vmcs02 and a shadow VMCS loaded) */
};

/* Once per CPU, before VMXON: the list, and the crash path's teardown. */
void vmx_cpu_init(enum crash_test_point test_point);

/* vmx/vmx_enable.c after a successful VMXON on the region at vmxon_pa. */
void vmx_cpu_entered(uint64_t vmxon_pa);
/* VMXON failed after vmx_cpu_entered(): not in VMX after all. */
void vmx_cpu_left(void);
bool vmx_cpu_in_vmx(void);
/* In VMX operation with a VMCS made current by vmcs_load(). */
bool vmx_cpu_has_current_vmcs(void);
/* lv is this CPU's current VMCS (and not, say, nested/'s shadow VMCS). */
bool vmx_cpu_current_is(const struct loaded_vmcs *lv);

/* Make lv current: publish, then VMPTRLD (the list never lacks a loaded
 * VMCS); nothing when lv is this CPU's current VMCS already, and no
 * second publish when this CPU loaded it before and has not cleared it. */
enum vmx_status vmcs_load(struct loaded_vmcs *lv);
/* VMCLEAR, then unlink (launch state clear, 24.11.3). */
enum vmx_status vmcs_clear(struct loaded_vmcs *lv);

/* The teardown: VMCLEAR every VMCS on this CPU's list (logged), VMXOFF,
 * CR4.VMXE = 0. Idempotent; safe from NMI context at any instruction
 * (VMCLEAR/VMXOFF outside VMX operation are caught, not fatal). */
void vmx_cpu_teardown(const char *why);

/* VMXON again on the same region (guest restart, crash test). */
int vmx_cpu_reenter(void);

/* test_crash_nmi=guest: the guest's NMI VM exit calls this; true when it
 * entered the crash path (the caller must then VMLAUNCH). */
bool crash_test_guest_nmi(void);
/* test_crash_nmi=l2: nested/ calls this at every exit of L2; the first
 * one NMIs this CPU into the crash path (the VMCSes are cleared, checked
 * and loaded again, so the next entries are VMLAUNCHes). */
void crash_test_l2_exit(void);

#endif
