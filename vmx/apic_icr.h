/* Which inter-processor interrupts a guest may send (pure).
 *
 * Nestor runs one vCPU on the boot CPU; the other CPUs stay in Nestor's
 * hands. A guest that sent INIT or Start-Up IPIs to them would run code
 * outside VMX, with the machine's memory unprotected. So an ICR write
 * (SDM Vol. 3A 11.6.1 "Interrupt Command Register", 11.12.9 for x2APIC) with
 * delivery mode INIT (101b) or Start-Up (110b) is refused unless its
 * destination shorthand is "self" (which the CPU does not accept for these
 * modes anyway: 11.6.1 Table 11-3, it does nothing). Every other IPI (fixed,
 * lowest priority, SMI, NMI) is forwarded: the APs never leave their wait. */
#ifndef NESTOR_VMX_APIC_ICR_H
#define NESTOR_VMX_APIC_ICR_H

#include <stdbool.h>
#include <stdint.h>

#define ICR_DELIVERY_MODE(icr) (((icr) >> 8) & 7)
#define ICR_DM_INIT 5
#define ICR_DM_STARTUP 6
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_SH_SELF 1

/* True when an ICR value (low 32 bits as in xAPIC ICR_LOW / x2APIC ICR
 * bits 31:0) must not reach the local APIC. */
bool apic_icr_refused(uint64_t icr);

/* "INIT" / "Start-Up" / "fixed" ... for the log line. */
const char *apic_icr_mode_name(uint64_t icr);

#endif
