/* What VM-exit handlers share: retiring an instruction, queueing a fault,
 * the guest's view of CR0/CR4 and its CPL, stopping the guest. A leaf: it
 * calls nothing above it (vmx/exit_dispatch.c calls the handlers, the
 * handlers call this). */
#include "vmx/exits.h"
#include "mm/pool.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "lib/log.h"
#include "vmx/exit_info.h"
#include "vmx/vmcs.h"

const enum vmcs_field exit_field_encoding[EF_COUNT] = {
	[EF_QUAL] = VMCS_EXIT_QUALIFICATION,
	[EF_INSN_LEN] = VMCS_EXIT_INSTRUCTION_LEN,
	[EF_INSN_INFO] = VMCS_EXIT_INSTRUCTION_INFO,
	[EF_INTR_INFO] = VMCS_EXIT_INTR_INFO,
	[EF_INTR_ERROR] = VMCS_EXIT_INTR_ERROR_CODE,
	[EF_IDT_INFO] = VMCS_IDT_VECTORING_INFO,
	[EF_IDT_ERROR] = VMCS_IDT_VECTORING_ERROR_CODE,
	[EF_GPA] = VMCS_GUEST_PHYSICAL_ADDRESS,
	[EF_GLA] = VMCS_GUEST_LINEAR_ADDRESS,
	[EF_RIP] = VMCS_GUEST_RIP,
	[EF_RFLAGS] = VMCS_GUEST_RFLAGS,
	[EF_INTR_STATE] = VMCS_GUEST_INTERRUPTIBILITY,
};

/* A control register as the guest reads it: owned bits (guest/host mask)
 * from the read shadow, the rest from the register (SDM Vol. 3C, 25.3). The
 * masks and shadows are the current VMCS's software copies. */
uint64_t guest_visible_cr0(const struct vcpu *v)
{
	const struct vmcs_ctls *c = &v->cur->ctls;

	return (vmcs_read(VMCS_GUEST_CR0) & ~c->cr0_mask) |
	       (c->cr0_shadow & c->cr0_mask);
}

uint64_t guest_visible_cr4(const struct vcpu *v)
{
	const struct vmcs_ctls *c = &v->cur->ctls;

	return (vmcs_read(VMCS_GUEST_CR4) & ~c->cr4_mask) |
	       (c->cr4_shadow & c->cr4_mask);
}

unsigned guest_cpl(void)
{
	return SEG_AR_DPL(vmcs_read(VMCS_GUEST_SS_AR));
}

void skip_instruction(struct vcpu *v)
{
	struct exit_record *x = &v->exit;
	uint64_t intr = exit_get(x, EF_INTR_STATE);

	exit_set(x, EF_RIP, exit_get(x, EF_RIP) + exit_get(x, EF_INSN_LEN));
	/* Retiring the instruction ends blocking by STI and by MOV SS
	 * (24.4.2, Table 24-3 bits 0 and 1). */
	if (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		exit_set(x, EF_INTR_STATE,
			 intr & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
	/* A single-step trap is due after an emulated instruction when
	 * RFLAGS.TF = 1: set BS in the pending debug exceptions (24.4.2). */
	if (exit_get(x, EF_RFLAGS) & RFLAGS_TF)
		vmcs_set_bits(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, DBG_BS);
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
	uint32_t reason = v->exit.reason;

	log_printf(LOG_QUIET,
		   "nestor: cannot continue the guest: %s\n"
		   "nestor: exit reason %u (%s), qualification 0x%lx, guest RIP 0x%lx\n",
		   what, EXIT_REASON_BASIC(reason),
		   vmx_exit_reason_name(EXIT_REASON_BASIC(reason)),
		   exit_get(&v->exit, EF_QUAL), exit_get(&v->exit, EF_RIP));
	exit_trace_report(v);
	vmcs_dump();
	guest_stop(v, NESTOR_EXIT_GUEST_STOPPED, "stopped");
}

void requeue_interrupted_event(struct vcpu *v)
{
	uint32_t vectoring = (uint32_t)exit_get(&v->exit, EF_IDT_INFO);

	if (!(vectoring & INTR_INFO_VALID))
		return;
	/* 27.2.4: delivered again when the guest resumes. */
	event_queue_reinject(&v->events, vectoring,
			     (uint32_t)exit_get(&v->exit, EF_IDT_ERROR),
			     (uint32_t)exit_get(&v->exit, EF_INSN_LEN));
	/* An exit during NMI delivery leaves (virtual-)NMI blocking set
	 * (27.1); injecting the NMI again needs it clear (26.3.1.5). */
	if (INTR_INFO_TYPE(vectoring) == EVENT_NMI)
		exit_set(&v->exit, EF_INTR_STATE,
			 exit_get(&v->exit, EF_INTR_STATE) & ~(uint64_t)INTR_BLOCK_NMI);
}
