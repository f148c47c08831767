/* Linux/x86 boot protocol, loader side: bzImage checks, the protected-mode
 * kernel's placement, and the zero page (boot_params) for the 64-bit entry.
 * Section names below are those of the kernel's
 * Documentation/arch/x86/boot.rst; offsets of boot_params outside the setup
 * header come from Documentation/arch/x86/zero-page.rst. */
#include <stdarg.h>

#include "boot/linux_boot.h"
#include "lib/bytes.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

typedef unsigned long long ull;

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* End of [base, base + len), saturated at 2^64 - 1. */
static uint64_t sat_end(uint64_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* ---------------------------------------------------------------------- */
/* Image checks                                                            */
/* ---------------------------------------------------------------------- */

/* "Details of Header Fields": boot_flag, header, version, loadflags,
 * xloadflags. */
static int check_identity(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	uint16_t version;

	if (len < LINUX_HDR_MIN_END)
		return fmt_fail(err, errlen,
			    "the image is %zu bytes, too short for a Linux setup header (needs 0x%x)",
			    len, LINUX_HDR_MIN_END);
	if (rd16(p + LINUX_HDR_BOOT_FLAG) != LINUX_BOOT_FLAG)
		return fmt_fail(err, errlen,
			    "not a Linux kernel: boot_flag at 0x1fe is 0x%04x, not 0xaa55",
			    rd16(p + LINUX_HDR_BOOT_FLAG));
	if (rd32(p + LINUX_HDR_MAGIC) != LINUX_HDRS_MAGIC)
		return fmt_fail(err, errlen,
			    "not a bzImage: no \"HdrS\" signature at 0x202 (a pre-2.00 zImage or another format)");
	version = rd16(p + LINUX_HDR_VERSION);
	if (version < LINUX_MIN_VERSION)
		return fmt_fail(err, errlen,
			    "boot protocol %u.%02u is too old: Nestor needs 2.12 or later (xloadflags and the 64-bit entry)",
			    version >> 8, version & 0xFF);
	/* "Loading The Rest of The Kernel": is_bzImage = loadflags & 1. */
	if (!(p[LINUX_HDR_LOADFLAGS] & LINUX_LOADED_HIGH))
		return fmt_fail(err, errlen,
			    "not a bzImage: loadflags bit 0 (LOADED_HIGH) is clear, a zImage loads at 0x10000");
	if (!(rd16(p + LINUX_HDR_XLOADFLAGS) & LINUX_XLF_KERNEL_64))
		return fmt_fail(err, errlen,
			    "not a 64-bit kernel: xloadflags bit 0 (XLF_KERNEL_64) is clear, so there is no 64-bit entry at +0x200");
	return 0;
}

/* "jump": 0xEB then a signed offset from 0x202, which "can be used to
 * determine the size of the header"; "64-bit Boot Protocol": the header
 * ends at 0x0202 + the byte at 0x0201. */
static int check_header_len(const uint8_t *p, size_t len,
			    struct linux_image *k, char *err, size_t errlen)
{
	uint32_t end = 0x202 + p[LINUX_HDR_JUMP + 1];

	if (p[LINUX_HDR_JUMP] != LINUX_JMP_SHORT)
		return fmt_fail(err, errlen,
			    "the instruction at 0x200 is 0x%02x, not a short jmp (0xeb): the setup header's length is unknown",
			    p[LINUX_HDR_JUMP]);
	if (end < LINUX_HDR_MIN_END || end > LINUX_HDR_MAX_END)
		return fmt_fail(err, errlen,
			    "the jump at 0x200 ends the setup header at 0x%x, outside [0x%x, 0x%x] for protocol 2.12+",
			    end, LINUX_HDR_MIN_END, LINUX_HDR_MAX_END);
	if (end > len)
		return fmt_fail(err, errlen,
			    "the setup header ends at 0x%x, past the end of the 0x%zx-byte image",
			    end, len);
	k->hdr_end = end;
	memcpy(k->hdr, p + LINUX_HDR_START, end - LINUX_HDR_START);
	return 0;
}

/* "setup_sects" (0 means 4), "syssize", "Loading The Rest of The Kernel":
 * the protected-mode part starts at (setup_sects + 1) * 512. The whole rest
 * of the file is loaded (as GRUB and QEMU do); syssize * 16, which build.c
 * makes cover the code, data and CRC, must lie inside it. Bytes after it
 * (e.g. a Secure Boot signature) are copied too and are harmless. */
static int check_layout(const uint8_t *p, size_t len, struct linux_image *k,
			char *err, size_t errlen)
{
	uint8_t sects = p[LINUX_HDR_SETUP_SECTS];
	uint64_t paras_bytes;

	k->setup_sects = sects ? sects : 4;
	k->payload_off = ((uint64_t)k->setup_sects + 1) * LINUX_SECTOR;
	if (k->payload_off >= len)
		return fmt_fail(err, errlen,
			    "setup_sects %u puts the protected-mode kernel at offset 0x%llx, but the image ends at 0x%zx",
			    sects, (ull)k->payload_off, len);
	k->payload_len = len - k->payload_off;
	k->syssize = rd32(p + LINUX_HDR_SYSSIZE);
	paras_bytes = (uint64_t)k->syssize * 16;
	if (k->syssize == 0)
		return fmt_fail(err, errlen, "syssize is 0: the protected-mode kernel's size is unknown");
	if (paras_bytes > k->payload_len)
		return fmt_fail(err, errlen,
			    "syssize says the protected-mode kernel is 0x%llx bytes, but only 0x%llx follow the setup: truncated image?",
			    (ull)paras_bytes, (ull)k->payload_len);
	return 0;
}

/* "kernel_alignment", "relocatable_kernel", "pref_address", "init_size",
 * "cmdline_size", "initrd_addr_max". */
static int check_memory_fields(const uint8_t *p, struct linux_image *k,
			       char *err, size_t errlen)
{
	k->kernel_alignment = rd32(p + LINUX_HDR_KERNEL_ALIGNMENT);
	k->relocatable = p[LINUX_HDR_RELOCATABLE] != 0;
	k->min_alignment = p[LINUX_HDR_MIN_ALIGNMENT];
	k->pref_address = rd64(p + LINUX_HDR_PREF_ADDRESS);
	k->init_size = rd32(p + LINUX_HDR_INIT_SIZE);
	k->cmdline_size = rd32(p + LINUX_HDR_CMDLINE_SIZE);
	k->initrd_addr_max = rd32(p + LINUX_HDR_INITRD_ADDR_MAX);

	if (k->relocatable && !is_pow2(k->kernel_alignment))
		return fmt_fail(err, errlen,
			    "kernel_alignment 0x%x is not a power of two",
			    k->kernel_alignment);
	if (k->relocatable && (k->kernel_alignment < LINUX_ALIGN_MIN ||
			       k->kernel_alignment > LINUX_ALIGN_MAX))
		return fmt_fail(err, errlen,
			    "kernel_alignment 0x%x is outside [0x%x, 0x%x]",
			    k->kernel_alignment, LINUX_ALIGN_MIN, LINUX_ALIGN_MAX);
	if (k->pref_address >= LINUX_PHYS_LIMIT)
		return fmt_fail(err, errlen,
			    "pref_address 0x%llx is beyond the 2^52 physical address limit",
			    (ull)k->pref_address);
	if (k->init_size < k->payload_len)
		return fmt_fail(err, errlen,
			    "init_size 0x%x is smaller than the 0x%llx bytes of the protected-mode kernel",
			    k->init_size, (ull)k->payload_len);
	return 0;
}

int linux_image_parse(const void *img, size_t len, struct linux_image *out,
		      char *err, size_t errlen)
{
	const uint8_t *p = img;

	if (!out)
		return fmt_fail(err, errlen, "linux_image_parse: no output");
	memset(out, 0, sizeof(*out));
	if (!img)
		return fmt_fail(err, errlen, "no kernel image");
	if (check_identity(p, len, err, errlen) ||
	    check_header_len(p, len, out, err, errlen) ||
	    check_layout(p, len, out, err, errlen) ||
	    check_memory_fields(p, out, err, errlen)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->version = rd16(p + LINUX_HDR_VERSION);
	out->loadflags = p[LINUX_HDR_LOADFLAGS];
	out->xloadflags = rd16(p + LINUX_HDR_XLOADFLAGS);
	return 0;
}

/* "The Image Checksum": CRC-32, polynomial 0x04C11DB7 taken bit-reflected
 * (0xEDB88320), initial remainder 0xFFFFFFFF, no final inversion; the CRC
 * is appended little-endian, so the CRC over the file through it is 0. Four
 * bits at a time from a constant 16-entry table. */
bool linux_image_crc_ok(const void *img, size_t len,
			const struct linux_image *k)
{
	static const uint32_t nib[16] = {
		0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC,
		0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
		0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
		0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
	};
	const uint8_t *p = img;
	uint64_t n;
	uint32_t crc = 0xFFFFFFFFu;

	if (!img || !k || k->payload_off > len)
		return false;
	n = k->payload_off + (uint64_t)k->syssize * 16;
	if (n > len || n < 4)
		return false;
	for (uint64_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ nib[crc & 0xF];
		crc = (crc >> 4) ^ nib[crc & 0xF];
	}
	return crc == 0;
}

uint64_t linux_initrd_limit(const struct linux_image *k)
{
	if (k->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G)
		return LINUX_PHYS_LIMIT;
	/* "initrd_addr_max": the address of the highest safe byte. */
	return (uint64_t)k->initrd_addr_max + 1;
}

/* ---------------------------------------------------------------------- */
/* Guest RAM                                                               */
/* ---------------------------------------------------------------------- */

/* [s, e) (s < e) is covered by available entries and overlaps no entry of
 * another type (where entries overlap, the non-available one wins). */
static bool range_is_ram(const struct mem_region *map, unsigned n,
			 uint64_t s, uint64_t e)
{
	uint64_t cur = s;

	for (unsigned i = 0; i < n; i++)
		if (map[i].type != MEM_AVAILABLE && map[i].len &&
		    map[i].base < e && s < sat_end(map[i].base, map[i].len))
			return false;
	/* Each step moves cur to the end of a distinct covering entry. */
	for (unsigned step = 0; step <= n && cur < e; step++) {
		uint64_t next = cur;

		for (unsigned i = 0; i < n; i++) {
			uint64_t end = sat_end(map[i].base, map[i].len);

			if (map[i].type == MEM_AVAILABLE && map[i].base <= cur &&
			    cur < end && end > next)
				next = end;
		}
		if (next == cur)
			return false;
		cur = next;
	}
	return cur >= e;
}

/* [addr, addr + size) lies in RAM, within [LINUX_LOAD_MIN, limit]. */
static bool kernel_fits(const struct mem_region *map, unsigned n,
			uint64_t addr, uint64_t size, uint64_t limit)
{
	return addr >= LINUX_LOAD_MIN && addr <= limit &&
	       size <= limit - addr && range_is_ram(map, n, addr, addr + size);
}

/* Lowest align-aligned a >= floor with [a, a + size) fitting. If the lowest
 * such a is above ALIGN_UP(floor), then a - align does not fit, so some
 * edge E of the usable memory (the base of an available entry or the end
 * of another entry) lies in (a - align, a] and a = ALIGN_UP(E): those are
 * the only candidates. O(n^2) in a small n. */
static bool lowest_fit(const struct mem_region *map, unsigned n, uint64_t floor,
		       uint64_t align, uint64_t size, uint64_t *best)
{
	bool found = false;

	for (unsigned i = 0; i <= n; i++) {
		uint64_t edge = floor, c;

		if (i < n)
			edge = map[i].type == MEM_AVAILABLE ? map[i].base
				: sat_end(map[i].base, map[i].len);
		if (edge < floor)
			edge = floor;
		if (edge > LINUX_LOAD_LIMIT)
			continue;
		c = ALIGN_UP(edge, align);
		if ((!found || c < *best) &&
		    kernel_fits(map, n, c, size, LINUX_LOAD_LIMIT)) {
			*best = c;
			found = true;
		}
	}
	return found;
}

/* Fixed address for a non-relocatable kernel: "pref_address: A
 * non-relocatable kernel will unconditionally move itself and to run at
 * this address"; without one, "Loading The Rest of The Kernel" says
 * 0x100000 for a bzImage. */
static uint64_t fixed_address(const struct linux_image *k)
{
	return k->pref_address ? k->pref_address : LINUX_LOAD_MIN;
}

int linux_kernel_place(const struct linux_image *k,
		       const struct mem_region *guest_map, unsigned n,
		       uint64_t *load_addr, char *err, size_t errlen)
{
	uint64_t addr = 0, floor;

	if (!k || !load_addr || (n && !guest_map))
		return fmt_fail(err, errlen, "linux_kernel_place: bad arguments");
	*load_addr = 0;
	if (!k->relocatable) {
		addr = fixed_address(k);
		if (!kernel_fits(guest_map, n, addr, k->init_size, LINUX_LOAD_LIMIT))
			return fmt_fail(err, errlen,
					    "the kernel does not fit: not relocatable, it must run at [0x%llx, 0x%llx) (init_size 0x%x), which is not available guest RAM in [1 MiB, 4 GiB)",
				    (ull)addr, (ull)sat_end(addr, k->init_size),
				    k->init_size);
		*load_addr = addr;
		return 0;
	}
	/* "init_size": runtime_start = align_up(load_address,
	 * kernel_alignment); choosing an aligned address makes the two
	 * equal, so init_size counts from load_addr. */
	floor = k->pref_address > LINUX_LOAD_MIN ? k->pref_address : LINUX_LOAD_MIN;
	if (!lowest_fit(guest_map, n, floor, k->kernel_alignment, k->init_size, &addr))
		return fmt_fail(err, errlen,
			    "the kernel does not fit: no 0x%x-aligned range of 0x%x bytes (init_size) of available guest RAM between 0x%llx and 4 GiB",
			    k->kernel_alignment, k->init_size, (ull)floor);
	*load_addr = addr;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* boot_params                                                             */
/* ---------------------------------------------------------------------- */

struct named_range {
	const char *name;
	uint64_t start, end;
};

static int check_kernel_addr(const struct linux_boot_desc *d,
			     char *err, size_t errlen)
{
	const struct linux_image *k = d->k;
	uint64_t a = d->kernel_addr;

	if (!k->relocatable && a != fixed_address(k))
		return fmt_fail(err, errlen,
			    "the kernel is not relocatable: it must be loaded at 0x%llx, not 0x%llx",
			    (ull)fixed_address(k), (ull)a);
	if (k->relocatable && (a & (k->kernel_alignment - 1)))
		return fmt_fail(err, errlen,
			    "kernel address 0x%llx is not 0x%x-aligned (kernel_alignment)",
			    (ull)a, k->kernel_alignment);
	if (k->relocatable && a < k->pref_address)
		return fmt_fail(err, errlen,
			    "kernel address 0x%llx is below pref_address 0x%llx, where the kernel would run anyway",
			    (ull)a, (ull)k->pref_address);
	if (!kernel_fits(d->map, d->nmap, a, k->init_size, LINUX_LOAD_LIMIT))
		return fmt_fail(err, errlen,
			    "the kernel's [0x%llx, +0x%x) is not available guest RAM between 1 MiB and 4 GiB",
			    (ull)a, k->init_size);
	return 0;
}

/* r->start + size must not wrap; limit is an exclusive end. */
static int check_object(const struct linux_boot_desc *d, struct named_range *r,
			uint64_t size, uint64_t limit, char *err, size_t errlen)
{
	if (size > UINT64_MAX - r->start)
		return fmt_fail(err, errlen, "the %s at 0x%llx (0x%llx bytes) wraps around",
			    r->name, (ull)r->start, (ull)size);
	r->end = r->start + size;
	if (r->end > limit)
		return fmt_fail(err, errlen,
			    "the %s [0x%llx, 0x%llx) ends above 0x%llx, the highest this kernel accepts",
			    r->name, (ull)r->start, (ull)r->end, (ull)limit);
	if (!range_is_ram(d->map, d->nmap, r->start, r->end))
		return fmt_fail(err, errlen,
			    "the %s [0x%llx, 0x%llx) is not in available guest RAM",
			    r->name, (ull)r->start, (ull)r->end);
	return 0;
}

/* "xloadflags" bit 1: only then may "kernel/boot_params/cmdline/ramdisk"
 * be above 4 GiB. */
static uint64_t low_limit(const struct linux_image *k)
{
	return k->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G ?
	       LINUX_PHYS_LIMIT : LINUX_LOAD_LIMIT;
}

/* The kernel, zero page, command line and initrd: each in RAM, within its
 * limit, none overlapping another. */
static int check_objects(const struct linux_boot_desc *d, char *err, size_t errlen)
{
	const struct linux_image *k = d->k;
	struct named_range r[4] = {
		{ "kernel", d->kernel_addr, d->kernel_addr + k->init_size },
		{ "zero page", d->params_addr, 0 },
		{ "command line", d->cmdline_addr, 0 },
		{ "initrd", d->initrd_addr, 0 },
	};
	unsigned nr = d->initrd_size ? 4 : 3;

	/* "cmdline_size": "the command line can contain at most
	 * cmdline_size characters" (the NUL excluded). */
	if (d->cmdline_len > k->cmdline_size)
		return fmt_fail(err, errlen,
			    "the command line is %llu characters, more than this kernel's cmdline_size %u",
			    (ull)d->cmdline_len, k->cmdline_size);
	/* "cmd_line_ptr": "If this field is left at zero, the kernel will
	 * assume that your boot loader does not support the 2.02+ protocol";
	 * "ramdisk_image": zero means none. */
	if (!d->cmdline_addr)
		return fmt_fail(err, errlen, "the command line cannot be at address 0");
	if (d->initrd_size && !d->initrd_addr)
		return fmt_fail(err, errlen, "the initrd cannot be at address 0 (that means no initrd)");
	if (check_kernel_addr(d, err, errlen) ||
	    check_object(d, &r[1], LINUX_ZERO_PAGE_SIZE, low_limit(k), err, errlen) ||
	    check_object(d, &r[2], d->cmdline_len + 1, low_limit(k), err, errlen) ||
	    (d->initrd_size &&
	     check_object(d, &r[3], d->initrd_size, linux_initrd_limit(k), err, errlen)))
		return -1;
	for (unsigned i = 0; i < nr; i++)
		for (unsigned j = i + 1; j < nr; j++)
			if (r[i].start < r[j].end && r[j].start < r[i].end)
				return fmt_fail(err, errlen,
					    "the %s [0x%llx, 0x%llx) overlaps the %s [0x%llx, 0x%llx)",
					    r[i].name, (ull)r[i].start, (ull)r[i].end,
					    r[j].name, (ull)r[j].start, (ull)r[j].end);
	return 0;
}

/* zero-page.rst: e820_entries (0x1E8) and e820_table (0x2D0), entries
 * packed {u64 addr, u64 size, u32 type}; the map's types are e820's
 * (1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable), others become 2. */
static int write_e820(uint8_t *bp, const struct mem_region *map, unsigned n,
		      char *err, size_t errlen)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = bp + LINUX_BP_E820_TABLE + count * LINUX_E820_ENTRY_SIZE;
		uint32_t type = map[i].type;

		if (!map[i].len)
			continue;
		if (map[i].len > UINT64_MAX - map[i].base)
			return fmt_fail(err, errlen,
				    "memory map entry %u [0x%llx, +0x%llx) wraps around",
				    i, (ull)map[i].base, (ull)map[i].len);
		if (count == LINUX_E820_MAX)
			return fmt_fail(err, errlen,
				    "the memory map has more than %u entries, the zero page's e820 table limit",
				    LINUX_E820_MAX);
		if (type < MEM_AVAILABLE || type > MEM_BAD)
			type = MEM_RESERVED;
		wr64(e, map[i].base);
		wr64(e + 8, map[i].len);
		wr32(e + 16, type);
		count++;
	}
	bp[LINUX_BP_E820_ENTRIES] = (uint8_t)count;
	return 0;
}

/* "Details of Header Fields", the fields a loader writes ("write" or
 * "modify"); the rest of the copied header stays as the kernel made it. */
static void write_header(uint8_t *bp, const struct linux_boot_desc *d)
{
	const struct linux_image *k = d->k;

	memcpy(bp + LINUX_HDR_START, k->hdr, k->hdr_end - LINUX_HDR_START);
	/* "type_of_loader": no assigned id, so 0xFF (undefined). */
	bp[LINUX_HDR_TYPE_OF_LOADER] = LINUX_LOADER_UNDEFINED;
	bp[LINUX_HDR_EXT_LOADER_VER] = 0;
	bp[LINUX_HDR_EXT_LOADER_TYPE] = 0;
	/* "loadflags": keep LOADED_HIGH (read-only); KASLR_FLAG is kernel
	 * internal; QUIET_FLAG clear: early messages wanted; KEEP_SEGMENTS
	 * is obsolete (it told the 32-bit entry not to reload segments; the
	 * 64-bit entry takes the selectors the protocol fixes); CAN_USE_HEAP
	 * clear and heap_end_ptr 0: the heap is for the real-mode setup
	 * code, which the 64-bit protocol never runs. */
	bp[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH;
	wr16(bp + LINUX_HDR_HEAP_END_PTR, 0);
	/* "code32_start": a relocated kernel's loader "must set the
	 * code32_start field to point to the loaded code". Below 4 GiB. */
	wr32(bp + LINUX_HDR_CODE32_START, (uint32_t)d->kernel_addr);
	/* "cmd_line_ptr", "ramdisk_image", "ramdisk_size" hold the low 32
	 * bits; zero-page.rst ext_* fields the high ones. */
	wr32(bp + LINUX_HDR_CMD_LINE_PTR, (uint32_t)d->cmdline_addr);
	wr32(bp + LINUX_BP_EXT_CMD_LINE_PTR, (uint32_t)(d->cmdline_addr >> 32));
	if (d->initrd_size) {
		wr32(bp + LINUX_HDR_RAMDISK_IMAGE, (uint32_t)d->initrd_addr);
		wr32(bp + LINUX_HDR_RAMDISK_SIZE, (uint32_t)d->initrd_size);
		wr32(bp + LINUX_BP_EXT_RAMDISK_IMAGE, (uint32_t)(d->initrd_addr >> 32));
		wr32(bp + LINUX_BP_EXT_RAMDISK_SIZE, (uint32_t)(d->initrd_size >> 32));
	} else {
		wr32(bp + LINUX_HDR_RAMDISK_IMAGE, 0);
		wr32(bp + LINUX_HDR_RAMDISK_SIZE, 0);
	}
	/* "hardware_subarch": 0 is the default x86/PC; "setup_data": no
	 * list (a stale pointer would be followed by the kernel). */
	wr32(bp + LINUX_HDR_HW_SUBARCH, 0);
	wr64(bp + LINUX_HDR_HW_SUBARCH_DATA, 0);
	wr64(bp + LINUX_HDR_SETUP_DATA, 0);
}

int linux_boot_params_build(void *zp, size_t cap,
			    const struct linux_boot_desc *d,
			    char *err, size_t errlen)
{
	uint8_t *bp = zp;

	if (!zp || !d || !d->k || (d->nmap && !d->map))
		return fmt_fail(err, errlen, "linux_boot_params_build: bad arguments");
	if (cap < LINUX_ZERO_PAGE_SIZE)
		return fmt_fail(err, errlen, "the zero page needs %u bytes, the buffer has %zu",
			    LINUX_ZERO_PAGE_SIZE, cap);
	if (d->k->hdr_end < LINUX_HDR_MIN_END || d->k->hdr_end > LINUX_HDR_MAX_END)
		return fmt_fail(err, errlen, "the kernel image was not checked (setup header end 0x%x)",
			    d->k->hdr_end);
	if (check_objects(d, err, errlen))
		return -1;
	/* "64-bit Boot Protocol": boot_params "initialized to all zero",
	 * then the setup header copied in. */
	memset(bp, 0, LINUX_ZERO_PAGE_SIZE);
	if (write_e820(bp, d->map, d->nmap, err, errlen))
		return -1;
	write_header(bp, d);
	/* acpi_rsdp_addr: boot.rst says protocol 2.14 was "burnt" by a
	 * commit that put it in the setup header ("ASSUME SAME AS 2.13");
	 * the field lives in boot_params at 0x070 for every protocol
	 * (zero-page.rst, "ALL"). Older kernels ignore it (padding) and
	 * search the BIOS areas for the RSDP. */
	wr64(bp + LINUX_BP_ACPI_RSDP_ADDR, d->rsdp_addr);
	return 0;
}
