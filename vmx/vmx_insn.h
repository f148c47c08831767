/* Inline wrappers for the VMX instructions (SDM Vol. 3C, chapter 30/31).
 *
 * Every VMX instruction reports through RFLAGS (SDM 31.2 "Conventions"):
 * VMsucceed (CF = ZF = 0), VMfailInvalid (CF = 1: no current VMCS),
 * VMfailValid (ZF = 1: the error number is in the VM-instruction error
 * field). Each wrapper returns enum vmx_status; callers must check it. */
#ifndef NESTOR_VMX_VMX_INSN_H
#define NESTOR_VMX_VMX_INSN_H

#include <stdint.h>
#include "arch/x86/extable.h"

enum vmx_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID = 1,
	VMX_FAIL_VALID = 2,
};

/* CF -> FAIL_INVALID, ZF -> FAIL_VALID (setbe/sete collected after the
 * instruction; "cc" clobbered). */
#define VMX_STATUS_FROM_FLAGS(cf, zf)                                       \
	((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : VMX_OK)

/* VMXON may #GP or #UD (wrong CR0/CR4 bits, IA32_FEATURE_CONTROL, bad
 * region) -- SDM 31.3 VMXON "Protected Mode Exceptions". The fault is caught
 * by the exception-fixup table: returns EXTABLE_FAULTED | vector then. */
static inline unsigned vmxon_checked(uint64_t region_pa)
{
	uint64_t rax = 0;
	uint8_t cf, zf;

	__asm__ __volatile__("1: vmxon %[pa]\n\t"
			     "setc %[cf]\n\t"
			     "setz %[zf]\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax), [cf] "=&qm"(cf), [zf] "=&qm"(zf)
			     : [pa] "m"(region_pa)
			     : "cc", "memory");
	if (rax & EXTABLE_FAULTED)
		return (unsigned)rax;
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

#define VMX_INSN_PA(name, insn)                                             \
	static inline enum vmx_status name(uint64_t pa)                     \
	{                                                                   \
		uint8_t cf, zf;                                             \
		__asm__ __volatile__(insn " %[pa]\n\t"                      \
				     "setc %[cf]\n\t"                       \
				     "setz %[zf]\n\t"                       \
				     : [cf] "=qm"(cf), [zf] "=qm"(zf)       \
				     : [pa] "m"(pa)                         \
				     : "cc", "memory");                     \
		return VMX_STATUS_FROM_FLAGS(cf, zf);                       \
	}
VMX_INSN_PA(vmclear, "vmclear")
VMX_INSN_PA(vmptrld, "vmptrld")
#undef VMX_INSN_PA

/* VMCLEAR / VMXOFF for the crash/teardown path (vmx/vmcs_track.c): an NMI
 * may land after an interrupted teardown's VMXOFF, where they raise #UD
 * (SDM Vol. 3C 30.3): caught (arch/x86/extable.h) and returned as
 * EXTABLE_FAULTED | vector, never fatal; else the VMX status. */
static inline unsigned vmclear_checked(uint64_t pa)
{
	uint64_t rax = 0;
	uint8_t cf = 0, zf = 0;

	__asm__ __volatile__("1: vmclear %[pa]\n\t"
			     "setc %[cf]\n\t"
			     "setz %[zf]\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax), [cf] "+qm"(cf), [zf] "+qm"(zf)
			     : [pa] "m"(pa)
			     : "cc", "memory");
	if (rax & EXTABLE_FAULTED)
		return (unsigned)rax;
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline unsigned vmxoff_checked(void)
{
	uint64_t rax = 0;
	uint8_t cf = 0, zf = 0;

	__asm__ __volatile__("1: vmxoff\n\t"
			     "setc %[cf]\n\t"
			     "setz %[zf]\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax), [cf] "+qm"(cf), [zf] "+qm"(zf)
			     :
			     : "cc", "memory");
	if (rax & EXTABLE_FAULTED)
		return (unsigned)rax;
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmxoff(void)
{
	uint8_t cf, zf;

	__asm__ __volatile__("vmxoff\n\tsetc %0\n\tsetz %1"
			     : "=qm"(cf), "=qm"(zf)::"cc", "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmread(uint64_t field, uint64_t *value)
{
	uint8_t cf, zf;

	__asm__ __volatile__("vmread %[f], %[v]\n\tsetc %[cf]\n\tsetz %[zf]"
			     : [v] "=rm"(*value), [cf] "=qm"(cf), [zf] "=qm"(zf)
			     : [f] "r"(field)
			     : "cc");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmwrite(uint64_t field, uint64_t value)
{
	uint8_t cf, zf;

	__asm__ __volatile__("vmwrite %[v], %[f]\n\tsetc %[cf]\n\tsetz %[zf]"
			     : [cf] "=qm"(cf), [zf] "=qm"(zf)
			     : [f] "r"(field), [v] "rm"(value)
			     : "cc", "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

/* INVEPT/INVVPID descriptors (SDM 31.3, Figures 31-1 and 31-2). */
enum invept_type { INVEPT_SINGLE_CONTEXT = 1, INVEPT_ALL_CONTEXT = 2 };
enum invvpid_type {
	INVVPID_ADDRESS = 0,
	INVVPID_SINGLE_CONTEXT = 1,
	INVVPID_ALL_CONTEXT = 2,
	INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS = 3,
};

static inline enum vmx_status invept(enum invept_type type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint8_t cf, zf;

	__asm__ __volatile__("invept %[d], %[t]\n\tsetc %[cf]\n\tsetz %[zf]"
			     : [cf] "=qm"(cf), [zf] "=qm"(zf)
			     : [d] "m"(desc), [t] "r"((uint64_t)type)
			     : "cc", "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status invvpid(enum invvpid_type type, uint16_t vpid,
				      uint64_t la)
{
	struct { uint64_t vpid, la; } desc = { vpid, la };
	uint8_t cf, zf;

	__asm__ __volatile__("invvpid %[d], %[t]\n\tsetc %[cf]\n\tsetz %[zf]"
			     : [cf] "=qm"(cf), [zf] "=qm"(zf)
			     : [d] "m"(desc), [t] "r"((uint64_t)type)
			     : "cc", "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

#endif
