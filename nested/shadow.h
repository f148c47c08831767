/* VMCS shadowing for L1 (SDM Vol. 3C 24.10, 25.1.3, 30.3 VMREAD/VMWRITE):
 * where the CPU has it, the current vmcs12's hot fields (the `shadow`
 * column of vmx/vmcs_fields.h) live in a shadow VMCS linked from vmcs01,
 * and L1's VMREAD/VMWRITE of them do not exit. Everything else exits and
 * is emulated on the cache; the two are synced at every VMX-instruction
 * exit. Without the CPU feature these are no-ops and every access exits. */
#ifndef NESTOR_NESTED_SHADOW_H
#define NESTOR_NESTED_SHADOW_H

#include <stdbool.h>
#include "vmx/nested_seam.h"
#include "vmx/vcpu.h"

/* The CPU can shadow for L1 (and nested/ set it up at VMXON). */
bool shadow_active(const struct vcpu *v);
/* VMXON/VMXOFF: turn shadowing on or off in vmcs01. */
void shadow_vmx_on(struct vcpu *v);
void shadow_vmx_off(struct vcpu *v);
/* Before an instruction that uses the whole vmcs12 (VMCLEAR, VMPTRLD,
 * VMXOFF, VMLAUNCH, VMRESUME): L1's VMWRITEs that did not exit, from the
 * shadow VMCS into the cache. */
void shadow_to_cache(struct vcpu *v);
/* After it: the cache into the shadow VMCS and the link pointer to it,
 * or the link pointer to none (VMREAD/VMWRITE then VMfailInvalid without
 * an exit, as with no current VMCS, 30.3). */
void shadow_from_cache(struct vcpu *v);
/* The same for the rows of the field table set in `rows` (a bit per row):
 * the shadow VMCS holds the cache already but for them (a reflected exit
 * changed only those, nested/l2.c). */
void shadow_from_cache_rows(struct vcpu *v, const uint64_t *rows);

/* One field of the cache changed by an emulated instruction (the
 * VM-instruction error, a VMWRITE that exited): into the shadow VMCS too
 * if L1 reads it there. The exits of VMREAD/VMWRITE of fields that are not
 * shadowed touch nothing else, so they need no whole sync. */
void shadow_sync_field(struct vcpu *v, uint32_t encoding);

/* The debug shell (nested/shell_view.c), with shadow_active(): whether
 * row `row` of the field table is in the shadow VMCS, its address, and
 * the values of rows[0..n) in it (VMPTRLD of the shadow VMCS, VMREADs,
 * then VMCLEAR and VMPTRLD of v->cur as every sync does; a row not
 * shadowed is NESTED_FIELD_NOT_SHADOWED, its value 0). */
bool shadow_holds_row(unsigned row);
uint64_t shadow_pa(void);
void shadow_read_rows(struct vcpu *v, const uint16_t *rows, unsigned n,
		      uint64_t *vals, enum nested_field *st);

#endif
