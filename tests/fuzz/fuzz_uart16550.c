/* Fuzz target: the emulated 16550A (vmx/uart16550.c) under arbitrary
 * sequences of guest reads and writes (any offset, any value) and host
 * events. After every operation it checks:
 *  - each FIFO within its capacity (16 with FIFOs on, 1 without) and its
 *    head inside the buffer; IER bits 7:4 and MCR bits 7:5 clear;
 *  - IIR a valid code: bits 5:4 clear, bits 7:6 11 exactly when the FIFOs
 *    are on, the identification one of none, RLS, RDA, timeout (FIFOs on
 *    only), THRE, MSR; and the one of highest priority among the sources
 *    IER enables and the state shows;
 *  - irq_pending() exactly when an interrupt is identified, OUT2 is set
 *    and loopback is off;
 *  - THRE is identified only with the transmitter empty, the timeout only
 *    with bytes in the RX FIFO;
 *  - the side effects of reads: LSR clears the error bits, MSR the deltas,
 *    RBR takes exactly one byte when there is one; host_rx_room() says how
 *    many bytes host_rx() takes without an overrun; host_tx_take() takes
 *    exactly one byte when there is one.
 *
 * Input: operations, each a kind byte then its operands (a short input
 * reads as zeros; layout in gen_corpus_uart16550.py):
 *   0 guest read: u8 offset      1 guest write: u8 offset, u8 value
 *   2 host rx: u8 byte           3 host tx take
 *   4 rx idle                    5 host lines: u8 inputs */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmx/uart16550.h"
#include "tests/fuzz/fuzz_input.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static bool fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* The identification the state calls for, in priority order. */
static uint8_t expected_id(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };
	unsigned trig = fifo_on(u) ? level[u->fcr >> 6] : 1;

	if ((u->ier & UART_IER_RLSI) && (u->lsr_errors & UART_LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx.count >= trig)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_RDI) && u->timeout_pending)
		return UART_IIR_TIMEOUT;
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void check(const struct uart16550 *u)
{
	unsigned cap = fifo_on(u) ? UART16550_FIFO_SIZE : 1;
	uint8_t iir = uart16550_iir(u), id = iir & UART_IIR_ID;
	bool line;

	CHECK(u->rx.count <= cap && u->tx.count <= cap);
	CHECK(u->rx.head < UART16550_FIFO_SIZE);
	CHECK(u->tx.head < UART16550_FIFO_SIZE);
	CHECK(!(u->ier & ~UART_IER_MASK) && !(u->mcr & ~UART_MCR_MASK));
	CHECK(!(iir & 0x30));
	CHECK((iir & UART_IIR_FIFO) == (fifo_on(u) ? UART_IIR_FIFO : 0));
	CHECK(id == UART_IIR_NO_INT || id == UART_IIR_RLSI ||
	      id == UART_IIR_RDI || id == UART_IIR_THRI || id == UART_IIR_MSI ||
	      (id == UART_IIR_TIMEOUT && fifo_on(u)));
	CHECK(id == expected_id(u));
	line = id != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) &&
	       !(u->mcr & UART_MCR_LOOP);
	CHECK(uart16550_irq_pending(u) == line);
	CHECK(!u->thre_pending || !u->tx.count);
	CHECK(!u->timeout_pending || (u->rx.count && fifo_on(u)));
	CHECK(uart16550_host_rx_room(u) ==
	      (u->mcr & UART_MCR_LOOP ? 0 : cap - u->rx.count));
}

static void guest_read(struct uart16550 *u, unsigned off)
{
	bool rbr = off == UART_RBR && !(u->lcr & UART_LCR_DLAB);
	unsigned before = u->rx.count;

	(void)uart16550_guest_read(u, off);
	if (off == UART_LSR)
		CHECK(!u->lsr_errors);
	if (off == UART_MSR)
		CHECK(!(u->msr & UART_MSR_DELTAS));
	if (rbr)
		CHECK(u->rx.count == (before ? before - 1 : 0));
}

static void host_rx(struct uart16550 *u, uint8_t byte)
{
	unsigned cap = fifo_on(u) ? UART16550_FIFO_SIZE : 1;
	unsigned room = uart16550_host_rx_room(u);
	bool took = uart16550_host_rx(u, byte);

	CHECK(took == !(u->mcr & UART_MCR_LOOP));
	if (took && room)
		CHECK(u->rx.count == cap - room + 1);
	if (took && !room)
		CHECK(u->lsr_errors & UART_LSR_OE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	struct uart16550 u;
	unsigned ops = 0;

	uart16550_init(&u);
	check(&u);
	while (c.left && ops++ < 4096) {
		unsigned kind = (unsigned)take(&c, 1) % 6;
		unsigned before = u.tx.count;
		uint8_t a, b;

		switch (kind) {
		case 0:
			guest_read(&u, (unsigned)take(&c, 1) % 10);
			break;
		case 1:
			a = (uint8_t)take(&c, 1);
			b = (uint8_t)take(&c, 1);
			uart16550_guest_write(&u, a % 10u, b);
			break;
		case 2:
			host_rx(&u, (uint8_t)take(&c, 1));
			break;
		case 3:
			CHECK(uart16550_host_tx_take(&u, &a) == (before > 0));
			CHECK(u.tx.count == (before ? before - 1 : 0));
			break;
		case 4:
			uart16550_rx_idle(&u);
			break;
		default:
			uart16550_host_lines(&u, (uint8_t)take(&c, 1));
			break;
		}
		check(&u);
	}
	return 0;
}
