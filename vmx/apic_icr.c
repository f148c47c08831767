/* Which IPIs a guest may send (see vmx/apic_icr.h). */
#include "vmx/apic_icr.h"

bool apic_icr_refused(uint64_t icr)
{
	unsigned dm = ICR_DELIVERY_MODE(icr);

	return (dm == ICR_DM_INIT || dm == ICR_DM_STARTUP) &&
	       ICR_SHORTHAND(icr) != ICR_SH_SELF;
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
