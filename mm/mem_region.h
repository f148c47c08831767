/* Plain data describing physical memory, shared by the multiboot2 parser,
 * the frame allocator and (later) the EPT builder, and the names of its
 * region types. */
#ifndef NESTOR_MM_MEM_REGION_H
#define NESTOR_MM_MEM_REGION_H

#include <stdint.h>

/* Types follow the multiboot2 / e820 numbering. */
enum mem_type {
	MEM_AVAILABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

/* One memory-map entry: [base, base + len). */
struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

/* A half-open physical range [start, end). */
struct phys_range {
	uint64_t start;
	uint64_t end;
};

/* A multiboot1/2 memory-map entry's type field as an enum mem_type: 1-5
 * as they are, any other value MEM_RESERVED (mm/mem_region.c). */
uint32_t mem_type_from_loader(uint32_t type);
/* "available", "ACPI reclaimable", "ACPI NVS", "bad"; "reserved" for
 * MEM_RESERVED and any other value (mm/mem_region.c). */
const char *mem_type_name(uint32_t type);

#endif
