/* Unit tests for vmx/uart16550.c (Linux's probe: test_uart16550_linux.c):
 * reset state; polling TX/RX; FIFO trigger levels and the 16450 mode; each
 * interrupt source, its priority and what clears it; the divisor latch;
 * loopback; overrun. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#include "tests/unit/uart16550_io.h"

/* --- registers ---------------------------------------------------------- */

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(in(UART_IER), 0);
	assert_int_equal(in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(in(UART_LCR), 0);
	assert_int_equal(in(UART_MCR), 0);
	assert_int_equal(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_false(uart16550_irq_pending(&U));
	assert_int_equal(in(8), 0xff);
	out(8, 0x12);
	assert_int_equal(in(8), 0xff);
}

static void test_dlab_and_scratch(void **state)
{
	(void)state;
	out(UART_IER, 0x05);
	out(UART_LCR, UART_LCR_DLAB | 0x03);
	out(UART_DLL, 0x01);
	out(UART_DLM, 0x02);
	assert_int_equal(in(UART_DLL), 0x01);
	assert_int_equal(in(UART_DLM), 0x02);
	assert_false(uart16550_host_tx_take(&U, &(uint8_t){0}));
	out(UART_LCR, 0x03);
	assert_int_equal(in(UART_IER), 0x05);
	assert_int_equal(in(UART_LCR), 0x03);
	out(UART_IER, 0xff);		/* bits 7:4 read 0 */
	assert_int_equal(in(UART_IER), 0x0f);
	out(UART_MCR, 0xff);		/* bits 7:5 read 0 */
	assert_int_equal(in(UART_MCR), 0x1f);
	out(UART_SCR, 0xa5);
	assert_int_equal(in(UART_SCR), 0xa5);
	out(UART_LSR, 0);		/* read-only */
	out(UART_MSR, 0);
	assert_int_equal(in(UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
}

/* --- polling guests ----------------------------------------------------- */

static void test_polling_tx(void **state)
{
	uint8_t b;

	(void)state;
	out(UART_FCR, UART_FCR_ENABLE);
	for (unsigned i = 0; i < UART16550_FIFO_SIZE + 3; i++)
		out(UART_THR, (uint8_t)('a' + i));
	assert_int_equal(in(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	for (unsigned i = 0; i < UART16550_FIFO_SIZE; i++) {
		assert_true(uart16550_host_tx_take(&U, &b));
		assert_int_equal(b, 'a' + i);	/* the 3 over the top are lost */
	}
	assert_false(uart16550_host_tx_take(&U, &b));
	assert_int_equal(in(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_polling_rx(void **state)
{
	(void)state;
	assert_int_equal(uart16550_host_rx_room(&U), 1);	/* 16450 mode */
	assert_true(uart16550_host_rx(&U, 'x'));
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(in(UART_RBR), 'x');
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, 0);
	out(UART_FCR, UART_FCR_ENABLE);
	assert_int_equal(uart16550_host_rx_room(&U), 16);
	for (unsigned i = 0; i < 5; i++)
		uart16550_host_rx(&U, (uint8_t)('0' + i));
	assert_int_equal(uart16550_host_rx_room(&U), 11);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
		assert_int_equal(in(UART_RBR), '0' + i);
	}
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, 0);
}

/* --- FIFOs -------------------------------------------------------------- */

static void test_trigger_levels(void **state)
{
	static const struct { uint8_t bits; unsigned level; } t[] = {
		{ 0x00, 1 }, { 0x40, 4 }, { 0x80, 8 }, { 0xc0, 14 },
	};

	(void)state;
	out(UART_IER, UART_IER_RDI);
	for (unsigned i = 0; i < 4; i++) {
		out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | t[i].bits);
		for (unsigned n = 1; n <= t[i].level; n++) {
			assert_int_equal(iir_id(), UART_IIR_NO_INT);
			uart16550_host_rx(&U, (uint8_t)n);
		}
		assert_int_equal(in(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
		in(UART_RBR);	/* one below the level again */
		assert_int_equal(iir_id(), UART_IIR_NO_INT);
	}
}

static void test_fcr_clear_and_toggle(void **state)
{
	uint8_t b;

	(void)state;
	out(UART_FCR, UART_FCR_ENABLE);
	uart16550_host_rx(&U, 1);
	uart16550_host_rx(&U, 2);
	out(UART_THR, 3);
	out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(in(UART_LSR) & UART_LSR_THRE, 0);
	out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_TX);
	assert_false(uart16550_host_tx_take(&U, &b));
	/* Turning the FIFOs off empties them; the other bits need bit 0. */
	uart16550_host_rx(&U, 4);
	out(UART_FCR, UART_FCR_TRIGGER);
	assert_int_equal(in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(uart16550_host_rx_room(&U), 1);
}

static void test_overrun(void **state)
{
	(void)state;
	out(UART_IER, UART_IER_RLSI | UART_IER_RDI);
	uart16550_host_rx(&U, 'a');	/* 16450: the new byte replaces it */
	uart16550_host_rx(&U, 'b');
	assert_int_equal(in(UART_IIR), UART_IIR_RLSI);
	assert_int_equal(in(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(in(UART_LSR) & UART_LSR_OE, 0);	/* read clears */
	assert_int_equal(in(UART_IIR), UART_IIR_RDI);
	assert_int_equal(in(UART_RBR), 'b');
	out(UART_FCR, UART_FCR_ENABLE);	/* FIFO: the new byte is dropped */
	for (unsigned i = 0; i < 17; i++)
		uart16550_host_rx(&U, (uint8_t)i);
	assert_int_equal(uart16550_host_rx_room(&U), 0);
	assert_int_equal(in(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(in(UART_RBR), 0);
}

/* --- interrupts --------------------------------------------------------- */

static void test_char_timeout(void **state)
{
	(void)state;
	out(UART_FCR, UART_FCR_ENABLE | 0xc0);	/* level 14 */
	out(UART_IER, UART_IER_RDI);
	uart16550_rx_idle(&U);			/* nothing received: nothing */
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	uart16550_host_rx(&U, 'q');
	uart16550_host_rx(&U, 'r');
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	uart16550_rx_idle(&U);
	assert_int_equal(in(UART_IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
	uart16550_host_rx(&U, 's');		/* a new byte restarts it */
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	uart16550_rx_idle(&U);
	assert_int_equal(in(UART_RBR), 'q');	/* a read clears it */
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	out(UART_FCR, 0);			/* no timeout without FIFOs */
	uart16550_host_rx(&U, 't');
	out(UART_IER, 0);
	uart16550_rx_idle(&U);
	assert_false(U.timeout_pending);
}

static void test_thre_interrupt(void **state)
{
	uint8_t b;

	(void)state;
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI);
	assert_true(uart16550_irq_pending(&U));
	out(UART_THR, 'z');			/* writing THR clears it */
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	assert_false(uart16550_irq_pending(&U));
	assert_true(uart16550_host_tx_take(&U, &b));
	assert_int_equal(iir_id(), UART_IIR_THRI);	/* empty again */
	assert_int_equal(in(UART_IIR), UART_IIR_THRI);	/* a read clears */
	assert_int_equal(iir_id(), UART_IIR_NO_INT);
	/* An IIR read that identifies something else leaves THRE pending. */
	out(UART_THR, 'y');
	uart16550_host_tx_take(&U, &b);
	out(UART_IER, UART_IER_THRI | UART_IER_RDI);
	uart16550_host_rx(&U, 1);
	assert_int_equal(in(UART_IIR), UART_IIR_RDI);
	in(UART_RBR);
	assert_int_equal(in(UART_IIR), UART_IIR_THRI);
}

static void test_msr_interrupt_and_priority(void **state)
{
	(void)state;
	out(UART_IER, UART_IER_MSI | UART_IER_THRI | UART_IER_RDI |
		      UART_IER_RLSI);
	uart16550_host_lines(&U, UART_MSR_CTS);	/* DCD, DSR dropped */
	uart16550_host_rx(&U, 1);
	uart16550_host_rx(&U, 2);			/* overrun */
	assert_int_equal(in(UART_IIR), UART_IIR_RLSI);
	in(UART_LSR);
	assert_int_equal(in(UART_IIR), UART_IIR_RDI);
	in(UART_RBR);
	assert_int_equal(in(UART_IIR), UART_IIR_THRI);
	assert_int_equal(in(UART_IIR), UART_IIR_MSI);
	assert_int_equal(in(UART_MSR), UART_MSR_CTS | UART_MSR_DDCD |
				       UART_MSR_DDSR);
	assert_int_equal(in(UART_MSR), UART_MSR_CTS);	/* deltas cleared */
	assert_int_equal(in(UART_IIR), UART_IIR_NO_INT);
	uart16550_host_lines(&U, UART_MSR_CTS | UART_MSR_RI);
	assert_int_equal(in(UART_MSR) & UART_MSR_DELTAS, 0); /* RI rising */
	uart16550_host_lines(&U, UART_MSR_CTS);
	assert_int_equal(in(UART_MSR) & UART_MSR_DELTAS, UART_MSR_TERI);
}

static void test_irq_line_gating(void **state)
{
	(void)state;
	out(UART_IER, UART_IER_RDI);
	uart16550_host_rx(&U, 1);
	assert_int_equal(iir_id(), UART_IIR_RDI);
	assert_false(uart16550_irq_pending(&U));	/* OUT2 clear */
	out(UART_MCR, UART_MCR_OUT2);
	assert_true(uart16550_irq_pending(&U));
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);	/* pin forced off */
	assert_false(uart16550_irq_pending(&U));
	out(UART_MCR, UART_MCR_OUT2);
	in(UART_RBR);
	assert_false(uart16550_irq_pending(&U));
}

static void test_loopback(void **state)
{
	uint8_t b;

	(void)state;
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(in(UART_MSR) & UART_MSR_INPUTS,
			 UART_MSR_DSR | UART_MSR_RI);
	out(UART_THR, 0x5a);		/* back in RX, not to the line */
	assert_false(uart16550_host_tx_take(&U, &b));
	assert_int_equal(in(UART_LSR) & (UART_LSR_DR | UART_LSR_THRE),
			 UART_LSR_DR | UART_LSR_THRE);
	assert_int_equal(in(UART_RBR), 0x5a);
	assert_false(uart16550_host_rx(&U, 'n'));	/* line disconnected */
	assert_int_equal(uart16550_host_rx_room(&U), 0);
	assert_int_equal(in(UART_LSR) & UART_LSR_DR, 0);
	out(UART_MCR, 0);		/* the line's inputs again */
	assert_int_equal(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR |
		UART_MSR_CTS | UART_MSR_DDCD | UART_MSR_DCTS | UART_MSR_TERI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_state),
		T(test_dlab_and_scratch),
		T(test_polling_tx),
		T(test_polling_rx),
		T(test_trigger_levels),
		T(test_fcr_clear_and_toggle),
		T(test_overrun),
		T(test_char_timeout),
		T(test_thre_interrupt),
		T(test_msr_interrupt_and_priority),
		T(test_irq_line_gating),
		T(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
