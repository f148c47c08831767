/* APIC virtualization for L2 (issue 15): the vmcs12's APIC-virtualization
 * fields in vmcs02 (SDM Vol. 3C 24.6.8, chapter 29).
 *
 * The APIC-access page (29.4). On the CPU an access of L2's is an APIC
 * access when its translation (L2's paging, then EPT12 when L1 uses EPT)
 * ends on the page at A, the vmcs12's APIC-access address; the CPU decides
 * by that final address, so two L2 pages EPT12 maps to A are both APIC
 * accesses. vmcs02's APIC-access address is a host page H, and EPT02 gives
 * H to exactly the L2 pages whose L1 address is A:
 *  - A in L1's RAM: H = A (EPT01 is the identity on L1's RAM, and no other
 *    L1 page maps there). EPT02 needs nothing special.
 *  - A anywhere else (L1's local APIC, another device, a hole, Nestor's
 *    memory): H = Nestor's own page (l2_state.apic_page), which EPT02 maps
 *    for the L2 pages whose L1 address is A (ept02.c) and nowhere else.
 *    An access the CPU virtualizes or turns into an APIC-access exit never
 *    reaches L1's device. Where L1 has no EPT, vmcs02 then runs on an
 *    identity EPT02 over L1's space instead of EPT01 (ept02.c).
 * A moving to or from a page outside L1's RAM drops EPT02, so the mapping
 * follows the vmcs12; INVEPT after an EPT12 change drops it as before.
 *
 * The virtual-APIC page is L1's own page: the CPU reads and writes it while
 * L2 runs, and L1 reads what L2's virtual APIC wrote. Nestor cannot stand
 * between the CPU and that page, so it must be L1's RAM; anything else
 * stops L1 with the field and the address named (docs/architecture.md,
 * "L1's physical addresses"). The guest interrupt status (RVI/SVI,
 * 24.4.2) goes in at each entry from L1 and is saved at every reflected
 * exit (27.3.4), so that L1 reads what L2's virtual APIC did. */
#include "lib/log.h"
#include "nested/l2.h"
#include "vmx/exits.h"
#include "vmx/tlb.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmcs.h"

static uint32_t proc2_of(const struct vmcs12 *f)
{
	return (f->PROC_BASED_CONTROLS & PROC_SECONDARY_CONTROLS)
		       ? f->SECONDARY_PROC_CONTROLS : 0;
}

bool l2_apic_access_choose(struct vcpu *v, struct l2_state *s,
			   const struct vmcs12 *f)
{
	uint64_t a = f->APIC_ACCESS_ADDR, special = NO_APIC_SPECIAL;
	uint64_t h = NO_APIC_SPECIAL; /* none: VAA off (A = 0 is a page) */
	bool moved;

	if (proc2_of(f) & PROC2_VIRTUALIZE_APIC_ACCESSES) {
		/* 26.2.1.1: A is 4-KiB aligned and within L1's width. */
		if (guest_phys_ptr(v, a, PAGE_SIZE)) {
			h = a;
		} else {
			special = a;
			h = s->apic_page;
		}
	}
	if (special != s->apic_special) {
		/* EPT02 maps the old A to Nestor's page, or the new one as
		 * whatever was there before: built again from here. */
		ept02_drop(v, "L1's APIC-access page moved");
		s->apic_special = special;
	}
	moved = h != s->apic_access02;
	s->apic_access02 = h;
	if (moved && h != NO_APIC_SPECIAL)
		log_printf(LOG_INFO, "nestor: L2's APIC-access page: L1 address 0x%lx, %s\n",
			   a, special == NO_APIC_SPECIAL
				      ? "L1's RAM, used as it is"
				      : "not L1's RAM: Nestor's own page behind it");
	return moved;
}

void l2_apic_fields(struct vcpu *v, const struct l2_state *s,
		    const struct vmcs12 *f, const struct vmcs_ctls *c)
{
	if (c->proc & PROC_TPR_SHADOW) {
		if (!guest_phys_ptr(v, f->VIRTUAL_APIC_PAGE_ADDR, PAGE_SIZE))
			l2_stop_address(v, "virtual-APIC page (VIRTUAL_APIC_PAGE_ADDR)",
					f->VIRTUAL_APIC_PAGE_ADDR,
					"the CPU reads and writes it while L2 runs, where Nestor cannot stand in between");
		vmcs_write(VMCS_VIRTUAL_APIC_PAGE_ADDR, f->VIRTUAL_APIC_PAGE_ADDR);
		vmcs_write(VMCS_TPR_THRESHOLD, f->TPR_THRESHOLD);
	}
	if (c->proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES)
		vmcs_write(VMCS_APIC_ACCESS_ADDR, s->apic_access02);
	if (c->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY) {
		vmcs_write(VMCS_EOI_EXIT_BITMAP0, f->EOI_EXIT_BITMAP0);
		vmcs_write(VMCS_EOI_EXIT_BITMAP1, f->EOI_EXIT_BITMAP1);
		vmcs_write(VMCS_EOI_EXIT_BITMAP2, f->EOI_EXIT_BITMAP2);
		vmcs_write(VMCS_EOI_EXIT_BITMAP3, f->EOI_EXIT_BITMAP3);
	}
}

void l2_apic_entry_state(const struct vmcs12 *f, const struct vmcs_ctls *c)
{
	/* 24.4.2: the guest interrupt status is guest state with virtual-
	 * interrupt delivery; the entry evaluates RVI from it (29.2.1). */
	if (c->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY)
		vmcs_write(VMCS_GUEST_INTR_STATUS, f->GUEST_INTR_STATUS);
}

void l2_apic_exit_state(struct vmcs12 *f)
{
	/* 27.3.4: saved with virtual-interrupt delivery. */
	if (proc2_of(f) & PROC2_VIRTUAL_INTERRUPT_DELIVERY)
		f->GUEST_INTR_STATUS = (uint16_t)vmcs_read(VMCS_GUEST_INTR_STATUS);
}

void l2_apic_before_resume(struct vcpu *v, const struct l2_state *s,
			   const struct vmcs12 *f)
{
	const struct vmcs_ctls *c = &s->vmcs02.ctls;
	const volatile uint32_t *vtpr;

	/* 26.2.1.1 checks, and 26.7.7 acts on, VTPR against the TPR
	 * threshold at every VM entry when VID is 0; L1's CPU does so only
	 * at L1's own entries, and Nestor enters vmcs02 again after each
	 * exit it handled. L2 lowers VTPR below the threshold without an
	 * exit only by writing the virtual-APIC page as memory; entering
	 * again would then fail or exit at once where L1's CPU does
	 * neither. */
	if (!(c->proc & PROC_TPR_SHADOW) ||
	    (c->proc2 & PROC2_VIRTUAL_INTERRUPT_DELIVERY) ||
	    s->pending != NESTED_SWITCH_NONE)
		return;
	vtpr = guest_phys_ptr(v, f->VIRTUAL_APIC_PAGE_ADDR + 0x80, 4);
	if (vtpr && ((*vtpr >> 4) & 0xf) >= (f->TPR_THRESHOLD & 0xf))
		return;
	guest_unsupported(v, "L2 wrote VTPR below L1's TPR threshold in the virtual-APIC page as memory, and Nestor must enter vmcs02 again (26.2.1.1, 26.7.7): not emulated");
}
