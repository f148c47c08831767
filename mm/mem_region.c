/* Memory-map region types (enum mem_type): the loader's number to a type,
 * and the names Nestor's boot report and the test guests' memory-map
 * printout use. Pure. */
#include "mm/mem_region.h"

/* Multiboot2 spec 3.6.8 / Multiboot 0.6.96 3.3 (e820 numbering): 1 available,
 * 3 ACPI reclaimable, 4 ACPI NVS, 5 bad; any other value is reserved. */
uint32_t mem_type_from_loader(uint32_t type)
{
	if (type >= MEM_AVAILABLE && type <= MEM_BAD)
		return type;
	return MEM_RESERVED;
}

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
