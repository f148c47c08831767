/* COM1 console for the test guests: the hypervisor's own 16550 driver
 * (arch/x86/serial.c, freestanding) and printf through lib/format. */
#include "tests/guests/rt/console.h"

#include "arch/x86/serial.h"
#include "lib/format.h"

void rt_console_init(void)
{
	/* Whoever used the UART before us (GRUB, Nestor) may still be
	 * sending: serial_takeover() lets it finish before the FIFO reset. */
	serial_takeover(RT_COM1, 115200);
}

void rt_putc(char c)
{
	serial_putc(c);
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
	serial_flush();
}
