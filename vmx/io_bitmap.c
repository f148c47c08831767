/* I/O bitmap construction (pure). */
#include "vmx/io_bitmap.h"
#include "lib/string.h"
#include "vmx/hypercall_abi.h"

uint16_t io_console_base;

static void set_port(uint8_t a[4096], uint8_t b[4096], uint16_t port)
{
	uint8_t *bm = port < 0x8000 ? a : b;
	unsigned p = port & 0x7fff;

	bm[p / 8] |= (uint8_t)(1u << (p % 8));
}

void io_bitmap_build(uint8_t a[4096], uint8_t b[4096])
{
	memset(a, 0, 4096);
	memset(b, 0, 4096);
	for (uint32_t port = 0; port <= 0xffff; port++)
		if (io_port_owner((uint16_t)port) != IO_PORT_GUEST)
			set_port(a, b, (uint16_t)port);
}

bool io_bitmap_intercepts(const uint8_t a[4096], const uint8_t b[4096],
			  uint16_t port, unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		uint32_t p = (uint32_t)port + i;
		const uint8_t *bm;

		/* 25.1.3: wrapping past 0xffff always exits. */
		if (p > 0xffff)
			return true;
		bm = p < 0x8000 ? a : b;
		if (bm[(p & 0x7fff) / 8] & (1u << (p % 8)))
			return true;
	}
	return false;
}
