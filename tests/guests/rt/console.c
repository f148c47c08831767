/* COM1 console for the test guests: polled 16550 output (register layout per
 * the PC16550D data sheet) and printf through lib/format. */
#include "tests/guests/rt/console.h"

#include <stdint.h>

#include "arch/x86/io.h"
#include "lib/format.h"

enum {
	UART_THR = 0, /* transmit holding (DLAB=0) */
	UART_DLL = 0, /* divisor low (DLAB=1) */
	UART_IER = 1,
	UART_DLM = 1, /* divisor high (DLAB=1) */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
};

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
/* Bound on every wait, so a missing UART cannot hang the guest. */
#define UART_SPINS 100000

void rt_console_init(void)
{
	/* Whoever used the UART before us (GRUB, Nestor) may still be
	 * sending: let it finish before the FIFO reset below drops it. */
	rt_console_flush();
	outb(RT_COM1 + UART_IER, 0);
	outb(RT_COM1 + UART_LCR, LCR_DLAB);
	outb(RT_COM1 + UART_DLL, 1); /* 115200 / 1 */
	outb(RT_COM1 + UART_DLM, 0);
	outb(RT_COM1 + UART_LCR, LCR_8N1);
	outb(RT_COM1 + UART_FCR, 0xc7); /* FIFO on, both cleared */
	outb(RT_COM1 + UART_MCR, 0x03); /* DTR | RTS */
}

static void uart_tx(char c)
{
	for (int i = 0; i < UART_SPINS; i++)
		if (inb(RT_COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(RT_COM1 + UART_THR, (uint8_t)c);
}

void rt_putc(char c)
{
	if (c == '\n')
		uart_tx('\r');
	uart_tx(c);
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

static void emit(void *ctx, char c)
{
	(void)ctx;
	rt_putc(c);
}

int rt_vprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(emit, NULL, fmt, ap);
}

int rt_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void rt_console_flush(void)
{
	for (int i = 0; i < UART_SPINS; i++)
		if (inb(RT_COM1 + UART_LSR) & LSR_TEMT)
			return;
}
