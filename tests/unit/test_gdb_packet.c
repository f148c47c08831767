/* Unit tests for the GDB remote protocol codec (lib/gdb_packet.c,
 * gdb_command.c, gdb_query.c, gdb_reply.c, gdb_x86.c): framing with
 * checksums, acks, Ctrl-C, escapes, run-length encoding and the bounded
 * buffer; the decoding of every command and its malformed forms; the
 * replies; the x86-64 register round trip; target.xml against the
 * register table and its qXfer chunking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/gdb_command.h"
#include "lib/gdb_packet.h"
#include "lib/gdb_reply.h"
#include "lib/gdb_x86.h"

/* Feeds s to rx; returns the last event that was not NONE (or NONE). */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *s, size_t n)
{
	enum gdb_rx_event last = GDB_RX_NONE;

	for (size_t i = 0; i < n; i++) {
		enum gdb_rx_event e = gdb_rx_byte(rx, (uint8_t)s[i]);

		if (e != GDB_RX_NONE)
			last = e;
	}
	return last;
}

static enum gdb_rx_event feed_str(struct gdb_rx *rx, const char *s)
{
	return feed(rx, s, strlen(s));
}

static void assert_payload(const struct gdb_rx *rx, const char *want)
{
	assert_int_equal(rx->len, strlen(want));
	assert_memory_equal(rx->data, want, rx->len);
}

static void test_rx_packet_and_checksum(void **state)
{
	static struct gdb_rx rx;

	(void)state;
	gdb_rx_init(&rx);
	/* "g" = 0x67; "qSupported" sums to 0x37 (GDB's own first packet). */
	assert_int_equal(feed_str(&rx, "$g#67"), GDB_RX_PACKET);
	assert_payload(&rx, "g");
	assert_int_equal(feed_str(&rx, "$qSupported#37"), GDB_RX_PACKET);
	assert_payload(&rx, "qSupported");
	assert_int_equal(feed_str(&rx, "$g#6A"), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feed_str(&rx, "$g#6"), GDB_RX_NONE);
	assert_int_equal(feed_str(&rx, "x"), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feed_str(&rx, "$#00"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 0);
	/* Upper-case checksum digits are accepted. */
	assert_int_equal(feed_str(&rx, "$?#3F"), GDB_RX_PACKET);
}

static void test_rx_acks_interrupt_noise(void **state)
{
	static struct gdb_rx rx;

	(void)state;
	gdb_rx_init(&rx);
	assert_int_equal(gdb_rx_byte(&rx, '+'), GDB_RX_ACK);
	assert_int_equal(gdb_rx_byte(&rx, '-'), GDB_RX_NACK);
	assert_int_equal(gdb_rx_byte(&rx, 0x03), GDB_RX_INTERRUPT);
	assert_int_equal(gdb_rx_byte(&rx, 'x'), GDB_RX_NONE);
	assert_int_equal(gdb_rx_byte(&rx, '#'), GDB_RX_NONE);
	/* Inside a packet, 0x03, '+' and '-' are payload. */
	assert_int_equal(feed(&rx, "$\x03+-#5b", 7), GDB_RX_PACKET);
	assert_int_equal(rx.len, 3);
	assert_memory_equal(rx.data, "\x03+-", 3);
	/* A '$' restarts: the partial packet is dropped. */
	assert_int_equal(feed_str(&rx, "$mxx$g#67"), GDB_RX_PACKET);
	assert_payload(&rx, "g");
	assert_int_equal(feed_str(&rx, "$g#6$g#67"), GDB_RX_PACKET);
	assert_payload(&rx, "g");
}

static void test_rx_escapes(void **state)
{
	static struct gdb_rx rx;
	uint8_t frame[64];
	size_t n;

	(void)state;
	gdb_rx_init(&rx);
	/* "}\x03" is '#' escaped, "}]" is '}' escaped; the checksum counts
	 * the bytes as sent: 0x7d + 0x03 + 0x7d + 0x5d = 0x15a. */
	assert_int_equal(feed_str(&rx, "$}\x03}]#5a"), GDB_RX_PACKET);
	assert_payload(&rx, "#}");
	/* Encoder: every special byte escaped, then decoded back. */
	n = gdb_frame((const uint8_t *)"a#$}*b", 6, frame, sizeof(frame));
	assert_int_equal(n, 1 + 10 + 3);
	assert_memory_equal(frame, "$a}\x03}\x04}]}\x0a" "b#", 12);
	assert_int_equal(feed(&rx, (const char *)frame, n), GDB_RX_PACKET);
	assert_payload(&rx, "a#$}*b");
	/* An escape cut off by '#' is malformed (checksum still checked). */
	assert_int_equal(feed_str(&rx, "$a}#de"), GDB_RX_MALFORMED);
	assert_int_equal(feed_str(&rx, "$a}#00"), GDB_RX_BAD_CHECKSUM);
}

static void test_rx_run_length(void **state)
{
	static struct gdb_rx rx;

	(void)state;
	gdb_rx_init(&rx);
	/* The manual's example: "0* " is "0000" (' ' = 29 + 3 repeats). */
	assert_int_equal(feed_str(&rx, "$0* #7a"), GDB_RX_PACKET);
	assert_payload(&rx, "0000");
	/* '"' (34): five more; "0*\"00" is eight zeros. */
	assert_int_equal(feed_str(&rx, "$0*\"00#dc"), GDB_RX_PACKET);
	assert_payload(&rx, "00000000");
	/* '~' (126) is the largest count: 97 more. */
	assert_int_equal(feed_str(&rx, "$x*~#20"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 98);
	/* '*' first, a control-character count, or '*' before '#'. */
	assert_int_equal(feed_str(&rx, "$* #4a"), GDB_RX_MALFORMED);
	assert_int_equal(feed_str(&rx, "$0*\x1f#79"), GDB_RX_MALFORMED);
	assert_int_equal(feed_str(&rx, "$0*#5a"), GDB_RX_MALFORMED);
	/* A run after an escaped byte repeats the unescaped byte. */
	assert_int_equal(feed_str(&rx, "$}]* #24"), GDB_RX_PACKET);
	assert_payload(&rx, "}}}}");
}

/* Builds "$" + payload + "#xx" by hand with the given payload bytes. */
static size_t raw_frame(const uint8_t *p, size_t n, char *out)
{
	unsigned sum = 0;

	out[0] = '$';
	memcpy(out + 1, p, n);
	for (size_t i = 0; i < n; i++)
		sum += p[i];
	sprintf(out + 1 + n, "#%02x", sum & 0xff);
	return n + 4;
}

static void test_rx_overflow(void **state)
{
	static struct gdb_rx rx;
	static uint8_t big[GDB_PACKET_MAX + 1];
	static char frame[GDB_PACKET_MAX + 8];
	size_t n;

	(void)state;
	gdb_rx_init(&rx);
	memset(big, 'a', sizeof(big));
	n = raw_frame(big, GDB_PACKET_MAX, frame);
	assert_int_equal(feed(&rx, frame, n), GDB_RX_PACKET);
	assert_int_equal(rx.len, GDB_PACKET_MAX);
	n = raw_frame(big, GDB_PACKET_MAX + 1, frame);
	assert_int_equal(feed(&rx, frame, n), GDB_RX_OVERFLOW);
	assert_int_equal(rx.len, GDB_PACKET_MAX);
	/* A run that expands beyond the buffer. */
	{
		uint8_t p[GDB_PACKET_MAX];

		memset(p, 'a', sizeof(p));
		/* 4000 bytes, then 97 more: one too many. */
		memcpy(p + 4000, "*~", 2);
		n = raw_frame(p, 4002, frame);
		assert_int_equal(feed(&rx, frame, n), GDB_RX_OVERFLOW);
		/* 3999 and 97 more fill it exactly. */
		n = raw_frame(p + 1, 4001, frame);
		assert_int_equal(feed(&rx, frame, n), GDB_RX_PACKET);
		assert_int_equal(rx.len, GDB_PACKET_MAX);
	}
	/* The receiver is ready for the next packet. */
	assert_int_equal(feed_str(&rx, "$g#67"), GDB_RX_PACKET);
}

static void test_frame_limits(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(gdb_frame((const uint8_t *)"OK", 2, out, 6), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(gdb_frame((const uint8_t *)"OK", 2, out, 5), 0);
	assert_int_equal(gdb_frame((const uint8_t *)"#", 1, out, 5), 0);
	assert_int_equal(gdb_frame((const uint8_t *)"#", 1, out, 6), 6);
	assert_int_equal(gdb_frame(NULL, 0, out, 4), 4);
	assert_memory_equal(out, "$#00", 4);
}

static void test_hex_helpers(void **state)
{
	uint8_t b[4];
	char h[8];

	(void)state;
	assert_int_equal(gdb_hex_decode((const uint8_t *)"00fFa9", 6, b), 0);
	assert_memory_equal(b, "\x00\xff\xa9", 3);
	gdb_hex_encode(b, 3, h);
	assert_memory_equal(h, "00ffa9", 6);
	assert_int_equal(gdb_hex_decode((const uint8_t *)"0g", 2, b), -1);
	assert_int_equal(gdb_hex_decode((const uint8_t *)"abc", 3, b), -1);
	assert_true(gdb_hex_valid((const uint8_t *)"", 0));
	assert_false(gdb_hex_valid((const uint8_t *)"a", 1));
	assert_int_equal(gdb_hex_value('G'), -1);
}

/* Decodes s from an exactly-sized heap copy, so ASan catches any read
 * past the end. The copy lives until the next decode, as the command's
 * pointers into it do. */
static enum gdb_error decode(const char *s, struct gdb_command *cmd)
{
	static uint8_t *copy;
	size_t n = strlen(s);

	free(copy);
	copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, s, n);
	return gdb_decode(copy, n, cmd);
}

static void decode_ok(const char *s, enum gdb_cmd_kind kind,
		      struct gdb_command *cmd)
{
	enum gdb_error e = decode(s, cmd);

	if (e != GDB_OK)
		fail_msg("\"%s\": %s", s, gdb_error_name(e));
	assert_int_equal(cmd->kind, kind);
}

static void decode_bad(const char *s, enum gdb_error want)
{
	struct gdb_command cmd;
	enum gdb_error e = decode(s, &cmd);

	if (e != want)
		fail_msg("\"%s\": %s, want %s", s, gdb_error_name(e),
			 gdb_error_name(want));
}

static void test_decode_simple(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("?", GDB_CMD_HALT_REASON, &c);
	decode_ok("g", GDB_CMD_READ_REGS, &c);
	decode_ok("k", GDB_CMD_KILL, &c);
	decode_ok("D", GDB_CMD_DETACH, &c);
	decode_ok("vCont?", GDB_CMD_VCONT_QUERY, &c);
	decode_ok("qAttached", GDB_CMD_ATTACHED, &c);
	decode_ok("qAttached:1", GDB_CMD_ATTACHED, &c);
	decode_ok("qC", GDB_CMD_CURRENT_THREAD, &c);
	decode_ok("qfThreadInfo", GDB_CMD_THREAD_INFO_FIRST, &c);
	decode_ok("qsThreadInfo", GDB_CMD_THREAD_INFO_NEXT, &c);
	decode_bad("?x", GDB_ERR_SYNTAX);
	decode_bad("gg", GDB_ERR_SYNTAX);
	decode_bad("k1", GDB_ERR_SYNTAX);
}

static void test_decode_unsupported(void **state)
{
	static const char *const list[] = {
		"", "X10,1:a", "vMustReplyEmpty", "vContX", "vCont",
		"qCRC:0,1", "qXfer:libraries:read::0,10", "QStartNoAckMode",
		"Z2,1000,4", "z4,1000,1", "Z99999999999999999999,1,1",
		"qSupportedX", "qTStatus", "!", "\xff",
	};
	struct gdb_command c;

	(void)state;
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		decode_ok(list[i], GDB_CMD_UNSUPPORTED, &c);
}

static void test_decode_registers(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("G0011", GDB_CMD_WRITE_REGS, &c);
	assert_int_equal(c.u.regs.hex_len, 4);
	assert_memory_equal(c.u.regs.hex, "0011", 4);
	decode_bad("G", GDB_ERR_SYNTAX);
	decode_bad("G001", GDB_ERR_HEX);
	decode_bad("G00x1", GDB_ERR_HEX);

	decode_ok("p10", GDB_CMD_READ_REG, &c);
	assert_int_equal(c.u.reg.regno, 16);
	decode_ok("pffffffff", GDB_CMD_READ_REG, &c);
	assert_int_equal(c.u.reg.regno, 0xffffffffu);
	decode_bad("p100000000", GDB_ERR_NUMBER);
	decode_bad("p", GDB_ERR_SYNTAX);
	decode_bad("p1x", GDB_ERR_SYNTAX);

	decode_ok("P10=efbeadde00000000", GDB_CMD_WRITE_REG, &c);
	assert_int_equal(c.u.reg.regno, 16);
	assert_int_equal(c.u.reg.hex_len, 16);
	decode_bad("P10", GDB_ERR_SYNTAX);
	decode_bad("P10=", GDB_ERR_SYNTAX);
	decode_bad("P=00", GDB_ERR_SYNTAX);
	decode_bad("P10=0", GDB_ERR_HEX);
	decode_bad("P10=zz", GDB_ERR_HEX);
	decode_bad("P0=000000000000000000000000000000000000", GDB_ERR_LENGTH);
}

static void test_decode_memory(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("mffffffff81000000,40", GDB_CMD_READ_MEM, &c);
	assert_true(c.u.mem.addr == 0xffffffff81000000ull);
	assert_int_equal(c.u.mem.len, 0x40);
	decode_ok("m0,0", GDB_CMD_READ_MEM, &c);
	decode_ok("m0,800", GDB_CMD_READ_MEM, &c);	/* a full reply */
	decode_ok("mffffffffffffffff,1", GDB_CMD_READ_MEM, &c);
	decode_bad("m0,801", GDB_ERR_LENGTH);
	decode_bad("mffffffffffffffff,2", GDB_ERR_LENGTH);
	decode_bad("m10000000000000000,1", GDB_ERR_NUMBER);
	decode_bad("m0,100000000000000000", GDB_ERR_NUMBER);
	decode_bad("m", GDB_ERR_SYNTAX);
	decode_bad("m10", GDB_ERR_SYNTAX);
	decode_bad("m10,", GDB_ERR_SYNTAX);
	decode_bad("m,4", GDB_ERR_SYNTAX);
	decode_bad("m10,4,", GDB_ERR_SYNTAX);
	decode_bad("m10;4", GDB_ERR_SYNTAX);

	decode_ok("M1000,2:beef", GDB_CMD_WRITE_MEM, &c);
	assert_int_equal(c.u.mem.addr, 0x1000);
	assert_int_equal(c.u.mem.len, 2);
	assert_memory_equal(c.u.mem.hex, "beef", 4);
	decode_ok("M1000,0:", GDB_CMD_WRITE_MEM, &c);
	decode_bad("M1000,2:bee", GDB_ERR_HEX);
	decode_bad("M1000,2:be", GDB_ERR_LENGTH);
	decode_bad("M1000,2:beefbeef", GDB_ERR_LENGTH);
	decode_bad("M1000,2:beeg", GDB_ERR_HEX);
	decode_bad("M1000,2", GDB_ERR_SYNTAX);
	decode_bad("M1000,801:", GDB_ERR_LENGTH);
}

static void test_decode_resume(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("c", GDB_CMD_CONTINUE, &c);
	assert_false(c.u.resume.has_addr);
	decode_ok("c100000", GDB_CMD_CONTINUE, &c);
	assert_true(c.u.resume.has_addr);
	assert_int_equal(c.u.resume.addr, 0x100000);
	decode_ok("s", GDB_CMD_STEP, &c);
	assert_false(c.u.resume.has_addr);
	decode_ok("sABCDEF", GDB_CMD_STEP, &c);
	assert_int_equal(c.u.resume.addr, 0xabcdef);
	decode_bad("c10x", GDB_ERR_SYNTAX);
	decode_bad("s,", GDB_ERR_SYNTAX);
	decode_bad("c11111111111111111", GDB_ERR_NUMBER);
}

static void test_decode_vcont(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("vCont;c", GDB_CMD_VCONT, &c);
	assert_int_equal(c.u.vcont.count, 1);
	assert_int_equal(c.u.vcont.action[0].action, 'c');
	assert_int_equal(c.u.vcont.action[0].tid, GDB_TID_ALL);
	/* GDB's step of thread 1 with the others continuing. */
	decode_ok("vCont;s:1;c", GDB_CMD_VCONT, &c);
	assert_int_equal(c.u.vcont.count, 2);
	assert_int_equal(c.u.vcont.action[0].action, 's');
	assert_int_equal(c.u.vcont.action[0].tid, 1);
	assert_int_equal(c.u.vcont.action[1].action, 'c');
	decode_ok("vCont;C05:-1;S0b:2a", GDB_CMD_VCONT, &c);
	assert_int_equal(c.u.vcont.action[0].signal, 5);
	assert_int_equal(c.u.vcont.action[0].tid, GDB_TID_ALL);
	assert_int_equal(c.u.vcont.action[1].action, 'S');
	assert_int_equal(c.u.vcont.action[1].signal, 11);
	assert_int_equal(c.u.vcont.action[1].tid, 0x2a);
	decode_ok("vCont;c:0", GDB_CMD_VCONT, &c);
	assert_int_equal(c.u.vcont.action[0].tid, GDB_TID_ANY);
	decode_ok("vCont;c;c;c;c", GDB_CMD_VCONT, &c);
	decode_bad("vCont;c;c;c;c;c", GDB_ERR_LENGTH);
	decode_bad("vCont;", GDB_ERR_SYNTAX);
	decode_bad("vCont;t", GDB_ERR_SYNTAX);
	decode_bad("vCont;r1,2", GDB_ERR_SYNTAX);
	decode_bad("vCont;c:", GDB_ERR_SYNTAX);
	decode_bad("vCont;c:-2", GDB_ERR_SYNTAX);
	decode_bad("vCont;c:p1.1", GDB_ERR_SYNTAX);
	decode_bad("vCont;C", GDB_ERR_SYNTAX);
	decode_bad("vCont;C100", GDB_ERR_NUMBER);
	decode_bad("vCont;c:8000000000000000", GDB_ERR_NUMBER);
	decode_bad("vCont;cx", GDB_ERR_SYNTAX);
	decode_bad("vCont;c;", GDB_ERR_SYNTAX);
}

static void test_decode_breakpoints(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("Z0,ffffffff81000000,1", GDB_CMD_INSERT_BREAK, &c);
	assert_int_equal(c.u.brk.type, GDB_BREAK_SW);
	assert_true(c.u.brk.addr == 0xffffffff81000000ull);
	assert_int_equal(c.u.brk.kind, 1);
	decode_ok("Z1,1000,1", GDB_CMD_INSERT_BREAK, &c);
	assert_int_equal(c.u.brk.type, GDB_BREAK_HW);
	decode_ok("z0,1000,1", GDB_CMD_REMOVE_BREAK, &c);
	decode_ok("z1,1000,1", GDB_CMD_REMOVE_BREAK, &c);
	decode_bad("Z", GDB_ERR_SYNTAX);
	decode_bad("Z0", GDB_ERR_SYNTAX);
	decode_bad("Z0,", GDB_ERR_SYNTAX);
	decode_bad("Z0,1000", GDB_ERR_SYNTAX);
	decode_bad("Z0,1000,", GDB_ERR_SYNTAX);
	decode_bad("Z0,1000,1;X1,0", GDB_ERR_SYNTAX);
	decode_bad("Z0,1000,100000000", GDB_ERR_NUMBER);
	decode_bad("z1,10000000000000000,1", GDB_ERR_NUMBER);
	decode_bad("zx,1,1", GDB_ERR_SYNTAX);
}

static void test_decode_threads(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("Hg0", GDB_CMD_SET_THREAD, &c);
	assert_int_equal(c.u.thread.op, 'g');
	assert_int_equal(c.u.thread.tid, GDB_TID_ANY);
	decode_ok("Hc-1", GDB_CMD_SET_THREAD, &c);
	assert_int_equal(c.u.thread.op, 'c');
	assert_int_equal(c.u.thread.tid, GDB_TID_ALL);
	decode_ok("Hg1", GDB_CMD_SET_THREAD, &c);
	assert_int_equal(c.u.thread.tid, 1);
	decode_bad("H", GDB_ERR_SYNTAX);
	decode_bad("Hs1", GDB_ERR_SYNTAX);
	decode_bad("Hg", GDB_ERR_SYNTAX);
	decode_bad("Hg1x", GDB_ERR_SYNTAX);
	decode_bad("Hg-", GDB_ERR_SYNTAX);
}

static void test_decode_supported(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("qSupported", GDB_CMD_SUPPORTED, &c);
	assert_int_equal(c.u.supported.features, 0);
	/* What GDB 13 sends. */
	decode_ok("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
		  "fork-events+;vfork-events+;exec-events+;vContSupported+;"
		  "QThreadEvents+;no-resumed+;memory-tagging+;"
		  "xmlRegisters=i386", GDB_CMD_SUPPORTED, &c);
	assert_int_equal(c.u.supported.features,
			 GDB_FEAT_SWBREAK | GDB_FEAT_HWBREAK |
				 GDB_FEAT_MULTIPROCESS | GDB_FEAT_VCONT |
				 GDB_FEAT_XML_I386);
	decode_ok("qSupported:swbreak-;xmlRegisters=arm,i386x;;",
		  GDB_CMD_SUPPORTED, &c);
	assert_int_equal(c.u.supported.features, 0);
	decode_ok("qSupported:xmlRegisters=arm,i386", GDB_CMD_SUPPORTED, &c);
	assert_int_equal(c.u.supported.features, GDB_FEAT_XML_I386);
	decode_ok("qSupported:", GDB_CMD_SUPPORTED, &c);
}

static void test_decode_xfer(void **state)
{
	struct gdb_command c;

	(void)state;
	decode_ok("qXfer:features:read:target.xml:0,ffb", GDB_CMD_XFER_FEATURES,
		  &c);
	assert_int_equal(c.u.xfer.annex_len, 10);
	assert_memory_equal(c.u.xfer.annex, "target.xml", 10);
	assert_int_equal(c.u.xfer.offset, 0);
	assert_int_equal(c.u.xfer.len, 0xffb);
	decode_ok("qXfer:features:read::10,1", GDB_CMD_XFER_FEATURES, &c);
	assert_int_equal(c.u.xfer.annex_len, 0);
	decode_bad("qXfer:features:read:target.xml", GDB_ERR_SYNTAX);
	decode_bad("qXfer:features:read:target.xml:", GDB_ERR_SYNTAX);
	decode_bad("qXfer:features:read:target.xml:0", GDB_ERR_SYNTAX);
	decode_bad("qXfer:features:read:target.xml:0,", GDB_ERR_SYNTAX);
	decode_bad("qXfer:features:read:target.xml:0,1,", GDB_ERR_SYNTAX);
	decode_bad("qXfer:features:read:target.xml:10000000000000000,1",
		   GDB_ERR_NUMBER);
}

static void test_decode_monitor(void **state)
{
	struct gdb_command c;
	char pkt[2 * GDB_MONITOR_MAX + 16];

	(void)state;
	decode_ok("qRcmd,6c6576656c2032", GDB_CMD_MONITOR, &c); /* level 2 */
	assert_string_equal(c.u.monitor.text, "level 2");
	assert_int_equal(c.u.monitor.kind, GDB_MONITOR_LEVEL);
	assert_int_equal(c.u.monitor.level, 2);
	decode_ok("qRcmd,6c6576656c2031", GDB_CMD_MONITOR, &c);
	assert_int_equal(c.u.monitor.level, 1);
	decode_ok("qRcmd,68656c70", GDB_CMD_MONITOR, &c);	/* help */
	assert_int_equal(c.u.monitor.kind, GDB_MONITOR_HELP);
	decode_ok("qRcmd,6c6576656c2033", GDB_CMD_MONITOR, &c); /* level 3 */
	assert_int_equal(c.u.monitor.kind, GDB_MONITOR_UNKNOWN);
	decode_ok("qRcmd,", GDB_CMD_MONITOR, &c);
	assert_int_equal(c.u.monitor.kind, GDB_MONITOR_UNKNOWN);
	decode_bad("qRcmd,6c6", GDB_ERR_HEX);
	decode_bad("qRcmd,zz", GDB_ERR_HEX);
	strcpy(pkt, "qRcmd,");
	for (int i = 0; i < GDB_MONITOR_MAX; i++)
		strcat(pkt, "41");
	decode_bad(pkt, GDB_ERR_LENGTH);
	pkt[strlen(pkt) - 2] = '\0';	/* 127 bytes: fits with the NUL */
	decode_ok(pkt, GDB_CMD_MONITOR, &c);
	assert_int_equal(c.u.monitor.len, GDB_MONITOR_MAX - 1);
}

static void assert_reply(const struct gdb_reply *r, const char *want)
{
	assert_false(r->overflow);
	if (r->len != strlen(want) || memcmp(r->data, want, r->len) != 0)
		fail_msg("reply \"%.*s\", want \"%s\"", (int)r->len, r->data,
			 want);
}

static void test_replies(void **state)
{
	static struct gdb_reply r;
	uint8_t out[64];

	(void)state;
	gdb_reply_reset(&r);
	gdb_reply_ok(&r);
	assert_reply(&r, "OK");
	gdb_reply_reset(&r);
	gdb_reply_error(&r, gdb_error_code(GDB_ERR_LENGTH));
	assert_reply(&r, "E04");
	gdb_reply_reset(&r);
	gdb_reply_stop_signal(&r, GDB_SIGTRAP);
	assert_reply(&r, "S05");
	gdb_reply_reset(&r);
	gdb_reply_stop_thread(&r, GDB_SIGTRAP, 1, GDB_STOP_SWBREAK);
	assert_reply(&r, "T05thread:1;swbreak:;");
	gdb_reply_reset(&r);
	gdb_reply_stop_thread(&r, GDB_SIGINT, 0x2a, GDB_STOP_HWBREAK);
	assert_reply(&r, "T02thread:2a;hwbreak:;");
	gdb_reply_reset(&r);
	gdb_reply_stop_thread(&r, GDB_SIGTRAP, GDB_TID_ALL, GDB_STOP_NONE);
	assert_reply(&r, "T05thread:-1;");
	gdb_reply_reset(&r);
	gdb_reply_supported(&r);
	assert_reply(&r, "PacketSize=1000;qXfer:features:read+;"
			 "vContSupported+;swbreak+;hwbreak+");
	gdb_reply_reset(&r);
	gdb_reply_vcont_actions(&r);
	assert_reply(&r, "vCont;c;C;s;S");
	gdb_reply_reset(&r);
	gdb_reply_hex(&r, (const uint8_t *)"\x00\x7f\xff", 3);
	assert_reply(&r, "007fff");
	gdb_reply_reset(&r);
	gdb_reply_console(&r, "hi\n", 3);
	assert_reply(&r, "O68690a");
	gdb_reply_reset(&r);
	gdb_reply_current_thread(&r, 1);
	assert_reply(&r, "QC1");
	gdb_reply_reset(&r);
	gdb_reply_thread_first(&r, 1);
	assert_reply(&r, "m1");
	gdb_reply_reset(&r);
	gdb_reply_thread_next(&r);
	assert_reply(&r, "l");
	gdb_reply_reset(&r);
	assert_int_equal(gdb_reply_frame(&r, out, sizeof(out)), 4);
	assert_memory_equal(out, "$#00", 4);	/* unsupported: empty */
	gdb_reply_ok(&r);
	assert_int_equal(gdb_reply_frame(&r, out, sizeof(out)), 6);
	assert_memory_equal(out, "$OK#9a", 6);
}

static void test_reply_overflow(void **state)
{
	static struct gdb_reply r;
	static uint8_t mem[GDB_PACKET_MAX / 2 + 1];
	uint8_t out[16];

	(void)state;
	gdb_reply_reset(&r);
	gdb_reply_hex(&r, mem, GDB_PACKET_MAX / 2);	/* exactly full */
	assert_false(r.overflow);
	assert_int_equal(r.len, GDB_PACKET_MAX);
	gdb_reply_reset(&r);
	gdb_reply_hex(&r, mem, sizeof(mem));
	assert_true(r.overflow);
	assert_int_equal(r.len, GDB_PACKET_MAX);
	/* An overflowed reply is sent as an error, never cut short. */
	assert_int_equal(gdb_reply_frame(&r, out, sizeof(out)), 7);
	assert_memory_equal(out, "$E0e#da", 7);
	gdb_reply_ok(&r);
	assert_int_equal(r.len, GDB_PACKET_MAX);
	/* An xfer into a full buffer sends nothing past it. */
	gdb_reply_xfer(&r, "abc", 3, 0, 3);
	assert_int_equal(r.len, GDB_PACKET_MAX);
}

static void fill_regs(struct gdb_x86_regs *regs)
{
	uint8_t *p = (uint8_t *)regs;

	for (size_t i = 0; i < sizeof(*regs); i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static void test_regs_round_trip(void **state)
{
	static struct gdb_reply r;
	struct gdb_x86_regs a, b;

	(void)state;
	fill_regs(&a);
	a.gpr[GDB_X86_RAX] = 0x1122334455667788ull;
	a.rip = 0xffffffff81000000ull;
	a.eflags = 0x246;
	a.seg[0] = 0x10;
	a.gs_base = 0xdeadbeefcafef00dull;
	gdb_reply_reset(&r);
	gdb_x86_regs_encode(&a, &r);
	assert_int_equal(r.len, 2 * GDB_X86_REGS_BYTES);
	/* Little-endian: rax first, rip at byte 128, eflags at 136. */
	assert_memory_equal(r.data, "8877665544332211", 16);
	assert_memory_equal(r.data + 256, "00000081ffffffff", 16);
	assert_memory_equal(r.data + 272, "46020000", 8);
	assert_memory_equal(r.data + 280, "10000000", 8);
	assert_memory_equal(r.data + 2 * 284, "0df0fecaefbeadde", 16);
	memset(&b, 0, sizeof(b));
	fill_regs(&b);
	assert_int_equal(gdb_x86_regs_decode(r.data, r.len, &b), GDB_OK);
	for (unsigned i = 0; i < GDB_X86_NUM_REGS; i++) {
		const struct gdb_x86_reg_info *info = gdb_x86_reg_info(i);

		assert_memory_equal((uint8_t *)&a + info->offset,
				    (uint8_t *)&b + info->offset, info->bytes);
	}
	/* p and P, one register at a time. */
	gdb_reply_reset(&r);
	assert_int_equal(gdb_x86_reg_read(&a, GDB_X86_RIP, &r), GDB_OK);
	assert_reply(&r, "00000081ffffffff");
	assert_int_equal(gdb_x86_reg_write(&b, GDB_X86_RSP,
					   (const uint8_t *)"f0ff000000000000",
					   16), GDB_OK);
	assert_true(b.gpr[GDB_X86_RSP] == 0xfff0);
	assert_int_equal(gdb_x86_reg_write(&b, GDB_X86_ST0,
					   (const uint8_t *)"0000000000000080ff3f",
					   20), GDB_OK);
	assert_memory_equal(b.st[0], "\0\0\0\0\0\0\0\x80\xff\x3f", 10);
	gdb_reply_reset(&r);
	assert_int_equal(gdb_x86_reg_read(&b, GDB_X86_ST0, &r), GDB_OK);
	assert_reply(&r, "0000000000000080ff3f");
	assert_int_equal(gdb_x86_reg_read(&a, GDB_X86_NUM_REGS, &r),
			 GDB_ERR_NUMBER);
	assert_null(gdb_x86_reg_info(GDB_X86_NUM_REGS));
}

static void test_regs_malformed(void **state)
{
	static uint8_t hex[2 * GDB_X86_REGS_BYTES + 2];
	struct gdb_x86_regs a, before;

	(void)state;
	fill_regs(&a);
	before = a;
	memset(hex, '0', sizeof(hex));
	assert_int_equal(gdb_x86_regs_decode(hex, sizeof(hex) - 2, &a),
			 GDB_OK);
	fill_regs(&a);
	assert_int_equal(gdb_x86_regs_decode(hex, sizeof(hex) - 4, &a),
			 GDB_ERR_LENGTH);
	assert_int_equal(gdb_x86_regs_decode(hex, sizeof(hex), &a),
			 GDB_ERR_LENGTH);
	hex[100] = 'x';
	assert_int_equal(gdb_x86_regs_decode(hex, sizeof(hex) - 2, &a),
			 GDB_ERR_HEX);
	assert_memory_equal(&a, &before, sizeof(a));	/* untouched */
	assert_int_equal(gdb_x86_reg_write(&a, GDB_X86_RAX,
					   (const uint8_t *)"00", 2),
			 GDB_ERR_LENGTH);
	assert_int_equal(gdb_x86_reg_write(&a, GDB_X86_EFLAGS,
					   (const uint8_t *)"0000000g", 8),
			 GDB_ERR_HEX);
	assert_int_equal(gdb_x86_reg_write(&a, 42, (const uint8_t *)"00", 2),
			 GDB_ERR_NUMBER);
	assert_memory_equal(&a, &before, sizeof(a));
}

/* The XML's <reg> elements, in order, against the register table: the
 * 'g' layout GDB derives from the XML is the one the encoder writes. */
static void test_target_xml_matches_table(void **state)
{
	size_t len;
	const char *xml = gdb_x86_target_xml(&len), *p = xml;
	unsigned n = 0, total = 0;
	char name[16];
	unsigned bits;

	(void)state;
	assert_int_equal(strlen(xml), len);
	assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
	while ((p = strstr(p, "<reg name=\"")) != NULL) {
		const struct gdb_x86_reg_info *info = gdb_x86_reg_info(n);

		assert_int_equal(sscanf(p, "<reg name=\"%15[^\"]\" bitsize=\"%u\"",
					name, &bits), 2);
		assert_non_null(info);
		assert_string_equal(name, info->name);
		assert_int_equal(bits, 8u * info->bytes);
		total += info->bytes;
		n++;
		p++;
	}
	assert_int_equal(n, GDB_X86_NUM_REGS);
	assert_int_equal(total, GDB_X86_REGS_BYTES);
	/* Nothing the frame encoder must escape, nothing non-ASCII. */
	for (size_t i = 0; i < len; i++)
		assert_true(xml[i] != '$' && xml[i] != '#' && xml[i] != '*' &&
			    xml[i] != '}' && (unsigned char)xml[i] < 0x7f);
}

static void xfer(const char *pkt, struct gdb_reply *r)
{
	struct gdb_command c;

	decode_ok(pkt, GDB_CMD_XFER_FEATURES, &c);
	gdb_reply_reset(r);
	gdb_x86_reply_features(&c, r);
}

static void test_target_xml_chunks(void **state)
{
	static struct gdb_reply r;
	static char whole[8192];
	size_t len, got = 0;
	const char *xml = gdb_x86_target_xml(&len);
	char pkt[80];

	(void)state;
	/* GDB reads with the length PacketSize allows; 0x100 at a time here. */
	for (;;) {
		snprintf(pkt, sizeof(pkt),
			 "qXfer:features:read:target.xml:%zx,100", got);
		xfer(pkt, &r);
		assert_true(r.len >= 1 && r.len <= 0x101);
		assert_true(r.data[0] == 'm' || r.data[0] == 'l');
		memcpy(whole + got, r.data + 1, r.len - 1);
		got += r.len - 1;
		if (r.data[0] == 'l')
			break;
		assert_int_equal(r.len, 0x101);
	}
	assert_int_equal(got, len);
	assert_memory_equal(whole, xml, len);
	/* All of it at once; the end exactly; past the end; another annex. */
	xfer("qXfer:features:read:target.xml:0,ffb", &r);
	assert_int_equal(r.data[0], 'l');
	assert_int_equal(r.len, len + 1);
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,10",
		 len);
	xfer(pkt, &r);
	assert_reply(&r, "l");
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,10",
		 len + 1);
	xfer(pkt, &r);
	assert_reply(&r, "E04");
	xfer("qXfer:features:read:target.xml:ffffffffffffffff,ffffffffffffffff",
	     &r);
	assert_reply(&r, "E04");
	xfer("qXfer:features:read:i386-64bit.xml:0,10", &r);
	assert_reply(&r, "E00");
	/* A length above a packet is cut to what a reply holds. */
	{
		static char doc[2 * GDB_PACKET_MAX];

		memset(doc, 'x', sizeof(doc));
		gdb_reply_reset(&r);
		gdb_reply_xfer(&r, doc, sizeof(doc), 0, UINT64_MAX);
		assert_int_equal(r.len, GDB_PACKET_MAX);
		assert_int_equal(r.data[0], 'm');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_rx_packet_and_checksum),
		T(test_rx_acks_interrupt_noise),
		T(test_rx_escapes),
		T(test_rx_run_length),
		T(test_rx_overflow),
		T(test_frame_limits),
		T(test_hex_helpers),
		T(test_decode_simple),
		T(test_decode_unsupported),
		T(test_decode_registers),
		T(test_decode_memory),
		T(test_decode_resume),
		T(test_decode_vcont),
		T(test_decode_breakpoints),
		T(test_decode_threads),
		T(test_decode_supported),
		T(test_decode_xfer),
		T(test_decode_monitor),
		T(test_replies),
		T(test_reply_overflow),
		T(test_regs_round_trip),
		T(test_regs_malformed),
		T(test_target_xml_matches_table),
		T(test_target_xml_chunks),
#undef T
	};

	return cmocka_run_group_tests_name("gdb_packet", tests, NULL, NULL);
}
