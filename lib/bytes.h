/* Little-endian field readers and writers for byte buffers.
 *
 * Boot formats (ELF, Multiboot1/2, EFI memory descriptors, ACPI tables) store
 * multi-byte fields little-endian at offsets with no alignment promise. These
 * helpers copy them with memcpy, so no access is misaligned or breaks strict
 * aliasing; the caller checks that all bytes lie inside its buffer. Both the
 * hypervisor and the host tests run on little-endian x86, so the copy is the
 * value; the assertion below keeps it that way. Pure. */
#ifndef NESTOR_LIB_BYTES_H
#define NESTOR_LIB_BYTES_H

#include <stdint.h>

#include "lib/string.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "lib/bytes.h reads little-endian fields in host byte order");

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
