/* I/O bitmaps (SDM Vol. 3C, 24.6.4): bitmap A covers ports 0-0x7fff,
 * bitmap B 0x8000-0xffff; a set bit makes an access to that port exit. An
 * access of size N exits if any of its N ports is set (25.1.3). */
#ifndef NESTOR_VMX_IO_BITMAP_H
#define NESTOR_VMX_IO_BITMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/hypercall_abi.h"

#define BOCHS_SHUTDOWN_PORT 0x8900

/* Who answers a port. Nestor intercepts two kinds: its exit port
 * (vmx/hypercall_abi.h) and Bochs' shutdown port (a guest must not stop
 * the machine behind Nestor); every other port is the guest's (the
 * machine's own device, passed through). */
enum io_port_owner {
	IO_PORT_GUEST,
	IO_PORT_NESTOR_EXIT,
	IO_PORT_BOCHS_SHUTDOWN,
};

/* Inline: on the I/O exit path. */
static inline enum io_port_owner io_port_owner(uint16_t port)
{
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
