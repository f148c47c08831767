/* 16550 UART console driver (polled). */
#ifndef NESTOR_ARCH_X86_SERIAL_H
#define NESTOR_ARCH_X86_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* Program the UART at `port` for `baud` 8N1. Returns false when no UART
 * answers there (scratch-register test); output is then dropped. */
bool serial_init(uint16_t port, uint32_t baud);
/* serial_init() for a UART someone else (firmware, loader, the hypervisor
 * below a guest) may still be sending on: first waits (bounded) until it has
 * sent everything, since the FIFO reset in serial_init() would drop it. */
bool serial_takeover(uint16_t port, uint32_t baud);
void serial_putc(char c);
/* One byte as it is (no CR before LF): the guest's own bytes (vmx/guest_console.c). */
void serial_putb(uint8_t b);
/* A byte the UART received (LSR.DR), if any: no waiting. */
bool serial_getb(uint8_t *b);
uint16_t serial_port(void);
/* Wait (bounded) until every queued byte has left the UART. */
void serial_flush(void);

/* A second UART carrying raw bytes (the GDB stub's, vmx/gdb_stub.c), apart
 * from the console: programmed like serial_init() (8N1, FIFOs on), then
 * polled. uart_raw_getc() returns the next received byte or -1 at once;
 * uart_raw_putc() waits (bounded) for room. No '\n' translation. */
bool uart_raw_init(uint16_t port, uint32_t baud);
int uart_raw_getc(uint16_t port);
void uart_raw_putc(uint16_t port, uint8_t c);

#endif
