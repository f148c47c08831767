/* Invalidating cached translations after Nestor changes what the guest's
 * TLB entries were derived from (SDM Vol. 3C, 28.3.3.4 for EPT, 28.3.3.3
 * for VPID-tagged linear translations). Single-context when the CPU offers
 * it, all-context otherwise (vmx/caps.c guarantees one of them). */
#include "vmx/tlb.h"
#include "arch/x86/traps.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_errors.h"

static void check(const char *insn, enum vmx_status st)
{
	uint64_t err = 0;

	if (likely(st == VMX_OK))
		return;
	if (st == VMX_FAIL_VALID)
		vmread(VMCS_VM_INSTRUCTION_ERROR, &err);
	panic("%s failed: %s (error %lu: %s)", insn,
	      st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid", err,
	      vmx_instruction_error_text((uint32_t)err));
}

void flush_guest_ept(struct vcpu *v)
{
	check("INVEPT", v->cfg->invept_single
				? invept(INVEPT_SINGLE_CONTEXT, v->vm->eptp)
				: invept(INVEPT_ALL_CONTEXT, 0));
}

void flush_guest_tlb(struct vcpu *v)
{
	if (v->vpid)
		check("INVVPID", v->cfg->invvpid_single
					 ? invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0)
					 : invvpid(INVVPID_ALL_CONTEXT, 0, 0));
	flush_guest_ept(v);
}

void flush_vpid(struct vcpu *v, enum invvpid_type type, uint16_t vpid,
		uint64_t la)
{
	uint64_t cap = v->cfg->ept_vpid_cap;

	if (!vpid)
		return;
	/* A.10: bits 40-43 say which INVVPID types the CPU has. */
	if (type == INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS &&
	    !(cap & (1ull << 43)))
		type = INVVPID_SINGLE_CONTEXT;
	if (type == INVVPID_ADDRESS && !(cap & (1ull << 40)))
		type = INVVPID_SINGLE_CONTEXT;
	if (type == INVVPID_SINGLE_CONTEXT && !(cap & (1ull << 41)))
		type = INVVPID_ALL_CONTEXT;
	check("INVVPID", invvpid(type, vpid, type == INVVPID_ADDRESS ? la : 0));
}

void flush_eptp(struct vcpu *v, uint64_t eptp)
{
	check("INVEPT", v->cfg->invept_single
				? invept(INVEPT_SINGLE_CONTEXT, eptp)
				: invept(INVEPT_ALL_CONTEXT, 0));
}
