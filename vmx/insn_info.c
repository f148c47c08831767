/* VM-exit instruction-information decoding (SDM Vol. 3C, 27.2.5). */
#include "vmx/insn_info.h"

/* Table 27-13: bits 1:0 scaling, 9:7 address size (0 = 16, 1 = 32,
 * 2 = 64), 10 = register operand, 17:15 segment, 21:18 index register,
 * 22 index invalid, 26:23 base register, 27 base invalid, 31:28 reg2. For a
 * register operand bits 6:3 hold the register (Table 27-14 for
 * VMREAD/VMWRITE uses the same bit positions). */
int insn_operand_decode(uint32_t info, uint64_t disp,
			const struct insn_operand_ctx *ctx,
			struct insn_operand *out)
{
	unsigned asz = (info >> 7) & 7;
	uint64_t addr, mask;

	out->reg2 = (info >> 28) & 0xf;
	out->is_reg = info & (1u << 10);
	if (out->is_reg) {
		out->reg = (info >> 3) & 0xf;
		out->linear = 0;
		out->addr_size = 0;
		out->segment = 0;
		return 0;
	}
	if (asz > 2)
		return -1;
	out->segment = (info >> 15) & 7;
	if (out->segment > 5)
		return -1;
	out->reg = 0;
	out->addr_size = 16u << asz;
	addr = disp;
	if (!(info & (1u << 27)))
		addr += ctx->gpr[(info >> 23) & 0xf];
	if (!(info & (1u << 22)))
		addr += ctx->gpr[(info >> 18) & 0xf] << (info & 3);
	/* The effective address wraps at the address size (Vol. 1, 3.7.5);
	 * the segment base is added in 64-bit mode only for FS and GS
	 * (Vol. 3A, 3.4.4), and the linear address is 32 bits outside it. */
	mask = out->addr_size == 64 ? ~0ull : (1ull << out->addr_size) - 1;
	addr &= mask;
	if (!ctx->long_mode || out->segment >= 4)
		addr += ctx->seg_base[out->segment];
	if (!ctx->long_mode)
		addr &= 0xffffffffull;
	out->linear = addr;
	return 0;
}
