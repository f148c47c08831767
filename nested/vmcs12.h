/* L1's VMCS as Nestor keeps it: the VMCS region L1 gave (VMXON's and
 * VMPTRLD's operands) holds, behind the revision identifier and the
 * VMX-abort indicator the SDM places there (24.2: bytes 0-3 and 4-7), the
 * launch state and one slot per field of the field table
 * (vmx/vmcs_fields.h -> struct vmcs12). Pure.
 *
 * The region's layout is Nestor's own (24.2: "the format of the VMCS data
 * is implementation-specific"), announced by the revision identifier it
 * shows L1 in IA32_VMX_BASIC. Whatever L1 writes into the region outside
 * VMCLEAR/VMPTRLD is only data: a launch state other than the "launched"
 * value reads as clear, and fields hold any bits (VM entry checks them). */
#ifndef NESTOR_NESTED_VMCS12_H
#define NESTOR_NESTED_VMCS12_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmcs_layout.h"

/* The launch state word: this value is "launched", anything else clear. */
#define VMCS12_LAUNCHED 0x48434e4cu /* "LNCH" */

struct vmcs12_region {
	uint32_t revision;   /* bits 30:0 revision, bit 31 shadow-VMCS (24.2) */
	uint32_t abort;      /* VMX-abort indicator (24.2, 27.7) */
	uint32_t launch;     /* VMCS12_LAUNCHED or clear */
	uint32_t reserved;
	struct vmcs12 f;
};

_Static_assert(sizeof(struct vmcs12_region) <= 4096,
	       "the vmcs12 must fit the 4-KByte VMCS region L1 is told of");

#define VMCS12_LAUNCH_OFFSET 8u
#define VMCS12_ABORT_OFFSET 4u

static inline bool vmcs12_launched(const struct vmcs12_region *r)
{
	return r->launch == VMCS12_LAUNCHED;
}

/* VMREAD of a known field `info` (vmcs_field_lookup(enc)), enc's bit 0
 * selecting the high half of a 64-bit field (24.11.2): the value,
 * zero-extended. */
uint64_t vmcs12_read(const struct vmcs12 *f, const struct vmcs_field_info *info,
		     uint32_t enc);

/* VMWRITE of `val` (already cut to the operand size: 30.3 VMWRITE, 24.11.2:
 * a shorter field takes the low bits; a longer one gets the high bits
 * cleared; the high access writes bits 63:32 of a 64-bit field). */
void vmcs12_write(struct vmcs12 *f, const struct vmcs_field_info *info,
		  uint32_t enc, uint64_t val);

/* The whole field (never the high half of a 64-bit one), inline for the
 * loops that walk many fields (the shadow VMCS sync, vmcs02's guest
 * state): a load or store of the field's width. */
static inline uint64_t vmcs12_get(const struct vmcs12 *f,
				  const struct vmcs_field_info *info)
{
	const uint8_t *p = (const uint8_t *)f + info->offset;

	switch (info->width) {
	case VMCS_W16: { uint16_t v; __builtin_memcpy(&v, p, 2); return v; }
	case VMCS_W32: { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
	default: { uint64_t v; __builtin_memcpy(&v, p, 8); return v; }
	}
}

static inline void vmcs12_put(struct vmcs12 *f,
			      const struct vmcs_field_info *info, uint64_t val)
{
	uint8_t *p = (uint8_t *)f + info->offset;

	switch (info->width) {
	case VMCS_W16: { uint16_t v = (uint16_t)val; __builtin_memcpy(p, &v, 2); return; }
	case VMCS_W32: { uint32_t v = (uint32_t)val; __builtin_memcpy(p, &v, 4); return; }
	default: __builtin_memcpy(p, &val, 8); return;
	}
}

/* A read-only field: the VM-exit information fields (type 1, 24.11.2). */
static inline bool vmcs12_field_read_only(uint32_t enc)
{
	return VMCS_ENC_TYPE(enc) == VMCS_T_EXIT_INFO;
}

#endif
