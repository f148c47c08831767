/* Guest-linear reads (see vmx/guest_access.h). */
#include "vmx/guest_access.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "mm/guest_walk.h"
#include "vmx/exits.h"
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
