/* The nested suite (tests/guests/nested.c, nested_entry.c): an L1 test
 * VMM whose printed lines are the same on any correct L0. Shared between
 * the instruction tests and the VM-entry checks. */
#ifndef NESTOR_GUESTS_NESTED_H
#define NESTOR_GUESTS_NESTED_H

#include "tests/guests/rt/rt.h"
#include "tests/guests/rt/vmx.h"

/* An expected outcome: kind, then the VM-instruction error (FAIL_VALID)
 * or the exit reason (EXIT), the exit qualification, the exception vector
 * and error code (EXCEPTION). */
struct want {
	enum rt_vmx_kind kind;
	uint32_t num;
	uint64_t qual;
	int vector;
	uint64_t ec;
};

#define W_OK ((struct want){ RT_VMX_SUCCEED, 0, 0, 0, 0 })
#define W_INVALID ((struct want){ RT_VMX_FAIL_INVALID, 0, 0, 0, 0 })
#define W_VALID(n) ((struct want){ RT_VMX_FAIL_VALID, (n), 0, 0, 0 })
#define W_EXC(v, e) ((struct want){ RT_VMX_EXCEPTION, 0, 0, (v), (e) })
#define W_EXIT(r, q) ((struct want){ RT_VMX_EXIT, (r), (q), 0, 0 })

/* VM-instruction error numbers (SDM Vol. 3C, 30.4, Table 30-1). */
enum {
	VMXERR_VMCLEAR_BAD_ADDR = 2,
	VMXERR_VMCLEAR_VMXON_PTR = 3,
	VMXERR_VMLAUNCH_NOT_CLEAR = 4,
	VMXERR_VMRESUME_NOT_LAUNCHED = 5,
	VMXERR_ENTRY_BAD_CONTROLS = 7,
	VMXERR_ENTRY_BAD_HOST = 8,
	VMXERR_VMPTRLD_BAD_ADDR = 9,
	VMXERR_VMPTRLD_VMXON_PTR = 10,
	VMXERR_VMPTRLD_BAD_REVISION = 11,
	VMXERR_UNSUPPORTED_FIELD = 12,
	VMXERR_READ_ONLY_FIELD = 13,
	VMXERR_VMXON_IN_ROOT = 15,
	VMXERR_ENTRY_MOV_SS = 26,
	VMXERR_INVALID_INVEPT_INVVPID = 28,
};

/* Exit reasons with bit 31 (VM-entry failure, 26.7, Appendix C). */
#define EXIT_FAIL_GUEST_STATE 0x80000021u /* 33 */
#define EXIT_FAIL_MSR_LOAD 0x80000022u    /* 34 */

/* What the L0 is: l0=bochs (bare Bochs, the CPU with its known
 * deviations, docs/bochs-deviations.md) or l0=sdm (the default: an L0
 * that follows the SDM, such as Nestor). */
extern bool nested_l0_bochs;

extern struct vmx_msrs nested_caps;
extern uint32_t nested_revision;   /* IA32_VMX_BASIC[30:0] */
extern unsigned nested_maxphyaddr; /* the width physical pointers obey */
extern uint64_t *nested_vmxon_region;
/* VMCS regions A (current during most tests) and B, a plain page, and
 * the page whose mapping the memory-operand tests change. */
extern uint64_t *nested_vmcs_a, *nested_vmcs_b, *nested_scratch, *nested_mem_page;

static inline uint64_t pa(const void *p)
{
	return (uint64_t)p; /* identity-mapped (rt/paging.h) */
}


/* Prints "nested: <test>: <outcome>" and checks the outcome against w,
 * with the exact RFLAGS of 31.2 for VMsucceed and VMfail (the arithmetic
 * flags cleared but the one that reports, the others as preset). */
void nested_expect(const struct rt_vmx_result *r, struct want w);
/* The name of the running test (for the line above). */
extern const char *nested_current;

static inline void expect(struct rt_vmx_result r, struct want w)
{
	nested_expect(&r, w);
}

/* The memory-operand tests (nested_mem.c), with A current. */
void test_mem_vmptrst_sib(void);
void test_mem_vmptrld_rip_relative(void);
void test_mem_vmclear_addr32(void);
void test_mem_vmread_fs_base(void);
void test_mem_vmwrite_gs_base(void);
void test_mem_vmptrld_not_present_pf(void);
void test_mem_vmwrite_not_present_pf(void);
void test_mem_vmptrst_read_only_pf(void);
void test_mem_vmread_read_only_pf(void);
void test_mem_vmclear_noncanonical_gp(void);
void test_mem_vmptrld_ss_noncanonical_ss(void);
void test_mem_vmxon_in_root_noncanonical(void);

/* The VM-entry check cases (nested_entry.c). */
size_t nested_entry_count(void);
const char *nested_entry_name(size_t i);
void nested_entry_run(size_t i);
/* Fills the current VMCS with the valid baseline, host = this VMM. */
void nested_entry_baseline(void);
/* stop_case=: see tests/guests/nested_entry.c. */
void nested_stop_case(const char *what);
void test_entry_fail_keeps_intr_info(void);
/* For the L2 tests: `vmcs` (a page-aligned region) cleared, made current
 * and filled with the baseline above, sentinel included; and what
 * restores this VMM's state after a VM exit or entry failure (27.5). */
bool nested_entry_setup_vmcs(uint64_t *vmcs);
void nested_restore_host(void);

/* The L2 tests (nested_l2.c): L2 runs code of this image, and each exit
 * comes back here. */
size_t nested_l2_count(void);
/* stop_case=l0_gp: Nestor's MSR filter #GP for L2, routed by L1's bitmap. */
void nested_l2_l0_gp(void);
/* stop_case=l2_scan: L2 finds no trace of Nestor's memory. */
void nested_l2_scan(void);
/* stop_case=l2_gdb: L2 spins until GDB, stopped in it, lets it go. */
void nested_l2_gdb(void);
/* stop_case=l2_shell: L2 spins until Nestor's shell stopped it. */
void nested_l2_shell(void);
/* stop_case=l2_gdb_l1bp: L1's breakpoint holds across L2's run. */
void nested_l2_gdb_l1bp(void);
/* stop_case=l2_maxphy: a reduced MAXPHYADDR's RSVD #PF in L2, routed. */
void nested_l2_maxphy(void);
/* stop_case=l2_write_hidden: L2's write to Nestor's memory is dropped. */
void nested_l2_write_hidden(void);
/* nested_apic.c: stop cases vapic_mmio (with "virtualize APIC
 * accesses") and vtpr_mmio (without), issue 15 item 3. */
void nested_apic_vapic_mmio(bool vaa);
const char *nested_l2_name(size_t i);
void nested_l2_run(size_t i);

#endif
