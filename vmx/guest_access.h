/* Reading guest memory by guest-linear address, through the guest's own
 * page tables (mm/guest_walk.c) and the bounds-checked guest-physical
 * accessor. Instruction operands and hypercall buffers come through here. */
#ifndef NESTOR_VMX_GUEST_ACCESS_H
#define NESTOR_VMX_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include "mm/guest_walk.h"
#include "vmx/vcpu.h"

/* Copy len bytes at guest-linear la (read access at the guest's CPL) into
 * buf. Returns 0, or -1 if any byte is not readable guest RAM (no fault is
 * injected: the caller decides what the guest sees). */
int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len);

/* The guest's paging state as mm/guest_walk.c wants it (CR0/CR3/CR4,
 * EFER, RFLAGS, CPL, the guest's MAXPHYADDR, PAE PDPTEs from the VMCS). */
void guest_paging_state(struct gw_state *st, struct vcpu *v);

/* gw_read_fn for guest_walk(): ctx is the struct vcpu; reads guest RAM
 * only (-1 elsewhere). */
int guest_read_phys_entry(void *ctx, uint64_t gpa, unsigned size,
			  uint64_t *val);

/* The level that runs (L2's while it runs, through EPT12 where L1 uses
 * EPT for it; else L1's): a paging-structure entry at a guest-physical
 * address of that level (gw_read_fn shape), and len bytes copied between
 * buf and its guest-linear la through its page tables, all or nothing
 * (-1: a byte is not guest RAM that way). Never Nestor's memory. */
int guest_level_read_entry(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);
int guest_level_copy(struct vcpu *v, uint64_t la, uint8_t *buf, size_t len,
		     bool write);

#endif
