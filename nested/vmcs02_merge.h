/* The controls of vmcs02, the VMCS Nestor runs L2 with, merged from what
 * L0 needs for itself and what L1 asked for in its vmcs12 (issue 14 item
 * 1). Pure: plain data in, plain data out; L1's bitmaps are read through
 * a caller callback that may fail. nested/l2.c writes the result into
 * vmcs02.
 *
 * The one invariant: vmcs02 makes L2 exit at least whenever L0 or L1
 * wants an exit (SDM Vol. 3C 25.1-25.3). Where the merged setting exits
 * on more than either side wants (the #PF mask/match cover, a bigger
 * CR3-target set cut to nothing, a shorter PAUSE-loop window), L0 sees the
 * surplus exits and decides itself, by the vmcs12, whether L1 gets them
 * (exit reflection) or L2 resumes. Controls L0 emulates are not copied:
 * L1's MSR and I/O bitmaps become merged bitmaps, L1's EPT becomes shadow
 * EPT, L1's VPID becomes an L0 VPID, L1's host-state exit controls are
 * applied by L0 when it reflects an exit (27.5).
 *
 * Passed through as L1 set them, with fields the caller fills: the APIC
 * virtualization controls (29: virtual-APIC page, APIC-access address,
 * EOI-exit bitmaps, posted-interrupt fields are L1 guest-physical and
 * must be translated), "enable XSAVES" (its XSS-exiting bitmap), the
 * VMX-preemption timer (its value, nested/l2.c; L0 runs no timer, and
 * with both sides' timers the smaller one goes in), and L0's "virtual
 * NMIs" kept when L1 did not set it (the NMI-blocking bit of L2's
 * interruptibility state then means virtual-NMI blocking, 24.4.2). */
#ifndef NESTOR_NESTED_VMCS02_MERGE_H
#define NESTOR_NESTED_VMCS02_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/phys_width.h"
#include "vmx/caps.h"
#include "vmx/l0_controls.h"
#include "vmx/vmcs_layout.h"

#define VMCS02_BITMAP_SIZE 4096u

/* Reads len bytes of L1's guest-physical memory at gpa into buf; false if
 * it cannot (not RAM, Nestor's own memory, ...). */
typedef bool (*vmcs02_read_fn)(void *ctx, uint64_t gpa, void *buf,
			       size_t len);

/* What L0 brings. */
struct vmcs02_l0 {
	/* l0_controls_compose() for L0's own wants while L2 runs; the read
	 * shadows are not used. cr0_mask/cr4_mask are the bits L0 owns. */
	struct vmcs_ctls ctls;
	/* The CPU: allowed0/allowed1 say what vmcs02 may hold (A.3-A.5),
	 * cr3_target_count how many CR3-target values it has (A.6). */
	const struct vmx_config *cpu;
	/* 4096 bytes each; read only when ctls.proc uses the bitmaps. */
	const uint8_t *msr_bitmap, *io_bitmap_a, *io_bitmap_b;
	uint64_t tsc_offset;     /* when ctls.proc has TSC offsetting */
	uint64_t tsc_multiplier; /* when ctls.proc2 has TSC scaling */
	uint16_t vpid02;         /* Nestor's VPID for L2 here; 0: none */
	uint32_t ple_gap, ple_window; /* when ctls.proc2 has PAUSE-loop exiting */
};

/* vmcs02 as the merge leaves it. The caller owns the three bitmaps
 * (4096 bytes each); they are written only when the matching "use"
 * control ends up set. */
struct vmcs02_out {
	struct vmcs_ctls ctls;   /* controls, exceptions, CR masks, shadows */
	uint32_t cr3_target_count;
	uint64_t cr3_target[4];
	uint32_t ple_gap, ple_window;
	uint64_t tsc_offset, tsc_multiplier;
	uint16_t vpid;           /* valid when ctls.proc2 has enable VPID */
	/* L1 does not use VPIDs: on the CPU L1 sees, L1 and L2 both run
	 * as VPID 0000H and every VM entry and exit invalidates its linear
	 * and combined mappings (28.3.3.1). So every emulated entry and exit
	 * between them must invalidate those of vpid02 and of L1's VPID. */
	bool flush_vpid_each_switch;
	bool shadow_ept;         /* L1 uses EPT: EPTP02 = EPT12 composed
				  * with EPT01 (mm/); else EPT02 = EPT01 */
	bool pf_surplus;         /* some #PFs exit that neither side wants */
	bool cr3_surplus;        /* CR3 targets dropped: L0 checks L1's */
	/* VM-entry load controls vmcs02 sets for L0 that vmcs12 did not:
	 * their guest field must hold what a real entry would have left,
	 * L1's current value (26.3.2.1; for IA32_EFER, L1's with LMA, and
	 * LME if L2's CR0.PG = 1, from "IA-32e mode guest"). */
	uint32_t entry_from_l1;
	uint8_t *msr_bitmap, *io_bitmap_a, *io_bitmap_b;
	/* The pages vmcs02 uses when it uses bitmaps: the three above, or
	 * L0's own I/O bitmaps as they are when L1 has none (nothing is
	 * copied then). */
	const uint8_t *msr_page, *io_a_page, *io_b_page;
	/* Controls L1 set that this CPU cannot back (not in allowed1). */
	uint32_t unbacked[VMX_CTL_KINDS];
	uint64_t failed_gpa;     /* VMCS02_READ_FAILED: where */
};

enum vmcs02_result {
	VMCS02_OK,
	VMCS02_UNBACKED,    /* out->unbacked lists them: stop honestly */
	VMCS02_READ_FAILED, /* L1's bitmap at out->failed_gpa unreadable */
};

/* The whole merge. On a result other than VMCS02_OK the caller must not
 * enter L2 with *out. */
enum vmcs02_result vmcs02_merge(const struct vmcs02_l0 *l0,
				const struct vmcs12 *v12,
				vmcs02_read_fn read, void *ctx,
				struct vmcs02_out *out);

/* The pieces, public for the unit tests and the fuzz target. */

/* 25.2: a #PF exits iff exception-bitmap bit 14 equals
 * ((PFEC AND mask) == match). *out exits on every #PF a or b exits on;
 * returns true when it also exits on some that neither does. */
bool vmcs02_pf_merge(const struct pf_intercept *a,
		     const struct pf_intercept *b, struct pf_intercept *out);

/* 25.3: CR0/CR4 guest/host mask = L0's OR L1's; read shadow = L1's for
 * the bits L1 owns, L2's value as L1 set it (vmcs12 guest CR) for the
 * bits only L0 owns, and L2's value elsewhere (unused there). */
void vmcs02_cr_merge(uint64_t l0_mask, uint64_t l1_mask, uint64_t l1_shadow,
		     uint64_t l2_value, uint64_t *mask, uint64_t *shadow);

/* 24.6.9, 25.1.3: the MSR bitmap of vmcs02 when both sides use one: L0's
 * OR L1's (read from l1_gpa). false if the read fails. */
bool vmcs02_msr_bitmap_merge(const uint8_t *l0, uint64_t l1_gpa,
			     vmcs02_read_fn read, void *ctx, uint8_t *out);

/* 24.6.4, 25.1.3: the I/O bitmaps A and B of vmcs02 when some side
 * uses bitmaps and none exits unconditionally: L0's (l0_a/l0_b; NULL:
 * L0 exits on no port) OR L1's (read at l1_gpa_a/b when l1_bitmaps).
 * false, with *failed_gpa, if an L1 bitmap cannot be read. */
bool vmcs02_io_bitmap_merge(const uint8_t *l0_a, const uint8_t *l0_b,
			    bool l1_bitmaps, uint64_t l1_gpa_a,
			    uint64_t l1_gpa_b, vmcs02_read_fn read, void *ctx,
			    uint8_t *a, uint8_t *b, uint64_t *failed_gpa);

/* 24.6.5, 25.3: L2's TSC = L1's view scaled/offset by vmcs12 on top of
 * L1's TSC = the CPU's scaled/offset by vmcs01. multiplier 1 << 48 is
 * "no scaling". The composed multiplier is (m01 * m12) >> 48 and the
 * offset (off01 * m12) >> 48 (signed) + off12, in 128-bit arithmetic. */
void vmcs02_tsc(uint64_t off01, uint64_t m01, uint64_t off12, uint64_t m12,
		uint64_t *off02, uint64_t *m02);

#endif
