/* The unit tests' guest view of the emulated 16550A (vmx/uart16550.c):
 * one UART, reset before each test, and IN/OUT on its registers. */
#ifndef NESTOR_TESTS_UNIT_UART16550_IO_H
#define NESTOR_TESTS_UNIT_UART16550_IO_H

#include "vmx/uart16550.h"

static struct uart16550 U;

static inline uint8_t in(unsigned off)
{
	return uart16550_guest_read(&U, off);
}

static inline void out(unsigned off, uint8_t v)
{
	uart16550_guest_write(&U, off, v);
}

static inline int setup(void **state)
{
	(void)state;
	uart16550_init(&U);
	return 0;
}

static inline uint8_t iir_id(void)
{
	return uart16550_iir(&U) & UART_IIR_ID;
}

#define T(f) cmocka_unit_test_setup(f, setup)

#endif
