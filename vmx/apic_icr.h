/* Which inter-processor interrupts a guest may send (pure).
 *
 * Nestor runs one vCPU on the boot CPU; the other CPUs stay in Nestor's
 * hands, wherever the firmware parked them. A guest that sent them INIT or
 * Start-Up IPIs would run code outside VMX; one that sent them an NMI or a
 * fixed interrupt might run code the firmware left in memory the guest now
 * owns. So an ICR write (SDM Vol. 3A 11.6.1 "Interrupt Command Register";
 * 11.12.9 for x2APIC) reaches the local APIC only when it targets this CPU
 * alone:
 *  - shorthand "self" (01b): allowed;
 *  - "all including self" (10b): sent to this CPU alone (the guest's only
 *    CPU is this one): with the "self" shorthand for Fixed delivery, the
 *    only mode 11.6.1 allows with it, and otherwise with no shorthand and
 *    this CPU's APIC ID as physical destination (apic_icr_self_form());
 *  - "all excluding self" (11b): refused;
 *  - no shorthand, physical destination: allowed iff it is this CPU's APIC
 *    ID; logical destination: allowed iff it names a non-empty subset of
 *    this CPU's logical ID bits (xAPIC flat model: bits 31:24 of the LDR;
 *    xAPIC cluster model: the same cluster, bits 7:4 of the destination,
 *    and a subset of the 4 member bits; x2APIC: the same cluster, bits
 *    31:16, and a subset of the 16-bit mask);
 *  - INIT and Start-Up: refused unless shorthand "self" (which the CPU does
 *    not act on anyway: 11.6.1, Table 11-3).
 * The guest sees the other CPUs never answer. */
#ifndef NESTOR_VMX_APIC_ICR_H
#define NESTOR_VMX_APIC_ICR_H

#include <stdbool.h>
#include <stdint.h>

#define ICR_DELIVERY_MODE(icr) (((icr) >> 8) & 7)
#define ICR_DM_INIT 5
#define ICR_DM_STARTUP 6
#define ICR_DEST_LOGICAL(icr) (((icr) >> 11) & 1)
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_SH_NONE 0
#define ICR_SH_SELF 1
#define ICR_SH_ALL_INCL_SELF 2
#define ICR_SH_ALL_EXCL_SELF 3
#define ICR_DM_FIXED 0

/* This CPU as the IPI's destination must match it. */
struct apic_self {
	bool x2apic;
	uint32_t id;   /* xAPIC: 8-bit APIC ID; x2APIC: 32-bit x2APIC ID */
	uint32_t ldr;  /* xAPIC: LDR bits 31:24 (>> 24); x2APIC: the LDR */
	bool cluster;  /* xAPIC: DFR says cluster model (else flat) */
};

enum icr_verdict {
	ICR_SEND,         /* as written */
	ICR_SEND_TO_SELF, /* with the shorthand changed to "self" */
	ICR_REFUSE,
};

/* icr: bits 31:0 of the ICR (xAPIC ICR_LOW, x2APIC ICR); dest: the
 * destination field (xAPIC ICR_HIGH bits 31:24, x2APIC ICR bits 63:32). */
enum icr_verdict apic_icr_verdict(uint32_t icr, uint32_t dest,
				  const struct apic_self *self);

/* An ICR write aimed at this CPU alone, for ICR_SEND_TO_SELF. */
struct icr_write {
	uint32_t icr;  /* bits 31:0 */
	uint32_t dest; /* the destination field, as for apic_icr_verdict() */
};

/* The same IPI sent to this CPU alone. SDM Vol. 3A 11.6.1 ("Destination
 * Shorthand", and the valid combinations of Table 11-3 notes): the "self"
 * shorthand is for Fixed delivery only; another mode (an NMI, say) with it
 * is invalid and is not delivered. So Fixed keeps its vector with "self";
 * every other mode gets no shorthand, physical destination mode and
 * dest = this CPU's APIC ID. */
struct icr_write apic_icr_self_form(uint32_t icr, uint32_t dest,
				    const struct apic_self *self);

/* The verdict applied to *w: false for ICR_REFUSE; otherwise true, with *w
 * changed to the self form for ICR_SEND_TO_SELF. */
bool apic_icr_route(struct icr_write *w, const struct apic_self *self);

/* x2APIC ICR bits that are reserved (SDM Vol. 3A 11.12.9, Figure 11-28:
 * 31:20, 17:16 and 13) and raise #GP(0) on WRMSR (11.12.1.2). Bit 12, the
 * xAPIC delivery status, is gone in x2APIC mode: Intel's CPUs ignore it
 * (as KVM does), so Nestor clears it rather than fault. */
#define X2APIC_ICR_RESERVED 0xfff32000ull
#define X2APIC_ICR_IGNORED (1ull << 12)

/* "INIT" / "Start-Up" / "fixed" ... for the log line. */
const char *apic_icr_mode_name(uint64_t icr);

#endif
