/* Boot-information reader for the test guests: multiboot2 through
 * boot/multiboot2.c, multiboot1 (Multiboot 0.6.96, 3.3) here, both turned
 * into a struct rt_boot_info. Every size and pointer the loader gave is
 * checked against bounds before use. */
#include "tests/guests/rt/bootinfo.h"

#include <stddef.h>

#include "boot/multiboot2.h"
#include "lib/compiler.h"
#include "lib/string.h"

/* Sanity bounds on what a loader may hand us. */
#define MAX_INFO_SIZE (1U << 20)
#define MAX_STRING 4096
#define ADDR_LIMIT (1ULL << 32) /* multiboot1 addresses are 32-bit */

/* Multiboot 0.6.96, 3.3: flags bits saying which fields are valid. */
#define MB1_INFO_MEM (1U << 0)
#define MB1_INFO_CMDLINE (1U << 2)
#define MB1_INFO_MODS (1U << 3)
#define MB1_INFO_MMAP (1U << 6)
#define MB1_INFO_LOADER_NAME (1U << 9)

/* Multiboot 0.6.96, 3.3: the fixed part of the information structure. */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

/* Multiboot 0.6.96, 3.3: one module entry. */
struct mb1_module {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

/* Multiboot 0.6.96, 3.3: one memory-map entry; `size` counts the bytes
 * after itself (at least 20). */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr, length;
	uint32_t type;
} __attribute__((packed));

static struct mb2_info mb2;
static struct rt_boot_info boot;

const struct rt_boot_info *rt_boot(void)
{
	return &boot;
}

void rt_bootinfo_init(uint64_t magic, uint64_t info)
{
	rt_bootinfo_read(magic, info, &boot);
}

/* A NUL-terminated string at physical address a, or NULL. */
static const char *checked_string(uint64_t a)
{
	const char *s = (const char *)a;

	if (a == 0 || a >= ADDR_LIMIT)
		return NULL;
	return strnlen(s, MAX_STRING) < MAX_STRING ? s : NULL;
}

static void read_mb2(uint64_t info, struct rt_boot_info *out)
{
	const struct mem_region *map;
	struct mb2_error err;
	uint32_t size;
	unsigned n;

	if (info == 0 || info >= ADDR_LIMIT || (info & 7)) {
		out->error = "multiboot2 information pointer is 0, above 4 GiB "
			     "or not 8-byte aligned";
		return;
	}
	size = *(const uint32_t *)info;
	if (size > MAX_INFO_SIZE) {
		out->error = "multiboot2 total_size above 1 MiB";
		return;
	}
	if (mb2_parse((const void *)info, size, &mb2, &err) != 0) {
		out->error = err.msg;
		return;
	}
	out->cmdline = mb2.cmdline;
	out->loader_name = mb2.loader_name;
	out->have_meminfo = mb2.have_basic_meminfo;
	out->mem_lower_kb = mb2.mem_lower_kb;
	out->mem_upper_kb = mb2.mem_upper_kb;
	map = mb2_memory_map(&mb2, &n);
	out->have_mmap = map != NULL;
	for (unsigned i = 0; i < n && i < RT_MAX_MMAP; i++)
		out->mmap[out->mmap_count++] = map[i];
	for (unsigned i = 0; i < mb2.module_count && i < RT_MAX_MODULES; i++) {
		out->modules[i] = (struct rt_module){
			.start = mb2.modules[i].start,
			.end = mb2.modules[i].end,
			.cmdline = mb2.modules[i].cmdline,
		};
		out->module_count++;
	}
	out->rsdp = mb2.rsdp;
}

static void read_mb1_mmap(const struct mb1_info *mi, struct rt_boot_info *out)
{
	uint64_t p = mi->mmap_addr, end = (uint64_t)mi->mmap_addr + mi->mmap_length;

	if (end > ADDR_LIMIT) {
		out->error = "multiboot1 memory map beyond 4 GiB";
		return;
	}
	out->have_mmap = true;
	while (end - p >= sizeof(struct mb1_mmap_entry) &&
	       out->mmap_count < RT_MAX_MMAP) {
		const struct mb1_mmap_entry *e = (const void *)p;

		if (e->size < sizeof(*e) - sizeof(e->size) ||
		    e->size > end - p - sizeof(e->size)) {
			out->error = "multiboot1 memory-map entry with a bad size";
			return;
		}
		out->mmap[out->mmap_count++] = (struct mem_region){
			.base = e->base_addr,
			.len = e->length,
			/* Multiboot 0.6.96, 3.3: a type other than 1-5 is reserved */
			.type = mem_type_from_loader(e->type),
		};
		p += (uint64_t)e->size + sizeof(e->size);
	}
}

static void read_mb1_modules(const struct mb1_info *mi,
			     struct rt_boot_info *out)
{
	const struct mb1_module *m = (const void *)(uint64_t)mi->mods_addr;
	uint32_t n = mi->mods_count;

	if (n > RT_MAX_MODULES)
		n = RT_MAX_MODULES;
	if ((uint64_t)mi->mods_addr + (uint64_t)n * sizeof(*m) > ADDR_LIMIT) {
		out->error = "multiboot1 module list beyond 4 GiB";
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *s = checked_string(m[i].string);

		out->modules[i] = (struct rt_module){
			.start = m[i].mod_start,
			.end = m[i].mod_end,
			.cmdline = s ? s : "",
		};
		out->module_count++;
	}
}

static void read_mb1(uint64_t info, struct rt_boot_info *out)
{
	const struct mb1_info *mi = (const void *)info;

	if (info == 0 || info + sizeof(*mi) > ADDR_LIMIT) {
		out->error = "multiboot1 information pointer is 0 or above 4 GiB";
		return;
	}
	if (mi->flags & MB1_INFO_MEM) {
		out->have_meminfo = true;
		out->mem_lower_kb = mi->mem_lower;
		out->mem_upper_kb = mi->mem_upper;
	}
	if (mi->flags & MB1_INFO_CMDLINE)
		out->cmdline = checked_string(mi->cmdline);
	if (mi->flags & MB1_INFO_LOADER_NAME)
		out->loader_name = checked_string(mi->boot_loader_name);
	if (mi->flags & MB1_INFO_MMAP)
		read_mb1_mmap(mi, out);
	if (mi->flags & MB1_INFO_MODS)
		read_mb1_modules(mi, out);
}

void rt_bootinfo_read(uint64_t magic, uint64_t info, struct rt_boot_info *out)
{
	memset(out, 0, sizeof(*out));
	if (magic == RT_MB2_MAGIC) {
		out->protocol = RT_BOOT_MB2;
		read_mb2(info, out);
	} else if (magic == RT_MB1_MAGIC) {
		out->protocol = RT_BOOT_MB1;
		read_mb1(info, out);
	} else {
		out->protocol = RT_BOOT_NONE;
		out->error = "unknown boot magic";
	}
}

const char *rt_protocol_name(enum rt_boot_protocol p)
{
	switch (p) {
	case RT_BOOT_MB2:
		return "multiboot2";
	case RT_BOOT_MB1:
		return "multiboot1";
	default:
		return "none";
	}
}
