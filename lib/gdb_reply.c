/* GDB remote protocol replies (see lib/gdb_reply.h). */
#include "lib/gdb_reply.h"
#include "lib/gdb_command.h"
#include "lib/string.h"

void gdb_reply_reset(struct gdb_reply *r)
{
	r->len = 0;
	r->overflow = false;
}

void gdb_reply_bytes(struct gdb_reply *r, const void *p, size_t n)
{
	if (n > sizeof(r->data) - r->len) {
		n = sizeof(r->data) - r->len;
		r->overflow = true;
	}
	memcpy(r->data + r->len, p, n);
	r->len += n;
}

void gdb_reply_str(struct gdb_reply *r, const char *s)
{
	gdb_reply_bytes(r, s, strlen(s));
}

void gdb_reply_hex(struct gdb_reply *r, const uint8_t *bytes, size_t n)
{
	char two[2];

	for (size_t i = 0; i < n && !r->overflow; i++) {
		gdb_hex_encode(&bytes[i], 1, two);
		gdb_reply_bytes(r, two, 2);
	}
}

/* A number in hex without leading zeros ("0" for zero). */
static void reply_hex_number(struct gdb_reply *r, uint64_t v)
{
	char digits[16];
	size_t n = 0;

	do {
		digits[sizeof(digits) - 1 - n++] = gdb_hex_digit((unsigned)v);
		v >>= 4;
	} while (v);
	gdb_reply_bytes(r, digits + sizeof(digits) - n, n);
}

/* "Packets", thread-id syntax. */
static void reply_thread_id(struct gdb_reply *r, int64_t tid)
{
	if (tid < 0)
		gdb_reply_str(r, "-1");
	else
		reply_hex_number(r, (uint64_t)tid);
}

static void reply_byte(struct gdb_reply *r, char prefix, uint8_t v)
{
	gdb_reply_bytes(r, &prefix, 1);
	gdb_reply_hex(r, &v, 1);
}

void gdb_reply_ok(struct gdb_reply *r)
{
	gdb_reply_str(r, "OK");
}

void gdb_reply_error(struct gdb_reply *r, uint8_t code)
{
	reply_byte(r, 'E', code);
}

/* "Stop Reply Packets" */
void gdb_reply_stop_signal(struct gdb_reply *r, uint8_t signal)
{
	reply_byte(r, 'S', signal);
}

void gdb_reply_stop_thread(struct gdb_reply *r, uint8_t signal, int64_t tid,
			   enum gdb_stop_reason reason)
{
	reply_byte(r, 'T', signal);
	gdb_reply_str(r, "thread:");
	reply_thread_id(r, tid);
	gdb_reply_str(r, ";");
	if (reason == GDB_STOP_SWBREAK)
		gdb_reply_str(r, "swbreak:;");
	else if (reason == GDB_STOP_HWBREAK)
		gdb_reply_str(r, "hwbreak:;");
}

/* "General Query Packets", qSupported. PacketSize counts the payload
 * bytes GDB may send, in hex. */
void gdb_reply_supported(struct gdb_reply *r)
{
	gdb_reply_str(r, "PacketSize=");
	reply_hex_number(r, GDB_PACKET_MAX);
	gdb_reply_str(r, ";qXfer:features:read+;vContSupported+;"
			 "swbreak+;hwbreak+");
}

/* "Packets", vCont?: GDB uses vCont only when c and C are both offered. */
void gdb_reply_vcont_actions(struct gdb_reply *r)
{
	gdb_reply_str(r, "vCont;c;C;s;S");
}

void gdb_reply_console(struct gdb_reply *r, const char *text, size_t n)
{
	gdb_reply_str(r, "O");
	gdb_reply_hex(r, (const uint8_t *)text, n);
}

void gdb_reply_current_thread(struct gdb_reply *r, int64_t tid)
{
	gdb_reply_str(r, "QC");
	reply_thread_id(r, tid);
}

void gdb_reply_thread_first(struct gdb_reply *r, int64_t tid)
{
	gdb_reply_str(r, "m");
	reply_thread_id(r, tid);
}

void gdb_reply_thread_next(struct gdb_reply *r)
{
	gdb_reply_str(r, "l");	/* the list has no more threads */
}

/* "General Query Packets", qXfer:object:read: 'm' data (more follows),
 * 'l' data (the last of it). */
void gdb_reply_xfer(struct gdb_reply *r, const char *doc, size_t doc_len,
		    uint64_t offset, uint64_t len)
{
	/* Room for the prefix and the data. */
	size_t room = r->len < sizeof(r->data) ? sizeof(r->data) - 1 - r->len
					       : 0;
	size_t n;

	if (offset > doc_len) {
		gdb_reply_error(r, (uint8_t)gdb_error_code(GDB_ERR_LENGTH));
		return;
	}
	n = doc_len - (size_t)offset;
	if (n > len)
		n = (size_t)len;
	if (n > room)
		n = room;
	gdb_reply_str(r, offset + n == doc_len ? "l" : "m");
	gdb_reply_bytes(r, doc + offset, n);
}

size_t gdb_reply_frame(const struct gdb_reply *r, uint8_t *out, size_t cap)
{
	if (r->overflow) {
		uint8_t e[3] = { 'E' };

		gdb_hex_encode((const uint8_t[]){ GDB_REPLY_OVERFLOW_ERROR }, 1,
			       (char *)&e[1]);
		return gdb_frame(e, sizeof(e), out, cap);
	}
	return gdb_frame(r->data, r->len, out, cap);
}
