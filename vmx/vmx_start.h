/* Bringing VMX up and launching the one guest. */
#ifndef NESTOR_VMX_VMX_START_H
#define NESTOR_VMX_VMX_START_H

#include "lib/compiler.h"
#include "mm/mem_region.h"
#include "vmx/caps.h"
#include "vmx/vmcs_setup.h"

/* Read the capability MSRs and build Nestor's VMX configuration; prints
 * every warning, and on refusal the reason. Returns 0 or -1. */
int vmx_configure(struct vmx_config *cfg);

/* Tear the running guest down (VMCSes cleared, VMX left) and start it
 * again from a fresh load of its image; called from an exit handler, whose
 * return then VMLAUNCHes the recycled VMCS. */
void vmx_restart_guest(struct vcpu *v, const char *why);

/* Build EPT, enter VMX operation, fill a VMCS and VMLAUNCH the guest. All
 * Nestor memory (tables, VMCS, stacks) comes from its pool (mm/pool.h);
 * running out is refused with NESTOR_EXIT_BAD_CONFIG. Does not return. */
NORETURN void vmx_launch_guest(struct vcpu *v, const struct guest_entry *e,
			       const struct mem_region *map, unsigned nmap,
			       uint64_t ept_limit);

#endif
