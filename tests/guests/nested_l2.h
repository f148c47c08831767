/* What the nested suite's L2 tests share (tests/guests/nested_l2.c, which
 * defines all of it, and nested_apic.c): the exit reasons, L2's code
 * conventions, the current L2 VMCS and the checks on its exits, EPT12. */
#ifndef NESTOR_GUESTS_NESTED_L2_H
#define NESTOR_GUESTS_NESTED_L2_H

#include "tests/guests/nested.h"

/* Exit reasons (Appendix C, Table C-1). */
enum {
	XR_EXCEPTION_NMI = 0, XR_TRIPLE_FAULT = 2, XR_INTERRUPT_WINDOW = 7,
	XR_NMI_WINDOW = 8, XR_CPUID = 10, XR_HLT = 12, XR_INVLPG = 14,
	XR_RDPMC = 15, XR_RDTSC = 16, XR_VMCALL = 18, XR_VMLAUNCH = 20,
	XR_VMREAD = 23, XR_VMXOFF = 26, XR_CR_ACCESS = 28, XR_IO = 30,
	XR_RDMSR = 31, XR_WRMSR = 32, XR_TPR_BELOW_THRESHOLD = 43,
	XR_APIC_ACCESS = 44, XR_VIRTUALIZED_EOI = 45, XR_EPT_VIOLATION = 48,
	XR_EPT_MISCONFIG = 49, XR_PREEMPTION_TIMER = 52, XR_APIC_WRITE = 56,
};

/* Interruption-information fields (24.8.3 for VM entry, 24.9.2 for VM
 * exit and IDT vectoring): vector 7:0, type 10:8, error code 11, valid
 * 31. */
#define II_VALID (1U << 31)
#define II_EC (1U << 11)
#define II_TYPE(t) ((uint32_t)(t) << 8)
enum { T_EXT_INT = 0, T_NMI = 2, T_HW_EXC = 3, T_SW_INT = 4, T_SW_EXC = 6 };

#define RFLAGS_IF (1ULL << 9)
#define L2_DONE 0x600d /* RBX of the final VMCALL */

/* L2's code. Each function ends in "VMCALL with RBX = L2_DONE", then a
 * loop of VMCALLs should L1 resume it. Labels inside mark the instructions
 * whose exits the tests expect, to compare GUEST_RIP with. */
#define L2_FN(name) ".globl " #name "\n" #name ":\n\t"
#define L2_LABEL(name) ".globl " #name "\n" #name ":\n\t"
#define L2_END "mov $0x600d, %ebx\n\t1: vmcall\n\tjmp 1b\n\t"

/* EPT entries (28.2.2). */
#define EPT_R 1ULL
#define EPT_W 2ULL
#define EPT_X 4ULL
#define EPT_RWX 7ULL
#define EPT_WB (6ULL << 3) /* memory type in a leaf */
#define EPT_PS (1ULL << 7)

/* L2's handler of every vector (VMCALL with the vector in RBX). */
extern const char l2_isr_vmcall[];
/* The sentinel scan (RSI = start, RDI = end; RAX = where it stopped):
 * its loop head, where the scan goes on from RAX. */
extern const char l2_scan[], l2_scan_next[], l2_scan_end[];

/* L2's general-purpose registers, loaded at entry, stored at exit. */
extern struct rt_l2_regs regs;
extern uint8_t msr_bitmap[PAGE_SIZE];
/* EPT12's page table for [0, 2 MiB) (4 KiB leaves, identity). */
extern uint64_t ept_pt[512];

const char *cur(void);
void w(enum vmcs_field f, uint64_t v);
uint64_t r(enum vmcs_field f);
void set_bits(enum vmcs_field f, uint64_t bits);
void clear_bits(enum vmcs_field f, uint64_t bits);
/* A fresh VMCS for L2 at `code` (baseline, no sentinel), and its end. */
bool l2_setup(const char *code);
void l2_teardown(void);
struct rt_vmx_result l2_go(void);
/* Runs L2; expects exit `reason` with GUEST_RIP at `at` (printed as
 * at_name). */
bool l2_expect(const char *step, uint32_t reason, const char *at, const char *at_name);
bool expect_len(uint64_t want);
bool expect_qual(uint64_t want);
bool expect_field(const char *name, enum vmcs_field f, uint64_t want);
bool expect_delivered(unsigned vector, bool has_ec, uint64_t ec, const void *at);
void skip_insn(void);
bool expect_done(const char *end, const char *end_name);
const struct vmx_msrs *caps(void);
bool proc_allows(uint32_t bits);
bool proc2_allows(uint32_t bits);
bool have_ept(void);
/* EPT12: an identity map of [0, 1 GiB) (4 KiB leaves below 2 MiB),
 * the leaf of one page below 2 MiB, EPT on in the current VMCS, INVEPT. */
void ept_build(void);
uint64_t *ept_pte(const void *p);
bool ept_on(void);
void ept_invalidate(void);

/* The APIC-virtualization tests (nested_apic.c), after the L2 tests. */
size_t nested_apic_count(void);
const char *nested_apic_name(size_t i);
void nested_apic_run(size_t i);
/* The sentinel scan once more per APIC-access address (stop_case=l2_scan). */
bool nested_apic_scan(uint64_t top);

#endif
