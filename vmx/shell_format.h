/* What the debug shell's actions print (issue 16, item 2), as pure
 * formatters of plain values: a hexdump, a guest page-walk entry, an EPT
 * entry and the register dump. Nothing here reads a VMCS or guest memory;
 * the actions (vmx/shell_actions.c) gather the values and print the text.
 *
 * Each writes into a caller buffer with snprintf semantics (truncated and
 * NUL-terminated; returns the full length, or -1). In vmx/ next to the
 * parser: the register layout is the VMCS guest state's. */
#ifndef NESTOR_VMX_SHELL_FORMAT_H
#define NESTOR_VMX_SHELL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes per hexdump line, and the length of a full line with its '\n'. */
#define SHELL_HEXDUMP_PER_LINE 16u
#define SHELL_HEXDUMP_LINE_LEN 87u

/* len bytes of data shown as guest address addr onwards:
 * "0000000000001000  48 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |Hello...........|\n"
 * one line per 16 bytes; a short last line keeps the columns. */
int shell_hexdump(char *buf, size_t size, uint64_t addr, const uint8_t *data,
		  size_t len);

/* A 64-bit paging-structure entry (4-level or 5-level paging, PAE) at
 * level 5 (PML5E) .. 1 (PTE):
 * "PDE   0x00000000002000e3  P RW -- --- --- A D PS G -- -> 0x0000000000200000"
 * flags in bit order, '-' for a clear one; bit 7 is PS (PAT in a PTE); the
 * address is the frame of the next table or of the page (bits 51:12,
 * 51:21 or 51:30). A clear P gives "... not present". */
int shell_format_pte(char *buf, size_t size, unsigned level, uint64_t entry);

/* An EPT paging-structure entry at level 4 (PML4E) .. 1 (PTE):
 * "EPT PDE   0x0000000000200ff7  R W X mt=WB IPAT large A D -> 0x0000000000200000"
 * memory type, IPAT and D only in a leaf (a PTE, or large at level 2/3). No
 * R, W or X gives "... not present". */
int shell_format_ept_entry(char *buf, size_t size, unsigned level,
			   uint64_t entry);

enum shell_seg_index {
	SHELL_SEG_ES,
	SHELL_SEG_CS,
	SHELL_SEG_SS,
	SHELL_SEG_DS,
	SHELL_SEG_FS,
	SHELL_SEG_GS,
	SHELL_SEG_LDTR,
	SHELL_SEG_TR,
	SHELL_SEG_COUNT
};

struct shell_seg {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar; /* access rights as in the VMCS (SDM 25.4.1) */
};

/* One guest's registers, gathered by the `regs` action. */
struct shell_regs {
	unsigned level;     /* 1 or 2 */
	uint64_t gpr[16];   /* architectural numbers: RAX=0 .. R15=15 */
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	struct shell_seg seg[SHELL_SEG_COUNT];
};

/* The `regs` layout: a title line, four GPRs a line, RIP/RFLAGS, the CRs,
 * EFER, then one line per segment. */
int shell_format_regs(char *buf, size_t size, const struct shell_regs *r);

#endif
