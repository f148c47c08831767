/* VMX capability logic (pure): turns the raw capability MSRs (struct
 * vmx_msrs) and what Nestor wants into the VM-execution, VM-exit and VM-entry
 * controls it will run with, refusing CPUs whose capabilities contradict each
 * other. References are to the Intel SDM: Vol. 3C 24.6-24.8 (the controls),
 * 26.2.1 (VM-entry checks on them) and Vol. 3D Appendix A (the MSRs). */
#ifndef NESTOR_VMX_CAPS_H
#define NESTOR_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmx_msrs.h"

/* The five 32-bit control fields Nestor writes (24.6.1, 24.6.2, 24.7.1,
 * 24.8.1), also the index of every per-kind array below. */
enum vmx_ctl_kind {
	VMX_PIN,	/* pin-based VM-execution controls */
	VMX_PROC,	/* primary processor-based VM-execution controls */
	VMX_PROC2,	/* secondary processor-based VM-execution controls */
	VMX_EXIT,	/* primary VM-exit controls */
	VMX_ENTRY,	/* VM-entry controls */
	VMX_CTL_KINDS,
};

/* What Nestor asks for: a required control it cannot get refuses the
 * configuration; an optional one is used when the CPU allows it. Wanting
 * either side of a VM-entry/VM-exit pair wants both (see below); wanting any
 * secondary control also wants "activate secondary controls" (24.6.2). */
struct vmx_wanted {
	uint32_t required[VMX_CTL_KINDS];
	uint32_t optional[VMX_CTL_KINDS];
};

/* The result of vmx_config_build(). */
struct vmx_config {
	/* The controls to write into every VMCS (24.6-24.8). */
	uint32_t ctl[VMX_CTL_KINDS];
	/* The allowed settings after sanitizing (A.3-A.5): a bit set in
	 * allowed0 must be 1; a bit clear in allowed1 must be 0. Consult them
	 * before turning a control on at run time. */
	uint32_t allowed0[VMX_CTL_KINDS];
	uint32_t allowed1[VMX_CTL_KINDS];
	uint32_t revision;	/* VMCS revision identifier, A.1 bits 30:0 */
	uint64_t basic, misc, ept_vpid_cap, vmfunc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool true_ctls;		/* the IA32_VMX_TRUE_* MSRs were used (A.2) */

	/* Features Nestor runs with: their control is set in ctl[]. The EPT
	 * and VPID details are only set when the feature itself is on. */
	bool ept, vpid, unrestricted_guest;
	bool ept_exec_only, ept_2m, ept_1g, ept_ad, ept_wb;
	bool invept_single, invept_all;
	bool invvpid_addr, invvpid_single, invvpid_all;

	/* Controls Nestor may turn on per VMCS at run time (allowed-1). */
	bool mtf, vmcs_shadowing, preemption_timer, save_preemption_timer;
	bool nmi_window, virtual_nmis;
	bool ext_int_exiting;	/* allowed-1: the MTF write step uses it */

	/* IA32_VMX_MISC (A.6). */
	unsigned preemption_timer_shift;	/* bits 4:0 */
	unsigned cr3_target_count;		/* bits 24:16 */
	unsigned max_msr_list;			/* 512 * (bits 27:25 + 1) */
	bool activity_hlt, activity_shutdown, activity_wait_sipi;
	bool vmwrite_any_field;			/* bit 29 */
};

/* Receives one diagnostic: fatal problems make vmx_config_build() refuse,
 * the others are warnings/notices. msg is a complete sentence, no newline. */
typedef void (*vmx_diag_fn)(void *ctx, bool fatal, const char *msg);

/* Builds *out from the capability MSRs and Nestor's wants. Reports every
 * problem found (not only the first) through diag (may be NULL) and returns
 * 0, or -1 if any was fatal; *out is then all zero. Each inconsistent
 * VM-entry/VM-exit pair is warned about once per call. */
int vmx_config_build(const struct vmx_msrs *m, const struct vmx_wanted *want,
		     struct vmx_config *out, vmx_diag_fn diag, void *ctx);

/* The raw allowed settings (A.2-A.5), without any checking: the TRUE MSRs
 * for pin/proc/exit/entry when IA32_VMX_BASIC[55] = 1 and they were read;
 * secondary controls only when IA32_VMX_PROCBASED_CTLS2 was read and the
 * primary allowed-1 bit 31 is set (A.3.3), otherwise all 0. */
void vmx_allowed_settings(const struct vmx_msrs *m,
			  uint32_t allowed0[VMX_CTL_KINDS],
			  uint32_t allowed1[VMX_CTL_KINDS]);

/* SDM name of control bit `bit` of `kind` as the SDM prose writes it (e.g.
 * "use MSR bitmaps"), or NULL for a bad kind/bit or one without a name. */
const char *vmx_ctl_bit_name(enum vmx_ctl_kind kind, unsigned bit);

/* "pin-based", "primary processor-based", "secondary processor-based",
 * "primary VM-exit", "VM-entry"; NULL for a bad kind. */
const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind);

/* VM-entry/VM-exit control pairs that load (or clear) the same state on the
 * way in and on the way out: they must be used together or not at all.
 * Using one side alone would leave guest state in the host or the reverse
 * (24.7.1 Table 24-13, 24.8.1 Table 24-15). */
struct vmx_ctl_pair {
	uint32_t entry;		/* one ENTRY_* bit */
	uint32_t exit;		/* one EXIT_* bit */
};

#define VMX_ENTRY_EXIT_PAIRS 10
extern const struct vmx_ctl_pair vmx_entry_exit_pairs[VMX_ENTRY_EXIT_PAIRS];
extern const unsigned vmx_entry_exit_pair_count;

/* Clears both sides of every pair in which exactly one side is set in
 * *entry / *exit; other bits are untouched. Bit i of *cleared_mask (if not
 * NULL) is set iff pair i was cleared. Works on any values: controls,
 * allowed-1 masks, what a nested guest wrote. */
void vmx_sanitize_pairs(uint32_t *entry, uint32_t *exit,
			unsigned *cleared_mask);

/* The VMCS revision identifier Nestor's nested VMX shows L1 in
 * IA32_VMX_BASIC[30:0] (A.1) and expects in L1's VMCS regions: L1's VMCS is
 * Nestor's struct vmcs12, not the CPU's format, so it must not carry the
 * CPU's identifier. ASCII "NEST"; bit 31 is 0 as A.1 requires. */
#define NESTOR_VMCS12_REVISION 0x4e455354u

/* Derives the capability MSRs to show a nested hypervisor (L1) from the
 * host's: drops the allowed-1 bits in hide[kind] (NULL: hide nothing; bits
 * the host forces to 1 cannot be hidden) and those of the fixed policy of
 * what Nestor's nested VMX does not emulate (vmx/caps.c, "what L1 is
 * shown"); shows nothing the host's allowed-1 lacks in either MSR view;
 * sanitizes the VM-entry/VM-exit pairs; keeps the secondary, EPT/VPID and
 * VM-function MSRs consistent with what is left (A.3.3, A.10, A.11,
 * 26.2.1.1); shows Nestor's vmcs12 revision and a 4096-byte region in
 * IA32_VMX_BASIC (A.1), the reduced IA32_VMX_MISC (A.6), and an
 * IA32_VMX_VMCS_ENUM computed from the fields L1 then has (A.9). Meant for
 * host MSRs vmx_config_build() accepted. */
void vmx_l1_msrs(const struct vmx_msrs *host,
		 const uint32_t hide[VMX_CTL_KINDS], struct vmx_msrs *l1);

#endif
