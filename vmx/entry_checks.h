/* The VM-entry checker: runs the checks of SDM Vol. 3C chapter 26
 * ("VM Entries"; 26.2 controls and host state, 26.3.1 guest state, 26.4
 * MSR loading) in software over a VMCS image and explains every failure:
 * the SDM section, the rule in words and the fields involved with their
 * values.
 *
 * Uses: (a) nested VM entry: vmx_entry_verdict() checks the vmcs12 an L1
 * hypervisor wrote against the capabilities L1 was shown (env->caps) and
 * says what the CPU would report (VMfailValid 7 or 8, exit reason 33 or 34
 * with its qualification); (b) explain a VM entry the CPU refused
 * (vmx_entry_check(), every finding). Pure: no I/O, no global state; any
 * bit pattern in the image is safe.
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
	ENTRY_CHECK_MSR_LOAD,    /* 26.4: exit reason 34, qual = entry index + 1 */
	/* Not a failure: a check whose outcome the checker cannot know
	 * (env->read_phys failed, env->msr_load_ok said "unknown"). */
	ENTRY_CHECK_UNDECIDED,
};

/* What env->msr_load_ok says about loading one VM-entry MSR-load entry. */
enum entry_msr_load {
	ENTRY_MSR_LOAD_OK,      /* WRMSR of the value at CPL 0 would succeed */
	ENTRY_MSR_LOAD_BAD,     /* it would #GP, or the model refuses it */
	ENTRY_MSR_LOAD_UNKNOWN, /* cannot decide */
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
	/* Reader of (guest-)physical memory for the checks that look into
	 * memory: VTPR (26.2.1.1), the VMCS link pointer's revision
	 * (26.3.1.5), without EPT the PDPTEs at CR3 (26.3.1.6), and the
	 * VM-entry MSR-load entries (26.4). Returns false if it cannot read:
	 * that check is then undecided (ENTRY_CHECK_UNDECIDED, verdict
	 * ENTRY_UNDECIDED), never passed. NULL: the memory checks are skipped
	 * (auditor use only; nested VM entry must supply a reader). */
	bool (*read_phys)(void *ctx, uint64_t pa, void *buf, size_t len);
	void *read_ctx;
	/* 26.4: "WRMSR of bits 127:64 of the entry to the MSR in bits 31:0
	 * would #GP at CPL 0", and MSRs a model refuses to load on VM entry.
	 * Called in entry order, only for entries that pass the
	 * architectural checks, and only when 26.2 and 26.3 found nothing.
	 * NULL: every such entry is assumed loadable. */
	enum entry_msr_load (*msr_load_ok)(void *ctx, uint32_t index, uint64_t value);
	void *msr_ctx;
	/* 26.3.1.5: "A processor may require bit 0 (blocking by STI) to be 0
	 * if ... the interruption type ... indicat[es] NMI. Other processors
	 * may not make this requirement." true = model the processors that
	 * do; the failure is then reported with exit qualification 3 (26.7,
	 * "Such failures are implementation-specific"). Bochs 2.7 makes the
	 * check but reports 0 (docs/bochs-deviations.md #6). */
	bool nmi_requires_no_sti_blocking;
};

/* Helpers for the model-specific reserved-bit masks above. */

/* IA32_DEBUGCTL (Vol. 3B "IA32_DEBUGCTL MSR" figure for processors based
 * on Intel Core microarchitecture and later; Vol. 4, MSR 1D9H): defined
 * are LBR (0), BTF (1), TR (6), BTS (7), BTINT (8), BTS_OFF_OS (9),
 * BTS_OFF_USR (10), FREEZE_LBRS_ON_PMI (11), FREEZE_PERFMON_ON_PMI (12),
 * ENABLE_UNCORE_PMI (13), FREEZE_WHILE_SMM (14) and, where CPUID.(7,0):
 * EBX.RTM = 1 (Haswell and later with TSX, e.g. Skylake), RTM_DEBUG (15).
 * Everything else is reserved. Returns the reserved mask. */
uint64_t debugctl_rsvd(bool rtm_debug);

/* IA32_PAT: each of the 8 entries is 0, 1, 4, 5, 6 or 7 (Vol. 3A 11.12.2);
 * WRMSR of anything else raises #GP. */
bool pat_value_ok(uint64_t pat);

/* IA32_PERF_GLOBAL_CTRL (Vol. 3B 20.2.2, architectural performance
 * monitoring version 2+): bit i enables general-purpose counter i
 * (i < CPUID.0AH:EAX[15:8]), bit 32 + j fixed counter j (j <
 * CPUID.0AH:EDX[4:0]); the rest is reserved. Counts are clamped to 32. */
uint64_t perf_global_ctrl_rsvd(unsigned n_gp, unsigned n_fixed);

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
	ENTRY_PF_MSR_INDEX,                /* MSR-load entry bits 31:0 */
	ENTRY_PF_MSR_RESERVED,             /* MSR-load entry bits 63:32 */
	ENTRY_PF_MSR_VALUE,                /* MSR-load entry bits 127:64 */
	ENTRY_PF_MSR_ENTRY,                /* 1-based MSR-load entry number */
	ENTRY_PF_MSR_LIMIT,                /* 512 * (IA32_VMX_MISC[27:25] + 1) */
	ENTRY_PF_READ_ADDR,                /* an address read_phys could not read */
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
	 * with exit reason 33 (SDM 26.7): 2 = PDPTE loading, 3 = NMI injected
	 * under blocking by STI, 4 = invalid VMCS link pointer, else 0. For
	 * ENTRY_CHECK_MSR_LOAD (and an undecided MSR-load entry): the 1-based
	 * index of the entry (26.7, exit reason 34). */
	unsigned exit_qual;
};

/* The verdict of a VM entry (VMLAUNCH/VMRESUME past the 26.1 checks): */
enum entry_outcome {
	ENTRY_PASS,
	ENTRY_FAIL_CONTROLS, /* 26.2.1: VMfailValid, VM-instruction error 7 */
	ENTRY_FAIL_HOST,     /* 26.2.2-26.2.4: VMfailValid, error 8 */
	ENTRY_FAIL_GUEST,    /* 26.3.1: exit reason 33 | bit 31, qual 0/2/3/4 */
	ENTRY_FAIL_MSR_LOAD, /* 26.4: exit reason 34 | bit 31, qual = index */
	/* A check could not be decided (guest memory unreadable, MSR
	 * loadability unknown): qual = the MSR-load entry's 1-based index if
	 * that is where it stopped, else 0. The caller must not enter. */
	ENTRY_UNDECIDED,
};

struct entry_verdict {
	enum entry_outcome outcome;
	uint32_t qual;               /* exit qualification, see above */
	struct entry_finding first;  /* the deciding finding (zero if PASS) */
};

/* THE VM-entry checker: runs the checks in the SDM's order -- 26.2.1
 * controls, 26.2.2-26.2.4 host state, 26.3.1 guest state (26.3.1.1 to
 * 26.3.1.6), then 26.4 MSR loading, the last only if all else passed --
 * against env->caps (for nested VMX: the capabilities L1 was shown) and
 * stores the first failing check's outcome. Within 26.2 and within 26.3
 * the SDM lets a CPU check in any order ("an indication ... of one cause
 * does not imply that there are not also other errors"); this checker
 * fixes the order to the SDM's listing. Pure apart from env's callbacks;
 * any bit pattern is safe. NULL v/env/env->caps: ENTRY_UNDECIDED. */
void vmx_entry_verdict(const struct vmcs12 *v, const struct entry_check_env *env,
		       struct entry_verdict *out);

/* The auditor: runs all checks in SDM order over *v. Stores at most `max`
 * findings in out[] (out may be NULL when max is 0) and returns how many
 * there are in total (may exceed max). 0 means the auditor found nothing
 * wrong. The 26.4 MSR-load checks run only if 26.2 and 26.3 found nothing
 * (a CPU never gets there otherwise). A read_phys that fails gives an
 * ENTRY_CHECK_UNDECIDED finding; a NULL read_phys skips the memory checks
 * (auditor use only: nested VM entry must pass a reader). A NULL v, env or
 * env->caps yields a single finding saying so. */
unsigned vmx_entry_check(const struct vmcs12 *v, const struct entry_check_env *env,
			 struct entry_finding *out, unsigned max);

/* Formats one finding as one line ("SDM 26.3.1.2: <rule>: GUEST_CS_AR=0x...
 * GUEST_SS_AR=0x...") and hands it to line(ctx, text). Field names come
 * from vmcs_field_lookup(); values are printed at the field's width. */
void entry_finding_format(const struct entry_finding *f,
			  void (*line)(void *ctx, const char *text), void *ctx);

/* What a verdict means on the CPU, e.g. "VMfailValid 7 (controls)" or
 * "exit reason 33 (guest state)"; "pass", "undecided". */
const char *entry_outcome_name(enum entry_outcome o);

/* "controls", "host state", "guest state", "MSR loading", "undecided". */
const char *entry_check_class_name(enum entry_check_class cls);

/* Name of a pseudo field or capability MSR (NULL if neither). */
const char *entry_pseudo_field_name(uint32_t field);

#endif
