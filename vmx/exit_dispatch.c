/* VM-exit dispatch: one table per vCPU level, indexed by basic exit reason.
 * Anything without a handler is reported in full and stops the guest: an
 * exit is never ignored. */
#include "vmx/exits.h"
#include "mm/pool.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "lib/log.h"
#include "vmx/entry_failure.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

static const exit_handler_fn l1_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_NMI_WINDOW] = handle_nmi_window,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRST] = handle_vmx_instruction,
	[EXIT_REASON_VMREAD] = handle_vmx_instruction,
	[EXIT_REASON_VMRESUME] = handle_vmx_instruction,
	[EXIT_REASON_VMWRITE] = handle_vmx_instruction,
	[EXIT_REASON_VMXOFF] = handle_vmx_instruction,
	[EXIT_REASON_VMXON] = handle_vmx_instruction,
	[EXIT_REASON_INVEPT] = handle_vmx_instruction,
	[EXIT_REASON_INVVPID] = handle_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_RDMSR] = handle_rdmsr,
	[EXIT_REASON_WRMSR] = handle_wrmsr,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = handle_monitor_trap,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_WBINVD] = handle_wbinvd,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
};

/* Nested VMX will add the L2 table; routing by level lives here only. */
static exit_handler_fn route_exit(const struct vcpu *v, unsigned reason)
{
	if (v->level != VCPU_L1 || reason >= EXIT_REASON_MAX)
		return NULL;
	return l1_handlers[reason];
}

/* A control register as the guest reads it: owned bits (guest/host mask)
 * from the read shadow, the rest from the register (SDM Vol. 3C, 25.3). */
uint64_t guest_visible_cr0(const struct vcpu *v)
{
	return (vmcs_read(VMCS_GUEST_CR0) & ~v->cr0_guest_host_mask) |
	       (vmcs_read(VMCS_CR0_READ_SHADOW) & v->cr0_guest_host_mask);
}

uint64_t guest_visible_cr4(const struct vcpu *v)
{
	return (vmcs_read(VMCS_GUEST_CR4) & ~v->cr4_guest_host_mask) |
	       (vmcs_read(VMCS_CR4_READ_SHADOW) & v->cr4_guest_host_mask);
}

unsigned guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_SS_AR) >> 5) & 3;
}

void skip_instruction(struct vcpu *v)
{
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	(void)v;
	vmcs_write(VMCS_GUEST_RIP, rip + vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
	/* Retiring the instruction ends blocking by STI and by MOV SS
	 * (24.4.2, Table 24-3 bits 0 and 1). */
	if (intr & 3)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~3ull);
	/* A single-step trap is due after an emulated instruction when
	 * RFLAGS.TF = 1: set BS in the pending debug exceptions (24.4.2). */
	if (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_TF)
		vmcs_set_bits(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 1ull << 14);
}

void inject_gp0(struct vcpu *v)
{
	event_queue_exception(&v->events, VEC_GP, true, 0, false, 0);
}

void inject_ud(struct vcpu *v)
{
	event_queue_exception(&v->events, VEC_UD, false, 0, false, 0);
}

void guest_stop(struct vcpu *v, int status, const char *why)
{
	log_printf(LOG_QUIET, "nestor: guest %s with status %d\n", why, status);
	exit_stats_print(v);
	pool_check(); /* no write landed in Nestor's free memory */
	power_off(status);
}

void guest_unsupported(struct vcpu *v, const char *what)
{
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);

	log_printf(LOG_QUIET,
		   "nestor: cannot continue the guest: %s\n"
		   "nestor: exit reason %u (%s), qualification 0x%lx, guest RIP 0x%lx\n",
		   what, EXIT_REASON_BASIC(reason),
		   vmx_exit_reason_name(EXIT_REASON_BASIC(reason)),
		   vmcs_read(VMCS_EXIT_QUALIFICATION), vmcs_read(VMCS_GUEST_RIP));
	vmcs_dump();
	guest_stop(v, NESTOR_EXIT_GUEST_STOPPED, "stopped");
}

/* loglevel=debug: one line every 2^10 exits, to see a busy guest move. */
#define HEARTBEAT_MASK 0x3ffull

/* Called by vmx/vmexit.asm with the guest's GPRs saved. Returns 0 to
 * VMRESUME. */
int vmx_handle_exit(struct guest_regs *regs)
{
	struct vcpu *v = this_vcpu();
	uint64_t start = rdtsc();
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	unsigned basic = EXIT_REASON_BASIC(reason);
	uint32_t vectoring;
	exit_handler_fn handler;

	v->regs = regs;
	v->exit_tsc = start;
	if (reason & EXIT_REASON_ENTRY_FAILURE)
		entry_failure_report(v, reason);
	if (basic < EXIT_REASON_MAX)
		v->stats.count[basic]++;
	if (unlikely((++v->stats.total_exits & HEARTBEAT_MASK) == 0) &&
	    log_get_level() >= LOG_DEBUG)
		pr_debug("nestor: heartbeat: %lu exits, this one reason %u at RIP 0x%lx\n",
			 v->stats.total_exits, basic, vmcs_read(VMCS_GUEST_RIP));

	/* An event whose delivery the exit interrupted must be delivered
	 * again when the guest resumes (27.2.4). */
	vectoring = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	if (vectoring & (1u << 31)) {
		event_queue_reinject(&v->events, vectoring,
				     (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE),
				     (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
		/* An exit during NMI delivery leaves (virtual-)NMI blocking
		 * set (27.1); injecting the NMI again needs it clear
		 * (26.3.1.5). */
		if (((vectoring >> 8) & 7) == EVENT_NMI)
			vmcs_clear_bits(VMCS_GUEST_INTERRUPTIBILITY, 8);
	}

	/* The MAXPHYADDR probe page lives for one guest instruction: any
	 * exit but the #PF it is waiting for ends it (vmx/phys_width_exits.c
	 * ends it on that #PF). */
	if (unlikely(v->probe_gpa) && basic != EXIT_REASON_EXCEPTION_NMI)
		phys_width_end_probe(v);

	handler = route_exit(v, basic);
	if (!handler)
		guest_unsupported(v, "Nestor has no handler for this VM exit");
	handler(v);
	events_deliver(v);

	if (basic < EXIT_REASON_MAX)
		v->stats.ticks[basic] += rdtsc() - start;
	if (unlikely(v->relaunch)) {
		/* A recycled VMCS (launch state clear): VMLAUNCH, 26.1. */
		v->relaunch = false;
		v->vmcs.launched = false;
		return 1;
	}
	if (unlikely(!v->vmcs.launched)) {
		/* An exit: the VMLAUNCH worked, which needs the launch state
		 * clear (26.1); worth saying for a recycled VMCS. */
		if (v->announce_launch)
			log_printf(LOG_QUIET, "nestor: VMLAUNCH of VMCS 0x%lx succeeded: its launch state was clear\n",
				   v->vmcs_pa);
		v->announce_launch = false;
		loaded_vmcs_set_launched(&v->vmcs);
	}
	return 0;
}
