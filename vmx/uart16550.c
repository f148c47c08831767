/* The emulated 16550A (pure; see uart16550.h). The interrupt
 * identification is computed from the state at each use, never cached, so
 * it cannot go stale: the only interrupt memory is the two events a level
 * does not show, THRE (cleared by reading IIR) and the character timeout. */
#include "vmx/uart16550.h"

/* The modem inputs at power-on and when the caller never says otherwise. */
#define LINE_INPUTS_DEFAULT (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

static bool fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* With FIFOs off a FIFO is the 16450's one-byte holding register. */
static unsigned capacity(const struct uart16550 *u)
{
	return fifo_on(u) ? UART16550_FIFO_SIZE : 1;
}

static void fifo_push(struct uart16550_fifo *f, uint8_t byte)
{
	f->buf[(f->head + f->count) % UART16550_FIFO_SIZE] = byte;
	f->count++;
}

static uint8_t fifo_pop(struct uart16550_fifo *f)
{
	uint8_t byte = f->buf[f->head];

	f->head = (uint8_t)((f->head + 1) % UART16550_FIFO_SIZE);
	f->count--;
	return byte;
}

static void fifo_clear(struct uart16550_fifo *f)
{
	f->head = 0;
	f->count = 0;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[(u->fcr & UART_FCR_TRIGGER) >> 6];
}

static void rx_clear(struct uart16550 *u)
{
	fifo_clear(&u->rx);
	u->timeout_pending = false;
}

/* The transmitter went empty: THRE is identified (until IIR is read). */
static void tx_clear(struct uart16550 *u)
{
	if (u->tx.count)
		u->thre_pending = true;
	fifo_clear(&u->tx);
}

/* A byte reaching the receiver: from the line, or from THR in loopback. */
static void receive(struct uart16550 *u, uint8_t byte)
{
	u->timeout_pending = false; /* the timeout timer restarts */
	if (u->rx.count < capacity(u)) {
		fifo_push(&u->rx, byte);
		return;
	}
	u->lsr_errors |= UART_LSR_OE;
	if (!fifo_on(u)) {	/* a 16450's RBR is overwritten */
		fifo_clear(&u->rx);
		fifo_push(&u->rx, byte);
	}
}

/* Loopback: DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD. */
static uint8_t modem_inputs(const struct uart16550 *u)
{
	uint8_t m = u->mcr;

	if (!loopback(u))
		return u->line_inputs;
	return (uint8_t)((m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
			 (m & UART_MCR_RTS ? UART_MSR_CTS : 0) |
			 (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
			 (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0));
}

/* New input levels: a delta bit for each change (RI only on its trailing
 * edge), kept until MSR is read. */
static void msr_update(struct uart16550 *u)
{
	uint8_t now = modem_inputs(u);
	uint8_t old = u->msr & UART_MSR_INPUTS;
	uint8_t changed = (uint8_t)(now ^ old);
	uint8_t delta = (uint8_t)((changed & ~UART_MSR_RI) >> 4);

	if (old & ~now & UART_MSR_RI)
		delta |= UART_MSR_TERI;
	u->msr = (uint8_t)(now | ((u->msr | delta) & UART_MSR_DELTAS));
}

void uart16550_init(struct uart16550 *u)
{
	*u = (struct uart16550){
		.dll = 0x0c, /* 9600 baud, as PC firmware leaves it */
		.line_inputs = LINE_INPUTS_DEFAULT,
		.msr = LINE_INPUTS_DEFAULT,
	};
}

static uint8_t lsr(const struct uart16550 *u)
{
	uint8_t v = u->lsr_errors;

	if (u->rx.count)
		v |= UART_LSR_DR;
	/* No shift register is modelled: the transmitter is empty when THR
	 * (or the TX FIFO) is. */
	if (!u->tx.count)
		v |= UART_LSR_THRE | UART_LSR_TEMT;
	return v;
}

/* The pending interrupt of highest priority: receiver line status, then
 * received data (trigger level reached, or the character timeout), then
 * THRE, then modem status; each only where IER enables it. */
static uint8_t iir_id(const struct uart16550 *u)
{
	uint8_t ier = u->ier;

	if ((ier & UART_IER_RLSI) && u->lsr_errors)
		return UART_IIR_RLSI;
	if (ier & UART_IER_RDI) {
		if (u->rx.count && (!fifo_on(u) || u->rx.count >= rx_trigger(u)))
			return UART_IIR_RDI;
		if (u->timeout_pending)
			return UART_IIR_TIMEOUT;
	}
	if ((ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((ier & UART_IER_MSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

uint8_t uart16550_iir(const struct uart16550 *u)
{
	return (uint8_t)(iir_id(u) | (fifo_on(u) ? UART_IIR_FIFO : 0));
}

bool uart16550_irq_pending(const struct uart16550 *u)
{
	return iir_id(u) != UART_IIR_NO_INT &&
	       (u->mcr & UART_MCR_OUT2) && !loopback(u);
}

static uint8_t read_rbr(struct uart16550 *u)
{
	u->timeout_pending = false;
	if (!u->rx.count)
		return 0; /* an empty RBR reads as what was last there: say 0 */
	return fifo_pop(&u->rx);
}

/* With DLAB set, offsets 0 and 1 are the divisor latch; else NULL. */
static uint8_t *divisor_latch(struct uart16550 *u, unsigned offset)
{
	if (!(u->lcr & UART_LCR_DLAB) || offset > UART_DLM)
		return 0;
	return offset == UART_DLL ? &u->dll : &u->dlm;
}

uint8_t uart16550_guest_read(struct uart16550 *u, unsigned offset)
{
	uint8_t *dl = divisor_latch(u, offset);
	uint8_t v;

	if (dl)
		return *dl;
	switch (offset) {
	case UART_RBR:
		return read_rbr(u);
	case UART_IER:
		return u->ier;
	case UART_IIR:
		v = uart16550_iir(u);
		/* Reading IIR that identifies THRE acknowledges it. */
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			u->thre_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = lsr(u);
		u->lsr_errors = 0;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= UART_MSR_INPUTS;
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

static void write_thr(struct uart16550 *u, uint8_t value)
{
	u->thre_pending = false;
	if (loopback(u)) {
		/* Sent and received at once: the transmitter stays empty
		 * (unless it still holds bytes from before loopback). */
		receive(u, value);
		u->thre_pending = !u->tx.count;
		return;
	}
	if (u->tx.count < capacity(u))
		fifo_push(&u->tx, value);
	/* else: written over a full FIFO, the byte is lost */
}

static void write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t old = u->ier;

	u->ier = value & UART_IER_MASK;
	/* Enabling THRI while the transmitter is empty identifies THRE at
	 * once: Linux's startup checks this (UART_BUG_THRE otherwise). */
	if ((u->ier & ~old & UART_IER_THRI) && !u->tx.count)
		u->thre_pending = true;
}

/* Bit 0 must be set for the other bits to take; turning the FIFOs on or
 * off empties both. */
static void write_fcr(struct uart16550 *u, uint8_t value)
{
	bool was_on = fifo_on(u);

	if (!(value & UART_FCR_ENABLE)) {
		u->fcr = 0;
	} else {
		u->fcr = value & (UART_FCR_ENABLE | UART_FCR_DMA |
				  UART_FCR_TRIGGER);
		if (value & UART_FCR_CLEAR_RX)
			rx_clear(u);
		if (value & UART_FCR_CLEAR_TX)
			tx_clear(u);
	}
	if (was_on != fifo_on(u)) {
		rx_clear(u);
		tx_clear(u);
	}
}

void uart16550_guest_write(struct uart16550 *u, unsigned offset, uint8_t value)
{
	uint8_t *dl = divisor_latch(u, offset);

	if (dl) {
		*dl = value;
		return;
	}
	switch (offset) {
	case UART_THR:
		write_thr(u, value);
		break;
	case UART_IER:
		write_ier(u, value);
		break;
	case UART_FCR:
		write_fcr(u, value);
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & UART_MCR_MASK;
		msr_update(u);
		break;
	case UART_SCR:
		u->scr = value;
		break;
	default:
		break; /* LSR and MSR are read-only; beyond 7 nothing */
	}
}

bool uart16550_host_rx(struct uart16550 *u, uint8_t byte)
{
	if (loopback(u))
		return false;
	receive(u, byte);
	return true;
}

unsigned uart16550_host_rx_room(const struct uart16550 *u)
{
	if (loopback(u))
		return 0;
	return capacity(u) - u->rx.count;
}

bool uart16550_host_tx_take(struct uart16550 *u, uint8_t *byte)
{
	if (!u->tx.count)
		return false;
	*byte = fifo_pop(&u->tx);
	if (!u->tx.count)
		u->thre_pending = true;
	return true;
}

void uart16550_rx_idle(struct uart16550 *u)
{
	if (fifo_on(u) && u->rx.count)
		u->timeout_pending = true;
}

void uart16550_host_lines(struct uart16550 *u, uint8_t inputs)
{
	u->line_inputs = inputs & UART_MSR_INPUTS;
	msr_update(u);
}
