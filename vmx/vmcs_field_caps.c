/* Which VMCS fields exist for a given set of capability MSRs (pure).
 *
 * Every row of vmx/vmcs_fields.h is classified below. A field that the SDM
 * lists without an "exists only on processors that support ..." condition
 * exists on every VMX processor. References: SDM Vol. 3C 24.4 (guest
 * state), 24.5 (host state), 24.6 (VM-execution controls), 24.7 (VM-exit
 * controls), 24.8 (VM-entry controls), 24.9 (exit information), 24.11.2
 * (encodings); Vol. 3D Appendix A (the MSRs), Appendix B (the encodings and
 * their footnotes). */
#include <stdbool.h>
#include <stdint.h>

#include "vmx/caps.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_controls.h"

/* A.11: VM function 0 is EPTP switching. */
#define VMFUNC_EPTP_SWITCHING_BIT (1ull << 0)

/* A.6: IA32_VMX_MISC bits 24:16, the number of CR3-target values. */
#define MISC_CR3_TARGETS(m) ((unsigned)(((m) >> 16) & 0x1ff))

struct shown {
	const struct vmx_msrs *m;
	uint32_t a1[VMX_CTL_KINDS];	/* allowed 1-settings (A.3-A.5) */
};

static bool can1(const struct shown *s, enum vmx_ctl_kind k, uint32_t bits)
{
	return (s->a1[k] & bits) != 0;
}

/* The row's feature condition; false for an encoding not in the table. */
static bool feature_present(const struct shown *s, uint32_t full)
{
	switch (full) {
	/* 24.6.12, B.1.1: VPID exists iff "enable VPID" can be 1. */
	case VMCS_VPID:
		return can1(s, VMX_PROC2, PROC2_ENABLE_VPID);
	/* 24.6.8, B.1.1/B.2.1: the posted-interrupt notification vector and
	 * descriptor address exist iff "process posted interrupts" can be 1. */
	case VMCS_POSTED_INTR_NOTIFY_VECTOR:
	case VMCS_POSTED_INTR_DESC_ADDR:
		return can1(s, VMX_PIN, PIN_POSTED_INTERRUPTS);
	/* B.1.1: the EPTP index exists iff "EPT-violation #VE" can be 1 --
	 * not with VM functions: EPTP switching writes it only "IF processor
	 * supports the 1-setting of the 'EPT-violation #VE' VM-execution
	 * control" (25.5.5.3). */
	case VMCS_EPTP_INDEX:
	/* 24.6.18, B.2.1: the virtualization-exception information address
	 * iff "EPT-violation #VE" can be 1. */
	case VMCS_VE_INFO_ADDR:
		return can1(s, VMX_PROC2, PROC2_EPT_VIOLATION_VE);
	/* 24.4.2, B.1.2: guest interrupt status; 24.6.8, B.2.1: EOI-exit
	 * bitmaps: only with "virtual-interrupt delivery". */
	case VMCS_GUEST_INTR_STATUS:
	case VMCS_EOI_EXIT_BITMAP0:
	case VMCS_EOI_EXIT_BITMAP1:
	case VMCS_EOI_EXIT_BITMAP2:
	case VMCS_EOI_EXIT_BITMAP3:
		return can1(s, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
	/* 24.4.2 (PML index), 24.6.17 (PML address): only with "enable PML". */
	case VMCS_GUEST_PML_INDEX:
	case VMCS_PML_ADDRESS:
		return can1(s, VMX_PROC2, PROC2_ENABLE_PML);
	/* 24.6.9, B.2.1: the MSR-bitmap address exists iff "use MSR bitmaps"
	 * can be 1. The I/O-bitmap addresses (24.6.4) always exist. */
	case VMCS_MSR_BITMAP:
		return can1(s, VMX_PROC, PROC_USE_MSR_BITMAPS);
	/* 24.6.10: the executive-VMCS pointer is listed without a condition
	 * (B.2.1); it exists on every VMX processor. */
	case VMCS_EXECUTIVE_VMCS_POINTER:
		return true;
	/* 24.6.8: virtual-APIC address and TPR threshold exist iff "use TPR
	 * shadow" can be 1; the APIC-access address iff "virtualize APIC
	 * accesses" can be 1. */
	case VMCS_VIRTUAL_APIC_PAGE_ADDR:
	case VMCS_TPR_THRESHOLD:
		return can1(s, VMX_PROC, PROC_TPR_SHADOW);
	case VMCS_APIC_ACCESS_ADDR:
		return can1(s, VMX_PROC2, PROC2_VIRTUALIZE_APIC_ACCESSES);
	/* 24.6.14: VM-function controls iff "enable VM functions" can be 1;
	 * the EPTP-list address iff EPTP switching (VM function 0) is
	 * supported (A.11). */
	case VMCS_VM_FUNCTION_CONTROLS:
		return can1(s, VMX_PROC2, PROC2_ENABLE_VMFUNC);
	case VMCS_EPTP_LIST_ADDR:
		return can1(s, VMX_PROC2, PROC2_ENABLE_VMFUNC) &&
		       s->m->have_vmfunc &&
		       (s->m->vmfunc & VMFUNC_EPTP_SWITCHING_BIT);
	/* 24.6.11 (EPTP), 24.4.2 (guest PDPTEs), 24.9.4 (guest-physical
	 * address): exist iff "enable EPT" can be 1. */
	case VMCS_EPT_POINTER:
	case VMCS_GUEST_PHYSICAL_ADDRESS:
	case VMCS_GUEST_PDPTE0:
	case VMCS_GUEST_PDPTE1:
	case VMCS_GUEST_PDPTE2:
	case VMCS_GUEST_PDPTE3:
		return can1(s, VMX_PROC2, PROC2_ENABLE_EPT);
	/* 24.6.15: VMREAD/VMWRITE bitmaps iff "VMCS shadowing" can be 1. */
	case VMCS_VMREAD_BITMAP:
	case VMCS_VMWRITE_BITMAP:
		return can1(s, VMX_PROC2, PROC2_VMCS_SHADOWING);
	/* 24.6.19: XSS-exiting bitmap iff "enable XSAVES/XRSTORS" can be 1. */
	case VMCS_XSS_EXIT_BITMAP:
		return can1(s, VMX_PROC2, PROC2_ENABLE_XSAVES);
	/* 24.6.16: ENCLS-exiting bitmap iff "enable ENCLS exiting" can be 1. */
	case VMCS_ENCLS_EXITING_BITMAP:
		return can1(s, VMX_PROC2, PROC2_ENCLS_EXITING);
	/* 24.6.5: TSC multiplier iff "use TSC scaling" can be 1. */
	case VMCS_TSC_MULTIPLIER:
		return can1(s, VMX_PROC2, PROC2_TSC_SCALING);
	/* 24.6.2: the tertiary controls iff "activate tertiary controls"
	 * can be 1. */
	case VMCS_TERTIARY_PROC_CONTROLS:
		return can1(s, VMX_PROC, PROC_TERTIARY_CONTROLS);
	/* 24.6.2: the secondary controls iff "activate secondary controls"
	 * can be 1 (A.3.3). */
	case VMCS_SECONDARY_PROC_CONTROLS:
		return can1(s, VMX_PROC, PROC_SECONDARY_CONTROLS);
	/* 24.6.13: PLE_Gap/PLE_Window iff "PAUSE-loop exiting" can be 1. */
	case VMCS_PLE_GAP:
	case VMCS_PLE_WINDOW:
		return can1(s, VMX_PROC2, PROC2_PAUSE_LOOP_EXITING);
	/* 24.4.1, B.2.3: guest IA32_PAT/IA32_EFER/IA32_BNDCFGS/IA32_RTIT_CTL
	 * exist iff the VM-entry control that loads them or the VM-exit
	 * control that saves (or clears) them can be 1; guest
	 * IA32_PERF_GLOBAL_CTRL iff "load IA32_PERF_GLOBAL_CTRL" (entry) or
	 * "save IA32_PERF_GLOBAL_CTL" (exit) can be 1. */
	case VMCS_GUEST_IA32_PAT:
		return can1(s, VMX_ENTRY, ENTRY_LOAD_PAT) ||
		       can1(s, VMX_EXIT, EXIT_SAVE_PAT);
	case VMCS_GUEST_IA32_EFER:
		return can1(s, VMX_ENTRY, ENTRY_LOAD_EFER) ||
		       can1(s, VMX_EXIT, EXIT_SAVE_EFER);
	case VMCS_GUEST_IA32_PERF_GLOBAL_CTRL:
		return can1(s, VMX_ENTRY, ENTRY_LOAD_PERF_GLOBAL_CTRL) ||
		       can1(s, VMX_EXIT, EXIT_SAVE_PERF_GLOBAL_CTRL);
	case VMCS_GUEST_IA32_BNDCFGS:
		return can1(s, VMX_ENTRY, ENTRY_LOAD_BNDCFGS) ||
		       can1(s, VMX_EXIT, EXIT_CLEAR_BNDCFGS);
	case VMCS_GUEST_IA32_RTIT_CTL:
		return can1(s, VMX_ENTRY, ENTRY_LOAD_RTIT_CTL) ||
		       can1(s, VMX_EXIT, EXIT_CLEAR_RTIT_CTL);
	/* 24.5, B.2.4: host IA32_PAT/IA32_EFER/IA32_PERF_GLOBAL_CTRL exist iff
	 * the VM-exit control that loads them can be 1. */
	case VMCS_HOST_IA32_PAT:
		return can1(s, VMX_EXIT, EXIT_LOAD_PAT);
	case VMCS_HOST_IA32_EFER:
		return can1(s, VMX_EXIT, EXIT_LOAD_EFER);
	case VMCS_HOST_IA32_PERF_GLOBAL_CTRL:
		return can1(s, VMX_EXIT, EXIT_LOAD_PERF_GLOBAL_CTRL);
	/* 24.4.2: VMX-preemption timer value iff "activate VMX-preemption
	 * timer" can be 1. */
	case VMCS_PREEMPTION_TIMER_VALUE:
		return can1(s, VMX_PIN, PIN_PREEMPTION_TIMER);
	/* 24.6.7, A.6: CR3-target value n exists for n below the number of
	 * CR3-target values IA32_VMX_MISC[24:16] reports. */
	case VMCS_CR3_TARGET_VALUE0:
	case VMCS_CR3_TARGET_VALUE1:
	case VMCS_CR3_TARGET_VALUE2:
	case VMCS_CR3_TARGET_VALUE3:
		return VMCS_ENC_INDEX(full) - VMCS_ENC_INDEX(VMCS_CR3_TARGET_VALUE0) <
		       MISC_CR3_TARGETS(s->m->misc);
	default:
		/* Every other row of the table is unconditional (24.4-24.9). */
		return true;
	}
}

bool vmcs12_field_supported(const struct vmx_msrs *shown, uint32_t encoding)
{
	const struct vmcs_field_info *f;

	if (!shown || (encoding & VMCS_ENC_RESERVED_HIGH))
		return false;
	/* vmcs_field_lookup() refuses a high access of a non-64-bit field. */
	f = vmcs_field_lookup(encoding);
	return f && vmcs12_row_supported(shown, f);
}

bool vmcs12_row_supported(const struct vmx_msrs *shown,
			  const struct vmcs_field_info *f)
{
	struct shown s;
	uint32_t a0[VMX_CTL_KINDS];

	s.m = shown;
	vmx_allowed_settings(shown, a0, s.a1);
	return feature_present(&s, f->encoding);
}

unsigned vmcs12_highest_index(const struct vmx_msrs *shown)
{
	unsigned i, max = 0;

	/* The high access of a 64-bit field has its full field's index, so
	 * the rows cover every supported encoding's index. */
	for (i = 0; i < vmcs_field_count; i++) {
		uint32_t e = vmcs_field_table[i].encoding;

		if (vmcs12_field_supported(shown, e) && VMCS_ENC_INDEX(e) > max)
			max = VMCS_ENC_INDEX(e);
	}
	return max;
}
