/* VMLAUNCH/VMRESUME by L1 (SDM Vol. 3C 30.3, chapter 26). The order is the
 * SDM's: no current VMCS -> VMfailInvalid; blocking by MOV SS -> error 26;
 * the launch state -> error 4 or 5; then the VM-entry checker
 * (vmx/entry_checks.c) against the capability MSRs L1 was shown decides:
 * controls -> error 7, host state -> error 8, guest state -> exit reason 33,
 * MSR loading -> exit reason 34, with L1's host state loaded (26.7, 27.5).
 * An entry that passes every check runs L2 (nested/l2.c). */
#include "nested/vmentry.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "lib/log.h"
#include "lib/string.h"
#include "nested/host_state.h"
#include "nested/l2.h"
#include "nested/msr_lists.h"
#include "nested/nested_vcpu.h"
#include "vmx/entry_checks.h"
#include "vmx/exit_info.h"
#include "vmx/exit_reasons.h"
#include "vmx/exits.h"
#include "vmx/guest_debug.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

#define EXIT_REASON_ENTRY_FAIL_GUEST 33u
#define EXIT_REASON_ENTRY_FAIL_MSR 34u

/* 27.7 VMX-abort indicators. */
#define VMX_ABORT_LOAD_HOST_PDPTE 2u
#define VMX_ABORT_LOAD_HOST_MSR 4u

static void say_line(void *ctx, const char *text)
{
	(void)ctx;
	log_printf(LOG_QUIET, "nestor: %s\n", text);
}

/* 26.4: each VM-entry MSR-load entry as nested/msr_lists.c judges it. */
static enum entry_msr_load msr_load_decide(void *ctx, uint32_t index,
					   uint64_t value)
{
	return nested_msr_load_decide(ctx, index, value);
}

/* CPUID.0AH: the general-purpose and fixed counters, for the reserved bits
 * of IA32_PERF_GLOBAL_CTRL (Vol. 3B 20.2.2). */
static uint64_t perf_rsvd(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	unsigned gp = 0, fixed = 0;

	if (r.eax >= 0xa) {
		r = cpuid(0xa, 0);
		gp = (r.eax >> 8) & 0xff;
		if ((r.eax & 0xff) > 1)
			fixed = r.edx & 0x1f;
	}
	return perf_global_ctrl_rsvd(gp, fixed);
}

static void check_env(struct vcpu *v, struct entry_check_env *env)
{
	struct cpuid_regs r = cpuid(7, 0);

	memset(env, 0, sizeof(*env));
	env->caps = &v->vm->l1_caps;
	env->maxphyaddr = v->vm->maxphyaddr;
	env->host_lma = vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA;
	env->host_cr0 = guest_visible_cr0(v);
	env->host_cr4 = guest_visible_cr4(v);
	env->rtm = r.ebx & (1u << 11);
	env->debugctl_rsvd = debugctl_rsvd(env->rtm);
	env->perf_global_ctrl_rsvd = perf_rsvd();
	env->have_current_vmcs = true;
	env->current_vmcs = v->nested->current;
	env->read_phys = l2_read_l1;
	env->read_ctx = v;
	env->msr_load_ok = msr_load_decide;
	env->msr_ctx = v;
	/* 26.3.1.5: Nestor is a processor that requires no blocking by STI
	 * when an NMI is injected, and reports exit qualification 3 for it
	 * (26.7; Bochs 2.7 refuses too but reports 0: docs/bochs-deviations.md). */
	env->nmi_requires_no_sti_blocking = true;
}

/* 27.7: a problem loading L1's state on a VM exit. The indicator goes to
 * bytes 4-7 of the current VMCS's region and the processor shuts down;
 * only a reset leaves that state. */
NORETURN void nested_vmx_abort(struct vcpu *v, uint32_t indicator)
{
	struct nested_vcpu *n = v->nested;

	n->cache.abort = indicator;
	nested_writeback(v);
	log_printf(LOG_QUIET, "nestor: L1 VMX abort, indicator %u (SDM 27.7), VMCS 0x%lx: L1 is shut down as the CPU would be\n",
		   indicator, n->current);
	guest_stop(v, NESTOR_EXIT_GUEST_STOPPED, "shut down by a VMX abort");
}

static const uint32_t seg_fields[HS_SEGS][4] = {
	[HS_ES] = { VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	[HS_CS] = { VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR },
	[HS_SS] = { VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
	[HS_DS] = { VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	[HS_FS] = { VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	[HS_GS] = { VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	[HS_LDTR] = { VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR },
	[HS_TR] = { VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR },
};

/* An MSR whose value Nestor keeps in vmcs01's guest state, or passes
 * through: written on L1's behalf with the checked WRMSR. */
static void l1_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (wrmsr_checked(msr, val))
		guest_unsupported(v, "loading L1's host MSR state faulted; Nestor cannot complete this VM exit");
}

/* 27.6: the VM-exit MSR-load area, after the host state; a failure is a
 * VMX abort (27.7). */
static void load_exit_msrs(struct vcpu *v)
{
	if (!nested_exit_msr_load(v))
		nested_vmx_abort(v, VMX_ABORT_LOAD_HOST_MSR);
}

/* 27.5: L1's state after the exit, into vmcs01's guest-state area. */
void nested_load_host_state(struct vcpu *v, uint64_t old_cr0,
			    uint64_t old_efer, bool nmi_blocked)
{
	const struct vmcs12 *f = &v->nested->cache.f;
	struct l1_host_state hs;

	nested_host_state(f, old_cr0, old_efer, &hs);
	if (!guest_load_control_regs(v, hs.cr0, hs.cr3, hs.cr4, hs.efer))
		nested_vmx_abort(v, VMX_ABORT_LOAD_HOST_PDPTE);
	for (unsigned i = 0; i < HS_SEGS; i++) {
		vmcs_write(seg_fields[i][0], hs.seg[i].sel);
		vmcs_write(seg_fields[i][1], hs.seg[i].base);
		vmcs_write(seg_fields[i][2], hs.seg[i].limit);
		vmcs_write(seg_fields[i][3], hs.seg[i].ar);
	}
	vmcs_write(VMCS_GUEST_GDTR_BASE, hs.gdtr_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, hs.gdtr_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, hs.idtr_base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, hs.idtr_limit);
	vmcs_write(VMCS_GUEST_DR7, hs.dr7);
	guest_debug_l1_dr7_loaded(v); /* L1's breakpoints keep vmcs01's DR7 */
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, hs.debugctl);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_CS, hs.sysenter_cs);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_ESP, hs.sysenter_esp);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_EIP, hs.sysenter_eip);
	if (hs.load_pat) {
		if (v->cfg->ctl[VMX_ENTRY] & ENTRY_LOAD_PAT)
			vmcs_write(VMCS_GUEST_IA32_PAT, hs.pat);
		else
			l1_wrmsr(v, MSR_IA32_PAT, hs.pat);
	}
	if (hs.load_perf_global_ctrl)
		l1_wrmsr(v, MSR_IA32_PERF_GLOBAL_CTRL, hs.perf_global_ctrl);
	if (hs.clear_bndcfgs)
		l1_wrmsr(v, MSR_IA32_BNDCFGS, 0);
	exit_set(&v->exit, EF_RIP, hs.rip);
	vmcs_write(VMCS_GUEST_RSP, hs.rsp);
	exit_set(&v->exit, EF_RFLAGS, hs.rflags);
	/* 26.7 / 27.5.5: no blocking by STI or MOV SS after the exit; NMI
	 * blocking as the caller says; the activity state is active and no
	 * debug exception is pending. */
	exit_set(&v->exit, EF_INTR_STATE, nmi_blocked ? INTR_BLOCK_NMI : 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	load_exit_msrs(v);
}

/* 26.7: a VM entry that fails during or after loading guest state is
 * reported as a VM exit to L1 with bit 31 of the exit reason set. */
void nested_entry_failure(struct vcpu *v, uint32_t basic, uint32_t qual)
{
	struct vmcs12 *f = &v->nested->cache.f;

	/* 26.7 step 1: only the exit reason and the exit qualification;
	 * "all other VM-exit information fields are unmodified". Unlike a
	 * VM exit (24.8.3), "the valid bit in the VM-entry interruption-
	 * information field is not cleared" and the guest-state area is not
	 * modified (26.7, the list after step 4). */
	f->EXIT_REASON = basic | EXIT_REASON_ENTRY_FAILURE;
	f->EXIT_QUALIFICATION = qual;
	/* 26.7: a failed entry leaves L1 as it was before it: CR0, EFER and
	 * NMI blocking included. */
	nested_load_host_state(v, guest_visible_cr0(v),
			       vmcs_read(VMCS_GUEST_IA32_EFER),
			       exit_get(&v->exit, EF_INTR_STATE) & INTR_BLOCK_NMI);
}

void nested_vmentry(struct vcpu *v, bool launch)
{
	struct nested_vcpu *n = v->nested;
	struct entry_check_env env;
	struct entry_verdict verdict;

	if (n->current == VMCS_PTR_NONE) {
		nested_finish(v, vmx_fail(n->current, 0));
		return;
	}
	if (exit_get(&v->exit, EF_INTR_STATE) & INTR_BLOCK_MOV_SS) {
		nested_finish(v, vmx_fail(n->current, 26));
		return;
	}
	if (launch == vmcs12_launched(&n->cache)) {
		nested_finish(v, vmx_fail(n->current, launch ? 4 : 5));
		return;
	}
	check_env(v, &env);
	vmx_entry_verdict(&n->cache.f, &env, &verdict);
	if (verdict.outcome != ENTRY_PASS)
		pr_debug("nestor: L1 %s: %s: SDM %s: %s\n",
			 launch ? "VMLAUNCH" : "VMRESUME",
			 entry_check_class_name(verdict.first.cls),
			 verdict.first.section ? verdict.first.section : "-",
			 verdict.first.rule ? verdict.first.rule : "-");
	switch (verdict.outcome) {
	case ENTRY_FAIL_CONTROLS:
		nested_finish(v, vmx_fail(n->current, 7));
		return;
	case ENTRY_FAIL_HOST:
		nested_finish(v, vmx_fail(n->current, 8));
		return;
	case ENTRY_FAIL_GUEST:
		nested_entry_failure(v, EXIT_REASON_ENTRY_FAIL_GUEST, verdict.qual);
		return;
	case ENTRY_FAIL_MSR_LOAD:
		/* 26.4: the entries before the failing one were loaded. */
		nested_entry_msr_load_prefix(v, verdict.qual - 1);
		nested_entry_failure(v, EXIT_REASON_ENTRY_FAIL_MSR, verdict.qual);
		return;
	case ENTRY_PASS:
		/* L2 runs: vmcs02 is built and made current by the exit
		 * path's nested_switch() (nested/l2.c). L1's instruction is
		 * not retired: L1 resumes at its host RIP when L2 exits. */
		l2_of(v)->pending = NESTED_TO_L2;
		l2_of(v)->launch = launch;
		vcpu_request(v, VCPU_REQ_NESTED);
		return;
	default:
		/* The check that could not be decided, with the field and
		 * the address it needed (e.g. VTPR in a virtual-APIC page
		 * that is not L1's RAM, 26.2.1.1). */
		entry_finding_format(&verdict.first, say_line, NULL);
		guest_unsupported(v, "L1's VM entry needs guest memory Nestor cannot read, or an MSR load it cannot decide (the line above names it)");
	}
}
