/* The VM-entry check auditor: runs the checks of SDM Vol. 3C chapter 26
 * ("VM Entries"; 26.2 controls and host state, 26.3.1 guest state) in
 * software over a snapshot of a VMCS and explains every failure: the SDM
 * section, the rule in words and the fields involved with their values.
 *
 * Uses: (a) explain a VM entry the CPU refused (VMfailValid error 7 =
 * ENTRY_CHECK_CONTROLS, error 8 = ENTRY_CHECK_HOST_STATE, exit reason 33 =
 * ENTRY_CHECK_GUEST_STATE); (b) check the VMCS an L1 hypervisor wrote
 * (nested VMX). Pure: no I/O, no global state; any bit pattern in the
 * snapshot is safe to audit.
 *
 * Section numbers follow the SDM editions that number "VM Entries" as
 * chapter 26 (e.g. 26.3.1.5 checks on guest non-register state, which
 * include the VMCS link pointer; 26.3.1.6 checks on guest PDPTEs). */
#ifndef NESTOR_VMX_ENTRY_CHECKS_H
#define NESTOR_VMX_ENTRY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_layout.h"
#include "vmx/vmx_msrs.h"

/* Which VM-entry failure a finding causes (SDM 26.2, 26.3; 30.4 for the
 * VM-instruction error numbers). */
enum entry_check_class {
	ENTRY_CHECK_CONTROLS,    /* 26.2.1: VMfailValid, error 7 */
	ENTRY_CHECK_HOST_STATE,  /* 26.2.2-26.2.4: VMfailValid, error 8 */
	ENTRY_CHECK_GUEST_STATE, /* 26.3.1: exit reason 33 (bit 31 set) */
};

/* What the auditor needs to know beyond the VMCS. Zero-initialise it and
 * fill what is known: every optional member's 0/false/NULL disables only
 * the checks that need it (documented per member). */
struct entry_check_env {
	const struct vmx_msrs *caps; /* required: the capability MSRs */
	unsigned maxphyaddr;         /* CPUID.80000008H:EAX[7:0]; clamped to 52 */
	bool host_lma;               /* IA32_EFER.LMA when VMLAUNCH/VMRESUME runs */
	uint64_t host_cr0, host_cr4; /* actual values, informational only */

	/* Optional refinements. */
	bool la57;       /* CPU has 57-bit linear addresses (canonical = 57) */
	bool in_smm;     /* VM entry is executed in SMM (dual-monitor) */
	bool sgx;        /* CPUID.(7,0):EBX.SGX: enclave interruption allowed */
	bool rtm;        /* CPUID.(7,0):EBX.RTM: pending-debug RTM bit allowed */
	uint64_t procbased3; /* IA32_VMX_PROCBASED_CTLS3 (0x492), 0 if absent */
	/* Reserved-bit masks of MSRs whose layout depends on the CPU model
	 * (0 disables the check): guest IA32_DEBUGCTL (26.3.1.1) and
	 * IA32_PERF_GLOBAL_CTRL (26.2.2, 26.3.1.1, from CPUID leaf 0AH). */
	uint64_t debugctl_rsvd;
	uint64_t perf_global_ctrl_rsvd;
	/* The current-VMCS pointer and, in SMM, the executive-VMCS pointer:
	 * the VMCS link pointer must differ from them (26.3.1.5). */
	bool have_current_vmcs;
	uint64_t current_vmcs;
	/* Optional reader of (guest-)physical memory for the checks that look
	 * into memory: VTPR (26.2.1.1), the VMCS link pointer's revision
	 * (26.3.1.5) and, without EPT, the PDPTEs at CR3 (26.3.1.6). Returns
	 * false if it cannot read; the check is then skipped. NULL: skipped. */
	bool (*read_phys)(void *ctx, uint64_t pa, void *buf, size_t len);
	void *read_ctx;
};

/* Pseudo "fields" for values that are not in the VMCS. A real VMCS field
 * encoding is at most 15 bits, so bit 31 can never clash. */
#define ENTRY_FIELD_MSR(msr) (0x80000000u | (uint32_t)(msr)) /* MSR value */
#define ENTRY_FIELD_IS_MSR(f) (((f) & 0xc0000000u) == 0x80000000u)
enum entry_pseudo_field {
	ENTRY_PF_MAXPHYADDR = 0xc0000001u, /* env->maxphyaddr as used */
	ENTRY_PF_HOST_LMA,                 /* env->host_lma */
	ENTRY_PF_BAD_BITS,                 /* the offending bits of a value */
	ENTRY_PF_CURRENT_VMCS,             /* env->current_vmcs */
	ENTRY_PF_LINK_REVISION,            /* dword read at the link pointer */
	ENTRY_PF_VTPR,                     /* byte read at virtual-APIC + 80H */
	ENTRY_PF_PDPTE0_MEM,               /* PDPTEs read at CR3 (no EPT) */
	ENTRY_PF_PDPTE1_MEM,
	ENTRY_PF_PDPTE2_MEM,
	ENTRY_PF_PDPTE3_MEM,
	ENTRY_PF_IN_SMM,                   /* env->in_smm */
	ENTRY_PF_PROCBASED3,               /* env->procbased3 */
	ENTRY_PF_MSR_RSVD,                 /* the env reserved-bit mask used */
};

#define ENTRY_FINDING_MAX_FIELDS 4

struct entry_finding {
	const char *section; /* SDM section, e.g. "26.3.1.2" */
	const char *rule;    /* the rule, in words */
	unsigned nfields;    /* entries used in field[] / value[] */
	uint32_t field[ENTRY_FINDING_MAX_FIELDS]; /* VMCS encoding or pseudo */
	uint64_t value[ENTRY_FINDING_MAX_FIELDS];
	enum entry_check_class cls;
	/* For ENTRY_CHECK_GUEST_STATE: the exit qualification the CPU reports
	 * with exit reason 33 (SDM 26.7): 2 = PDPTE loading, 4 = invalid VMCS
	 * link pointer, else 0. */
	unsigned exit_qual;
};

/* Runs all checks in SDM order over *v. Stores at most `max` findings in
 * out[] (out may be NULL when max is 0) and returns how many there are in
 * total (may exceed max). 0 means the auditor found nothing wrong. A NULL
 * v, env or env->caps yields a single finding saying so. */
unsigned vmx_entry_check(const struct vmcs12 *v, const struct entry_check_env *env,
			 struct entry_finding *out, unsigned max);

/* Formats one finding as one line ("SDM 26.3.1.2: <rule>: GUEST_CS_AR=0x...
 * GUEST_SS_AR=0x...") and hands it to line(ctx, text). Field names come
 * from vmcs_field_lookup(); values are printed at the field's width. */
void entry_finding_format(const struct entry_finding *f,
			  void (*line)(void *ctx, const char *text), void *ctx);

/* "controls", "host state" or "guest state". */
const char *entry_check_class_name(enum entry_check_class cls);

/* Name of a pseudo field or capability MSR (NULL if neither). */
const char *entry_pseudo_field_name(uint32_t field);

#endif
