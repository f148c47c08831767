/* The VM-exit path: one exit in, one VM entry out.
 *
 *   vmx/vmexit.asm -> vmx_handle_exit():
 *     1. the exit record is reset (vmx/exit_record.h: fields read lazily);
 *     2. an event whose delivery the exit interrupted is queued again, for
 *        the exits that can happen during event delivery only;
 *     3. the one-instruction features (the write step, the MAXPHYADDR
 *        probe) end if this exit is not theirs;
 *     4. the handler for the exit reason (one table per vCPU level); an
 *        exit without a handler is reported in full and stops the guest;
 *     5. the event queue is delivered into the VMCS;
 *     6. the requests handlers made (VCPU_REQ_*) are consumed: controls
 *        recomposed and written, a triple fault or reset carried out;
 *   back to vmexit.asm: VMRESUME, or VMLAUNCH for a recycled VMCS.
 * Handlers (vmx/exit_*.c) use vmx/exit_services.c and never call back up
 * into this file or into the lifecycle (vmx/vmx_start.c). */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "lib/log.h"
#include "vmx/entry_failure.h"
#include "vmx/exit_info.h"
#include "vmx/gdb_stub.h"
#include "vmx/guest_console.h"
#include "vmx/nested_seam.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmcs_track.h"
#include "vmx/vmx_start.h"

static const exit_handler_fn l1_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_NMI_WINDOW] = handle_nmi_window,
	[EXIT_REASON_INTERRUPT_WINDOW] = handle_interrupt_window,
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
	[EXIT_REASON_DR_ACCESS] = handle_dr_access,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
};

/* Routing by level lives here only: every exit taken while L2 runs goes
 * to nested/ (reflected to L1, or handled in L0 there). */
static exit_handler_fn route_exit(const struct vcpu *v, unsigned reason)
{
	if (v->level == VCPU_L2)
		return nested_l2_exit;
	if (reason >= EXIT_REASON_MAX)
		return NULL;
	return l1_handlers[reason];
}

/* The exits that can happen during the delivery of an event, so that the
 * IDT-vectoring information is valid only for them (SDM Vol. 3C 27.2.4):
 * an exception through the bitmap, a triple fault, a task switch, an APIC
 * access, an EPT violation or misconfiguration, a full PML. Instruction
 * exits (CPUID, I/O, ...) never are. */
#define DURING_DELIVERY_MASK                                             \
	((1ull << EXIT_REASON_EXCEPTION_NMI) |                           \
	 (1ull << EXIT_REASON_TRIPLE_FAULT) | (1ull << 9) /* task */ |   \
	 (1ull << 44) /* APIC access */ |                                 \
	 (1ull << EXIT_REASON_EPT_VIOLATION) |                           \
	 (1ull << EXIT_REASON_EPT_MISCONFIG) | (1ull << 62) /* PML */)

/* Features that live for one guest instruction end at the next exit that
 * is not theirs: the write step (vmx/write_step.c decides on its own
 * exceptions, MTF and EPT violations) and the MAXPHYADDR probe (ended on
 * its #PF by vmx/phys_width_exits.c). */
static void end_one_instruction_features(struct vcpu *v, unsigned basic)
{
	if (write_step_open(&v->step) && basic != EXIT_REASON_EXCEPTION_NMI &&
	    basic != EXIT_REASON_MONITOR_TRAP_FLAG &&
	    basic != EXIT_REASON_EPT_VIOLATION)
		write_step_close(v);
	if (v->probe_gpa && basic != EXIT_REASON_EXCEPTION_NMI)
		phys_width_end_probe(v);
}

/* The requests handlers made, in order: a triple fault becomes a reset;
 * a reset restarts or stops the guest; the controls are written last, for
 * whatever VMCS is current then. */
static void process_requests(struct vcpu *v)
{
	uint32_t req = v->requests;

	v->requests = 0;
	if (req & VCPU_REQ_TRIPLE_FAULT) {
		log_printf(LOG_QUIET, "nestor: guest triple fault at RIP 0x%lx (shutdown)\n",
			   exit_get(&v->exit, EF_RIP));
		req |= VCPU_REQ_RESET;
		v->reset_by_hypercall = false;
	}
	if (req & VCPU_REQ_RESET) {
		if (!v->restart_on_reset) {
			exit_trace_report(v);
			vmcs_dump();
			guest_stop(v, NESTOR_EXIT_GUEST_TRIPLE_FAULT,
				   v->reset_by_hypercall ? "stopped by a reset request"
							 : "stopped by a triple fault");
		}
		vmx_restart_guest(v, v->reset_by_hypercall
				     ? "asked for a reset (hypercall)" : "triple fault");
		return; /* the VMCS was programmed anew, controls included */
	}
	if (req & VCPU_REQ_CONTROLS) {
		if (v->level == VCPU_L2)
			nested_l2_controls(v);
		else
			vmcs_ctls_sync(v, false);
	}
}

/* loglevel=debug: one line every 2^10 exits, to see a busy guest move. */
#define HEARTBEAT_MASK 0x3ffull

/* Called by vmx/vmexit.asm with the guest's GPRs saved. Returns 0 to
 * VMRESUME, 1 to VMLAUNCH. */
int vmx_handle_exit(struct guest_regs *regs)
{
	struct vcpu *v = this_vcpu();
	uint64_t start = rdtsc(); /* the exit trace's, and loglevel=debug's */
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	unsigned basic = EXIT_REASON_BASIC(reason);
	exit_handler_fn handler;

	v->regs = regs;
	exit_record_start(&v->exit, reason,
			  exit_trace_record(&v->trace, reason, v->level, start));
	if (unlikely(!v->cur->lv.launched) &&
	    !(reason & EXIT_REASON_ENTRY_FAILURE)) {
		/* An exit: the VMLAUNCH worked, which needs the launch state
		 * clear (26.1); worth saying for a recycled VMCS. */
		if (v->announce_launch)
			log_printf(LOG_QUIET, "nestor: VMLAUNCH of VMCS 0x%lx succeeded: its launch state was clear\n",
				   v->cur->lv.pa);
		v->announce_launch = false;
		loaded_vmcs_set_launched(&v->cur->lv);
	}
	if (unlikely(reason & EXIT_REASON_ENTRY_FAILURE))
		entry_failure_report(v, reason);
	if (likely(basic < EXIT_REASON_MAX)) {
		v->stats.count[basic]++;
		if (v->level == VCPU_L2)
			v->stats.l2_count[basic]++;
	}
	if (unlikely((++v->stats.total_exits & HEARTBEAT_MASK) == 0) &&
	    v->time_exits)
		pr_debug("nestor: heartbeat: %lu exits, this one reason %u at RIP 0x%lx\n",
			 v->stats.total_exits, basic, exit_get(&v->exit, EF_RIP));
	/* While L2 runs, nested/ decides: an interrupted event goes to L1's
	 * vmcs12 with a reflected exit, or back into L2. */
	if (basic < 64 && (DURING_DELIVERY_MASK >> basic) & 1 &&
	    v->level == VCPU_L1)
		requeue_interrupted_event(v);
	if (unlikely(write_step_open(&v->step) || v->probe_gpa))
		end_one_instruction_features(v, basic);

	handler = route_exit(v, basic);
	if (!handler)
		guest_unsupported(v, "Nestor has no handler for this VM exit");
	handler(v);
	/* gdb=: GDB's Ctrl-C, and GDB served while the guest is stopped. */
	if (unlikely(gdb_stub_on()))
		gdb_stub_exit(v);
	if (unlikely(v->requests & VCPU_REQ_NESTED)) {
		/* Before the events: they go to the level that runs next. */
		v->requests &= ~VCPU_REQ_NESTED;
		/* From L2 the switch is to L1: this exit was reflected. */
		if (v->level == VCPU_L2 && basic < EXIT_REASON_MAX)
			v->stats.l2_reflected[basic]++;
		nested_switch(v);
	}
	/* The emulated console UART: input, output, its IRQ4 (queued here,
	 * so delivered below). */
	guest_console_exit(v, start);
	if (events_to_deliver(v))
		events_deliver(v);
	if (unlikely(v->requests))
		process_requests(v);

	if (unlikely(v->time_exits) && basic < EXIT_REASON_MAX)
		v->stats.ticks[basic] += rdtsc() - start;
	if (unlikely(v->relaunch)) {
		/* A recycled VMCS (launch state clear): VMLAUNCH, 26.1. */
		v->relaunch = false;
		v->cur->lv.launched = false;
	}
	/* 26.1: VMLAUNCH for a VMCS whose launch state is clear (a first
	 * entry, or one the crash test or a restart cleared), else VMRESUME. */
	return v->cur->lv.launched ? 0 : 1;
}
