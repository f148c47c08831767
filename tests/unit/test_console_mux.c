/* Unit tests for vmx/console_mux.c: the escape keys on the shared console,
 * the output mux that keeps Nestor's lines and the guest's from
 * interleaving mid-line, the 8259 ICW2 snoop and the choice of IRQ4's
 * vector from an IOAPIC redirection entry or the PIC's base. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/console_mux.h"

/* ---- escape keys ---- */

static void feed(struct console_esc *e, uint8_t b, struct console_esc_out *o)
{
	console_esc_feed(e, CONSOLE_ESCAPE_DEFAULT, b, o);
}

static void test_esc_plain_bytes_pass(void **state)
{
	struct console_esc e = { 0 };
	struct console_esc_out o;

	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		if (b == CONSOLE_ESCAPE_DEFAULT)
			continue;
		feed(&e, (uint8_t)b, &o);
		assert_int_equal(o.action, CONSOLE_ESC_BYTES);
		assert_int_equal(o.n, 1);
		assert_int_equal(o.bytes[0], b);
	}
}

static void test_esc_c_toggles_x_powers_off(void **state)
{
	struct console_esc e = { 0 };
	struct console_esc_out o;

	(void)state;
	feed(&e, 0x01, &o);
	assert_int_equal(o.action, CONSOLE_ESC_BYTES);
	assert_int_equal(o.n, 0);
	feed(&e, 'c', &o);
	assert_int_equal(o.action, CONSOLE_ESC_SHELL);
	feed(&e, 'c', &o); /* disarmed: an ordinary c */
	assert_int_equal(o.action, CONSOLE_ESC_BYTES);
	assert_int_equal(o.n, 1);
	feed(&e, 0x01, &o);
	feed(&e, 'C', &o);
	assert_int_equal(o.action, CONSOLE_ESC_SHELL);
	feed(&e, 0x01, &o);
	feed(&e, 'x', &o);
	assert_int_equal(o.action, CONSOLE_ESC_POWEROFF);
	feed(&e, 0x01, &o);
	feed(&e, 'X', &o);
	assert_int_equal(o.action, CONSOLE_ESC_POWEROFF);
}

static void test_esc_twice_gives_one_and_other_gives_both(void **state)
{
	struct console_esc e = { 0 };
	struct console_esc_out o;

	(void)state;
	feed(&e, 0x01, &o);
	feed(&e, 0x01, &o);
	assert_int_equal(o.action, CONSOLE_ESC_BYTES);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.bytes[0], 0x01);
	feed(&e, 'c', &o); /* not armed after the pair */
	assert_int_equal(o.action, CONSOLE_ESC_BYTES);
	feed(&e, 0x01, &o);
	feed(&e, 'q', &o);
	assert_int_equal(o.action, CONSOLE_ESC_BYTES);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.bytes[0], 0x01);
	assert_int_equal(o.bytes[1], 'q');
}

static void test_esc_configurable(void **state)
{
	struct console_esc e = { 0 };
	struct console_esc_out o;

	(void)state;
	console_esc_feed(&e, 0x1d, 0x01, &o); /* Ctrl-A is ordinary now */
	assert_int_equal(o.n, 1);
	console_esc_feed(&e, 0x1d, 0x1d, &o);
	assert_int_equal(o.n, 0);
	console_esc_feed(&e, 0x1d, 'c', &o);
	assert_int_equal(o.action, CONSOLE_ESC_SHELL);
}

/* ---- output mux ---- */

static char wire[4096];
static size_t wire_len;

static void emit(void *ctx, uint8_t b)
{
	(void)ctx;
	assert_true(wire_len < sizeof(wire) - 1);
	wire[wire_len++] = (char)b;
	wire[wire_len] = '\0';
}

static void setup_out(struct console_out *co)
{
	wire_len = 0;
	wire[0] = '\0';
	console_out_init(co, emit, NULL);
}

static void guest_str(struct console_out *co, const char *s)
{
	while (*s)
		console_out_guest(co, (uint8_t)*s++);
}

static void nestor_str(struct console_out *co, const char *s)
{
	while (*s)
		console_out_nestor(co, *s++);
}

static void test_out_guest_lines_wait_for_newline(void **state)
{
	struct console_out co;

	(void)state;
	setup_out(&co);
	guest_str(&co, "abc");
	assert_int_equal(wire_len, 0);
	guest_str(&co, "\r\n");
	assert_string_equal(wire, "abc\r\n");
}

static void test_out_nestor_line_breaks_guest_partial(void **state)
{
	struct console_out co;

	(void)state;
	setup_out(&co);
	guest_str(&co, "/ # ");
	nestor_str(&co, "nestor: hi\n");
	guest_str(&co, "ls\r\n");
	assert_string_equal(wire, "/ # \r\nnestor: hi\r\nls\r\n");
}

static void test_out_flushed_partial_then_nestor_starts_new_line(void **state)
{
	struct console_out co;

	(void)state;
	setup_out(&co);
	guest_str(&co, "login: ");
	console_out_guest_flush(&co);
	assert_string_equal(wire, "login: ");
	nestor_str(&co, "n\n");
	assert_string_equal(wire, "login: \r\nn\r\n");
	/* At a line start nothing extra is added. */
	guest_str(&co, "x\n");
	nestor_str(&co, "m\n");
	assert_string_equal(wire, "login: \r\nn\r\nx\nm\r\n");
}

static void test_out_guest_line_after_nestor_partial(void **state)
{
	struct console_out co;

	(void)state;
	setup_out(&co);
	nestor_str(&co, "nestor: partial");
	guest_str(&co, "g\n");
	assert_string_equal(wire, "nestor: partial\r\ng\n");
	nestor_str(&co, "z\n");
	assert_string_equal(wire, "nestor: partial\r\ng\nz\r\n");
}

static void test_out_long_guest_line_goes_in_pieces(void **state)
{
	struct console_out co;

	(void)state;
	setup_out(&co);
	for (unsigned i = 0; i < CONSOLE_LINE_MAX; i++)
		console_out_guest(&co, 'a');
	assert_int_equal(wire_len, CONSOLE_LINE_MAX);
	assert_true(co.guest_mid_line);
	console_out_guest_flush(&co); /* empty: nothing */
	assert_int_equal(wire_len, CONSOLE_LINE_MAX);
}

/* ---- PIC snoop and IRQ4's vector ---- */

static void test_pic_snoop_icw2(void **state)
{
	struct pic_snoop p = { 0 };

	(void)state;
	pic_snoop_write(&p, 1, 0xfb); /* OCW1 before any init: no base */
	assert_false(p.base_known);
	pic_snoop_write(&p, 0, 0x20); /* OCW2 (EOI) */
	pic_snoop_write(&p, 1, 0x30);
	assert_false(p.base_known);
	pic_snoop_write(&p, 0, 0x11); /* ICW1 */
	pic_snoop_write(&p, 1, 0x30); /* ICW2 */
	pic_snoop_write(&p, 1, 0x04); /* ICW3 */
	pic_snoop_write(&p, 1, 0x01); /* ICW4 */
	pic_snoop_write(&p, 1, 0xff); /* OCW1 */
	assert_true(p.base_known);
	assert_int_equal(p.base, 0x30);
	pic_snoop_write(&p, 0, 0x11);
	pic_snoop_write(&p, 1, 0x27); /* low bits are not the base */
	assert_int_equal(p.base, 0x20);
}

static void test_irq_vector_from_ioapic(void **state)
{
	struct pic_snoop p = { .base_known = true, .base = 0x20 };

	(void)state;
	assert_int_equal(console_irq_vector(0x24, &p, 0x00), 0x24);
	assert_int_equal(console_irq_vector(0x124, &p, 0x00), 0x24); /* lowest prio */
	assert_int_equal(console_irq_vector(0x8024, &p, 0x00), 0x24); /* level */
	assert_int_equal(console_irq_vector(0x224, &p, 0x00), -1);    /* SMI */
	assert_int_equal(console_irq_vector(0x424, &p, 0x00), -1);    /* NMI */
	assert_int_equal(console_irq_vector(0x724, &p, 0x00), -1);    /* ExtINT */
	assert_int_equal(console_irq_vector(0x0f, &p, 0x00), -1);     /* illegal */
}

static void test_irq_vector_from_pic_when_ioapic_masked(void **state)
{
	struct pic_snoop p = { .base_known = true, .base = 0x20 };
	struct pic_snoop unknown = { 0 };

	(void)state;
	assert_int_equal(console_irq_vector(IOAPIC_RTE_MASKED | 0x34, &p, 0x00), 0x24);
	assert_int_equal(console_irq_vector(IOAPIC_RTE_MASKED, &p, 0xef), 0x24);
	assert_int_equal(console_irq_vector(IOAPIC_RTE_MASKED, &p, 0x10), -1);
	assert_int_equal(console_irq_vector(IOAPIC_RTE_MASKED, &unknown, 0x00), -1);
	/* No IOAPIC: the read is all ones, masked. */
	assert_int_equal(console_irq_vector(0xffffffffull, &p, 0x00), 0x24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc_plain_bytes_pass),
		cmocka_unit_test(test_esc_c_toggles_x_powers_off),
		cmocka_unit_test(test_esc_twice_gives_one_and_other_gives_both),
		cmocka_unit_test(test_esc_configurable),
		cmocka_unit_test(test_out_guest_lines_wait_for_newline),
		cmocka_unit_test(test_out_nestor_line_breaks_guest_partial),
		cmocka_unit_test(test_out_flushed_partial_then_nestor_starts_new_line),
		cmocka_unit_test(test_out_guest_line_after_nestor_partial),
		cmocka_unit_test(test_out_long_guest_line_goes_in_pieces),
		cmocka_unit_test(test_pic_snoop_icw2),
		cmocka_unit_test(test_irq_vector_from_ioapic),
		cmocka_unit_test(test_irq_vector_from_pic_when_ioapic_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
