/* I/O bitmaps (SDM Vol. 3C, 24.6.4): bitmap A covers ports 0-0x7fff,
 * bitmap B 0x8000-0xffff; a set bit makes an access to that port exit. An
 * access of size N exits if any of its N ports is set (25.1.3). */
#ifndef NESTOR_VMX_IO_BITMAP_H
#define NESTOR_VMX_IO_BITMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/hypercall_abi.h"

#define BOCHS_SHUTDOWN_PORT 0x8900

#define PIC_MASTER_PORT 0x20

/* Who answers a port. Nestor intercepts its exit port
 * (vmx/hypercall_abi.h) and Bochs' shutdown port (a guest must not stop
 * the machine behind Nestor); while the guest's console UART is emulated
 * (vmx/guest_console.c), the UART's 8 ports and the master 8259's 2 (written
 * through, ICW2 snooped for IRQ4's vector); every other port is the
 * guest's (the machine's own device, passed through). */
enum io_port_owner {
	IO_PORT_GUEST,
	IO_PORT_NESTOR_EXIT,
	IO_PORT_BOCHS_SHUTDOWN,
	IO_PORT_CONSOLE_UART,
	IO_PORT_PIC_SNOOP,
};

/* The emulated console UART's base port, 0 when none: written once at
 * launch, before io_bitmap_build() (vmx/guest_console.c). */
extern uint16_t io_console_base;

/* Inline: on the I/O exit path. */
static inline enum io_port_owner io_port_owner(uint16_t port)
{
	if (io_console_base) {
		if ((uint16_t)(port - io_console_base) < 8)
			return IO_PORT_CONSOLE_UART;
		if (port == PIC_MASTER_PORT || port == PIC_MASTER_PORT + 1)
			return IO_PORT_PIC_SNOOP;
	}
	if (port == NESTOR_EXIT_PORT)
		return IO_PORT_NESTOR_EXIT;
	if (port == BOCHS_SHUTDOWN_PORT || port == BOCHS_SHUTDOWN_PORT + 1)
		return IO_PORT_BOCHS_SHUTDOWN;
	return IO_PORT_GUEST;
}

/* The bitmaps: every port whose owner is not IO_PORT_GUEST exits. */
void io_bitmap_build(uint8_t a[4096], uint8_t b[4096]);
bool io_bitmap_intercepts(const uint8_t a[4096], const uint8_t b[4096],
			  uint16_t port, unsigned size);

#endif
