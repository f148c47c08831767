/* Access to the current VMCS for the exit handlers: VMREAD/VMWRITE that
 * cannot fail in correct code (a failure means a Nestor bug: it panics with
 * the field's name and the VM-instruction error). */
#ifndef NESTOR_VMX_VMCS_H
#define NESTOR_VMX_VMCS_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/compiler.h"
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_insn.h"

/* Out of line: report a failed VMREAD/VMWRITE (a Nestor bug) and panic. */
NORETURN void vmcs_access_failed(enum vmcs_field f, bool write, uint64_t v,
				 enum vmx_status st);

/* Inline: these are on every VM exit's path (measured with make bench). */
static inline uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v = 0;
	enum vmx_status st = vmread(f, &v);

	if (unlikely(st != VMX_OK))
		vmcs_access_failed(f, false, 0, st);
	return v;
}

static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
	enum vmx_status st = vmwrite(f, v);

	if (unlikely(st != VMX_OK))
		vmcs_access_failed(f, true, v, st);
}
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
