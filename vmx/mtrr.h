/* The guest's MTRRs, virtualized (pure: unit tested).
 *
 * A guest's WRMSR to an MTRR never reaches the CPU: the real MTRRs also
 * give Nestor's own memory its type, and the VMCS, the EPT tables and the
 * VMXON region must have the type IA32_VMX_BASIC reports (SDM Vol. 3C,
 * 24.11.4 and Appendix A.1). Under EPT the guest's MTRRs do not decide the
 * memory type of its accesses anyway: the EPT memory type takes their
 * place (Vol. 3C 28.3.7.2; Nestor maps RAM write-back, the rest uncached).
 * So, as KVM does, the guest gets a copy: it reads back what it wrote, with
 * the CPU's checks (Vol. 3A 11.11): reserved bits and invalid memory types
 * raise #GP(0), as do the variable ranges beyond IA32_MTRRCAP.VCNT, the
 * fixed ranges without IA32_MTRRCAP.FIX, and every write to IA32_MTRRCAP.
 * The copy starts as the CPU's MTRRs (what the firmware set up), without
 * address bits at or above the guest's MAXPHYADDR.
 *
 * State owner: struct vcpu's `mtrr`, written only by vmx/exit_msr.c (and
 * initialised at launch by vmx/vmx_start.c). */
#ifndef NESTOR_VMX_MTRR_H
#define NESTOR_VMX_MTRR_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_MTRRCAP 0xfe
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_VAR_LAST 0x21f     /* PHYSMASK15: the most MTRRCAP.VCNT
				     * Nestor keeps */
#define MSR_MTRR_FIX64K_00000 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000 0x268
#define MSR_MTRR_FIX4K_F8000 0x26f
#define MSR_MTRR_DEF_TYPE 0x2ff

#define MTRRCAP_VCNT 0xffull        /* 11.11.1, Figure 11-5 */
#define MTRRCAP_FIX (1ull << 8)
#define MTRRCAP_WC (1ull << 10)
#define MTRR_MAX_VAR 16
#define MTRR_NFIXED 11

struct mtrr_state {
	bool present;                 /* CPUID.01H:EDX.MTRR[bit 12] */
	uint64_t cap;                 /* IA32_MTRRCAP, VCNT capped at 16 */
	uint64_t def_type;
	uint64_t fixed[MTRR_NFIXED];  /* 0x250, 0x258, 0x259, 0x268-0x26f */
	uint64_t var[2 * MTRR_MAX_VAR]; /* PHYSBASE0, PHYSMASK0, ... */
};

/* An MTRR MSR index (whether or not this CPU has it): the ones
 * vmx/msr_policy.c hands to this file. */
bool mtrr_msr(uint32_t msr);

/* Reads one of the CPU's MTRRs; false if it faulted. */
typedef bool (*mtrr_rdmsr_fn)(uint32_t msr, uint64_t *val);

/* The guest's starting copy: the CPU's MTRRs through rd (present = the CPU
 * has MTRRs), with bits at and above maxphyaddr cleared from the variable
 * ranges. False if rd failed for an MTRR the CPU reports. */
bool mtrr_init(struct mtrr_state *m, bool present, mtrr_rdmsr_fn rd,
	       unsigned maxphyaddr);

/* RDMSR/WRMSR of an MTRR MSR (mtrr_msr()). False: #GP(0). */
bool mtrr_read(const struct mtrr_state *m, uint32_t msr, uint64_t *val);
bool mtrr_write(struct mtrr_state *m, uint32_t msr, uint64_t val,
		unsigned maxphyaddr);

#endif
