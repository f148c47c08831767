/* The guest's console UART, emulated when it is Nestor's console too
 * (issue 16 item 1; the design: docs/architecture.md, "The console path").
 *
 * vmx/guest_console.c owns the one emulated 16550A (vmx/uart16550.c), the
 * output mux and the escape keys (vmx/console_mux.c), and the minimal
 * shell. It is on from guest_console_setup() at launch (boot/main.c asks
 * for it through vmx_options) until power-off; when it is off, every
 * function here is a no-op and the guest's UART passes through. */
#ifndef NESTOR_VMX_GUEST_CONSOLE_H
#define NESTOR_VMX_GUEST_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/compiler.h"

struct vcpu;

/* Launch, before the I/O bitmaps are built: emulate the UART at base (the
 * port Nestor's console already runs on), escape character esc. Installs
 * Nestor's log sink through the output mux and says so on the console. */
void guest_console_setup(uint16_t base, uint8_t esc);

/* Each VMCS programming for L1 (launch, restart): the UART back to its
 * power-on state, and the VMX-preemption timer
 * where the CPU has it, so that Nestor polls the port even when the guest
 * does not exit (v->wants.preemption_timer, the timer's value). */
void guest_console_program(struct vcpu *v);

/* The I/O exit path (vmx/exit_io.c): one byte at an emulated UART port, and
 * a byte written through to the master PIC. */
uint8_t guest_console_in(uint16_t port);
void guest_console_out(uint16_t port, uint8_t byte);
void guest_console_pic_write(uint16_t port, uint8_t byte);

/* Every VM exit, after the handler and before the events are delivered
 * (vmx/exit_dispatch.c): poll the real port, flush a quiet partial line,
 * raise the guest's IRQ4 on a rising edge of the UART's interrupt line. */
extern bool guest_console_on;
void guest_console_exit_work(struct vcpu *v, uint64_t tsc);
static inline void guest_console_exit(struct vcpu *v, uint64_t tsc)
{
	if (unlikely(guest_console_on))
		guest_console_exit_work(v, tsc);
}


#endif
