/* Guest-linear reads (see vmx/guest_access.h). */
#include "vmx/guest_access.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "mm/guest_walk.h"
#include "vmx/exits.h"
#include "vmx/nested_seam.h"
#include "vmx/vmcs.h"

int guest_read_phys_entry(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	const void *p = guest_phys_ptr(ctx, gpa, size);

	if (!p)
		return -1;
	*val = 0;
	memcpy(val, p, size);
	return 0;
}

void guest_paging_state(struct gw_state *st, struct vcpu *v)
{
	memset(st, 0, sizeof(*st));
	st->cr0 = vmcs_read(VMCS_GUEST_CR0);
	st->cr3 = vmcs_read(VMCS_GUEST_CR3);
	st->cr4 = vmcs_read(VMCS_GUEST_CR4) & ~CR4_VMXE;
	st->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	st->rflags = exit_get(&v->exit, EF_RFLAGS);
	st->cpl = guest_cpl();
	st->maxphyaddr = v->vm->maxphyaddr;
	st->page_1g = true;
	/* PAE paging with EPT: the CPU uses the PDPTEs it loaded, which the
	 * VMCS holds (SDM Vol. 3C, 24.4.2, 28.3.1... PDPTE fields). */
	if ((st->cr0 & GW_CR0_PG) && (st->cr4 & GW_CR4_PAE) &&
	    !(st->efer & GW_EFER_LMA)) {
		st->use_pdptes = true;
		st->pdptes[0] = vmcs_read(VMCS_GUEST_PDPTE0);
		st->pdptes[1] = vmcs_read(VMCS_GUEST_PDPTE1);
		st->pdptes[2] = vmcs_read(VMCS_GUEST_PDPTE2);
		st->pdptes[3] = vmcs_read(VMCS_GUEST_PDPTE3);
	}
}

int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len)
{
	struct gw_state st;
	uint8_t *out = buf;

	guest_paging_state(&st, v);
	while (len) {
		struct gw_result r;
		size_t chunk = 4096 - (la & 4095);
		const void *src;

		if (chunk > len)
			chunk = len;
		guest_walk(&st, la, GW_READ, guest_read_phys_entry, v, &r);
		if (r.status != GW_OK)
			return -1;
		src = guest_phys_ptr(v, r.gpa, chunk);
		if (!src)
			return -1;
		memcpy(out, src, chunk);
		out += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- the memory of the level that runs (vmx/gdb_stub.c, the shell) ---- */

/* Where L2 runs: its guest-physical address as L1's (through EPT12 where
 * L1 uses EPT); L1's own addresses are what they are. */
static bool to_l1_phys(struct vcpu *v, uint64_t gpa, uint64_t *l1_gpa)
{
	if (v->level != VCPU_L2) {
		*l1_gpa = gpa;
		return true;
	}
	return nested_l2_gpa_to_l1(v, gpa, l1_gpa);
}

int guest_level_read_entry(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	uint64_t l1_gpa;

	if (!to_l1_phys(ctx, gpa, &l1_gpa))
		return -1;
	return guest_read_phys_entry(ctx, l1_gpa, size, val);
}

/* Copies len bytes between buf and guest-linear la of the level that runs
 * (vmcs02's paging state while L2 runs); -1 (nothing copied) if any byte
 * is not guest RAM through the guest's page tables. */
int guest_level_copy(struct vcpu *v, uint64_t la, uint8_t *buf, size_t len,
		     bool write)
{
	struct gw_state st;

	guest_paging_state(&st, v);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t a = la;
		size_t done = 0;

		while (done < len) {
			struct gw_result r;
			uint64_t gpa;
			size_t chunk = 4096 - (a & 4095);
			uint8_t *p;

			if (chunk > len - done)
				chunk = len - done;
			guest_walk(&st, a, GW_READ | GW_IMPLICIT_SUPERVISOR,
				   guest_level_read_entry, v, &r);
			if (r.status != GW_OK || !to_l1_phys(v, r.gpa, &gpa))
				return -1;
			p = guest_phys_ptr(v, gpa, chunk);
			if (!p)
				return -1;
			if (pass == 1) {
				if (write)
					memcpy(p, buf + done, chunk);
				else
					memcpy(buf + done, p, chunk);
			}
			a += chunk;
			done += chunk;
		}
	}
	return 0;
}
