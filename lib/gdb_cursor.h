/* The decoder's reading position in a packet, and the field readers the
 * command and query decoders share (pure; private to lib/gdb_command.c
 * and lib/gdb_query.c). */
#ifndef NESTOR_LIB_GDB_CURSOR_H
#define NESTOR_LIB_GDB_CURSOR_H

#include "lib/gdb_command.h"
#include "lib/gdb_packet.h"
#include "lib/string.h"

/* The unread rest of the packet. */
struct gdb_cursor {
	const uint8_t *p;
	size_t left;
};

static inline bool eat(struct gdb_cursor *c, char ch)
{
	if (c->left == 0 || c->p[0] != (uint8_t)ch)
		return false;
	c->p++;
	c->left--;
	return true;
}

/* Consumes s if the rest starts with it. */
static inline bool eat_str(struct gdb_cursor *c, const char *s)
{
	size_t n = strlen(s);

	if (c->left < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

/* True when the rest is exactly s (then consumed). */
static inline bool is_rest(struct gdb_cursor *c, const char *s)
{
	return c->left == strlen(s) && eat_str(c, s);
}

static inline enum gdb_error at_end(const struct gdb_cursor *c)
{
	return c->left == 0 ? GDB_OK : GDB_ERR_SYNTAX;
}

/* One or more hex digits up to the next non-hex byte, at most max. */
static inline enum gdb_error hex_number(struct gdb_cursor *c, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	size_t digits = 0;
	int d;

	while (c->left && (d = gdb_hex_value(c->p[0])) >= 0) {
		if (n > (max - (uint64_t)d) / 16 || (uint64_t)d > max)
			return GDB_ERR_NUMBER;
		n = n * 16 + (uint64_t)d;
		c->p++;
		c->left--;
		digits++;
	}
	if (digits == 0)
		return GDB_ERR_SYNTAX;
	*out = n;
	return GDB_OK;
}

/* "Packets", thread-id syntax: "-1" (all), or a hex id (0: any). */
static inline enum gdb_error thread_id(struct gdb_cursor *c, int64_t *tid)
{
	uint64_t v;
	enum gdb_error e;

	if (eat(c, '-')) {
		if (!eat(c, '1'))
			return GDB_ERR_SYNTAX;
		*tid = GDB_TID_ALL;
		return GDB_OK;
	}
	e = hex_number(c, INT64_MAX, &v);
	if (e == GDB_OK)
		*tid = (int64_t)v;
	return e;
}

/* "General Query Packets": the q packets the stub answers, after the
 * 'q'; anything else leaves cmd->kind unsupported (lib/gdb_query.c). */
enum gdb_error gdb_decode_query(struct gdb_cursor *c, struct gdb_command *cmd);

#endif
