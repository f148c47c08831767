/* Nestor hypercalls from a test guest (ABI: vmx/hypercall_abi.h). VMCALL
 * outside VMX non-root operation raises #UD (SDM Vol. 3C, 32.3 "VMCALL"),
 * so every call runs under rt_catch(): natively the guest reports "no
 * hypervisor" instead of crashing. */
#ifndef NESTOR_GUESTS_RT_HYPERCALL_H
#define NESTOR_GUESTS_RT_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/guests/rt/traps.h"
#include "vmx/hypercall_abi.h"

/* The registers of one VMCALL: in, then out. */
struct rt_hc_regs {
	uint64_t rax, rbx, rcx, rdx;
};

/* Executes VMCALL with *r and stores the registers it returned with back
 * into *r. Returns true if it completed, false if it raised an exception
 * (*exc, may be NULL, says which). */
bool rt_vmcall(struct rt_hc_regs *r, struct rt_exception *exc);

/* Function `fn` with arguments a1..a3 (RBX, RCX, RDX): true and *ret = RAX
 * if the VMCALL completed, false if it raised an exception (*exc). */
bool rt_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
		  int64_t *ret, struct rt_exception *exc);

/* CPUID leaf NESTOR_CPUID_LEAF: its EBX, ECX, EDX as the 12-character
 * signature in sig, NUL-terminated (Nestor's: NESTOR_CPUID_SIGNATURE);
 * returns EAX (the highest hypervisor leaf). */
uint32_t rt_hv_signature(char sig[13]);

#endif
