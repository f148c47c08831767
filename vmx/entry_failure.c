/* VM-entry failure reports: which SDM 26.x check failed and the values
 * involved, found by re-running the checks in software on a snapshot of the
 * VMCS, plus a dump of every field by name. */
#include "vmx/entry_failure.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "vmx/vmx_options.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/entry_checks.h"
#include "vmx/exits.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_errors.h"
#include "vmx/vmx_msrs.h"


#define MAX_FINDINGS 16

static void print_line(void *ctx, const char *text)
{
	(void)ctx;
	log_printf(LOG_QUIET, "nestor:   %s\n", text);
}

static void audit(struct vcpu *v)
{
	static struct vmcs12 snap;
	static struct entry_finding f[MAX_FINDINGS];
	static struct entry_verdict verdict;
	struct vmx_msrs caps;
	struct entry_check_env env = { 0 };
	unsigned n;

	vmx_msrs_read(&caps);
	vmcs_snapshot(&snap);
	env.caps = &caps;
	env.maxphyaddr = v->vm->maxphyaddr;
	env.host_lma = true;
	env.host_cr0 = read_cr0();
	env.host_cr4 = read_cr4();
	env.have_current_vmcs = true;
	env.current_vmcs = v->vmcs01.lv.pa;
	n = vmx_entry_check(&snap, &env, f, MAX_FINDINGS);
	if (n == 0) {
		log_printf(LOG_QUIET,
			   "nestor: the software audit of SDM 26.2/26.3 finds no failing check (a check it does not model, or a CPU quirk)\n");
		return;
	}
	log_printf(LOG_QUIET, "nestor: VM-entry audit: %u failing check(s):\n", n);
	for (unsigned i = 0; i < n && i < MAX_FINDINGS; i++)
		entry_finding_format(&f[i], print_line, NULL);
	/* The first in the SDM's order is what the checker predicts. */
	vmx_entry_verdict(&snap, &env, &verdict);
	log_printf(LOG_QUIET, "nestor: the checker predicts %s, qualification %u\n",
		   entry_outcome_name(verdict.outcome), (unsigned)verdict.qual);
}

void entry_failure_vmfail(struct vcpu *v, uint64_t rflags)
{
	uint64_t err = 0;

	if (rflags & 1) { /* CF: VMfailInvalid */
		log_printf(LOG_QUIET, "nestor: VM entry failed: VMfailInvalid (no current VMCS)\n");
		power_off(NESTOR_EXIT_ENTRY_FAILED);
	}
	vmread(VMCS_VM_INSTRUCTION_ERROR, &err);
	log_printf(LOG_QUIET, "nestor: VM entry failed: VMfailValid, VM-instruction error %lu: %s\n",
		   err, vmx_instruction_error_text((uint32_t)err));
	audit(v);
	exit_trace_report(v);
	vmcs_dump();
	guest_stop(v, NESTOR_EXIT_ENTRY_FAILED, "not entered (VM entry failed)");
}

void entry_failure_report(struct vcpu *v, uint32_t reason)
{
	unsigned basic = EXIT_REASON_BASIC(reason);
	uint64_t qual = exit_get(&v->exit, EF_QUAL); /* the exit trace's too */

	log_printf(LOG_QUIET,
		   "nestor: VM entry failed: exit reason %u (%s), exit qualification 0x%lx%s\n",
		   basic, vmx_exit_reason_name(basic), qual,
		   basic == EXIT_REASON_ENTRY_MSR_LOADING
			   ? " (index of the failing VM-entry MSR-load entry, from 1)"
			   : "");
	audit(v);
	exit_trace_report(v);
	vmcs_dump();
	guest_stop(v, NESTOR_EXIT_ENTRY_FAILED, "not entered (VM entry failed)");
}

void entry_failure_apply_test_breakage(void)
{
	const char *what = vmx_options.test_break_guest;

	if (!what[0])
		return;
	if (!strcmp(what, "rflags")) /* 26.3.1.4: RFLAGS bit 1 must be 1 */
		vmcs_clear_bits(VMCS_GUEST_RFLAGS, 2);
	else if (!strcmp(what, "cs_ar")) /* 26.3.1.2: CS DPL vs SS DPL */
		vmcs_set_bits(VMCS_GUEST_CS_AR, 3u << 5);
	else if (!strcmp(what, "cr4")) /* 26.3.1.1: CR4 fixed bits (VMXE) */
		vmcs_clear_bits(VMCS_GUEST_CR4, CR4_VMXE);
	else if (!strcmp(what, "host_cr4")) /* 26.2.2: host CR4 fixed bits */
		vmcs_clear_bits(VMCS_HOST_CR4, CR4_VMXE);
	else
		return;
	log_printf(LOG_QUIET, "nestor: test_break_guest: corrupted '%s' on purpose\n",
		   what);
}
