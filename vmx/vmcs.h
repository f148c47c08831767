/* Access to the current VMCS for the exit handlers: VMREAD/VMWRITE that
 * cannot fail in correct code (a failure means a Nestor bug: it panics with
 * the field's name and the VM-instruction error). */
#ifndef NESTOR_VMX_VMCS_H
#define NESTOR_VMX_VMCS_H

#include <stdint.h>
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_insn.h"

uint64_t vmcs_read(enum vmcs_field f);
void vmcs_write(enum vmcs_field f, uint64_t v);
static inline void vmcs_set_bits(enum vmcs_field f, uint64_t bits)
{
	vmcs_write(f, vmcs_read(f) | bits);
}
static inline void vmcs_clear_bits(enum vmcs_field f, uint64_t bits)
{
	vmcs_write(f, vmcs_read(f) & ~bits);
}

/* Print every field Nestor knows (from the field table) with its value;
 * fields this CPU does not support are skipped. */
void vmcs_dump(void);

/* Read every supported field into a vmcs12-shaped snapshot (for the
 * VM-entry auditor). Unsupported fields read as 0. */
void vmcs_snapshot(struct vmcs12 *out);

#endif
