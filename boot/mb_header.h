/* Multiboot header finder: locates the Multiboot2 (spec 3.1) or Multiboot1
 * (spec 0.6.96, 3.1) header in a guest kernel image, checks it, and says
 * whether Nestor can honour everything the header requires.
 *
 * Pure code: no allocation, no global state. */
#ifndef NESTOR_BOOT_MB_HEADER_H
#define NESTOR_BOOT_MB_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_KIND_NONE 0
#define MB_KIND_MB1 1
#define MB_KIND_MB2 2

#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB1_HEADER_MAGIC 0x1BADB002u
/* Multiboot2 spec 3.1.1 / Multiboot 0.6.96 3.1.1: the header lies entirely
 * in the first 32768 / 8192 bytes of the image. */
#define MB2_HEADER_SEARCH 32768u
#define MB1_HEADER_SEARCH 8192u

/* Recommended size of the caller's error buffer. */
#define MB_HEADER_ERR_LEN 128

struct mb_header {
	int kind;		/* MB_KIND_* */
	uint32_t offset;	/* byte offset of the header in the image */
	uint32_t mb1_flags;	/* MB1: the flags field */
	uint32_t mb2_length;	/* MB2: header_length */
	uint32_t mb2_tags;	/* MB2: bit n set = a header tag of type n */

	/* MB2 entry address tag (spec 3.1.6): a physical address to jump to
	 * instead of the ELF entry point. */
	bool entry_override;
	uint32_t entry_addr;

	/* MB2 information request (spec 3.1.4): bit n = type n was asked
	 * for (n < 32); required_info = the request tag was not optional. */
	uint32_t requested_info;
	uint32_t required_info;

	/* What the guest asked for (MB1 flags bit 1; MB2 information
	 * request). Nestor provides all of these in any case. */
	bool wants_meminfo, wants_mmap, wants_cmdline, wants_modules;
	bool wants_loader_name, wants_rsdp;

	/* MB1 flags bit 0 / MB2 module alignment tag (spec 3.1.11). */
	bool modules_page_aligned;
	/* MB1 flags bit 2 / optional MB2 framebuffer tag: the guest would like
	 * a video mode; Nestor does not set one (accepted, noted). */
	bool video_requested;
};

/* Searches the `len` bytes at `img`. Returns 0 with out->kind set (NONE if
 * the image has no header), or -1 with a formatted message in err[errlen]
 * (err may be NULL) when a header is malformed or requires a feature Nestor
 * does not provide; *out is zeroed on error. Multiboot2 wins when both
 * headers are present. A magic number whose checksum does not match is not
 * a header; if no valid header exists, such a near miss is reported as an
 * error rather than as "no header". */
int mb_header_find(const void *img, size_t len, struct mb_header *out,
		   char *err, size_t errlen);

#endif
