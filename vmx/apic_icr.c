/* Which IPIs a guest may send (see vmx/apic_icr.h). */
#include "vmx/apic_icr.h"

static bool dest_is_self(uint32_t icr, uint32_t dest,
			 const struct apic_self *self)
{
	if (!ICR_DEST_LOGICAL(icr))
		return dest == self->id;
	if (!self->x2apic && self->cluster)
		/* xAPIC cluster model (DFR 0000b, 11.6.2.2): cluster in bits
		 * 7:4, members in 3:0; only this CPU's cluster, a non-empty
		 * subset of its member bits. */
		return (dest & 0xf0) == (self->ldr & 0xf0) && (dest & 0xf) &&
		       !(dest & ~self->ldr & 0xf);
	if (!self->x2apic)
		return (dest & 0xff) && !(dest & ~self->ldr & 0xff);
	/* x2APIC logical: cluster in bits 31:16, a bit mask in 15:0 (11.12.10). */
	return (dest >> 16) == (self->ldr >> 16) && (dest & 0xffff) &&
	       !(dest & ~self->ldr & 0xffff);
}

enum icr_verdict apic_icr_verdict(uint32_t icr, uint32_t dest,
				  const struct apic_self *self)
{
	unsigned dm = ICR_DELIVERY_MODE(icr);

	switch (ICR_SHORTHAND(icr)) {
	case ICR_SH_SELF:
		return ICR_SEND;
	case ICR_SH_ALL_INCL_SELF:
		return dm == ICR_DM_INIT || dm == ICR_DM_STARTUP
			       ? ICR_REFUSE : ICR_SEND_TO_SELF;
	case ICR_SH_ALL_EXCL_SELF:
		return ICR_REFUSE;
	default:
		if (dm == ICR_DM_INIT || dm == ICR_DM_STARTUP)
			return ICR_REFUSE;
		return dest_is_self(icr, dest, self) ? ICR_SEND : ICR_REFUSE;
	}
}

struct icr_write apic_icr_self_form(uint32_t icr, uint32_t dest,
				    const struct apic_self *self)
{
	uint32_t base = icr & ~(3u << 18);

	if (ICR_DELIVERY_MODE(icr) == ICR_DM_FIXED)
		return (struct icr_write){ base | ((uint32_t)ICR_SH_SELF << 18),
					   dest };
	return (struct icr_write){ base & ~(1u << 11), self->id };
}

bool apic_icr_route(struct icr_write *w, const struct apic_self *self)
{
	switch (apic_icr_verdict(w->icr, w->dest, self)) {
	case ICR_REFUSE:
		return false;
	case ICR_SEND_TO_SELF:
		*w = apic_icr_self_form(w->icr, w->dest, self);
		return true;
	case ICR_SEND:
	default:
		return true;
	}
}

const char *apic_icr_mode_name(uint64_t icr)
{
	/* SDM Vol. 3A 11.6.1, delivery mode bits 10:8. */
	static const char *const names[8] = {
		"fixed", "lowest priority", "SMI", "reserved (011b)",
		"NMI", "INIT", "Start-Up", "reserved (111b)",
	};

	return names[ICR_DELIVERY_MODE(icr)];
}
