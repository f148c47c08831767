/* Decoding instruction operands from the VM-exit instruction-information
 * field (SDM Vol. 3C, 27.2.5, Table 27-13 for VMCLEAR/VMPTRLD/VMPTRST/
 * VMXON/INVEPT/INVVPID/..., Table 27-14 for VMREAD/VMWRITE). This is the one
 * place Nestor turns that field into an operand; nested VMX uses it for
 * every VMX instruction L1 executes. Pure. */
#ifndef NESTOR_VMX_INSN_INFO_H
#define NESTOR_VMX_INSN_INFO_H

#include <stdbool.h>
#include <stdint.h>

/* The guest state an operand depends on. gpr[] uses the architectural
 * numbering (0 RAX ... 4 RSP ... 15 R15); seg_base[] ES, CS, SS, DS, FS, GS. */
struct insn_operand_ctx {
	uint64_t gpr[16];
	uint64_t seg_base[6];
	bool long_mode;       /* IA-32e mode and CS.L = 1: 64-bit addressing */
};

struct insn_operand {
	bool is_reg;          /* register operand (bit 10 of the field) */
	unsigned reg;         /* its number, when is_reg */
	uint64_t linear;      /* memory operand's linear address */
	unsigned addr_size;   /* 16, 32 or 64 */
	unsigned segment;     /* 0 ES ... 5 GS */
	unsigned reg2;        /* bits 31:28: the other register operand
			       * (INVEPT/INVVPID type, VMREAD/VMWRITE field) */
};

/* Decode `info` with the exit qualification `disp` (the displacement,
 * 27.2.1). Returns 0, or -1 if the field holds a reserved encoding
 * (address size 3, segment > 5). */
int insn_operand_decode(uint32_t info, uint64_t disp,
			const struct insn_operand_ctx *ctx,
			struct insn_operand *out);

#endif
