/* GDB remote protocol framing (see lib/gdb_packet.h). GDB manual, "Remote
 * Protocol: Overview": packet syntax, checksum, acknowledgment, binary
 * escapes and run-length encoding; "Interrupts" for the 0x03 byte. */
#include "lib/gdb_packet.h"
#include "lib/parse.h"

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = GDB_RX_IDLE;
	rx->sum = 0;
	rx->csum_hi = 0;
	rx->overflow = false;
	rx->malformed = false;
	rx->len = 0;
}

static void rx_start(struct gdb_rx *rx)
{
	gdb_rx_init(rx);
	rx->state = GDB_RX_BODY;
}

/* Appends n copies of b; a payload beyond data[] only sets the flag, so
 * the rest of the packet is still read up to its checksum. */
static void rx_store(struct gdb_rx *rx, uint8_t b, size_t n)
{
	for (; n > 0; n--) {
		if (rx->len == sizeof(rx->data)) {
			rx->overflow = true;
			return;
		}
		rx->data[rx->len++] = b;
	}
}

static enum gdb_rx_event rx_idle(struct gdb_rx *rx, uint8_t byte)
{
	switch (byte) {
	case '$':
		rx_start(rx);
		return GDB_RX_NONE;
	case '+':
		return GDB_RX_ACK;
	case '-':
		return GDB_RX_NACK;
	case GDB_INTERRUPT:
		return GDB_RX_INTERRUPT;
	default:
		return GDB_RX_NONE;	/* line noise between packets */
	}
}

/* A byte of the payload proper: anything but '$' and '#'. */
static void rx_body(struct gdb_rx *rx, uint8_t byte)
{
	rx->sum = (uint8_t)(rx->sum + byte);
	switch (rx->state) {
	case GDB_RX_ESCAPED:
		rx_store(rx, byte ^ GDB_ESCAPE_XOR, 1);
		rx->state = GDB_RX_BODY;
		return;
	case GDB_RX_RLE_COUNT:
		/* Printable counts only: ' ' (3 more) to '~' (97 more). */
		if (byte < ' ' || byte > '~' || rx->len == 0)
			rx->malformed = true;
		else
			rx_store(rx, rx->data[rx->len - 1],
				 (size_t)byte - GDB_RLE_BIAS);
		rx->state = GDB_RX_BODY;
		return;
	default:
		break;
	}
	if (byte == GDB_ESCAPE)
		rx->state = GDB_RX_ESCAPED;
	else if (byte == GDB_RLE)
		rx->state = GDB_RX_RLE_COUNT;
	else
		rx_store(rx, byte, 1);
}

static enum gdb_rx_event rx_checksum(struct gdb_rx *rx, uint8_t byte)
{
	int v = gdb_hex_value(byte);

	if (v < 0) {
		rx->state = GDB_RX_IDLE;
		return GDB_RX_BAD_CHECKSUM;
	}
	if (rx->state == GDB_RX_CSUM_HI) {
		rx->csum_hi = (uint8_t)v;
		rx->state = GDB_RX_CSUM_LO;
		return GDB_RX_NONE;
	}
	rx->state = GDB_RX_IDLE;
	if ((uint8_t)(rx->csum_hi << 4 | v) != rx->sum)
		return GDB_RX_BAD_CHECKSUM;
	if (rx->overflow)
		return GDB_RX_OVERFLOW;
	if (rx->malformed)
		return GDB_RX_MALFORMED;
	return GDB_RX_PACKET;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte)
{
	if (rx->state == GDB_RX_IDLE)
		return rx_idle(rx, byte);
	if (byte == '$') {
		rx_start(rx);	/* the partial packet is lost; GDB resends */
		return GDB_RX_NONE;
	}
	if (rx->state == GDB_RX_CSUM_HI || rx->state == GDB_RX_CSUM_LO)
		return rx_checksum(rx, byte);
	if (byte == '#') {
		/* An escape or run-length code cut off by the end. */
		if (rx->state != GDB_RX_BODY)
			rx->malformed = true;
		rx->state = GDB_RX_CSUM_HI;
		return GDB_RX_NONE;
	}
	rx_body(rx, byte);
	return GDB_RX_NONE;
}

static bool needs_escape(uint8_t b)
{
	return b == '#' || b == '$' || b == GDB_ESCAPE || b == GDB_RLE;
}

size_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	uint8_t sum = 0;

	if (cap < len + 4)
		return 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t b = payload[i];

		/* Room for this byte (maybe escaped) and "#xx". */
		if (cap - n < (needs_escape(b) ? 2u : 1u) + 3u)
			return 0;
		if (needs_escape(b)) {
			out[n++] = GDB_ESCAPE;
			sum = (uint8_t)(sum + GDB_ESCAPE);
			b ^= GDB_ESCAPE_XOR;
		}
		out[n++] = b;
		sum = (uint8_t)(sum + b);
	}
	out[n++] = '#';
	out[n++] = (uint8_t)gdb_hex_digit(sum >> 4);
	out[n++] = (uint8_t)gdb_hex_digit(sum);
	return n;
}

int gdb_hex_value(uint8_t c)
{
	return parse_hex_digit((char)c);
}

char gdb_hex_digit(unsigned v)
{
	return "0123456789abcdef"[v & 15];
}

void gdb_hex_encode(const uint8_t *bytes, size_t n, char *hex)
{
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = gdb_hex_digit(bytes[i] >> 4);
		hex[2 * i + 1] = gdb_hex_digit(bytes[i]);
	}
}

int gdb_hex_decode(const uint8_t *hex, size_t len, uint8_t *out)
{
	if (len % 2)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = gdb_hex_value(hex[i]), lo = gdb_hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool gdb_hex_valid(const uint8_t *hex, size_t len)
{
	if (len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (gdb_hex_value(hex[i]) < 0)
			return false;
	return true;
}
