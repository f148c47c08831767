/* GDB remote protocol, x86-64 registers and target description (see
 * lib/gdb_x86.h). */
#include <stddef.h>

#include "lib/gdb_x86.h"
#include "lib/gdb_packet.h"
#include "lib/string.h"

#define REG(n, member, size) { n, size, offsetof(struct gdb_x86_regs, member) }

static const struct gdb_x86_reg_info reg_table[GDB_X86_NUM_REGS] = {
	REG("rax", gpr[0], 8), REG("rbx", gpr[1], 8), REG("rcx", gpr[2], 8),
	REG("rdx", gpr[3], 8), REG("rsi", gpr[4], 8), REG("rdi", gpr[5], 8),
	REG("rbp", gpr[6], 8), REG("rsp", gpr[7], 8), REG("r8", gpr[8], 8),
	REG("r9", gpr[9], 8), REG("r10", gpr[10], 8), REG("r11", gpr[11], 8),
	REG("r12", gpr[12], 8), REG("r13", gpr[13], 8),
	REG("r14", gpr[14], 8), REG("r15", gpr[15], 8),
	REG("rip", rip, 8), REG("eflags", eflags, 4),
	REG("cs", seg[0], 4), REG("ss", seg[1], 4), REG("ds", seg[2], 4),
	REG("es", seg[3], 4), REG("fs", seg[4], 4), REG("gs", seg[5], 4),
	REG("st0", st[0], 10), REG("st1", st[1], 10), REG("st2", st[2], 10),
	REG("st3", st[3], 10), REG("st4", st[4], 10), REG("st5", st[5], 10),
	REG("st6", st[6], 10), REG("st7", st[7], 10),
	REG("fctrl", fpu[0], 4), REG("fstat", fpu[1], 4),
	REG("ftag", fpu[2], 4), REG("fiseg", fpu[3], 4),
	REG("fioff", fpu[4], 4), REG("foseg", fpu[5], 4),
	REG("fooff", fpu[6], 4), REG("fop", fpu[7], 4),
	REG("fs_base", fs_base, 8), REG("gs_base", gs_base, 8),
};

_Static_assert(16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 2 * 8 ==
		       GDB_X86_REGS_BYTES,
	       "GDB_X86_REGS_BYTES is the sum of the register sizes");

/* "Target Description Format": one target, architecture i386:x86-64, the
 * features of GDB's own 64bit-core.xml and 64bit-segments.xml. The unit
 * test checks the <reg> list against reg_table. */
static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n"
#define GPR(n) "<reg name=\"" n "\" bitsize=\"64\" type=\"int64\"/>\n"
#define R32(n) "<reg name=\"" n "\" bitsize=\"32\" type=\"int32\"/>\n"
#define ST(n) "<reg name=\"" n "\" bitsize=\"80\" type=\"i387_ext\"/>\n"
#define FPU(n) "<reg name=\"" n "\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	GPR("rax") GPR("rbx") GPR("rcx") GPR("rdx") GPR("rsi") GPR("rdi")
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	GPR("r8") GPR("r9") GPR("r10") GPR("r11") GPR("r12") GPR("r13")
	GPR("r14") GPR("r15")
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
	R32("cs") R32("ss") R32("ds") R32("es") R32("fs") R32("gs")
	ST("st0") ST("st1") ST("st2") ST("st3") ST("st4") ST("st5") ST("st6")
	ST("st7")
	FPU("fctrl") FPU("fstat") FPU("ftag") FPU("fiseg") FPU("fioff")
	FPU("foseg") FPU("fooff") FPU("fop")
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"</feature>\n"
	"</target>\n";
#undef GPR
#undef R32
#undef ST
#undef FPU

const struct gdb_x86_reg_info *gdb_x86_reg_info(uint32_t regno)
{
	return regno < GDB_X86_NUM_REGS ? &reg_table[regno] : NULL;
}

static const uint8_t *reg_bytes(const struct gdb_x86_regs *regs,
				const struct gdb_x86_reg_info *info)
{
	return (const uint8_t *)regs + info->offset;
}

/* x86 is little-endian, and so is the host (lib/bytes.h): a register's
 * bytes in memory are the target-order bytes GDB wants. */
void gdb_x86_regs_encode(const struct gdb_x86_regs *regs,
			 struct gdb_reply *r)
{
	for (unsigned i = 0; i < GDB_X86_NUM_REGS; i++)
		gdb_reply_hex(r, reg_bytes(regs, &reg_table[i]),
			      reg_table[i].bytes);
}

enum gdb_error gdb_x86_regs_decode(const uint8_t *hex, size_t len,
				   struct gdb_x86_regs *regs)
{
	struct gdb_x86_regs next = *regs;
	size_t pos = 0;

	if (!gdb_hex_valid(hex, len))
		return GDB_ERR_HEX;
	if (len != 2 * GDB_X86_REGS_BYTES)
		return GDB_ERR_LENGTH;
	for (unsigned i = 0; i < GDB_X86_NUM_REGS; i++) {
		const struct gdb_x86_reg_info *info = &reg_table[i];

		gdb_hex_decode(hex + pos, 2u * info->bytes,
			       (uint8_t *)&next + info->offset);
		pos += 2u * info->bytes;
	}
	*regs = next;
	return GDB_OK;
}

enum gdb_error gdb_x86_reg_read(const struct gdb_x86_regs *regs,
				uint32_t regno, struct gdb_reply *r)
{
	const struct gdb_x86_reg_info *info = gdb_x86_reg_info(regno);

	if (!info)
		return GDB_ERR_NUMBER;
	gdb_reply_hex(r, reg_bytes(regs, info), info->bytes);
	return GDB_OK;
}

enum gdb_error gdb_x86_reg_write(struct gdb_x86_regs *regs, uint32_t regno,
				 const uint8_t *hex, size_t len)
{
	const struct gdb_x86_reg_info *info = gdb_x86_reg_info(regno);

	if (!info)
		return GDB_ERR_NUMBER;
	if (!gdb_hex_valid(hex, len))
		return GDB_ERR_HEX;
	if (len != 2u * info->bytes)
		return GDB_ERR_LENGTH;
	gdb_hex_decode(hex, len, (uint8_t *)regs + info->offset);
	return GDB_OK;
}

const char *gdb_x86_target_xml(size_t *len)
{
	*len = sizeof(target_xml) - 1;
	return target_xml;
}

void gdb_x86_reply_features(const struct gdb_command *cmd,
			    struct gdb_reply *r)
{
	static const char annex[] = "target.xml";

	if (cmd->u.xfer.annex_len != sizeof(annex) - 1 ||
	    memcmp(cmd->u.xfer.annex, annex, sizeof(annex) - 1) != 0) {
		gdb_reply_error(r, 0);
		return;
	}
	gdb_reply_xfer(r, target_xml, sizeof(target_xml) - 1,
		       cmd->u.xfer.offset, cmd->u.xfer.len);
}
