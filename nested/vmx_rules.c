/* See nested/vmx_rules.h. Section numbers: Intel SDM Vol. 3C. */
#include "nested/vmx_rules.h"
#include "arch/x86/regs.h"
#include "vmx/exit_reasons.h"

enum vmx_insn vmx_insn_of_exit(unsigned basic)
{
	switch (basic) {
	case EXIT_REASON_VMCLEAR: return VMX_INSN_VMCLEAR;
	case EXIT_REASON_VMLAUNCH: return VMX_INSN_VMLAUNCH;
	case EXIT_REASON_VMPTRLD: return VMX_INSN_VMPTRLD;
	case EXIT_REASON_VMPTRST: return VMX_INSN_VMPTRST;
	case EXIT_REASON_VMREAD: return VMX_INSN_VMREAD;
	case EXIT_REASON_VMRESUME: return VMX_INSN_VMRESUME;
	case EXIT_REASON_VMWRITE: return VMX_INSN_VMWRITE;
	case EXIT_REASON_VMXOFF: return VMX_INSN_VMXOFF;
	case EXIT_REASON_VMXON: return VMX_INSN_VMXON;
	case EXIT_REASON_INVEPT: return VMX_INSN_INVEPT;
	case EXIT_REASON_INVVPID: return VMX_INSN_INVVPID;
	default: return VMX_INSN_COUNT;
	}
}

const char *vmx_insn_name(enum vmx_insn i)
{
	static const char *const names[VMX_INSN_COUNT] = {
		"VMXON", "VMXOFF", "VMCLEAR", "VMPTRLD", "VMPTRST", "VMREAD",
		"VMWRITE", "VMLAUNCH", "VMRESUME", "INVEPT", "INVVPID",
	};
	return (unsigned)i < VMX_INSN_COUNT ? names[i] : "?";
}

/* 23.8: the CR0/CR4 values VMXON accepts. */
static bool fixed_ok(uint64_t cr, uint64_t fixed0, uint64_t fixed1)
{
	return !(fixed0 & ~cr) && !(cr & ~fixed1 & 0xffffffffull);
}

enum vmx_insn_fault vmx_insn_fault(enum vmx_insn i, const struct vmx_insn_cpu *c)
{
	bool compat = (c->efer & EFER_LMA) && !c->cs_l;
	bool bad_mode = !(c->cr0 & CR0_PE) || (c->rflags & RFLAGS_VM) || compat;

	/* INVEPT/INVVPID that L1 was not shown do not exist: #UD (30.3,
	 * "#UD If the processor does not support INVEPT/INVVPID"). */
	if ((i == VMX_INSN_INVEPT && !c->invept) ||
	    (i == VMX_INSN_INVVPID && !c->invvpid))
		return VMX_FAULT_UD;
	if (i == VMX_INSN_VMXON) {
		/* 30.3 VMXON: "IF (register operand) or (CR0.PE = 0) or
		 * (CR4.VMXE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and
		 * CS.L = 0) THEN #UD". A register operand never exits. */
		if (bad_mode || !(c->cr4 & CR4_VMXE))
			return VMX_FAULT_UD;
		if (c->in_vmx)
			return c->cpl ? VMX_FAULT_GP0 : VMX_FAULT_NONE;
		if (c->cpl || c->a20m ||
		    !fixed_ok(c->cr0, c->cr0_fixed0, c->cr0_fixed1) ||
		    !fixed_ok(c->cr4, c->cr4_fixed0, c->cr4_fixed1) ||
		    !(c->feature_control & FEATURE_CONTROL_LOCKED) ||
		    !(c->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
			return VMX_FAULT_GP0;
		return VMX_FAULT_NONE;
	}
	if (!c->in_vmx || bad_mode)
		return VMX_FAULT_UD;
	return c->cpl ? VMX_FAULT_GP0 : VMX_FAULT_NONE;
}

struct vmx_result vmx_fail(uint64_t current_vmcs, unsigned error)
{
	if (current_vmcs == VMCS_PTR_NONE)
		return (struct vmx_result){ VMX_R_FAIL_INVALID, 0 };
	return (struct vmx_result){ VMX_R_FAIL_VALID, error };
}

uint64_t vmx_result_rflags(uint64_t rflags, struct vmx_result r)
{
	rflags &= ~(uint64_t)(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF |
			      RFLAGS_SF | RFLAGS_OF);
	if (r.kind == VMX_R_FAIL_INVALID)
		rflags |= RFLAGS_CF;
	else if (r.kind == VMX_R_FAIL_VALID)
		rflags |= RFLAGS_ZF;
	return rflags;
}

bool vmx_phys_ptr_ok(uint64_t pa, unsigned maxphyaddr)
{
	if (pa & 0xfff)
		return false;
	return maxphyaddr >= 64 || !(pa >> maxphyaddr);
}

struct vmx_result vmx_vmxon(uint64_t ptr, unsigned maxphyaddr,
			    uint32_t region_rev, uint32_t revision)
{
	/* Outside VMX operation there is no current VMCS: VMfailInvalid. */
	if (!vmx_phys_ptr_ok(ptr, maxphyaddr) ||
	    (region_rev & 0x7fffffffu) != revision || (region_rev >> 31))
		return vmx_fail(VMCS_PTR_NONE, 0);
	return vmx_succeed();
}

/* VMCLEAR and VMPTRLD check their pointer alike, with their own error
 * numbers: a bad address first, then the VMXON pointer (30.3). */
static struct vmx_result vmcs_ptr(uint64_t ptr, unsigned maxphyaddr,
				  uint64_t vmxon_ptr, uint64_t current_vmcs,
				  unsigned bad_addr, unsigned is_vmxon)
{
	if (!vmx_phys_ptr_ok(ptr, maxphyaddr))
		return vmx_fail(current_vmcs, bad_addr);
	if (ptr == vmxon_ptr)
		return vmx_fail(current_vmcs, is_vmxon);
	return vmx_succeed();
}

struct vmx_result vmx_vmclear(uint64_t ptr, unsigned maxphyaddr,
			      uint64_t vmxon_ptr, uint64_t current_vmcs)
{
	return vmcs_ptr(ptr, maxphyaddr, vmxon_ptr, current_vmcs, 2, 3);
}

struct vmx_result vmx_vmptrld_ptr(uint64_t ptr, unsigned maxphyaddr,
				  uint64_t vmxon_ptr, uint64_t current_vmcs)
{
	return vmcs_ptr(ptr, maxphyaddr, vmxon_ptr, current_vmcs, 9, 10);
}

struct vmx_result vmx_vmptrld_rev(uint32_t region_rev, uint32_t revision,
				  bool shadowing, uint64_t current_vmcs)
{
	if ((region_rev & 0x7fffffffu) != revision ||
	    ((region_rev >> 31) && !shadowing))
		return vmx_fail(current_vmcs, 11);
	return vmx_succeed();
}

/* IA32_VMX_EPT_VPID_CAP (A.10): bit 25 single-context INVEPT, bit 26
 * all-context; bit 40 individual-address INVVPID, 41 single-context, 42
 * all-context, 43 single-context-retaining-globals. */
bool vmx_invept_type_ok(uint64_t type, uint64_t caps)
{
	if (type == 1)
		return caps & (1ull << 25);
	if (type == 2)
		return caps & (1ull << 26);
	return false;
}

bool vmx_invvpid_type_ok(uint64_t type, uint64_t caps)
{
	return type <= 3 && (caps & (1ull << (40 + type)));
}

bool vmx_invvpid_desc_ok(uint64_t type, uint64_t desc_lo, uint64_t desc_hi,
			 bool la57)
{
	unsigned bits = la57 ? 57 : 48;
	int64_t sext = (int64_t)(desc_hi << (64 - bits)) >> (64 - bits);

	/* 30.3 INVVPID: "IF INVVPID_DESC[63:16] != 0 THEN VMfail". */
	if (desc_lo >> 16)
		return false;
	if (type != 2 && !(desc_lo & 0xffff))
		return false;
	if (type == 0 && (uint64_t)sext != desc_hi)
		return false;
	return true;
}

bool vmx_field_operand_ok(uint64_t reg, bool long_mode)
{
	return !long_mode || !(reg >> 32);
}

#define SEG_SS 2u
#define AR_TYPE(ar) ((ar) & 0xfu)
#define AR_S (1u << 4)
#define AR_B (1u << 14)
#define AR_UNUSABLE (1u << 16)

static bool canonical(uint64_t la, bool la57)
{
	unsigned bits = la57 ? 57 : 48;

	return (uint64_t)((int64_t)(la << (64 - bits)) >> (64 - bits)) == la;
}

enum vmx_mem_fault vmx_mem_operand_fault(unsigned seg, uint32_t ar,
					 uint32_t limit, uint64_t ea,
					 uint64_t la, unsigned size,
					 bool write, bool long_mode,
					 bool la57)
{
	enum vmx_mem_fault f = seg == SEG_SS ? VMX_MEM_SS0 : VMX_MEM_GP0;
	uint64_t last = ea + size - 1, top;
	unsigned type = AR_TYPE(ar);

	if (long_mode) {
		/* Vol. 3A 3.4.5.1 / 5.3.1: no limit or type checks in 64-bit
		 * mode; every byte's address must be canonical. */
		if (!canonical(la, la57) || !canonical(la + size - 1, la57))
			return f;
		return VMX_MEM_OK;
	}
	/* Vol. 3A 5.4.1: a null (unusable) selector for a data access;
	 * system segments cannot be loaded into data registers. */
	if ((ar & AR_UNUSABLE) || !(ar & AR_S))
		return f;
	/* Vol. 3A 3.4.5.1, Table 3-1: code segments: execute-only (bit 1
	 * clear) cannot be read, code is never writable; data segments:
	 * bit 1 = writable. */
	if (type & 8) {
		if (write || !(type & 2))
			return f;
	} else if (write && !(type & 2)) {
		return f;
	}
	/* 5.3: expand-up data or code: offsets 0..limit; expand-down data
	 * (bit 2): limit+1 .. 0xffff (B = 0) or 0xffffffff (B = 1). */
	if (!(type & 8) && (type & 4)) {
		top = (ar & AR_B) ? 0xffffffffull : 0xffffull;
		if (ea <= limit || last > top)
			return f;
	} else if (last > limit) {
		return f;
	}
	return VMX_MEM_OK;
}

bool vmx_eptp_ok(uint64_t eptp, uint64_t caps, unsigned maxphyaddr)
{
	unsigned type = eptp & 7, walk = (eptp >> 3) & 7;

	if (!((type == 0 && (caps & (1ull << 8))) ||
	      (type == 6 && (caps & (1ull << 14)))))
		return false;
	if (!(walk == 3 && (caps & (1ull << 6))) &&
	    !(walk == 4 && (caps & (1ull << 7))))
		return false;
	if ((eptp & (1ull << 6)) && !(caps & (1ull << 21)))
		return false;
	if (eptp & (0x1full << 7))
		return false;
	return maxphyaddr >= 64 || !(eptp >> maxphyaddr);
}
