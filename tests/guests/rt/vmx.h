/* The test guests' VMX instructions (an L1 test VMM, tests/guests/nested.c):
 * every wrapper runs its instruction under rt_catch() with RFLAGS preset to
 * rt_vmx_flags_in and returns the outcome exactly (SDM Vol. 3C, 31.2
 * "Conventions"): VMsucceed (CF = ZF = 0), VMfailInvalid (CF = 1),
 * VMfailValid (ZF = 1, the VM-instruction error read back), or the
 * exception the CPU raised (vector, error code, CR2), with the full RFLAGS
 * after the instruction. VMLAUNCH/VMRESUME may also end in a VM exit
 * (an entry failure, 26.7/26.8): the exit reason and qualification.
 * Fields are named by the vmx/vmcs_layout.h enum (VMCS_GUEST_RIP, ...). */
#ifndef NESTOR_GUESTS_RT_VMX_H
#define NESTOR_GUESTS_RT_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "tests/guests/rt/traps.h"
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_msrs.h"

enum rt_vmx_kind {
	RT_VMX_SUCCEED,      /* VMsucceed */
	RT_VMX_FAIL_INVALID, /* VMfailInvalid: CF = 1 */
	RT_VMX_FAIL_VALID,   /* VMfailValid: ZF = 1, error in .error */
	RT_VMX_EXCEPTION,    /* the instruction faulted: .exc */
	RT_VMX_EXIT,         /* VMLAUNCH/VMRESUME ended in a VM exit */
};

struct rt_vmx_result {
	enum rt_vmx_kind kind;
	uint32_t error;          /* FAIL_VALID: VM-instruction error (30-1) */
	uint32_t exit_reason;    /* EXIT: the exit-reason field, bit 31 too */
	uint64_t exit_qual;      /* EXIT: the exit qualification */
	uint64_t rflags;         /* after the instruction (not EXCEPTION) */
	uint64_t value;          /* VMREAD's value, VMPTRST's pointer */
	struct rt_exception exc; /* EXCEPTION */
};

/* RFLAGS bits (SDM Vol. 1, 3.4.3). */
#define RT_RFLAGS_CF (1UL << 0)
#define RT_RFLAGS_FIXED1 (1UL << 1)
#define RT_RFLAGS_PF (1UL << 2)
#define RT_RFLAGS_AF (1UL << 4)
#define RT_RFLAGS_ZF (1UL << 6)
#define RT_RFLAGS_SF (1UL << 7)
#define RT_RFLAGS_OF (1UL << 11)
#define RT_RFLAGS_ARITH (RT_RFLAGS_CF | RT_RFLAGS_PF | RT_RFLAGS_AF | \
			 RT_RFLAGS_ZF | RT_RFLAGS_SF | RT_RFLAGS_OF)

/* RFLAGS loaded (POPFQ) right before each instruction; IF stays 0.
 * Default RT_RFLAGS_FIXED1. */
extern uint64_t rt_vmx_flags_in;

/* Memory operands: each takes the operand's address (the 64-bit pointer
 * VMXON/VMCLEAR/VMPTRLD read, where VMPTRST stores). */
struct rt_vmx_result rt_vmxon_m(const uint64_t *op);
struct rt_vmx_result rt_vmclear_m(const uint64_t *op);
struct rt_vmx_result rt_vmptrld_m(const uint64_t *op);
struct rt_vmx_result rt_vmptrst_m(uint64_t *op);
/* The same with the physical address as the value (an operand on the
 * stack). rt_vmptrst() returns the pointer stored in .value. */
struct rt_vmx_result rt_vmxon(uint64_t pa);
struct rt_vmx_result rt_vmclear(uint64_t pa);
struct rt_vmx_result rt_vmptrld(uint64_t pa);
struct rt_vmx_result rt_vmptrst(void);
struct rt_vmx_result rt_vmxoff(void);
/* Register operands; field is the full 64-bit operand (bits 63:32 too). */
struct rt_vmx_result rt_vmread(uint64_t field);
struct rt_vmx_result rt_vmwrite(uint64_t field, uint64_t value);
/* Memory operands for VMREAD (destination) and VMWRITE (source). */
struct rt_vmx_result rt_vmread_m(uint64_t field, uint64_t *dst);
struct rt_vmx_result rt_vmwrite_m(uint64_t field, const uint64_t *src);
/* desc: the 128-bit descriptor (31.3 INVEPT/INVVPID). */
struct rt_vmx_result rt_invept(uint64_t type, const void *desc);
struct rt_vmx_result rt_invvpid(uint64_t type, const void *desc);
/* VMLAUNCH/VMRESUME with HOST_RSP/HOST_RIP written first (to a landing
 * pad that returns here on a VM exit); rt_vmlaunch_movss executes MOV SS
 * right before VMLAUNCH (blocking by MOV SS, error 26). */
struct rt_vmx_result rt_vmlaunch(void);
struct rt_vmx_result rt_vmresume(void);
struct rt_vmx_result rt_vmlaunch_movss(void);

/* L2's general-purpose registers but RSP (rt_vmx_run_l2). The layout is
 * rt/vmx.c's entry stub's: do not reorder. */
struct rt_l2_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Runs L2: VMLAUNCH (launch) or VMRESUME of the current VMCS, with
 * HOST_RSP/HOST_RIP written first and L2's registers loaded from *regs.
 * On a VM exit (kind RT_VMX_EXIT: the exit reason and qualification) the
 * registers L2 left are stored back into *regs; a VMfail or an exception
 * is reported as for rt_vmlaunch(). RSP, RIP and RFLAGS are the VMCS's
 * (GUEST_RSP, ...); the caller restores what the exit's host-state load
 * does not give back (GDTR/IDTR limits are restored here, 27.5.2). */
struct rt_vmx_result rt_vmx_run_l2(bool launch, struct rt_l2_regs *regs);

/* Runs one VMX instruction in a form of the caller's own (an addressing
 * form, a segment override): fn loads flags_in (POPFQ), executes the
 * instruction and stores RFLAGS (PUSHFQ) into *flags_out; the outcome is
 * decoded as for the wrappers above. */
typedef void (*rt_vmx_insn_fn)(void *arg, uint64_t flags_in, uint64_t *flags_out);
struct rt_vmx_result rt_vmx_run(rt_vmx_insn_fn fn, void *arg);

/* Runs fn (a short function: rt_user_call's rules) at CPL 3 with RFLAGS
 * preset; the outcome as above (an exception, or the flags it left). */
struct rt_vmx_result rt_vmx_user(void (*fn)(void *));

/* VMREAD/VMWRITE that fail the running test on anything but VMsucceed. */
uint64_t rt_vmcs_read(enum vmcs_field f);
void rt_vmcs_write(enum vmcs_field f, uint64_t v);

/* This VMM's own machine state, for a VMCS whose host is this VMM and
 * whose guest is the same state in 64-bit mode (the runtime's page tables,
 * GDT, IDT and TSS). */
struct rt_vmx_self {
	uint64_t cr0, cr3, cr4, efer, pat, tr_base;
	struct descriptor_table_ptr gdtr, idtr;
};

/* Reads the state above; call it after the TSS is loaded (rt_user_call()
 * loads it, rt/user.c): TR_BASE comes from its GDT descriptor. */
void rt_vmx_self_capture(struct rt_vmx_self *s);

/* Writes, through write(field, value), the host-state area as this VMM
 * (26.2.2, 26.2.3: CR0/CR3/CR4, the runtime's selectors, TR/GDTR/IDTR
 * bases, FS/GS bases and SYSENTER MSRs 0) and the guest-state area as the
 * same machine state in 64-bit mode (26.3.1), with GUEST_RIP = rip and
 * GUEST_RSP = rsp. Not written: the controls, the IA32_EFER, IA32_PAT and
 * IA32_PERF_GLOBAL_CTRL fields, HOST_RSP/HOST_RIP. */
void rt_vmx_self_write(const struct rt_vmx_self *s, uint64_t rip, uint64_t rsp,
		       void (*write)(enum vmcs_field f, uint64_t v));

/* "VMsucceed", "VMfailInvalid", "VMfailValid 7", "#GP(0x0)",
 * "exit 0x80000022 qual 0x1" into buf; then " rflags=0x..." for the
 * first three. Only outcomes: nothing an L0 may legitimately change. */
void rt_vmx_describe(const struct rt_vmx_result *r, char *buf, size_t len);

/* The capability MSRs (rdmsr; vmx/vmx_msrs.h layout). */
void rt_vmx_read_msrs(struct vmx_msrs *m);
/* Control value: `want` plus the bits that must be 1, with the bits that
 * must be 0 dropped, from a capability MSR (A.3-A.5: allowed-0 settings in
 * bits 31:0, allowed-1 in 63:32). The TRUE MSR when BASIC[55] is set. */
uint32_t rt_vmx_ctl(uint64_t cap, uint32_t want);
/* True when every bit of `bits` may be 1 in this control. */
bool rt_vmx_ctl_allows(uint64_t cap, uint32_t bits);
/* True when every bit of `bits` may be 0 in this control. */
bool rt_vmx_ctl_may_clear(uint64_t cap, uint32_t bits);

/* CPUID.1:ECX.VMX (23.6). */
bool rt_vmx_supported(void);

/* A 4 KiB, page-aligned region from a static pool, zeroed, with
 * `revision` in its first dword (pass 0 for a plain page). NULL when the
 * pool is used up. Identity-mapped: its address is its physical address. */
void *rt_vmx_page(uint32_t revision);

#endif
