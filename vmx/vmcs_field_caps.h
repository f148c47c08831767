/* Which VMCS fields a CPU has, given its VMX capability MSRs (pure).
 *
 * The SDM describes many VMCS fields as existing "only on processors that
 * support the 1-setting of" some control (Vol. 3C 24.4-24.9, Vol. 3D
 * Appendix B). Nested VMX shows L1 a set of capability MSRs (vmx_l1_msrs()
 * in vmx/caps.h); VMREAD/VMWRITE of L1 must then accept exactly the fields
 * a CPU with those MSRs has, and IA32_VMX_VMCS_ENUM (A.9) must report the
 * highest index among them. */
#ifndef NESTOR_VMX_VMCS_FIELD_CAPS_H
#define NESTOR_VMX_VMCS_FIELD_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmcs_layout.h"
#include "vmx/vmx_msrs.h"

/* True iff `encoding` names a VMCS component that a CPU with exactly the
 * capability MSRs *shown has: bits 31:15 are 0 (24.11.2), the encoding is in
 * Nestor's field table (vmx/vmcs_fields.h), a high access (bit 0 = 1) is
 * used only for a 64-bit field, and the field's feature is supported.
 * The caller rejects a VMREAD/VMWRITE operand with bits 63:32 set itself. */
bool vmcs12_field_supported(const struct vmx_msrs *shown, uint32_t encoding);

/* The highest index (encoding bits 9:1) over all encodings
 * vmcs12_field_supported() accepts for *shown: IA32_VMX_VMCS_ENUM bits 9:1
 * (A.9). Computed from the table on each call. */
/* The same for a row of the field table already looked up (the caller
 * has checked the encoding): one table search per VMREAD/VMWRITE. */
bool vmcs12_row_supported(const struct vmx_msrs *shown,
			  const struct vmcs_field_info *f);

unsigned vmcs12_highest_index(const struct vmx_msrs *shown);

#endif
