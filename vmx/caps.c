/* VMX capability logic (pure): decides the controls Nestor runs with from
 * the capability MSRs and refuses CPUs whose MSRs contradict each other.
 *
 * SDM references: Vol. 3C 24.6.1 (pin-based controls, Table 24-5), 24.6.2
 * (processor-based, Tables 24-6 and 24-7), 24.7.1 (VM-exit, Table 24-13),
 * 24.8.1 (VM-entry, Table 24-15), 26.2.1 (VM-entry checks on the controls);
 * Vol. 3D Appendix A.1-A.11 (the capability MSRs). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/format.h"
#include "arch/x86/regs.h"
#include "lib/string.h"
#include "vmx/caps.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmx_controls.h"

#define DIAG_MAX 256
#define CTL_TEXT_MAX 128

#define LO32(v) ((uint32_t)(v))
#define HI32(v) ((uint32_t)((v) >> 32))

/* A.10: bits 31:0 of IA32_VMX_EPT_VPID_CAP describe EPT, the INVVPID bits
 * (32, 40-43) describe VPID. */
#define EPT_CAP_EPT_BITS 0x00000000ffffffffull
#define EPT_CAP_VPID_BITS                                                   \
	(VPID_CAP_INVVPID | VPID_CAP_INVVPID_ADDR | VPID_CAP_INVVPID_SINGLE |  \
	 VPID_CAP_INVVPID_ALL | VPID_CAP_INVVPID_SINGLE_NONGLOBAL)

/* A.1: memory types for the VMCS region (bits 53:50). */
#define VMX_MEMTYPE_UC 0
#define VMX_MEMTYPE_WB 6
#define VMX_REGION_MAX 4096u

/* A.11: VM function 0 is EPTP switching, which needs EPT (24.6.14). */
#define VMFUNC_EPTP_SWITCHING (1ull << 0)

/* ---- Control names (24.6-24.8) ---------------------------------------- */

struct bit_name {
	uint32_t mask;
	const char *name;
};

/* Table 24-5. */
static const struct bit_name pin_names[] = {
	{ PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	{ PIN_NMI_EXITING, "NMI exiting" },
	{ PIN_VIRTUAL_NMIS, "virtual NMIs" },
	{ PIN_PREEMPTION_TIMER, "activate VMX-preemption timer" },
	{ PIN_POSTED_INTERRUPTS, "process posted interrupts" },
};

/* Table 24-6. */
static const struct bit_name proc_names[] = {
	{ PROC_INTERRUPT_WINDOW_EXITING, "interrupt-window exiting" },
	{ PROC_TSC_OFFSETTING, "use TSC offsetting" },
	{ PROC_HLT_EXITING, "HLT exiting" },
	{ PROC_INVLPG_EXITING, "INVLPG exiting" },
	{ PROC_MWAIT_EXITING, "MWAIT exiting" },
	{ PROC_RDPMC_EXITING, "RDPMC exiting" },
	{ PROC_RDTSC_EXITING, "RDTSC exiting" },
	{ PROC_CR3_LOAD_EXITING, "CR3-load exiting" },
	{ PROC_CR3_STORE_EXITING, "CR3-store exiting" },
	{ PROC_TERTIARY_CONTROLS, "activate tertiary controls" },
	{ PROC_CR8_LOAD_EXITING, "CR8-load exiting" },
	{ PROC_CR8_STORE_EXITING, "CR8-store exiting" },
	{ PROC_TPR_SHADOW, "use TPR shadow" },
	{ PROC_NMI_WINDOW_EXITING, "NMI-window exiting" },
	{ PROC_MOV_DR_EXITING, "MOV-DR exiting" },
	{ PROC_UNCONDITIONAL_IO_EXITING, "unconditional I/O exiting" },
	{ PROC_USE_IO_BITMAPS, "use I/O bitmaps" },
	{ PROC_MONITOR_TRAP_FLAG, "monitor trap flag" },
	{ PROC_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ PROC_MONITOR_EXITING, "MONITOR exiting" },
	{ PROC_PAUSE_EXITING, "PAUSE exiting" },
	{ PROC_SECONDARY_CONTROLS, "activate secondary controls" },
};

/* Table 24-7. */
static const struct bit_name proc2_names[] = {
	{ PROC2_VIRTUALIZE_APIC_ACCESSES, "virtualize APIC accesses" },
	{ PROC2_ENABLE_EPT, "enable EPT" },
	{ PROC2_DESCRIPTOR_TABLE_EXITING, "descriptor-table exiting" },
	{ PROC2_ENABLE_RDTSCP, "enable RDTSCP" },
	{ PROC2_VIRTUALIZE_X2APIC, "virtualize x2APIC mode" },
	{ PROC2_ENABLE_VPID, "enable VPID" },
	{ PROC2_WBINVD_EXITING, "WBINVD exiting" },
	{ PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ PROC2_APIC_REGISTER_VIRT, "APIC-register virtualization" },
	{ PROC2_VIRTUAL_INTERRUPT_DELIVERY, "virtual-interrupt delivery" },
	{ PROC2_PAUSE_LOOP_EXITING, "PAUSE-loop exiting" },
	{ PROC2_RDRAND_EXITING, "RDRAND exiting" },
	{ PROC2_ENABLE_INVPCID, "enable INVPCID" },
	{ PROC2_ENABLE_VMFUNC, "enable VM functions" },
	{ PROC2_VMCS_SHADOWING, "VMCS shadowing" },
	{ PROC2_ENCLS_EXITING, "enable ENCLS exiting" },
	{ PROC2_RDSEED_EXITING, "RDSEED exiting" },
	{ PROC2_ENABLE_PML, "enable PML" },
	{ PROC2_EPT_VIOLATION_VE, "EPT-violation #VE" },
	{ PROC2_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
	{ PROC2_ENABLE_XSAVES, "enable XSAVES/XRSTORS" },
	{ PROC2_MODE_BASED_EPT_EXEC, "mode-based execute control for EPT" },
	{ PROC2_SUBPAGE_WRITE_PERM, "sub-page write permissions for EPT" },
	{ PROC2_PT_USES_GUEST_PHYS, "Intel PT uses guest physical addresses" },
	{ PROC2_TSC_SCALING, "use TSC scaling" },
	{ PROC2_USER_WAIT_PAUSE, "enable user wait and pause" },
	{ PROC2_ENABLE_PCONFIG, "enable PCONFIG" },
	{ PROC2_ENCLV_EXITING, "enable ENCLV exiting" },
};

/* Table 24-13. */
static const struct bit_name exit_names[] = {
	{ EXIT_SAVE_DEBUG_CONTROLS, "save debug controls" },
	{ EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size" },
	{ EXIT_LOAD_PERF_GLOBAL_CTRL, "load IA32_PERF_GLOBAL_CTRL" },
	{ EXIT_ACK_INTERRUPT_ON_EXIT, "acknowledge interrupt on exit" },
	{ EXIT_SAVE_PAT, "save IA32_PAT" },
	{ EXIT_LOAD_PAT, "load IA32_PAT" },
	{ EXIT_SAVE_EFER, "save IA32_EFER" },
	{ EXIT_LOAD_EFER, "load IA32_EFER" },
	{ EXIT_SAVE_PREEMPTION_TIMER, "save VMX-preemption timer value" },
	{ EXIT_CLEAR_BNDCFGS, "clear IA32_BNDCFGS" },
	{ EXIT_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
	{ EXIT_CLEAR_RTIT_CTL, "clear IA32_RTIT_CTL" },
	{ EXIT_CLEAR_LBR_CTL, "clear IA32_LBR_CTL" },
	{ EXIT_CLEAR_UINV, "clear UINV" },
	{ EXIT_LOAD_CET_STATE, "load CET state" },
	{ EXIT_LOAD_PKRS, "load PKRS" },
	{ EXIT_SAVE_PERF_GLOBAL_CTRL, "save IA32_PERF_GLOBAL_CTL" },
	{ EXIT_SECONDARY_CONTROLS, "activate secondary controls" },
};

/* Table 24-15. */
static const struct bit_name entry_names[] = {
	{ ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls" },
	{ ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
	{ ENTRY_TO_SMM, "entry to SMM" },
	{ ENTRY_DEACTIVATE_DUAL_MONITOR, "deactivate dual-monitor treatment" },
	{ ENTRY_LOAD_PERF_GLOBAL_CTRL, "load IA32_PERF_GLOBAL_CTRL" },
	{ ENTRY_LOAD_PAT, "load IA32_PAT" },
	{ ENTRY_LOAD_EFER, "load IA32_EFER" },
	{ ENTRY_LOAD_BNDCFGS, "load IA32_BNDCFGS" },
	{ ENTRY_CONCEAL_VMX_FROM_PT, "conceal VMX from PT" },
	{ ENTRY_LOAD_RTIT_CTL, "load IA32_RTIT_CTL" },
	{ ENTRY_LOAD_UINV, "load UINV" },
	{ ENTRY_LOAD_CET_STATE, "load CET state" },
	{ ENTRY_LOAD_LBR_CTL, "load guest IA32_LBR_CTL" },
	{ ENTRY_LOAD_PKRS, "load PKRS" },
};

struct kind_info {
	const struct bit_name *names;
	size_t count;
	const char *kind;	/* "primary processor-based" */
	const char *cls;	/* "VM-execution" */
	const char *msr;	/* the A.3-A.5 MSR */
	const char *true_msr;	/* its A.2 TRUE twin, NULL if none */
};

static const struct kind_info kinds[VMX_CTL_KINDS] = {
	[VMX_PIN] = { pin_names, ARRAY_SIZE(pin_names), "pin-based",
		      "VM-execution", "IA32_VMX_PINBASED_CTLS",
		      "IA32_VMX_TRUE_PINBASED_CTLS" },
	[VMX_PROC] = { proc_names, ARRAY_SIZE(proc_names),
		       "primary processor-based", "VM-execution",
		       "IA32_VMX_PROCBASED_CTLS",
		       "IA32_VMX_TRUE_PROCBASED_CTLS" },
	[VMX_PROC2] = { proc2_names, ARRAY_SIZE(proc2_names),
			"secondary processor-based", "VM-execution",
			"IA32_VMX_PROCBASED_CTLS2", NULL },
	[VMX_EXIT] = { exit_names, ARRAY_SIZE(exit_names), "primary VM-exit",
		       "VM-exit", "IA32_VMX_EXIT_CTLS",
		       "IA32_VMX_TRUE_EXIT_CTLS" },
	[VMX_ENTRY] = { entry_names, ARRAY_SIZE(entry_names), "VM-entry",
			"VM-entry", "IA32_VMX_ENTRY_CTLS",
			"IA32_VMX_TRUE_ENTRY_CTLS" },
};

const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind)
{
	if ((unsigned)kind >= VMX_CTL_KINDS)
		return NULL;
	return kinds[kind].kind;
}

const char *vmx_ctl_bit_name(enum vmx_ctl_kind kind, unsigned bit)
{
	const struct kind_info *k;
	size_t i;

	if ((unsigned)kind >= VMX_CTL_KINDS || bit >= 32)
		return NULL;
	k = &kinds[kind];
	for (i = 0; i < k->count; i++)
		if (k->names[i].mask == BIT32(bit))
			return k->names[i].name;
	return NULL;
}

static unsigned lowest_bit(uint32_t mask)
{
	return (unsigned)__builtin_ctz(mask);
}

/* "VM-execution control 'use MSR bitmaps' (primary processor-based bit
 * 28)", or without the quoted name for a bit that has none. */
struct ctl_text {
	char s[CTL_TEXT_MAX];
};

static struct ctl_text ctl_text(enum vmx_ctl_kind kind, unsigned bit)
{
	struct ctl_text t;
	const char *name = vmx_ctl_bit_name(kind, bit);

	if (name)
		fmt_snprintf(t.s, sizeof(t.s), "%s control '%s' (%s bit %u)",
			     kinds[kind].cls, name, kinds[kind].kind, bit);
	else
		fmt_snprintf(t.s, sizeof(t.s), "%s control (%s bit %u)",
			     kinds[kind].cls, kinds[kind].kind, bit);
	return t;
}

static const char *bit_name_or(enum vmx_ctl_kind kind, uint32_t mask)
{
	const char *name = vmx_ctl_bit_name(kind, lowest_bit(mask));

	return name ? name : "unnamed";
}

/* ---- VM-entry/VM-exit pairs (24.7.1, 24.8.1) --------------------------- */

const struct vmx_ctl_pair vmx_entry_exit_pairs[VMX_ENTRY_EXIT_PAIRS] = {
	{ ENTRY_LOAD_PERF_GLOBAL_CTRL, EXIT_LOAD_PERF_GLOBAL_CTRL },
	{ ENTRY_LOAD_PAT, EXIT_LOAD_PAT },
	{ ENTRY_LOAD_EFER, EXIT_LOAD_EFER },
	{ ENTRY_LOAD_BNDCFGS, EXIT_CLEAR_BNDCFGS },
	{ ENTRY_LOAD_RTIT_CTL, EXIT_CLEAR_RTIT_CTL },
	{ ENTRY_LOAD_CET_STATE, EXIT_LOAD_CET_STATE },
	{ ENTRY_LOAD_LBR_CTL, EXIT_CLEAR_LBR_CTL },
	{ ENTRY_LOAD_PKRS, EXIT_LOAD_PKRS },
	{ ENTRY_LOAD_UINV, EXIT_CLEAR_UINV },
	{ ENTRY_CONCEAL_VMX_FROM_PT, EXIT_CONCEAL_VMX_FROM_PT },
};

const unsigned vmx_entry_exit_pair_count = VMX_ENTRY_EXIT_PAIRS;

static bool pair_inconsistent(const struct vmx_ctl_pair *p, uint32_t entry,
			      uint32_t exit)
{
	return !(entry & p->entry) != !(exit & p->exit);
}

void vmx_sanitize_pairs(uint32_t *entry, uint32_t *exit,
			unsigned *cleared_mask)
{
	unsigned cleared = 0;
	unsigned i;

	for (i = 0; i < VMX_ENTRY_EXIT_PAIRS; i++) {
		const struct vmx_ctl_pair *p = &vmx_entry_exit_pairs[i];

		if (!pair_inconsistent(p, *entry, *exit))
			continue;
		*entry &= ~p->entry;
		*exit &= ~p->exit;
		cleared |= 1u << i;
	}
	if (cleared_mask)
		*cleared_mask = cleared;
}

/* ---- Allowed settings (A.2-A.5) ----------------------------------------- */

static bool use_true_ctls(const struct vmx_msrs *m)
{
	/* A.2: the TRUE MSRs exist iff IA32_VMX_BASIC[55] = 1. */
	return (m->basic & VMX_BASIC_TRUE_CTLS) && m->have_true_ctls;
}

void vmx_allowed_settings(const struct vmx_msrs *m,
			  uint32_t allowed0[VMX_CTL_KINDS],
			  uint32_t allowed1[VMX_CTL_KINDS])
{
	bool t = use_true_ctls(m);
	uint64_t v[VMX_CTL_KINDS];
	unsigned k;

	v[VMX_PIN] = t ? m->true_pinbased : m->pinbased;
	v[VMX_PROC] = t ? m->true_procbased : m->procbased;
	v[VMX_EXIT] = t ? m->true_exit : m->exit;
	v[VMX_ENTRY] = t ? m->true_entry : m->entry;
	/* A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only when "activate
	 * secondary controls" may be 1; otherwise they are all 0. */
	if (m->have_procbased2 && (HI32(v[VMX_PROC]) & PROC_SECONDARY_CONTROLS))
		v[VMX_PROC2] = m->procbased2;
	else
		v[VMX_PROC2] = 0;
	/* A.3-A.5: bits 31:0 are the allowed 0-settings (1 = must be 1),
	 * bits 63:32 the allowed 1-settings (0 = must be 0). */
	for (k = 0; k < VMX_CTL_KINDS; k++) {
		allowed0[k] = LO32(v[k]);
		allowed1[k] = HI32(v[k]);
	}
}

/* ---- The build ----------------------------------------------------------- */

struct build {
	const struct vmx_msrs *m;
	vmx_diag_fn diag;
	void *ctx;
	bool failed;
	bool true_ctls;
	uint32_t a0[VMX_CTL_KINDS], a1[VMX_CTL_KINDS];
	uint32_t asked[VMX_CTL_KINDS];	/* the caller's required | optional */
	uint32_t req[VMX_CTL_KINDS];	/* required, extended to pairs */
	uint32_t want[VMX_CTL_KINDS];	/* everything wanted, extended */
	uint32_t ctl[VMX_CTL_KINDS];
	uint32_t reported[VMX_CTL_KINDS]; /* required bits already reported */
};

static void report(struct build *b, bool fatal, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void report(struct build *b, bool fatal, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;

	if (fatal)
		b->failed = true;
	if (!b->diag)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->diag(b->ctx, fatal, msg);
}

static const char *msr_name(const struct build *b, enum vmx_ctl_kind k)
{
	if (b->true_ctls && kinds[k].true_msr)
		return kinds[k].true_msr;
	return kinds[k].msr;
}

static const char *memtype_name(unsigned t)
{
	if (t == VMX_MEMTYPE_UC)
		return "uncacheable";
	if (t == VMX_MEMTYPE_WB)
		return "write-back";
	return "reserved";
}

/* A.1: IA32_VMX_BASIC. */
static void check_basic(struct build *b, uint64_t basic)
{
	unsigned size = VMX_BASIC_REGION_SIZE(basic);
	unsigned type = VMX_BASIC_MEMTYPE(basic);

	if (size == 0 || size > VMX_REGION_MAX)
		report(b, true,
		       "IA32_VMX_BASIC reports a VMCS region size of %u bytes; "
		       "A.1 allows 1 to 4096", size);
	if (type != VMX_MEMTYPE_WB)
		report(b, true,
		       "IA32_VMX_BASIC reports VMCS memory type %u (%s): Nestor "
		       "needs write-back VMCS memory (A.1)",
		       type, memtype_name(type));
	if (basic & VMX_BASIC_32BIT_ADDRESSES)
		report(b, true,
		       "IA32_VMX_BASIC[48] limits VMXON/VMCS addresses to 32 "
		       "bits, which A.1 rules out on a 64-bit CPU");
}

/* A.7, A.8: a bit that is 1 in FIXED0 must be 1, a bit that is 0 in FIXED1
 * must be 0; both at once is impossible. */
static void check_fixed(struct build *b, const char *cr, uint64_t fixed0,
			uint64_t fixed1, const char *section)
{
	uint64_t bad = fixed0 & ~fixed1;

	if (bad)
		report(b, true,
		       "IA32_VMX_%s_FIXED0/FIXED1 require %s bits 0x%llx to be "
		       "both 1 and 0 (%s)",
		       cr, cr, (unsigned long long)bad, section);
}

static void select_allowed(struct build *b)
{
	const struct vmx_msrs *m = b->m;
	bool basic_true = m->basic & VMX_BASIC_TRUE_CTLS;
	unsigned k;

	if (basic_true && !m->have_true_ctls)
		report(b, false,
		       "IA32_VMX_BASIC[55] = 1 but the TRUE control MSRs were "
		       "not read; using the non-TRUE ones (A.2)");
	if (!basic_true && m->have_true_ctls)
		report(b, false,
		       "TRUE control MSRs given although IA32_VMX_BASIC[55] = 0;"
		       " ignoring them (A.2)");
	b->true_ctls = use_true_ctls(m);
	vmx_allowed_settings(m, b->a0, b->a1);

	if (!(b->a1[VMX_PROC] & PROC_SECONDARY_CONTROLS)) {
		if (m->have_procbased2 && HI32(m->procbased2))
			report(b, true,
			       "IA32_VMX_PROCBASED_CTLS2 advertises secondary "
			       "controls 0x%x but 'activate secondary controls' "
			       "(primary processor-based bit 31) cannot be 1: "
			       "that MSR should not exist (A.3.3)",
			       HI32(m->procbased2));
	} else if (!m->have_procbased2) {
		report(b, false,
		       "'activate secondary controls' can be 1 but "
		       "IA32_VMX_PROCBASED_CTLS2 was not read (A.3.3); using no "
		       "secondary controls");
	}

	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint32_t bad = b->a0[k] & ~b->a1[k];

		if (!bad)
			continue;
		report(b, true,
		       "%s requires %s controls 0x%x to be both 1 (allowed "
		       "0-settings) and 0 (allowed 1-settings) (A.3-A.5)",
		       msr_name(b, (enum vmx_ctl_kind)k), kinds[k].kind, bad);
		b->a0[k] &= b->a1[k];
	}
}

/* A.10: IA32_VMX_EPT_VPID_CAP exists iff "enable EPT" or "enable VPID" may
 * be 1, and then describes what they offer; Nestor needs 4-level EPT with
 * write-back paging structures and a usable INVEPT/INVVPID. */
static void check_ept_caps(struct build *b, uint64_t cap)
{
	if (!(cap & EPT_CAP_WALK_4))
		report(b, true,
		       "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		       "page-walk length 4 (bit 6); Nestor needs 4-level EPT "
		       "(A.10)");
	if (!(cap & EPT_CAP_MT_WB))
		report(b, true,
		       "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		       "write-back EPT memory (bit 14); Nestor needs it (A.10)");
	if (!(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		report(b, true,
		       "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		       "INVEPT (bit 20) with a single-context (bit 25) or "
		       "all-context (bit 26) type (A.10)");
}

static void check_vpid_caps(struct build *b, uint64_t cap)
{
	if (!(cap & VPID_CAP_INVVPID) ||
	    !(cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		report(b, true,
		       "'enable VPID' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		       "INVVPID (bit 32) with a single-context (bit 41) or "
		       "all-context (bit 42) type (A.10)");
}

static void check_secondary_caps(struct build *b)
{
	const struct vmx_msrs *m = b->m;
	uint32_t *a1 = &b->a1[VMX_PROC2];
	bool ept = *a1 & PROC2_ENABLE_EPT, vpid = *a1 & PROC2_ENABLE_VPID;
	uint64_t cap = m->have_ept_vpid_cap ? m->ept_vpid_cap : 0;

	if (!ept && (cap & EPT_CAP_EPT_BITS))
		report(b, true,
		       "IA32_VMX_EPT_VPID_CAP reports EPT capabilities 0x%llx "
		       "but 'enable EPT' (secondary processor-based bit 1) "
		       "cannot be 1 (A.10)",
		       (unsigned long long)(cap & EPT_CAP_EPT_BITS));
	if (!vpid && (cap & EPT_CAP_VPID_BITS))
		report(b, true,
		       "IA32_VMX_EPT_VPID_CAP reports VPID capabilities 0x%llx "
		       "but 'enable VPID' (secondary processor-based bit 5) "
		       "cannot be 1 (A.10)",
		       (unsigned long long)(cap & EPT_CAP_VPID_BITS));
	if ((ept || vpid) && !m->have_ept_vpid_cap) {
		report(b, true,
		       "'enable EPT' or 'enable VPID' can be 1 but "
		       "IA32_VMX_EPT_VPID_CAP is absent (A.10)");
	} else {
		if (ept)
			check_ept_caps(b, cap);
		if (vpid)
			check_vpid_caps(b, cap);
	}

	/* 26.2.1.1: "unrestricted guest" = 1 requires "enable EPT" = 1. */
	if ((b->a0[VMX_PROC2] & PROC2_UNRESTRICTED_GUEST) && !ept) {
		report(b, true,
		       "IA32_VMX_PROCBASED_CTLS2 forces 'unrestricted guest' to "
		       "1 but 'enable EPT' cannot be 1, and it needs EPT "
		       "(26.2.1.1)");
	} else if ((*a1 & PROC2_UNRESTRICTED_GUEST) && !ept) {
		report(b, false,
		       "'unrestricted guest' can be 1 but 'enable EPT' cannot, "
		       "and it needs EPT (26.2.1.1); treating unrestricted guest "
		       "as unavailable");
		*a1 &= ~PROC2_UNRESTRICTED_GUEST;
	}

	/* A.11: IA32_VMX_VMFUNC exists iff "enable VM functions" may be 1. */
	if ((*a1 & PROC2_ENABLE_VMFUNC) && !m->have_vmfunc)
		report(b, true,
		       "'enable VM functions' (secondary processor-based bit 13) "
		       "can be 1 but IA32_VMX_VMFUNC is absent (A.11)");
	if (!(*a1 & PROC2_ENABLE_VMFUNC) && m->have_vmfunc && m->vmfunc)
		report(b, true,
		       "IA32_VMX_VMFUNC reports VM functions 0x%llx but 'enable "
		       "VM functions' (secondary processor-based bit 13) cannot "
		       "be 1 (A.11)",
		       (unsigned long long)m->vmfunc);
}

/* What is wanted, extended by the rules the caller need not spell out. */
static void compute_wants(struct build *b, const struct vmx_wanted *w)
{
	unsigned k, i;

	for (k = 0; k < VMX_CTL_KINDS; k++) {
		b->asked[k] = w->required[k] | w->optional[k];
		b->req[k] = w->required[k];
		b->want[k] = b->asked[k];
	}
	/* 24.6.2: secondary controls act only with "activate secondary
	 * controls" = 1. */
	if (b->want[VMX_PROC2] | b->a0[VMX_PROC2])
		b->want[VMX_PROC] |= PROC_SECONDARY_CONTROLS;
	/* A pair is wanted (or forced, or required) as a whole. */
	for (i = 0; i < VMX_ENTRY_EXIT_PAIRS; i++) {
		const struct vmx_ctl_pair *p = &vmx_entry_exit_pairs[i];

		if (((b->want[VMX_ENTRY] | b->a0[VMX_ENTRY]) & p->entry) ||
		    ((b->want[VMX_EXIT] | b->a0[VMX_EXIT]) & p->exit)) {
			b->want[VMX_ENTRY] |= p->entry;
			b->want[VMX_EXIT] |= p->exit;
		}
		if ((b->req[VMX_ENTRY] & p->entry) ||
		    (b->req[VMX_EXIT] & p->exit)) {
			b->req[VMX_ENTRY] |= p->entry;
			b->req[VMX_EXIT] |= p->exit;
		}
	}
}

/* A.3-A.5: a control is 1 if wanted and allowed to be 1, or if it is not
 * allowed to be 0. */
static void adjust(struct build *b)
{
	unsigned k;

	for (k = 0; k < VMX_CTL_KINDS; k++)
		b->ctl[k] = (b->want[k] & b->a1[k]) | b->a0[k];
}

/* A pair whose two sides disagree after adjustment (both sides were wanted,
 * see compute_wants) means one side is unsupported: use neither, warning
 * once per pair; refuse if the pair was required or a side is forced. */
static void report_pair(struct build *b, const struct vmx_ctl_pair *p)
{
	const char *n = bit_name_or(VMX_ENTRY, p->entry);
	const char *x = bit_name_or(VMX_EXIT, p->exit);
	bool entry_set = b->ctl[VMX_ENTRY] & p->entry;
	const char *on = entry_set ? "entry" : "exit";
	const char *off = entry_set ? "exit" : "entry";
	const char *on_name = entry_set ? n : x;
	const char *off_name = entry_set ? x : n;

	if ((b->a0[VMX_ENTRY] & p->entry) || (b->a0[VMX_EXIT] & p->exit))
		report(b, true,
		       "%s forces %s control '%s' to 1 but %s control '%s' "
		       "cannot be 1: inconsistent CPU (A.4, A.5)",
		       msr_name(b, entry_set ? VMX_ENTRY : VMX_EXIT), on,
		       on_name, off, off_name);
	else if ((b->req[VMX_ENTRY] & p->entry) || (b->req[VMX_EXIT] & p->exit))
		report(b, true,
		       "required VM-entry/VM-exit control pair entry '%s' / "
		       "exit '%s' is unusable: %s '%s' supported, %s '%s' not",
		       n, x, on, on_name, off, off_name);
	else
		report(b, false,
		       "inconsistent VM-entry/VM-exit control pair: %s '%s' "
		       "supported, %s '%s' not; using neither",
		       on, on_name, off, off_name);
}

static void check_pairs(struct build *b)
{
	unsigned i;

	for (i = 0; i < VMX_ENTRY_EXIT_PAIRS; i++) {
		const struct vmx_ctl_pair *p = &vmx_entry_exit_pairs[i];

		if (!pair_inconsistent(p, b->ctl[VMX_ENTRY], b->ctl[VMX_EXIT]))
			continue;
		report_pair(b, p);
		b->ctl[VMX_ENTRY] &= ~p->entry;
		b->ctl[VMX_EXIT] &= ~p->exit;
		b->reported[VMX_ENTRY] |= p->entry;
		b->reported[VMX_EXIT] |= p->exit;
	}
}

/* 26.2.1.1 and 26.2.1.2: a control that may be 1 only if another is 1. */
struct ctl_dep {
	uint8_t kind, needs_kind;
	uint32_t bit, needs;
	const char *section;
};

static const struct ctl_dep deps[] = {
	{ VMX_PIN, VMX_PIN, PIN_VIRTUAL_NMIS, PIN_NMI_EXITING, "26.2.1.1" },
	{ VMX_PROC, VMX_PIN, PROC_NMI_WINDOW_EXITING, PIN_VIRTUAL_NMIS,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC, PROC2_VIRTUALIZE_X2APIC, PROC_TPR_SHADOW,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC, PROC2_APIC_REGISTER_VIRT, PROC_TPR_SHADOW,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC, PROC2_VIRTUAL_INTERRUPT_DELIVERY,
	  PROC_TPR_SHADOW, "26.2.1.1" },
	{ VMX_PROC2, VMX_PIN, PROC2_VIRTUAL_INTERRUPT_DELIVERY,
	  PIN_EXTERNAL_INTERRUPT_EXITING, "26.2.1.1" },
	{ VMX_PIN, VMX_PROC2, PIN_POSTED_INTERRUPTS,
	  PROC2_VIRTUAL_INTERRUPT_DELIVERY, "26.2.1.1" },
	{ VMX_PIN, VMX_EXIT, PIN_POSTED_INTERRUPTS, EXIT_ACK_INTERRUPT_ON_EXIT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC2, PROC2_UNRESTRICTED_GUEST, PROC2_ENABLE_EPT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC2, PROC2_ENABLE_PML, PROC2_ENABLE_EPT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC2, PROC2_MODE_BASED_EPT_EXEC, PROC2_ENABLE_EPT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC2, PROC2_SUBPAGE_WRITE_PERM, PROC2_ENABLE_EPT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_PROC2, PROC2_PT_USES_GUEST_PHYS, PROC2_ENABLE_EPT,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_ENTRY, PROC2_PT_USES_GUEST_PHYS, ENTRY_LOAD_RTIT_CTL,
	  "26.2.1.1" },
	{ VMX_PROC2, VMX_EXIT, PROC2_PT_USES_GUEST_PHYS, EXIT_CLEAR_RTIT_CTL,
	  "26.2.1.1" },
	{ VMX_EXIT, VMX_PIN, EXIT_SAVE_PREEMPTION_TIMER, PIN_PREEMPTION_TIMER,
	  "26.2.1.2" },
};

/* Returns true if it had to clear the dependent control. */
static bool apply_dep(struct build *b, const struct ctl_dep *d)
{
	enum vmx_ctl_kind k = (enum vmx_ctl_kind)d->kind;
	enum vmx_ctl_kind nk = (enum vmx_ctl_kind)d->needs_kind;
	struct ctl_text t, nt;

	if (!(b->ctl[k] & d->bit) || (b->ctl[nk] & d->needs))
		return false;
	t = ctl_text(k, lowest_bit(d->bit));
	nt = ctl_text(nk, lowest_bit(d->needs));
	if (b->a0[k] & d->bit)
		report(b, true, "%s forces %s to 1 but it needs %s, which is off "
		       "(%s)", msr_name(b, k), t.s, nt.s, d->section);
	else if (b->req[k] & d->bit)
		report(b, true, "required %s needs %s, which is not available "
		       "(%s)", t.s, nt.s, d->section);
	else
		report(b, false, "not using %s: it needs %s, which is off (%s)",
		       t.s, nt.s, d->section);
	b->ctl[k] &= ~d->bit;
	b->reported[k] |= d->bit & b->req[k];
	return true;
}

static void apply_dependencies(struct build *b)
{
	bool changed = true;
	unsigned pass, i;

	/* Each pass that changes something clears a dependent bit, so the
	 * number of passes is bounded by the table size. */
	for (pass = 0; changed && pass <= ARRAY_SIZE(deps); pass++) {
		changed = false;
		for (i = 0; i < ARRAY_SIZE(deps); i++)
			changed |= apply_dep(b, &deps[i]);
	}
}

/* 26.2.1.1: "virtualize x2APIC mode" and "virtualize APIC accesses" may
 * not both be 1. Keep the required one; refuse if neither or both are. */
static void check_apic_exclusion(struct build *b)
{
	const uint32_t x2 = PROC2_VIRTUALIZE_X2APIC;
	const uint32_t apic = PROC2_VIRTUALIZE_APIC_ACCESSES;
	uint32_t fixed = b->req[VMX_PROC2] | b->a0[VMX_PROC2];
	uint32_t *ctl = &b->ctl[VMX_PROC2];

	if ((*ctl & (x2 | apic)) != (x2 | apic))
		return;
	if ((fixed & (x2 | apic)) == x2) {
		report(b, false, "not using 'virtualize APIC accesses': "
		       "'virtualize x2APIC mode' excludes it (26.2.1.1)");
		*ctl &= ~apic;
	} else if ((fixed & (x2 | apic)) == apic) {
		report(b, false, "not using 'virtualize x2APIC mode': "
		       "'virtualize APIC accesses' excludes it (26.2.1.1)");
		*ctl &= ~x2;
	} else {
		report(b, true, "VM-execution controls 'virtualize x2APIC mode' "
		       "and 'virtualize APIC accesses' cannot both be 1 "
		       "(26.2.1.1); want only one of them");
	}
}

/* 24.6.2: without "activate secondary controls" the secondary controls
 * act as 0; with none of them set the control is pointless. */
static void finish_secondary(struct build *b)
{
	uint32_t keep = b->asked[VMX_PROC] | b->a0[VMX_PROC];

	if (!b->ctl[VMX_PROC2] && !(keep & PROC_SECONDARY_CONTROLS))
		b->ctl[VMX_PROC] &= ~PROC_SECONDARY_CONTROLS;
	if (!(b->ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS))
		b->ctl[VMX_PROC2] = 0;
}

static void check_required(struct build *b)
{
	unsigned k;

	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint32_t missing = b->req[k] & ~b->ctl[k] & ~b->reported[k];

		while (missing) {
			unsigned bit = lowest_bit(missing);
			struct ctl_text t = ctl_text((enum vmx_ctl_kind)k, bit);

			missing &= missing - 1;
			if (!(b->a1[k] & BIT32(bit)))
				report(b, true, "required %s is not supported by "
				       "this CPU", t.s);
			else
				report(b, true, "required %s could not be "
				       "enabled", t.s);
		}
	}
}

/* With EPT, CR3 accesses need not exit; on CPUs without the TRUE MSRs the
 * CR3-load/store exiting controls are default1 and cannot be 0 (A.2,
 * A.3.2). That only costs exits: a notice. */
static void notice_forced_cr3(struct build *b)
{
	uint32_t cr3 = PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING;
	uint32_t forced = b->a0[VMX_PROC] & cr3 & ~b->asked[VMX_PROC];

	if (!(b->ctl[VMX_PROC2] & PROC2_ENABLE_EPT) || !forced)
		return;
	report(b, false,
	       "%s forces %s to 1 although EPT is on: guest CR3 accesses "
	       "will exit (A.2)",
	       msr_name(b, VMX_PROC),
	       forced == cr3 ? "'CR3-load exiting' and 'CR3-store exiting'" :
	       forced == PROC_CR3_LOAD_EXITING ? "'CR3-load exiting'" :
						 "'CR3-store exiting'");
}

static void fill_ept_vpid(struct vmx_config *c, uint64_t cap)
{
	c->ept = c->ctl[VMX_PROC2] & PROC2_ENABLE_EPT;
	c->vpid = c->ctl[VMX_PROC2] & PROC2_ENABLE_VPID;
	c->unrestricted_guest = c->ctl[VMX_PROC2] & PROC2_UNRESTRICTED_GUEST;
	if (c->ept) {
		c->ept_exec_only = cap & EPT_CAP_EXEC_ONLY;
		c->ept_2m = cap & EPT_CAP_PAGE_2M;
		c->ept_1g = cap & EPT_CAP_PAGE_1G;
		c->ept_ad = cap & EPT_CAP_AD;
		c->ept_wb = cap & EPT_CAP_MT_WB;
		c->invept_single = cap & EPT_CAP_INVEPT_SINGLE;
		c->invept_all = cap & EPT_CAP_INVEPT_ALL;
	}
	if (c->vpid) {
		c->invvpid_addr = cap & VPID_CAP_INVVPID_ADDR;
		c->invvpid_single = cap & VPID_CAP_INVVPID_SINGLE;
		c->invvpid_all = cap & VPID_CAP_INVVPID_ALL;
	}
}

/* A.6: IA32_VMX_MISC. */
static void fill_misc(struct vmx_config *c, uint64_t misc)
{
	c->misc = misc;
	c->preemption_timer_shift = misc & 0x1f;
	c->cr3_target_count = (misc >> 16) & 0x1ff;
	c->max_msr_list = 512u * ((unsigned)((misc >> 25) & 7) + 1);
	c->activity_hlt = misc & VMX_MISC_ACTIVITY_HLT;
	c->activity_shutdown = misc & VMX_MISC_ACTIVITY_SHUTDOWN;
	c->activity_wait_sipi = misc & VMX_MISC_ACTIVITY_WAIT_SIPI;
	c->vmwrite_any_field = misc & VMX_MISC_VMWRITE_ANY_FIELD;
}

static void fill_config(const struct build *b, struct vmx_config *c)
{
	const struct vmx_msrs *m = b->m;
	const uint32_t *a1 = b->a1;

	memcpy(c->ctl, b->ctl, sizeof(c->ctl));
	memcpy(c->allowed0, b->a0, sizeof(c->allowed0));
	memcpy(c->allowed1, b->a1, sizeof(c->allowed1));
	c->revision = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK);
	c->basic = m->basic;
	c->ept_vpid_cap = m->have_ept_vpid_cap ? m->ept_vpid_cap : 0;
	c->vmfunc = (a1[VMX_PROC2] & PROC2_ENABLE_VMFUNC) ? m->vmfunc : 0;
	c->cr0_fixed0 = m->cr0_fixed0;
	c->cr0_fixed1 = m->cr0_fixed1;
	c->cr4_fixed0 = m->cr4_fixed0;
	c->cr4_fixed1 = m->cr4_fixed1;
	c->true_ctls = b->true_ctls;
	fill_ept_vpid(c, c->ept_vpid_cap);
	c->mtf = a1[VMX_PROC] & PROC_MONITOR_TRAP_FLAG;
	c->ext_int_exiting = a1[VMX_PIN] & PIN_EXTERNAL_INTERRUPT_EXITING;
	c->vmcs_shadowing = a1[VMX_PROC2] & PROC2_VMCS_SHADOWING;
	c->preemption_timer = a1[VMX_PIN] & PIN_PREEMPTION_TIMER;
	c->save_preemption_timer =
		c->preemption_timer && (a1[VMX_EXIT] & EXIT_SAVE_PREEMPTION_TIMER);
	c->virtual_nmis = (a1[VMX_PIN] & PIN_VIRTUAL_NMIS) &&
			  (a1[VMX_PIN] & PIN_NMI_EXITING);
	c->nmi_window =
		c->virtual_nmis && (a1[VMX_PROC] & PROC_NMI_WINDOW_EXITING);
	fill_misc(c, m->misc);
}

int vmx_config_build(const struct vmx_msrs *m, const struct vmx_wanted *want,
		     struct vmx_config *out, vmx_diag_fn diag, void *ctx)
{
	struct build b;

	memset(&b, 0, sizeof(b));
	b.diag = diag;
	b.ctx = ctx;
	if (!m || !want || !out) {
		report(&b, true, "vmx_config_build: missing MSRs, wants or "
		       "output");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	b.m = m;

	check_basic(&b, m->basic);
	check_fixed(&b, "CR0", m->cr0_fixed0, m->cr0_fixed1, "A.7");
	check_fixed(&b, "CR4", m->cr4_fixed0, m->cr4_fixed1, "A.8");
	select_allowed(&b);
	check_secondary_caps(&b);

	compute_wants(&b, want);
	adjust(&b);
	check_pairs(&b);
	apply_dependencies(&b);
	check_apic_exclusion(&b);
	finish_secondary(&b);
	check_required(&b);
	notice_forced_cr3(&b);

	if (b.failed)
		return -1;
	fill_config(&b, out);
	return 0;
}

/* ---- What a nested hypervisor (L1) is shown ----------------------------- */

/* The fixed policy: controls Nestor's nested VMX does not emulate, hidden
 * from L1 whatever the CPU offers (allowed-1 cleared, A.3-A.5). Both sides
 * of a VM-entry/VM-exit pair are listed together. */
static const uint32_t l1_policy_hide[VMX_CTL_KINDS] = {
	/* 24.6.1: posted interrupts. (The VMX-preemption timer is shown
	 * where the CPU can also save its value: l1_timer().) */
	[VMX_PIN] = PIN_POSTED_INTERRUPTS,
	/* 24.6.2: the tertiary controls' MSR (A.3.4) is not modelled. */
	[VMX_PROC] = PROC_TERTIARY_CONTROLS,
	/* 24.6.2 Table 24-7. APIC virtualization for L2 (virtualize APIC
	 * accesses and x2APIC mode, APIC-register virtualization, virtual-
	 * interrupt delivery) is shown where the CPU has it: vmcs02 runs it
	 * with the vmcs12's pages, an APIC-access page outside L1's RAM
	 * behind Nestor's own page (nested/l2_apic.c, issue 15). */
	[VMX_PROC2] = PROC2_ENABLE_PML | PROC2_ENABLE_VMFUNC |
		      PROC2_VMCS_SHADOWING | PROC2_EPT_VIOLATION_VE |
		      PROC2_ENCLS_EXITING | PROC2_ENCLV_EXITING |
		      PROC2_SUBPAGE_WRITE_PERM | PROC2_MODE_BASED_EPT_EXEC |
		      PROC2_TSC_SCALING | PROC2_CONCEAL_VMX_FROM_PT |
		      PROC2_PT_USES_GUEST_PHYS | PROC2_USER_WAIT_PAUSE |
		      PROC2_ENABLE_PCONFIG,
	/* 24.7.1: the secondary VM-exit controls' MSR (A.4.2) is not
	 * modelled; Intel PT, CET and PKRS
	 * state is not switched; vmcs12 has no IA32_LBR_CTL or UINV field
	 * (vmx/vmcs_fields.h), so their pairs cannot be emulated either. */
	[VMX_EXIT] = EXIT_SECONDARY_CONTROLS |
		     EXIT_CONCEAL_VMX_FROM_PT | EXIT_CLEAR_RTIT_CTL |
		     EXIT_LOAD_CET_STATE | EXIT_LOAD_PKRS | EXIT_CLEAR_LBR_CTL |
		     EXIT_CLEAR_UINV,
	/* 24.8.1: the entry sides of the same pairs; "entry to SMM" and
	 * "deactivate dual-monitor treatment" serve only the dual-monitor
	 * treatment of SMM (34.15), which L1 is never shown (A.1 bit 49). */
	[VMX_ENTRY] = ENTRY_CONCEAL_VMX_FROM_PT | ENTRY_LOAD_RTIT_CTL |
		      ENTRY_LOAD_CET_STATE | ENTRY_LOAD_PKRS |
		      ENTRY_LOAD_LBR_CTL | ENTRY_LOAD_UINV | ENTRY_TO_SMM |
		      ENTRY_DEACTIVATE_DUAL_MONITOR,
};

/* A.10: the EPT/VPID capabilities L1 may be shown. Not shown: accessed and
 * dirty flags (bit 21), advanced VM-exit information for EPT violations
 * (bit 22), supervisor shadow-stack control (bit 23, CET is hidden), the
 * HLAT prefix size (bits 53:48, tertiary controls are hidden) and every
 * bit A.10 leaves reserved. The #VE-related controls are hidden in the
 * secondary controls ("EPT-violation #VE"); A.10 has no #VE bit. */
#define L1_EPT_VPID_CAP_SHOWN                                               \
	(EPT_CAP_EXEC_ONLY | EPT_CAP_WALK_4 | EPT_CAP_WALK_5 | EPT_CAP_MT_UC | \
	 EPT_CAP_MT_WB | EPT_CAP_PAGE_2M | EPT_CAP_PAGE_1G | EPT_CAP_INVEPT |  \
	 EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL | EPT_CAP_VPID_BITS)

/* A.6: the IA32_VMX_MISC bits L1 may be shown. Not shown: the
 * shutdown and wait-for-SIPI activity states (bits 7, 8), Intel PT in VMX
 * operation (bit 14), RDMSR of IA32_SMBASE in SMM (bit 15), the
 * IA32_SMM_MONITOR_CTL bit-2 capability (bit 28) and the MSEG revision
 * identifier (bits 63:32): no dual-monitor treatment is shown (A.1 bit 49).
 * The preemption-timer rate (bits 4:0) goes with the timer. */
#define L1_MISC_SHOWN                                                       \
	(VMX_MISC_PREEMPT_RATE_MASK | VMX_MISC_LMA_IN_EXIT_CTLS |             \
	 VMX_MISC_ACTIVITY_HLT | VMX_MISC_CR3_TARGETS_MASK |                  \
	 VMX_MISC_MSR_LIST_MASK | VMX_MISC_VMWRITE_ANY_FIELD |                \
	 VMX_MISC_ZERO_LEN_INJECT)

/* A.1: the IA32_VMX_BASIC bits taken from the CPU; the revision and
 * region size are Nestor's, bit 48 is 0 on Intel 64 CPUs, and bit 49
 * (dual-monitor treatment) is never shown. */
#define L1_BASIC_FROM_CPU                                                   \
	(VMX_BASIC_MEMTYPE_MASK | VMX_BASIC_INOUT_INFO | VMX_BASIC_TRUE_CTLS |  \
	 VMX_BASIC_ANY_ERRCODE)

/* L1's VMCS region is a 4-KByte page holding struct vmcs12 (A.1). */
#define L1_VMCS_REGION_SIZE 4096ull

/* Clears allowed-1 bits `bits` of a control MSR, except those in `keep`. */
static void msr_hide(uint64_t *msr, uint32_t bits, uint32_t keep)
{
	*msr &= ~((uint64_t)(bits & ~keep) << 32);
}

/* The plain and the TRUE MSR of one kind (the same MSR for PROC2). */
static void l1_msrs_of(struct vmx_msrs *l1, enum vmx_ctl_kind k,
		       uint64_t **plain, uint64_t **truev)
{
	switch (k) {
	case VMX_PIN:
		*plain = &l1->pinbased;
		*truev = &l1->true_pinbased;
		break;
	case VMX_PROC:
		*plain = &l1->procbased;
		*truev = &l1->true_procbased;
		break;
	case VMX_EXIT:
		*plain = &l1->exit;
		*truev = &l1->true_exit;
		break;
	case VMX_ENTRY:
		*plain = &l1->entry;
		*truev = &l1->true_entry;
		break;
	default:
		*plain = *truev = &l1->procbased2;
		break;
	}
}

/* Hides `bits` of one kind in both the plain and the TRUE MSR; a bit
 * either one forces to 1 stays (A.2: the two views must agree). */
static void l1_hide(struct vmx_msrs *l1, enum vmx_ctl_kind k, uint32_t bits)
{
	uint64_t *p, *t;
	uint32_t keep;

	l1_msrs_of(l1, k, &p, &t);
	keep = LO32(*p) | LO32(*t);
	msr_hide(p, bits, keep);
	if (t != p)
		msr_hide(t, bits, keep);
}

/* Control bits without a name in Tables 24-5 to 24-15: Nestor cannot
 * emulate what it does not know. */
static uint32_t unnamed_bits(enum vmx_ctl_kind k)
{
	const struct kind_info *ki = &kinds[k];
	uint32_t named = 0;
	size_t i;

	for (i = 0; i < ki->count; i++)
		named |= ki->names[i].mask;
	return ~named;
}

/* A.2: with TRUE MSRs, the allowed 1-settings of both views are the same;
 * show only what both have, so that neither view offers L1 a control the
 * CPU's effective view (the TRUE one) lacks. */
static void l1_agree_views(struct vmx_msrs *l1)
{
	unsigned k;

	if (!use_true_ctls(l1))
		return;
	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint64_t *p, *t;

		if (k == VMX_PROC2)
			continue;
		l1_msrs_of(l1, (enum vmx_ctl_kind)k, &p, &t);
		l1_hide(l1, (enum vmx_ctl_kind)k, HI32(*p) ^ HI32(*t));
	}
}

static uint32_t l1_allowed1(const struct vmx_msrs *l1, enum vmx_ctl_kind k)
{
	uint32_t a0[VMX_CTL_KINDS], a1[VMX_CTL_KINDS];

	vmx_allowed_settings(l1, a0, a1);
	return a1[k];
}

/* A.10: INVEPT/INVVPID types are reported only with the instruction. */
static void l1_invalidation_types(struct vmx_msrs *l1)
{
	if (!(l1->ept_vpid_cap & EPT_CAP_INVEPT))
		l1->ept_vpid_cap &= ~(EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
	if (!(l1->ept_vpid_cap & VPID_CAP_INVVPID))
		l1->ept_vpid_cap &= ~(VPID_CAP_INVVPID_ADDR |
				      VPID_CAP_INVVPID_SINGLE |
				      VPID_CAP_INVVPID_ALL |
				      VPID_CAP_INVVPID_SINGLE_NONGLOBAL);
}

/* A.3.3, A.10, A.11: the secondary-control MSRs exist only as far as the
 * controls that announce them may be 1. */
static void l1_secondary(struct vmx_msrs *l1)
{
	uint32_t a1;

	if (!l1->have_procbased2 ||
	    !(l1_allowed1(l1, VMX_PROC) & PROC_SECONDARY_CONTROLS)) {
		l1_hide(l1, VMX_PROC, PROC_SECONDARY_CONTROLS);
		l1->have_procbased2 = false;
		l1->procbased2 = 0;
	}
	if (!l1->have_ept_vpid_cap)
		l1_hide(l1, VMX_PROC2, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
	l1->ept_vpid_cap &= L1_EPT_VPID_CAP_SHOWN;
	l1_invalidation_types(l1);
	a1 = HI32(l1->procbased2);
	if (!(a1 & PROC2_ENABLE_EPT)) {
		/* 26.2.1.1 (UG needs EPT), 24.6.14 (EPTP switching). */
		l1_hide(l1, VMX_PROC2, PROC2_UNRESTRICTED_GUEST);
		l1->ept_vpid_cap &= ~EPT_CAP_EPT_BITS;
		l1->vmfunc &= ~VMFUNC_EPTP_SWITCHING;
	}
	if (!(a1 & PROC2_ENABLE_VPID))
		l1->ept_vpid_cap &= ~EPT_CAP_VPID_BITS;
	l1->have_ept_vpid_cap = a1 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
	if (!l1->have_ept_vpid_cap)
		l1->ept_vpid_cap = 0;

	if (!l1->have_vmfunc || !l1->vmfunc)
		l1_hide(l1, VMX_PROC2, PROC2_ENABLE_VMFUNC);
	l1->have_vmfunc = HI32(l1->procbased2) & PROC2_ENABLE_VMFUNC;
	if (!l1->have_vmfunc)
		l1->vmfunc = 0;
}

/* The pair rule applied to the allowed-1 settings of both MSR views. */
static void l1_pairs(struct vmx_msrs *l1)
{
	uint32_t n = HI32(l1->entry), x = HI32(l1->exit);
	uint32_t tn = HI32(l1->true_entry), tx = HI32(l1->true_exit);
	unsigned c1, c2, i;
	uint32_t en = 0, ex = 0;

	vmx_sanitize_pairs(&n, &x, &c1);
	vmx_sanitize_pairs(&tn, &tx, &c2);
	for (i = 0; i < VMX_ENTRY_EXIT_PAIRS; i++) {
		if (!((c1 | c2) & (1u << i)))
			continue;
		en |= vmx_entry_exit_pairs[i].entry;
		ex |= vmx_entry_exit_pairs[i].exit;
	}
	l1_hide(l1, VMX_ENTRY, en);
	l1_hide(l1, VMX_EXIT, ex);
}

/* 25.5.1: nested/ runs L1's VMX-preemption timer on vmcs02's, which must
 * keep counting across the exits L0 handles without L1 (vmcs02 saves the
 * value whenever the timer is on): without "save VMX-preemption timer
 * value" on the CPU the timer is not shown. */
static void l1_timer(struct vmx_msrs *l1)
{
	if (!(l1_allowed1(l1, VMX_EXIT) & EXIT_SAVE_PREEMPTION_TIMER))
		l1_hide(l1, VMX_PIN, PIN_PREEMPTION_TIMER);
	if (!(l1_allowed1(l1, VMX_PIN) & PIN_PREEMPTION_TIMER))
		l1_hide(l1, VMX_EXIT, EXIT_SAVE_PREEMPTION_TIMER);
}

/* A.6: what is left of IA32_VMX_MISC. */
static void l1_misc(struct vmx_msrs *l1)
{
	l1->misc &= L1_MISC_SHOWN;
	/* The rate means nothing without the timer (A.6, 25.5.1). */
	if (!(l1_allowed1(l1, VMX_PIN) & PIN_PREEMPTION_TIMER))
		l1->misc &= ~VMX_MISC_PREEMPT_RATE_MASK;
}

/* A.1: Nestor's revision and region size, the rest from the CPU. */
static void l1_basic(struct vmx_msrs *l1)
{
	l1->basic = (l1->basic & L1_BASIC_FROM_CPU) |
		    (L1_VMCS_REGION_SIZE << VMX_BASIC_REGION_SIZE_SHIFT) |
		    NESTOR_VMCS12_REVISION;
}

void vmx_l1_msrs(const struct vmx_msrs *host,
		 const uint32_t hide[VMX_CTL_KINDS], struct vmx_msrs *l1)
{
	unsigned k;

	*l1 = *host;
	/* A.2: TRUE MSRs are shown iff IA32_VMX_BASIC[55] says so. */
	if (!use_true_ctls(l1)) {
		l1->basic &= ~VMX_BASIC_TRUE_CTLS;
		l1->have_true_ctls = false;
		l1->true_pinbased = l1->true_procbased = 0;
		l1->true_exit = l1->true_entry = 0;
	}
	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint32_t bits = l1_policy_hide[k] | unnamed_bits(
					(enum vmx_ctl_kind)k);

		if (hide)
			bits |= hide[k];
		l1_hide(l1, (enum vmx_ctl_kind)k, bits);
	}
	l1_agree_views(l1);
	l1_secondary(l1);
	l1_pairs(l1);
	l1_timer(l1);
	l1_misc(l1);
	l1_basic(l1);
	/* A.8: CR4 bits L1's CPUID does not show may not be 1 for it either:
	 * SMX is hidden (vmx/exit_cpuid.c), so CR4.SMXE is fixed to 0. */
	l1->cr4_fixed1 &= ~CR4_SMXE;
	/* A.9: last, from the fields a CPU with exactly these MSRs has. */
	l1->vmcs_enum = (uint64_t)vmcs12_highest_index(l1)
			<< VMX_VMCS_ENUM_INDEX_SHIFT;
}
