/* The vmcs02 control merge (see vmcs02_merge.h). SDM Vol. 3C throughout. */
#include "nested/vmcs02_merge.h"
#include "arch/x86/regs.h"
#include "lib/string.h"
#include "vmx/events.h"
#include "vmx/vmx_controls.h"

#define TSC_MULT_ONE (1ull << 48) /* 24.6.5: 1.0 in 16.48 fixed point */
#define PFEC_BIT (1u << VEC_PF)

/* How each control bit is merged. A bit in none of the masks is united:
 * vmcs02 has it when L0 or L1 has it (an exiting control exits when
 * either side wants; a "save" exit control saves L2's state for both).
 *   L1_ONLY:    describes L2 itself (L0's setting, made for L1, is
 *               dropped): RDTSCP/INVPCID/XSAVES enables (25.3: #UD when
 *               0), unrestricted guest (26.3.1.1), the APIC
 *               virtualization L1 set up for L2 (29), IA-32e mode guest.
 *   L0_ONLY:    describes the host, which is L0: L1's host-state exit
 *               controls are applied by L0 when it reflects an exit
 *               (27.5.1-27.5.3, nested/host_state.c).
 *   COMPUTED:   replaced by L0's own mechanism, set below.
 *   NOT_MERGED: L1 setting it is unbacked (the merge composes none of
 *               their fields; vmx/caps.c hides them from L1); L0's own
 *               setting is kept, except VMCS shadowing, which serves L1's
 *               VMREAD/VMWRITE and must not serve L2's (24.10). */
enum { K_PIN = VMX_PIN, K_PROC = VMX_PROC, K_PROC2 = VMX_PROC2,
       K_EXIT = VMX_EXIT, K_ENTRY = VMX_ENTRY };

static const uint32_t L1_ONLY[VMX_CTL_KINDS] = {
	[K_PROC] = PROC_TPR_SHADOW,
	[K_PROC2] = PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
		    PROC2_ENABLE_XSAVES | PROC2_UNRESTRICTED_GUEST |
		    PROC2_VIRTUALIZE_APIC_ACCESSES | PROC2_VIRTUALIZE_X2APIC |
		    PROC2_APIC_REGISTER_VIRT | PROC2_VIRTUAL_INTERRUPT_DELIVERY,
	[K_ENTRY] = ENTRY_IA32E_MODE_GUEST,
};

static const uint32_t L0_ONLY[VMX_CTL_KINDS] = {
	[K_EXIT] = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_PERF_GLOBAL_CTRL |
		   EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_LOAD_PAT | EXIT_LOAD_EFER |
		   EXIT_CLEAR_BNDCFGS,
};

static const uint32_t COMPUTED[VMX_CTL_KINDS] = {
	[K_PROC] = PROC_USE_IO_BITMAPS | PROC_UNCONDITIONAL_IO_EXITING |
		   PROC_USE_MSR_BITMAPS | PROC_SECONDARY_CONTROLS |
		   PROC_TSC_OFFSETTING,
	[K_PROC2] = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_TSC_SCALING,
};

static const uint32_t NOT_MERGED[VMX_CTL_KINDS] = {
	[K_PIN] = PIN_POSTED_INTERRUPTS,
	[K_PROC] = PROC_TERTIARY_CONTROLS,
	[K_PROC2] = PROC2_ENABLE_VMFUNC | PROC2_VMCS_SHADOWING |
		    PROC2_ENABLE_PML | PROC2_EPT_VIOLATION_VE |
		    PROC2_ENCLS_EXITING | PROC2_ENCLV_EXITING |
		    PROC2_CONCEAL_VMX_FROM_PT | PROC2_PT_USES_GUEST_PHYS |
		    PROC2_MODE_BASED_EPT_EXEC | PROC2_SUBPAGE_WRITE_PERM |
		    PROC2_USER_WAIT_PAUSE | PROC2_ENABLE_PCONFIG,
	[K_EXIT] = EXIT_SECONDARY_CONTROLS | EXIT_CONCEAL_VMX_FROM_PT |
		   EXIT_CLEAR_RTIT_CTL | EXIT_CLEAR_LBR_CTL | EXIT_CLEAR_UINV |
		   EXIT_LOAD_CET_STATE | EXIT_LOAD_PKRS,
	[K_ENTRY] = ENTRY_TO_SMM | ENTRY_DEACTIVATE_DUAL_MONITOR |
		    ENTRY_CONCEAL_VMX_FROM_PT | ENTRY_LOAD_RTIT_CTL |
		    ENTRY_LOAD_CET_STATE | ENTRY_LOAD_PKRS | ENTRY_LOAD_LBR_CTL |
		    ENTRY_LOAD_UINV,
};

static const uint32_t L0_DROP[VMX_CTL_KINDS] = {
	[K_PROC2] = PROC2_VMCS_SHADOWING,
};

/* The guest-state loads of VM entry (26.3.2.1) that can be united. */
#define ENTRY_STATE_LOADS                                                  \
	(ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_PERF_GLOBAL_CTRL |         \
	 ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_LOAD_BNDCFGS)

/* ---- #PF: exception bitmap bit 14 with PFEC mask/match (25.2) ---- */

/* A #PF exits iff bit == ((pfec & mask) == match). The set of error codes
 * where the test holds is a "cube" (bits under the mask fixed to match),
 * empty when match has a bit outside the mask. */
static bool cube_empty(const struct pf_intercept *p)
{
	return (p->match & ~p->mask) != 0;
}

/* Every #PF exits: bit 1 with an always-true test, or bit 0 with an
 * always-false one. */
static bool pf_all(const struct pf_intercept *p)
{
	if (p->bitmap_bit)
		return p->mask == 0 && p->match == 0;
	return cube_empty(p);
}

static bool pf_none(const struct pf_intercept *p)
{
	if (p->bitmap_bit)
		return cube_empty(p);
	return p->mask == 0 && p->match == 0;
}

/* Cube a inside cube b (neither empty)? */
static bool cube_within(uint32_t ma, uint32_t ta, uint32_t mb, uint32_t tb)
{
	return (mb & ~ma) == 0 && (ta & mb) == tb;
}

bool vmcs02_pf_merge(const struct pf_intercept *a,
		     const struct pf_intercept *b, struct pf_intercept *out)
{
	static const struct pf_intercept all = { true, 0, 0 };

	if (pf_all(a) || pf_all(b)) {
		*out = all; /* 25.2: bit 14 = 1, mask = match = 0 */
		return false;
	}
	if (pf_none(a)) {
		*out = *b;
		return false;
	}
	if (pf_none(b)) {
		*out = *a;
		return false;
	}
	/* Both exit on a proper, non-empty subset; their cubes are non-empty
	 * (an empty cube is "all" or "none" above). */
	if (a->bitmap_bit && b->bitmap_bit) {
		/* C_a u C_b: the smallest cube holding both keeps the mask
		 * bits both fix to the same value; exact when one cube holds
		 * the other or they differ in one fixed bit only. */
		uint32_t m = a->mask & b->mask & ~(a->match ^ b->match);
		bool exact;

		*out = (struct pf_intercept){ true, m, a->match & m };
		exact = cube_within(a->mask, a->match, b->mask, b->match) ||
			cube_within(b->mask, b->match, a->mask, a->match) ||
			(a->mask == b->mask &&
			 __builtin_popcount(a->match ^ b->match) == 1);
		return !exact;
	}
	if (!a->bitmap_bit && !b->bitmap_bit) {
		/* ~C_a u ~C_b = ~(C_a n C_b): exact. The intersection is the
		 * cube of both masks when the shared fixed bits agree;
		 * otherwise it is empty and every #PF exits. */
		if ((a->match ^ b->match) & a->mask & b->mask) {
			*out = all;
			return false;
		}
		*out = (struct pf_intercept){ false, a->mask | b->mask,
					      a->match | b->match };
		return false;
	}
	/* One side exits outside its cube (~C_n), the other inside (C_p). */
	const struct pf_intercept *n = a->bitmap_bit ? b : a;
	const struct pf_intercept *p = a->bitmap_bit ? a : b;

	if ((n->match ^ p->match) & n->mask & p->mask) {
		/* C_p is disjoint from C_n, so C_p lies in ~C_n: exact. */
		*out = *n;
		return false;
	}
	uint32_t free = p->mask & ~n->mask;

	if (free == 0) {
		/* C_n lies in C_p: ~C_n u C_p is everything. */
		*out = all;
		return false;
	}
	/* Cut from C_n the half where one bit that C_p fixes differs from
	 * C_p: what is left (C') misses C_p, and ~C' holds ~C_n and C_p.
	 * Exact when C_p fixes no other bit outside C_n's mask; otherwise
	 * the part of C_n's other half outside C_p exits too. */
	uint32_t bit = free & -free;

	*out = (struct pf_intercept){ false, n->mask | bit,
				      n->match | (~p->match & bit) };
	return free != bit;
}

/* ---- CR0/CR4 (25.3) ---- */

void vmcs02_cr_merge(uint64_t l0_mask, uint64_t l1_mask, uint64_t l1_shadow,
		     uint64_t l2_value, uint64_t *mask, uint64_t *shadow)
{
	/* 25.1.3: MOV to CR0/CR4 exits when a masked bit differs from the
	 * shadow; 25.3: reads of masked bits return the shadow. L1's bits
	 * read what L1 put in its shadow; bits only L0 owns must read as L2
	 * really has them by L1's vmcs12, and a write changing them exits to
	 * L0 only. */
	*mask = l0_mask | l1_mask;
	*shadow = (l1_shadow & l1_mask) | (l2_value & ~l1_mask);
}

/* ---- MSR and I/O bitmaps (24.6.4, 24.6.9, 25.1.3) ---- */

/* n is a multiple of 8 (the bitmaps are 4096 bytes): eight bytes at a
 * time, memcpy keeping it free of alignment and aliasing assumptions. */
static void or_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t a, b;

		memcpy(&a, dst + i, 8);
		memcpy(&b, src + i, 8);
		a |= b;
		memcpy(dst + i, &a, 8);
	}
}

bool vmcs02_msr_bitmap_merge(const uint8_t *l0, uint64_t l1_gpa,
			     vmcs02_read_fn read, void *ctx, uint8_t *out)
{
	/* The four 1-KByte read/write, low/high bitmaps sit at the same
	 * offsets on both sides, so the OR is byte for byte. */
	if (!read(ctx, l1_gpa, out, VMCS02_BITMAP_SIZE))
		return false;
	or_bytes(out, l0, VMCS02_BITMAP_SIZE);
	return true;
}

static bool io_one(const uint8_t *l0, bool l1_bitmap, uint64_t gpa,
		   vmcs02_read_fn read, void *ctx, uint8_t *out,
		   uint64_t *failed_gpa)
{
	if (l1_bitmap) {
		if (!read(ctx, gpa, out, VMCS02_BITMAP_SIZE)) {
			*failed_gpa = gpa;
			return false;
		}
	} else {
		memset(out, 0, VMCS02_BITMAP_SIZE);
	}
	if (l0)
		or_bytes(out, l0, VMCS02_BITMAP_SIZE);
	return true;
}

bool vmcs02_io_bitmap_merge(const uint8_t *l0_a, const uint8_t *l0_b,
			    bool l1_bitmaps, uint64_t l1_gpa_a,
			    uint64_t l1_gpa_b, vmcs02_read_fn read, void *ctx,
			    uint8_t *a, uint8_t *b, uint64_t *failed_gpa)
{
	return io_one(l0_a, l1_bitmaps, l1_gpa_a, read, ctx, a, failed_gpa) &&
	       io_one(l0_b, l1_bitmaps, l1_gpa_b, read, ctx, b, failed_gpa);
}

/* ---- TSC (24.6.5, 25.3) ---- */

/* (x * m) >> 48 for a signed x, truncated toward zero, modulo 2^64. */
static uint64_t scale_signed(uint64_t x, uint64_t m)
{
	bool neg = (int64_t)x < 0;
	uint64_t mag = neg ? -x : x;
	uint64_t r = (uint64_t)(((unsigned __int128)mag * m) >> 48);

	return neg ? -r : r;
}

void vmcs02_tsc(uint64_t off01, uint64_t m01, uint64_t off12, uint64_t m12,
		uint64_t *off02, uint64_t *m02)
{
	/* L1 sees ((T * m01) >> 48) + off01; L2 sees that times m12, >> 48,
	 * + off12. Written as one ((T * m02) >> 48) + off02 (the floors of
	 * the two steps may make it differ by a tick or two from doing both
	 * steps, only when both sides scale). Without L1 scaling (m12 = 1.0)
	 * it is exact: m02 = m01, off02 = off01 + off12. */
	*m02 = (uint64_t)(((unsigned __int128)m01 * m12) >> 48);
	*off02 = scale_signed(off01, m12) + off12;
}

/* ---- the whole merge ---- */

static void merge_kinds(const uint32_t l0[VMX_CTL_KINDS],
			const uint32_t l1[VMX_CTL_KINDS],
			struct vmcs02_out *out, uint32_t ctl[VMX_CTL_KINDS])
{
	for (int k = 0; k < VMX_CTL_KINDS; k++) {
		uint32_t keep0 = ~(L1_ONLY[k] | COMPUTED[k] | L0_DROP[k]);
		uint32_t take1 = ~(L0_ONLY[k] | COMPUTED[k] | NOT_MERGED[k]);

		ctl[k] = (l0[k] & keep0) | (l1[k] & take1);
		out->unbacked[k] = l1[k] & NOT_MERGED[k];
	}
}

static void merge_exceptions(const struct vmcs_ctls *c0,
			     const struct vmcs12 *v, struct vmcs02_out *out)
{
	struct pf_intercept p0 = { (c0->exc_bitmap & PFEC_BIT) != 0,
				   c0->pfec_mask, c0->pfec_match };
	struct pf_intercept p1 = { (v->EXCEPTION_BITMAP & PFEC_BIT) != 0,
				   v->PAGE_FAULT_ERROR_CODE_MASK,
				   v->PAGE_FAULT_ERROR_CODE_MATCH };
	struct pf_intercept pm;

	/* 25.2: every vector but #PF exits iff its bit is set. */
	out->pf_surplus = vmcs02_pf_merge(&p0, &p1, &pm);
	out->ctls.exc_bitmap = ((c0->exc_bitmap | v->EXCEPTION_BITMAP) &
				~PFEC_BIT) | (pm.bitmap_bit ? PFEC_BIT : 0);
	out->ctls.pfec_mask = pm.mask;
	out->ctls.pfec_match = pm.match;
}

/* 24.6.7, 25.1.3: MOV to CR3 exits with CR3-load exiting unless the
 * value is one of the first CR3-target-count target values. L0 keeps no
 * targets of its own: when it load-exits, every MOV to CR3 exits. */
static void merge_cr3(const struct vmcs02_l0 *l0, const struct vmcs12 *v,
		      struct vmcs02_out *out)
{
	static const size_t max = 4;
	uint32_t n = v->CR3_TARGET_COUNT;

	out->cr3_target_count = 0;
	out->cr3_surplus = false;
	if (!(v->PROC_BASED_CONTROLS & PROC_CR3_LOAD_EXITING) ||
	    (l0->ctls.proc & PROC_CR3_LOAD_EXITING) || n == 0)
		return;
	if (n > max || n > l0->cpu->cr3_target_count) {
		out->cr3_surplus = true; /* count 0: all exit, L0 filters */
		return;
	}
	out->cr3_target_count = n;
	out->cr3_target[0] = v->CR3_TARGET_VALUE0;
	out->cr3_target[1] = v->CR3_TARGET_VALUE1;
	out->cr3_target[2] = v->CR3_TARGET_VALUE2;
	out->cr3_target[3] = v->CR3_TARGET_VALUE3;
}

/* 24.6.2, 25.1.3: an I/O instruction exits with "use I/O bitmaps" by the
 * bitmaps (unconditional I/O exiting then ignored), else with
 * "unconditional I/O exiting" always, else never. Sets vmcs02's two I/O
 * controls; the bitmaps are filled later (merge_io_bitmaps). */
static void merge_io_controls(const struct vmcs02_l0 *l0,
			      const struct vmcs12 *v, uint32_t *proc)
{
	uint32_t p0 = l0->ctls.proc, p1 = v->PROC_BASED_CONTROLS;
	bool bm0 = p0 & PROC_USE_IO_BITMAPS, bm1 = p1 & PROC_USE_IO_BITMAPS;
	bool all0 = !bm0 && (p0 & PROC_UNCONDITIONAL_IO_EXITING);
	bool all1 = !bm1 && (p1 & PROC_UNCONDITIONAL_IO_EXITING);
	uint32_t a1 = l0->cpu->allowed1[VMX_PROC];

	*proc &= ~(PROC_USE_IO_BITMAPS | PROC_UNCONDITIONAL_IO_EXITING);
	if (all0 || all1 || ((bm0 || bm1) && !(a1 & PROC_USE_IO_BITMAPS)))
		/* Every port exits (a superset only in the last case). */
		*proc |= PROC_UNCONDITIONAL_IO_EXITING;
	else if (bm0 || bm1)
		*proc |= PROC_USE_IO_BITMAPS;
}

static enum vmcs02_result merge_io_bitmaps(const struct vmcs02_l0 *l0,
					   const struct vmcs12 *v,
					   vmcs02_read_fn read, void *ctx,
					   struct vmcs02_out *out)
{
	bool bm0 = l0->ctls.proc & PROC_USE_IO_BITMAPS;
	bool bm1 = v->PROC_BASED_CONTROLS & PROC_USE_IO_BITMAPS;

	if (!(out->ctls.proc & PROC_USE_IO_BITMAPS))
		return VMCS02_OK;
	if (bm0 && !bm1) {
		/* Only L0's ports exit: its own bitmaps serve as they are. */
		out->io_a_page = l0->io_bitmap_a;
		out->io_b_page = l0->io_bitmap_b;
		return VMCS02_OK;
	}
	out->io_a_page = out->io_bitmap_a;
	out->io_b_page = out->io_bitmap_b;
	if (!vmcs02_io_bitmap_merge(bm0 ? l0->io_bitmap_a : NULL,
				    bm0 ? l0->io_bitmap_b : NULL, bm1,
				    v->IO_BITMAP_A, v->IO_BITMAP_B, read, ctx,
				    out->io_bitmap_a, out->io_bitmap_b,
				    &out->failed_gpa))
		return VMCS02_READ_FAILED;
	return VMCS02_OK;
}

/* 25.1.3: RDMSR/WRMSR exit always without "use MSR bitmaps": vmcs02
 * uses one only when both sides do. */
static void merge_msr_control(const struct vmcs02_l0 *l0,
			      const struct vmcs12 *v, uint32_t *proc)
{
	*proc &= ~PROC_USE_MSR_BITMAPS;
	if ((l0->ctls.proc & PROC_USE_MSR_BITMAPS) &&
	    (v->PROC_BASED_CONTROLS & PROC_USE_MSR_BITMAPS))
		*proc |= PROC_USE_MSR_BITMAPS;
}

static enum vmcs02_result merge_msr_bitmap(const struct vmcs02_l0 *l0,
					   const struct vmcs12 *v,
					   vmcs02_read_fn read, void *ctx,
					   struct vmcs02_out *out)
{
	if (!(out->ctls.proc & PROC_USE_MSR_BITMAPS))
		return VMCS02_OK;
	out->msr_page = out->msr_bitmap;
	if (!vmcs02_msr_bitmap_merge(l0->msr_bitmap, v->MSR_BITMAP, read, ctx,
				     out->msr_bitmap)) {
		out->failed_gpa = v->MSR_BITMAP;
		return VMCS02_READ_FAILED;
	}
	return VMCS02_OK;
}

/* 24.6.5, 25.3: scaling counts only with TSC offsetting on. */
static void merge_tsc(const struct vmcs02_l0 *l0, const struct vmcs12 *v,
		      uint32_t proc2_l1, uint32_t ctl[VMX_CTL_KINDS],
		      struct vmcs02_out *out)
{
	bool off0 = l0->ctls.proc & PROC_TSC_OFFSETTING;
	bool off1 = v->PROC_BASED_CONTROLS & PROC_TSC_OFFSETTING;
	bool sc0 = off0 && (l0->ctls.proc2 & PROC2_TSC_SCALING);
	bool sc1 = off1 && (proc2_l1 & PROC2_TSC_SCALING);

	vmcs02_tsc(off0 ? l0->tsc_offset : 0,
		   sc0 ? l0->tsc_multiplier : TSC_MULT_ONE,
		   off1 ? v->TSC_OFFSET : 0,
		   sc1 ? v->TSC_MULTIPLIER : TSC_MULT_ONE,
		   &out->tsc_offset, &out->tsc_multiplier);
	if (off0 || off1)
		ctl[K_PROC] |= PROC_TSC_OFFSETTING;
	if (sc0 || sc1)
		ctl[K_PROC2] |= PROC2_TSC_SCALING;
}

/* 24.6.13, 25.1.3: with PAUSE-loop exiting, a PAUSE at CPL 0 more than
 * PLE_Gap after the previous one starts a loop, and one more than
 * PLE_Window after the loop's start exits. A bigger gap starts loops at
 * most as often (so they are at least as old) and a smaller window exits
 * sooner: max gap and min window exit whenever either side's would. */
static void merge_ple(const struct vmcs02_l0 *l0, const struct vmcs12 *v,
		      uint32_t proc2_l1, struct vmcs02_out *out)
{
	bool p0 = l0->ctls.proc2 & PROC2_PAUSE_LOOP_EXITING;
	bool p1 = proc2_l1 & PROC2_PAUSE_LOOP_EXITING;

	out->ple_gap = 0;
	out->ple_window = 0;
	if (p0 && p1) {
		out->ple_gap = l0->ple_gap > v->PLE_GAP ? l0->ple_gap
							: v->PLE_GAP;
		out->ple_window = l0->ple_window < v->PLE_WINDOW
					  ? l0->ple_window : v->PLE_WINDOW;
	} else if (p0 || p1) {
		out->ple_gap = p0 ? l0->ple_gap : v->PLE_GAP;
		out->ple_window = p0 ? l0->ple_window : v->PLE_WINDOW;
	}
}

/* EPT and VPID are L0's mechanisms (24.6.11, 24.6.12, 28.2, 28.3.3.1). */
static void merge_ept_vpid(const struct vmcs02_l0 *l0, uint32_t proc2_l1,
			   uint32_t ctl[VMX_CTL_KINDS], struct vmcs02_out *out)
{
	bool ept0 = l0->ctls.proc2 & PROC2_ENABLE_EPT;

	out->shadow_ept = proc2_l1 & PROC2_ENABLE_EPT;
	if (ept0)
		ctl[K_PROC2] |= PROC2_ENABLE_EPT;
	else
		/* No EPT02 to shadow L1's EPT in; unrestricted guest needs
		 * EPT (26.2.1.1). */
		out->unbacked[K_PROC2] |= proc2_l1 & (PROC2_ENABLE_EPT |
						      PROC2_UNRESTRICTED_GUEST);
	/* Without VPIDs on vmcs02 every entry and exit invalidates
	 * (28.3.3.1): more than L1 asked for, never less. */
	out->vpid = 0;
	out->flush_vpid_each_switch = false;
	if ((l0->ctls.proc2 & PROC2_ENABLE_VPID) && l0->vpid02 != 0) {
		ctl[K_PROC2] |= PROC2_ENABLE_VPID;
		out->vpid = l0->vpid02;
		out->flush_vpid_each_switch = !(proc2_l1 & PROC2_ENABLE_VPID);
	}
}

enum vmcs02_result vmcs02_merge(const struct vmcs02_l0 *l0,
				const struct vmcs12 *v,
				vmcs02_read_fn read, void *ctx,
				struct vmcs02_out *out)
{
	const struct vmcs_ctls *c0 = &l0->ctls;
	/* 24.6.2: with "activate secondary controls" 0 the CPU acts as if
	 * every secondary control were 0. */
	uint32_t proc2_l1 = (v->PROC_BASED_CONTROLS & PROC_SECONDARY_CONTROLS)
				    ? v->SECONDARY_PROC_CONTROLS : 0;
	uint32_t l0c[VMX_CTL_KINDS] = { c0->pin, c0->proc, c0->proc2,
					c0->exit, c0->entry };
	uint32_t l1c[VMX_CTL_KINDS] = { v->PIN_BASED_CONTROLS,
					v->PROC_BASED_CONTROLS, proc2_l1,
					v->EXIT_CONTROLS, v->ENTRY_CONTROLS };
	uint32_t ctl[VMX_CTL_KINDS];
	enum vmcs02_result r;
	bool unbacked = false;

	merge_kinds(l0c, l1c, out, ctl);
	out->entry_from_l1 = c0->entry & ENTRY_STATE_LOADS &
			     ~v->ENTRY_CONTROLS;
	merge_ept_vpid(l0, proc2_l1, ctl, out);
	merge_tsc(l0, v, proc2_l1, ctl, out);
	merge_ple(l0, v, proc2_l1, out);
	merge_cr3(l0, v, out);
	merge_exceptions(c0, v, out);

	/* 26.3.1.1: without unrestricted guest CR0.PE and PG stay 1 in L2,
	 * so L0 owns them whatever L1's mask says. */
	vmcs02_cr_merge(c0->cr0_mask | ((ctl[K_PROC2] &
					  PROC2_UNRESTRICTED_GUEST) ? 0 :
					 CR0_PE | CR0_PG),
			v->CR0_GUEST_HOST_MASK, v->CR0_READ_SHADOW,
			v->GUEST_CR0, &out->ctls.cr0_mask,
			&out->ctls.cr0_shadow);
	vmcs02_cr_merge(c0->cr4_mask, v->CR4_GUEST_HOST_MASK,
			v->CR4_READ_SHADOW, v->GUEST_CR4, &out->ctls.cr4_mask,
			&out->ctls.cr4_shadow);

	merge_msr_control(l0, v, &ctl[K_PROC]);
	merge_io_controls(l0, v, &ctl[K_PROC]);
	/* 24.6.2: "activate secondary controls" iff any is used. */
	ctl[K_PROC] &= ~PROC_SECONDARY_CONTROLS;
	if (ctl[K_PROC2])
		ctl[K_PROC] |= PROC_SECONDARY_CONTROLS;
	/* A.3-A.5: a bit vmcs02 has because of L1 (copied, or chosen to
	 * serve it) that this CPU cannot set. L0's own bits are its
	 * business: l0_controls_compose() keeps them within the CPU's. */
	for (int k = 0; k < VMX_CTL_KINDS; k++) {
		out->unbacked[k] |= ctl[k] & ~l0->cpu->allowed1[k] & ~l0c[k];
		unbacked |= out->unbacked[k] != 0;
	}
	out->ctls.pin = ctl[K_PIN];
	out->ctls.proc = ctl[K_PROC];
	out->ctls.proc2 = ctl[K_PROC2];
	out->ctls.exit = ctl[K_EXIT];
	out->ctls.entry = ctl[K_ENTRY];
	if (unbacked)
		return VMCS02_UNBACKED;
	r = merge_msr_bitmap(l0, v, read, ctx, out);
	if (r == VMCS02_OK)
		r = merge_io_bitmaps(l0, v, read, ctx, out);
	return r;
}
