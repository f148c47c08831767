/* Fuzz target: the pure rules of L1's VMX instructions (nested/vmx_rules.c),
 * the vmcs12 field access (nested/vmcs12.c) and the per-field availability
 * (vmx/vmcs_field_caps.c) on arbitrary inputs. Checked invariants:
 *  - the fault checks: nothing but VMXON passes outside VMX operation;
 *    in VMX operation in a good mode, CPL > 0 is #GP(0) (30.3);
 *  - RFLAGS: only CF, PF, AF, ZF, SF, OF change, CF xor ZF per outcome;
 *  - a VMfail is VMfailInvalid exactly when no VMCS is current (30.2);
 *  - in 64-bit mode a memory operand faults iff an end is not canonical;
 *  - a field L1 may access exists in the table, has bits 31:15 clear and
 *    an index no higher than the highest (A.9), and reads back what was
 *    written, cut to its width (24.11.2);
 *  - the one decoder of VMX-instruction operands (vmx/insn_info.c, 27.2.5)
 *    takes any instruction information: reserved encodings refused, a
 *    register operand in range, a linear address of 32 bits outside
 *    64-bit mode. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nested/vmcs12.h"
#include "nested/vmx_rules.h"
#include "vmx/insn_info.h"
#include "vmx/vmcs_field_caps.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

struct input {
	uint64_t cr0, cr4, rflags, efer, fc, f0, f1, f4_0, f4_1;
	uint64_t ptr, vmxon, current, val, la, ea;
	uint64_t caps[8];
	uint32_t enc, ar, limit, rev, rev2;
	uint8_t insn, cpl, flags, seg, size, width;
};

static bool canon(uint64_t la, unsigned bits)
{
	return (uint64_t)((int64_t)(la << (64 - bits)) >> (64 - bits)) == la;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct input in;
	struct vmx_insn_cpu c;
	struct vmx_msrs m;
	static struct vmcs12 f;
	enum vmx_insn i;
	enum vmx_insn_fault fault;
	struct vmx_result r;
	uint64_t fl;

	if (len < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	i = (enum vmx_insn)(in.insn % VMX_INSN_COUNT);
	c = (struct vmx_insn_cpu){ in.cr0, in.cr4, in.rflags, in.efer,
				   in.flags & 1, in.cpl & 3, in.flags & 2,
				   in.flags & 4, in.fc, in.f0, in.f1, in.f4_0,
				   in.f4_1, in.flags & 8, in.flags & 16 };
	fault = vmx_insn_fault(i, &c);
	check(fault == VMX_FAULT_NONE || fault == VMX_FAULT_UD ||
	      fault == VMX_FAULT_GP0);
	if (!c.in_vmx && i != VMX_INSN_VMXON)
		check(fault == VMX_FAULT_UD);
	if (c.in_vmx && c.cpl && (c.cr0 & 1) && !(c.rflags & (1ull << 17)) &&
	    !((c.efer & (1ull << 10)) && !c.cs_l) &&
	    !(i == VMX_INSN_INVEPT && !c.invept) &&
	    !(i == VMX_INSN_INVVPID && !c.invvpid) &&
	    !(i == VMX_INSN_VMXON && !(c.cr4 & (1ull << 13))))
		check(fault == VMX_FAULT_GP0);

	r = vmx_fail(in.current, in.rev & 63);
	check((r.kind == VMX_R_FAIL_INVALID) == (in.current == VMCS_PTR_NONE));
	fl = vmx_result_rflags(in.rflags, r);
	check(((fl ^ in.rflags) & ~0x8d5ull) == 0);
	check(!!(fl & 1) == (r.kind == VMX_R_FAIL_INVALID));
	check(!!(fl & 0x40) == (r.kind == VMX_R_FAIL_VALID));
	check(!(fl & 0x894));
	r = vmx_vmptrld_ptr(in.ptr, 32 + in.size % 21, in.vmxon, in.current);
	if (r.kind == VMX_R_SUCCEED)
		check(!(in.ptr & 0xfff) && in.ptr != in.vmxon);
	(void)vmx_vmptrld_rev(in.rev, in.rev2 & 0x7fffffff, in.flags & 32,
			      in.current);
	(void)vmx_vmclear(in.ptr, 32 + in.size % 21, in.vmxon, in.current);
	(void)vmx_vmxon(in.ptr, 32 + in.size % 21, in.rev, in.rev2 & 0x7fffffff);
	(void)vmx_invvpid_desc_ok(in.val & 3, in.ptr, in.la, in.flags & 64);
	(void)vmx_eptp_ok(in.ptr, in.caps[0], 32 + in.size % 21);

	if (vmx_mem_operand_fault(in.seg % 6, in.ar, in.limit, in.ea, in.la,
				  1u << (in.size % 5), in.flags & 128, true,
				  false) == VMX_MEM_OK)
		check(canon(in.la, 48) &&
		      canon(in.la + (1u << (in.size % 5)) - 1, 48));
	else
		check(!canon(in.la, 48) ||
		      !canon(in.la + (1u << (in.size % 5)) - 1, 48));
	(void)vmx_mem_operand_fault(in.seg % 6, in.ar, in.limit, in.ea, in.la,
				    1u << (in.size % 5), in.flags & 128, false,
				    false);

	{
		struct insn_operand_ctx ctx;
		struct insn_operand op;

		for (unsigned k = 0; k < 16; k++)
			ctx.gpr[k] = in.caps[k % 8] ^ ((uint64_t)k << 40);
		ctx.seg_base[0] = in.ptr;
		ctx.seg_base[1] = in.vmxon;
		ctx.seg_base[2] = in.current;
		ctx.seg_base[3] = in.la;
		ctx.seg_base[4] = in.ea;
		ctx.seg_base[5] = in.cr0;
		ctx.long_mode = in.flags & 1;
		if (insn_operand_decode(in.enc, in.val, &ctx, &op) == 0) {
			if (op.is_reg)
				check(op.reg < 16);
			else
				check((op.addr_size == 16 || op.addr_size == 32 ||
				       op.addr_size == 64) && op.segment <= 5 &&
				      (ctx.long_mode || !(op.linear >> 32)));
			check(op.reg2 < 16);
		} else {
			check(!(in.enc & (1u << 10)));
		}
	}

	memset(&m, 0, sizeof(m));
	m.basic = in.caps[0];
	m.pinbased = in.caps[1];
	m.procbased = in.caps[2];
	m.exit = in.caps[3];
	m.entry = in.caps[4];
	m.misc = in.caps[5];
	m.procbased2 = in.caps[6];
	m.ept_vpid_cap = in.caps[7];
	m.have_procbased2 = in.flags & 1;
	m.have_ept_vpid_cap = in.flags & 2;
	if (vmcs12_field_supported(&m, in.enc)) {
		const struct vmcs_field_info *fi = vmcs_field_lookup(in.enc);
		uint64_t want = in.val, got;

		check(fi != NULL);
		check(!(in.enc >> 15));
		check(VMCS_ENC_INDEX(in.enc) <= vmcs12_highest_index(&m));
		vmcs12_write(&f, fi, in.enc, in.val);
		got = vmcs12_read(&f, fi, in.enc);
		if (fi->width == VMCS_W16)
			want &= 0xffff;
		else if (fi->width == VMCS_W32 ||
			 (fi->width == VMCS_W64 && VMCS_ENC_HIGH(in.enc)))
			want &= 0xffffffffull;
		check(got == want);
	}
	return 0;
}
