/* The boot information a test guest was entered with, as one structure for
 * both protocols: multiboot2 (parsed by the repository's boot/multiboot2.c)
 * and multiboot1 (a small reader here, Multiboot 0.6.96 section 3.3). */
#ifndef NESTOR_GUESTS_RT_BOOTINFO_H
#define NESTOR_GUESTS_RT_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mem_region.h"

/* Values in EAX at entry (Multiboot2 spec 3.3, Multiboot 0.6.96 3.2). */
#define RT_MB2_MAGIC 0x36d76289u
#define RT_MB1_MAGIC 0x2badb002u

#define RT_MAX_MMAP 128
#define RT_MAX_MODULES 16

enum rt_boot_protocol {
	RT_BOOT_NONE, /* the magic matched no protocol */
	RT_BOOT_MB2,
	RT_BOOT_MB1,
};

struct rt_module {
	uint64_t start, end; /* [start, end) physical */
	const char *cmdline; /* "" when absent */
};

struct rt_boot_info {
	enum rt_boot_protocol protocol;
	const char *error;       /* NULL, or why the information was rejected */
	const char *cmdline;     /* NULL when absent */
	const char *loader_name; /* NULL when absent */
	bool have_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct mem_region mmap[RT_MAX_MMAP];
	unsigned mmap_count;
	bool have_mmap;
	struct rt_module modules[RT_MAX_MODULES];
	unsigned module_count;
	const void *rsdp; /* multiboot2 only; NULL when absent */
};

/* Reads the information at physical address `info` as the protocol `magic`
 * names. Always fills *out (protocol, error set on failure). */
void rt_bootinfo_read(uint64_t magic, uint64_t info, struct rt_boot_info *out);

/* The information rt_main() read at entry. */
const struct rt_boot_info *rt_boot(void);
void rt_bootinfo_init(uint64_t magic, uint64_t info);

const char *rt_protocol_name(enum rt_boot_protocol p);

#endif
