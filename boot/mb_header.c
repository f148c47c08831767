/* Multiboot header finder and checker for the guest kernel image.
 *
 * Multiboot2 (spec 3.1 "OS image format") is searched first, then
 * Multiboot1 (Multiboot 0.6.96, 3.1 "OS image format"). Every read is
 * bounded by the image length and the spec's search window; fields are read
 * with memcpy so no read is misaligned. */
#include <stdarg.h>

#include "boot/mb_header.h"
#include "lib/bytes.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

/* Multiboot2 spec 3.1.2: magic, architecture, header_length, checksum. */
#define MB2_FIXED_SIZE 16u
#define MB2_ARCH_I386 0u
/* Spec 3.1.3: u16 type, u16 flags, u32 size; tags are 8-byte aligned. */
#define MB2_TAG_HDR_SIZE 8u
#define MB2_TAG_ALIGN 8u
#define MB2_TAG_OPTIONAL 1u

/* Multiboot2 spec 3.1.3 - 3.1.13 header tag types. */
enum mb2_htag {
	HTAG_END = 0,
	HTAG_INFO_REQUEST = 1,
	HTAG_ADDRESS = 2,
	HTAG_ENTRY = 3,
	HTAG_CONSOLE = 4,
	HTAG_FRAMEBUFFER = 5,
	HTAG_MODULE_ALIGN = 6,
	HTAG_EFI_BS = 7,
	HTAG_ENTRY_EFI32 = 8,
	HTAG_ENTRY_EFI64 = 9,
	HTAG_RELOCATABLE = 10,
};

/* Boot information tag types (spec 3.6) Nestor builds for the guest. */
#define INFO_END 0
#define INFO_CMDLINE 1
#define INFO_LOADER_NAME 2
#define INFO_MODULE 3
#define INFO_BASIC_MEMINFO 4
#define INFO_MMAP 6
#define INFO_ACPI_OLD 14
#define INFO_ACPI_NEW 15
#define PROVIDED_INFO ((1u << INFO_END) | (1u << INFO_CMDLINE) | \
		       (1u << INFO_LOADER_NAME) | (1u << INFO_MODULE) | \
		       (1u << INFO_BASIC_MEMINFO) | (1u << INFO_MMAP) | \
		       (1u << INFO_ACPI_OLD) | (1u << INFO_ACPI_NEW))

/* Spec 3.1.9: console_flags bit 0 = a console is required. */
#define CONSOLE_REQUIRED 1u

/* Multiboot 0.6.96 3.1.1-3.1.2: magic, flags, checksum, 4-byte aligned. */
#define MB1_FIXED_SIZE 12u
#define MB1_FLAG_PAGE_ALIGN (1u << 0)
#define MB1_FLAG_MEMINFO (1u << 1)
#define MB1_FLAG_VIDEO (1u << 2)
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)
/* Bits 0-15 are requirements: a loader that does not know one must fail. */
#define MB1_REQUIRED_MASK 0xffffu
#define MB1_KNOWN_REQUIRED (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_VIDEO)

struct finder {
	const uint8_t *img;
	size_t len;
	struct mb_header *out;
	char *err;
	size_t errlen;
};

/* One MB2 header tag; off is relative to the header start. */
struct htag {
	uint32_t off;
	uint16_t type, flags;
	uint32_t size;
	const uint8_t *p;
};

static int PRINTF_LIKE(2, 3) fail(struct finder *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err && f->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(f->err, f->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Spec 3.1.4 information request: u32 mbi_tag_types[]. A type Nestor does
 * not build is an error unless the tag is optional. */
static int htag_info_request(struct finder *f, const struct htag *t)
{
	bool optional = t->flags & MB2_TAG_OPTIONAL;
	uint32_t off;

	if ((t->size - MB2_TAG_HDR_SIZE) % 4 != 0)
		return fail(f, "multiboot2 information request tag size %u is not 8 + a multiple of 4",
			    t->size);
	for (off = MB2_TAG_HDR_SIZE; off < t->size; off += 4) {
		uint32_t type = rd32(t->p + off);
		bool provided = type < 32 && (PROVIDED_INFO & (1u << type));

		if (!optional && !provided)
			return fail(f, "guest requires multiboot2 information type %u that Nestor does not provide",
				    type);
		if (type >= 32)
			continue;
		f->out->requested_info |= 1u << type;
		if (!optional)
			f->out->required_info |= 1u << type;
	}
	return 0;
}

/* Spec 3.1.6 entry address tag: u32 entry_addr (physical). */
static int htag_entry(struct finder *f, const struct htag *t)
{
	if (f->out->entry_override)
		return fail(f, "multiboot2 header has two entry address tags");
	f->out->entry_override = true;
	f->out->entry_addr = rd32(t->p + 8);
	return 0;
}

/* Spec 3.1.9 flags tag: u32 console_flags. Only bit 0 ("a console is
 * required") of a non-optional tag asks for something Nestor cannot give. */
static int htag_console(struct finder *f, const struct htag *t)
{
	if (t->flags & MB2_TAG_OPTIONAL)
		return 0;
	if (rd32(t->p + 8) & CONSOLE_REQUIRED)
		return fail(f, "guest requires a console (multiboot2 console flags tag); Nestor does not provide one");
	return 0;
}

/* Spec 3.1.10 framebuffer: width, height, depth preference. */
static int htag_framebuffer(struct finder *f, const struct htag *t)
{
	if (!(t->flags & MB2_TAG_OPTIONAL))
		return fail(f, "guest requires a framebuffer (multiboot2 framebuffer tag); Nestor does not provide one");
	f->out->video_requested = true;
	return 0;
}

/* Minimum tag sizes from spec 3.1.4 - 3.1.13 (0: unknown type). */
static const uint8_t htag_min_size[] = {
	[HTAG_INFO_REQUEST] = 8, [HTAG_ADDRESS] = 24, [HTAG_ENTRY] = 12,
	[HTAG_CONSOLE] = 12, [HTAG_FRAMEBUFFER] = 20, [HTAG_MODULE_ALIGN] = 8,
	[HTAG_EFI_BS] = 8, [HTAG_ENTRY_EFI32] = 12, [HTAG_ENTRY_EFI64] = 12,
	[HTAG_RELOCATABLE] = 24,
};

static int handle_htag(struct finder *f, const struct htag *t)
{
	bool optional = t->flags & MB2_TAG_OPTIONAL;

	if (t->type < ARRAY_SIZE(htag_min_size) && htag_min_size[t->type] &&
	    t->size < htag_min_size[t->type])
		return fail(f, "multiboot2 header tag type %u has size %u, smaller than %u",
			    t->type, t->size, htag_min_size[t->type]);
	if (t->type < 32)
		f->out->mb2_tags |= 1u << t->type;
	switch (t->type) {
	case HTAG_INFO_REQUEST:
		return htag_info_request(f, t);
	case HTAG_ADDRESS:	/* spec 3.1.5: a.out-style load addresses */
		if (optional)
			return 0;
		return fail(f, "a.out-style address tag not supported; link the guest as ELF");
	case HTAG_ENTRY:
		return htag_entry(f, t);
	case HTAG_CONSOLE:
		return htag_console(f, t);
	case HTAG_FRAMEBUFFER:
		return htag_framebuffer(f, t);
	case HTAG_MODULE_ALIGN:	/* spec 3.1.11 */
		f->out->modules_page_aligned = true;
		return 0;
	case HTAG_EFI_BS:	/* spec 3.1.12 */
		if (optional)
			return 0;
		return fail(f, "guest requires EFI boot services (multiboot2 tag 7); Nestor does not provide them");
	case HTAG_ENTRY_EFI32:	/* spec 3.1.7, 3.1.8: EFI entry points; */
	case HTAG_ENTRY_EFI64:	/* the BIOS-style (i386) entry is used. */
	case HTAG_RELOCATABLE:	/* spec 3.1.13: loaded at its link address. */
		return 0;
	default:
		if (optional)
			return 0;
		return fail(f, "unknown required multiboot2 header tag type %u", t->type);
	}
}

/* Spec 3.1.3: tags follow the fixed part, each 8-byte aligned, size >= 8,
 * inside header_length; the list ends with type 0, size 8. */
static int walk_htags(struct finder *f, const uint8_t *hdr, uint32_t hlen)
{
	uint32_t off = MB2_FIXED_SIZE;

	for (;;) {
		struct htag t = { .off = off, .p = hdr + off };

		if (off > hlen || hlen - off < MB2_TAG_HDR_SIZE)
			return fail(f, "multiboot2 header has no end tag inside header_length %u",
				    hlen);
		t.type = rd16(t.p);
		t.flags = rd16(t.p + 2);
		t.size = rd32(t.p + 4);
		if (t.size < MB2_TAG_HDR_SIZE)
			return fail(f, "multiboot2 header tag at +%#x has size %u, smaller than 8",
				    off, t.size);
		if (t.size > hlen - off)
			return fail(f, "multiboot2 header tag at +%#x runs past header_length %u",
				    off, hlen);
		if (t.type == HTAG_END) {
			if (t.size != MB2_TAG_HDR_SIZE)
				return fail(f, "multiboot2 header end tag has size %u, not 8",
					    t.size);
			return 0;
		}
		if (handle_htag(f, &t))
			return -1;
		off += ALIGN_UP(t.size, MB2_TAG_ALIGN); /* size <= hlen < 2^16 */
	}
}

/* Spec 3.1.2: architecture 0 is 32-bit protected-mode i386; the whole
 * header_length lies inside the image and the 32 KiB window (3.1.1). */
static int check_mb2(struct finder *f, uint32_t off)
{
	const uint8_t *hdr = f->img + off;
	uint32_t arch = rd32(hdr + 4);
	uint32_t hlen = rd32(hdr + 8);

	f->out->kind = MB_KIND_MB2;
	f->out->offset = off;
	f->out->mb2_length = hlen;
	if (arch != MB2_ARCH_I386)
		return fail(f, "multiboot2 header at %#x: architecture %u is not 0 (i386)",
			    off, arch);
	if (hlen < MB2_FIXED_SIZE)
		return fail(f, "multiboot2 header at %#x: header_length %u is smaller than 16",
			    off, hlen);
	if (hlen > f->len - off)
		return fail(f, "multiboot2 header at %#x: header_length %u runs past the end of the image",
			    off, hlen);
	if (hlen > MB2_HEADER_SEARCH - off)
		return fail(f, "multiboot2 header at %#x: header_length %u runs past the first 32768 bytes",
			    off, hlen);
	if (walk_htags(f, hdr, hlen))
		return -1;
	f->out->wants_cmdline = f->out->requested_info & (1u << INFO_CMDLINE);
	f->out->wants_loader_name = f->out->requested_info & (1u << INFO_LOADER_NAME);
	f->out->wants_modules = f->out->requested_info & (1u << INFO_MODULE);
	f->out->wants_meminfo = f->out->requested_info & (1u << INFO_BASIC_MEMINFO);
	f->out->wants_mmap = f->out->requested_info & (1u << INFO_MMAP);
	f->out->wants_rsdp = f->out->requested_info &
			     ((1u << INFO_ACPI_OLD) | (1u << INFO_ACPI_NEW));
	return 0;
}

/* Multiboot 0.6.96 3.1.2 flags: bits 0-15 are requirements, 16-31 optional
 * features. Bit 16 (a.out kludge) would make Nestor load by the header's
 * addresses instead of the ELF program headers. */
static int check_mb1(struct finder *f, uint32_t off)
{
	uint32_t flags = rd32(f->img + off + 4);
	uint32_t unknown = flags & MB1_REQUIRED_MASK & ~MB1_KNOWN_REQUIRED;

	f->out->kind = MB_KIND_MB1;
	f->out->offset = off;
	f->out->mb1_flags = flags;
	if (flags & MB1_FLAG_AOUT_KLUDGE)
		return fail(f, "multiboot1 a.out kludge (flags bit 16) not supported; link the guest as ELF");
	if (unknown)
		return fail(f, "unsupported required multiboot1 feature bit %u",
			    (unsigned)__builtin_ctz(unknown));
	f->out->modules_page_aligned = flags & MB1_FLAG_PAGE_ALIGN;
	f->out->wants_meminfo = flags & MB1_FLAG_MEMINFO;
	f->out->wants_mmap = flags & MB1_FLAG_MEMINFO;
	f->out->video_requested = flags & MB1_FLAG_VIDEO;
	return 0;
}

/* Multiboot2 spec 3.1.2: magic + architecture + header_length + checksum
 * is 0 mod 2^32. */
static bool mb2_checksum_ok(const uint8_t *h)
{
	return rd32(h) + rd32(h + 4) + rd32(h + 8) + rd32(h + 12) == 0;
}

/* Multiboot 0.6.96 3.1.2: magic + flags + checksum is 0 mod 2^32. */
static bool mb1_checksum_ok(const uint8_t *h)
{
	return rd32(h) + rd32(h + 4) + rd32(h + 8) == 0;
}

/* Scans `window` bytes at `align` steps for `magic` with a fixed part of
 * `fixed` bytes whose checksum holds. Returns the offset of the first such
 * header, or -1; *near_miss gets the first magic with a bad checksum. */
static int64_t scan(const struct finder *f, size_t window, uint32_t align,
		    uint32_t fixed, uint32_t magic,
		    bool (*checksum_ok)(const uint8_t *), int64_t *near_miss)
{
	size_t off;

	*near_miss = -1;
	for (off = 0; off + fixed <= window; off += align) {
		const uint8_t *h = f->img + off;

		if (rd32(h) != magic)
			continue;
		if (checksum_ok(h))
			return (int64_t)off;
		if (*near_miss < 0)
			*near_miss = (int64_t)off;
	}
	return -1;
}

static int find(struct finder *f)
{
	int64_t off, miss2, miss1;

	/* Multiboot2 spec 3.1.1: 64-bit aligned, first 32768 bytes. */
	off = scan(f, min_size(f->len, MB2_HEADER_SEARCH), 8, MB2_FIXED_SIZE,
		   MB2_HEADER_MAGIC, mb2_checksum_ok, &miss2);
	if (off >= 0)
		return check_mb2(f, (uint32_t)off);
	/* Multiboot 0.6.96 3.1.1: 32-bit aligned, first 8192 bytes. */
	off = scan(f, min_size(f->len, MB1_HEADER_SEARCH), 4, MB1_FIXED_SIZE,
		   MB1_HEADER_MAGIC, mb1_checksum_ok, &miss1);
	if (off >= 0)
		return check_mb1(f, (uint32_t)off);
	if (miss2 >= 0)
		return fail(f, "multiboot2 magic at %#x but its checksum is wrong",
			    (uint32_t)miss2);
	if (miss1 >= 0)
		return fail(f, "multiboot1 magic at %#x but its checksum is wrong",
			    (uint32_t)miss1);
	f->out->kind = MB_KIND_NONE;
	return 0;
}

int mb_header_find(const void *img, size_t len, struct mb_header *out,
		   char *err, size_t errlen)
{
	struct finder f = {
		.img = img, .len = len, .out = out, .err = err, .errlen = errlen,
	};

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(&f, "multiboot header search: output pointer is NULL");
	memset(out, 0, sizeof(*out));
	if (!img && len)
		return fail(&f, "multiboot header search: image pointer is NULL");
	if (find(&f)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
