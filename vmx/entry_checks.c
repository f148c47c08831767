/* The VM-entry checker: the checks of SDM Vol. 3C 26.2 (VMX controls and
 * host-state area), 26.3.1 (guest-state area) and 26.4 (VM-entry MSR-load
 * area), run in software over a struct vmcs12 image against a capability
 * set, in the order the SDM lists them, each failure recorded as a finding
 * naming its section, rule and fields. vmx_entry_verdict() turns the first
 * finding into what the CPU reports (nested VM entry); vmx_entry_check()
 * lists them all (the failed-entry auditor). Pure. */
#include "arch/x86/regs.h"
#include "vmx/exit_info.h"
#include "vmx/entry_checks.h"

#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmx/vmx_controls.h"

/* Architectural bits (SDM Vol. 3A 2.5 control registers, 2.2.1 IA32_EFER,
 * 2.3 RFLAGS, 17.4.1 IA32_DEBUGCTL). */
#define EFER_RSVD (~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
/* 26.3.1.4: bits 63:22, 15, 5 and 3 are reserved. */
#define RFLAGS_RSVD (~((1ull << 22) - 1) | (1ull << 15) | (1ull << 5) | (1ull << 3))
#define DEBUGCTL_BTF (1ull << 1)
/* IA32_BNDCFGS (Vol. 1 17.3.3): bits 4:2 reserved, 63:12 base. */
#define BNDCFGS_RSVD 0x1cull

/* VM-entry interruption-information field (24.8.3, Table 24-13). */

enum {
	INTR_EXT = 0, INTR_RESERVED = 1, INTR_NMI = 2, INTR_HW_EXC = 3,
	INTR_SOFT_INT = 4, INTR_PRIV_SW_EXC = 5, INTR_SOFT_EXC = 6,
	INTR_OTHER = 7,
};
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_MC 18

/* Guest non-register state (24.4.2, Tables 24-3 and 24-4). */
enum { ACT_ACTIVE = 0, ACT_HLT = 1, ACT_SHUTDOWN = 2, ACT_WAIT_SIPI = 3 };

#define PDE_BP_ENABLED (1ull << 12)
#define PDE_BS (1ull << 14)
#define PDE_RTM (1ull << 16)
#define PDE_RSVD (0xff0ull | (1ull << 13) | (1ull << 15) | ~0x1ffffull)
#define PDE_RTM_MBZ (0xfffull | (7ull << 13) | ~0x1ffffull)

/* Segment access rights (24.4.1, Table 24-2). */
#define AR_TYPE(ar) ((ar) & 0xfu)
#define AR_S (1u << 4)
#define AR_DPL(ar) (((ar) >> 5) & 3u)
#define AR_P (1u << 7)
#define AR_RSVD_11_8 0xf00u
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)
#define AR_RSVD_31_17 0xfffe0000u
#define SEL_RPL(s) ((s) & 3u)
#define SEL_TI (1u << 2)

/* EPTP (24.6.11, Table 24-8). */
#define EPTP_MT(e) ((e) & 7u)
#define EPTP_WALK_M1(e) (((e) >> 3) & 7u)
#define EPTP_AD (1ull << 6)
#define EPTP_RSVD_11_7 0xf80ull
#define MT_UC 0
#define MT_WB 6

/* IA32_VMX_MISC (A.6). */
#define MISC_CR3_TARGETS(m) (((m) >> 16) & 0x1ffu)
#define MISC_ZERO_LEN_INJECT (1ull << 30)
/* IA32_VMX_BASIC[56] (A.1): no error-code consistency check. */
#define BASIC_NO_ERRCODE_CHECK (1ull << 56)
#define MSR_IA32_VMX_PROCBASED_CTLS3 0x492

#define VMCS_LINK_NONE (~0ull)

#define S_EXEC "26.2.1.1"
#define S_EXIT "26.2.1.2"
#define S_ENTRY "26.2.1.3"
#define S_HOST_REGS "26.2.2"
#define S_HOST_SEGS "26.2.3"
#define S_ADDR_SIZE "26.2.4"
#define S_GUEST_REGS "26.3.1.1"
#define S_GUEST_SEGS "26.3.1.2"
#define S_GUEST_DTRS "26.3.1.3"
#define S_GUEST_RIP "26.3.1.4"
#define S_GUEST_NONREG "26.3.1.5"
#define S_GUEST_PDPTE "26.3.1.6"

#define S_MSR_LOAD "26.4"

/* Exit qualifications for exit reason 33 (26.7). */
#define QUAL_PDPTE 2
#define QUAL_NMI_STI 3
#define QUAL_LINK 4

/* VM-entry MSR-load entries (24.8.2, Table 24-15) and the MSRs 26.4 names. */
#define MSR_ENTRY_SIZE 16u

#define MSR_X2APIC_HI24 0x000008u /* bits 31:8 of 800H-8FFH */
/* IA32_VMX_MISC bits 27:25 (A.6): recommended maximum MSR-list length. */
#define MISC_MSR_LIST_LIMIT(m) (512u * ((((unsigned)((m) >> 25)) & 7u) + 1u))

enum { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR, SEG_COUNT };

struct seg {
	uint32_t sel_f, base_f, limit_f, ar_f; /* VMCS encodings */
	uint32_t sel, limit, ar;
	uint64_t base;
};

struct audit {
	const struct vmcs12 *v;
	const struct entry_check_env *env;
	const struct vmx_msrs *caps;
	struct entry_finding *out;
	unsigned max, count;
	enum entry_check_class cls;
	const char *section;
	unsigned exit_qual;

	/* Effective controls: controls that are not activated count as 0
	 * (26.2.1.1: "the logical processor operates as if all the secondary
	 * processor-based VM-execution controls were 0"). */
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t proc3;
	bool ug, ept, ia32e, v86, have_cet;
	unsigned maxphy;
	uint64_t ept_cap;
	struct seg seg[SEG_COUNT];
};

/* Record one finding: `pairs` holds npairs (field, value) pairs. */
static void report(struct audit *a, const char *rule, const uint64_t *pairs, size_t npairs)
{
	struct entry_finding *f;
	unsigned i;

	if (a->count < a->max) {
		f = &a->out[a->count];
		memset(f, 0, sizeof(*f));
		f->section = a->section;
		f->rule = rule;
		f->cls = a->cls;
		f->exit_qual = a->exit_qual;
		f->nfields = npairs > ENTRY_FINDING_MAX_FIELDS ? ENTRY_FINDING_MAX_FIELDS
							       : (unsigned)npairs;
		for (i = 0; i < f->nfields; i++) {
			f->field[i] = (uint32_t)pairs[2 * i];
			f->value[i] = pairs[2 * i + 1];
		}
	}
	a->count++;
}

/* REPORT(a, "rule", field, value, field, value, ...): the pair count is
 * derived from the arguments, so it cannot disagree with them. */
#define REPORT(a, rule, ...)                                                  \
	report(a, rule, (const uint64_t[]){ __VA_ARGS__ },                    \
	       sizeof((const uint64_t[]){ __VA_ARGS__ }) / (2 * sizeof(uint64_t)))
/* A VMCS field and its value in the snapshot. */
#define F(name) (uint64_t)VMCS_##name, (uint64_t)a->v->name
#define MSRV(msr, val) (uint64_t)ENTRY_FIELD_MSR(msr), (uint64_t)(val)
#define PF(id, val) (uint64_t)(id), (uint64_t)(val)
#define MAXPHY PF(ENTRY_PF_MAXPHYADDR, a->maxphy)

/* ---- helpers ------------------------------------------------------------ */

/* Reads guest memory through env->read_phys. Returns false (and records an
 * undecided finding naming `what`) when the reader fails: the check cannot
 * be decided, which is never a pass. Callers skip the read when read_phys
 * is NULL (auditor mode). */
static bool read_or_undecided(struct audit *a, uint64_t pa, void *buf, size_t len,
			      const char *what, uint32_t field, uint64_t value)
{
	enum entry_check_class cls = a->cls;
	unsigned qual = a->exit_qual;

	if (a->env->read_phys(a->env->read_ctx, pa, buf, len))
		return true;
	a->cls = ENTRY_CHECK_UNDECIDED;
	a->exit_qual = 0;
	REPORT(a, what, field, value, PF(ENTRY_PF_READ_ADDR, pa));
	a->cls = cls;
	a->exit_qual = qual;
	return false;
}

/* Bits at or above MAXPHYADDR set? (maxphy <= 52, so the shift is fine.) */
static bool beyond_phys(const struct audit *a, uint64_t addr)
{
	return (addr >> a->maxphy) != 0;
}

/* 4-KByte aligned and within MAXPHYADDR. */
static bool page_addr_ok(const struct audit *a, uint64_t addr)
{
	return !(addr & 0xfff) && !beyond_phys(a, addr);
}

/* Canonical: bits 63:N-1 all equal, N = 48 or 57 linear-address bits. */
static bool canonical(const struct audit *a, uint64_t addr)
{
	unsigned top_bit = a->env->la57 ? 56 : 47;
	uint64_t top = addr >> top_bit;

	return top == 0 || top == (~0ull >> top_bit);
}

/* IA32_PAT: each of the 8 entries must be 0, 1, 4, 5, 6 or 7 (Vol. 3A
 * 11.12.2; 26.2.2 and 26.3.1.1). */
bool pat_value_ok(uint64_t pat)
{
	unsigned i, t;

	for (i = 0; i < 8; i++) {
		t = (pat >> (8 * i)) & 0xff;
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool usable(const struct seg *s)
{
	return !(s->ar & AR_UNUSABLE);
}

/* ---- 26.2.1.1 VM-execution control fields -------------------------------- */

/* Allowed-0 (bits 31:0: 1 = must be 1) and allowed-1 (bits 63:32: 0 = must
 * be 0) settings of a 32-bit control field (Appendix A.3-A.5). */
static void check_allowed(struct audit *a, uint32_t field, uint32_t value, uint32_t msr,
			  uint64_t cap, const char *rule_must1, const char *rule_must0)
{
	uint32_t must1 = (uint32_t)cap, may1 = (uint32_t)(cap >> 32);
	uint32_t missing = must1 & ~value, extra = value & ~may1;

	if (missing)
		REPORT(a, rule_must1, field, value, MSRV(msr, cap), PF(ENTRY_PF_BAD_BITS, missing));
	if (extra)
		REPORT(a, rule_must0, field, value, MSRV(msr, cap), PF(ENTRY_PF_BAD_BITS, extra));
}

static bool true_ctls(const struct audit *a)
{
	return a->caps->basic & VMX_BASIC_TRUE_CTLS;
}

static void check_exec_allowed(struct audit *a)
{
	const struct vmx_msrs *c = a->caps;
	const struct vmcs12 *v = a->v;
	bool t = true_ctls(a);
	uint64_t proc2_cap = c->have_procbased2 ? c->procbased2 : 0;
	uint64_t extra3;

	check_allowed(a, VMCS_PIN_BASED_CONTROLS, v->PIN_BASED_CONTROLS,
		      t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
		      t ? c->true_pinbased : c->pinbased,
		      "pin-based controls: a bit the CPU requires to be 1 is 0 (allowed-0 settings)",
		      "pin-based controls: a bit the CPU does not support is 1 (allowed-1 settings)");
	check_allowed(a, VMCS_PROC_BASED_CONTROLS, v->PROC_BASED_CONTROLS,
		      t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
		      t ? c->true_procbased : c->procbased,
		      "primary processor-based controls: a bit the CPU requires to be 1 is 0 (allowed-0 settings)",
		      "primary processor-based controls: a bit the CPU does not support is 1 (allowed-1 settings)");
	if (v->PROC_BASED_CONTROLS & PROC_SECONDARY_CONTROLS)
		check_allowed(a, VMCS_SECONDARY_PROC_CONTROLS, v->SECONDARY_PROC_CONTROLS,
			      MSR_IA32_VMX_PROCBASED_CTLS2, proc2_cap,
			      "secondary processor-based controls: a bit the CPU requires to be 1 is 0 (allowed-0 settings)",
			      "secondary processor-based controls: a bit the CPU does not support is 1 (allowed-1 settings)");
	/* Tertiary controls: IA32_VMX_PROCBASED_CTLS3 is the allowed-1 mask
	 * of all 64 bits; there are no allowed-0 settings (A.3.4). */
	extra3 = a->proc3 & ~a->env->procbased3;
	if (extra3)
		REPORT(a, "tertiary processor-based controls: a bit the CPU does not support is 1 (IA32_VMX_PROCBASED_CTLS3)",
		       F(TERTIARY_PROC_CONTROLS), PF(ENTRY_PF_PROCBASED3, a->env->procbased3),
		       PF(ENTRY_PF_BAD_BITS, extra3));
}

static void check_page_addr(struct audit *a, bool used, uint32_t field, uint64_t addr,
			    const char *rule)
{
	if (used && !page_addr_ok(a, addr))
		REPORT(a, rule, field, addr, MAXPHY);
}

static void check_apic_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool tpr = a->proc & PROC_TPR_SHADOW;
	bool vid = a->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY;
	uint8_t vtpr;

	check_page_addr(a, tpr, VMCS_VIRTUAL_APIC_PAGE_ADDR, v->VIRTUAL_APIC_PAGE_ADDR,
			"virtual-APIC address must be 4-KByte aligned and below MAXPHYADDR when 'use TPR shadow' is 1");
	if (tpr && !vid && (v->TPR_THRESHOLD & ~0xfu))
		REPORT(a, "TPR threshold bits 31:4 must be 0 when 'use TPR shadow' is 1 and 'virtual-interrupt delivery' is 0",
		       F(TPR_THRESHOLD), F(SECONDARY_PROC_CONTROLS));
	/* 26.2.1.1: with 'use TPR shadow' = 1 and both 'virtualize APIC
	 * accesses' and 'virtual-interrupt delivery' = 0, TPR threshold bits
	 * 3:0 must not exceed VTPR bits 7:4 (the byte at virtual-APIC + 80H). */
	if (tpr && !vid && !(a->proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES) && a->env->read_phys &&
	    page_addr_ok(a, v->VIRTUAL_APIC_PAGE_ADDR) &&
	    read_or_undecided(a, v->VIRTUAL_APIC_PAGE_ADDR + 0x80, &vtpr, 1,
			      "cannot read VTPR (virtual-APIC page + 80H) to check it against the TPR threshold",
			      VMCS_VIRTUAL_APIC_PAGE_ADDR, v->VIRTUAL_APIC_PAGE_ADDR) &&
	    (v->TPR_THRESHOLD & 0xf) > (vtpr >> 4u))
		REPORT(a, "TPR threshold bits 3:0 must not exceed VTPR bits 7:4 when 'use TPR shadow' is 1 and APIC-access virtualization and virtual-interrupt delivery are 0",
		       F(TPR_THRESHOLD), F(VIRTUAL_APIC_PAGE_ADDR), PF(ENTRY_PF_VTPR, vtpr));
	if (!tpr && (a->proc2 & PROC2_VIRTUALIZE_X2APIC))
		REPORT(a, "'virtualize x2APIC mode' must be 0 when 'use TPR shadow' is 0",
		       F(PROC_BASED_CONTROLS), F(SECONDARY_PROC_CONTROLS));
	if (!tpr && (a->proc2 & PROC2_APIC_REGISTER_VIRT))
		REPORT(a, "'APIC-register virtualization' must be 0 when 'use TPR shadow' is 0",
		       F(PROC_BASED_CONTROLS), F(SECONDARY_PROC_CONTROLS));
	if (!tpr && vid)
		REPORT(a, "'virtual-interrupt delivery' must be 0 when 'use TPR shadow' is 0",
		       F(PROC_BASED_CONTROLS), F(SECONDARY_PROC_CONTROLS));
}

static void check_nmi_controls(struct audit *a)
{
	if (!(a->pin & PIN_NMI_EXITING) && (a->pin & PIN_VIRTUAL_NMIS))
		REPORT(a, "'virtual NMIs' must be 0 when 'NMI exiting' is 0", F(PIN_BASED_CONTROLS));
	if (!(a->pin & PIN_VIRTUAL_NMIS) && (a->proc & PROC_NMI_WINDOW_EXITING))
		REPORT(a, "'NMI-window exiting' must be 0 when 'virtual NMIs' is 0",
		       F(PIN_BASED_CONTROLS), F(PROC_BASED_CONTROLS));
}

static void check_apicv_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool pi = a->pin & PIN_POSTED_INTERRUPTS;

	check_page_addr(a, a->proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES, VMCS_APIC_ACCESS_ADDR,
			v->APIC_ACCESS_ADDR,
			"APIC-access address must be 4-KByte aligned and below MAXPHYADDR when 'virtualize APIC accesses' is 1");
	if ((a->proc2 & PROC2_VIRTUALIZE_X2APIC) && (a->proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES))
		REPORT(a, "'virtualize x2APIC mode' and 'virtualize APIC accesses' cannot both be 1",
		       F(SECONDARY_PROC_CONTROLS));
	if ((a->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY) && !(a->pin & PIN_EXTERNAL_INTERRUPT_EXITING))
		REPORT(a, "'virtual-interrupt delivery' requires 'external-interrupt exiting' = 1",
		       F(PIN_BASED_CONTROLS), F(SECONDARY_PROC_CONTROLS));
	if (pi && !(a->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY))
		REPORT(a, "'process posted interrupts' requires 'virtual-interrupt delivery' = 1",
		       F(PIN_BASED_CONTROLS), F(SECONDARY_PROC_CONTROLS));
	if (pi && !(a->exit & EXIT_ACK_INTERRUPT_ON_EXIT))
		REPORT(a, "'process posted interrupts' requires the 'acknowledge interrupt on exit' VM-exit control = 1",
		       F(PIN_BASED_CONTROLS), F(EXIT_CONTROLS));
	if (pi && (v->POSTED_INTR_NOTIFY_VECTOR & 0xff00))
		REPORT(a, "posted-interrupt notification vector bits 15:8 must be 0",
		       F(POSTED_INTR_NOTIFY_VECTOR));
	if (pi && ((v->POSTED_INTR_DESC_ADDR & 0x3f) || beyond_phys(a, v->POSTED_INTR_DESC_ADDR)))
		REPORT(a, "posted-interrupt descriptor address must be 64-byte aligned (bits 5:0 = 0) and below MAXPHYADDR",
		       F(POSTED_INTR_DESC_ADDR), MAXPHY);
}

static void check_eptp(struct audit *a)
{
	uint64_t eptp = a->v->EPT_POINTER, cap = a->ept_cap;
	unsigned mt = EPTP_MT(eptp), walk = EPTP_WALK_M1(eptp);
	uint64_t rsvd = eptp & (EPTP_RSVD_11_7 | ~((1ull << a->maxphy) - 1));

	if (!((mt == MT_UC && (cap & EPT_CAP_MT_UC)) || (mt == MT_WB && (cap & EPT_CAP_MT_WB))))
		REPORT(a, "EPTP memory type (bits 2:0) must be one IA32_VMX_EPT_VPID_CAP supports (0 = UC if bit 8, 6 = WB if bit 14)",
		       F(EPT_POINTER), MSRV(MSR_IA32_VMX_EPT_VPID_CAP, cap));
	if (!((walk == 3 && (cap & EPT_CAP_WALK_4)) || (walk == 4 && (cap & EPT_CAP_WALK_5))))
		REPORT(a, "EPTP bits 5:3 (page-walk length - 1) must be 3, or 4 if IA32_VMX_EPT_VPID_CAP bit 7 allows 5-level EPT",
		       F(EPT_POINTER), MSRV(MSR_IA32_VMX_EPT_VPID_CAP, cap));
	if ((eptp & EPTP_AD) && !(cap & EPT_CAP_AD))
		REPORT(a, "EPTP bit 6 (accessed/dirty flags) must be 0 unless IA32_VMX_EPT_VPID_CAP bit 21 is 1",
		       F(EPT_POINTER), MSRV(MSR_IA32_VMX_EPT_VPID_CAP, cap));
	if (rsvd)
		REPORT(a, "EPTP reserved bits 11:7 and 63:MAXPHYADDR must be 0",
		       F(EPT_POINTER), MAXPHY, PF(ENTRY_PF_BAD_BITS, rsvd));
}

static void check_ept_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;

	if (a->ept)
		check_eptp(a);
	if ((a->proc2 & PROC2_ENABLE_PML) && !a->ept)
		REPORT(a, "'enable PML' requires 'enable EPT' = 1", F(SECONDARY_PROC_CONTROLS));
	check_page_addr(a, a->proc2 & PROC2_ENABLE_PML, VMCS_PML_ADDRESS, v->PML_ADDRESS,
			"PML address must be 4-KByte aligned and below MAXPHYADDR when 'enable PML' is 1");
	if (a->ug && !a->ept)
		REPORT(a, "'unrestricted guest' requires 'enable EPT' = 1", F(SECONDARY_PROC_CONTROLS));
	if ((a->proc2 & PROC2_MODE_BASED_EPT_EXEC) && !a->ept)
		REPORT(a, "'mode-based execute control for EPT' requires 'enable EPT' = 1",
		       F(SECONDARY_PROC_CONTROLS));
	if ((a->proc2 & PROC2_SUBPAGE_WRITE_PERM) && !a->ept)
		REPORT(a, "'sub-page write permissions for EPT' requires 'enable EPT' = 1",
		       F(SECONDARY_PROC_CONTROLS));
}

static void check_vmfunc_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint64_t allowed = a->caps->have_vmfunc ? a->caps->vmfunc : 0;
	uint64_t extra = v->VM_FUNCTION_CONTROLS & ~allowed;

	if (!(a->proc2 & PROC2_ENABLE_VMFUNC))
		return;
	if (extra)
		REPORT(a, "VM-function controls: a function IA32_VMX_VMFUNC does not allow is enabled",
		       F(VM_FUNCTION_CONTROLS), MSRV(MSR_IA32_VMX_VMFUNC, allowed),
		       PF(ENTRY_PF_BAD_BITS, extra));
	if ((v->VM_FUNCTION_CONTROLS & 1) && !a->ept)
		REPORT(a, "EPTP switching (VM function 0) requires 'enable EPT' = 1",
		       F(VM_FUNCTION_CONTROLS), F(SECONDARY_PROC_CONTROLS));
	check_page_addr(a, v->VM_FUNCTION_CONTROLS & 1, VMCS_EPTP_LIST_ADDR, v->EPTP_LIST_ADDR,
			"EPTP-list address must be 4-KByte aligned and below MAXPHYADDR when EPTP switching is enabled");
}

static void check_exec_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	unsigned targets = MISC_CR3_TARGETS(a->caps->misc);
	bool io = a->proc & PROC_USE_IO_BITMAPS;

	a->cls = ENTRY_CHECK_CONTROLS;
	a->section = S_EXEC;
	check_exec_allowed(a);
	if (v->CR3_TARGET_COUNT > targets)
		REPORT(a, "CR3-target count must not exceed the number IA32_VMX_MISC bits 24:16 reports",
		       F(CR3_TARGET_COUNT), MSRV(MSR_IA32_VMX_MISC, a->caps->misc));
	check_page_addr(a, io, VMCS_IO_BITMAP_A, v->IO_BITMAP_A,
			"I/O-bitmap A address must be 4-KByte aligned and below MAXPHYADDR when 'use I/O bitmaps' is 1");
	check_page_addr(a, io, VMCS_IO_BITMAP_B, v->IO_BITMAP_B,
			"I/O-bitmap B address must be 4-KByte aligned and below MAXPHYADDR when 'use I/O bitmaps' is 1");
	check_page_addr(a, a->proc & PROC_USE_MSR_BITMAPS, VMCS_MSR_BITMAP, v->MSR_BITMAP,
			"MSR-bitmap address must be 4-KByte aligned and below MAXPHYADDR when 'use MSR bitmaps' is 1");
	check_apic_controls(a);
	check_nmi_controls(a);
	check_apicv_controls(a);
	if ((a->proc2 & PROC2_ENABLE_VPID) && v->VPID == 0)
		REPORT(a, "VPID must not be 0 when 'enable VPID' is 1", F(VPID));
	check_ept_controls(a);
	check_vmfunc_controls(a);
	if (a->proc2 & PROC2_VMCS_SHADOWING) {
		check_page_addr(a, true, VMCS_VMREAD_BITMAP, v->VMREAD_BITMAP,
				"VMREAD-bitmap address must be 4-KByte aligned and below MAXPHYADDR when 'VMCS shadowing' is 1");
		check_page_addr(a, true, VMCS_VMWRITE_BITMAP, v->VMWRITE_BITMAP,
				"VMWRITE-bitmap address must be 4-KByte aligned and below MAXPHYADDR when 'VMCS shadowing' is 1");
	}
	check_page_addr(a, a->proc2 & PROC2_EPT_VIOLATION_VE, VMCS_VE_INFO_ADDR, v->VE_INFO_ADDR,
			"virtualization-exception information address must be 4-KByte aligned and below MAXPHYADDR when 'EPT-violation #VE' is 1");
	if (a->proc2 & PROC2_PT_USES_GUEST_PHYS) {
		if (!a->ept)
			REPORT(a, "'Intel PT uses guest physical addresses' requires 'enable EPT' = 1",
			       F(SECONDARY_PROC_CONTROLS));
		if (!(a->entry & ENTRY_LOAD_RTIT_CTL))
			REPORT(a, "'Intel PT uses guest physical addresses' requires the 'load IA32_RTIT_CTL' VM-entry control = 1",
			       F(SECONDARY_PROC_CONTROLS), F(ENTRY_CONTROLS));
		if (!(a->exit & EXIT_CLEAR_RTIT_CTL))
			REPORT(a, "'Intel PT uses guest physical addresses' requires the 'clear IA32_RTIT_CTL' VM-exit control = 1",
			       F(SECONDARY_PROC_CONTROLS), F(EXIT_CONTROLS));
	}
}

/* ---- 26.2.1.2 VM-exit control fields / 26.2.1.3 VM-entry control fields -- */

/* An MSR-store/-load area of `count` 16-byte entries: address bits 3:0
 * zero, address and last byte (address + count * 16 - 1, computed wider
 * than MAXPHYADDR) below MAXPHYADDR. */
static void check_msr_area(struct audit *a, uint32_t count_f, uint32_t count, uint32_t addr_f,
			   uint64_t addr, const char *rule_align, const char *rule_addr,
			   const char *rule_last)
{
	uint64_t last;

	if (count == 0)
		return;
	if (addr & 0xf)
		REPORT(a, rule_align, addr_f, addr, count_f, count);
	if (beyond_phys(a, addr)) {
		REPORT(a, rule_addr, addr_f, addr, MAXPHY);
		return; /* the last byte is then beyond as well */
	}
	last = addr + (uint64_t)count * 16 - 1; /* < 2^52 + 2^36: no overflow */
	if (beyond_phys(a, last))
		REPORT(a, rule_last, addr_f, addr, count_f, count, MAXPHY);
}

static void check_exit_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool t = true_ctls(a);

	a->section = S_EXIT;
	check_allowed(a, VMCS_EXIT_CONTROLS, v->EXIT_CONTROLS,
		      t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		      t ? a->caps->true_exit : a->caps->exit,
		      "VM-exit controls: a bit the CPU requires to be 1 is 0 (allowed-0 settings)",
		      "VM-exit controls: a bit the CPU does not support is 1 (allowed-1 settings)");
	if (!(a->pin & PIN_PREEMPTION_TIMER) && (a->exit & EXIT_SAVE_PREEMPTION_TIMER))
		REPORT(a, "'save VMX-preemption timer value' must be 0 when 'activate VMX-preemption timer' is 0",
		       F(PIN_BASED_CONTROLS), F(EXIT_CONTROLS));
	check_msr_area(a, VMCS_EXIT_MSR_STORE_COUNT, v->EXIT_MSR_STORE_COUNT,
		       VMCS_EXIT_MSR_STORE_ADDR, v->EXIT_MSR_STORE_ADDR,
		       "VM-exit MSR-store address bits 3:0 must be 0 when the MSR-store count is not 0",
		       "VM-exit MSR-store address must be below MAXPHYADDR when the MSR-store count is not 0",
		       "the last byte of the VM-exit MSR-store area (address + count * 16 - 1) must be below MAXPHYADDR");
	check_msr_area(a, VMCS_EXIT_MSR_LOAD_COUNT, v->EXIT_MSR_LOAD_COUNT,
		       VMCS_EXIT_MSR_LOAD_ADDR, v->EXIT_MSR_LOAD_ADDR,
		       "VM-exit MSR-load address bits 3:0 must be 0 when the MSR-load count is not 0",
		       "VM-exit MSR-load address must be below MAXPHYADDR when the MSR-load count is not 0",
		       "the last byte of the VM-exit MSR-load area (address + count * 16 - 1) must be below MAXPHYADDR");
}

/* Exceptions that deliver an error code (Vol. 3A 6.15): #DF, #TS, #NP,
 * #SS, #GP, #PF, #AC, and #CP where CET exists. */
static bool vector_has_error_code(const struct audit *a, unsigned vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
		return true;
	case 21:
		return a->have_cet;
	default:
		return false;
	}
}

/* 26.2.1.3: the VM-entry interruption-information field, if valid. */
static void check_event_injection(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint32_t info = v->ENTRY_INTR_INFO;
	unsigned type = INTR_INFO_TYPE(info), vector = INTR_INFO_VECTOR(info);
	uint64_t proc_cap = true_ctls(a) ? a->caps->true_procbased : a->caps->procbased;
	bool mtf = (proc_cap >> 32) & PROC_MONITOR_TRAP_FLAG;
	bool prot = !a->ug || (v->GUEST_CR0 & CR0_PE);
	bool has_code = info & INTR_INFO_ERROR_VALID;

	if (!(info & INTR_INFO_VALID))
		return;
	if (type == INTR_RESERVED)
		REPORT(a, "event injection: interruption type 1 is reserved", F(ENTRY_INTR_INFO));
	if (type == INTR_OTHER && !mtf)
		REPORT(a, "event injection: interruption type 7 (other event) is reserved without 'monitor trap flag' support",
		       F(ENTRY_INTR_INFO), MSRV(true_ctls(a) ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
							: MSR_IA32_VMX_PROCBASED_CTLS, proc_cap));
	if (type == INTR_NMI && vector != VEC_NMI)
		REPORT(a, "event injection: an NMI must have vector 2", F(ENTRY_INTR_INFO));
	if (type == INTR_HW_EXC && vector > 31)
		REPORT(a, "event injection: a hardware exception must have a vector <= 31", F(ENTRY_INTR_INFO));
	if (type == INTR_OTHER && vector != 0)
		REPORT(a, "event injection: 'other event' (pending MTF VM exit) must have vector 0",
		       F(ENTRY_INTR_INFO));
	if (has_code && (!prot || type != INTR_HW_EXC))
		REPORT(a, "event injection: deliver-error-code must be 0 unless a hardware exception is injected with CR0.PE = 1 (or 'unrestricted guest' = 0)",
		       F(ENTRY_INTR_INFO), F(GUEST_CR0), F(SECONDARY_PROC_CONTROLS));
	else if (prot && type == INTR_HW_EXC && !(a->caps->basic & BASIC_NO_ERRCODE_CHECK) &&
		 has_code != vector_has_error_code(a, vector))
		REPORT(a, "event injection: deliver-error-code must be 1 exactly for #DF, #TS, #NP, #SS, #GP, #PF, #AC (and #CP with CET) when IA32_VMX_BASIC[56] is 0",
		       F(ENTRY_INTR_INFO), F(GUEST_CR0), MSRV(MSR_IA32_VMX_BASIC, a->caps->basic));
	if (info & INTR_INFO_RSVD)
		REPORT(a, "event injection: reserved bits 30:12 must be 0", F(ENTRY_INTR_INFO));
	if (has_code && (v->ENTRY_EXCEPTION_ERROR_CODE & 0xffff0000u))
		REPORT(a, "event injection: error code bits 31:16 must be 0 when deliver-error-code is 1",
		       F(ENTRY_EXCEPTION_ERROR_CODE), F(ENTRY_INTR_INFO));
	if ((type == INTR_SOFT_INT || type == INTR_PRIV_SW_EXC || type == INTR_SOFT_EXC) &&
	    (v->ENTRY_INSTRUCTION_LEN > 15 ||
	     (v->ENTRY_INSTRUCTION_LEN == 0 && !(a->caps->misc & MISC_ZERO_LEN_INJECT))))
		REPORT(a, "event injection: a software interrupt/exception needs an instruction length of 1-15 (0 only if IA32_VMX_MISC[30] = 1)",
		       F(ENTRY_INSTRUCTION_LEN), F(ENTRY_INTR_INFO), MSRV(MSR_IA32_VMX_MISC, a->caps->misc));
}

static void check_entry_controls(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool t = true_ctls(a);

	a->section = S_ENTRY;
	check_allowed(a, VMCS_ENTRY_CONTROLS, v->ENTRY_CONTROLS,
		      t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		      t ? a->caps->true_entry : a->caps->entry,
		      "VM-entry controls: a bit the CPU requires to be 1 is 0 (allowed-0 settings)",
		      "VM-entry controls: a bit the CPU does not support is 1 (allowed-1 settings)");
	check_event_injection(a);
	check_msr_area(a, VMCS_ENTRY_MSR_LOAD_COUNT, v->ENTRY_MSR_LOAD_COUNT,
		       VMCS_ENTRY_MSR_LOAD_ADDR, v->ENTRY_MSR_LOAD_ADDR,
		       "VM-entry MSR-load address bits 3:0 must be 0 when the MSR-load count is not 0",
		       "VM-entry MSR-load address must be below MAXPHYADDR when the MSR-load count is not 0",
		       "the last byte of the VM-entry MSR-load area (address + count * 16 - 1) must be below MAXPHYADDR");
	/* A.6: IA32_VMX_MISC[27:25] = N gives 512 * (N + 1) as the recommended
	 * maximum of an MSR list; beyond it "undefined processor behavior may
	 * result". Nestor defines that behaviour as a control failure (error
	 * 7), before any entry is read, so a huge count is never walked. */
	if (v->ENTRY_MSR_LOAD_COUNT > MISC_MSR_LIST_LIMIT(a->caps->misc))
		REPORT(a, "VM-entry MSR-load count exceeds the maximum 512 * (IA32_VMX_MISC[27:25] + 1) (A.6; beyond it the SDM leaves behaviour undefined, Nestor fails the entry)",
		       F(ENTRY_MSR_LOAD_COUNT), MSRV(MSR_IA32_VMX_MISC, a->caps->misc),
		       PF(ENTRY_PF_MSR_LIMIT, MISC_MSR_LIST_LIMIT(a->caps->misc)));
	if (!a->env->in_smm && (a->entry & ENTRY_TO_SMM))
		REPORT(a, "'entry to SMM' must be 0 outside SMM", F(ENTRY_CONTROLS), PF(ENTRY_PF_IN_SMM, 0));
	if (!a->env->in_smm && (a->entry & ENTRY_DEACTIVATE_DUAL_MONITOR))
		REPORT(a, "'deactivate dual-monitor treatment' must be 0 outside SMM",
		       F(ENTRY_CONTROLS), PF(ENTRY_PF_IN_SMM, 0));
	if ((a->entry & ENTRY_TO_SMM) && (a->entry & ENTRY_DEACTIVATE_DUAL_MONITOR))
		REPORT(a, "'entry to SMM' and 'deactivate dual-monitor treatment' cannot both be 1",
		       F(ENTRY_CONTROLS));
}

/* ---- 26.2.2-26.2.4 host state ------------------------------------------ */

/* Bits of a CR that violate IA32_VMX_CRn_FIXED0 (1 = must be 1) and FIXED1
 * (0 = must be 0), except those in `ignore` (23.8). */
static uint64_t fixed_bits_bad(uint64_t cr, uint64_t fixed0, uint64_t fixed1, uint64_t ignore)
{
	return ((fixed0 & ~cr) | (cr & ~fixed1)) & ~ignore;
}

static void check_efer(struct audit *a, uint32_t f, uint64_t efer, const char *rule_rsvd)
{
	if (efer & EFER_RSVD)
		REPORT(a, rule_rsvd, f, efer, PF(ENTRY_PF_BAD_BITS, efer & EFER_RSVD));
}

static void check_host_regs(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	const struct vmx_msrs *c = a->caps;
	uint64_t bad;
	bool hass = a->exit & EXIT_HOST_ADDR_SPACE_SIZE;

	a->cls = ENTRY_CHECK_HOST_STATE;
	a->section = S_HOST_REGS;
	bad = fixed_bits_bad(v->HOST_CR0, c->cr0_fixed0, c->cr0_fixed1, 0);
	if (bad)
		REPORT(a, "host CR0 must have the bits IA32_VMX_CR0_FIXED0 fixes to 1 set and those IA32_VMX_CR0_FIXED1 fixes to 0 clear",
		       F(HOST_CR0), MSRV(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0),
		       MSRV(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1), PF(ENTRY_PF_BAD_BITS, bad));
	bad = fixed_bits_bad(v->HOST_CR4, c->cr4_fixed0, c->cr4_fixed1, 0);
	if (bad)
		REPORT(a, "host CR4 must have the bits IA32_VMX_CR4_FIXED0 fixes to 1 set and those IA32_VMX_CR4_FIXED1 fixes to 0 clear",
		       F(HOST_CR4), MSRV(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0),
		       MSRV(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1), PF(ENTRY_PF_BAD_BITS, bad));
	if (beyond_phys(a, v->HOST_CR3))
		REPORT(a, "host CR3 must not set bits at or above MAXPHYADDR", F(HOST_CR3), MAXPHY);
	if ((v->HOST_CR4 & CR4_CET) && !(v->HOST_CR0 & CR0_WP))
		REPORT(a, "host CR4.CET = 1 requires host CR0.WP = 1", F(HOST_CR4), F(HOST_CR0));
	if (!canonical(a, v->HOST_IA32_SYSENTER_ESP))
		REPORT(a, "host IA32_SYSENTER_ESP must be canonical", F(HOST_IA32_SYSENTER_ESP));
	if (!canonical(a, v->HOST_IA32_SYSENTER_EIP))
		REPORT(a, "host IA32_SYSENTER_EIP must be canonical", F(HOST_IA32_SYSENTER_EIP));
	/* Bochs 2.7 advertises 'load IA32_PERF_GLOBAL_CTRL' but neither checks
	 * nor loads the fields (docs/bochs-deviations.md #3); the SDM checks
	 * the reserved bits (mask from CPUID.0AH: perf_global_ctrl_rsvd()). */
	if ((a->exit & EXIT_LOAD_PERF_GLOBAL_CTRL) &&
	    (v->HOST_IA32_PERF_GLOBAL_CTRL & a->env->perf_global_ctrl_rsvd))
		REPORT(a, "host IA32_PERF_GLOBAL_CTRL must not set reserved bits when 'load IA32_PERF_GLOBAL_CTRL' (exit) is 1",
		       F(HOST_IA32_PERF_GLOBAL_CTRL), PF(ENTRY_PF_MSR_RSVD, a->env->perf_global_ctrl_rsvd));
	if ((a->exit & EXIT_LOAD_PAT) && !pat_value_ok(v->HOST_IA32_PAT))
		REPORT(a, "host IA32_PAT: every entry must be a valid memory type (0, 1, 4, 5, 6, 7) when 'load IA32_PAT' (exit) is 1",
		       F(HOST_IA32_PAT));
	if (!(a->exit & EXIT_LOAD_EFER))
		return;
	check_efer(a, VMCS_HOST_IA32_EFER, v->HOST_IA32_EFER,
		   "host IA32_EFER must not set reserved bits (only SCE, LME, LMA, NXE) when 'load IA32_EFER' (exit) is 1");
	if (!!(v->HOST_IA32_EFER & EFER_LMA) != hass)
		REPORT(a, "host IA32_EFER.LMA must equal 'host address-space size' when 'load IA32_EFER' (exit) is 1",
		       F(HOST_IA32_EFER), F(EXIT_CONTROLS));
	if (!!(v->HOST_IA32_EFER & EFER_LME) != hass)
		REPORT(a, "host IA32_EFER.LME must equal 'host address-space size' when 'load IA32_EFER' (exit) is 1",
		       F(HOST_IA32_EFER), F(EXIT_CONTROLS));
}

static void check_host_selector(struct audit *a, uint32_t f, uint16_t sel)
{
	if (sel & (SEL_TI | 3))
		REPORT(a, "host selector: RPL (bits 1:0) and TI (bit 2) must be 0", f, sel);
}

static void check_host_base(struct audit *a, uint32_t f, uint64_t base)
{
	if (!canonical(a, base))
		REPORT(a, "host FS/GS/TR/GDTR/IDTR base must be canonical", f, base);
}

static void check_host_segs(struct audit *a)
{
	const struct vmcs12 *v = a->v;

	a->section = S_HOST_SEGS;
	check_host_selector(a, VMCS_HOST_ES_SELECTOR, v->HOST_ES_SELECTOR);
	check_host_selector(a, VMCS_HOST_CS_SELECTOR, v->HOST_CS_SELECTOR);
	check_host_selector(a, VMCS_HOST_SS_SELECTOR, v->HOST_SS_SELECTOR);
	check_host_selector(a, VMCS_HOST_DS_SELECTOR, v->HOST_DS_SELECTOR);
	check_host_selector(a, VMCS_HOST_FS_SELECTOR, v->HOST_FS_SELECTOR);
	check_host_selector(a, VMCS_HOST_GS_SELECTOR, v->HOST_GS_SELECTOR);
	check_host_selector(a, VMCS_HOST_TR_SELECTOR, v->HOST_TR_SELECTOR);
	if (v->HOST_CS_SELECTOR == 0)
		REPORT(a, "host CS selector must not be 0", F(HOST_CS_SELECTOR));
	if (v->HOST_TR_SELECTOR == 0)
		REPORT(a, "host TR selector must not be 0", F(HOST_TR_SELECTOR));
	if (v->HOST_SS_SELECTOR == 0 && !(a->exit & EXIT_HOST_ADDR_SPACE_SIZE))
		REPORT(a, "host SS selector must not be 0 when 'host address-space size' is 0",
		       F(HOST_SS_SELECTOR), F(EXIT_CONTROLS));
	check_host_base(a, VMCS_HOST_FS_BASE, v->HOST_FS_BASE);
	check_host_base(a, VMCS_HOST_GS_BASE, v->HOST_GS_BASE);
	check_host_base(a, VMCS_HOST_GDTR_BASE, v->HOST_GDTR_BASE);
	check_host_base(a, VMCS_HOST_IDTR_BASE, v->HOST_IDTR_BASE);
	check_host_base(a, VMCS_HOST_TR_BASE, v->HOST_TR_BASE);
}

static void check_addr_size(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool hass = a->exit & EXIT_HOST_ADDR_SPACE_SIZE;
	bool lma = a->env->host_lma;

	a->section = S_ADDR_SIZE;
	if (!lma && a->ia32e)
		REPORT(a, "outside IA-32e mode (IA32_EFER.LMA = 0) 'IA-32e mode guest' must be 0",
		       F(ENTRY_CONTROLS), PF(ENTRY_PF_HOST_LMA, 0));
	if (!lma && hass)
		REPORT(a, "outside IA-32e mode (IA32_EFER.LMA = 0) 'host address-space size' must be 0",
		       F(EXIT_CONTROLS), PF(ENTRY_PF_HOST_LMA, 0));
	if (lma && !hass)
		REPORT(a, "in IA-32e mode (IA32_EFER.LMA = 1) 'host address-space size' must be 1",
		       F(EXIT_CONTROLS), PF(ENTRY_PF_HOST_LMA, 1));
	if (!hass && a->ia32e)
		REPORT(a, "'IA-32e mode guest' must be 0 when 'host address-space size' is 0",
		       F(ENTRY_CONTROLS), F(EXIT_CONTROLS));
	if (!hass && (v->HOST_CR4 & CR4_PCIDE))
		REPORT(a, "host CR4.PCIDE must be 0 when 'host address-space size' is 0",
		       F(HOST_CR4), F(EXIT_CONTROLS));
	if (!hass && (v->HOST_RIP >> 32))
		REPORT(a, "host RIP bits 63:32 must be 0 when 'host address-space size' is 0",
		       F(HOST_RIP), F(EXIT_CONTROLS));
	if (hass && !(v->HOST_CR4 & CR4_PAE))
		REPORT(a, "host CR4.PAE must be 1 when 'host address-space size' is 1",
		       F(HOST_CR4), F(EXIT_CONTROLS));
	if (hass && !canonical(a, v->HOST_RIP))
		REPORT(a, "host RIP must be canonical when 'host address-space size' is 1",
		       F(HOST_RIP), F(EXIT_CONTROLS));
}

/* ---- 26.3.1.1 guest control registers, debug registers and MSRs --------- */

static void check_guest_crs(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	const struct vmx_msrs *c = a->caps;
	/* CR0.NW/CD are never checked; PE/PG not with unrestricted guest. */
	uint64_t ignore0 = CR0_NW | CR0_CD | (a->ug ? CR0_PE | CR0_PG : 0);
	uint64_t bad;

	bad = fixed_bits_bad(v->GUEST_CR0, c->cr0_fixed0, c->cr0_fixed1, ignore0);
	if (bad)
		REPORT(a, "guest CR0 must respect IA32_VMX_CR0_FIXED0/FIXED1 (except NW, CD, and PE, PG with unrestricted guest)",
		       F(GUEST_CR0), MSRV(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0),
		       MSRV(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1), PF(ENTRY_PF_BAD_BITS, bad));
	if ((v->GUEST_CR0 & CR0_PG) && !(v->GUEST_CR0 & CR0_PE))
		REPORT(a, "guest CR0.PG = 1 requires CR0.PE = 1", F(GUEST_CR0));
	bad = fixed_bits_bad(v->GUEST_CR4, c->cr4_fixed0, c->cr4_fixed1, 0);
	if (bad)
		REPORT(a, "guest CR4 must respect IA32_VMX_CR4_FIXED0/FIXED1",
		       F(GUEST_CR4), MSRV(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0),
		       MSRV(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1), PF(ENTRY_PF_BAD_BITS, bad));
	if ((v->GUEST_CR4 & CR4_CET) && !(v->GUEST_CR0 & CR0_WP))
		REPORT(a, "guest CR4.CET = 1 requires guest CR0.WP = 1", F(GUEST_CR4), F(GUEST_CR0));
	/* Bochs 2.7 never checks this one (docs/bochs-deviations.md); the SDM
	 * does. The mask is model-specific: see debugctl_rsvd(). */
	if ((a->entry & ENTRY_LOAD_DEBUG_CONTROLS) &&
	    (v->GUEST_IA32_DEBUGCTL & a->env->debugctl_rsvd))
		REPORT(a, "guest IA32_DEBUGCTL must not set reserved bits when 'load debug controls' is 1",
		       F(GUEST_IA32_DEBUGCTL), PF(ENTRY_PF_MSR_RSVD, a->env->debugctl_rsvd));
	if (a->ia32e && !(v->GUEST_CR0 & CR0_PG))
		REPORT(a, "'IA-32e mode guest' requires guest CR0.PG = 1", F(GUEST_CR0), F(ENTRY_CONTROLS));
	if (a->ia32e && !(v->GUEST_CR4 & CR4_PAE))
		REPORT(a, "'IA-32e mode guest' requires guest CR4.PAE = 1", F(GUEST_CR4), F(ENTRY_CONTROLS));
	if (!a->ia32e && (v->GUEST_CR4 & CR4_PCIDE))
		REPORT(a, "guest CR4.PCIDE must be 0 when 'IA-32e mode guest' is 0",
		       F(GUEST_CR4), F(ENTRY_CONTROLS));
	if (beyond_phys(a, v->GUEST_CR3))
		REPORT(a, "guest CR3 must not set bits at or above MAXPHYADDR", F(GUEST_CR3), MAXPHY);
	if ((a->entry & ENTRY_LOAD_DEBUG_CONTROLS) && (v->GUEST_DR7 >> 32))
		REPORT(a, "guest DR7 bits 63:32 must be 0 when 'load debug controls' is 1", F(GUEST_DR7));
}

static void check_guest_msrs(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint64_t efer = v->GUEST_IA32_EFER;

	if (!canonical(a, v->GUEST_IA32_SYSENTER_ESP))
		REPORT(a, "guest IA32_SYSENTER_ESP must be canonical", F(GUEST_IA32_SYSENTER_ESP));
	if (!canonical(a, v->GUEST_IA32_SYSENTER_EIP))
		REPORT(a, "guest IA32_SYSENTER_EIP must be canonical", F(GUEST_IA32_SYSENTER_EIP));
	if ((a->entry & ENTRY_LOAD_PERF_GLOBAL_CTRL) &&
	    (v->GUEST_IA32_PERF_GLOBAL_CTRL & a->env->perf_global_ctrl_rsvd))
		REPORT(a, "guest IA32_PERF_GLOBAL_CTRL must not set reserved bits when 'load IA32_PERF_GLOBAL_CTRL' (entry) is 1",
		       F(GUEST_IA32_PERF_GLOBAL_CTRL), PF(ENTRY_PF_MSR_RSVD, a->env->perf_global_ctrl_rsvd));
	if ((a->entry & ENTRY_LOAD_PAT) && !pat_value_ok(v->GUEST_IA32_PAT))
		REPORT(a, "guest IA32_PAT: every entry must be a valid memory type (0, 1, 4, 5, 6, 7) when 'load IA32_PAT' (entry) is 1",
		       F(GUEST_IA32_PAT));
	if (a->entry & ENTRY_LOAD_EFER) {
		check_efer(a, VMCS_GUEST_IA32_EFER, efer,
			   "guest IA32_EFER must not set reserved bits (only SCE, LME, LMA, NXE) when 'load IA32_EFER' (entry) is 1");
		if (!!(efer & EFER_LMA) != a->ia32e)
			REPORT(a, "guest IA32_EFER.LMA must equal 'IA-32e mode guest' when 'load IA32_EFER' (entry) is 1",
			       F(GUEST_IA32_EFER), F(ENTRY_CONTROLS));
		if ((v->GUEST_CR0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
			REPORT(a, "guest IA32_EFER.LME must equal LMA when guest CR0.PG = 1 and 'load IA32_EFER' (entry) is 1",
			       F(GUEST_IA32_EFER), F(GUEST_CR0));
	}
	if ((a->entry & ENTRY_LOAD_BNDCFGS) &&
	    ((v->GUEST_IA32_BNDCFGS & BNDCFGS_RSVD) || !canonical(a, v->GUEST_IA32_BNDCFGS)))
		REPORT(a, "guest IA32_BNDCFGS: bits 4:2 must be 0 and bits 63:12 canonical when 'load IA32_BNDCFGS' is 1",
		       F(GUEST_IA32_BNDCFGS));
}

/* ---- 26.3.1.2 guest segment registers ---------------------------------- */

static void load_seg(struct seg *s, uint32_t sel_f, uint16_t sel, uint32_t base_f, uint64_t base,
		     uint32_t limit_f, uint32_t limit, uint32_t ar_f, uint32_t ar)
{
	s->sel_f = sel_f;
	s->sel = sel;
	s->base_f = base_f;
	s->base = base;
	s->limit_f = limit_f;
	s->limit = limit;
	s->ar_f = ar_f;
	s->ar = ar;
}

#define LOAD_SEG(a, idx, R)                                                    \
	load_seg(&(a)->seg[idx], VMCS_GUEST_##R##_SELECTOR, (a)->v->GUEST_##R##_SELECTOR, \
		 VMCS_GUEST_##R##_BASE, (a)->v->GUEST_##R##_BASE,              \
		 VMCS_GUEST_##R##_LIMIT, (a)->v->GUEST_##R##_LIMIT,            \
		 VMCS_GUEST_##R##_AR, (a)->v->GUEST_##R##_AR)

static void load_segs(struct audit *a)
{
	LOAD_SEG(a, SEG_CS, CS);
	LOAD_SEG(a, SEG_SS, SS);
	LOAD_SEG(a, SEG_DS, DS);
	LOAD_SEG(a, SEG_ES, ES);
	LOAD_SEG(a, SEG_FS, FS);
	LOAD_SEG(a, SEG_GS, GS);
	LOAD_SEG(a, SEG_TR, TR);
	LOAD_SEG(a, SEG_LDTR, LDTR);
}

#define SEL(s) (uint64_t)(s)->sel_f, (uint64_t)(s)->sel
#define BASE(s) (uint64_t)(s)->base_f, (s)->base
#define LIMIT(s) (uint64_t)(s)->limit_f, (uint64_t)(s)->limit
#define AR(s) (uint64_t)(s)->ar_f, (uint64_t)(s)->ar

static void check_seg_selectors(struct audit *a)
{
	const struct seg *cs = &a->seg[SEG_CS], *ss = &a->seg[SEG_SS];
	const struct seg *tr = &a->seg[SEG_TR], *ldtr = &a->seg[SEG_LDTR];

	if (tr->sel & SEL_TI)
		REPORT(a, "TR selector: TI flag (bit 2) must be 0", SEL(tr));
	if (usable(ldtr) && (ldtr->sel & SEL_TI))
		REPORT(a, "LDTR selector: TI flag (bit 2) must be 0 when LDTR is usable", SEL(ldtr), AR(ldtr));
	if (!a->v86 && !a->ug && SEL_RPL(ss->sel) != SEL_RPL(cs->sel))
		REPORT(a, "SS.RPL must equal CS.RPL when not in virtual-8086 mode and 'unrestricted guest' is 0",
		       SEL(ss), SEL(cs));
}

static void check_seg_bases(struct audit *a)
{
	static const uint8_t canon[] = { SEG_TR, SEG_FS, SEG_GS };
	static const uint8_t low32[] = { SEG_SS, SEG_DS, SEG_ES };
	const struct seg *s;
	unsigned i;

	for (i = SEG_CS; a->v86 && i <= SEG_GS; i++) {
		s = &a->seg[i];
		if (s->base != ((uint64_t)s->sel << 4))
			REPORT(a, "virtual-8086 mode: CS/SS/DS/ES/FS/GS base must be the selector shifted left by 4",
			       SEL(s), BASE(s));
	}
	for (i = 0; i < ARRAY_SIZE(canon); i++) {
		s = &a->seg[canon[i]];
		if (!canonical(a, s->base))
			REPORT(a, "TR, FS and GS base must be canonical", BASE(s));
	}
	s = &a->seg[SEG_LDTR];
	if (usable(s) && !canonical(a, s->base))
		REPORT(a, "LDTR base must be canonical when LDTR is usable", BASE(s), AR(s));
	s = &a->seg[SEG_CS];
	if (s->base >> 32)
		REPORT(a, "CS base bits 63:32 must be 0", BASE(s));
	for (i = 0; i < ARRAY_SIZE(low32); i++) {
		s = &a->seg[low32[i]];
		if (usable(s) && (s->base >> 32))
			REPORT(a, "SS/DS/ES base bits 63:32 must be 0 when the register is usable", BASE(s), AR(s));
	}
}

/* Virtual-8086 mode: limit 0000FFFFH and access rights 000000F3H. */
static void check_seg_v86(struct audit *a)
{
	const struct seg *s;
	unsigned i;

	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if (s->limit != 0xffff)
			REPORT(a, "virtual-8086 mode: CS/SS/DS/ES/FS/GS limit must be 0000FFFFH", LIMIT(s));
	}
	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if (s->ar != 0xf3)
			REPORT(a, "virtual-8086 mode: CS/SS/DS/ES/FS/GS access rights must be 000000F3H", AR(s));
	}
}

/* The access-rights type checks (bits 3:0) outside virtual-8086 mode. */
static void check_seg_types(struct audit *a)
{
	const struct seg *cs = &a->seg[SEG_CS], *ss = &a->seg[SEG_SS], *s;
	unsigned t = AR_TYPE(cs->ar), i;

	if (!(t == 9 || t == 11 || t == 13 || t == 15 || (a->ug && t == 3)))
		REPORT(a, "CS type must be 9, 11, 13 or 15 (accessed code), or 3 with 'unrestricted guest'",
		       AR(cs), F(SECONDARY_PROC_CONTROLS));
	t = AR_TYPE(ss->ar);
	if (usable(ss) && t != 3 && t != 7)
		REPORT(a, "SS type must be 3 or 7 (read/write accessed data) when SS is usable", AR(ss));
	for (i = SEG_DS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		t = AR_TYPE(s->ar);
		if (!usable(s))
			continue;
		if (!(t & 1))
			REPORT(a, "DS/ES/FS/GS type bit 0 (accessed) must be 1 when the register is usable", AR(s));
		if ((t & 8) && !(t & 2))
			REPORT(a, "DS/ES/FS/GS: a usable code segment must be readable (type bit 1)", AR(s));
	}
}

static void check_seg_dpls(struct audit *a)
{
	const struct seg *cs = &a->seg[SEG_CS], *ss = &a->seg[SEG_SS], *s;
	unsigned t = AR_TYPE(cs->ar), i;

	if (t == 3 && AR_DPL(cs->ar) != 0)
		REPORT(a, "CS.DPL must be 0 when CS type is 3 (unrestricted guest)", AR(cs));
	/* 26.3.1.2 compares CS.DPL with SS.DPL; Bochs 2.7 compares CS.RPL
	 * with CS.DPL instead (docs/bochs-deviations.md): follow the SDM. */
	if ((t == 9 || t == 11) && AR_DPL(cs->ar) != AR_DPL(ss->ar))
		REPORT(a, "CS.DPL must equal SS.DPL when CS type is 9/11 (non-conforming code)", AR(cs), AR(ss));
	if ((t == 13 || t == 15) && AR_DPL(cs->ar) > AR_DPL(ss->ar))
		REPORT(a, "CS.DPL must not exceed SS.DPL when CS type is 13/15 (conforming code)", AR(cs), AR(ss));
	if (!a->ug && AR_DPL(ss->ar) != SEL_RPL(ss->sel))
		REPORT(a, "SS.DPL must equal SS.RPL when 'unrestricted guest' is 0", AR(ss), SEL(ss));
	if ((t == 3 || !(a->v->GUEST_CR0 & CR0_PE)) && AR_DPL(ss->ar) != 0)
		REPORT(a, "SS.DPL must be 0 when CS type is 3 or guest CR0.PE is 0", AR(ss), AR(cs), F(GUEST_CR0));
	/* "the DPL cannot be less than the RPL ... if the register is usable
	 * and the Type is in the range 0 - 11": 11 included, where Bochs 2.7
	 * stops at 10. */
	for (i = SEG_DS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if (!a->ug && usable(s) && AR_TYPE(s->ar) <= 11 && AR_DPL(s->ar) < SEL_RPL(s->sel))
			REPORT(a, "DS/ES/FS/GS: DPL must not be less than RPL for usable data/non-conforming code segments when 'unrestricted guest' is 0",
			       AR(s), SEL(s));
	}
}

/* G-bit consistency with the limit (shared by all segment kinds). */
static void check_seg_granularity(struct audit *a, const struct seg *s)
{
	if ((s->limit & 0xfff) != 0xfff && (s->ar & AR_G))
		REPORT(a, "segment limit: if any of bits 11:0 is 0, G must be 0", LIMIT(s), AR(s));
	if ((s->limit & 0xfff00000u) && !(s->ar & AR_G))
		REPORT(a, "segment limit: if any of bits 31:20 is 1, G must be 1", LIMIT(s), AR(s));
}

/* Access-rights checks outside virtual-8086 mode (CS, SS, DS, ES, FS, GS),
 * in the SDM's order: type, S, DPL, P, bits 11:8, D/B, G, bits 31:17. */
static void check_seg_ar(struct audit *a)
{
	const struct seg *s;
	unsigned i;

	check_seg_types(a);
	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if ((i == SEG_CS || usable(s)) && !(s->ar & AR_S))
			REPORT(a, "CS and usable SS/DS/ES/FS/GS: S (bit 4) must be 1", AR(s));
	}
	check_seg_dpls(a);
	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if ((i == SEG_CS || usable(s)) && !(s->ar & AR_P))
			REPORT(a, "CS and usable SS/DS/ES/FS/GS: P (bit 7) must be 1", AR(s));
	}
	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if ((i == SEG_CS || usable(s)) && (s->ar & AR_RSVD_11_8))
			REPORT(a, "CS and usable SS/DS/ES/FS/GS: access-rights bits 11:8 are reserved and must be 0", AR(s));
	}
	s = &a->seg[SEG_CS];
	if (a->ia32e && (s->ar & AR_L) && (s->ar & AR_DB))
		REPORT(a, "CS.D/B must be 0 when 'IA-32e mode guest' is 1 and CS.L is 1", AR(s), F(ENTRY_CONTROLS));
	for (i = SEG_CS; i <= SEG_GS; i++)
		if (i == SEG_CS || usable(&a->seg[i]))
			check_seg_granularity(a, &a->seg[i]);
	for (i = SEG_CS; i <= SEG_GS; i++) {
		s = &a->seg[i];
		if ((i == SEG_CS || usable(s)) && (s->ar & AR_RSVD_31_17))
			REPORT(a, "CS and usable SS/DS/ES/FS/GS: access-rights bits 31:17 are reserved and must be 0", AR(s));
	}
}

static void check_tr_ar(struct audit *a)
{
	const struct seg *tr = &a->seg[SEG_TR];
	unsigned t = AR_TYPE(tr->ar);

	if (!a->ia32e && t != 3 && t != 11)
		REPORT(a, "TR type must be 3 or 11 (busy TSS) when 'IA-32e mode guest' is 0", AR(tr), F(ENTRY_CONTROLS));
	if (a->ia32e && t != 11)
		REPORT(a, "TR type must be 11 (busy 64-bit TSS) when 'IA-32e mode guest' is 1", AR(tr), F(ENTRY_CONTROLS));
	if (tr->ar & AR_S)
		REPORT(a, "TR: S (bit 4) must be 0", AR(tr));
	if (!(tr->ar & AR_P))
		REPORT(a, "TR: P (bit 7) must be 1", AR(tr));
	if (tr->ar & AR_RSVD_11_8)
		REPORT(a, "TR: access-rights bits 11:8 are reserved and must be 0", AR(tr));
	check_seg_granularity(a, tr);
	if (tr->ar & AR_UNUSABLE)
		REPORT(a, "TR must be usable (access-rights bit 16 = 0)", AR(tr));
	if (tr->ar & AR_RSVD_31_17)
		REPORT(a, "TR: access-rights bits 31:17 are reserved and must be 0", AR(tr));
}

static void check_ldtr_ar(struct audit *a)
{
	const struct seg *l = &a->seg[SEG_LDTR];

	if (!usable(l))
		return;
	if (AR_TYPE(l->ar) != 2)
		REPORT(a, "LDTR type must be 2 (LDT) when LDTR is usable", AR(l));
	if (l->ar & AR_S)
		REPORT(a, "LDTR: S (bit 4) must be 0 when LDTR is usable", AR(l));
	if (!(l->ar & AR_P))
		REPORT(a, "LDTR: P (bit 7) must be 1 when LDTR is usable", AR(l));
	if (l->ar & AR_RSVD_11_8)
		REPORT(a, "LDTR: access-rights bits 11:8 are reserved and must be 0", AR(l));
	check_seg_granularity(a, l);
	if (l->ar & AR_RSVD_31_17)
		REPORT(a, "LDTR: access-rights bits 31:17 are reserved and must be 0", AR(l));
}

static void check_guest_segs(struct audit *a)
{
	a->section = S_GUEST_SEGS;
	check_seg_selectors(a);
	check_seg_bases(a);
	if (a->v86)
		check_seg_v86(a);
	else
		check_seg_ar(a);
	check_tr_ar(a);
	check_ldtr_ar(a);
}

/* ---- 26.3.1.3 descriptor tables, 26.3.1.4 RIP and RFLAGS --------------- */

static void check_guest_dtrs(struct audit *a)
{
	const struct vmcs12 *v = a->v;

	a->section = S_GUEST_DTRS;
	if (!canonical(a, v->GUEST_GDTR_BASE))
		REPORT(a, "GDTR base must be canonical", F(GUEST_GDTR_BASE));
	if (!canonical(a, v->GUEST_IDTR_BASE))
		REPORT(a, "IDTR base must be canonical", F(GUEST_IDTR_BASE));
	if (v->GUEST_GDTR_LIMIT >> 16)
		REPORT(a, "GDTR limit bits 31:16 must be 0", F(GUEST_GDTR_LIMIT));
	if (v->GUEST_IDTR_LIMIT >> 16)
		REPORT(a, "IDTR limit bits 31:16 must be 0", F(GUEST_IDTR_LIMIT));
}

static void check_guest_rip_rflags(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	bool cs_l = a->ia32e && (v->GUEST_CS_AR & AR_L);
	uint32_t info = v->ENTRY_INTR_INFO;

	a->section = S_GUEST_RIP;
	if (!cs_l && (v->GUEST_RIP >> 32))
		REPORT(a, "RIP bits 63:32 must be 0 unless 'IA-32e mode guest' is 1 and CS.L is 1",
		       F(GUEST_RIP), F(GUEST_CS_AR), F(ENTRY_CONTROLS));
	if (cs_l && !canonical(a, v->GUEST_RIP))
		REPORT(a, "RIP must be canonical in 64-bit mode ('IA-32e mode guest' and CS.L = 1)",
		       F(GUEST_RIP), F(GUEST_CS_AR));
	if (v->GUEST_RFLAGS & RFLAGS_RSVD)
		REPORT(a, "RFLAGS reserved bits 63:22, 15, 5 and 3 must be 0", F(GUEST_RFLAGS),
		       PF(ENTRY_PF_BAD_BITS, v->GUEST_RFLAGS & RFLAGS_RSVD));
	if (!(v->GUEST_RFLAGS & RFLAGS_FIXED1))
		REPORT(a, "RFLAGS bit 1 must be 1", F(GUEST_RFLAGS));
	if ((v->GUEST_RFLAGS & RFLAGS_VM) && (a->ia32e || !(v->GUEST_CR0 & CR0_PE)))
		REPORT(a, "RFLAGS.VM must be 0 when 'IA-32e mode guest' is 1 or guest CR0.PE is 0",
		       F(GUEST_RFLAGS), F(GUEST_CR0), F(ENTRY_CONTROLS));
	if ((info & INTR_INFO_VALID) && INTR_INFO_TYPE(info) == INTR_EXT && !(v->GUEST_RFLAGS & RFLAGS_IF))
		REPORT(a, "RFLAGS.IF must be 1 when injecting an external interrupt",
		       F(GUEST_RFLAGS), F(ENTRY_INTR_INFO));
}

/* ---- 26.3.1.5 guest non-register state --------------------------------- */

/* Whether the activity state allows injecting this event. */
static bool injection_allowed(unsigned activity, uint32_t info)
{
	unsigned type = INTR_INFO_TYPE(info), vector = INTR_INFO_VECTOR(info);

	switch (activity) {
	case ACT_HLT:
		return type == INTR_EXT || type == INTR_NMI ||
		       (type == INTR_HW_EXC && (vector == VEC_DB || vector == VEC_MC)) ||
		       (type == INTR_OTHER && vector == 0);
	case ACT_SHUTDOWN:
		return type == INTR_NMI || (type == INTR_HW_EXC && vector == VEC_MC);
	case ACT_WAIT_SIPI:
		return false;
	default:
		return true;
	}
}

static void check_activity(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint32_t act = v->GUEST_ACTIVITY_STATE;
	uint64_t misc = a->caps->misc;

	if (act > ACT_WAIT_SIPI)
		REPORT(a, "activity state must be 0-3 (active, HLT, shutdown, wait-for-SIPI)",
		       F(GUEST_ACTIVITY_STATE));
	else if (act != ACT_ACTIVE && !(misc & (VMX_MISC_ACTIVITY_HLT << (act - 1))))
		REPORT(a, "activity state must be one IA32_VMX_MISC bits 8:6 report as supported",
		       F(GUEST_ACTIVITY_STATE), MSRV(MSR_IA32_VMX_MISC, misc));
	if (act == ACT_HLT && AR_DPL(v->GUEST_SS_AR) != 0)
		REPORT(a, "the HLT activity state requires SS.DPL = 0", F(GUEST_ACTIVITY_STATE), F(GUEST_SS_AR));
	if (act != ACT_ACTIVE && (v->GUEST_INTERRUPTIBILITY & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)))
		REPORT(a, "activity state must be active when blocking by STI or MOV SS is indicated",
		       F(GUEST_ACTIVITY_STATE), F(GUEST_INTERRUPTIBILITY));
	if ((v->ENTRY_INTR_INFO & INTR_INFO_VALID) && !injection_allowed(act, v->ENTRY_INTR_INFO))
		REPORT(a, "the injected event would be blocked in this activity state (HLT: ext. interrupt, NMI, #DB, #MC, MTF; shutdown: NMI, #MC; wait-for-SIPI: none)",
		       F(ENTRY_INTR_INFO), F(GUEST_ACTIVITY_STATE));
	if ((a->entry & ENTRY_TO_SMM) && act == ACT_WAIT_SIPI)
		REPORT(a, "activity state must not be wait-for-SIPI when 'entry to SMM' is 1",
		       F(GUEST_ACTIVITY_STATE), F(ENTRY_CONTROLS));
}

static void check_interruptibility(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint32_t st = v->GUEST_INTERRUPTIBILITY, info = v->ENTRY_INTR_INFO;
	bool inj_ext = (info & INTR_INFO_VALID) && INTR_INFO_TYPE(info) == INTR_EXT;
	bool inj_nmi = (info & INTR_INFO_VALID) && INTR_INFO_TYPE(info) == INTR_NMI;

	if (st & INTR_STATE_RSVD)
		REPORT(a, "interruptibility state reserved bits 31:5 must be 0", F(GUEST_INTERRUPTIBILITY));
	if ((st & INTR_BLOCK_STI) && (st & INTR_BLOCK_MOV_SS))
		REPORT(a, "interruptibility state cannot indicate blocking by both STI and MOV SS",
		       F(GUEST_INTERRUPTIBILITY));
	if ((st & INTR_BLOCK_STI) && !(v->GUEST_RFLAGS & RFLAGS_IF))
		REPORT(a, "blocking by STI requires RFLAGS.IF = 1", F(GUEST_INTERRUPTIBILITY), F(GUEST_RFLAGS));
	if (inj_ext && (st & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)))
		REPORT(a, "blocking by STI and MOV SS must be 0 when injecting an external interrupt",
		       F(GUEST_INTERRUPTIBILITY), F(ENTRY_INTR_INFO));
	if (inj_nmi && (st & INTR_BLOCK_MOV_SS))
		REPORT(a, "blocking by MOV SS must be 0 when injecting an NMI",
		       F(GUEST_INTERRUPTIBILITY), F(ENTRY_INTR_INFO));
	if (!a->env->in_smm && (st & INTR_BLOCK_SMI))
		REPORT(a, "blocking by SMI must be 0 outside SMM", F(GUEST_INTERRUPTIBILITY), PF(ENTRY_PF_IN_SMM, 0));
	if ((a->entry & ENTRY_TO_SMM) && !(st & INTR_BLOCK_SMI))
		REPORT(a, "blocking by SMI must be 1 when 'entry to SMM' is 1",
		       F(GUEST_INTERRUPTIBILITY), F(ENTRY_CONTROLS));
	/* "A processor may require bit 0 (blocking by STI) to be 0 if ... the
	 * interruption type ... [is] NMI. Other processors may not make this
	 * requirement." Where it is made, 26.7 reports exit qualification 3
	 * ("an attempt to inject a non-maskable interrupt (NMI) into a guest
	 * that is blocking events through the STI blocking bit"). */
	if (a->env->nmi_requires_no_sti_blocking && inj_nmi && (st & INTR_BLOCK_STI)) {
		a->exit_qual = QUAL_NMI_STI;
		REPORT(a, "this processor model requires blocking by STI to be 0 when injecting an NMI",
		       F(GUEST_INTERRUPTIBILITY), F(ENTRY_INTR_INFO));
		a->exit_qual = 0;
	}
	if ((a->pin & PIN_VIRTUAL_NMIS) && inj_nmi && (st & INTR_BLOCK_NMI))
		REPORT(a, "blocking by NMI must be 0 when 'virtual NMIs' is 1 and an NMI is injected",
		       F(GUEST_INTERRUPTIBILITY), F(ENTRY_INTR_INFO), F(PIN_BASED_CONTROLS));
	if ((st & INTR_ENCLAVE) && ((st & INTR_BLOCK_MOV_SS) || !a->env->sgx))
		REPORT(a, "enclave interruption (bit 4) requires SGX support and no blocking by MOV SS",
		       F(GUEST_INTERRUPTIBILITY));
}

static void check_pending_dbg(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint64_t pde = v->GUEST_PENDING_DBG_EXCEPTIONS;
	bool tf = v->GUEST_RFLAGS & RFLAGS_TF, btf = v->GUEST_IA32_DEBUGCTL & DEBUGCTL_BTF;
	bool check_bs = (v->GUEST_INTERRUPTIBILITY & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) ||
			v->GUEST_ACTIVITY_STATE == ACT_HLT;

	if (pde & PDE_RSVD)
		REPORT(a, "pending debug exceptions: bits 11:4, 13, 15 and 63:17 must be 0",
		       F(GUEST_PENDING_DBG_EXCEPTIONS), PF(ENTRY_PF_BAD_BITS, pde & PDE_RSVD));
	/* 26.3.1.5: with blocking by STI/MOV SS or HLT, BS must mirror
	 * RFLAGS.TF && !IA32_DEBUGCTL.BTF. Bochs 2.7 makes no such check. */
	if (check_bs && tf && !btf && !(pde & PDE_BS))
		REPORT(a, "pending debug exceptions: BS must be 1 if RFLAGS.TF = 1 and DEBUGCTL.BTF = 0 (with STI/MOV-SS blocking or HLT)",
		       F(GUEST_PENDING_DBG_EXCEPTIONS), F(GUEST_RFLAGS), F(GUEST_IA32_DEBUGCTL),
		       F(GUEST_INTERRUPTIBILITY));
	if (check_bs && (!tf || btf) && (pde & PDE_BS))
		REPORT(a, "pending debug exceptions: BS must be 0 if RFLAGS.TF = 0 or DEBUGCTL.BTF = 1 (with STI/MOV-SS blocking or HLT)",
		       F(GUEST_PENDING_DBG_EXCEPTIONS), F(GUEST_RFLAGS), F(GUEST_IA32_DEBUGCTL),
		       F(GUEST_INTERRUPTIBILITY));
	if ((pde & PDE_RTM) && ((pde & PDE_RTM_MBZ) || !(pde & PDE_BP_ENABLED) || !a->env->rtm ||
				(v->GUEST_INTERRUPTIBILITY & INTR_BLOCK_MOV_SS)))
		REPORT(a, "pending debug exceptions: RTM (bit 16) requires RTM support, bit 12 = 1, bits 11:0, 15:13, 63:17 = 0 and no MOV-SS blocking",
		       F(GUEST_PENDING_DBG_EXCEPTIONS), F(GUEST_INTERRUPTIBILITY));
}

static void check_link_pointer(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	const struct entry_check_env *env = a->env;
	uint64_t link = v->VMCS_LINK_POINTER;
	uint32_t rev, want;

	if (link == VMCS_LINK_NONE)
		return;
	a->exit_qual = QUAL_LINK;
	if (link & 0xfff)
		REPORT(a, "VMCS link pointer must be FFFFFFFF_FFFFFFFFH or 4-KByte aligned", F(VMCS_LINK_POINTER));
	if (beyond_phys(a, link))
		REPORT(a, "VMCS link pointer must be FFFFFFFF_FFFFFFFFH or below MAXPHYADDR",
		       F(VMCS_LINK_POINTER), MAXPHY);
	if (page_addr_ok(a, link) && env->read_phys &&
	    read_or_undecided(a, link, &rev, sizeof(rev),
			      "cannot read the revision identifier of the VMCS the link pointer references",
			      VMCS_VMCS_LINK_POINTER, link)) {
		want = (uint32_t)(a->caps->basic & VMX_BASIC_REVISION_MASK);
		if (a->proc2 & PROC2_VMCS_SHADOWING)
			want |= 1u << 31;
		if (rev != want)
			REPORT(a, "the VMCS the link pointer references must have the VMCS revision identifier and shadow-VMCS bit 31 = 'VMCS shadowing'",
			       F(VMCS_LINK_POINTER), PF(ENTRY_PF_LINK_REVISION, rev),
			       MSRV(MSR_IA32_VMX_BASIC, a->caps->basic), F(SECONDARY_PROC_CONTROLS));
	}
	if ((!env->in_smm || (a->entry & ENTRY_TO_SMM)) && env->have_current_vmcs &&
	    link == env->current_vmcs)
		REPORT(a, "VMCS link pointer must not be the current-VMCS pointer",
		       F(VMCS_LINK_POINTER), PF(ENTRY_PF_CURRENT_VMCS, env->current_vmcs));
	if (env->in_smm && !(a->entry & ENTRY_TO_SMM) && link == v->EXECUTIVE_VMCS_POINTER)
		REPORT(a, "in SMM without 'entry to SMM', the VMCS link pointer must differ from the executive-VMCS pointer",
		       F(VMCS_LINK_POINTER), F(EXECUTIVE_VMCS_POINTER));
	a->exit_qual = 0;
}

static void check_guest_nonreg(struct audit *a)
{
	a->section = S_GUEST_NONREG;
	check_activity(a);
	check_interruptibility(a);
	check_pending_dbg(a);
	check_link_pointer(a);
}

/* ---- 26.3.1.6 PDPTEs ---------------------------------------------------- */

/* A present PAE PDPTE must have bits 2:1, 8:5 and 63:MAXPHYADDR clear
 * (Vol. 3A 4.4.1, as MOV to CR3 checks them). */
static bool pdpte_bad(const struct audit *a, uint64_t e)
{
	return (e & 1) && ((e & 0x1e6ull) || beyond_phys(a, e));
}

static void check_guest_pdptes(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	const uint64_t fields[4] = { v->GUEST_PDPTE0, v->GUEST_PDPTE1, v->GUEST_PDPTE2, v->GUEST_PDPTE3 };
	static const uint32_t encs[4] = { VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2,
					  VMCS_GUEST_PDPTE3 };
	uint64_t mem[4];
	unsigned i;

	if (a->ia32e || !(v->GUEST_CR0 & CR0_PG) || !(v->GUEST_CR4 & CR4_PAE))
		return;
	a->section = S_GUEST_PDPTE;
	a->exit_qual = QUAL_PDPTE;
	if (a->ept) {
		for (i = 0; i < 4; i++)
			if (pdpte_bad(a, fields[i]))
				REPORT(a, "PAE paging with EPT: a present PDPTE field must have bits 2:1, 8:5 and 63:MAXPHYADDR clear",
				       encs[i], fields[i], MAXPHY);
	} else if (a->env->read_phys &&
		   read_or_undecided(a, v->GUEST_CR3 & 0xffffffe0ull, mem, sizeof(mem),
				     "cannot read the PDPTEs at guest CR3 (PAE paging without EPT)",
				     VMCS_GUEST_CR3, v->GUEST_CR3)) {
		for (i = 0; i < 4; i++)
			if (pdpte_bad(a, mem[i]))
				REPORT(a, "PAE paging without EPT: a present PDPTE at CR3 must have bits 2:1, 8:5 and 63:MAXPHYADDR clear",
				       F(GUEST_CR3), PF(ENTRY_PF_PDPTE0_MEM + i, mem[i]), MAXPHY);
	}
	a->exit_qual = 0;
}

static void check_guest_state(struct audit *a)
{
	a->cls = ENTRY_CHECK_GUEST_STATE;
	a->section = S_GUEST_REGS;
	check_guest_crs(a);
	check_guest_msrs(a);
	check_guest_segs(a);
	check_guest_dtrs(a);
	check_guest_rip_rflags(a);
	check_guest_nonreg(a);
	check_guest_pdptes(a);
}

/* ---- 26.4 loading MSRs ---------------------------------------------------- */

/* One 16-byte VM-entry MSR-load entry (24.8.2): bits 31:0 MSR index, bits
 * 63:32 reserved, bits 127:64 the value. Returns false once it fails (a
 * finding is recorded: MSR_LOAD with qual = n, or UNDECIDED). */
static bool check_msr_entry(struct audit *a, unsigned n, const uint8_t raw[MSR_ENTRY_SIZE])
{
	const struct entry_check_env *env = a->env;
	uint64_t lo, val;
	uint32_t idx;
	enum entry_msr_load r;

	memcpy(&lo, raw, 8);
	memcpy(&val, raw + 8, 8);
	idx = (uint32_t)lo;
	a->exit_qual = n;
#define MSR_ENTRY_FIELDS PF(ENTRY_PF_MSR_ENTRY, n), PF(ENTRY_PF_MSR_INDEX, idx), \
			 PF(ENTRY_PF_MSR_RESERVED, lo >> 32), PF(ENTRY_PF_MSR_VALUE, val)
	if (idx == MSR_FS_BASE || idx == MSR_GS_BASE)
		REPORT(a, "VM-entry MSR-load entry: bits 31:0 must not be IA32_FS_BASE (C0000100H) or IA32_GS_BASE (C0000101H)",
		       MSR_ENTRY_FIELDS);
	else if ((idx >> 8) == MSR_X2APIC_HI24)
		REPORT(a, "VM-entry MSR-load entry: bits 31:8 must not be 000008H (x2APIC MSRs)",
		       MSR_ENTRY_FIELDS);
	else if (idx == MSR_IA32_SMM_MONITOR_CTL && !env->in_smm)
		REPORT(a, "VM-entry MSR-load entry: IA32_SMM_MONITOR_CTL (9BH) can be written only in SMM",
		       MSR_ENTRY_FIELDS, PF(ENTRY_PF_IN_SMM, 0));
	else if (lo >> 32)
		REPORT(a, "VM-entry MSR-load entry: bits 63:32 are reserved and must be 0",
		       MSR_ENTRY_FIELDS);
	else if (env->msr_load_ok) {
		r = env->msr_load_ok(env->msr_ctx, idx, val);
		if (r == ENTRY_MSR_LOAD_BAD) {
			REPORT(a, "VM-entry MSR-load entry: WRMSR of the value would cause #GP (or the model cannot load this MSR on VM entry)",
			       MSR_ENTRY_FIELDS);
		} else if (r != ENTRY_MSR_LOAD_OK) { /* UNKNOWN, or any other value */
			a->cls = ENTRY_CHECK_UNDECIDED;
			REPORT(a, "VM-entry MSR-load entry: cannot decide whether WRMSR of the value would succeed",
			       MSR_ENTRY_FIELDS);
			a->cls = ENTRY_CHECK_MSR_LOAD;
		} else {
			a->exit_qual = 0;
			return true;
		}
	} else {
		a->exit_qual = 0;
		return true;
	}
#undef MSR_ENTRY_FIELDS
	a->exit_qual = 0;
	return false;
}

/* 26.4: entries are processed in order and loading stops at the first that
 * fails; the exit qualification is its 1-based index. Only called when the
 * count and the area passed their 26.2.1.3 checks. */
static void check_msr_load(struct audit *a)
{
	const struct vmcs12 *v = a->v;
	uint8_t raw[MSR_ENTRY_SIZE];
	uint64_t pa;
	unsigned i;

	a->cls = ENTRY_CHECK_MSR_LOAD;
	a->section = S_MSR_LOAD;
	if (!a->env->read_phys)
		return; /* auditor mode: no memory to look at */
	for (i = 0; i < v->ENTRY_MSR_LOAD_COUNT; i++) {
		pa = v->ENTRY_MSR_LOAD_ADDR + (uint64_t)i * MSR_ENTRY_SIZE;
		if (!a->env->read_phys(a->env->read_ctx, pa, raw, sizeof(raw))) {
			a->cls = ENTRY_CHECK_UNDECIDED;
			a->exit_qual = i + 1;
			REPORT(a, "cannot read a VM-entry MSR-load entry",
			       PF(ENTRY_PF_MSR_ENTRY, i + 1), PF(ENTRY_PF_READ_ADDR, pa));
			a->exit_qual = 0;
			return;
		}
		if (!check_msr_entry(a, i + 1, raw))
			return;
	}
}

/* ---- entry points ------------------------------------------------------- */

/* 26.2 (controls, host state) and 26.3 (guest state) in the SDM's order --
 * all of them, so the auditor can list every finding; the verdict takes
 * the first. Then 26.4 MSR loading, only if nothing failed before it: the
 * CPU reaches MSR loading only after the guest state loaded, so
 * env->msr_load_ok is never asked about an entry that would not be
 * loaded. */
static void run_checks(struct audit *a)
{
	check_exec_controls(a);
	check_exit_controls(a);
	check_entry_controls(a);
	check_host_regs(a);
	check_host_segs(a);
	check_addr_size(a);
	check_guest_state(a);
	if (a->count == 0 && a->v->ENTRY_MSR_LOAD_COUNT)
		check_msr_load(a);
}

static void audit_init(struct audit *a, const struct vmcs12 *v, const struct entry_check_env *env)
{
	const struct vmx_msrs *c = env->caps;

	a->v = v;
	a->env = env;
	a->caps = c;
	a->maxphy = env->maxphyaddr > 52 ? 52 : env->maxphyaddr;
	a->pin = v->PIN_BASED_CONTROLS;
	a->proc = v->PROC_BASED_CONTROLS;
	a->proc2 = (a->proc & PROC_SECONDARY_CONTROLS) ? v->SECONDARY_PROC_CONTROLS : 0;
	a->proc3 = (a->proc & PROC_TERTIARY_CONTROLS) ? v->TERTIARY_PROC_CONTROLS : 0;
	a->exit = v->EXIT_CONTROLS;
	a->entry = v->ENTRY_CONTROLS;
	a->ug = a->proc2 & PROC2_UNRESTRICTED_GUEST;
	a->ept = a->proc2 & PROC2_ENABLE_EPT;
	a->ia32e = a->entry & ENTRY_IA32E_MODE_GUEST;
	a->v86 = v->GUEST_RFLAGS & RFLAGS_VM;
	/* CR4.CET may be 1 in VMX operation only where CET exists. */
	a->have_cet = c->cr4_fixed1 & CR4_CET;
	a->ept_cap = c->have_ept_vpid_cap ? c->ept_vpid_cap : 0;
	load_segs(a);
}

unsigned vmx_entry_check(const struct vmcs12 *v, const struct entry_check_env *env,
			 struct entry_finding *out, unsigned max)
{
	struct audit a;

	memset(&a, 0, sizeof(a));
	a.out = out;
	a.max = out ? max : 0;
	if (!v || !env || !env->caps) {
		a.section = "26";
		REPORT(&a, "auditor called without a VMCS snapshot, environment or capability MSRs",
		       PF(ENTRY_PF_BAD_BITS, 0));
		return a.count;
	}
	audit_init(&a, v, env);
	run_checks(&a);
	return a.count;
}

static enum entry_outcome outcome_of(enum entry_check_class cls)
{
	switch (cls) {
	case ENTRY_CHECK_CONTROLS:
		return ENTRY_FAIL_CONTROLS;
	case ENTRY_CHECK_HOST_STATE:
		return ENTRY_FAIL_HOST;
	case ENTRY_CHECK_GUEST_STATE:
		return ENTRY_FAIL_GUEST;
	case ENTRY_CHECK_MSR_LOAD:
		return ENTRY_FAIL_MSR_LOAD;
	case ENTRY_CHECK_UNDECIDED:
		break;
	}
	return ENTRY_UNDECIDED;
}

void vmx_entry_verdict(const struct vmcs12 *v, const struct entry_check_env *env,
		       struct entry_verdict *out)
{
	struct audit a;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.out = &out->first;
	a.max = 1;
	if (!v || !env || !env->caps) {
		out->outcome = ENTRY_UNDECIDED;
		a.section = "26";
		a.cls = ENTRY_CHECK_UNDECIDED;
		REPORT(&a, "checker called without a VMCS image, environment or capability MSRs",
		       PF(ENTRY_PF_BAD_BITS, 0));
		return;
	}
	audit_init(&a, v, env);
	run_checks(&a);
	if (a.count == 0) {
		memset(&out->first, 0, sizeof(out->first));
		out->outcome = ENTRY_PASS;
		return;
	}
	out->outcome = outcome_of(out->first.cls);
	/* Qualifications exist for exit reasons 33 and 34 (26.7) and for an
	 * undecided MSR-load entry (its index); VMfailValid has none. */
	if (out->outcome == ENTRY_FAIL_GUEST || out->outcome == ENTRY_FAIL_MSR_LOAD ||
	    out->outcome == ENTRY_UNDECIDED)
		out->qual = out->first.exit_qual;
}

/* ---- model-specific reserved-bit masks ------------------------------------ */

uint64_t debugctl_rsvd(bool rtm_debug)
{
	/* LBR, BTF, TR, BTS, BTINT, BTS_OFF_OS, BTS_OFF_USR,
	 * FREEZE_LBRS_ON_PMI, FREEZE_PERFMON_ON_PMI, ENABLE_UNCORE_PMI,
	 * FREEZE_WHILE_SMM: bits 0, 1 and 6-14. Bits 5:2 are reserved on
	 * these models. */
	uint64_t defined = 0x3ull | (0x1ffull << 6);

	if (rtm_debug)
		defined |= 1ull << 15; /* RTM_DEBUG */
	return ~defined;
}

uint64_t perf_global_ctrl_rsvd(unsigned n_gp, unsigned n_fixed)
{
	uint64_t gp, fixed;

	if (n_gp > 32)
		n_gp = 32;
	if (n_fixed > 32)
		n_fixed = 32;
	gp = n_gp == 32 ? 0xffffffffull : (1ull << n_gp) - 1;
	fixed = n_fixed == 32 ? 0xffffffffull : (1ull << n_fixed) - 1;
	return ~(gp | (fixed << 32));
}

/* ---- formatting --------------------------------------------------------- */

static const struct {
	uint32_t id;
	const char *name;
} pseudo_names[] = {
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_BASIC), "IA32_VMX_BASIC" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_PINBASED_CTLS), "IA32_VMX_PINBASED_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_PROCBASED_CTLS), "IA32_VMX_PROCBASED_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_EXIT_CTLS), "IA32_VMX_EXIT_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_ENTRY_CTLS), "IA32_VMX_ENTRY_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_MISC), "IA32_VMX_MISC" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_CR0_FIXED0), "IA32_VMX_CR0_FIXED0" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_CR0_FIXED1), "IA32_VMX_CR0_FIXED1" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_CR4_FIXED0), "IA32_VMX_CR4_FIXED0" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_CR4_FIXED1), "IA32_VMX_CR4_FIXED1" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_VMCS_ENUM), "IA32_VMX_VMCS_ENUM" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_PROCBASED_CTLS2), "IA32_VMX_PROCBASED_CTLS2" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_EPT_VPID_CAP), "IA32_VMX_EPT_VPID_CAP" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_TRUE_PINBASED_CTLS), "IA32_VMX_TRUE_PINBASED_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_TRUE_PROCBASED_CTLS), "IA32_VMX_TRUE_PROCBASED_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_TRUE_EXIT_CTLS), "IA32_VMX_TRUE_EXIT_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_TRUE_ENTRY_CTLS), "IA32_VMX_TRUE_ENTRY_CTLS" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_VMFUNC), "IA32_VMX_VMFUNC" },
	{ ENTRY_FIELD_MSR(MSR_IA32_VMX_PROCBASED_CTLS3), "IA32_VMX_PROCBASED_CTLS3" },
	{ ENTRY_PF_MAXPHYADDR, "MAXPHYADDR" },
	{ ENTRY_PF_HOST_LMA, "host IA32_EFER.LMA" },
	{ ENTRY_PF_BAD_BITS, "bad bits" },
	{ ENTRY_PF_CURRENT_VMCS, "current VMCS" },
	{ ENTRY_PF_LINK_REVISION, "revision at link pointer" },
	{ ENTRY_PF_VTPR, "VTPR" },
	{ ENTRY_PF_PDPTE0_MEM, "PDPTE0 in memory" },
	{ ENTRY_PF_PDPTE1_MEM, "PDPTE1 in memory" },
	{ ENTRY_PF_PDPTE2_MEM, "PDPTE2 in memory" },
	{ ENTRY_PF_PDPTE3_MEM, "PDPTE3 in memory" },
	{ ENTRY_PF_IN_SMM, "in SMM" },
	{ ENTRY_PF_PROCBASED3, "IA32_VMX_PROCBASED_CTLS3" },
	{ ENTRY_PF_MSR_RSVD, "reserved-bit mask" },
	{ ENTRY_PF_MSR_INDEX, "MSR index" },
	{ ENTRY_PF_MSR_RESERVED, "entry bits 63:32" },
	{ ENTRY_PF_MSR_VALUE, "MSR value" },
	{ ENTRY_PF_MSR_ENTRY, "MSR-load entry" },
	{ ENTRY_PF_MSR_LIMIT, "MSR-list limit" },
	{ ENTRY_PF_READ_ADDR, "unreadable address" },
};

const char *entry_pseudo_field_name(uint32_t field)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(pseudo_names); i++)
		if (pseudo_names[i].id == field)
			return pseudo_names[i].name;
	return NULL;
}

const char *entry_outcome_name(enum entry_outcome o)
{
	switch (o) {
	case ENTRY_PASS:
		return "pass";
	case ENTRY_FAIL_CONTROLS:
		return "VMfailValid 7 (controls)";
	case ENTRY_FAIL_HOST:
		return "VMfailValid 8 (host state)";
	case ENTRY_FAIL_GUEST:
		return "exit reason 33 (guest state)";
	case ENTRY_FAIL_MSR_LOAD:
		return "exit reason 34 (MSR loading)";
	case ENTRY_UNDECIDED:
		return "undecided";
	}
	return "unknown";
}

const char *entry_check_class_name(enum entry_check_class cls)
{
	switch (cls) {
	case ENTRY_CHECK_CONTROLS:
		return "controls";
	case ENTRY_CHECK_HOST_STATE:
		return "host state";
	case ENTRY_CHECK_GUEST_STATE:
		return "guest state";
	case ENTRY_CHECK_MSR_LOAD:
		return "MSR loading";
	case ENTRY_CHECK_UNDECIDED:
		return "undecided";
	}
	return "unknown";
}

/* Appends " NAME=VALUE" for one field at the end of buf (len used). */
static size_t format_field(char *buf, size_t size, size_t len, uint32_t field, uint64_t value)
{
	const struct vmcs_field_info *info = vmcs_field_lookup(field);
	const char *name = entry_pseudo_field_name(field);
	unsigned digits = 16;
	int n;

	if (len >= size)
		return len;
	if (info) {
		name = info->name;
		digits = info->width == VMCS_W16 ? 4 : info->width == VMCS_W32 ? 8 : 16;
	}
	if (field == ENTRY_PF_MAXPHYADDR || field == ENTRY_PF_HOST_LMA || field == ENTRY_PF_IN_SMM ||
	    field == ENTRY_PF_MSR_ENTRY || field == ENTRY_PF_MSR_LIMIT)
		n = fmt_snprintf(buf + len, size - len, " %s=%llu", name, (unsigned long long)value);
	else if (name)
		n = fmt_snprintf(buf + len, size - len, " %s=0x%0*llx", name, (int)digits,
				 (unsigned long long)value);
	else
		n = fmt_snprintf(buf + len, size - len, " field_0x%08x=0x%016llx", (unsigned)field,
				 (unsigned long long)value);
	if (n < 0)
		return len;
	len += (size_t)n;
	return len < size ? len : size - 1;
}

void entry_finding_format(const struct entry_finding *f,
			  void (*line)(void *ctx, const char *text), void *ctx)
{
	char buf[640];
	size_t len;
	unsigned i, n;
	int r;

	if (!f || !line)
		return;
	r = fmt_snprintf(buf, sizeof(buf), "SDM %s: %s:", f->section ? f->section : "?",
			 f->rule ? f->rule : "?");
	len = r < 0 ? 0 : ((size_t)r < sizeof(buf) ? (size_t)r : sizeof(buf) - 1);
	buf[len] = '\0';
	n = f->nfields > ENTRY_FINDING_MAX_FIELDS ? ENTRY_FINDING_MAX_FIELDS : f->nfields;
	for (i = 0; i < n; i++)
		len = format_field(buf, sizeof(buf), len, f->field[i], f->value[i]);
	line(ctx, buf);
}
