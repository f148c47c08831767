/* Nested VMX state of one vCPU: what L1's VMX operation holds beyond the
 * flag vmx/ reads (struct l1_vmx in vmx/vcpu.h). Each member says which
 * file writes it. Only nested/ includes this. */
#ifndef NESTOR_NESTED_NESTED_VCPU_H
#define NESTOR_NESTED_NESTED_VCPU_H

#include <stdint.h>
#include "nested/vmcs12.h"

struct nested_vcpu {
	uint64_t vmxon_ptr;  /* nested/vmx_ops.c: VMXON's region (30.3) */
	/* nested/vmx_ops.c: the current-VMCS pointer, VMCS_PTR_NONE if none
	 * (24.1); while set, `cache` holds that VMCS (24.11: a processor may
	 * keep the current VMCS's data on chip; written back to the region
	 * at VMCLEAR, at VMPTRLD of another VMCS and at VMXOFF). */
	uint64_t current;
	/* nested/vmx_ops.c, nested/vmentry.c: the current vmcs12. */
	struct vmcs12_region cache;
};

#endif
