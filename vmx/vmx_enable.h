/* Entering and leaving VMX operation on the calling CPU. */
#ifndef NESTOR_VMX_VMX_ENABLE_H
#define NESTOR_VMX_VMX_ENABLE_H

#include <stdint.h>
#include "vmx/caps.h"

/* IA32_FEATURE_CONTROL handling, CR0/CR4 fixed bits, VMXON on a region at
 * vmxon_pa. Every failure is reported with the values involved; returns 0
 * or -1 (VMX left off, CR4.VMXE clear again). */
int vmx_enable(const struct vmx_config *cfg, uint64_t vmxon_pa);

#endif
