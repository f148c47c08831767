/* GDB remote protocol replies (pure): the payloads the stub sends, built
 * into a bounded buffer and framed by gdb_frame(). GDB manual, "Remote
 * Protocol: Packets", "Stop Reply Packets", "General Query Packets". The
 * codec of the GDB stub of issue 16; vmx/gdb_stub.c uses it. */
#ifndef NESTOR_LIB_GDB_REPLY_H
#define NESTOR_LIB_GDB_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/gdb_packet.h"

/* A reply payload. An append that does not fit sets overflow and keeps
 * what fitted; gdb_reply_frame() then sends an error instead. */
struct gdb_reply {
	size_t len;
	bool overflow;
	uint8_t data[GDB_PACKET_MAX];
};

/* Why the guest stopped, for the T stop reply ("Stop Reply Packets"). */
enum gdb_stop_reason {
	GDB_STOP_NONE,		/* a step, an interrupt: no reason field */
	GDB_STOP_SWBREAK,	/* "swbreak:;" (only if GDB sent swbreak+) */
	GDB_STOP_HWBREAK,	/* "hwbreak:;" (only if GDB sent hwbreak+) */
};

#define GDB_SIGTRAP 5
#define GDB_SIGINT 2

/* The "Exx" sent for a reply that overflowed its buffer. */
#define GDB_REPLY_OVERFLOW_ERROR 0x0e

void gdb_reply_reset(struct gdb_reply *r);		/* "" */
void gdb_reply_bytes(struct gdb_reply *r, const void *p, size_t n);
void gdb_reply_str(struct gdb_reply *r, const char *s);
/* 2 * n hex digits: memory read replies, 'g', 'p', console output. */
void gdb_reply_hex(struct gdb_reply *r, const uint8_t *bytes, size_t n);

void gdb_reply_ok(struct gdb_reply *r);			/* "OK" */
void gdb_reply_error(struct gdb_reply *r, uint8_t code);	/* "Exx" */
/* "Sxx": the stop reply with only a signal. */
void gdb_reply_stop_signal(struct gdb_reply *r, uint8_t signal);
/* "Txxthread:tid;[swbreak:;|hwbreak:;]" */
void gdb_reply_stop_thread(struct gdb_reply *r, uint8_t signal, int64_t tid,
			   enum gdb_stop_reason reason);
/* qSupported: PacketSize (hex), qXfer:features:read+, vContSupported+,
 * swbreak+, hwbreak+. */
void gdb_reply_supported(struct gdb_reply *r);
/* vCont?: the actions decode_vcont() accepts. */
void gdb_reply_vcont_actions(struct gdb_reply *r);
/* "O" + hex text: console output, e.g. a monitor command's answer
 * (qRcmd: any number of these, then "OK"). */
void gdb_reply_console(struct gdb_reply *r, const char *text, size_t n);
/* qC: "QC" + tid; qfThreadInfo: "m" + tid (one thread); qsThreadInfo: "l". */
void gdb_reply_current_thread(struct gdb_reply *r, int64_t tid);
void gdb_reply_thread_first(struct gdb_reply *r, int64_t tid);
void gdb_reply_thread_next(struct gdb_reply *r);
/* qXfer read: the chunk [offset, offset + len) of doc, at most a packet
 * less one byte, prefixed 'l' when it reaches the end and 'm' otherwise;
 * an offset beyond the end is an error. */
void gdb_reply_xfer(struct gdb_reply *r, const char *doc, size_t doc_len,
		    uint64_t offset, uint64_t len);

/* Frames the reply (an overflowed one as "E0e") into out; see gdb_frame. */
size_t gdb_reply_frame(const struct gdb_reply *r, uint8_t *out, size_t cap);

#endif
