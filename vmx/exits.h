/* Shared by the VM-exit handlers (vmx/exit_*.c). */
#ifndef NESTOR_VMX_EXITS_H
#define NESTOR_VMX_EXITS_H

#include <stdint.h>
#include "lib/compiler.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_controls.h"

typedef void (*exit_handler_fn)(struct vcpu *v);

/* Handlers for an L1 guest, by basic exit reason (vmx/exit_*.c). */
void handle_exception_nmi(struct vcpu *v);
void handle_triple_fault(struct vcpu *v);
void handle_nmi_window(struct vcpu *v);
void handle_interrupt_window(struct vcpu *v);
void handle_cpuid(struct vcpu *v);
void handle_hlt(struct vcpu *v);
void handle_invd(struct vcpu *v);
void handle_wbinvd(struct vcpu *v);
void handle_xsetbv(struct vcpu *v);
void handle_vmx_instruction(struct vcpu *v);
void handle_vmcall(struct vcpu *v);
void handle_cr_access(struct vcpu *v);
void handle_io(struct vcpu *v);
void handle_rdmsr(struct vcpu *v);
void handle_wrmsr(struct vcpu *v);
void handle_ept_violation(struct vcpu *v);
void handle_ept_misconfig(struct vcpu *v);
void handle_monitor_trap(struct vcpu *v);
void handle_dr_access(struct vcpu *v);       /* vmx/guest_debug.c */
void handle_preemption_timer(struct vcpu *v); /* vmx/guest_console.c */
void handle_external_interrupt(struct vcpu *v);

/* Retire the exiting instruction: RIP += instruction length, end STI/MOV-SS
 * blocking, and keep single-stepping (RFLAGS.TF) architectural. */
void skip_instruction(struct vcpu *v);

/* Set the guest's CR0, CR3, CR4 and EFER at once (values as the guest sees
 * them), as a VM exit to L1 does; false if PAE paging would use invalid
 * PDPTEs (nothing changed). vmx/exit_cr.c. */
bool guest_load_control_regs(struct vcpu *v, uint64_t cr0, uint64_t cr3,
			     uint64_t cr4, uint64_t efer);

/* An event whose delivery this exit interrupted (IDT-vectoring
 * information, 27.2.4) goes back into the queue for the running guest:
 * the exit path does it for L1, nested/ for an exit of L2 that L0
 * handles. */
void requeue_interrupted_event(struct vcpu *v);
/* Queue a fault for the guest (it is delivered at the next VM entry). */
void inject_gp0(struct vcpu *v);
void inject_ud(struct vcpu *v);

/* Stop the guest and the machine: print why, the exit statistics, and
 * power off with `status`. */
NORETURN void guest_stop(struct vcpu *v, int status, const char *why);
/* An exit Nestor cannot handle faithfully: full report, then stop. */
NORETURN void guest_unsupported(struct vcpu *v, const char *what);

/* Deliver queued events into the VMCS before the next VM entry. */
void events_deliver(struct vcpu *v);

/* Inline, on every exit: is there anything for events_deliver() to do (an
 * event, a waiting NMI or interrupt, or a window to close)? */
static inline bool events_to_deliver(const struct vcpu *v)
{
	return !event_queue_idle(&v->events) | v->wants.nmi_window |
	       v->wants.intr_window |
	       !!(v->cur->ctls.proc & PROC_NMI_WINDOW_EXITING);
}

void exit_stats_print(const struct vcpu *v);
/* The same exits by level: L1's, and L2's reflected to L1 or handled in
 * L0 (the last lines of exit_stats_print(); the shell's `exits`). */
void exit_stats_print_levels(const struct vcpu *v);
/* The last EXIT_TRACE_ON_FAILURE exits (vmx/exit_trace.h), printed by every
 * failure before its VMCS dump; lock-free, so the crash path's NMI can
 * print it too. */
void exit_trace_report(const struct vcpu *v);

/* A guest triple fault or reset request: restart it (on_guest_reset=restart,
 * vmx_restart_guest) or stop with status 7. */
void guest_reset(struct vcpu *v, bool hypercall);

/* A guest MAXPHYADDR below the host's (vmx/phys_width_exits.c). setup()
 * does nothing unless v->vm->reduced_width; the exit hooks return true when
 * they handled the exit. */
void phys_width_setup(struct vcpu *v, uint64_t zero_page_pa);
bool phys_width_pf_exit(struct vcpu *v, uint32_t hw_pfec, uint64_t la);
bool phys_width_ept_violation(struct vcpu *v, uint64_t gpa, uint64_t qual);
void phys_width_end_probe(struct vcpu *v);
void phys_width_msr_intercepts(uint8_t msr_bitmap[4096]);

/* Guest CPL: SS.DPL (SDM Vol. 3C, 24.4.1: CPL is SS.DPL in VMX). */
unsigned guest_cpl(void);

/* CR0/CR4 as the guest reads them (owned bits from the read shadows). */
uint64_t guest_visible_cr0(const struct vcpu *v);
uint64_t guest_visible_cr4(const struct vcpu *v);

#endif
