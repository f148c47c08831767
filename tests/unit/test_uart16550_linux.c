/* Unit tests for vmx/uart16550.c against Linux's 8250 driver: the probe
 * it runs (drivers/tty/serial/8250/8250_port.c: autoconfig(),
 * autoconfig_16550a(), size_fifo(), and the THRE re-assert test of
 * serial8250_do_startup()), replayed access by access with the same
 * decisions, finds a 16550A with a 16-byte FIFO and leaves the port as it
 * was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#include "tests/unit/uart16550_io.h"

enum probed { P_NONE, P_8250, P_16450, P_16550, P_16550A, P_OTHER };

/* size_fifo(): loopback, divisor 1, 256 bytes sent, count what came back. */
static unsigned size_fifo(void)
{
	uint8_t old_lcr = in(UART_LCR), old_fcr, old_mcr;
	unsigned count;

	out(UART_LCR, 0);
	old_fcr = in(UART_FCR);
	old_mcr = in(UART_MCR);
	out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	out(UART_MCR, UART_MCR_LOOP);
	out(UART_LCR, 0x80);
	out(UART_DLL, 1);
	out(UART_DLM, 0);
	out(UART_LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(UART_THR, (uint8_t)count);
	for (count = 0; (in(UART_LSR) & UART_LSR_DR) && count < 256; count++)
		in(UART_RBR);
	out(UART_FCR, old_fcr);
	out(UART_MCR, old_mcr);
	out(UART_LCR, 0x80);
	out(UART_DLL, 0x0c);
	out(UART_DLM, 0);
	out(UART_LCR, old_lcr);
	return count;
}

/* autoconfig_16550a()'s tests for the chips that look like a 16550A. */
static enum probed probe_16550a(void)
{
	uint8_t s1, s2, iersave;

	out(UART_LCR, 0x80);		/* EFR with DLAB: ST16C650V1 */
	if (in(UART_IIR) == 0)
		return P_OTHER;
	out(UART_LCR, 0xbf);		/* EFR with 0xbf: ST16C650V2 etc. */
	if (in(UART_IIR) == 0)
		return P_OTHER;
	out(UART_LCR, 0);		/* NatSemi: MCR.LOOP mirrored at 0xe0 */
	s1 = in(UART_MCR);
	out(UART_LCR, 0xe0);
	s2 = in(2);
	if (!((s2 ^ s1) & UART_MCR_LOOP)) {
		out(UART_LCR, 0);
		out(UART_MCR, s1 ^ UART_MCR_LOOP);
		out(UART_LCR, 0xe0);
		s2 = in(2);
		out(UART_LCR, 0);
		out(UART_MCR, s1);
		if ((s2 ^ s1) & UART_MCR_LOOP)
			return P_OTHER;
	}
	out(UART_LCR, 0);		/* TI16750: IIR bit 5 with FCR bit 5 */
	out(UART_FCR, UART_FCR_ENABLE | 0x20);
	s1 = in(UART_IIR) >> 5;
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_LCR, 0x80);
	out(UART_FCR, UART_FCR_ENABLE | 0x20);
	s2 = in(UART_IIR) >> 5;
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_LCR, 0);
	if (s1 == 6 && s2 == 7)
		return P_OTHER;
	iersave = in(UART_IER);		/* XScale: IER bit 6 sticks */
	out(UART_IER, iersave & ~0x40);
	if (!(in(UART_IER) & 0x40)) {
		out(UART_IER, iersave | 0x40);
		if (in(UART_IER) & 0x40)
			return P_OTHER;
	}
	out(UART_IER, iersave);
	return size_fifo() == 64 ? P_OTHER : P_16550A;
}

static enum probed linux_autoconfig(void)
{
	uint8_t scratch, s2, s3, save_mcr, save_lcr, st;
	enum probed type = P_NONE;

	scratch = in(UART_IER);		/* IER exists: 0 and 0x0f read back */
	out(UART_IER, 0);
	s2 = in(UART_IER) & 0x0f;
	out(UART_IER, 0x0f);
	s3 = in(UART_IER) & 0x0f;
	out(UART_IER, scratch);
	if (s2 != 0 || s3 != 0x0f)
		return P_NONE;
	save_mcr = in(UART_MCR);
	save_lcr = in(UART_LCR);
	out(UART_MCR, UART_MCR_LOOP | 0x0a); /* loopback: RTS, OUT2 */
	st = in(UART_MSR) & 0xf0;
	out(UART_MCR, save_mcr);
	if (st != 0x90)			/* CTS and DCD */
		return P_NONE;
	out(UART_LCR, 0xbf);		/* EFR (if any) cleared */
	out(UART_FCR, 0);
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE);
	switch (in(UART_IIR) >> 6) {
	case 0:
		out(UART_SCR, 0xa5);
		st = in(UART_SCR);
		out(UART_SCR, 0x5a);
		type = st == 0xa5 && in(UART_SCR) == 0x5a ? P_16450 : P_8250;
		break;
	case 2:
		type = P_16550;
		break;
	case 3:
		type = probe_16550a();
		break;
	default:
		break;
	}
	out(UART_LCR, save_lcr);
	out(UART_MCR, save_mcr);	/* reset: FIFOs cleared, RBR read */
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	out(UART_FCR, 0);
	in(UART_RBR);
	out(UART_IER, 0);
	return type;
}

static void test_linux_probe_finds_16550a(void **state)
{
	(void)state;
	out(UART_SCR, 0x42);
	assert_int_equal(linux_autoconfig(), P_16550A);
	/* The probe leaves the port as it was, and can run again. */
	assert_int_equal(in(UART_SCR), 0x42);
	assert_int_equal(in(UART_LCR), 0);
	assert_int_equal(in(UART_MCR), 0);
	assert_int_equal(linux_autoconfig(), P_16550A);
}

static void test_linux_fifo_size_is_16(void **state)
{
	(void)state;
	assert_int_equal(size_fifo(), 16);
	/* The 16 that came back are the first 16 sent; OE says the rest. */
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < 20; i++)
		out(UART_THR, (uint8_t)i);
	assert_int_equal(in(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(in(UART_RBR), i);
	assert_int_equal(in(UART_LSR) & (UART_LSR_DR | UART_LSR_OE), 0);
}

/* serial8250_do_startup(): THRE must re-assert when THRI is enabled again
 * on an idle transmitter, or Linux marks the port UART_BUG_THRE. */
static void test_linux_thre_reasserts(void **state)
{
	uint8_t iir1, iir2;

	(void)state;
	out(UART_FCR, UART_FCR_ENABLE);
	out(UART_IER, UART_IER_THRI);
	iir1 = in(UART_IIR);
	out(UART_IER, 0);
	out(UART_IER, UART_IER_THRI);
	iir2 = in(UART_IIR);
	out(UART_IER, 0);
	assert_int_equal(iir1, UART_IIR_FIFO | UART_IIR_THRI);
	assert_int_equal(iir2, UART_IIR_FIFO | UART_IIR_THRI);
	assert_int_equal(in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_linux_probe_finds_16550a),
		T(test_linux_fifo_size_is_16),
		T(test_linux_thre_reasserts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
