/* Fuzz target: the GDB packet codec (lib/gdb_*.c). The input is both a
 * byte stream for the receiver and, whole, a packet payload:
 *  - the receiver never holds more than GDB_PACKET_MAX bytes, and every
 *    packet it completes is decoded;
 *  - decoding is total: a known kind, an error only from the error enum,
 *    and the fields of a good command within their limits (hex data inside
 *    the packet, of the announced length);
 *  - a command the codec decoded, written back in canonical form by
 *    encode_command() here, decodes to the same command;
 *  - any payload up to GDB_PACKET_MAX, framed by gdb_frame(), comes back
 *    out of a fresh receiver unchanged, and so does every reply built for
 *    a decoded command (registers, features, memory). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/gdb_command.h"
#include "lib/gdb_packet.h"
#include "lib/gdb_reply.h"
#include "lib/gdb_x86.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *data,
		   size_t len)
{
	return p >= data && n <= len && (size_t)(p - data) <= len - n;
}

/* Frames payload and feeds it to a fresh receiver: it must come back. */
static void check_frame_round_trip(const uint8_t *payload, size_t len)
{
	static uint8_t frame[GDB_FRAME_MAX];
	static struct gdb_rx rx;
	size_t n = gdb_frame(payload, len, frame, sizeof(frame));
	enum gdb_rx_event last = GDB_RX_NONE;

	check(n >= len + 4 && n <= 2 * len + 4);
	gdb_rx_init(&rx);
	for (size_t i = 0; i < n; i++) {
		enum gdb_rx_event e = gdb_rx_byte(&rx, frame[i]);

		check(e == GDB_RX_NONE || i == n - 1);
		last = e;
	}
	check(last == GDB_RX_PACKET);
	check(rx.len == len && memcmp(rx.data, payload, len) == 0);
}

static void check_fields(const struct gdb_command *c, const uint8_t *data,
			 size_t len)
{
	switch (c->kind) {
	case GDB_CMD_WRITE_REGS:
		check(inside(c->u.regs.hex, c->u.regs.hex_len, data, len));
		check(gdb_hex_valid(c->u.regs.hex, c->u.regs.hex_len));
		break;
	case GDB_CMD_WRITE_REG:
		check(inside(c->u.reg.hex, c->u.reg.hex_len, data, len));
		check(c->u.reg.hex_len <= 2 * GDB_REG_MAX_BYTES);
		break;
	case GDB_CMD_WRITE_MEM:
		check(inside(c->u.mem.hex, 2 * c->u.mem.len, data, len));
		check(gdb_hex_valid(c->u.mem.hex, 2 * c->u.mem.len));
		/* fall through */
	case GDB_CMD_READ_MEM:
		check(c->u.mem.len <= GDB_PACKET_MAX / 2);
		check(c->u.mem.len == 0 ||
		      c->u.mem.addr + (c->u.mem.len - 1) >= c->u.mem.addr);
		break;
	case GDB_CMD_VCONT:
		check(c->u.vcont.count >= 1 &&
		      c->u.vcont.count <= GDB_VCONT_MAX);
		for (unsigned i = 0; i < c->u.vcont.count; i++)
			check(strchr("cCsS", c->u.vcont.action[i].action) &&
			      c->u.vcont.action[i].tid >= GDB_TID_ALL);
		break;
	case GDB_CMD_INSERT_BREAK:
	case GDB_CMD_REMOVE_BREAK:
		check(c->u.brk.type == GDB_BREAK_SW ||
		      c->u.brk.type == GDB_BREAK_HW);
		break;
	case GDB_CMD_SET_THREAD:
		check((c->u.thread.op == 'g' || c->u.thread.op == 'c') &&
		      c->u.thread.tid >= GDB_TID_ALL);
		break;
	case GDB_CMD_XFER_FEATURES:
		check(inside(c->u.xfer.annex, c->u.xfer.annex_len, data, len));
		break;
	case GDB_CMD_MONITOR:
		check(c->u.monitor.len < GDB_MONITOR_MAX &&
		      c->u.monitor.text[c->u.monitor.len] == '\0');
		check(c->u.monitor.kind != GDB_MONITOR_LEVEL ||
		      c->u.monitor.level == 1 || c->u.monitor.level == 2);
		break;
	default:
		break;
	}
}

static size_t put(char *buf, size_t at, size_t cap, const char *fmt,
		  unsigned long long a, unsigned long long b)
{
	int n = snprintf(buf + at, cap - at, fmt, a, b);

	check(n >= 0 && (size_t)n < cap - at);
	return at + (size_t)n;
}

static size_t put_bytes(char *buf, size_t at, size_t cap, const void *p,
			size_t n)
{
	check(n <= cap - at);
	memcpy(buf + at, p, n);
	return at + n;
}

static size_t put_tid(char *buf, size_t at, size_t cap, int64_t tid)
{
	if (tid == GDB_TID_ALL)
		return put(buf, at, cap, "-1", 0, 0);
	return put(buf, at, cap, "%llx", (unsigned long long)tid, 0);
}

/* The command in canonical form (lowercase hex, no leading zeros), or 0
 * where the kind has no fields worth a round trip. */
static size_t encode_command(const struct gdb_command *c, char *buf,
			     size_t cap)
{
	size_t n = 0;

	switch (c->kind) {
	case GDB_CMD_WRITE_REGS:
		n = put_bytes(buf, 0, cap, "G", 1);
		return put_bytes(buf, n, cap, c->u.regs.hex, c->u.regs.hex_len);
	case GDB_CMD_READ_REG:
		return put(buf, 0, cap, "p%llx", c->u.reg.regno, 0);
	case GDB_CMD_WRITE_REG:
		n = put(buf, 0, cap, "P%llx=", c->u.reg.regno, 0);
		return put_bytes(buf, n, cap, c->u.reg.hex, c->u.reg.hex_len);
	case GDB_CMD_READ_MEM:
		return put(buf, 0, cap, "m%llx,%llx", c->u.mem.addr,
			   c->u.mem.len);
	case GDB_CMD_WRITE_MEM:
		n = put(buf, 0, cap, "M%llx,%llx:", c->u.mem.addr,
			c->u.mem.len);
		return put_bytes(buf, n, cap, c->u.mem.hex, 2 * c->u.mem.len);
	case GDB_CMD_CONTINUE:
	case GDB_CMD_STEP:
		n = put_bytes(buf, 0, cap,
			      c->kind == GDB_CMD_STEP ? "s" : "c", 1);
		if (c->u.resume.has_addr)
			n = put(buf, n, cap, "%llx", c->u.resume.addr, 0);
		return n;
	case GDB_CMD_VCONT:
		n = put_bytes(buf, 0, cap, "vCont", 5);
		for (unsigned i = 0; i < c->u.vcont.count; i++) {
			const struct gdb_vcont_action *a = &c->u.vcont.action[i];

			n = put_bytes(buf, n, cap, ";", 1);
			n = put_bytes(buf, n, cap, &a->action, 1);
			if (a->action == 'C' || a->action == 'S')
				n = put(buf, n, cap, "%02llx", a->signal, 0);
			if (a->tid != GDB_TID_ALL) {
				n = put_bytes(buf, n, cap, ":", 1);
				n = put_tid(buf, n, cap, a->tid);
			}
		}
		return n;
	case GDB_CMD_INSERT_BREAK:
	case GDB_CMD_REMOVE_BREAK:
		n = put_bytes(buf, 0, cap,
			      c->kind == GDB_CMD_INSERT_BREAK ? "Z" : "z", 1);
		n = put(buf, n, cap, "%llx,%llx,", c->u.brk.type, c->u.brk.addr);
		return put(buf, n, cap, "%llx", c->u.brk.kind, 0);
	case GDB_CMD_SET_THREAD:
		n = put_bytes(buf, 0, cap, "H", 1);
		n = put_bytes(buf, n, cap, &c->u.thread.op, 1);
		return put_tid(buf, n, cap, c->u.thread.tid);
	case GDB_CMD_SUPPORTED:
		n = put_bytes(buf, 0, cap, "qSupported:", 11);
		if (c->u.supported.features & GDB_FEAT_SWBREAK)
			n = put(buf, n, cap, "swbreak+;", 0, 0);
		if (c->u.supported.features & GDB_FEAT_HWBREAK)
			n = put(buf, n, cap, "hwbreak+;", 0, 0);
		if (c->u.supported.features & GDB_FEAT_MULTIPROCESS)
			n = put(buf, n, cap, "multiprocess+;", 0, 0);
		if (c->u.supported.features & GDB_FEAT_VCONT)
			n = put(buf, n, cap, "vContSupported+;", 0, 0);
		if (c->u.supported.features & GDB_FEAT_XML_I386)
			n = put(buf, n, cap, "xmlRegisters=i386", 0, 0);
		return n;
	case GDB_CMD_XFER_FEATURES:
		n = put_bytes(buf, 0, cap, "qXfer:features:read:", 20);
		n = put_bytes(buf, n, cap, c->u.xfer.annex, c->u.xfer.annex_len);
		return put(buf, n, cap, ":%llx,%llx", c->u.xfer.offset,
			   c->u.xfer.len);
	case GDB_CMD_MONITOR:
		n = put_bytes(buf, 0, cap, "qRcmd,", 6);
		for (size_t i = 0; i < c->u.monitor.len; i++)
			n = put(buf, n, cap, "%02llx",
				(uint8_t)c->u.monitor.text[i], 0);
		return n;
	default:
		return 0;
	}
}

/* The hex data a command points to, compared case-insensitively (the
 * canonical form copies it as it was, so it must be identical). */
static void forget_pointers(struct gdb_command *c)
{
	if (c->kind == GDB_CMD_WRITE_REGS)
		c->u.regs.hex = NULL;
	if (c->kind == GDB_CMD_WRITE_REG)
		c->u.reg.hex = NULL;
	if (c->kind == GDB_CMD_WRITE_MEM)
		c->u.mem.hex = NULL;
	if (c->kind == GDB_CMD_XFER_FEATURES)
		c->u.xfer.annex = NULL;
}

static void check_command_round_trip(const struct gdb_command *c)
{
	static char buf[2 * GDB_PACKET_MAX];
	struct gdb_command again, a, b;
	size_t n = encode_command(c, buf, sizeof(buf));

	if (n == 0)
		return;
	check(gdb_decode((const uint8_t *)buf, n, &again) == GDB_OK);
	a = *c;
	b = again;
	forget_pointers(&a);
	forget_pointers(&b);
	check(memcmp(&a, &b, sizeof(a)) == 0);
}

/* A register file taken from the input bytes. */
static void regs_from(struct gdb_x86_regs *regs, const uint8_t *data,
		      size_t len)
{
	uint8_t *p = (uint8_t *)regs;

	memset(regs, 0, sizeof(*regs));
	for (size_t i = 0; i < sizeof(*regs) && len; i++)
		p[i] = data[i % len];
}

/* What a stub would answer, built with the codec's reply helpers: it must
 * fit, and what it reports must be what the command asked for. */
static void check_reply(const struct gdb_command *c, enum gdb_error e,
			const uint8_t *data, size_t len)
{
	static struct gdb_reply r;
	struct gdb_x86_regs regs, back;
	size_t xml_len;
	const char *xml = gdb_x86_target_xml(&xml_len);

	gdb_reply_reset(&r);
	regs_from(&regs, data, len);
	if (e != GDB_OK) {
		gdb_reply_error(&r, (uint8_t)gdb_error_code(e));
		check(r.len == 3);
	} else if (c->kind == GDB_CMD_READ_REGS) {
		gdb_x86_regs_encode(&regs, &r);
		check(r.len == 2 * GDB_X86_REGS_BYTES);
		memset(&back, 0, sizeof(back));
		check(gdb_x86_regs_decode(r.data, r.len, &back) == GDB_OK);
		for (unsigned i = 0; i < GDB_X86_NUM_REGS; i++) {
			const struct gdb_x86_reg_info *info = gdb_x86_reg_info(i);

			check(memcmp((uint8_t *)&back + info->offset,
				     (uint8_t *)&regs + info->offset,
				     info->bytes) == 0);
		}
	} else if (c->kind == GDB_CMD_WRITE_REGS) {
		back = regs;
		if (gdb_x86_regs_decode(c->u.regs.hex, c->u.regs.hex_len,
					&regs) != GDB_OK)
			check(memcmp(&back, &regs, sizeof(regs)) == 0);
		gdb_reply_ok(&r);
	} else if (c->kind == GDB_CMD_WRITE_REG) {
		if (gdb_x86_reg_write(&regs, c->u.reg.regno, c->u.reg.hex,
				      c->u.reg.hex_len) == GDB_OK) {
			check(gdb_x86_reg_read(&regs, c->u.reg.regno, &r) ==
			      GDB_OK);
			check(r.len == c->u.reg.hex_len);
			for (size_t i = 0; i < r.len; i++)
				check(gdb_hex_value(r.data[i]) ==
				      gdb_hex_value(c->u.reg.hex[i]));
		}
	} else if (c->kind == GDB_CMD_READ_REG) {
		if (gdb_x86_reg_read(&regs, c->u.reg.regno, &r) == GDB_OK)
			check(r.len == 2u * gdb_x86_reg_info(c->u.reg.regno)->bytes);
		else
			check(c->u.reg.regno >= GDB_X86_NUM_REGS);
	} else if (c->kind == GDB_CMD_READ_MEM) {
		static uint8_t mem[GDB_PACKET_MAX / 2];

		gdb_reply_hex(&r, mem, c->u.mem.len);
		check(r.len == 2 * c->u.mem.len);
	} else if (c->kind == GDB_CMD_XFER_FEATURES) {
		gdb_x86_reply_features(c, &r);
		check(r.len >= 1 && r.len <= GDB_PACKET_MAX);
		if (r.data[0] == 'm' || r.data[0] == 'l') {
			check(c->u.xfer.offset + (r.len - 1) <= xml_len);
			check(memcmp(r.data + 1, xml + c->u.xfer.offset,
				     r.len - 1) == 0);
			check((r.data[0] == 'l') ==
			      (c->u.xfer.offset + (r.len - 1) == xml_len));
		}
	} else if (c->kind == GDB_CMD_MONITOR) {
		gdb_reply_console(&r, c->u.monitor.text, c->u.monitor.len);
	} else if (c->kind == GDB_CMD_SUPPORTED) {
		gdb_reply_supported(&r);
	} else if (c->kind == GDB_CMD_VCONT_QUERY) {
		gdb_reply_vcont_actions(&r);
	} else if (c->kind == GDB_CMD_HALT_REASON) {
		gdb_reply_stop_thread(&r, GDB_SIGTRAP, 1, GDB_STOP_SWBREAK);
	}
	check(!r.overflow);
	check_frame_round_trip(r.data, r.len);
}

static void decode_and_check(const uint8_t *data, size_t len)
{
	struct gdb_command c;
	enum gdb_error e = gdb_decode(data, len, &c);

	check(e <= GDB_ERR_LENGTH);
	check(c.kind <= GDB_CMD_MONITOR);
	check(e == GDB_OK || c.kind != GDB_CMD_UNSUPPORTED);
	if (e == GDB_OK) {
		check_fields(&c, data, len);
		check_command_round_trip(&c);
	}
	check_reply(&c, e, data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_rx rx;

	/* The whole input as one payload: decoded, and framed back. */
	if (size <= GDB_PACKET_MAX) {
		decode_and_check(data, size);
		check_frame_round_trip(data, size);
	}
	/* The input as what the line brought: every packet decoded. */
	gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++) {
		enum gdb_rx_event ev = gdb_rx_byte(&rx, data[i]);

		check(rx.len <= GDB_PACKET_MAX);
		check(ev <= GDB_RX_MALFORMED);
		if (ev == GDB_RX_PACKET)
			decode_and_check(rx.data, rx.len);
	}
	return 0;
}
