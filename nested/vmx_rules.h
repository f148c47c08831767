/* The rules of the VMX instructions as an L1 hypervisor executes them
 * (SDM Vol. 3C chapter 30, each instruction's "Operation" and its
 * exceptions; 30.2 for the VMsucceed/VMfail conventions), as pure functions
 * over a modelled CPU state. Nested VMX (nested/vmx_ops.c) runs them in the
 * SDM's order: the fault checks first (vmx_insn_fault()), then the
 * per-instruction outcome. Unit-tested on the host. */
#ifndef NESTOR_NESTED_VMX_RULES_H
#define NESTOR_NESTED_VMX_RULES_H

#include <stdbool.h>
#include <stdint.h>

enum vmx_insn {
	VMX_INSN_VMXON, VMX_INSN_VMXOFF, VMX_INSN_VMCLEAR, VMX_INSN_VMPTRLD,
	VMX_INSN_VMPTRST, VMX_INSN_VMREAD, VMX_INSN_VMWRITE,
	VMX_INSN_VMLAUNCH, VMX_INSN_VMRESUME, VMX_INSN_INVEPT,
	VMX_INSN_INVVPID, VMX_INSN_COUNT,
};

/* The instruction a VM exit reports (basic exit reasons 18-27, 50, 53:
 * SDM Vol. 3D Appendix C); VMX_INSN_COUNT for any other reason. */
enum vmx_insn vmx_insn_of_exit(unsigned basic_reason);
const char *vmx_insn_name(enum vmx_insn i);

/* L1's state when the instruction runs, as L1 itself sees it (CR0/CR4
 * are the guest-visible values, feature_control the emulated MSR). */
struct vmx_insn_cpu {
	uint64_t cr0, cr4, rflags, efer;
	bool cs_l;               /* CS.L: 64-bit code segment */
	unsigned cpl;
	bool in_vmx;             /* after VMXON, before VMXOFF */
	bool a20m;               /* A20M mode: the A20 gate masks bit 20 */
	uint64_t feature_control;
	/* From the capability MSRs L1 was shown. */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool invept, invvpid;    /* the instructions exist (A.10) */
};

enum vmx_insn_fault { VMX_FAULT_NONE, VMX_FAULT_UD, VMX_FAULT_GP0 };

/* The #UD and #GP(0) checks that come before anything else the
 * instruction does, in the SDM's order ("IF (not in VMX operation) or
 * (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN
 * #UD ... ELSIF CPL > 0 THEN #GP(0)"). For VMXON outside VMX operation the
 * #UD test is on CR4.VMXE instead, and #GP(0) also covers A20M, the CR0/CR4
 * fixed bits and IA32_FEATURE_CONTROL (30.3 VMXON). VMXON inside VMX
 * operation passes here and fails with VMfailValid 15 (vmx_vmxon_in_vmx). */
enum vmx_insn_fault vmx_insn_fault(enum vmx_insn i, const struct vmx_insn_cpu *c);

/* The outcome of an instruction that did not fault (30.2). */
enum vmx_result_kind { VMX_R_SUCCEED, VMX_R_FAIL_INVALID, VMX_R_FAIL_VALID };
struct vmx_result {
	enum vmx_result_kind kind;
	unsigned error;          /* VM-instruction error (Table 30-1) */
};

/* The current-VMCS pointer value that means "none" (30.3 VMXON). */
#define VMCS_PTR_NONE (~0ull)

/* VMfail(error): VMfailValid when there is a current VMCS, otherwise
 * VMfailInvalid (30.2, "VMfail"). */
struct vmx_result vmx_fail(uint64_t current_vmcs, unsigned error);
static inline struct vmx_result vmx_succeed(void)
{
	return (struct vmx_result){ VMX_R_SUCCEED, 0 };
}

/* RFLAGS after the instruction (30.2): CF, PF, AF, ZF, SF and OF cleared,
 * then CF = 1 for VMfailInvalid or ZF = 1 for VMfailValid. */
uint64_t vmx_result_rflags(uint64_t rflags, struct vmx_result r);

/* A VMXON region or VMCS pointer: 4-KByte aligned and no bit set at or
 * above the physical-address width (30.3 VMXON/VMCLEAR/VMPTRLD). */
bool vmx_phys_ptr_ok(uint64_t pa, unsigned maxphyaddr);

/* VMXON outside VMX operation, after its memory operand was read:
 * VMfailInvalid for a bad pointer or a revision identifier (bits 30:0)
 * other than `revision` or with bit 31 set; else VMsucceed (30.3). */
struct vmx_result vmx_vmxon(uint64_t ptr, unsigned maxphyaddr,
			    uint32_t region_rev, uint32_t revision);

/* VMCLEAR: error 2 (bad pointer), 3 (the VMXON pointer), else succeed. */
struct vmx_result vmx_vmclear(uint64_t ptr, unsigned maxphyaddr,
			      uint64_t vmxon_ptr, uint64_t current_vmcs);

/* VMPTRLD before reading the region: error 9 (bad pointer), 10 (the VMXON
 * pointer); then with the region's first dword, error 11 for a revision
 * other than `revision`, or bit 31 set (a shadow VMCS) when "VMCS
 * shadowing" may not be 1 for L1 (30.3 VMPTRLD). */
struct vmx_result vmx_vmptrld_ptr(uint64_t ptr, unsigned maxphyaddr,
				  uint64_t vmxon_ptr, uint64_t current_vmcs);
struct vmx_result vmx_vmptrld_rev(uint32_t region_rev, uint32_t revision,
				  bool shadowing, uint64_t current_vmcs);

/* INVEPT (30.3): `type` from the register operand, `caps` the
 * IA32_VMX_EPT_VPID_CAP L1 was shown. Error 28 for a type not supported
 * (bits 25, 26: single-context, all-context). For single-context, the
 * EPTP of the descriptor must also be one a VM entry would accept
 * (eptp_ok, 26.2.1.1); the caller decides that. */
bool vmx_invept_type_ok(uint64_t type, uint64_t caps);
/* INVVPID (30.3): types 0-3 with caps bits 40-43; error 28 for an
 * unsupported type, descriptor bits 63:16 not zero, VPID 0 for types 0, 1
 * and 3, or a non-canonical address for type 0 (la57: 57-bit). */
bool vmx_invvpid_type_ok(uint64_t type, uint64_t caps);
bool vmx_invvpid_desc_ok(uint64_t type, uint64_t desc_lo, uint64_t desc_hi,
			 bool la57);

/* VMREAD/VMWRITE field encoding from a register (30.3): in 64-bit mode
 * bits 63:32 must be 0, else the component is unsupported (error 12). */
bool vmx_field_operand_ok(uint64_t reg, bool long_mode);


/* A data access of `size` bytes at effective address `ea` through segment
 * `seg` (0 ES ... 5 GS) with the segment's access rights `ar` (VMCS
 * format: type 3:0, S 4, P 7, E/B 14, unusable 16) and limit, giving
 * linear address `la`: the fault a CPU raises before paging (Vol. 3A
 * 3.4.5.1, 5.3, 5.4; Vol. 1 3.3.7.1 canonical addresses). In 64-bit mode
 * only the canonical check; elsewhere a null/unusable segment, a type
 * that forbids the access and the limit (expand-down aware). The fault
 * is #SS(0) for SS, #GP(0) otherwise. */
enum vmx_mem_fault { VMX_MEM_OK, VMX_MEM_GP0, VMX_MEM_SS0 };
enum vmx_mem_fault vmx_mem_operand_fault(unsigned seg, uint32_t ar,
					 uint32_t limit, uint64_t ea,
					 uint64_t la, unsigned size,
					 bool write, bool long_mode,
					 bool la57);

/* An EPTP as INVEPT's single-context type and VM entry accept it
 * (26.2.1.1, 24.6.11): memory type UC or WB as IA32_VMX_EPT_VPID_CAP
 * allows (bits 8, 14), a 4-level walk (bits 5:3 = 3; 5 levels when bit 7
 * allows), accessed/dirty flags only with bit 21, bits 11:7 and from the
 * physical-address width up clear. */
bool vmx_eptp_ok(uint64_t eptp, uint64_t caps, unsigned maxphyaddr);

#endif
