/* TLB invalidation for a vCPU (INVEPT/INVVPID, status checked). */
#ifndef NESTOR_VMX_TLB_H
#define NESTOR_VMX_TLB_H

#include "vmx/vcpu.h"

/* After changing the vCPU's EPT entries. */
void flush_guest_ept(struct vcpu *v);
/* After emulating an instruction that flushes the guest's TLB (MOV to
 * CR0/CR4): the VPID-tagged linear and the EPT-derived translations. */
void flush_guest_tlb(struct vcpu *v);

#endif
