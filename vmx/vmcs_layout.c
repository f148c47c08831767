/* Field metadata generated from vmx/vmcs_fields.h (pure). */
#include "vmx/vmcs_layout.h"
#include "lib/compiler.h"

#define WIDTH_U16 VMCS_W16
#define WIDTH_U32 VMCS_W32
#define WIDTH_U64 VMCS_W64
#define WIDTH_NAT VMCS_WNAT

/* The width written in the table must agree with the encoding's own width
 * bits (SDM Vol. 3C, 24.11.2): checked for every row at compile time. */
#define X(name, enc, width, shadow)                                         \
	_Static_assert(VMCS_ENC_WIDTH(enc) == WIDTH_##width,                \
		       "VMCS field " #name ": width disagrees with encoding"); \
	_Static_assert(!VMCS_ENC_HIGH(enc), "VMCS field " #name ": high access");
VMCS_FIELDS(X)
#undef X

const struct vmcs_field_info vmcs_field_table[] = {
#define X(name, enc, width, shadow)                                         \
	{ enc, offsetof(struct vmcs12, name), WIDTH_##width,                \
	  VMCS_SHADOW_##shadow, #name },
	VMCS_FIELDS(X)
#undef X
};
const unsigned vmcs_field_count = ARRAY_SIZE(vmcs_field_table);

const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding)
{
	uint32_t full = encoding;

	/* A high access (bit 0 = 1) exists only for 64-bit fields. */
	if (VMCS_ENC_HIGH(encoding)) {
		if (VMCS_ENC_WIDTH(encoding) != VMCS_W64)
			return NULL;
		full = encoding & ~1u;
	}
	for (unsigned i = 0; i < vmcs_field_count; i++)
		if (vmcs_field_table[i].encoding == full)
			return &vmcs_field_table[i];
	return NULL;
}
