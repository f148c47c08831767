/* Everything generated from the field table in vmx/vmcs_fields.h: the
 * encoding enum, the vmcs12 memory layout (nested VMX keeps L1's VMCS as a
 * struct vmcs12), and per-field metadata. Pure: shared with host tests. */
#ifndef NESTOR_VMX_VMCS_LAYOUT_H
#define NESTOR_VMX_VMCS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include "vmx/vmcs_fields.h"

typedef uint16_t vmcs_U16;
typedef uint32_t vmcs_U32;
typedef uint64_t vmcs_U64;
typedef uint64_t vmcs_NAT;

enum vmcs_field {
#define X(name, enc, width, shadow) VMCS_##name = enc,
	VMCS_FIELDS(X)
#undef X
};

/* Field-encoding layout (SDM Vol. 3C, 24.11.2, Table 24-21): bit 0 access
 * type, bits 9:1 index, bits 11:10 type, bits 14:13 width. */
enum vmcs_width { VMCS_W16 = 0, VMCS_W64 = 1, VMCS_W32 = 2, VMCS_WNAT = 3 };
enum vmcs_type { VMCS_T_CONTROL = 0, VMCS_T_EXIT_INFO = 1, VMCS_T_GUEST = 2, VMCS_T_HOST = 3 };
#define VMCS_ENC_WIDTH(e) (((e) >> 13) & 3)
#define VMCS_ENC_TYPE(e) (((e) >> 10) & 3)
#define VMCS_ENC_INDEX(e) (((e) >> 1) & 0x1ff)
#define VMCS_ENC_HIGH(e) ((e) & 1)
/* Bits 31:15 of an encoding are reserved (must be 0). */
#define VMCS_ENC_RESERVED_HIGH 0xffff8000u

enum vmcs_shadow { VMCS_SHADOW_NO, VMCS_SHADOW_RO, VMCS_SHADOW_RW };

/* L1's VMCS as nested VMX keeps it: one member per table row. */
struct vmcs12 {
#define X(name, enc, width, shadow) vmcs_##width name;
	VMCS_FIELDS(X)
#undef X
};

struct vmcs_field_info {
	uint32_t encoding;
	uint16_t offset; /* in struct vmcs12 */
	uint8_t width;   /* enum vmcs_width */
	uint8_t shadow;  /* enum vmcs_shadow */
	const char *name;
};

extern const struct vmcs_field_info vmcs_field_table[];
extern const unsigned vmcs_field_count;

/* The row for an encoding (the "high" access of a 64-bit field maps to its
 * full field), or NULL if Nestor does not know the field. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding);

#endif
