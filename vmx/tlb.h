/* TLB invalidation for a vCPU (INVEPT/INVVPID, status checked). */
#ifndef NESTOR_VMX_TLB_H
#define NESTOR_VMX_TLB_H

#include "vmx/vcpu.h"
#include "vmx/vmx_insn.h"

/* After changing the vCPU's EPT entries. */
void flush_guest_ept(struct vcpu *v);
/* After emulating an instruction that flushes the guest's TLB (MOV to
 * CR0/CR4): the VPID-tagged linear and the EPT-derived translations. */
void flush_guest_tlb(struct vcpu *v);

/* Nested VMX: the linear and combined mappings of one VPID (28.3.3.3),
 * by INVVPID type where the CPU has it (an individual address falls back
 * to single-context, single-context to all-context: more, never less). */
void flush_vpid(struct vcpu *v, enum invvpid_type type, uint16_t vpid,
		uint64_t la);
/* The guest-physical and combined mappings of one EPTP (28.3.3.4). */
void flush_eptp(struct vcpu *v, uint64_t eptp);
#endif
