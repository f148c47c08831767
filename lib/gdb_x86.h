/* GDB remote protocol, x86-64 (pure): the register file GDB's 'g'/'G'/
 * 'p'/'P' packets carry and the target description that names it. GDB
 * manual, "Target Description Format" and "Standard Target Features", "i386
 * Features": org.gnu.gdb.i386.core is required and GDB rejects it without
 * the x87 registers (checked with GDB 13), so they are there;
 * org.gnu.gdb.i386.segments adds fs_base and gs_base; SSE is optional and
 * left out. Register numbers are the order of the XML:
 *    0-15 rax rbx rcx rdx rsi rdi rbp rsp r8-r15 (GDB's order, not the
 *         CPU's), 16 rip, 17 eflags, 18-23 cs ss ds es fs gs (32 bits),
 *   24-31 st0-st7 (80 bits), 32-39 fctrl fstat ftag fiseg fioff foseg
 *         fooff fop (32 bits), 40-41 fs_base gs_base.
 * The codec of the GDB stub of issue 16; vmx/gdb_stub.c uses it. */
#ifndef NESTOR_LIB_GDB_X86_H
#define NESTOR_LIB_GDB_X86_H

#include <stddef.h>
#include <stdint.h>

#include "lib/gdb_command.h"
#include "lib/gdb_reply.h"

enum gdb_x86_regno {
	GDB_X86_RAX, GDB_X86_RBX, GDB_X86_RCX, GDB_X86_RDX,
	GDB_X86_RSI, GDB_X86_RDI, GDB_X86_RBP, GDB_X86_RSP,
	GDB_X86_R8, GDB_X86_R15 = GDB_X86_R8 + 7,
	GDB_X86_RIP, GDB_X86_EFLAGS,
	GDB_X86_CS, GDB_X86_SS, GDB_X86_DS, GDB_X86_ES, GDB_X86_FS, GDB_X86_GS,
	GDB_X86_ST0, GDB_X86_ST7 = GDB_X86_ST0 + 7,
	GDB_X86_FCTRL, GDB_X86_FSTAT, GDB_X86_FTAG, GDB_X86_FISEG,
	GDB_X86_FIOFF, GDB_X86_FOSEG, GDB_X86_FOOFF, GDB_X86_FOP,
	GDB_X86_FS_BASE, GDB_X86_GS_BASE,
	GDB_X86_NUM_REGS
};

/* The register file, each member in GDB's numbering. */
struct gdb_x86_regs {
	uint64_t gpr[16];	/* GDB_X86_RAX.. GDB_X86_R15 */
	uint64_t rip;
	uint32_t eflags;
	uint32_t seg[6];	/* cs ss ds es fs gs (selectors) */
	uint8_t st[8][10];	/* x87 80-bit registers, as FXSAVE stores them */
	uint32_t fpu[8];	/* fctrl fstat ftag fiseg fioff foseg fooff fop */
	uint64_t fs_base;
	uint64_t gs_base;
};

/* Bytes in a 'g' reply (hex digits: twice that). */
#define GDB_X86_REGS_BYTES 292

struct gdb_x86_reg_info {
	const char *name;
	uint16_t bytes;
	uint16_t offset;	/* in struct gdb_x86_regs */
};

/* The register's name and size, or NULL past the last one. */
const struct gdb_x86_reg_info *gdb_x86_reg_info(uint32_t regno);

/* 'g': all registers, little-endian hex, in register-number order. */
void gdb_x86_regs_encode(const struct gdb_x86_regs *regs,
			 struct gdb_reply *r);
/* 'G': exactly 2 * GDB_X86_REGS_BYTES hex digits; regs changes only when
 * the whole packet is valid. */
enum gdb_error gdb_x86_regs_decode(const uint8_t *hex, size_t len,
				   struct gdb_x86_regs *regs);
/* 'p': one register; an unknown number is GDB_ERR_NUMBER. */
enum gdb_error gdb_x86_reg_read(const struct gdb_x86_regs *regs,
				uint32_t regno, struct gdb_reply *r);
/* 'P': one register, exactly its size in hex. */
enum gdb_error gdb_x86_reg_write(struct gdb_x86_regs *regs, uint32_t regno,
				 const uint8_t *hex, size_t len);

/* The target description ("target.xml") and its length. */
const char *gdb_x86_target_xml(size_t *len);

/* qXfer:features:read: a chunk of target.xml; another annex is E00
 * ("General Query Packets": "annex was invalid"). */
void gdb_x86_reply_features(const struct gdb_command *cmd,
			    struct gdb_reply *r);

#endif
