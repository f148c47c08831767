/* Multiboot2 boot-information parser (Multiboot2 spec 3.6 "Boot information").
 *
 * Walks the tag list once, checks every size and offset against total_size
 * before reading, and copies what Nestor needs into struct mb2_info. Every
 * malformed input is rejected with a static message and the byte offset of
 * the problem; oddities that do not make the info unusable become warnings.
 * All multi-byte fields are read with memcpy, so no read is misaligned. */
#include <stdarg.h>

#include "boot/multiboot2.h"
#include "lib/bytes.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/mem_region.h"

/* Fixed part: u32 total_size, u32 reserved (spec 3.6.2). */
#define MB2_FIXED_SIZE 8u
/* Every tag starts with u32 type, u32 size (spec 3.6.2). */
#define MB2_TAG_HDR_SIZE 8u
/* Tags are padded so that each starts 8-byte aligned (spec 3.6.2). */
#define MB2_TAG_ALIGN 8u

/* Memory map tag header: type, size, entry_size, entry_version (3.6.8). */
#define MMAP_HDR_SIZE 16u
#define MMAP_MIN_ENTRY_SIZE 24u

/* EFI memory map tag header: type, size, descriptor_size,
 * descriptor_version (spec 3.6.19); then EFI_MEMORY_DESCRIPTORs
 * (UEFI spec 7.2 GetMemoryMap): u32 Type, u32 pad, u64 PhysicalStart,
 * u64 VirtualStart, u64 NumberOfPages, u64 Attribute. */
#define EFI_MMAP_HDR_SIZE 16u
#define EFI_DESC_MIN_SIZE 40u
#define EFI_DESC_TYPE 0u
#define EFI_DESC_PHYS_START 8u
#define EFI_DESC_NUM_PAGES 24u
#define EFI_PAGE_SHIFT 12

/* ACPI spec 5.2.5.3 RSDP layout. */
#define RSDP_V1_SIZE 20u
#define RSDP_V2_MIN_SIZE 36u
#define RSDP_REVISION 15u
#define RSDP_LENGTH 20u


struct parser {
	const uint8_t *base;
	uint32_t total;
	struct mb2_info *out;
	struct mb2_error *err;
	uint32_t seen;	/* bit n: a unique tag of type n was already seen */
};

/* One tag: its header offset in the info, type and size (header included,
 * padding excluded). size >= the tag's minimum when a handler runs. */
struct tag {
	uint32_t off;
	uint32_t type;
	uint32_t size;
	const uint8_t *p;
};

static int fail(struct parser *ps, const char *msg, uint32_t off,
		uint32_t tag_type)
{
	if (ps->err) {
		ps->err->msg = msg;
		ps->err->offset = off;
		ps->err->tag_type = tag_type;
	}
	return -1;
}

static int tag_fail(struct parser *ps, const struct tag *t, const char *msg,
		    uint32_t off_in_tag)
{
	return fail(ps, msg, t->off + off_in_tag, t->type);
}

/* Appends "<formatted text> at 0x<off as 8 hex digits>" as the next
 * warning, or counts it as dropped when all slots are used. */
static void PRINTF_LIKE(3, 4) warn(struct mb2_info *out, uint32_t off,
				   const char *fmt, ...)
{
	char *w;
	va_list ap;
	int n;

	if (out->warning_count >= MB2_MAX_WARNINGS) {
		out->warnings_dropped++;
		return;
	}
	w = out->warnings[out->warning_count++];
	va_start(ap, fmt);
	n = fmt_vsnprintf(w, MB2_WARNING_LEN, fmt, ap);
	va_end(ap);
	if (n >= 0 && n < MB2_WARNING_LEN)
		fmt_snprintf(w + n, MB2_WARNING_LEN - n, " at 0x%08x", off);
}

/* A NUL-terminated string at str_off inside the tag (spec 3.6.5, 3.6.6,
 * 3.6.9: strings are zero-terminated). str_off < t->size is guaranteed by
 * the tag's minimum size. */
static int tag_string(struct parser *ps, const struct tag *t,
		      uint32_t str_off, const char **res, const char *msg)
{
	const char *s = (const char *)t->p + str_off;
	size_t max = t->size - str_off;

	if (strnlen(s, max) == max)
		return tag_fail(ps, t, msg, str_off);
	*res = s;
	return 0;
}

/* Spec 3.6.5 Boot command line. */
static int parse_cmdline(struct parser *ps, const struct tag *t)
{
	return tag_string(ps, t, MB2_TAG_HDR_SIZE, &ps->out->cmdline,
			  "cmdline tag string is not NUL-terminated inside the tag");
}

/* Spec 3.6.9 Boot loader name. */
static int parse_loader_name(struct parser *ps, const struct tag *t)
{
	return tag_string(ps, t, MB2_TAG_HDR_SIZE, &ps->out->loader_name,
			  "loader name string is not NUL-terminated inside the tag");
}

/* Spec 3.6.6 Modules: u32 mod_start, u32 mod_end, string; one tag per
 * module. Nestor treats [mod_start, mod_end) as the module's bytes. */
static int parse_module(struct parser *ps, const struct tag *t)
{
	struct mb2_info *out = ps->out;
	uint32_t start = rd32(t->p + 8);
	uint32_t end = rd32(t->p + 12);
	const char *cmdline;

	if (start > end)
		return tag_fail(ps, t, "module mod_start is above mod_end", 8);
	if (tag_string(ps, t, 16, &cmdline,
		       "module string is not NUL-terminated inside the tag"))
		return -1;
	if (out->module_count >= MB2_MAX_MODULES) {
		if (!out->modules_truncated)
			warn(out, t->off, "more than %u modules, extra ignored",
			     (unsigned)MB2_MAX_MODULES);
		out->modules_truncated = true;
		return 0;
	}
	out->modules[out->module_count++] = (struct mb2_module){
		.start = start, .end = end, .cmdline = cmdline,
	};
	return 0;
}

/* Spec 3.6.3 Basic memory information: u32 mem_lower, u32 mem_upper (KiB). */
static int parse_basic_meminfo(struct parser *ps, const struct tag *t)
{
	ps->out->have_basic_meminfo = true;
	ps->out->mem_lower_kb = rd32(t->p + 8);
	ps->out->mem_upper_kb = rd32(t->p + 12);
	return 0;
}

/* Appends a region to a fixed-size map; on overflow sets *truncated and
 * warns once. */
static void add_region(struct mb2_info *out, struct mem_region *map,
		       unsigned *count, bool *truncated,
		       const struct mem_region *r, const char *what,
		       uint32_t off)
{
	if (*count >= MB2_MAX_MMAP) {
		if (!*truncated)
			warn(out, off, "more than %u %s, extra ignored",
			     (unsigned)MB2_MAX_MMAP, what);
		*truncated = true;
		return;
	}
	map[(*count)++] = *r;
}

/* Checks the common layout of an entry array: [hdr, t->size) must hold a
 * whole number of entries of entry_size bytes. */
static int check_entry_array(struct parser *ps, const struct tag *t,
			     uint32_t hdr, uint32_t entry_size,
			     const char *msg)
{
	if ((t->size - hdr) % entry_size != 0)
		return tag_fail(ps, t, msg, hdr);
	return 0;
}

/* Spec 3.6.8 Memory map: u32 entry_size, u32 entry_version, then entries
 * of u64 base_addr, u64 length, u32 type, u32 reserved. entry_size is a
 * multiple of 8; entry_version is 0 and later versions stay backward
 * compatible, so a non-zero version is read as version 0 with a warning. */
static int parse_mmap(struct parser *ps, const struct tag *t)
{
	struct mb2_info *out = ps->out;
	uint32_t entry_size = rd32(t->p + 8);
	uint32_t off;

	if (entry_size < MMAP_MIN_ENTRY_SIZE)
		return tag_fail(ps, t, "mmap entry_size is smaller than 24", 8);
	if (entry_size % 8 != 0)
		return tag_fail(ps, t, "mmap entry_size is not a multiple of 8", 8);
	if (check_entry_array(ps, t, MMAP_HDR_SIZE, entry_size,
			      "mmap tag size is not 16 + a whole number of entries"))
		return -1;
	if (rd32(t->p + 12) != 0)
		warn(out, t->off + 12,
		     "mmap entry_version is %u, not 0; read as version 0",
		     rd32(t->p + 12));
	out->have_mmap = true;
	/* The array check makes off + entry_size <= t->size on every pass. */
	for (off = MMAP_HDR_SIZE; off < t->size; off += entry_size) {
		struct mem_region r = {
			.base = rd64(t->p + off),
			.len = rd64(t->p + off + 8),
			/* spec 3.6.8: a type other than 1-5 is reserved */
			.type = mem_type_from_loader(rd32(t->p + off + 16)),
		};

		if (r.len > UINT64_MAX - r.base)
			return tag_fail(ps, t, "mmap entry base + length overflows 64 bits",
					off);
		add_region(out, out->mmap, &out->mmap_count,
			   &out->mmap_truncated, &r,
			   "mmap entries", t->off + off);
	}
	return 0;
}

/* UEFI spec 7.2 EFI_MEMORY_TYPE -> enum mem_type. Loader and boot-services
 * memory is free once boot services have exited. */
static uint32_t efi_mem_type(uint32_t efi_type)
{
	switch (efi_type) {
	case 1:	/* EfiLoaderCode */
	case 2:	/* EfiLoaderData */
	case 3:	/* EfiBootServicesCode */
	case 4:	/* EfiBootServicesData */
	case 7:	/* EfiConventionalMemory */
		return MEM_AVAILABLE;
	case 8:	/* EfiUnusableMemory */
		return MEM_BAD;
	case 9:	/* EfiACPIReclaimMemory */
		return MEM_ACPI_RECLAIMABLE;
	case 10: /* EfiACPIMemoryNVS */
		return MEM_ACPI_NVS;
	default:
		return MEM_RESERVED;
	}
}

/* Converts one EFI_MEMORY_DESCRIPTOR at d; -1 if its size overflows. */
static int efi_desc_region(const uint8_t *d, struct mem_region *r)
{
	uint64_t pages = rd64(d + EFI_DESC_NUM_PAGES);

	r->base = rd64(d + EFI_DESC_PHYS_START);
	r->type = efi_mem_type(rd32(d + EFI_DESC_TYPE));
	if (pages > (UINT64_MAX >> EFI_PAGE_SHIFT))
		return -1;
	r->len = pages << EFI_PAGE_SHIFT;
	if (r->len > UINT64_MAX - r->base)
		return -1;
	return 0;
}

/* Firmware splits its map finely (hundreds of descriptors, by attribute and
 * owner); after conversion, a descriptor that directly continues the last
 * region with the same type only extends it. */
static bool merge_with_last(struct mem_region *map, unsigned count,
			    const struct mem_region *r)
{
	struct mem_region *last;

	if (count == 0)
		return false;
	last = &map[count - 1];
	if (last->type != r->type || last->base + last->len != r->base)
		return false;
	last->len += r->len; /* <= r->base + r->len, checked not to overflow */
	return true;
}

/* Spec 3.6.19 EFI memory map: u32 descriptor_size, u32 descriptor_version,
 * then the map as returned by GetMemoryMap. descriptor_size may exceed
 * sizeof(EFI_MEMORY_DESCRIPTOR) (UEFI spec 7.2), so step by it. */
static int parse_efi_mmap(struct parser *ps, const struct tag *t)
{
	struct mb2_info *out = ps->out;
	uint32_t desc_size = rd32(t->p + 8);
	uint32_t off;

	if (desc_size < EFI_DESC_MIN_SIZE)
		return tag_fail(ps, t, "EFI mmap descriptor_size is smaller than 40", 8);
	if (check_entry_array(ps, t, EFI_MMAP_HDR_SIZE, desc_size,
			      "EFI mmap tag size is not 16 + whole descriptors"))
		return -1;
	out->have_efi_mmap = true;
	for (off = EFI_MMAP_HDR_SIZE; off < t->size; off += desc_size) {
		struct mem_region r;

		if (efi_desc_region(t->p + off, &r))
			return tag_fail(ps, t, "EFI descriptor pages * 4096 + base overflows 64 bits",
					off);
		if (merge_with_last(out->efi_mmap, out->efi_mmap_count, &r))
			continue;
		add_region(out, out->efi_mmap, &out->efi_mmap_count,
			   &out->efi_mmap_truncated, &r,
			   "EFI descriptors", t->off + off);
	}
	return 0;
}

/* Spec 3.6.12 Framebuffer info: u64 addr, u32 pitch, u32 width,
 * u32 height, u8 bpp, u8 type, u8 reserved, colour info (not parsed). */
static int parse_framebuffer(struct parser *ps, const struct tag *t)
{
	ps->out->have_fb = true;
	ps->out->fb = (struct mb2_framebuffer){
		.addr = rd64(t->p + 8),
		.pitch = rd32(t->p + 16),
		.width = rd32(t->p + 20),
		.height = rd32(t->p + 24),
		.bpp = t->p[28],
		.type = t->p[29],
	};
	return 0;
}

/* ACPI spec 5.2.5.3: the bytes of a checksummed range sum to 0 (mod 256). */
static bool acpi_checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* ACPI spec 5.2.5.3: "RSD PTR " signature and the checksum over the first
 * 20 (ACPI 1.0) bytes. Returns a warning text, or NULL if fine. */
static const char *rsdp_v1_problem(const uint8_t *r)
{
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return "ACPI RSDP signature is not \"RSD PTR \", RSDP ignored";
	if (!acpi_checksum_ok(r, RSDP_V1_SIZE))
		return "ACPI RSDP checksum (first 20 bytes) is bad, RSDP ignored";
	return NULL;
}

/* Spec 3.6.16 ACPI old RSDP: a copy of the ACPI 1.0 RSDP. A bad RSDP is a
 * warning: the info is still usable, Nestor just does not get ACPI from it.
 * Tag 15 wins over tag 14 whatever their order. */
static int parse_acpi_old(struct parser *ps, const struct tag *t)
{
	struct mb2_info *out = ps->out;
	const uint8_t *r = t->p + MB2_TAG_HDR_SIZE;
	const char *problem = rsdp_v1_problem(r);

	if (problem) {
		warn(out, t->off, "%s", problem);
		return 0;
	}
	if (out->rsdp_version < 2) {
		out->rsdp = r;
		out->rsdp_len = RSDP_V1_SIZE;
		out->rsdp_version = 1;
	}
	return 0;
}

/* ACPI spec 5.2.5.3, revision >= 2: Length (offset 20) covers the whole
 * table, at least 36 bytes, and the extended checksum sums all of it. */
static const char *rsdp_v2_problem(const uint8_t *r, uint32_t room,
				   uint32_t *len)
{
	const char *problem = rsdp_v1_problem(r);

	if (problem)
		return problem;
	if (r[RSDP_REVISION] < 2)
		return "ACPI 2.0 RSDP has revision < 2, RSDP ignored";
	*len = rd32(r + RSDP_LENGTH);
	if (*len < RSDP_V2_MIN_SIZE || *len > room)
		return "ACPI 2.0 RSDP Length is < 36 or past its tag, RSDP ignored";
	if (!acpi_checksum_ok(r, *len))
		return "ACPI 2.0 RSDP extended checksum is bad, RSDP ignored";
	return NULL;
}

/* Spec 3.6.17 ACPI new RSDP: a copy of the ACPI 2.0+ RSDP. */
static int parse_acpi_new(struct parser *ps, const struct tag *t)
{
	const uint8_t *r = t->p + MB2_TAG_HDR_SIZE;
	uint32_t len = 0;
	const char *problem;

	problem = rsdp_v2_problem(r, t->size - MB2_TAG_HDR_SIZE, &len);
	if (problem) {
		warn(ps->out, t->off, "%s", problem);
		return 0;
	}
	ps->out->rsdp = r;
	ps->out->rsdp_len = len;
	ps->out->rsdp_version = 2;
	return 0;
}

/* Spec 3.6.20 EFI boot services not terminated. */
static int parse_efi_bs(struct parser *ps, const struct tag *t)
{
	(void)t;
	ps->out->efi_boot_services_not_exited = true;
	return 0;
}

/* Spec 3.6.23 image load base physical address: u32 load_base_addr, given
 * when the image's relocatable header tag let the loader move it. */
static int parse_load_base(struct parser *ps, const struct tag *t)
{
	ps->out->have_load_base = true;
	ps->out->load_base = rd32(t->p + MB2_TAG_HDR_SIZE);
	return 0;
}

/* What Nestor knows about each tag type it reads. min_size covers the
 * fixed fields (and a string's NUL where one is required). Tags whose later
 * copy would silently replace an earlier one are unique. */
struct tag_rule {
	int (*parse)(struct parser *ps, const struct tag *t);
	uint32_t min_size;
	bool unique;
	const char *too_small;
	const char *duplicate;
};

static const struct tag_rule tag_rules[] = {
	[MB2_TAG_CMDLINE] = { parse_cmdline, 9, true,
		"cmdline tag is smaller than 9 (header + NUL)",
		"duplicate cmdline tag" },
	[MB2_TAG_LOADER_NAME] = { parse_loader_name, 9, true,
		"loader name tag is smaller than 9 (header + NUL)",
		"duplicate loader name tag" },
	[MB2_TAG_MODULE] = { parse_module, 17, false,
		"module tag is smaller than 17 (start, end, NUL)", NULL },
	[MB2_TAG_BASIC_MEMINFO] = { parse_basic_meminfo, 16, true,
		"basic meminfo tag is smaller than 16",
		"duplicate basic meminfo tag" },
	[MB2_TAG_MMAP] = { parse_mmap, MMAP_HDR_SIZE, true,
		"mmap tag is smaller than its 16-byte header",
		"duplicate mmap tag" },
	[MB2_TAG_FRAMEBUFFER] = { parse_framebuffer, 31, true,
		"framebuffer tag is smaller than 31",
		"duplicate framebuffer tag" },
	[MB2_TAG_ACPI_OLD] = { parse_acpi_old, MB2_TAG_HDR_SIZE + RSDP_V1_SIZE, true,
		"ACPI old RSDP tag is smaller than 28 (header + 20)",
		"duplicate ACPI old RSDP tag" },
	[MB2_TAG_ACPI_NEW] = { parse_acpi_new,
		MB2_TAG_HDR_SIZE + RSDP_V2_MIN_SIZE, true,
		"ACPI new RSDP tag is smaller than 44 (header + 36)",
		"duplicate ACPI new RSDP tag" },
	[MB2_TAG_EFI_MMAP] = { parse_efi_mmap, EFI_MMAP_HDR_SIZE, true,
		"EFI mmap tag is smaller than its 16-byte header",
		"duplicate EFI mmap tag" },
	[MB2_TAG_EFI_BS_NOT_EXITED] = { parse_efi_bs, MB2_TAG_HDR_SIZE, false,
		NULL, NULL },
	[MB2_TAG_LOAD_BASE_ADDR] = { parse_load_base, 12, true,
		"load base address tag is smaller than 12",
		"duplicate load base address tag" },
};

/* Spec 3.6.2: tags of unknown type must be skipped, so only known types
 * are checked beyond the generic header rules. */
static int parse_tag(struct parser *ps, const struct tag *t)
{
	const struct tag_rule *rule;

	if (t->type >= ARRAY_SIZE(tag_rules) || !tag_rules[t->type].parse)
		return 0;
	rule = &tag_rules[t->type];
	if (t->size < rule->min_size)
		return tag_fail(ps, t, rule->too_small, 4);
	if (rule->unique) {
		if (ps->seen & (1u << t->type))
			return tag_fail(ps, t, rule->duplicate, 0);
		ps->seen |= 1u << t->type;
	}
	return rule->parse(ps, t);
}

/* Spec 3.6.2: the list ends with a tag of type 0 and size 8, and
 * total_size includes it, so it must be the last 8 bytes. */
static int check_end_tag(struct parser *ps, const struct tag *t)
{
	if (t->size != MB2_TAG_HDR_SIZE)
		return tag_fail(ps, t, "end tag size is not 8", 4);
	if (t->off + MB2_TAG_HDR_SIZE != ps->total)
		return tag_fail(ps, t, "bytes follow the end tag inside total_size", 0);
	return 0;
}

/* Walks the tags (spec 3.6.2). Tag offsets stay 8-byte aligned because
 * each step is the size rounded up to 8; total_size is a multiple of 8,
 * so a tag that fits also has its padding inside total_size. */
static int walk_tags(struct parser *ps)
{
	uint32_t off = MB2_FIXED_SIZE;

	for (;;) {
		struct tag t = { .off = off, .p = ps->base + off };

		if (ps->total - off < MB2_TAG_HDR_SIZE)
			return fail(ps, "no end tag before total_size runs out",
				    off, MB2_NO_TAG);
		t.type = rd32(t.p);
		t.size = rd32(t.p + 4);
		if (t.size < MB2_TAG_HDR_SIZE)
			return tag_fail(ps, &t, "tag size is smaller than 8", 4);
		if (t.size > ps->total - off)
			return tag_fail(ps, &t, "tag runs past total_size", 4);
		if (t.type == MB2_TAG_END)
			return check_end_tag(ps, &t);
		if (parse_tag(ps, &t))
			return -1;
		off += ALIGN_UP(t.size, MB2_TAG_ALIGN);
	}
}

/* Spec 3.6.2 fixed part: 8-byte aligned start, u32 total_size including
 * the end tag, u32 reserved that is 0 but "must be ignored by OS image"
 * (so a non-zero value is only a warning). */
static int check_header(struct parser *ps, const void *info, size_t avail)
{
	uint32_t total;

	if (!info)
		return fail(ps, "info pointer is NULL", 0, MB2_NO_TAG);
	if ((uintptr_t)info % MB2_TAG_ALIGN != 0)
		return fail(ps, "info pointer is not 8-byte aligned", 0, MB2_NO_TAG);
	if (avail < MB2_FIXED_SIZE)
		return fail(ps, "fewer than 8 readable bytes for the fixed part",
			    0, MB2_NO_TAG);
	total = rd32(ps->base);
	if (total < MB2_FIXED_SIZE + MB2_TAG_HDR_SIZE)
		return fail(ps, "total_size is smaller than 16 (fixed part + end tag)",
			    0, MB2_NO_TAG);
	if (total > avail)
		return fail(ps, "total_size is larger than the readable bytes",
			    0, MB2_NO_TAG);
	if (total % MB2_TAG_ALIGN != 0)
		return fail(ps, "total_size is not a multiple of 8", 0, MB2_NO_TAG);
	if (rd32(ps->base + 4) != 0)
		warn(ps->out, 4, "reserved field of the fixed part is %#x, not 0",
		     rd32(ps->base + 4));
	ps->total = total;
	return 0;
}

int mb2_parse(const void *info, size_t avail, struct mb2_info *out,
	      struct mb2_error *err)
{
	struct parser ps = { .base = info, .out = out, .err = err };

	if (err)
		*err = (struct mb2_error){ .msg = NULL, .tag_type = MB2_NO_TAG };
	if (!out)
		return fail(&ps, "output pointer is NULL", 0, MB2_NO_TAG);
	memset(out, 0, sizeof(*out));
	if (check_header(&ps, info, avail) || walk_tags(&ps)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->total_size = ps.total;
	return 0;
}

const struct mem_region *mb2_memory_map(const struct mb2_info *mi,
					unsigned *count)
{
	const struct mem_region *map = NULL;
	unsigned n = 0;

	if (mi && mi->have_mmap) {
		map = mi->mmap;
		n = mi->mmap_count;
	} else if (mi && mi->have_efi_mmap) {
		map = mi->efi_mmap;
		n = mi->efi_mmap_count;
	}
	if (count)
		*count = n;
	return map;
}
