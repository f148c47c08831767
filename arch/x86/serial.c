/* 16550 UART console driver: polled output, 8N1, any divisor of 115200.
 * Register layout per the PC16550D data sheet. '\n' goes out as "\r\n".
 * Freestanding; also the console of the test guests (tests/guests/rt). */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"

enum {
	UART_THR = 0, /* transmit holding (DLAB=0) */
	UART_RBR = 0, /* receive buffer (DLAB=0, read) */
	UART_DLL = 0, /* divisor low (DLAB=1) */
	UART_IER = 1,
	UART_DLM = 1, /* divisor high (DLAB=1) */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
};

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define UART_CLOCK_DIV 115200
/* Bound on every LSR wait so a missing or stuck UART cannot hang us. */
#define THRE_SPINS 100000

static uint16_t uart_base;
static bool uart_present;

static bool uart_answers(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

/* Programs the UART at port for baud 8N1, FIFOs on and cleared; false
 * when none answers there. */
static bool uart_program(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(UART_CLOCK_DIV / (baud ? baud : UART_CLOCK_DIV));

	if (!uart_answers(port))
		return false;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, (uint8_t)div);
	outb(port + UART_DLM, (uint8_t)(div >> 8));
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7); /* FIFO on, both cleared, 14-byte trigger */
	outb(port + UART_MCR, 0x03); /* DTR | RTS */
	return true;
}

bool serial_init(uint16_t port, uint32_t baud)
{
	uart_base = port;
	uart_present = uart_program(port, baud);
	return uart_present;
}

/* Bounded wait until the UART at base has sent everything (LSR.TEMT:
 * transmit FIFO and shift register both empty). */
static void uart_drain(uint16_t base)
{
	for (int i = 0; i < THRE_SPINS; i++)
		if (inb(base + UART_LSR) & LSR_TEMT)
			return;
}

bool serial_takeover(uint16_t port, uint32_t baud)
{
	uart_drain(port);
	return serial_init(port, baud);
}

static void uart_tx_on(uint16_t base, uint8_t c)
{
	for (int i = 0; i < THRE_SPINS; i++)
		if (inb(base + UART_LSR) & LSR_THRE)
			break;
	outb(base + UART_THR, c);
}

static void uart_tx(uint8_t c)
{
	uart_tx_on(uart_base, c);
}

void serial_putc(char c)
{
	if (!uart_present)
		return;
	if (c == '\n')
		uart_tx('\r');
	uart_tx((uint8_t)c);
}

void serial_putb(uint8_t b)
{
	if (uart_present)
		uart_tx(b);
}

bool serial_getb(uint8_t *b)
{
	if (!uart_present || !(inb(uart_base + UART_LSR) & LSR_DR))
		return false;
	*b = inb(uart_base + UART_THR); /* RBR: the same offset, read */
	return true;
}

uint16_t serial_port(void)
{
	return uart_base;
}

void serial_flush(void)
{
	if (!uart_present)
		return;
	uart_drain(uart_base);
}

bool uart_raw_init(uint16_t port, uint32_t baud)
{
	return uart_program(port, baud);
}

int uart_raw_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}

void uart_raw_putc(uint16_t port, uint8_t c)
{
	uart_tx_on(port, c);
}
