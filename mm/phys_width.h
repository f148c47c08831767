/* A guest physical-address width (MAXPHYADDR, SDM Vol. 3A 4.1.4) smaller
 * than the host's: the pure rules Nestor applies so that the guest sees
 * exactly what a CPU with that width shows.
 *
 * The CPU checks reserved bits against the host's width. With a smaller
 * guest width N, an address bit in [N, host width) is an address bit to the
 * CPU but a reserved bit to the guest. Three symptoms, one fix each:
 *  1. The guest's walk or final access reaches a guest-physical address
 *     >= 2^N: EPT maps nothing there, so an EPT violation exits; it becomes
 *     the reserved-bit #PF that phys_width_rsvd_fault() finds (the exit
 *     side is vmx/phys_width_exits.c).
 *  2. The CPU raised a #PF for another reason (protection) before it could
 *     reach that address: it must become a reserved-bit #PF. Only faults
 *     with P = 1 and RSVD = 0 can be such faults (pf_intercept_for()):
 *     a not-present entry ignores its reserved bits, an entry whose address
 *     is >= 2^N is never used to reach a lower level (symptom 1 first), and
 *     a fault the CPU already reports with RSVD = 1 has the same error code
 *     a CPU of width N would give (W/U/I describe the access, SDM 4.7).
 *  3. Other instructions that check a guest-supplied physical address
 *     against MAXPHYADDR (MOV to CR3, PAE PDPTE loads, the MSRs that hold
 *     physical addresses): phys_width_cr3_valid(), phys_width_pdpte_valid(),
 *     phys_width_msr_valid(). */
#ifndef NESTOR_MM_PHYS_WIDTH_H
#define NESTOR_MM_PHYS_WIDTH_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/guest_walk.h"

/* Exception-bitmap bit 14 and the page-fault error-code mask/match (SDM
 * Vol. 3C, 25.2): with bit 14 = 1 a #PF exits iff (PFEC & mask) == match;
 * with bit 14 = 0 iff they differ. */
struct pf_intercept {
	bool bitmap_bit;
	uint32_t mask, match;
};

/* reduced = the guest's width is below the host's: exit on faults with
 * P = 1 and RSVD = 0 only (symptom 2 above). Otherwise no #PF exits at all:
 * bit 14 = 0 with mask = match = 0. */
struct pf_intercept pf_intercept_for(bool reduced);

/* Does a #PF with error code pfec cause a VM exit under pi (25.2)? */
bool pf_intercept_exits(const struct pf_intercept *pi, uint32_t pfec);

/* guest_walk() access flags for the access a #PF error code describes: I/D
 * -> fetch, W/R -> write, else read; a supervisor-mode access (U/S = 0) at
 * CPL 3 is an implicit supervisor access (SDM 4.6). */
unsigned phys_width_access_from_pfec(uint32_t pfec, unsigned cpl);

/* Walks la for access with the guest's state (st->maxphyaddr = the guest's
 * width). True iff a CPU of that width raises a reserved-bit #PF: *pfec
 * gets its error code (P | RSVD | W/U/I of the access). False for any other
 * outcome (translation, another fault, abort). */
bool phys_width_rsvd_fault(const struct gw_state *st, uint64_t la,
			   unsigned access, gw_read_fn rd, void *ctx,
			   uint32_t *pfec);

/* MOV to CR3 (SDM Vol. 2B "MOV—Move to/from Control Registers", #GP(0) on
 * a reserved bit; Vol. 3A 4.5, Tables 4-12/4-13): in IA-32e mode bits
 * 63:maxphyaddr of CR3 are reserved, except that with CR4.PCIDE = 1 bit 63
 * of the source is the "do not invalidate" flag and is not stored (4.10.4.1).
 * Outside IA-32e mode CR3 is 32 bits and has no reserved bit (4.3, 4.4).
 * True iff val may be loaded. LAM (CR3 bits 62:61) is not modelled. */
bool phys_width_cr3_valid(uint64_t val, bool ia32e, bool pcide,
			  unsigned maxphyaddr);

/* The value CR3 holds after MOV to CR3 of a valid val (bit 63 cleared when
 * it is the PCIDE no-invalidate flag). */
uint64_t phys_width_cr3_stored(uint64_t val, bool ia32e, bool pcide);

/* SDM 4.4.1: a PAE PDPTE may be loaded iff it is not present or has no
 * reserved bit (Table 4-8: 2:1, 8:5, 63:maxphyaddr). */
bool phys_width_pdpte_valid(uint64_t pdpte, unsigned maxphyaddr);

/* MSRs whose value holds a physical address, reserved at and above
 * MAXPHYADDR (WRMSR raises #GP(0)):
 *  - IA32_APIC_BASE (0x1b): bits 63:MAXPHYADDR (SDM Vol. 3A 11.4.4,
 *    Figure 11-5);
 *  - IA32_MTRR_PHYSBASEn / PHYSMASKn (0x200..0x213): bits 63:MAXPHYADDR
 *    (SDM Vol. 3A 12.11.2.3, Figures 12-7/12-8).
 * phys_width_msr_checked(): is msr one of them; phys_width_msr_valid():
 * false iff val sets a bit at or above maxphyaddr (other reserved bits are
 * left to the CPU). */
bool phys_width_msr_checked(uint32_t msr);
bool phys_width_msr_valid(uint32_t msr, uint64_t val, unsigned maxphyaddr);

/* What a guest of width maxphyaddr reads from such an MSR whose real value
 * is val: address bits at and above its width cleared (a CPU of that width
 * has none; e.g. IA32_MTRR_PHYSMASKn reads back as an N-bit mask). */
uint64_t phys_width_msr_read(uint32_t msr, uint64_t val, unsigned maxphyaddr);

#endif
