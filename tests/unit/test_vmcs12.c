/* Unit tests for nested/vmcs12.c: VMREAD/VMWRITE of L1's VMCS as Nestor
 * keeps it. Per width (SDM Vol. 3C 24.11.2, Table 24-21: encoding bits
 * 14:13), the high access of 64-bit fields (bit 0), truncation on write,
 * zero-extension on read, that a write touches only its own field, the
 * launch-state word and the read-only predicate (exit-information fields,
 * type 1: 30.3 VMWRITE error 13). Widths and types are derived here from
 * the encodings, not from the table under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "nested/vmcs12.h"

static const struct vmcs_field_info *field(uint32_t enc)
{
	const struct vmcs_field_info *i = vmcs_field_lookup(enc);

	assert_non_null(i);
	return i;
}

static unsigned enc_bytes(uint32_t enc)
{
	static const unsigned bytes[4] = { 2, 8, 4, 8 };

	return bytes[(enc >> 13) & 3];
}

static void test_width_16(void **state)
{
	struct vmcs12 f;
	const struct vmcs_field_info *i = field(0x0800); /* GUEST_ES_SELECTOR */

	(void)state;
	memset(&f, 0, sizeof(f));
	vmcs12_write(&f, i, 0x0800, 0x12345678);
	assert_int_equal(vmcs12_read(&f, i, 0x0800), 0x5678);
	assert_int_equal(f.GUEST_ES_SELECTOR, 0x5678);
	vmcs12_write(&f, i, 0x0800, 0xffffffffffffffffull);
	assert_int_equal(vmcs12_read(&f, i, 0x0800), 0xffff); /* zero-ext. */
	assert_int_equal(f.GUEST_CS_SELECTOR, 0);
}

static void test_width_32(void **state)
{
	struct vmcs12 f;
	const struct vmcs_field_info *i = field(0x4000); /* pin-based */

	(void)state;
	memset(&f, 0, sizeof(f));
	vmcs12_write(&f, i, 0x4000, 0xdeadbeefcafef00dull);
	assert_int_equal(vmcs12_read(&f, i, 0x4000), 0xcafef00d);
	assert_int_equal(f.PIN_BASED_CONTROLS, 0xcafef00d);
	vmcs12_write(&f, i, 0x4000, 0x80000000u);
	assert_int_equal(vmcs12_read(&f, i, 0x4000), 0x80000000ull);
	assert_int_equal(f.PROC_BASED_CONTROLS, 0);
}

static void test_width_natural(void **state)
{
	struct vmcs12 f;
	const struct vmcs_field_info *i = field(0x6800); /* GUEST_CR0 */

	(void)state;
	memset(&f, 0, sizeof(f));
	vmcs12_write(&f, i, 0x6800, 0xfedcba9876543210ull);
	assert_int_equal(vmcs12_read(&f, i, 0x6800), 0xfedcba9876543210ull);
	/* A 32-bit L1 writes a 32-bit operand: the field gets it,
	 * zero-extended (30.3 VMWRITE). */
	vmcs12_write(&f, i, 0x6800, 0x80000031u);
	assert_int_equal(vmcs12_read(&f, i, 0x6800), 0x80000031ull);
	assert_int_equal(f.GUEST_CR3, 0);
}

/* 24.11.2: the high access (bit 0 = 1) of a 64-bit field reads and writes
 * bits 63:32; the full access all 64 bits. */
static void test_width_64_full_and_high(void **state)
{
	struct vmcs12 f;
	const struct vmcs_field_info *i = field(0x2000); /* IO_BITMAP_A */

	(void)state;
	assert_ptr_equal(vmcs_field_lookup(0x2001), i);
	memset(&f, 0, sizeof(f));
	vmcs12_write(&f, i, 0x2000, 0x1122334455667788ull);
	assert_int_equal(vmcs12_read(&f, i, 0x2000), 0x1122334455667788ull);
	assert_int_equal(vmcs12_read(&f, i, 0x2001), 0x11223344);
	/* A high write keeps bits 31:0 and takes only the operand's low
	 * 32 bits. */
	vmcs12_write(&f, i, 0x2001, 0xaabbccddull);
	assert_int_equal(f.IO_BITMAP_A, 0xaabbccdd55667788ull);
	vmcs12_write(&f, i, 0x2001, 0x99aabbccddull);
	assert_int_equal(f.IO_BITMAP_A, 0xaabbccdd55667788ull);
	vmcs12_write(&f, i, 0x2001, 0);
	assert_int_equal(f.IO_BITMAP_A, 0x55667788ull);
	assert_int_equal(vmcs12_read(&f, i, 0x2001), 0);
	/* A 32-bit L1's full write: bits 63:32 cleared. */
	vmcs12_write(&f, i, 0x2001, 0xffffffffull);
	vmcs12_write(&f, i, 0x2000, 0x12345678u);
	assert_int_equal(f.IO_BITMAP_A, 0x12345678ull);
	assert_int_equal(f.IO_BITMAP_B, 0);
}

/* Every field the table has: a write lands in its own slot at its own
 * width, and nowhere else; the read returns it. */
static void test_every_field_isolated(void **state)
{
	static struct vmcs12 f, zero;
	const uint64_t pat = 0x8877665544332211ull;

	(void)state;
	assert_true(vmcs_field_count > 100);
	for (unsigned k = 0; k < vmcs_field_count; k++) {
		const struct vmcs_field_info *i = &vmcs_field_table[k];
		uint32_t enc = i->encoding;
		unsigned n = enc_bytes(enc);
		uint64_t want = n == 8 ? pat : pat & ((1ull << (8 * n)) - 1);
		uint8_t *p = (uint8_t *)&f;

		assert_int_equal(enc & 1, 0);
		assert_true(i->offset + n <= sizeof(f));
		memset(&f, 0, sizeof(f));
		vmcs12_write(&f, i, enc, pat);
		assert_int_equal(vmcs12_read(&f, i, enc), want);
		assert_memory_equal(p, &zero, i->offset);
		assert_memory_equal(p + i->offset + n,
				    (uint8_t *)&zero + i->offset + n,
				    sizeof(f) - i->offset - n);
		if (((enc >> 13) & 3) == 1) {
			assert_int_equal(vmcs12_read(&f, i, enc | 1),
					 pat >> 32);
			vmcs12_write(&f, i, enc | 1, 0x0badf00d);
			assert_int_equal(vmcs12_read(&f, i, enc),
					 0x0badf00d44332211ull);
		}
	}
}

/* 24.11.2: type = bits 11:10; type 1 (VM-exit information) is read-only
 * (30.3 VMWRITE: "VMWRITE to read-only VMCS component"). */
/* The inline whole-field accessors agree with vmcs12_read/_write on every
 * row, and store no more than the field's width. */
static void test_get_put_agree(void **state)
{
	static struct vmcs12 a, b;

	(void)state;
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[i];
		uint64_t val = 0x8877665544332211ull ^ ((uint64_t)i << 40);

		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0xa5, sizeof(b));
		vmcs12_put(&a, f, val);
		vmcs12_write(&b, f, f->encoding, val);
		assert_memory_equal(&a, &b, sizeof(a));
		assert_int_equal(vmcs12_get(&a, f), vmcs12_read(&b, f, f->encoding));
	}
}

static void test_read_only(void **state)
{
	static const uint32_t ro[] = { 0x4400, 0x4402, 0x440e, 0x2400, 0x2401,
				       0x6400, 0x640a };
	static const uint32_t rw[] = { 0x0000, 0x0800, 0x0c00, 0x2000, 0x2800,
				       0x2c00, 0x4000, 0x4800, 0x4c00, 0x6000,
				       0x6800, 0x6c00, 0x681e };

	(void)state;
	for (unsigned k = 0; k < sizeof(ro) / sizeof(ro[0]); k++)
		assert_true(vmcs12_field_read_only(ro[k]));
	for (unsigned k = 0; k < sizeof(rw) / sizeof(rw[0]); k++)
		assert_false(vmcs12_field_read_only(rw[k]));
	for (unsigned k = 0; k < vmcs_field_count; k++) {
		uint32_t enc = vmcs_field_table[k].encoding;

		assert_int_equal(vmcs12_field_read_only(enc),
				 ((enc >> 10) & 3) == 1);
	}
}

/* The region's layout (24.2): revision at 0, VMX-abort indicator at 4,
 * Nestor's launch word at 8; only the exact "launched" value launches. */
static void test_region_and_launch_state(void **state)
{
	struct vmcs12_region r;
	static const uint32_t clear[] = { 0, 1, 0xffffffffu,
					  VMCS12_LAUNCHED ^ 1u,
					  VMCS12_LAUNCHED ^ 0x80000000u,
					  VMCS12_LAUNCHED >> 8 };

	(void)state;
	assert_int_equal(offsetof(struct vmcs12_region, revision), 0);
	assert_int_equal(offsetof(struct vmcs12_region, abort), 4);
	assert_int_equal(offsetof(struct vmcs12_region, abort),
			 VMCS12_ABORT_OFFSET);
	assert_int_equal(offsetof(struct vmcs12_region, launch),
			 VMCS12_LAUNCH_OFFSET);
	assert_true(sizeof(r) <= 4096);
	assert_true(VMCS12_LAUNCHED != 0);
	memset(&r, 0, sizeof(r));
	assert_false(vmcs12_launched(&r));
	r.launch = VMCS12_LAUNCHED;
	assert_true(vmcs12_launched(&r));
	for (unsigned k = 0; k < sizeof(clear) / sizeof(clear[0]); k++) {
		r.launch = clear[k];
		assert_false(vmcs12_launched(&r));
	}
	/* The launch word is not part of any field. */
	memset(&r, 0xff, sizeof(r));
	r.launch = VMCS12_LAUNCHED;
	for (unsigned k = 0; k < vmcs_field_count; k++)
		vmcs12_write(&r.f, &vmcs_field_table[k],
			     vmcs_field_table[k].encoding, 0);
	assert_true(vmcs12_launched(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_16),
		cmocka_unit_test(test_width_32),
		cmocka_unit_test(test_width_natural),
		cmocka_unit_test(test_width_64_full_and_high),
		cmocka_unit_test(test_every_field_isolated),
		cmocka_unit_test(test_get_put_agree),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_region_and_launch_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
