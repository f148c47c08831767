/* The test guests' console: COM1 (16550 UART), polled, 115200 8N1, with a
 * printf-style front end on lib/format. */
#ifndef NESTOR_GUESTS_RT_CONSOLE_H
#define NESTOR_GUESTS_RT_CONSOLE_H

#include <stdarg.h>

#include "lib/compiler.h"

#define RT_COM1 0x3f8

/* Programs the UART at RT_COM1. */
void rt_console_init(void);
/* One character; '\n' goes out as "\r\n". */
void rt_putc(char c);
void rt_puts(const char *s);
int rt_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int rt_vprintf(const char *fmt, va_list ap);
/* Waits (bounded) until the UART has sent everything. */
void rt_console_flush(void);

#endif
