/* Unit tests for vmx/vmcs_layout.c: vmcs_field_lookup() (including "high"
 * accesses of 64-bit fields) and the consistency of every row of the field
 * table with its encoding (SDM Vol. 3C, 24.11.2, Table 24-21; Vol. 3D,
 * Appendix B) and with struct vmcs12. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/vmcs_layout.h"

static const struct vmcs_field_info *row_named(const char *name)
{
	for (unsigned i = 0; i < vmcs_field_count; i++)
		if (strcmp(vmcs_field_table[i].name, name) == 0)
			return &vmcs_field_table[i];
	return NULL;
}

static void check_known(uint32_t enc, const char *name, unsigned width,
			size_t offset)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	assert_non_null(f);
	assert_string_equal(f->name, name);
	assert_int_equal(f->encoding, enc & ~1u);
	assert_int_equal(f->width, width);
	assert_int_equal(f->offset, offset);
}

static void test_lookup_known(void **state)
{
	(void)state;
	check_known(0x681e, "GUEST_RIP", VMCS_WNAT,
		    offsetof(struct vmcs12, GUEST_RIP));
	check_known(0x4402, "EXIT_REASON", VMCS_W32,
		    offsetof(struct vmcs12, EXIT_REASON));
	check_known(0x2000, "IO_BITMAP_A", VMCS_W64,
		    offsetof(struct vmcs12, IO_BITMAP_A));
	check_known(0x0000, "VPID", VMCS_W16, offsetof(struct vmcs12, VPID));
	check_known(0x0802, "GUEST_CS_SELECTOR", VMCS_W16,
		    offsetof(struct vmcs12, GUEST_CS_SELECTOR));
	check_known(0x4000, "PIN_BASED_CONTROLS", VMCS_W32,
		    offsetof(struct vmcs12, PIN_BASED_CONTROLS));
	check_known(0x6400, "EXIT_QUALIFICATION", VMCS_WNAT,
		    offsetof(struct vmcs12, EXIT_QUALIFICATION));
	check_known(0x6c16, "HOST_RIP", VMCS_WNAT,
		    offsetof(struct vmcs12, HOST_RIP));
	check_known(0x2800, "VMCS_LINK_POINTER", VMCS_W64,
		    offsetof(struct vmcs12, VMCS_LINK_POINTER));
	check_known(0x201a, "EPT_POINTER", VMCS_W64,
		    offsetof(struct vmcs12, EPT_POINTER));
	/* The enum carries the same encodings. */
	assert_int_equal(VMCS_GUEST_RIP, 0x681e);
	assert_int_equal(VMCS_EXIT_REASON, 0x4402);
	assert_int_equal(VMCS_IO_BITMAP_A, 0x2000);
	assert_int_equal(VMCS_VM_INSTRUCTION_ERROR, 0x4400);
	assert_int_equal(VMCS_GUEST_PHYSICAL_ADDRESS, 0x2400);
}

static void test_lookup_high_access(void **state)
{
	(void)state;
	/* 24.11.2: a high access (bit 0 = 1) reads bits 63:32 of a 64-bit
	 * field; it maps to the full field's row. */
	assert_ptr_equal(vmcs_field_lookup(0x2001), vmcs_field_lookup(0x2000));
	assert_string_equal(vmcs_field_lookup(0x2001)->name, "IO_BITMAP_A");
	assert_string_equal(vmcs_field_lookup(0x2011)->name, "TSC_OFFSET");
	assert_string_equal(vmcs_field_lookup(0x2401)->name,
			    "GUEST_PHYSICAL_ADDRESS");
	assert_string_equal(vmcs_field_lookup(0x2c03)->name, "HOST_IA32_EFER");
	/* Only 64-bit fields have a high access. */
	assert_null(vmcs_field_lookup(0x4403)); /* EXIT_REASON | 1 */
	assert_null(vmcs_field_lookup(0x0001)); /* VPID | 1 */
	assert_null(vmcs_field_lookup(0x0803));
	assert_null(vmcs_field_lookup(0x681f)); /* GUEST_RIP | 1 */
	assert_null(vmcs_field_lookup(0x6c17));
	/* High access of an unknown 64-bit field. */
	assert_null(vmcs_field_lookup(0x2031)); /* SPPTP: not in the table */
	assert_null(vmcs_field_lookup(0x2037));
}

static void test_lookup_unknown(void **state)
{
	static const uint32_t unknown[] = {
		0x0006, 0x0814, 0x0c0e, 0x2030, 0x2036, 0x2402, 0x2816,
		0x2c06, 0x4024, 0x4410, 0x482c, 0x4830, 0x4c02, 0x6010,
		0x640c, 0x6828, 0x6c18, 0x8000, 0xffff,
		/* Bits 31:15 are reserved (24.11.2): no aliasing. */
		0x0001681e, 0x8000681e, 0x00012000, 0x80002001, 0xffffffff,
		0xfffffffe,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (vmcs_field_lookup(unknown[i]))
			fail_msg("encoding %#x found", unknown[i]);
}

static void test_every_row_looks_up_itself(void **state)
{
	(void)state;
	assert_true(vmcs_field_count > 100);
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[i];

		assert_ptr_equal(vmcs_field_lookup(f->encoding), f);
		if (f->width == VMCS_W64)
			assert_ptr_equal(vmcs_field_lookup(f->encoding | 1), f);
		else
			assert_null(vmcs_field_lookup(f->encoding | 1));
	}
}

static size_t width_bytes(unsigned w)
{
	switch (w) {
	case VMCS_W16: return 2;
	case VMCS_W32: return 4;
	case VMCS_W64: return 8;
	case VMCS_WNAT: return 8;
	}
	fail_msg("bad width %u", w);
	return 0;
}

static void test_rows_encoding_and_layout(void **state)
{
	static bool used[sizeof(struct vmcs12)];

	(void)state;
	memset(used, 0, sizeof(used));
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[i];
		size_t n = width_bytes(f->width);

		assert_non_null(f->name);
		assert_true(strlen(f->name) > 0);
		assert_int_equal(VMCS_ENC_WIDTH(f->encoding), f->width);
		assert_int_equal(VMCS_ENC_HIGH(f->encoding), 0);
		assert_int_equal(f->encoding >> 15, 0);
		/* Bit 12 is reserved (0) in every encoding (24.11.2). */
		assert_int_equal(f->encoding & (1u << 12), 0);
		assert_true(f->shadow <= VMCS_SHADOW_RW);
		/* Inside struct vmcs12, naturally aligned, no overlap. */
		assert_true(f->offset + n <= sizeof(struct vmcs12));
		assert_int_equal(f->offset % n, 0);
		for (size_t b = 0; b < n; b++) {
			if (used[f->offset + b])
				fail_msg("%s overlaps another field", f->name);
			used[f->offset + b] = true;
		}
		for (unsigned j = i + 1; j < vmcs_field_count; j++) {
			const struct vmcs_field_info *g = &vmcs_field_table[j];

			if (f->encoding == g->encoding)
				fail_msg("%s, %s: same encoding", f->name, g->name);
			if (f->offset == g->offset)
				fail_msg("%s, %s: same offset", f->name, g->name);
			if (strcmp(f->name, g->name) == 0)
				fail_msg("%s twice", f->name);
		}
	}
}

/* Read-only data fields (Vol. 3D, B.2.2, B.3.2, B.4.2): type 1. */
static const char *const exit_info_fields[] = {
	"GUEST_PHYSICAL_ADDRESS", "VM_INSTRUCTION_ERROR", "EXIT_REASON",
	"EXIT_INTR_INFO", "EXIT_INTR_ERROR_CODE", "IDT_VECTORING_INFO",
	"IDT_VECTORING_ERROR_CODE", "EXIT_INSTRUCTION_LEN",
	"EXIT_INSTRUCTION_INFO", "EXIT_QUALIFICATION", "IO_RCX", "IO_RSI",
	"IO_RDI", "IO_RIP", "GUEST_LINEAR_ADDRESS",
};

/* Guest-state fields whose name lacks the GUEST_ prefix. */
static const char *const other_guest_fields[] = {
	"VMCS_LINK_POINTER", "PREEMPTION_TIMER_VALUE",
};

static bool in_list(const char *name, const char *const *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static void test_rows_type_matches_name(void **state)
{
	unsigned seen_exit_info = 0;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(exit_info_fields); i++)
		assert_non_null(row_named(exit_info_fields[i]));
	for (unsigned i = 0; i < ARRAY_SIZE(other_guest_fields); i++)
		assert_non_null(row_named(other_guest_fields[i]));

	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[i];
		unsigned type = VMCS_ENC_TYPE(f->encoding), want;

		if (in_list(f->name, exit_info_fields,
			    ARRAY_SIZE(exit_info_fields))) {
			want = VMCS_T_EXIT_INFO;
			seen_exit_info++;
			/* Read-only: an L1 VMWRITE must always exit. */
			if (f->shadow == VMCS_SHADOW_RW)
				fail_msg("%s: read-only field shadowed RW",
					 f->name);
		} else if (strncmp(f->name, "GUEST_", 6) == 0 ||
			   in_list(f->name, other_guest_fields,
				   ARRAY_SIZE(other_guest_fields))) {
			want = VMCS_T_GUEST;
		} else if (strncmp(f->name, "HOST_", 5) == 0) {
			want = VMCS_T_HOST;
			/* L1 never touches host state without an exit. */
			assert_int_equal(f->shadow, VMCS_SHADOW_NO);
		} else {
			want = VMCS_T_CONTROL;
		}
		if (type != want)
			fail_msg("%s (%#x): type %u, expected %u", f->name,
				 f->encoding, type, want);
	}
	assert_int_equal(seen_exit_info, ARRAY_SIZE(exit_info_fields));
}

/* Spot checks of the table against Appendix B. */
static void test_rows_sdm_values(void **state)
{
	static const struct { const char *name; uint32_t enc; } sdm[] = {
		{ "GUEST_ES_SELECTOR", 0x0800 }, { "GUEST_PML_INDEX", 0x0812 },
		{ "HOST_TR_SELECTOR", 0x0c0c }, { "MSR_BITMAP", 0x2004 },
		{ "TSC_MULTIPLIER", 0x2032 }, { "GUEST_IA32_EFER", 0x2806 },
		{ "HOST_IA32_PERF_GLOBAL_CTRL", 0x2c04 },
		{ "SECONDARY_PROC_CONTROLS", 0x401e },
		{ "EXIT_INSTRUCTION_INFO", 0x440e },
		{ "GUEST_INTERRUPTIBILITY", 0x4824 },
		{ "PREEMPTION_TIMER_VALUE", 0x482e },
		{ "HOST_IA32_SYSENTER_CS", 0x4c00 },
		{ "CR0_GUEST_HOST_MASK", 0x6000 },
		{ "GUEST_LINEAR_ADDRESS", 0x640a }, { "GUEST_CR0", 0x6800 },
		{ "GUEST_RFLAGS", 0x6820 }, { "HOST_CR3", 0x6c02 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sdm); i++) {
		const struct vmcs_field_info *f = row_named(sdm[i].name);

		assert_non_null(f);
		assert_int_equal(f->encoding, sdm[i].enc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_lookup_known),
		T(test_lookup_high_access),
		T(test_lookup_unknown),
		T(test_every_row_looks_up_itself),
		T(test_rows_encoding_and_layout),
		T(test_rows_type_matches_name),
		T(test_rows_sdm_values),
#undef T
	};

	return cmocka_run_group_tests_name("vmcs_layout", tests, NULL, NULL);
}
