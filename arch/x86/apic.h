/* Sending NMIs through the local APIC (SDM Vol. 3A 11.6.1 "Interrupt
 * Command Register"; 11.12.9 for x2APIC mode). Used by the crash path to
 * reach the other CPUs and by tests to interrupt Nestor on purpose. */
#ifndef NESTOR_ARCH_X86_APIC_H
#define NESTOR_ARCH_X86_APIC_H

#include <stdint.h>

/* This CPU's local APIC ID (xAPIC: bits 31:24 of the ID register; x2APIC:
 * the 32-bit x2APIC ID). */
uint32_t apic_id(void);

/* An NMI to this CPU (physical destination = its own ID: the "self"
 * shorthand is not valid for NMIs, Table 11-3). */
void apic_send_nmi_self(void);

/* An NMI to every other CPU (shorthand "all excluding self"). */
void apic_send_nmi_others(void);

#endif
