/* The nested suite's VM-entry checks (SDM Vol. 3C, 26.2-26.4), table
 * driven: a valid baseline VMCS (a 64-bit guest that is this VMM's own
 * state, host = this VMM, HOST_RIP at rt/vmx.c's landing pad) and, per
 * case, one mutation with its expected outcome: VMfailValid 7 (controls,
 * 26.2.1), VMfailValid 8 (host state, 26.2.2-26.2.4), exit 33 with bit 31
 * and qualification 0/2/3/4 (guest state, 26.3.1 and 26.8).
 *
 * No VM entry here may succeed (Nestor runs no L2 yet, and stops a guest
 * whose entry would), so the baseline carries a sentinel: a VM-entry
 * MSR-load area whose only entry is invalid (IA32_FS_BASE may not be
 * loaded that way, 26.4). An entry that passes every 26.2/26.3 check
 * ends in exit 34 with bit 31 and qualification 1 (the 1-based index of
 * the failing entry): that outcome, PASSES below, proves that the check
 * under test passed, on bare Bochs and under Nestor alike.
 *
 * Where Bochs 2.7 deviates (docs/bochs-deviations.md), a case names the
 * deviation and Bochs' outcome, which it expects under l0=bochs. */
#include "tests/guests/nested.h"

#include "arch/x86/regs.h"
#include "lib/string.h"

#define NONCANONICAL 0x8000000000000000ULL
#define CANONICAL_HIGH 0xffff800000001000ULL
#define MSR_IA32_DEBUGCTL 0x1d9
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x30
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_TF (1ULL << 8)
#define DBG_BS (1ULL << 14)
/* Access rights (24.4.1, Table 24-2): type, S, DPL, P, L, D/B, G,
 * unusable. The selectors and rights rt_vmx_self_write() gives are the
 * runtime's GDT (rt/entry.asm). */
#define AR_UNUSABLE 0x10000ULL
#define AR_TSS64_BUSY 0x8bULL
/* The VM-entry interruption-information field (24.8.3). */
#define INTR_VALID (1U << 31)
#define INTR_DELIVER_EC (1U << 11)
#define INTR_TYPE(t) ((uint32_t)(t) << 8)

#define PASSES W_EXIT(EXIT_FAIL_MSR_LOAD, 1)
#define BAD_CTL W_VALID(VMXERR_ENTRY_BAD_CONTROLS)
#define BAD_HOST W_VALID(VMXERR_ENTRY_BAD_HOST)
#define BAD_GUEST W_EXIT(EXIT_FAIL_GUEST_STATE, 0)

/* Features a case needs: a control bit that must be allowed to be 1. */
enum need {
	NEED_SECONDARY = 1 << 0, NEED_EPT = 1 << 1, NEED_UG = 1 << 2,
	NEED_VPID = 1 << 3, NEED_TPR_SHADOW = 1 << 4, NEED_VNMI = 1 << 5,
	NEED_NMI_WINDOW = 1 << 6, NEED_ENTRY_EFER = 1 << 7,
	NEED_EXIT_EFER = 1 << 8, NEED_ENTRY_PAT = 1 << 9,
	NEED_ENTRY_PERF = 1 << 10, NEED_EXIT_PERF = 1 << 11,
	NEED_ACT_HLT = 1 << 12, NEED_MSR_BITMAPS = 1 << 13,
	NEED_SHADOWING = 1 << 14, NEED_IO_BITMAPS = 1 << 15,
	NEED_NMI_EXITING = 1 << 16,
};

enum mop { M_END, M_SET, M_OR, M_CLR, M_XOR, M_FN, M_CTL_BAD, M_CTL_REQ_CLR };

struct mut {
	uint32_t field;
	uint8_t op;
	uint64_t v;
	uint64_t (*fn)(void);
};

struct entry_case {
	const char *name;
	struct mut m[5];
	struct want sdm;
	uint32_t need;
	int deviation;          /* its row in docs/bochs-deviations.md, or 0 */
	struct want bochs;      /* the outcome on Bochs 2.7 when it deviates */
	bool shadow;            /* VMLAUNCH a VMCS whose bit 31 is set */
};

static struct rt_vmx_self host;
static uint64_t *entry_vmcs, *msr_area, *msr_area2, *msr_area3, *page_x,
	*page_y, *zero_page, *link_ok, *link_bad;

/* ------------------------------------------------------------------------
 * Values the table computes */

static uint64_t v_page(void) { return pa(page_x); }
static uint64_t v_page_y(void) { return pa(page_y); }
static uint64_t v_page_misaligned(void) { return pa(page_x) + 0x800; }
static uint64_t v_page_plus4(void) { return pa(page_x) + 4; }
static uint64_t v_zero_page(void) { return pa(zero_page); }
static uint64_t v_msr_misaligned(void) { return pa(msr_area) + 8; }
static uint64_t v_msr_two(void) { return pa(msr_area2); }
static uint64_t v_msr_reserved(void) { return pa(msr_area3); }
static uint64_t v_link_ok(void) { return pa(link_ok); }
static uint64_t v_link_bad(void) { return pa(link_bad); }
/* EPTP (24.6.11): memory type WB (6), page-walk length 4 - 1 = 3. */
static uint64_t v_eptp_ok(void) { return pa(zero_page) | 6 | (3 << 3); }
static uint64_t v_eptp_bad(void) { return pa(zero_page) | 3 | (3 << 3); }
/* A.6: IA32_VMX_MISC[24:16] is the number of CR3-target values. */
static uint64_t v_cr3_max(void) { return (nested_caps.misc >> 16) & 0x1ff; }
static uint64_t v_cr3_over(void) { return v_cr3_max() + 1; }
static uint64_t v_host_cr3_wide(void) { return host.cr3 | (1ULL << nested_maxphyaddr); }
static uint64_t v_efer(void) { return host.efer; }
static uint64_t v_efer_no_lma(void) { return host.efer & ~(EFER_LMA | EFER_LME); }
static uint64_t v_efer_reserved(void) { return host.efer | (1ULL << 1); }

/* ------------------------------------------------------------------------
 * The cases */

#define CASE(n, ...) { .name = n, __VA_ARGS__ }
#define SET(f, v) { VMCS_##f, M_SET, (v), NULL }
#define OR(f, v) { VMCS_##f, M_OR, (v), NULL }
#define CLR(f, v) { VMCS_##f, M_CLR, (v), NULL }
#define XOR(f, v) { VMCS_##f, M_XOR, (v), NULL }
#define FN(f, fn) { VMCS_##f, M_FN, 0, fn }
#define CTL_BAD(f) { VMCS_##f, M_CTL_BAD, 0, NULL }
#define CTL_REQ_CLR(f) { VMCS_##f, M_CTL_REQ_CLR, 0, NULL }
#define SECONDARY(bits) OR(PROC_BASED_CONTROLS, PROC_SECONDARY_CONTROLS), \
	SET(SECONDARY_PROC_CONTROLS, (bits))
#define EPT_ON SECONDARY(PROC2_ENABLE_EPT), FN(EPT_POINTER, v_eptp_ok)
#define UG_ON SECONDARY(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST), \
	FN(EPT_POINTER, v_eptp_ok)
#define TPR_ON OR(PROC_BASED_CONTROLS, PROC_TPR_SHADOW), \
	FN(VIRTUAL_APIC_PAGE_ADDR, v_zero_page)
#define NEEDS(x) .need = (x)
#define DEV(row, outcome) .deviation = (row), .bochs = outcome

static const struct entry_case cases[] = {
	/* 26.2.1.1 VM-execution controls */
	CASE("entry_ctl_pin_reserved_bad", { CTL_BAD(PIN_BASED_CONTROLS) }, BAD_CTL),
	CASE("entry_ctl_pin_nmi_exiting_ok", { OR(PIN_BASED_CONTROLS, PIN_NMI_EXITING) },
	     PASSES, NEEDS(NEED_NMI_EXITING)),
	CASE("entry_ctl_proc_reserved_bad", { CTL_BAD(PROC_BASED_CONTROLS) }, BAD_CTL),
	CASE("entry_ctl_proc_default1_clear_bad", { CTL_REQ_CLR(PROC_BASED_CONTROLS) }, BAD_CTL),
	CASE("entry_ctl_proc_hlt_exiting_ok", { OR(PROC_BASED_CONTROLS, PROC_HLT_EXITING) }, PASSES),
	CASE("entry_ctl_proc2_reserved_bad",
	     { OR(PROC_BASED_CONTROLS, PROC_SECONDARY_CONTROLS), CTL_BAD(SECONDARY_PROC_CONTROLS) },
	     BAD_CTL, NEEDS(NEED_SECONDARY)),
	CASE("entry_ctl_proc2_none_ok", { SECONDARY(0) }, PASSES, NEEDS(NEED_SECONDARY)),
	CASE("entry_ctl_cr3_target_count_bad", { FN(CR3_TARGET_COUNT, v_cr3_over) }, BAD_CTL),
	CASE("entry_ctl_cr3_target_count_ok", { FN(CR3_TARGET_COUNT, v_cr3_max) }, PASSES),
	CASE("entry_ctl_io_bitmap_misaligned_bad",
	     { OR(PROC_BASED_CONTROLS, PROC_USE_IO_BITMAPS), FN(IO_BITMAP_A, v_page_misaligned),
	       FN(IO_BITMAP_B, v_page_y) }, BAD_CTL, NEEDS(NEED_IO_BITMAPS)),
	CASE("entry_ctl_io_bitmap_ok",
	     { OR(PROC_BASED_CONTROLS, PROC_USE_IO_BITMAPS), FN(IO_BITMAP_A, v_page),
	       FN(IO_BITMAP_B, v_page_y) }, PASSES, NEEDS(NEED_IO_BITMAPS)),
	CASE("entry_ctl_msr_bitmap_misaligned_bad",
	     { OR(PROC_BASED_CONTROLS, PROC_USE_MSR_BITMAPS), FN(MSR_BITMAP, v_page_misaligned) },
	     BAD_CTL, NEEDS(NEED_MSR_BITMAPS)),
	CASE("entry_ctl_msr_bitmap_ok",
	     { OR(PROC_BASED_CONTROLS, PROC_USE_MSR_BITMAPS), FN(MSR_BITMAP, v_page) },
	     PASSES, NEEDS(NEED_MSR_BITMAPS)),
	CASE("entry_ctl_tpr_shadow_vapic_misaligned_bad",
	     { OR(PROC_BASED_CONTROLS, PROC_TPR_SHADOW), FN(VIRTUAL_APIC_PAGE_ADDR, v_page_misaligned) },
	     BAD_CTL, NEEDS(NEED_TPR_SHADOW)),
	CASE("entry_ctl_tpr_shadow_ok", { TPR_ON, SET(TPR_THRESHOLD, 0) }, PASSES,
	     NEEDS(NEED_TPR_SHADOW)),
	CASE("entry_ctl_tpr_threshold_high_bits_bad", { TPR_ON, SET(TPR_THRESHOLD, 0x10) },
	     BAD_CTL, NEEDS(NEED_TPR_SHADOW)),
	/* The virtual-APIC page is zero: VTPR[7:4] = 0 < threshold 1. */
	CASE("entry_ctl_tpr_threshold_above_vtpr_bad", { TPR_ON, SET(TPR_THRESHOLD, 1) },
	     BAD_CTL, NEEDS(NEED_TPR_SHADOW)),
	CASE("entry_ctl_virtual_nmi_without_nmi_exiting_bad",
	     { OR(PIN_BASED_CONTROLS, PIN_VIRTUAL_NMIS) }, BAD_CTL, NEEDS(NEED_VNMI)),
	CASE("entry_ctl_virtual_nmi_ok",
	     { OR(PIN_BASED_CONTROLS, PIN_VIRTUAL_NMIS | PIN_NMI_EXITING) }, PASSES,
	     NEEDS(NEED_VNMI)),
	CASE("entry_ctl_nmi_window_without_virtual_nmi_bad",
	     { OR(PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING) }, BAD_CTL,
	     NEEDS(NEED_NMI_WINDOW)),
	CASE("entry_ctl_eptp_memory_type_bad",
	     { SECONDARY(PROC2_ENABLE_EPT), FN(EPT_POINTER, v_eptp_bad) }, BAD_CTL,
	     NEEDS(NEED_EPT)),
	CASE("entry_ctl_eptp_ok", { EPT_ON }, PASSES, NEEDS(NEED_EPT)),
	CASE("entry_ctl_ug_without_ept_bad", { SECONDARY(PROC2_UNRESTRICTED_GUEST) }, BAD_CTL,
	     NEEDS(NEED_UG)),
	CASE("entry_ctl_ug_with_ept_ok", { UG_ON }, PASSES, NEEDS(NEED_UG)),
	CASE("entry_ctl_vpid_zero_bad", { SECONDARY(PROC2_ENABLE_VPID), SET(VPID, 0) }, BAD_CTL,
	     NEEDS(NEED_VPID)),
	CASE("entry_ctl_vpid_ok", { SECONDARY(PROC2_ENABLE_VPID), SET(VPID, 1) }, PASSES,
	     NEEDS(NEED_VPID)),
	/* 26.2.1.2, 26.2.1.3: MSR areas 16-byte aligned. */
	CASE("entry_ctl_entry_msr_load_misaligned_bad", { FN(ENTRY_MSR_LOAD_ADDR, v_msr_misaligned) },
	     BAD_CTL),
	CASE("entry_ctl_exit_msr_store_misaligned_bad",
	     { SET(EXIT_MSR_STORE_COUNT, 1), FN(EXIT_MSR_STORE_ADDR, v_page_plus4) }, BAD_CTL),
	CASE("entry_ctl_exit_msr_store_ok",
	     { SET(EXIT_MSR_STORE_COUNT, 1), FN(EXIT_MSR_STORE_ADDR, v_page) }, PASSES),
	CASE("entry_ctl_exit_reserved_bad", { CTL_BAD(EXIT_CONTROLS) }, BAD_CTL),
	CASE("entry_ctl_exit_ack_interrupt_ok",
	     { OR(EXIT_CONTROLS, EXIT_ACK_INTERRUPT_ON_EXIT) }, PASSES),
	CASE("entry_ctl_entry_reserved_bad", { CTL_BAD(ENTRY_CONTROLS) }, BAD_CTL),
	CASE("entry_ctl_entry_load_pat_ok", { OR(ENTRY_CONTROLS, ENTRY_LOAD_PAT) }, PASSES,
	     NEEDS(NEED_ENTRY_PAT)),
	/* 26.2.1.3: event injection. */
	CASE("entry_ctl_inject_reserved_type_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(1) | 0x20) }, BAD_CTL),
	CASE("entry_ctl_inject_nmi_vector_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(2) | 3) }, BAD_CTL),
	CASE("entry_ctl_inject_pf_without_error_code_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(3) | 14) }, BAD_CTL),
	CASE("entry_ctl_inject_pf_with_error_code_ok",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(3) | INTR_DELIVER_EC | 14),
	       SET(ENTRY_EXCEPTION_ERROR_CODE, 0) }, PASSES),
	CASE("entry_ctl_inject_reserved_bits_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(3) | (1U << 12) | 6) }, BAD_CTL),

	/* 26.2.2 host control registers and MSRs, 26.2.3 segments and
	 * descriptor tables, 26.2.4 address-space size */
	CASE("entry_host_cr0_ne_clear_bad", { CLR(HOST_CR0, CR0_NE) }, BAD_HOST),
	CASE("entry_host_cr0_wp_clear_ok", { CLR(HOST_CR0, CR0_WP) }, PASSES),
	CASE("entry_host_cr4_vmxe_clear_bad", { CLR(HOST_CR4, CR4_VMXE) }, BAD_HOST),
	CASE("entry_host_cr4_pae_clear_bad", { CLR(HOST_CR4, CR4_PAE) }, BAD_HOST),
	CASE("entry_host_cr4_pge_toggle_ok", { XOR(HOST_CR4, CR4_PGE) }, PASSES),
	CASE("entry_host_cr3_beyond_maxphyaddr_bad", { FN(HOST_CR3, v_host_cr3_wide) }, BAD_HOST),
	CASE("entry_host_cr3_pwt_ok", { OR(HOST_CR3, 1 << 3) }, PASSES),
	CASE("entry_host_sysenter_esp_noncanonical_bad",
	     { SET(HOST_IA32_SYSENTER_ESP, NONCANONICAL) }, BAD_HOST),
	CASE("entry_host_efer_reserved_bad",
	     { OR(EXIT_CONTROLS, EXIT_LOAD_EFER), FN(HOST_IA32_EFER, v_efer_reserved) }, BAD_HOST,
	     NEEDS(NEED_EXIT_EFER)),
	CASE("entry_host_efer_lma_clear_bad",
	     { OR(EXIT_CONTROLS, EXIT_LOAD_EFER), FN(HOST_IA32_EFER, v_efer_no_lma) }, BAD_HOST,
	     NEEDS(NEED_EXIT_EFER)),
	CASE("entry_host_efer_ok",
	     { OR(EXIT_CONTROLS, EXIT_LOAD_EFER), FN(HOST_IA32_EFER, v_efer) }, PASSES,
	     NEEDS(NEED_EXIT_EFER)),
	CASE("entry_host_perf_global_ctrl_reserved_bad",
	     { OR(EXIT_CONTROLS, EXIT_LOAD_PERF_GLOBAL_CTRL),
	       SET(HOST_IA32_PERF_GLOBAL_CTRL, 1ULL << 50) }, BAD_HOST,
	     NEEDS(NEED_EXIT_PERF), DEV(3, PASSES)),
	CASE("entry_host_ds_rpl_bad", { SET(HOST_DS_SELECTOR, SEL_DATA | 3) }, BAD_HOST),
	CASE("entry_host_es_ti_bad", { SET(HOST_ES_SELECTOR, SEL_DATA | 4) }, BAD_HOST),
	CASE("entry_host_ds_null_ok", { SET(HOST_DS_SELECTOR, 0) }, PASSES),
	CASE("entry_host_cs_null_bad", { SET(HOST_CS_SELECTOR, 0) }, BAD_HOST),
	CASE("entry_host_tr_null_bad", { SET(HOST_TR_SELECTOR, 0) }, BAD_HOST),
	CASE("entry_host_ss_null_ok", { SET(HOST_SS_SELECTOR, 0) }, PASSES),
	CASE("entry_host_fs_base_noncanonical_bad", { SET(HOST_FS_BASE, NONCANONICAL) }, BAD_HOST),
	CASE("entry_host_gdtr_base_noncanonical_bad", { SET(HOST_GDTR_BASE, NONCANONICAL) },
	     BAD_HOST),
	CASE("entry_host_fs_base_canonical_ok", { SET(HOST_FS_BASE, CANONICAL_HIGH) }, PASSES),
	CASE("entry_host_addr_space_size_clear_bad",
	     { CLR(EXIT_CONTROLS, EXIT_HOST_ADDR_SPACE_SIZE) }, BAD_HOST),

	/* 26.3.1.1 guest control registers, debug registers and MSRs */
	CASE("entry_guest_cr0_ne_clear_bad", { CLR(GUEST_CR0, CR0_NE) }, BAD_GUEST),
	CASE("entry_guest_cr0_wp_clear_ok", { CLR(GUEST_CR0, CR0_WP) }, PASSES),
	CASE("entry_guest_cr0_pg_without_pe_bad", { UG_ON, CLR(GUEST_CR0, CR0_PE) }, BAD_GUEST,
	     NEEDS(NEED_UG)),
	/* A 32-bit guest without unrestricted guest: CR0.PG is fixed to 1. */
	CASE("entry_guest_cr0_pg_clear_no_ug_bad",
	     { CLR(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST), SET(GUEST_CS_AR, 0xc09b),
	       CLR(GUEST_CR0, CR0_PG) }, BAD_GUEST),
	CASE("entry_guest_cr4_vmxe_clear_bad", { CLR(GUEST_CR4, CR4_VMXE) }, BAD_GUEST),
	CASE("entry_guest_cr4_pge_toggle_ok", { XOR(GUEST_CR4, CR4_PGE) }, PASSES),
	CASE("entry_guest_cr4_pae_clear_ia32e_bad", { CLR(GUEST_CR4, CR4_PAE) }, BAD_GUEST),
	CASE("entry_guest_debugctl_reserved_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_DEBUG_CONTROLS), SET(GUEST_IA32_DEBUGCTL, 1 << 2) },
	     BAD_GUEST, DEV(8, PASSES)),
	CASE("entry_guest_debugctl_btf_ok",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_DEBUG_CONTROLS), SET(GUEST_IA32_DEBUGCTL, 1 << 1) },
	     PASSES),
	CASE("entry_guest_dr7_high_bits_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_DEBUG_CONTROLS), SET(GUEST_DR7, 1ULL << 32) },
	     BAD_GUEST),
	CASE("entry_guest_efer_reserved_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_EFER), FN(GUEST_IA32_EFER, v_efer_reserved) },
	     BAD_GUEST, NEEDS(NEED_ENTRY_EFER)),
	CASE("entry_guest_efer_lma_mismatch_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_EFER), FN(GUEST_IA32_EFER, v_efer_no_lma) },
	     BAD_GUEST, NEEDS(NEED_ENTRY_EFER)),
	CASE("entry_guest_efer_ok",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_EFER), FN(GUEST_IA32_EFER, v_efer) }, PASSES,
	     NEEDS(NEED_ENTRY_EFER)),
	CASE("entry_guest_pat_reserved_type_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_PAT), SET(GUEST_IA32_PAT, 2) }, BAD_GUEST,
	     NEEDS(NEED_ENTRY_PAT)),
	CASE("entry_guest_perf_global_ctrl_reserved_bad",
	     { OR(ENTRY_CONTROLS, ENTRY_LOAD_PERF_GLOBAL_CTRL),
	       SET(GUEST_IA32_PERF_GLOBAL_CTRL, 1ULL << 50) }, BAD_GUEST,
	     NEEDS(NEED_ENTRY_PERF), DEV(3, PASSES)),

	/* 26.3.1.2 guest segment registers */
	CASE("entry_guest_cs_type_data_bad", { SET(GUEST_CS_AR, 0xa093) }, BAD_GUEST),
	CASE("entry_guest_cs_l_and_d_bad", { SET(GUEST_CS_AR, 0xe09b) }, BAD_GUEST),
	CASE("entry_guest_cs_dpl3_ss_dpl0_bad", { SET(GUEST_CS_AR, 0xa0fb) }, BAD_GUEST),
	/* With unrestricted guest, CS.DPL must equal SS.DPL; the RPLs are
	 * free (Bochs 2.7 compares CS.RPL with CS.DPL instead). */
	CASE("entry_guest_cs_dpl_ne_ss_dpl_ug_bad",
	     { UG_ON, SET(GUEST_SS_AR, 0xc0f3) }, BAD_GUEST, NEEDS(NEED_UG),
	     DEV(6, PASSES)),
	CASE("entry_guest_cs_rpl_ne_dpl_ug_ok",
	     { UG_ON, SET(GUEST_CS_SELECTOR, SEL_CODE64 | 3), SET(GUEST_SS_SELECTOR, SEL_DATA | 3) },
	     PASSES, NEEDS(NEED_UG), DEV(6, BAD_GUEST)),
	CASE("entry_guest_ss_type_code_bad", { SET(GUEST_SS_AR, 0xc09b) }, BAD_GUEST),
	CASE("entry_guest_ss_rpl_ne_cs_rpl_bad", { SET(GUEST_SS_SELECTOR, SEL_DATA | 3) },
	     BAD_GUEST),
	CASE("entry_guest_ds_exec_only_bad", { SET(GUEST_DS_AR, 0xc099) }, BAD_GUEST),
	CASE("entry_guest_ds_not_accessed_bad", { SET(GUEST_DS_AR, 0xc092) }, BAD_GUEST),
	/* Without unrestricted guest, DPL >= RPL for types 0-11 (Bochs 2.7:
	 * types below 11). */
	CASE("entry_guest_ds_type11_rpl_above_dpl_bad",
	     { SET(GUEST_DS_SELECTOR, SEL_DATA | 3), SET(GUEST_DS_AR, 0xc09b) }, BAD_GUEST,
	     DEV(7, PASSES)),
	CASE("entry_guest_ds_type15_rpl_above_dpl_ok",
	     { SET(GUEST_DS_SELECTOR, SEL_DATA | 3), SET(GUEST_DS_AR, 0xc09f) }, PASSES),
	CASE("entry_guest_ds_unusable_ok", { SET(GUEST_DS_AR, AR_UNUSABLE) }, PASSES),
	CASE("entry_guest_tr_type_16bit_bad", { SET(GUEST_TR_AR, 0x83) }, BAD_GUEST),
	CASE("entry_guest_tr_ti_bad", { SET(GUEST_TR_SELECTOR, SEL_TSS | 4) }, BAD_GUEST),
	CASE("entry_guest_tr_unusable_bad", { SET(GUEST_TR_AR, AR_TSS64_BUSY | AR_UNUSABLE) },
	     BAD_GUEST),
	CASE("entry_guest_ldtr_type_bad", { SET(GUEST_LDTR_SELECTOR, 0x38), SET(GUEST_LDTR_AR, 0x83) },
	     BAD_GUEST),
	CASE("entry_guest_ldtr_usable_ok", { SET(GUEST_LDTR_SELECTOR, 0x38), SET(GUEST_LDTR_AR, 0x82) },
	     PASSES),

	/* 26.3.1.3 descriptor-table registers */
	CASE("entry_guest_gdtr_base_noncanonical_bad", { SET(GUEST_GDTR_BASE, NONCANONICAL) },
	     BAD_GUEST),
	CASE("entry_guest_idtr_base_noncanonical_bad", { SET(GUEST_IDTR_BASE, NONCANONICAL) },
	     BAD_GUEST),
	CASE("entry_guest_gdtr_limit_high_bad", { SET(GUEST_GDTR_LIMIT, 0x10000) }, BAD_GUEST),
	CASE("entry_guest_gdtr_limit_ok", { SET(GUEST_GDTR_LIMIT, 0xffff) }, PASSES),

	/* 26.3.1.4 RIP and RFLAGS */
	CASE("entry_guest_rip_noncanonical_bad", { SET(GUEST_RIP, NONCANONICAL) }, BAD_GUEST,
	     DEV(11, PASSES)),
	CASE("entry_guest_rip_canonical_high_ok", { SET(GUEST_RIP, CANONICAL_HIGH) }, PASSES),
	CASE("entry_guest_rflags_reserved_bad", { SET(GUEST_RFLAGS, 0x8002) }, BAD_GUEST),
	CASE("entry_guest_rflags_bit1_clear_bad", { SET(GUEST_RFLAGS, 0) }, BAD_GUEST),
	CASE("entry_guest_rflags_vm_ia32e_bad", { SET(GUEST_RFLAGS, 0x20002) }, BAD_GUEST),
	CASE("entry_guest_rflags_if_ok", { SET(GUEST_RFLAGS, 0x202) }, PASSES),
	CASE("entry_guest_inject_ext_int_if_clear_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(0) | 0x20) }, BAD_GUEST),
	CASE("entry_guest_inject_ext_int_if_set_ok",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(0) | 0x20), SET(GUEST_RFLAGS, 0x202) },
	     PASSES),

	/* 26.3.1.5 non-register state */
	CASE("entry_guest_activity_reserved_bad", { SET(GUEST_ACTIVITY_STATE, 4) }, BAD_GUEST),
	CASE("entry_guest_activity_hlt_ok", { SET(GUEST_ACTIVITY_STATE, 1) }, PASSES,
	     NEEDS(NEED_ACT_HLT)),
	CASE("entry_guest_intr_reserved_bad", { SET(GUEST_INTERRUPTIBILITY, 1 << 6) }, BAD_GUEST),
	CASE("entry_guest_intr_sti_and_movss_bad",
	     { SET(GUEST_INTERRUPTIBILITY, 3), SET(GUEST_RFLAGS, 0x202) }, BAD_GUEST),
	CASE("entry_guest_intr_sti_with_if_clear_bad", { SET(GUEST_INTERRUPTIBILITY, 1) },
	     BAD_GUEST),
	CASE("entry_guest_intr_movss_ok", { SET(GUEST_INTERRUPTIBILITY, 2) }, PASSES),
	/* 26.3.1.5: no NMI injection into blocking by MOV SS. Into STI
	 * blocking the failure is implementation specific: processors that
	 * make it report qualification 3 (26.7); Nestor is one, Bochs 2.7
	 * refuses with qualification 0 (row 13). */
	CASE("entry_guest_inject_nmi_movss_blocking_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(2) | 2), SET(GUEST_INTERRUPTIBILITY, 2) },
	     BAD_GUEST),
	CASE("entry_guest_inject_nmi_sti_blocking_bad",
	     { SET(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE(2) | 2), SET(GUEST_INTERRUPTIBILITY, 1),
	       SET(GUEST_RFLAGS, 0x202) },
	     W_EXIT(EXIT_FAIL_GUEST_STATE, 3), DEV(13, BAD_GUEST)),
	CASE("entry_guest_pending_dbg_reserved_bad", { SET(GUEST_PENDING_DBG_EXCEPTIONS, 1 << 4) },
	     BAD_GUEST),
	CASE("entry_guest_pending_dbg_bs_without_tf_bad",
	     { SET(GUEST_INTERRUPTIBILITY, 1), SET(GUEST_RFLAGS, 0x202),
	       SET(GUEST_PENDING_DBG_EXCEPTIONS, DBG_BS) }, BAD_GUEST, DEV(9, PASSES)),
	CASE("entry_guest_pending_dbg_tf_without_bs_bad",
	     { SET(GUEST_INTERRUPTIBILITY, 1), SET(GUEST_RFLAGS, 0x302) }, BAD_GUEST,
	     DEV(9, PASSES)),
	CASE("entry_guest_pending_dbg_bs_with_tf_ok",
	     { SET(GUEST_INTERRUPTIBILITY, 1), SET(GUEST_RFLAGS, 0x302),
	       SET(GUEST_PENDING_DBG_EXCEPTIONS, DBG_BS) }, PASSES),
	CASE("entry_guest_link_pointer_bad_revision", { FN(VMCS_LINK_POINTER, v_link_bad) },
	     W_EXIT(EXIT_FAIL_GUEST_STATE, 4)),
	CASE("entry_guest_link_pointer_misaligned", { FN(VMCS_LINK_POINTER, v_page_plus4) },
	     W_EXIT(EXIT_FAIL_GUEST_STATE, 4)),
	CASE("entry_guest_link_pointer_ok", { FN(VMCS_LINK_POINTER, v_link_ok) }, PASSES),

	/* 26.3.1.6 PDPTEs: a 32-bit PAE guest without EPT has its PDPTEs
	 * checked; CR3 here is the 4-level PML4, whose entries have bit 1
	 * (reserved in a PDPTE) set: qualification 2. */
	CASE("entry_guest_pae_pdpte_reserved_bad",
	     { CLR(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST), SET(GUEST_CS_AR, 0xc09b) },
	     W_EXIT(EXIT_FAIL_GUEST_STATE, 2)),
	CASE("entry_guest_pae_pdpte_ok",
	     { CLR(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST), SET(GUEST_CS_AR, 0xc09b),
	       FN(GUEST_CR3, v_zero_page) }, PASSES),

	/* 26.4 the VM-entry MSR-load area */
	CASE("entry_msr_load_index1_fs_base", { SET(ENTRY_MSR_LOAD_COUNT, 1) },
	     W_EXIT(EXIT_FAIL_MSR_LOAD, 1)),
	CASE("entry_msr_load_index2_fs_base",
	     { SET(ENTRY_MSR_LOAD_COUNT, 2), FN(ENTRY_MSR_LOAD_ADDR, v_msr_two) },
	     W_EXIT(EXIT_FAIL_MSR_LOAD, 2)),
	CASE("entry_msr_load_index_high_bits",
	     { FN(ENTRY_MSR_LOAD_ADDR, v_msr_reserved) }, W_EXIT(EXIT_FAIL_MSR_LOAD, 1)),

	/* 30.3 VMLAUNCH: a shadow VMCS cannot be launched (VMfailInvalid). */
	{ .name = "entry_vmlaunch_shadow_vmcs", .sdm = W_INVALID, .need = NEED_SHADOWING,
	  .shadow = true, DEV(10, PASSES) },
};

/* ------------------------------------------------------------------------ */

static bool allowed(uint32_t need)
{
	const struct vmx_msrs *c = &nested_caps;
	bool sec = rt_vmx_ctl_allows(c->true_procbased, PROC_SECONDARY_CONTROLS);
	struct { uint32_t n; bool ok; } t[] = {
		{ NEED_SECONDARY, sec },
		{ NEED_EPT, sec && rt_vmx_ctl_allows(c->procbased2, PROC2_ENABLE_EPT) &&
			    (c->ept_vpid_cap & EPT_CAP_WALK_4) && (c->ept_vpid_cap & EPT_CAP_MT_WB) },
		{ NEED_UG, sec && rt_vmx_ctl_allows(c->procbased2, PROC2_UNRESTRICTED_GUEST |
							       PROC2_ENABLE_EPT) &&
			   (c->ept_vpid_cap & EPT_CAP_WALK_4) && (c->ept_vpid_cap & EPT_CAP_MT_WB) },
		{ NEED_VPID, sec && rt_vmx_ctl_allows(c->procbased2, PROC2_ENABLE_VPID) },
		{ NEED_SHADOWING, sec && rt_vmx_ctl_allows(c->procbased2, PROC2_VMCS_SHADOWING) },
		{ NEED_TPR_SHADOW, rt_vmx_ctl_allows(c->true_procbased, PROC_TPR_SHADOW) },
		{ NEED_NMI_WINDOW, rt_vmx_ctl_allows(c->true_procbased, PROC_NMI_WINDOW_EXITING) },
		{ NEED_MSR_BITMAPS, rt_vmx_ctl_allows(c->true_procbased, PROC_USE_MSR_BITMAPS) },
		{ NEED_IO_BITMAPS, rt_vmx_ctl_allows(c->true_procbased, PROC_USE_IO_BITMAPS) },
		{ NEED_VNMI, rt_vmx_ctl_allows(c->true_pinbased, PIN_VIRTUAL_NMIS | PIN_NMI_EXITING) },
		{ NEED_NMI_EXITING, rt_vmx_ctl_allows(c->true_pinbased, PIN_NMI_EXITING) },
		{ NEED_ENTRY_EFER, rt_vmx_ctl_allows(c->true_entry, ENTRY_LOAD_EFER) },
		{ NEED_ENTRY_PAT, rt_vmx_ctl_allows(c->true_entry, ENTRY_LOAD_PAT) },
		{ NEED_ENTRY_PERF, rt_vmx_ctl_allows(c->true_entry, ENTRY_LOAD_PERF_GLOBAL_CTRL) },
		{ NEED_EXIT_EFER, rt_vmx_ctl_allows(c->true_exit, EXIT_LOAD_EFER) },
		{ NEED_EXIT_PERF, rt_vmx_ctl_allows(c->true_exit, EXIT_LOAD_PERF_GLOBAL_CTRL) },
		{ NEED_ACT_HLT, (c->misc & VMX_MISC_ACTIVITY_HLT) != 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if ((need & t[i].n) && !t[i].ok)
			return false;
	return true;
}

static uint64_t ctl_cap(uint32_t field)
{
	switch (field) {
	case VMCS_PIN_BASED_CONTROLS: return nested_caps.true_pinbased;
	case VMCS_PROC_BASED_CONTROLS: return nested_caps.true_procbased;
	case VMCS_SECONDARY_PROC_CONTROLS: return nested_caps.procbased2;
	case VMCS_EXIT_CONTROLS: return nested_caps.true_exit;
	default: return nested_caps.true_entry;
	}
}

/* The lowest bit that must be 0 (allowed-1 clear), or 0 if none. */
static uint32_t lowest_must_be_0(uint64_t cap)
{
	uint32_t free = ~(uint32_t)(cap >> 32);

	return free & -free;
}

static uint32_t lowest_must_be_1(uint64_t cap)
{
	uint32_t fixed = (uint32_t)cap;

	return fixed & -fixed;
}

/* Puts back what a VM exit loaded from the host-state area or changed
 * (27.5): control registers, the MSRs it may load, FS/GS bases. */
static void restore_host(void)
{
	write_cr0(host.cr0);
	write_cr4(host.cr4);
	write_cr3(host.cr3);
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_IA32_PAT, host.pat);
	lgdt(&host.gdtr);
	lidt(&host.idtr);
}

static void w(enum vmcs_field f, uint64_t v)
{
	rt_vmcs_write(f, v);
}

void nested_entry_baseline(void)
{
	const struct vmx_msrs *c = &nested_caps;

	/* Controls: only what must be 1, 64-bit host, IA-32e guest. */
	w(VMCS_PIN_BASED_CONTROLS, rt_vmx_ctl(c->true_pinbased, 0));
	w(VMCS_PROC_BASED_CONTROLS, rt_vmx_ctl(c->true_procbased, 0));
	w(VMCS_EXIT_CONTROLS, rt_vmx_ctl(c->true_exit, EXIT_HOST_ADDR_SPACE_SIZE));
	w(VMCS_ENTRY_CONTROLS, rt_vmx_ctl(c->true_entry, ENTRY_IA32E_MODE_GUEST));
	w(VMCS_EXCEPTION_BITMAP, 0);
	w(VMCS_CR3_TARGET_COUNT, 0);
	w(VMCS_EXIT_MSR_STORE_COUNT, 0);
	w(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	w(VMCS_ENTRY_INTR_INFO, 0);
	w(VMCS_CR0_GUEST_HOST_MASK, 0);
	w(VMCS_CR4_GUEST_HOST_MASK, 0);
	/* The sentinel (26.4). */
	w(VMCS_ENTRY_MSR_LOAD_COUNT, 1);
	w(VMCS_ENTRY_MSR_LOAD_ADDR, pa(msr_area));

	/* Host: this VMM; guest: the same machine state, in 64-bit mode,
	 * running this function on page_y as its stack. */
	rt_vmx_self_write(&host, (uint64_t)nested_entry_baseline,
			  pa(page_y) + PAGE_SIZE, w);
	w(VMCS_HOST_IA32_EFER, host.efer);
	w(VMCS_HOST_IA32_PAT, host.pat);
	w(VMCS_HOST_IA32_PERF_GLOBAL_CTRL, 0);
	w(VMCS_GUEST_IA32_EFER, host.efer);
	w(VMCS_GUEST_IA32_PAT, host.pat);
	w(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, 0);
}

static bool apply(const struct mut *m)
{
	uint64_t v = 0, cap;
	struct rt_vmx_result r;

	if (m->op != M_SET && m->op != M_FN) {
		r = rt_vmread(m->field);
		if (r.kind != RT_VMX_SUCCEED) {
			rt_fail("VMREAD of field %#x failed", m->field);
			return false;
		}
		v = r.value;
	}
	switch (m->op) {
	case M_SET: v = m->v; break;
	case M_OR: v |= m->v; break;
	case M_CLR: v &= ~m->v; break;
	case M_XOR: v ^= m->v; break;
	case M_FN: v = m->fn(); break;
	case M_CTL_BAD:
		cap = ctl_cap(m->field);
		if (!lowest_must_be_0(cap)) {
			rt_skip("no bit of this control must be 0");
			return false;
		}
		v |= lowest_must_be_0(cap);
		break;
	case M_CTL_REQ_CLR:
		cap = ctl_cap(m->field);
		if (!lowest_must_be_1(cap)) {
			rt_skip("no bit of this control must be 1");
			return false;
		}
		v &= ~(uint64_t)lowest_must_be_1(cap);
		break;
	}
	rt_vmcs_write(m->field, v);
	return true;
}

size_t nested_entry_count(void)
{
	return ARRAY_SIZE(cases);
}

const char *nested_entry_name(size_t i)
{
	return cases[i].name;
}

static bool pages_ready(void)
{
	if (entry_vmcs)
		return true;
	entry_vmcs = rt_vmx_page(nested_revision);
	msr_area = rt_vmx_page(0);
	msr_area2 = rt_vmx_page(0);
	msr_area3 = rt_vmx_page(0);
	page_x = rt_vmx_page(0);
	page_y = rt_vmx_page(0);
	zero_page = rt_vmx_page(0);
	link_ok = rt_vmx_page(nested_revision);
	link_bad = rt_vmx_page((nested_revision + 1) & 0x7fffffff);
	if (!link_bad)
		return false;
	/* 26.4 MSR-load entries: index (bits 31:0), reserved (63:32),
	 * value. IA32_FS_BASE is never loaded from the area. */
	msr_area[0] = MSR_FS_BASE;
	msr_area2[0] = MSR_IA32_SYSENTER_CS;
	msr_area2[1] = 0;
	msr_area2[2] = MSR_FS_BASE;
	msr_area3[0] = MSR_IA32_SYSENTER_CS | (1ULL << 32);
	return true;
}

/* Setup steps print nothing: they must just succeed. */
static bool quiet_ok(struct rt_vmx_result r, const char *what)
{
	char buf[96];

	if (r.kind == RT_VMX_SUCCEED)
		return true;
	rt_vmx_describe(&r, buf, sizeof(buf));
	rt_fail("%s: %s", what, buf);
	return false;
}

static void user_noop(void *a)
{
	(void)a;
}

/* `vmcs` made current, fresh, with revision `rev` and the baseline
 * (host state saved once, after the TSS is loaded). */
static bool setup_vmcs(uint64_t *vmcs, uint32_t rev)
{
	if (!CHECK(pages_ready(), "out of pages"))
		return false;
	if (!host.cr0) {
		rt_user_call(user_noop, NULL, NULL); /* loads the TSS (rt/user.c) */
		rt_vmx_self_capture(&host);
	}
	memset(vmcs, 0, PAGE_SIZE);
	memcpy(vmcs, &rev, sizeof(rev));
	if (!quiet_ok(rt_vmclear(pa(vmcs)), "VMCLEAR") ||
	    !quiet_ok(rt_vmptrld(pa(vmcs)), "VMPTRLD"))
		return false;
	nested_entry_baseline();
	return true;
}

static bool entry_setup(uint32_t rev)
{
	/* pages_ready() first: it allocates entry_vmcs. */
	if (!CHECK(pages_ready(), "out of pages"))
		return false;
	return setup_vmcs(entry_vmcs, rev);
}

bool nested_entry_setup_vmcs(uint64_t *vmcs)
{
	return setup_vmcs(vmcs, nested_revision);
}

void nested_restore_host(void)
{
	restore_host();
}

void nested_entry_run(size_t i)
{
	const struct entry_case *c = &cases[i];
	struct rt_vmx_result r;
	struct want want = c->sdm;
	uint32_t rev = nested_revision | (c->shadow ? 0x80000000u : 0);

	if (!allowed(c->need)) {
		rt_skip("the CPU does not offer the controls this case needs");
		return;
	}
	if (!entry_setup(rev))
		return;
	for (const struct mut *m = c->m; m < c->m + ARRAY_SIZE(c->m) && m->op != M_END; m++)
		if (!apply(m))
			return;
	if (c->deviation && nested_l0_bochs)
		want = c->bochs;
	r = rt_vmlaunch();
	restore_host();
	nested_expect(&r, want);
	if (c->deviation)
		rt_printf("nested: %s: Bochs 2.7 deviates here (docs/bochs-deviations.md #%d)\n",
			  c->name, c->deviation);
	quiet_ok(rt_vmclear(pa(entry_vmcs)), "VMCLEAR");
	quiet_ok(rt_vmptrld(pa(nested_vmcs_a)), "VMPTRLD");
}

/* 26.7: a VM entry that fails while or after loading guest state writes
 * the exit reason and qualification only; unlike a VM exit (24.8.3) it
 * does not clear the valid bit of the VM-entry interruption information.
 * An external-interrupt injection that passes every check, stopped by the
 * MSR-load sentinel (exit 34); Bochs 2.7 keeps the bit too. */
void test_entry_fail_keeps_intr_info(void)
{
	const uint64_t info = INTR_VALID | INTR_TYPE(0) | 0x20;
	struct rt_vmx_result r;
	uint64_t after;

	if (!entry_setup(nested_revision))
		return;
	w(VMCS_ENTRY_INTR_INFO, info);
	w(VMCS_GUEST_RFLAGS, 0x202);
	r = rt_vmlaunch();
	restore_host();
	after = rt_vmcs_read(VMCS_ENTRY_INTR_INFO);
	rt_printf("nested: entry_fail_keeps_intr_info: exit %#x, VM-entry interruption information %#lx\n",
		  r.exit_reason, after);
	CHECK(r.kind == RT_VMX_EXIT && r.exit_reason == 0x80000022u,
	      "expected the sentinel's exit 0x80000022");
	CHECK(after == info, "the valid bit was not kept (26.7)");
	quiet_ok(rt_vmclear(pa(entry_vmcs)), "VMCLEAR");
	quiet_ok(rt_vmptrld(pa(nested_vmcs_a)), "VMPTRLD");
}

/* ------------------------------------------------------------------------
 * Cases after which an L0 of nested VMX part 1 stops the guest (guest
 * option stop_case=, scenarios nested-stop-*): they do not return there.
 *   entry_pass:  the baseline without its sentinel passes every check
 *                and L2 runs: its first instruction, a VMWRITE, exits to
 *                this VMM (25.1.2), which reports the exit and stops;
 *   vmx_abort:   the sentinel's entry failure loads host state, and the
 *                VM-exit MSR-load area holds IA32_FS_BASE: a VMX abort
 *                with indicator 4 (27.6, 27.7);
 *   vmptrld_mmio: VMPTRLD of the local APIC's page, not RAM (Nestor keeps
 *                VMCS regions in RAM only and says so). */
void nested_stop_case(const char *what)
{
	struct rt_vmx_result r;

	if (!entry_setup(nested_revision)) {
		rt_printf("nested: stop case %s: setup failed\n", what);
		return;
	}
	if (!strcmp(what, "entry_pass")) {
		w(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	} else if (!strcmp(what, "vmx_abort")) {
		w(VMCS_EXIT_MSR_LOAD_COUNT, 1);
		w(VMCS_EXIT_MSR_LOAD_ADDR, pa(msr_area));
	} else if (!strcmp(what, "vmptrld_mmio")) {
		r = rt_vmptrld(0xfee00000ull);
		rt_printf("nested: stop case %s did not stop: %s\n", what,
			  r.kind == RT_VMX_SUCCEED ? "VMsucceed" : "a VMfail");
		return;
	} else {
		rt_printf("nested: unknown stop case %s\n", what);
		return;
	}
	r = rt_vmlaunch();
	restore_host();
	if (!strcmp(what, "entry_pass") && r.kind == RT_VMX_EXIT) {
		rt_printf("nested: entry_pass: L2 ran, exit reason %u\n",
			  r.exit_reason);
		rt_exit(r.exit_reason == 25 ? 0 : 1);
	}
	rt_printf("nested: stop case %s did not stop (outcome kind %d)\n", what,
		  (int)r.kind);
}
