/* The VM-exit side of a guest MAXPHYADDR below the host's (option
 * guest_maxphyaddr=N; the rules are in mm/phys_width.h).
 *
 * Set up only when N is below the host's width; at the host's width none of
 * this exists: no #PF intercept, no CR3-load exiting, no watched CR bits.
 *
 *  - #PF with P = 1, RSVD = 0 exits (exception bitmap bit 14 with the
 *    PFEC mask/match, SDM Vol. 3C 25.2). The guest's tables are walked with
 *    width N: a reserved-bit fault replaces the CPU's; otherwise the CPU's
 *    #PF is delivered unchanged (same error code, CR2 from the exit
 *    qualification, 27.2.1 Table 27-1).
 *  - An EPT violation at a guest-physical address >= 2^N (EPT maps nothing
 *    there) with a valid guest-linear address (27.2.1, Table 27-7 bit 7):
 *     * the final access (bit 8 = 1): the access is read/write/fetch as the
 *       qualification says, a user-mode access iff CPL = 3. An implicit
 *       supervisor access at CPL 3 (descriptor tables, TSS: SDM Vol. 3A
 *       4.6) cannot be told apart from a user access to the same address,
 *       so such an ambiguous case stops the guest with a message;
 *     * an access to a paging structure (bit 8 = 0): the qualification
 *       says "read" whatever the guest's access was, so Nestor asks the
 *       CPU: it maps the page at that address to a page of zeros (entries
 *       that are not present) and lets the instruction run again with every
 *       #PF exiting. The CPU then raises a not-present #PF for the same
 *       linear address whose W/U/I bits describe the access exactly
 *       (SDM 4.7); the walk with width N gives the reserved-bit fault with
 *       those bits. The page is unmapped again at the next VM exit,
 *       whatever it is.
 *    The resulting #PF goes through the event queue with CR2 as payload.
 *  - MOV to CR3 exits (CR3-load exiting, 25.1.3) and CR0.PG/CD/NW and
 *    CR4.PAE/PGE/PSE/SMEP writes exit (owned, "watched" bits): CR3 bits at
 *    and above N raise #GP(0), and PAE PDPTEs are loaded and checked
 *    against N (SDM Vol. 3A 4.4.1) in vmx/exit_cr.c.
 *  - WRMSR to IA32_APIC_BASE and IA32_MTRR_PHYSBASEn/PHYSMASKn with a bit
 *    at or above N raises #GP(0) (vmx/exit_msr.c).
 * Nested seam: when L1 runs L2 with its own reduced width, the same walk
 * runs over L2's tables with L1's width for L2, and the #PF goes through
 * L1's exception bitmap (nested/, not yet written). */
#include "vmx/exits.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "arch/x86/traps.h"
#include "mm/phys_width.h"
#include "vmx/guest_access.h"
#include "vmx/msr_policy.h"
#include "vmx/tlb.h"
#include "vmx/exit_info.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"


/* This file owns the wants pf, all_pf (the probe), cr3_load and the CR
 * watches (vmx/l0_controls.h). */
static void want_all_pf(struct vcpu *v, bool on)
{
	v->wants.all_pf = on;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

void phys_width_setup(struct vcpu *v, uint64_t zero_page_pa)
{
	if (!v->vm->reduced_width)
		return;
	if (!(v->cfg->allowed1[VMX_PROC] & PROC_CR3_LOAD_EXITING))
		panic("CR3-load exiting cannot be enabled"); /* A.3.2: always allowed */
	v->vm->zero_page_pa = zero_page_pa;
	v->wants.pf = pf_intercept_for(true);
	v->wants.cr3_load = true;
	/* SDM Vol. 3A 4.4.1: the MOVs to CR0/CR4 that load PAE PDPTEs. */
	v->wants.cr0_watch = CR0_PG | CR0_CD | CR0_NW;
	v->wants.cr4_watch = CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP;
	vcpu_request(v, VCPU_REQ_CONTROLS);
	pr_info("nestor: guest MAXPHYADDR %u (the CPU's is %u): #PF (P=1, RSVD=0), MOV to CR3 and PAE-paging CR0/CR4 writes exit\n",
		v->vm->maxphyaddr, v->vm->host_maxphyaddr);
}

/* RDMSR/WRMSR of the MSRs holding physical addresses must exit: writes with
 * bits at and above the guest's width raise #GP, reads show none of them
 * (vmx/exit_msr.c). */
void phys_width_msr_intercepts(uint8_t msr_bitmap[4096])
{
	for (uint32_t msr = 0; msr <= 0x1fff; msr++) {
		if (!phys_width_msr_checked(msr))
			continue;
		msr_bitmap_intercept(msr_bitmap, msr, false);
		msr_bitmap_intercept(msr_bitmap, msr, true);
	}
}

static void queue_pf(struct vcpu *v, uint32_t pfec, uint64_t la)
{
	event_queue_exception(&v->events, VEC_PF, true, pfec, true, la);
}

void phys_width_end_probe(struct vcpu *v)
{
	if (ept_unmap(&v->vm->ept, v->probe_gpa, PAGE_SIZE))
		panic("cannot unmap the MAXPHYADDR probe page 0x%lx", v->probe_gpa);
	flush_guest_ept(v);
	want_all_pf(v, false);
	v->probe_gpa = 0;
}

/* The walk with the guest's width, for the access described by a #PF
 * error code. */
static bool rsvd_fault_for(struct vcpu *v, uint64_t la, uint32_t hw_pfec,
			   uint32_t *pfec)
{
	struct gw_state st;

	guest_paging_state(&st, v);
	if (!phys_width_rsvd_fault(&st, la,
				   phys_width_access_from_pfec(hw_pfec, st.cpl),
				   guest_read_phys_entry, v, pfec))
		return false;
	/* SS (bit 6, a shadow-stack access: SDM Vol. 3A 4.7) describes the
	 * access like W/U/I; the walker does not model CET, the CPU said. */
	*pfec |= hw_pfec & PFEC_SS;
	return true;
}

bool phys_width_pf_exit(struct vcpu *v, uint32_t hw_pfec, uint64_t la)
{
	bool probed = v->probe_gpa != 0;
	uint32_t pfec;

	if (probed) {
		bool ours = la == v->probe_la;

		phys_width_end_probe(v);
		if (!ours)
			return true; /* re-executed without the probe page */
		if (!rsvd_fault_for(v, la, hw_pfec, &pfec))
			guest_unsupported(v, "a guest paging structure at or above 2^MAXPHYADDR changed while Nestor probed the access to it");
		queue_pf(v, pfec, la);
		return true;
	}
	if (!rsvd_fault_for(v, la, hw_pfec, &pfec))
		pfec = hw_pfec; /* the CPU's own fault, delivered unchanged */
	queue_pf(v, pfec, la);
	return true;
}

static bool in_segment(uint64_t la, enum vmcs_field base, enum vmcs_field limit)
{
	uint64_t b = vmcs_read(base);

	return la >= b && la - b <= (uint32_t)vmcs_read(limit);
}

/* SDM Vol. 3A 4.6: accesses to the GDT, LDT, IDT and TSS are implicit
 * supervisor-mode accesses whatever the CPL. */
static bool in_system_table(uint64_t la)
{
	if (in_segment(la, VMCS_GUEST_GDTR_BASE, VMCS_GUEST_GDTR_LIMIT) ||
	    in_segment(la, VMCS_GUEST_IDTR_BASE, VMCS_GUEST_IDTR_LIMIT) ||
	    in_segment(la, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT))
		return true;
	return !(vmcs_read(VMCS_GUEST_LDTR_AR) & SEG_AR_UNUSABLE) &&
	       in_segment(la, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT);
}

static void final_access(struct vcpu *v, uint64_t la, uint64_t qual)
{
	uint32_t pfec = 0;

	if (qual & EPTQ_FETCH)
		pfec |= PFEC_I;
	else if (qual & EPTQ_WRITE)
		pfec |= PFEC_W;
	if (guest_cpl() == 3) {
		if (!(qual & EPTQ_FETCH) && in_system_table(la))
			guest_unsupported(v, "a CPL-3 access at or above 2^MAXPHYADDR to an address inside a descriptor table or the TSS: Nestor cannot tell whether it was an implicit supervisor access");
		pfec |= PFEC_U;
	}
	if (!rsvd_fault_for(v, la, pfec, &pfec))
		guest_unsupported(v, "EPT violation at or above 2^MAXPHYADDR that the guest's page tables do not explain");
	queue_pf(v, pfec, la);
}

bool phys_width_ept_violation(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
	uint64_t la;

	if (!v->vm->reduced_width || gpa >> v->vm->maxphyaddr == 0)
		return false;
	if (!(qual & EPTQ_LINEAR_VALID))
		guest_unsupported(v, "an access without a linear address reached guest-physical memory at or above 2^MAXPHYADDR");
	la = exit_get(&v->exit, EF_GLA);
	if (qual & EPTQ_FINAL_ACCESS) {
		final_access(v, la, qual);
		return true;
	}
	if (v->probe_gpa)
		guest_unsupported(v, "a second paging-structure access at or above 2^MAXPHYADDR while probing the first");
	/* Every #PF exits while the probe page is mapped (25.2: bit 14 = 1,
	 * mask = match = 0). */
	v->probe_gpa = ALIGN_DOWN(gpa, PAGE_SIZE);
	v->probe_la = la;
	if (ept_map(&v->vm->ept, v->probe_gpa, v->vm->zero_page_pa, PAGE_SIZE, EPT_R,
		    EPT_MT_WB))
		guest_unsupported(v, "cannot map the MAXPHYADDR probe page (out of EPT table memory)");
	flush_guest_ept(v);
	want_all_pf(v, true);
	return true;
}
