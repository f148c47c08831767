/* L1's VM-entry MSR-load, VM-exit MSR-store and VM-exit MSR-load lists
 * (nested/msr_lists.c). Only nested/ includes this. */
#ifndef NESTOR_NESTED_MSR_LISTS_H
#define NESTOR_NESTED_MSR_LISTS_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/entry_checks.h"
#include "vmx/vcpu.h"

/* 26.4, for the entry checker: can Nestor load `val` into `msr` for L2
 * (OK), would a WRMSR of it #GP (BAD), or is it one Nestor cannot carry
 * out (UNKNOWN: L1 is stopped with a message)? */
enum entry_msr_load nested_msr_load_decide(struct vcpu *v, uint32_t msr,
					   uint64_t val);

/* 26.4: the VM-entry MSR-load list into L2's context, vmcs02 current.
 * 0, or the 1-based index of the entry whose WRMSR failed (the entries
 * before it stay loaded): a VM-entry failure, exit reason 34. */
uint32_t nested_entry_msr_load(struct vcpu *v);

/* 26.4, 26.7: the VM-entry MSR-load list's first n entries, loaded before
 * entry n + 1 failed its check: they stay loaded (into the current VMCS's
 * context: vmcs01's, where the host state then overwrites what it holds). */
void nested_entry_msr_load_prefix(struct vcpu *v, uint32_t n);

/* 27.4: L2's MSRs into L1's VM-exit MSR-store area, vmcs02 current. false:
 * a VMX abort (indicator 1). */
bool nested_exit_msr_store(struct vcpu *v);

/* 27.6: the VM-exit MSR-load list into L1's context, vmcs01 current.
 * false: a VMX abort (indicator 4). */
bool nested_exit_msr_load(struct vcpu *v);

#endif
