/* Names of the memory-map region types (enum mem_type), shared by Nestor's
 * boot report and the test guests' own memory-map printout. Pure. */
#include "mm/mem_region.h"

/* Multiboot2 spec 3.6.8 / Multiboot 0.6.96 3.3 (e820 numbering): 1 available,
 * 3 ACPI reclaimable, 4 ACPI NVS, 5 bad; any other value is reserved. */
const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_AVAILABLE:
		return "available";
	case MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	default:
		return "reserved";
	}
}
