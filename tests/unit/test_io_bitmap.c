/* Unit tests for vmx/io_bitmap.c: which ports Nestor intercepts, the exact
 * bits in bitmaps A and B (SDM Vol. 3C, 24.6.4), multi-byte accesses that
 * overlap an intercepted port, and wrap past 0xffff (25.1.3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/io_bitmap.h"
#include "vmx/hypercall_abi.h"

struct guarded_bitmaps {
	uint8_t g0[32];
	uint8_t a[4096];
	uint8_t g1[32];
	uint8_t b[4096];
	uint8_t g2[32];
};

static struct guarded_bitmaps G;

static void build(uint8_t fill)
{
	memset(&G, fill, sizeof(G));
	io_bitmap_build(G.a, G.b);
	for (unsigned i = 0; i < 32; i++) {
		assert_int_equal(G.g0[i], fill);
		assert_int_equal(G.g1[i], fill);
		assert_int_equal(G.g2[i], fill);
	}
}

static bool is_intercepted_port(uint32_t p)
{
	return p == 0xf4 || p == 0x8900 || p == 0x8901;
}

/* Reference: an access exits if any byte's port is intercepted or it runs
 * past 0xffff (25.1.3). */
static bool reference(uint16_t port, unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		uint32_t p = (uint32_t)port + i;

		if (p > 0xffff || is_intercepted_port(p))
			return true;
	}
	return false;
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(NESTOR_EXIT_PORT, 0xf4);
	assert_int_equal(BOCHS_SHUTDOWN_PORT, 0x8900);
}

static void test_exact_bits(void **state)
{
	unsigned na = 0, nb = 0;

	(void)state;
	build(0xff); /* old contents must be cleared */
	for (unsigned i = 0; i < 4096; i++) {
		na += (unsigned)__builtin_popcount(G.a[i]);
		nb += (unsigned)__builtin_popcount(G.b[i]);
	}
	assert_int_equal(na, 1);
	assert_int_equal(nb, 2);
	/* 0xf4 = 30 * 8 + 4 in bitmap A. */
	assert_int_equal(G.a[30], 1u << 4);
	/* 0x8900 - 0x8000 = 0x900 = 288 * 8: bits 0 and 1 of B[288]. */
	assert_int_equal(G.b[288], 0x03);
	/* A must not hold the Bochs port at its low alias 0x900. */
	assert_int_equal(G.a[288], 0);
	assert_int_equal(G.b[30], 0);
}

static void test_single_byte(void **state)
{
	(void)state;
	build(0);
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xf4, 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8900, 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8901, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf3, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf5, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x88ff, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x8902, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x0900, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x80f4, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x0, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x3f8, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xffff, 1));
}

static void test_multi_byte_overlap(void **state)
{
	(void)state;
	build(0);
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xf3, 2));  /* f3 f4 */
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf2, 2)); /* f2 f3 */
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf5, 2));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xf1, 4));  /* f1..f4 */
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf0, 4)); /* f0..f3 */
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xf4, 4));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf5, 4));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x88fe, 4)); /* ..8901 */
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x88ff, 2));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x88fc, 4)); /* ..88ff */
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x88fe, 2));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8901, 4));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x8902, 4));
}

/* 25.1.3: an access that wraps past 0xffff exits unconditionally, even
 * with empty bitmaps. */
static void test_wrap(void **state)
{
	(void)state;
	build(0);
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xffff, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xfffe, 2));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xfffc, 4));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xffff, 2));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xfffd, 4));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xffff, 4));
	/* The wrapped part must not be read as port 0 of bitmap A. */
	memset(G.a, 0, 4096);
	memset(G.b, 0, 4096);
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xfffe, 4));
}

/* Bitmap A covers 0-0x7fff, B 0x8000-0xffff (24.6.4): hand-made bitmaps
 * with single bits either side of the split. */
static void test_a_b_split(void **state)
{
	(void)state;
	memset(&G, 0, sizeof(G));
	G.b[0] = 0x01; /* port 0x8000 */
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8000, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x0000, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x7fff, 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x7fff, 2));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x7ffd, 4));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x7ffc, 4));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x8001, 1));

	memset(&G, 0, sizeof(G));
	G.a[4095] = 0x80; /* port 0x7fff */
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x7fff, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xffff, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x8000, 4));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x7ffe, 2));

	memset(&G, 0, sizeof(G));
	G.b[4095] = 0x80; /* port 0xffff */
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xffff, 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xfffc, 4));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x7fff, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xfffb, 4));
}

/* Every port with sizes 1, 2 and 4 against the reference model. */
static void test_all_ports(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4 };

	(void)state;
	build(0x33);
	for (uint32_t port = 0; port <= 0xffff; port++) {
		for (unsigned s = 0; s < 3; s++) {
			bool got = io_bitmap_intercepts(G.a, G.b, (uint16_t)port,
							sizes[s]);

			if (got != reference((uint16_t)port, sizes[s]))
				fail_msg("port %#x size %u: got %d", port,
					 sizes[s], got);
		}
	}
}

/* Sizes the hardware never produces must still give a bounded, sane
 * answer (no read outside the bitmaps; ASan watches). */
static void test_hostile_sizes(void **state)
{
	(void)state;
	build(0);
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf4, 0));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0, 0xffffffffu));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0xf5, 0x8900 - 0xf5));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0xf5, 0x8900 - 0xf5 + 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x8902, 0x10000 - 0x8902));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8902, 0x10000 - 0x8902 + 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x8902, 0xffffffffu));
}

/* One owner per port, and the bitmap is exactly the ports that are not
 * the guest's: the exit port, Bochs' two shutdown ports, nothing else. */
static void test_port_owner(void **state)
{
	uint8_t a[4096], b[4096];
	unsigned nestor = 0;

	(void)state;
	assert_int_equal(io_port_owner(0xf4), IO_PORT_NESTOR_EXIT);
	assert_int_equal(io_port_owner(0x8900), IO_PORT_BOCHS_SHUTDOWN);
	assert_int_equal(io_port_owner(0x8901), IO_PORT_BOCHS_SHUTDOWN);
	assert_int_equal(io_port_owner(0xf3), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0xf5), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0x88ff), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0x8902), IO_PORT_GUEST);
	io_bitmap_build(a, b);
	for (uint32_t p = 0; p <= 0xffff; p++) {
		bool owned = io_port_owner((uint16_t)p) != IO_PORT_GUEST;

		assert_int_equal(io_bitmap_intercepts(a, b, (uint16_t)p, 1), owned);
		nestor += owned;
	}
	assert_int_equal(nestor, 3);
}

/* With the console UART emulated (vmx/guest_console.c), its 8 ports and
 * the master PIC's 2 exit too; off again, nothing of them does. */
static void test_console_ports(void **state)
{
	(void)state;
	io_console_base = 0x3f8;
	for (uint32_t p = 0x3f8; p < 0x400; p++)
		assert_int_equal(io_port_owner((uint16_t)p), IO_PORT_CONSOLE_UART);
	assert_int_equal(io_port_owner(0x3f7), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0x400), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0x2f8), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0x20), IO_PORT_PIC_SNOOP);
	assert_int_equal(io_port_owner(0x21), IO_PORT_PIC_SNOOP);
	assert_int_equal(io_port_owner(0xa0), IO_PORT_GUEST);
	assert_int_equal(io_port_owner(0xf4), IO_PORT_NESTOR_EXIT);
	io_bitmap_build(G.a, G.b);
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x3fd, 1));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x3f6, 4));
	assert_true(io_bitmap_intercepts(G.a, G.b, 0x21, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x3f0, 8));
	io_console_base = 0;
	io_bitmap_build(G.a, G.b);
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x3f8, 1));
	assert_false(io_bitmap_intercepts(G.a, G.b, 0x20, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_constants),
		T(test_exact_bits),
		T(test_single_byte),
		T(test_multi_byte_overlap),
		T(test_wrap),
		T(test_a_b_split),
		T(test_all_ports),
		T(test_hostile_sizes),
		T(test_port_owner),
		T(test_console_ports),
#undef T
	};

	return cmocka_run_group_tests_name("io_bitmap", tests, NULL, NULL);
}
