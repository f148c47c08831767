/* CPUID (always exits in VMX non-root operation, SDM Vol. 3C, 25.1.2):
 * the real CPU's answer, with the hypervisor-present bit set, Nestor's leaf
 * 0x40000000, the OS-enabled bits (OSXSAVE, OSPKE) following the guest's
 * CR4, not Nestor's, and hidden:
 *  - VMX (until nested VMX lands) and SMX (CR4.SMXE is Nestor's);
 *  - DS/DTES64 and Intel PT (leaf 7 EBX[25], leaf 0x14): their buffers take
 *    host-physical or host-linear addresses that would reach Nestor's
 *    memory; the MSRs give #GP (vmx/msr_policy.c);
 *  - WAITPKG and PCONFIG unless their VM-execution controls are on (those
 *    instructions #UD in VMX non-root operation otherwise, 25.3). */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "vmx/hypercall_abi.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

#define CPUID_1_ECX_DTES64 (1u << 2)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_EDX_DS (1u << 21)
#define CPUID_7_EBX_PT (1u << 25)
#define CPUID_7_ECX_WAITPKG (1u << 5)
#define CPUID_7_EDX_PCONFIG (1u << 18)
#define CPUID_LEAF_PT 0x14
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_7_ECX_OSPKE (1u << 4)
#define CPUID_LEAF_ADDR_SIZES 0x80000008u

static void set_bit_if(uint32_t *reg, uint32_t bit, bool on)
{
	*reg = on ? (*reg | bit) : (*reg & ~bit);
}

void handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs->rax, sub = (uint32_t)v->regs->rcx;
	struct cpuid_regs r;

	if (leaf == NESTOR_CPUID_LEAF) {
		/* "NestorNestor" in EBX, ECX, EDX. */
		static const char sig[12] = NESTOR_CPUID_SIGNATURE;
		__builtin_memcpy(&r.ebx, sig, 4);
		__builtin_memcpy(&r.ecx, sig + 4, 4);
		__builtin_memcpy(&r.edx, sig + 8, 4);
		r.eax = NESTOR_CPUID_MAX_LEAF;
	} else {
		r = cpuid(leaf, sub);
		/* Only leaves 1 and 7 need the guest's CR4 (two VMREADs):
		 * keep the other leaves on the short path. */
		if (leaf == 1) {
			/* VMX stays with nested=on (nested/). */
			r.ecx &= ~(CPUID_1_ECX_SMX | CPUID_1_ECX_DTES64 |
				   (v->vm->nested ? 0 : CPUID_1_ECX_VMX));
			r.ecx |= CPUID_1_ECX_HYPERVISOR;
			r.edx &= ~CPUID_1_EDX_DS;
			set_bit_if(&r.ecx, CPUID_1_ECX_OSXSAVE,
				   guest_visible_cr4(v) & CR4_OSXSAVE);
		} else if (leaf == 7 && sub == 0) {
			uint32_t proc2 = v->cfg->ctl[VMX_PROC2];

			r.ebx &= ~CPUID_7_EBX_PT;
			set_bit_if(&r.ecx, CPUID_7_ECX_WAITPKG,
				   (r.ecx & CPUID_7_ECX_WAITPKG) &&
				   (proc2 & PROC2_USER_WAIT_PAUSE));
			set_bit_if(&r.edx, CPUID_7_EDX_PCONFIG,
				   (r.edx & CPUID_7_EDX_PCONFIG) &&
				   (proc2 & PROC2_ENABLE_PCONFIG));
			set_bit_if(&r.ecx, CPUID_7_ECX_OSPKE,
				   guest_visible_cr4(v) & CR4_PKE);
		} else if (leaf == 0xd && sub == 1) {
			/* Supported IA32_XSS bits: no PT state (bit 8). */
			r.ecx &= ~(uint32_t)XSS_PT;
		} else if (leaf == 7 && sub == 1 && v->vm->reduced_width) {
			/* LAM (EAX[26]) puts bits 62:61 in CR3, which a
			 * reduced width treats as reserved (mm/phys_width.h). */
			r.eax &= ~(1u << 26);
		} else if (leaf == CPUID_LEAF_ADDR_SIZES) {
			/* EAX[7:0]: physical-address width (SDM Vol. 3A
			 * 4.1.4); guest_maxphyaddr may make it smaller. */
			r.eax = (r.eax & ~0xffu) | v->vm->maxphyaddr;
		} else if (leaf == CPUID_LEAF_PT) {
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
		}
	}
	/* 32-bit results zero-extend into the 64-bit registers. */
	v->regs->rax = r.eax;
	v->regs->rbx = r.ebx;
	v->regs->rcx = r.ecx;
	v->regs->rdx = r.edx;
	skip_instruction(v);
}
