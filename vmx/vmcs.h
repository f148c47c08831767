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

/* Out of line: report a failed VMREAD/VMWRITE (a Nestor bug) and panic.
 * It repeats the instruction to learn VMfailInvalid or VMfailValid. */
NORETURN void vmcs_read_failed(enum vmcs_field f);
NORETURN void vmcs_write_failed(enum vmcs_field f, uint64_t v);

/* VMREADs and VMWRITEs done through vmcs_read()/vmcs_write() so far: under
 * a nested hypervisor without VMCS shadowing each one is an exit of its
 * own, which Bochs' instruction counts cannot show. make bench prints them
 * per exit (NESTOR_HC_VMCS_ACCESSES). */
struct vmcs_access_counts {
	uint64_t reads, writes;
};
extern struct vmcs_access_counts vmcs_accesses;

/* Inline, one instruction and one branch each (VMfail sets CF or ZF,
 * 30.2: "jbe"): they are on every VM exit's path (measured with make
 * bench). */
static inline uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v;

	__asm__ goto("vmread %[f], %[v]\n\t"
		     "jbe %l[failed]"
		     : [v] "=r"(v)
		     : [f] "r"((uint64_t)f)
		     : "cc"
		     : failed);
	__asm__ __volatile__("incq %0" : "+m"(vmcs_accesses.reads));
	return v;
failed:
	vmcs_read_failed(f);
}

static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
	__asm__ goto("vmwrite %[v], %[f]\n\t"
		     "jbe %l[failed]"
		     :
		     : [f] "r"((uint64_t)f), [v] "rm"(v)
		     : "cc", "memory"
		     : failed);
	__asm__ __volatile__("incq %0" : "+m"(vmcs_accesses.writes));
	return;
failed:
	vmcs_write_failed(f, v);
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
