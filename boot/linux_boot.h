/* Linux/x86 boot protocol, loader side: checks a bzImage, chooses where its
 * protected-mode kernel goes in guest-physical memory, and builds the
 * "zero page" (struct boot_params) for the 64-bit entry.
 *
 * References are to the kernel's Documentation/arch/x86/boot.rst (sections
 * "The Real-Mode Kernel Header", "Details of Header Fields", "The Image
 * Checksum", "Loading The Rest of The Kernel", "64-bit Boot Protocol") and
 * Documentation/arch/x86/zero-page.rst (boot_params offsets).
 *
 * What the glue (boot/guest_boot.c) does with this:
 *  1. linux_image_parse() on the module;
 *  2. linux_kernel_place() on the guest view of memory (guest_memory_view);
 *     [load, load + init_size) then goes to guest_layout_plan() as the one
 *     "segment", so that the initrd, the command line, the zero page and the
 *     entry page tables land elsewhere;
 *  3. copies payload_len bytes from img + payload_off to load (init_size -
 *     payload_len bytes after it need not be zeroed: the kernel clears its
 *     own bss), the initrd, and the NUL-terminated command line;
 *  4. linux_boot_params_build() into the 4096 bytes at the zero page;
 *  5. enters the guest as in "64-bit Boot Protocol" (see LINUX_ENTRY64_*).
 *
 * Pure code: no allocation, no global state. */
#ifndef NESTOR_BOOT_LINUX_BOOT_H
#define NESTOR_BOOT_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mem_region.h"

/* Recommended size of the caller's error buffers. */
#define LINUX_BOOT_ERR_LEN 256

/* --- Setup header: offsets in the image file and in boot_params --------- */
/* "The Real-Mode Kernel Header": the header starts at 0x1F1 in both. */
#define LINUX_HDR_SETUP_SECTS 0x1F1	/* u8, 0 means 4 */
#define LINUX_HDR_SYSSIZE 0x1F4		/* u32, 16-byte paragraphs */
#define LINUX_HDR_BOOT_FLAG 0x1FE	/* u16, 0xAA55 */
#define LINUX_HDR_JUMP 0x200		/* 0xEB, then the header length */
#define LINUX_HDR_MAGIC 0x202		/* "HdrS" */
#define LINUX_HDR_VERSION 0x206		/* u16, (major << 8) | minor */
#define LINUX_HDR_TYPE_OF_LOADER 0x210	/* u8 */
#define LINUX_HDR_LOADFLAGS 0x211	/* u8 */
#define LINUX_HDR_CODE32_START 0x214	/* u32 */
#define LINUX_HDR_RAMDISK_IMAGE 0x218	/* u32 */
#define LINUX_HDR_RAMDISK_SIZE 0x21C	/* u32 */
#define LINUX_HDR_HEAP_END_PTR 0x224	/* u16 */
#define LINUX_HDR_EXT_LOADER_VER 0x226	/* u8 */
#define LINUX_HDR_EXT_LOADER_TYPE 0x227 /* u8 */
#define LINUX_HDR_CMD_LINE_PTR 0x228	/* u32 */
#define LINUX_HDR_INITRD_ADDR_MAX 0x22C /* u32, highest byte allowed */
#define LINUX_HDR_KERNEL_ALIGNMENT 0x230 /* u32 */
#define LINUX_HDR_RELOCATABLE 0x234	/* u8 */
#define LINUX_HDR_MIN_ALIGNMENT 0x235	/* u8, log2 */
#define LINUX_HDR_XLOADFLAGS 0x236	/* u16 */
#define LINUX_HDR_CMDLINE_SIZE 0x238	/* u32 */
#define LINUX_HDR_HW_SUBARCH 0x23C	/* u32 */
#define LINUX_HDR_HW_SUBARCH_DATA 0x240 /* u64 */
#define LINUX_HDR_SETUP_DATA 0x250	/* u64 */
#define LINUX_HDR_PREF_ADDRESS 0x258	/* u64 */
#define LINUX_HDR_INIT_SIZE 0x260	/* u32 */

#define LINUX_BOOT_FLAG 0xAA55
#define LINUX_HDRS_MAGIC 0x53726448u	/* "HdrS" little-endian */
#define LINUX_JMP_SHORT 0xEB
/* Protocol 2.12 added xloadflags (XLF_KERNEL_64, the 64-bit entry). */
#define LINUX_MIN_VERSION 0x020C
/* The jump at 0x200 is "0xEB followed by a signed offset relative to byte
 * 0x202", so the header ends at 0x202 + that byte ("32-bit/64-bit Boot
 * Protocol"): at most 0x202 + 0x7F. A 2.12+ header holds at least the
 * fields through handover_offset (0x264/4, protocol 2.11). */
#define LINUX_HDR_START 0x1F1
#define LINUX_HDR_MIN_END 0x268
#define LINUX_HDR_MAX_END (0x202 + 0x7F)
#define LINUX_HDR_MAX_LEN (LINUX_HDR_MAX_END - LINUX_HDR_START)
#define LINUX_SECTOR 512

/* loadflags (boot.rst "loadflags"). */
#define LINUX_LOADED_HIGH 0x01
#define LINUX_KASLR_FLAG 0x02
#define LINUX_QUIET_FLAG 0x20
#define LINUX_KEEP_SEGMENTS 0x40
#define LINUX_CAN_USE_HEAP 0x80
/* xloadflags (boot.rst "xloadflags"). */
#define LINUX_XLF_KERNEL_64 0x0001
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G 0x0002

/* --- boot_params ("zero page") outside the header, zero-page.rst -------- */
#define LINUX_ZERO_PAGE_SIZE 4096
#define LINUX_BP_ACPI_RSDP_ADDR 0x070	/* u64 */
#define LINUX_BP_EXT_RAMDISK_IMAGE 0x0C0 /* u32, high half */
#define LINUX_BP_EXT_RAMDISK_SIZE 0x0C4	/* u32, high half */
#define LINUX_BP_EXT_CMD_LINE_PTR 0x0C8	/* u32, high half */
#define LINUX_BP_E820_ENTRIES 0x1E8	/* u8 */
#define LINUX_BP_E820_TABLE 0x2D0	/* struct boot_e820_entry[128] */
#define LINUX_E820_ENTRY_SIZE 20	/* packed {u64 addr, u64 size, u32 type} */
#define LINUX_E820_MAX 128		/* E820_MAX_ENTRIES_ZEROPAGE */
#define LINUX_LOADER_UNDEFINED 0xFF	/* type_of_loader: "0xFF = undefined" */

/* --- Placement ---------------------------------------------------------- */
/* "Loading The Rest of The Kernel": a bzImage loads at 0x100000 or above. */
#define LINUX_LOAD_MIN 0x100000ULL
/* Nestor keeps the kernel below 4 GiB: code32_start is 32 bits and the
 * entry page tables map [0, 4 GiB). */
#define LINUX_LOAD_LIMIT (1ULL << 32)
/* kernel_alignment accepted for a relocatable kernel. */
#define LINUX_ALIGN_MIN 0x1000u
#define LINUX_ALIGN_MAX 0x40000000u
/* Largest physical address width x86-64 defines (SDM Vol. 1, 3.2.1). */
#define LINUX_PHYS_LIMIT (1ULL << 52)

/* --- 64-bit entry ("64-bit Boot Protocol") ------------------------------ *
 * What the glue must set up before the first VM entry:
 *  - RIP = load_addr + LINUX_ENTRY64_OFFSET; RSI = the zero page's
 *    guest-physical address; other GPRs zero (not required, but tidy);
 *  - 64-bit mode with paging: CR0.PE|PG, CR4.PAE, EFER.LME|LMA; the page
 *    tables identity-map at least [load_addr, load_addr + init_size), the
 *    zero page and the command line (Nestor's [0, 4 GiB) 2 MiB map does);
 *  - a GDT with 4 GiB flat descriptors at LINUX_BOOT_CS (execute/read;
 *    for 64-bit mode L=1, e.g. 0x00af9a000000ffff) and LINUX_BOOT_DS
 *    (read/write, 0x00cf92000000ffff); CS = LINUX_BOOT_CS, DS = ES = SS =
 *    LINUX_BOOT_DS (note: not the 0x08/0x10 of the ELF64 entry);
 *  - RFLAGS.IF = 0 (interrupts disabled), RFLAGS = 0x2 is fine.
 * The initrd need not be mapped. The kernel builds its own page tables and
 * GDT before it reuses any of that memory. */
#define LINUX_ENTRY64_OFFSET 0x200
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

/* A checked bzImage. payload_off/payload_len index the caller's image. */
struct linux_image {
	uint16_t version;	/* e.g. 0x020F for 2.15 */
	uint8_t setup_sects;	/* effective: a 0 in the file reads as 4 */
	uint32_t syssize;	/* paragraphs; syssize * 16 <= payload_len */
	uint64_t payload_off;	/* (setup_sects + 1) * 512 */
	uint64_t payload_len;	/* the rest of the file: what gets copied */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment; /* checked only when relocatable */
	uint8_t min_alignment;	/* log2, informative (not used) */
	uint64_t pref_address;
	uint32_t init_size;	/* >= payload_len */
	uint32_t cmdline_size;	/* max characters, NUL excluded */
	uint32_t initrd_addr_max; /* highest byte the initrd may occupy */
	/* The setup header: file bytes [LINUX_HDR_START, hdr_end), where
	 * hdr_end = 0x202 + byte at 0x201; hdr holds a copy of them. */
	uint32_t hdr_end;
	uint8_t hdr[LINUX_HDR_MAX_LEN];
};

/* Checks the len bytes at img as a bzImage Nestor can enter through the
 * 64-bit boot protocol and fills *out. Refuses: a file too short for the
 * header; boot_flag != 0xAA55; no "HdrS" (not a bzImage); protocol below
 * 2.12; LOADED_HIGH clear (zImage); XLF_KERNEL_64 clear; a jump at 0x200
 * that is not 0xEB or gives a header end outside [0x268, 0x281]; a setup
 * (setup_sects + 1 sectors) that leaves no protected-mode part; syssize 0 or
 * beyond the file; init_size below the payload; a relocatable kernel whose
 * kernel_alignment is not a power of two in [4 KiB, 1 GiB]; pref_address at
 * or above 2^52. Returns 0, or -1 with a message in err[errlen] (err may be
 * NULL); *out is zeroed on error. */
int linux_image_parse(const void *img, size_t len, struct linux_image *out,
		      char *err, size_t errlen);

/* "The Image Checksum": true if the CRC-32 (polynomial 0x04C11DB7,
 * reflected, initial remainder 0xFFFFFFFF, no final xor) of the file's
 * first payload_off + syssize * 16 bytes is 0. Informative only: signing a
 * kernel for Secure Boot rewrites its PE header and breaks the CRC, and no
 * mainstream loader checks it. img/len as given to linux_image_parse. */
bool linux_image_crc_ok(const void *img, size_t len,
			const struct linux_image *k);

/* Exclusive end the initrd must stay under: initrd_addr_max + 1, or
 * LINUX_PHYS_LIMIT with XLF_CAN_BE_LOADED_ABOVE_4G ("initrd_addr_max",
 * "xloadflags"). */
uint64_t linux_initrd_limit(const struct linux_image *k);

/* Chooses the load address of the protected-mode kernel in the guest map
 * (any order; available only where no other type overlaps): the kernel
 * needs [load, load + init_size) in available RAM, at or above
 * LINUX_LOAD_MIN and at or below LINUX_LOAD_LIMIT.
 *  - not relocatable: exactly pref_address (0x100000 if it is 0);
 *    "does not fit" if that range is not available RAM;
 *  - relocatable: the lowest kernel_alignment-aligned address at or above
 *    pref_address (so pref_address itself when it is aligned and fits),
 *    never below it: the 64-bit decompressor moves a kernel loaded below
 *    its LOAD_PHYSICAL_ADDR (= pref_address) up to it anyway.
 * Returns 0 with *load_addr, or -1 with a message. */
int linux_kernel_place(const struct linux_image *k,
		       const struct mem_region *guest_map, unsigned n,
		       uint64_t *load_addr, char *err, size_t errlen);

struct linux_boot_desc {
	const struct linux_image *k;
	const struct mem_region *map;	/* guest view: e820 table source */
	unsigned nmap;
	uint64_t kernel_addr;	/* from linux_kernel_place */
	uint64_t params_addr;	/* where the zero page lives (RSI) */
	uint64_t cmdline_addr;	/* NUL-terminated string, != 0 */
	uint64_t cmdline_len;	/* strlen: NUL excluded, <= cmdline_size */
	uint64_t initrd_addr;	/* 0 with size 0 = no initrd */
	uint64_t initrd_size;
	uint64_t rsdp_addr;	/* ACPI RSDP; 0 = let the kernel search */
};

/* Builds boot_params in zp[0, 4096) (cap >= 4096; nothing written beyond
 * 4096): all zero, then the setup header copied to 0x1F1 with
 * type_of_loader = 0xFF, loadflags = LOADED_HIGH only, heap_end_ptr and
 * ext_loader_* 0, code32_start = kernel_addr, cmd_line_ptr (+ 0x0C8 high
 * half), ramdisk_image/size (+ 0x0C0/0x0C4 high halves), hardware_subarch
 * (_data) and setup_data 0; acpi_rsdp_addr at 0x070; the e820 table
 * (0x1E8 count, 0x2D0 entries) from the non-empty map entries, in order.
 * Checks: kernel_addr as linux_kernel_place would allow (aligned, or equal
 * to pref_address), the zero page, command line (with its NUL) and initrd
 * each in available RAM and not overlapping one another or the kernel,
 * cmdline_len <= cmdline_size, the initrd below linux_initrd_limit, the
 * zero page and command line below 4 GiB unless XLF_CAN_BE_LOADED_ABOVE_4G,
 * at most 128 e820 entries. Returns 0, or -1 with a message (zp may then be
 * partly written). */
int linux_boot_params_build(void *zp, size_t cap,
			    const struct linux_boot_desc *d,
			    char *err, size_t errlen);

#endif
