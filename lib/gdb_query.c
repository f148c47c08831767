/* GDB remote protocol: decoding of the q packets the stub answers (see
 * lib/gdb_command.h), GDB manual "General Query Packets". */
#include "lib/gdb_cursor.h"

/* qSupported:feature;feature...: "General Query Packets". Features are
 * "name+", "name-", "name?" or "name=value"; unknown ones are ignored. */
static uint32_t supported_feature(const uint8_t *f, size_t n)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} plus[] = {
		{ "swbreak+", GDB_FEAT_SWBREAK },
		{ "hwbreak+", GDB_FEAT_HWBREAK },
		{ "multiprocess+", GDB_FEAT_MULTIPROCESS },
		{ "vContSupported+", GDB_FEAT_VCONT },
	};
	static const char xml[] = "xmlRegisters=";

	for (size_t i = 0; i < sizeof(plus) / sizeof(plus[0]); i++)
		if (n == strlen(plus[i].name) && memcmp(f, plus[i].name, n) == 0)
			return plus[i].bit;
	if (n < sizeof(xml) - 1 || memcmp(f, xml, sizeof(xml) - 1) != 0)
		return 0;
	/* xmlRegisters=arch,arch,...: GDB understands i386 register XML. */
	for (size_t i = sizeof(xml) - 1; i + 4 <= n; i++)
		if (memcmp(f + i, "i386", 4) == 0 &&
		    (i + 4 == n || f[i + 4] == ','))
			return GDB_FEAT_XML_I386;
	return 0;
}

static enum gdb_error decode_supported(struct gdb_cursor *c,
				       struct gdb_command *cmd)
{
	cmd->u.supported.features = 0;
	if (c->left == 0)
		return GDB_OK;
	if (!eat(c, ':'))
		return GDB_ERR_SYNTAX;
	while (c->left) {
		size_t n = 0;

		while (n < c->left && c->p[n] != ';')
			n++;
		cmd->u.supported.features |= supported_feature(c->p, n);
		c->p += n;
		c->left -= n;
		eat(c, ';');
	}
	return GDB_OK;
}

/* qXfer:features:read:annex:offset,length ("General Query Packets"). The
 * length is what GDB accepts; the reply may be shorter. */
static enum gdb_error decode_xfer(struct gdb_cursor *c, struct gdb_command *cmd)
{
	size_t n = 0;
	enum gdb_error e;

	while (n < c->left && c->p[n] != ':')
		n++;
	if (n == c->left)
		return GDB_ERR_SYNTAX;
	cmd->u.xfer.annex = c->p;
	cmd->u.xfer.annex_len = n;
	c->p += n + 1;
	c->left -= n + 1;
	e = hex_number(c, UINT64_MAX, &cmd->u.xfer.offset);
	if (e != GDB_OK)
		return e;
	if (!eat(c, ','))
		return GDB_ERR_SYNTAX;
	e = hex_number(c, UINT64_MAX, &cmd->u.xfer.len);
	return e != GDB_OK ? e : at_end(c);
}

/* The words of a monitor command: "help", "level 1", "level 2". */
static void classify_monitor(struct gdb_command *cmd)
{
	const char *t = cmd->u.monitor.text;
	size_t n = cmd->u.monitor.len;

	cmd->u.monitor.kind = GDB_MONITOR_UNKNOWN;
	cmd->u.monitor.level = 0;
	while (n && t[n - 1] == ' ')
		n--;
	if (n == 4 && memcmp(t, "help", 4) == 0)
		cmd->u.monitor.kind = GDB_MONITOR_HELP;
	if (n == 7 && memcmp(t, "level ", 6) == 0 &&
	    (t[6] == '1' || t[6] == '2')) {
		cmd->u.monitor.kind = GDB_MONITOR_LEVEL;
		cmd->u.monitor.level = (unsigned)(t[6] - '0');
	}
}

/* qRcmd,command-in-hex: "General Query Packets". */
static enum gdb_error decode_monitor(struct gdb_cursor *c, struct gdb_command *cmd)
{
	if (!gdb_hex_valid(c->p, c->left))
		return GDB_ERR_HEX;
	if (c->left / 2 >= GDB_MONITOR_MAX)
		return GDB_ERR_LENGTH;
	gdb_hex_decode(c->p, c->left, (uint8_t *)cmd->u.monitor.text);
	cmd->u.monitor.len = c->left / 2;
	cmd->u.monitor.text[cmd->u.monitor.len] = '\0';
	c->p += c->left;
	c->left = 0;
	classify_monitor(cmd);
	return GDB_OK;
}

enum gdb_error gdb_decode_query(struct gdb_cursor *c, struct gdb_command *cmd)
{
	if (eat_str(c, "Supported")) {
		if (c->left == 0 || c->p[0] == ':') {
			cmd->kind = GDB_CMD_SUPPORTED;
			return decode_supported(c, cmd);
		}
	} else if (eat_str(c, "Xfer:features:read:")) {
		cmd->kind = GDB_CMD_XFER_FEATURES;
		return decode_xfer(c, cmd);
	} else if (is_rest(c, "Attached") || eat_str(c, "Attached:")) {
		cmd->kind = GDB_CMD_ATTACHED;	/* the pid, if any, is ignored */
		c->left = 0;
	} else if (is_rest(c, "C")) {
		cmd->kind = GDB_CMD_CURRENT_THREAD;
	} else if (is_rest(c, "fThreadInfo")) {
		cmd->kind = GDB_CMD_THREAD_INFO_FIRST;
	} else if (is_rest(c, "sThreadInfo")) {
		cmd->kind = GDB_CMD_THREAD_INFO_NEXT;
	} else if (eat_str(c, "Rcmd,")) {
		cmd->kind = GDB_CMD_MONITOR;
		return decode_monitor(c, cmd);
	}
	return GDB_OK;	/* anything else stays unsupported */
}

