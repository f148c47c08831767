/* Exit reflection (issue 14 item 3): for a VM exit taken while L2 runs,
 * does L1 want it? The CPU L1 believes it runs on would have exited to L1
 * exactly when L1's vmcs12 asks for that exit: SDM Vol. 3C 25.1.2
 * (instructions that always exit), 25.1.3 (instructions that exit by the
 * controls and bitmaps), 25.2 (exceptions, NMIs, external interrupts,
 * INIT, SIPI, triple fault, task switch, 25.3 for CR accesses' masks),
 * 25.5 (VMX-preemption timer, MTF, interrupt/NMI windows, VM functions).
 *
 * One table indexed by basic exit reason (nested/reflect.c) holds a rule
 * per reason; the rules that read more than a control bit (CR access,
 * I/O, MSRs, exceptions, PAUSE, XSAVES, ENCLS, VMREAD/VMWRITE, VMFUNC,
 * EPT, the preemption timer) are small functions beside it.
 *
 * Pure: plain data in, a verdict out. L1's bitmaps live in L1's memory,
 * which is untrusted and may be unreadable: they are reached through the
 * caller's callback, and a failed read is CANNOT_DECIDE (the caller stops
 * L1 honestly rather than guess).
 *
 * What the verdict means for the caller (nested/l2_exit.c):
 *  - REFLECT_TO_L1: L1 asked for this exit; L0 makes it an exit to L1.
 *    If L0 needs the same exit for itself (its own MTF step, its own NMI,
 *    its MSR filter that runs before L1's bitmap), the caller does its own
 *    part first: this decision is only about L1's wish.
 *  - HANDLE_IN_L0: L1 did not ask; L0 handles it and resumes L2 (an
 *    exception goes back into L2, an instruction L1's controls make #UD
 *    gets its #UD, an EPT02 miss is filled).
 *  - CANNOT_DECIDE: a bitmap could not be read, the exit information is
 *    not one a CPU gives, or a feature not modelled yet ("part 3"). */
#ifndef NESTOR_NESTED_REFLECT_H
#define NESTOR_NESTED_REFLECT_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmcs_layout.h"

enum reflect_verdict { REFLECT_TO_L1, HANDLE_IN_L0, CANNOT_DECIDE };

struct reflect_decision {
	enum reflect_verdict verdict;
	const char *why;  /* static text for the log, with the SDM section */
};

/* The exit as the CPU reported it on vmcs02, with the L2 state the rules
 * read. gpr[] uses the architectural numbering (0 RAX, 1 RCX, 2 RDX,
 * 3 RBX, 4 RSP ... 15 R15). */
struct reflect_exit {
	uint32_t reason;        /* exit-reason field, full (24.9.1) */
	uint64_t qual;          /* exit qualification (27.2.1) */
	uint32_t intr_info;     /* VM-exit interruption information (27.2.2) */
	uint32_t intr_error;    /* VM-exit interruption error code */
	uint32_t insn_info;     /* VM-exit instruction information (27.2.5) */
	uint64_t gpr[16];
	uint64_t xss;           /* L2's IA32_XSS (XSAVES/XRSTORS) */
	unsigned cpl;           /* L2's CPL (PAUSE-loop exiting) */
	bool long_mode;         /* L2 runs 64-bit code (IA-32e and CS.L):
				 * register operands are 64-bit, else 32 */
	bool l1_timer_expired;  /* VMX-preemption timer exit: L1's emulated
				 * timer value reached zero (not only L0's) */
};

/* L1's bitmaps, by the vmcs12 field that gives their address. */
enum reflect_bitmap {
	REFLECT_BM_IO_A,      /* IO_BITMAP_A: ports 0000-7FFF (24.6.4) */
	REFLECT_BM_IO_B,      /* IO_BITMAP_B: ports 8000-FFFF */
	REFLECT_BM_MSR,       /* MSR_BITMAP (24.6.9) */
	REFLECT_BM_VMREAD,    /* VMREAD_BITMAP (24.6.15) */
	REFLECT_BM_VMWRITE,   /* VMWRITE_BITMAP */
};

/* Who owns an EPT violation or misconfiguration while L1 uses EPT for
 * L2: the caller walks EPT12 (L1's tables) and EPT01. */
enum reflect_ept_owner {
	REFLECT_EPT_UNKNOWN,  /* not known: CANNOT_DECIDE */
	REFLECT_EPT_L1,       /* the fault is in EPT12: L1's exit */
	REFLECT_EPT_L0,       /* EPT12 allows it: an EPT02 miss or EPT01's */
};

struct reflect_ops {
	void *ctx;
	/* Byte `offset` (0-4095) of L1's 4-KByte bitmap `which`, whose
	 * guest-physical address (as L1 wrote it in vmcs12) is `page`.
	 * false: it could not be read (CANNOT_DECIDE). NULL: never readable. */
	bool (*read_bitmap)(void *ctx, enum reflect_bitmap which,
			    uint64_t page, unsigned offset, uint8_t *byte);
	/* The hook for EPT violations/misconfigurations when L1 uses EPT.
	 * NULL: REFLECT_EPT_UNKNOWN. */
	enum reflect_ept_owner (*ept_fault_owner)(void *ctx,
						   const struct reflect_exit *e);
};

/* THE decision: does L1 want exit `e`, by `v12`'s controls and bitmaps?
 * Deterministic for the same inputs and callback answers. */
struct reflect_decision nested_reflect_exit(const struct vmcs12 *v12,
					    const struct reflect_exit *e,
					    const struct reflect_ops *ops);

/* The rows also used on their own (issue 14 items 6 and 7: exceptions L0
 * raises for L2, and L2's MSR accesses after L0's filter). */

/* An exception of `vector` with error code `pfec` (for #PF) exits to L1:
 * the exception-bitmap bit, for #PF XORed with the PFEC mask/match test
 * (25.2). */
bool reflect_exception_wanted(const struct vmcs12 *v12, unsigned vector,
			      uint32_t pfec);

/* RDMSR (write false) or WRMSR (true) of `msr` (ECX) exits to L1 (25.1.3,
 * 24.6.9). */
struct reflect_decision reflect_msr(const struct vmcs12 *v12, uint32_t msr,
				    bool write, const struct reflect_ops *ops);

/* An I/O access of `size` bytes (1, 2 or 4) at `port` exits to L1 (25.1.3,
 * 24.6.4). */
struct reflect_decision reflect_io(const struct vmcs12 *v12, uint16_t port,
				   unsigned size, const struct reflect_ops *ops);

const char *reflect_verdict_name(enum reflect_verdict v);

#endif
