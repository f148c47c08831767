/* RDMSR of a VMX capability MSR by a nested hypervisor (L1): the value of
 * the view vmx_l1_msrs() (vmx/caps.c) derived, or #GP for an MSR that view
 * does not have (SDM Vol. 3D Appendix A: which MSRs exist). Pure. */
#ifndef NESTOR_VMX_L1_MSRS_H
#define NESTOR_VMX_L1_MSRS_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_msrs.h"

/* *val = L1's value of `msr`; false: the MSR does not exist for L1
 * (RDMSR raises #GP(0)). */
bool vmx_l1_msr_value(const struct vmx_msrs *l1, uint32_t msr, uint64_t *val);

#endif
