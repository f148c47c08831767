/* L1's state after a VM exit to it (also after a VM-entry failure that
 * loads host state, 26.7): computed from the vmcs12's host-state area and
 * VM-exit controls by SDM Vol. 3C 27.5.1-27.5.3. Pure: the glue in
 * nested/vmentry.c writes it into vmcs01's guest-state area. */
#ifndef NESTOR_NESTED_HOST_STATE_H
#define NESTOR_NESTED_HOST_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmcs_layout.h"

enum { HS_ES, HS_CS, HS_SS, HS_DS, HS_FS, HS_GS, HS_LDTR, HS_TR, HS_SEGS };

struct l1_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit, ar;     /* VMCS access-rights format (24.4.1) */
};

struct l1_host_state {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t rip, rsp, rflags;
	uint64_t dr7, debugctl;
	uint32_t sysenter_cs;
	uint64_t sysenter_esp, sysenter_eip;
	bool load_pat, load_perf_global_ctrl, clear_bndcfgs;
	uint64_t pat, perf_global_ctrl;
	struct l1_seg seg[HS_SEGS];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
};

/* old_cr0/old_efer: L1's values before the exit (bits 27.5.1 leaves
 * alone). */
void nested_host_state(const struct vmcs12 *f, uint64_t old_cr0,
		       uint64_t old_efer, struct l1_host_state *out);

#endif
