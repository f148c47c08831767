/* Unit tests for vmx/vmcs_field_caps.c: which VMCS fields a CPU with given
 * capability MSRs has (SDM Vol. 3C 24.4-24.9, Vol. 3D Appendix B) and the
 * highest index IA32_VMX_VMCS_ENUM reports (A.9). Every conditional field
 * is checked to disappear with its feature and come back with it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/caps.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_controls.h"
#include "vmx_models.h"

/* Clears allowed-1 bits of one kind in both MSR views. */
static void drop(struct vmx_msrs *m, enum vmx_ctl_kind k, uint32_t bits)
{
	uint64_t mask = ~((uint64_t)bits << 32);

	switch (k) {
	case VMX_PIN:
		m->pinbased &= mask;
		m->true_pinbased &= mask;
		break;
	case VMX_PROC:
		m->procbased &= mask;
		m->true_procbased &= mask;
		break;
	case VMX_PROC2:
		m->procbased2 &= mask;
		break;
	case VMX_EXIT:
		m->exit &= mask;
		m->true_exit &= mask;
		break;
	default:
		m->entry &= mask;
		m->true_entry &= mask;
		break;
	}
}

static unsigned brute_force_highest(const struct vmx_msrs *m)
{
	unsigned max = 0;
	uint32_t e;

	/* Bits 31:15 must be 0 (24.11.2): 32768 candidate encodings. */
	for (e = 0; e < 0x8000; e++)
		if (vmcs12_field_supported(m, e) && VMCS_ENC_INDEX(e) > max)
			max = VMCS_ENC_INDEX(e);
	return max;
}

/* ---- Encoding form --------------------------------------------------------- */

static void test_reserved_bits(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	assert_true(vmcs12_field_supported(&m, VMCS_GUEST_RIP));
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_RIP | 0x8000));
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_RIP | 0x10000));
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_RIP | 0x80000000u));
	assert_false(vmcs12_field_supported(&m, 0xffffffffu));
	assert_false(vmcs12_field_supported(NULL, VMCS_GUEST_RIP));
	/* Bit 12 is reserved too: no table row has it. */
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_RIP | 0x1000));
}

static void test_unknown_encodings(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	assert_false(vmcs12_field_supported(&m, 0x0006));	/* after EPTP idx */
	assert_false(vmcs12_field_supported(&m, 0x2030));	/* not listed */
	assert_false(vmcs12_field_supported(&m, 0x482c));
	assert_false(vmcs12_field_supported(&m, 0x6c18));
	assert_true(vmcs12_field_supported(&m, VMCS_HOST_RIP));
}

static void test_high_access(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	/* 24.11.2: only 64-bit fields have a high access. */
	assert_true(vmcs12_field_supported(&m, VMCS_IO_BITMAP_A | 1));
	assert_true(vmcs12_field_supported(&m, VMCS_VMCS_LINK_POINTER | 1));
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_ES_SELECTOR | 1));
	assert_false(vmcs12_field_supported(&m, VMCS_PIN_BASED_CONTROLS | 1));
	assert_false(vmcs12_field_supported(&m, VMCS_GUEST_RIP | 1));
	/* The high access follows its field's feature. */
	assert_true(vmcs12_field_supported(&m, VMCS_EPT_POINTER | 1));
	drop(&m, VMX_PROC2, PROC2_ENABLE_EPT);
	assert_false(vmcs12_field_supported(&m, VMCS_EPT_POINTER | 1));
	assert_false(vmcs12_field_supported(&m, VMCS_EPT_POINTER));
}

/* ---- Each conditional field with its feature ------------------------------ */

struct cond {
	uint32_t enc;
	uint8_t kind;
	uint32_t bit;
};

/* Fields that exist iff exactly one control can be 1. */
static const struct cond single[] = {
	{ VMCS_VPID, VMX_PROC2, PROC2_ENABLE_VPID },
	{ VMCS_POSTED_INTR_NOTIFY_VECTOR, VMX_PIN, PIN_POSTED_INTERRUPTS },
	{ VMCS_POSTED_INTR_DESC_ADDR, VMX_PIN, PIN_POSTED_INTERRUPTS },
	{ VMCS_EPTP_INDEX, VMX_PROC2, PROC2_EPT_VIOLATION_VE },
	{ VMCS_VE_INFO_ADDR, VMX_PROC2, PROC2_EPT_VIOLATION_VE },
	{ VMCS_GUEST_INTR_STATUS, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY },
	{ VMCS_EOI_EXIT_BITMAP0, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY },
	{ VMCS_EOI_EXIT_BITMAP1, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY },
	{ VMCS_EOI_EXIT_BITMAP2, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY },
	{ VMCS_EOI_EXIT_BITMAP3, VMX_PROC2, PROC2_VIRTUAL_INTERRUPT_DELIVERY },
	{ VMCS_GUEST_PML_INDEX, VMX_PROC2, PROC2_ENABLE_PML },
	{ VMCS_PML_ADDRESS, VMX_PROC2, PROC2_ENABLE_PML },
	{ VMCS_MSR_BITMAP, VMX_PROC, PROC_USE_MSR_BITMAPS },
	{ VMCS_VIRTUAL_APIC_PAGE_ADDR, VMX_PROC, PROC_TPR_SHADOW },
	{ VMCS_TPR_THRESHOLD, VMX_PROC, PROC_TPR_SHADOW },
	{ VMCS_APIC_ACCESS_ADDR, VMX_PROC2, PROC2_VIRTUALIZE_APIC_ACCESSES },
	{ VMCS_VM_FUNCTION_CONTROLS, VMX_PROC2, PROC2_ENABLE_VMFUNC },
	{ VMCS_EPTP_LIST_ADDR, VMX_PROC2, PROC2_ENABLE_VMFUNC },
	{ VMCS_EPT_POINTER, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_GUEST_PHYSICAL_ADDRESS, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_GUEST_PDPTE0, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_GUEST_PDPTE1, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_GUEST_PDPTE2, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_GUEST_PDPTE3, VMX_PROC2, PROC2_ENABLE_EPT },
	{ VMCS_VMREAD_BITMAP, VMX_PROC2, PROC2_VMCS_SHADOWING },
	{ VMCS_VMWRITE_BITMAP, VMX_PROC2, PROC2_VMCS_SHADOWING },
	{ VMCS_XSS_EXIT_BITMAP, VMX_PROC2, PROC2_ENABLE_XSAVES },
	{ VMCS_ENCLS_EXITING_BITMAP, VMX_PROC2, PROC2_ENCLS_EXITING },
	{ VMCS_TSC_MULTIPLIER, VMX_PROC2, PROC2_TSC_SCALING },
	{ VMCS_TERTIARY_PROC_CONTROLS, VMX_PROC, PROC_TERTIARY_CONTROLS },
	{ VMCS_SECONDARY_PROC_CONTROLS, VMX_PROC, PROC_SECONDARY_CONTROLS },
	{ VMCS_PLE_GAP, VMX_PROC2, PROC2_PAUSE_LOOP_EXITING },
	{ VMCS_PLE_WINDOW, VMX_PROC2, PROC2_PAUSE_LOOP_EXITING },
	{ VMCS_HOST_IA32_PAT, VMX_EXIT, EXIT_LOAD_PAT },
	{ VMCS_HOST_IA32_EFER, VMX_EXIT, EXIT_LOAD_EFER },
	{ VMCS_HOST_IA32_PERF_GLOBAL_CTRL, VMX_EXIT, EXIT_LOAD_PERF_GLOBAL_CTRL },
	{ VMCS_PREEMPTION_TIMER_VALUE, VMX_PIN, PIN_PREEMPTION_TIMER },
};

static void test_single_control_fields(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(single); i++) {
		struct vmx_msrs m = everything_cpu();
		const struct cond *c = &single[i];

		assert_true(vmcs12_field_supported(&m, c->enc));
		drop(&m, (enum vmx_ctl_kind)c->kind, c->bit);
		if (vmcs12_field_supported(&m, c->enc))
			fail_msg("field 0x%x still supported without its "
				 "control", c->enc);
		/* Unconditional fields do not care. */
		assert_true(vmcs12_field_supported(&m, VMCS_GUEST_CR3));
		assert_true(vmcs12_field_supported(&m, VMCS_IO_BITMAP_A));
	}
}

/* Guest-state MSR fields: the entry control that loads or the exit
 * control that saves/clears them (24.4.1). */
static const struct { uint32_t enc, entry, exit; } either[] = {
	{ VMCS_GUEST_IA32_PAT, ENTRY_LOAD_PAT, EXIT_SAVE_PAT },
	{ VMCS_GUEST_IA32_EFER, ENTRY_LOAD_EFER, EXIT_SAVE_EFER },
	{ VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, ENTRY_LOAD_PERF_GLOBAL_CTRL,
	  EXIT_SAVE_PERF_GLOBAL_CTRL },
	{ VMCS_GUEST_IA32_BNDCFGS, ENTRY_LOAD_BNDCFGS, EXIT_CLEAR_BNDCFGS },
	{ VMCS_GUEST_IA32_RTIT_CTL, ENTRY_LOAD_RTIT_CTL, EXIT_CLEAR_RTIT_CTL },
};

static void test_guest_msr_fields(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(either); i++) {
		struct vmx_msrs m = everything_cpu();

		drop(&m, VMX_ENTRY, either[i].entry);
		assert_true(vmcs12_field_supported(&m, either[i].enc));
		m = everything_cpu();
		drop(&m, VMX_EXIT, either[i].exit);
		assert_true(vmcs12_field_supported(&m, either[i].enc));
		drop(&m, VMX_ENTRY, either[i].entry);
		assert_false(vmcs12_field_supported(&m, either[i].enc));
	}
}

static void test_eptp_list_needs_eptp_switching(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	m.vmfunc = 0;
	assert_true(vmcs12_field_supported(&m, VMCS_VM_FUNCTION_CONTROLS));
	assert_false(vmcs12_field_supported(&m, VMCS_EPTP_LIST_ADDR));
	m.vmfunc = 1;
	m.have_vmfunc = false;
	assert_false(vmcs12_field_supported(&m, VMCS_EPTP_LIST_ADDR));
}

static void test_cr3_targets(void **state)
{
	static const uint32_t t[4] = {
		VMCS_CR3_TARGET_VALUE0, VMCS_CR3_TARGET_VALUE1,
		VMCS_CR3_TARGET_VALUE2, VMCS_CR3_TARGET_VALUE3,
	};
	unsigned n, i;

	(void)state;
	for (n = 0; n <= 5; n++) {
		struct vmx_msrs m = skylake();

		m.misc = (m.misc & ~VMX_MISC_CR3_TARGETS_MASK) |
			 ((uint64_t)n << 16);
		for (i = 0; i < 4; i++)
			assert_int_equal(vmcs12_field_supported(&m, t[i]),
					 i < n);
		/* The count field itself always exists (24.6.7). */
		assert_true(vmcs12_field_supported(&m, VMCS_CR3_TARGET_COUNT));
	}
}

static void test_secondary_needs_bit31(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	/* A.3.3: without "activate secondary controls" no secondary
	 * control can be 1, whatever IA32_VMX_PROCBASED_CTLS2 says. */
	drop(&m, VMX_PROC, PROC_SECONDARY_CONTROLS);
	assert_false(vmcs12_field_supported(&m, VMCS_SECONDARY_PROC_CONTROLS));
	assert_false(vmcs12_field_supported(&m, VMCS_EPT_POINTER));
	assert_false(vmcs12_field_supported(&m, VMCS_VPID));
	assert_true(vmcs12_field_supported(&m, VMCS_VIRTUAL_APIC_PAGE_ADDR));
}

static void test_true_view_decides(void **state)
{
	struct vmx_msrs m = everything_cpu();

	(void)state;
	/* With BASIC[55] the TRUE MSR is the one that counts (A.2). */
	m.true_procbased &= ~((uint64_t)PROC_USE_MSR_BITMAPS << 32);
	assert_false(vmcs12_field_supported(&m, VMCS_MSR_BITMAP));
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	assert_true(vmcs12_field_supported(&m, VMCS_MSR_BITMAP));
}

/* Every row is either unconditional or among the rows tested above. */
static void test_every_row_classified(void **state)
{
	struct vmx_msrs all = everything_cpu(), none = everything_cpu();
	unsigned i, conditional = 0;

	(void)state;
	for (i = 0; i < VMX_CTL_KINDS; i++)
		drop(&none, (enum vmx_ctl_kind)i, 0xffffffff);
	none.misc &= ~VMX_MISC_CR3_TARGETS_MASK;
	for (i = 0; i < vmcs_field_count; i++) {
		uint32_t e = vmcs_field_table[i].encoding;
		bool listed = false;
		unsigned j;

		assert_true(vmcs12_field_supported(&all, e));
		if (vmcs12_field_supported(&none, e))
			continue;
		conditional++;
		for (j = 0; j < ARRAY_SIZE(single); j++)
			listed |= single[j].enc == e;
		for (j = 0; j < ARRAY_SIZE(either); j++)
			listed |= either[j].enc == e;
		listed |= e >= VMCS_CR3_TARGET_VALUE0 &&
			  e <= VMCS_CR3_TARGET_VALUE3;
		if (!listed)
			fail_msg("conditional field %s untested",
				 vmcs_field_table[i].name);
	}
	assert_int_equal(conditional,
			 ARRAY_SIZE(single) + ARRAY_SIZE(either) + 4);
}

/* ---- IA32_VMX_VMCS_ENUM ---------------------------------------------------- */

static void test_highest_index_models(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < VMX_MODEL_COUNT; i++) {
		struct vmx_msrs m = vmx_models[i].msrs();

		assert_int_equal(vmcs12_highest_index(&m),
				 brute_force_highest(&m));
	}
	/* Skylake's highest field is the TSC multiplier (0x2032, index
	 * 0x19); Bochs reports 0x1a (docs/bochs-deviations.md row 4). */
	{
		struct vmx_msrs m = skylake();

		assert_int_equal(vmcs12_highest_index(&m), 0x19);
		drop(&m, VMX_PROC2, PROC2_TSC_SCALING);
		/* Next: the preemption-timer value (0x482e, index 0x17). */
		assert_int_equal(vmcs12_highest_index(&m), 0x17);
		drop(&m, VMX_PIN, PIN_PREEMPTION_TIMER);
		/* Next: XSS-exiting bitmap (0x202c, index 0x16). */
		assert_int_equal(vmcs12_highest_index(&m), 0x16);
		drop(&m, VMX_PROC2, PROC2_ENABLE_XSAVES);
		/* Then the unconditional guest IA32_SYSENTER_CS (0x482a). */
		assert_int_equal(vmcs12_highest_index(&m), 0x15);
		assert_int_equal(brute_force_highest(&m), 0x15);
	}
	{
		struct vmx_msrs m = everything_cpu();

		/* Tertiary controls, 0x2034: index 0x1a. */
		assert_int_equal(vmcs12_highest_index(&m), 0x1a);
		assert_int_equal(brute_force_highest(&m), 0x1a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_unknown_encodings),
		cmocka_unit_test(test_high_access),
		cmocka_unit_test(test_single_control_fields),
		cmocka_unit_test(test_guest_msr_fields),
		cmocka_unit_test(test_eptp_list_needs_eptp_switching),
		cmocka_unit_test(test_cr3_targets),
		cmocka_unit_test(test_secondary_needs_bit31),
		cmocka_unit_test(test_true_view_decides),
		cmocka_unit_test(test_every_row_classified),
		cmocka_unit_test(test_highest_index_models),
	};

	return cmocka_run_group_tests_name("vmcs_field_caps", tests, NULL,
					   NULL);
}
