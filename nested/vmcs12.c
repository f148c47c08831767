/* See nested/vmcs12.h. */
#include "nested/vmcs12.h"
#include "lib/string.h"

static void *slot(struct vmcs12 *f, const struct vmcs_field_info *info)
{
	return (uint8_t *)f + info->offset;
}

uint64_t vmcs12_read(const struct vmcs12 *f, const struct vmcs_field_info *info,
		     uint32_t enc)
{
	const uint8_t *p = (const uint8_t *)f + info->offset;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (info->width) {
	case VMCS_W16:
		memcpy(&v16, p, 2);
		return v16;
	case VMCS_W32:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		if (info->width == VMCS_W64 && VMCS_ENC_HIGH(enc))
			return v64 >> 32;
		return v64;
	}
}

void vmcs12_write(struct vmcs12 *f, const struct vmcs_field_info *info,
		  uint32_t enc, uint64_t val)
{
	uint8_t *p = slot(f, info);
	uint16_t v16 = (uint16_t)val;
	uint32_t v32 = (uint32_t)val;
	uint64_t v64;

	switch (info->width) {
	case VMCS_W16:
		memcpy(p, &v16, 2);
		return;
	case VMCS_W32:
		memcpy(p, &v32, 4);
		return;
	default:
		if (info->width == VMCS_W64 && VMCS_ENC_HIGH(enc)) {
			memcpy(&v64, p, 8);
			v64 = (v64 & 0xffffffffull) | ((uint64_t)v32 << 32);
		} else {
			v64 = val;
		}
		memcpy(p, &v64, 8);
	}
}
