/* GDB remote protocol framing (pure): the byte-at-a-time receiver, the
 * reply encoder and the hex helpers every layer above uses. The codec of
 * the GDB stub of issue 16; vmx/gdb_stub.c uses it.
 *
 * GDB manual, Appendix E "GDB Remote Serial Protocol", section "Overview":
 * a packet is '$' payload '#' and two hex digits, the modulo-256 sum of the
 * payload bytes as sent. The receiver answers '+' (good) or '-' (resend).
 * Inside the payload '}' escapes the next byte (sent XORed with 0x20), and
 * "X*n" repeats X another n - 29 times (run-length encoding). A 0x03 byte
 * outside a packet is GDB's interrupt request (Ctrl-C). */
#ifndef NESTOR_LIB_GDB_PACKET_H
#define NESTOR_LIB_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload, after unescaping and run-length expansion, the
 * receiver keeps; also the largest reply payload. Advertised to GDB as
 * PacketSize (General Query Packets, qSupported). */
#define GDB_PACKET_MAX 4096
/* The largest framed reply: every payload byte escaped, plus "$", "#xx". */
#define GDB_FRAME_MAX (2 * GDB_PACKET_MAX + 4)

#define GDB_ESCAPE 0x7d		/* '}' */
#define GDB_ESCAPE_XOR 0x20
#define GDB_RLE 0x2a		/* '*' */
#define GDB_RLE_BIAS 29		/* count byte - 29 = repeats after the first */
#define GDB_INTERRUPT 0x03	/* Ctrl-C outside a packet */

/* What one received byte completed. */
enum gdb_rx_event {
	GDB_RX_NONE,		/* nothing yet (inside a packet, or noise) */
	GDB_RX_PACKET,		/* a packet with a good checksum: data/len; ack '+' */
	GDB_RX_ACK,		/* '+': GDB got our last reply */
	GDB_RX_NACK,		/* '-': GDB wants our last reply again */
	GDB_RX_INTERRUPT,	/* 0x03 outside a packet */
	GDB_RX_BAD_CHECKSUM,	/* checksum wrong or not hex: answer '-' */
	GDB_RX_OVERFLOW,	/* payload beyond GDB_PACKET_MAX, dropped whole */
	GDB_RX_MALFORMED,	/* bad escape or run-length code, dropped */
};

enum gdb_rx_state {
	GDB_RX_IDLE,		/* between packets */
	GDB_RX_BODY,		/* after '$' */
	GDB_RX_ESCAPED,		/* after '}' */
	GDB_RX_RLE_COUNT,	/* after '*' */
	GDB_RX_CSUM_HI,		/* after '#' */
	GDB_RX_CSUM_LO,		/* after the first checksum digit */
};

/* The receiver. data holds the decoded payload of the last packet (not
 * NUL-terminated); it stays valid until the next byte is fed. */
struct gdb_rx {
	enum gdb_rx_state state;
	uint8_t sum;		/* running checksum of the bytes as sent */
	uint8_t csum_hi;	/* first checksum digit's value */
	bool overflow;		/* this packet outgrew data[] */
	bool malformed;		/* this packet had a bad escape/RLE code */
	size_t len;
	uint8_t data[GDB_PACKET_MAX];
};

void gdb_rx_init(struct gdb_rx *rx);

/* Feeds one byte. A '$' anywhere starts a new packet (the partial one is
 * dropped: GDB never sends an unescaped '$' inside a packet). */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte);

/* Frames payload as "$...#xx" into out, escaping '#', '$', '}' and '*'.
 * Returns the frame's length, or 0 if it does not fit in cap (out is then
 * unspecified). cap >= 2 * len + 4 always suffices. */
size_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* Hex helpers (lowercase out, either case in). */
int gdb_hex_value(uint8_t c);	/* 0..15, or -1 */
char gdb_hex_digit(unsigned v);	/* v & 15 as '0'..'f' */

/* Writes 2 * n hex digits for n bytes, in memory order. */
void gdb_hex_encode(const uint8_t *bytes, size_t n, char *hex);

/* Decodes len hex digits (len even) into len / 2 bytes. Returns 0, or -1
 * on an odd length or a non-hex digit (out may be partly written). */
int gdb_hex_decode(const uint8_t *hex, size_t len, uint8_t *out);

/* True when len is even and every byte a hex digit. */
bool gdb_hex_valid(const uint8_t *hex, size_t len);

#endif
