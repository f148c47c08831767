/* The operands of L1's VMX instructions: decoded from the VM-exit
 * instruction information (vmx/insn_info.c, the one decoder) and reached
 * as L1 would reach them: segment checks, then L1's own paging, with L1's
 * own faults (#GP(0), #SS(0), #PF with CR2) queued for delivery. */
#ifndef NESTOR_NESTED_OPERAND_H
#define NESTOR_NESTED_OPERAND_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vcpu.h"

/* Returns true with the value; false when the access faulted (the fault is
 * queued for L1, nothing was written) or the guest was stopped. Sizes 2,
 * 4, 8, 16. A register operand (VMREAD/VMWRITE) is read or written at the
 * operand size: 64-bit in 64-bit mode, else 32 (30.3). */
bool l1_operand_read(struct vcpu *v, void *buf, unsigned size);
bool l1_operand_write(struct vcpu *v, const void *buf, unsigned size);

/* The register named by instruction-information bits 31:28 ("reg2": the
 * INVEPT/INVVPID type, the VMREAD/VMWRITE field encoding). */
uint64_t l1_operand_reg2(struct vcpu *v);

/* L1 runs 64-bit code (IA32_EFER.LMA = 1 and CS.L = 1). */
bool l1_long_mode(struct vcpu *v);

#endif
