/* GDB remote protocol command decoding (see lib/gdb_command.h). Section
 * names are those of the GDB manual, Appendix E "GDB Remote Serial
 * Protocol". */
#include "lib/gdb_command.h"
#include "lib/gdb_cursor.h"
#include "lib/gdb_packet.h"
#include "lib/string.h"

unsigned gdb_error_code(enum gdb_error e)
{
	return (unsigned)e;
}

const char *gdb_error_name(enum gdb_error e)
{
	switch (e) {
	case GDB_OK:
		return "ok";
	case GDB_ERR_SYNTAX:
		return "syntax";
	case GDB_ERR_HEX:
		return "bad hex";
	case GDB_ERR_NUMBER:
		return "number out of range";
	case GDB_ERR_LENGTH:
		return "bad length";
	}
	return "unknown";
}

/* The hex rest of the packet: valid and non-empty. */
static enum gdb_error hex_rest(struct gdb_cursor *c, const uint8_t **hex,
			       size_t *len)
{
	if (c->left == 0)
		return GDB_ERR_SYNTAX;
	if (!gdb_hex_valid(c->p, c->left))
		return GDB_ERR_HEX;
	*hex = c->p;
	*len = c->left;
	c->p += c->left;
	c->left = 0;
	return GDB_OK;
}

/* "addr,length" of m and M: a reply holds 2 * length hex digits, so
 * length is at most half a packet, and the range must not wrap. */
static enum gdb_error mem_range(struct gdb_cursor *c, struct gdb_command *cmd)
{
	enum gdb_error e = hex_number(c, UINT64_MAX, &cmd->u.mem.addr);

	if (e != GDB_OK)
		return e;
	if (!eat(c, ','))
		return GDB_ERR_SYNTAX;
	e = hex_number(c, UINT64_MAX, &cmd->u.mem.len);
	if (e != GDB_OK)
		return e;
	if (cmd->u.mem.len > GDB_PACKET_MAX / 2 ||
	    (cmd->u.mem.len && cmd->u.mem.addr + (cmd->u.mem.len - 1) <
				       cmd->u.mem.addr))
		return GDB_ERR_LENGTH;
	return GDB_OK;
}

static enum gdb_error decode_write_mem(struct gdb_cursor *c,
				       struct gdb_command *cmd)
{
	enum gdb_error e = mem_range(c, cmd);
	size_t n;

	if (e != GDB_OK)
		return e;
	if (!eat(c, ':'))
		return GDB_ERR_SYNTAX;
	if (!gdb_hex_valid(c->p, c->left))
		return GDB_ERR_HEX;
	if (c->left != 2 * cmd->u.mem.len)
		return GDB_ERR_LENGTH;
	cmd->u.mem.hex = c->p;
	n = c->left;
	c->p += n;
	c->left = 0;
	return GDB_OK;
}

/* p n, P n=r */
static enum gdb_error decode_reg(struct gdb_cursor *c, struct gdb_command *cmd,
				 bool write)
{
	uint64_t n;
	enum gdb_error e = hex_number(c, UINT32_MAX, &n);

	if (e != GDB_OK)
		return e;
	cmd->u.reg.regno = (uint32_t)n;
	if (!write)
		return at_end(c);
	if (!eat(c, '='))
		return GDB_ERR_SYNTAX;
	e = hex_rest(c, &cmd->u.reg.hex, &cmd->u.reg.hex_len);
	if (e == GDB_OK && cmd->u.reg.hex_len > 2 * GDB_REG_MAX_BYTES)
		return GDB_ERR_LENGTH;
	return e;
}

/* c [addr], s [addr] */
static enum gdb_error decode_resume(struct gdb_cursor *c, struct gdb_command *cmd)
{
	cmd->u.resume.has_addr = c->left != 0;
	cmd->u.resume.addr = 0;
	if (!cmd->u.resume.has_addr)
		return GDB_OK;
	enum gdb_error e = hex_number(c, UINT64_MAX, &cmd->u.resume.addr);

	return e != GDB_OK ? e : at_end(c);
}

/* vCont;action[:thread-id][;action[:thread-id]]... with c, s, C sig, S sig
 * (the actions the vCont? reply offers). */
static enum gdb_error decode_vcont(struct gdb_cursor *c, struct gdb_command *cmd)
{
	cmd->u.vcont.count = 0;
	while (eat(c, ';')) {
		struct gdb_vcont_action *a;
		uint64_t sig = 0;
		enum gdb_error e;

		if (cmd->u.vcont.count == GDB_VCONT_MAX)
			return GDB_ERR_LENGTH;
		a = &cmd->u.vcont.action[cmd->u.vcont.count++];
		if (c->left == 0)
			return GDB_ERR_SYNTAX;
		a->action = (char)c->p[0];
		if (!eat(c, 'c') && !eat(c, 's') && !eat(c, 'C') && !eat(c, 'S'))
			return GDB_ERR_SYNTAX;
		if (a->action == 'C' || a->action == 'S') {
			e = hex_number(c, 0xff, &sig);
			if (e != GDB_OK)
				return e;
		}
		a->signal = (uint8_t)sig;
		a->tid = GDB_TID_ALL;
		if (eat(c, ':')) {
			e = thread_id(c, &a->tid);
			if (e != GDB_OK)
				return e;
		}
	}
	if (cmd->u.vcont.count == 0)
		return GDB_ERR_SYNTAX;
	return at_end(c);
}

/* Z0/Z1/z0/z1,addr,kind: "Packets", breakpoints. Watchpoints (Z2-Z4) and
 * other types are unsupported, which GDB reads as "use another way". */
static enum gdb_error decode_break(struct gdb_cursor *c, struct gdb_command *cmd)
{
	uint64_t type, kind;
	enum gdb_error e = hex_number(c, UINT64_MAX, &type);

	if (e == GDB_ERR_NUMBER || (e == GDB_OK && type > GDB_BREAK_HW)) {
		cmd->kind = GDB_CMD_UNSUPPORTED;
		return GDB_OK;
	}
	if (e != GDB_OK)
		return e;
	cmd->u.brk.type = (enum gdb_break_type)type;
	if (!eat(c, ','))
		return GDB_ERR_SYNTAX;
	e = hex_number(c, UINT64_MAX, &cmd->u.brk.addr);
	if (e != GDB_OK)
		return e;
	if (!eat(c, ','))
		return GDB_ERR_SYNTAX;
	e = hex_number(c, UINT32_MAX, &kind);
	if (e != GDB_OK)
		return e;
	cmd->u.brk.kind = (uint32_t)kind;
	return at_end(c);
}

/* H op thread-id, op g (registers) or c (resumption). */
static enum gdb_error decode_set_thread(struct gdb_cursor *c,
					struct gdb_command *cmd)
{
	if (c->left == 0 || (c->p[0] != 'g' && c->p[0] != 'c'))
		return GDB_ERR_SYNTAX;
	cmd->u.thread.op = (char)c->p[0];
	c->p++;
	c->left--;
	enum gdb_error e = thread_id(c, &cmd->u.thread.tid);

	return e != GDB_OK ? e : at_end(c);
}

/* A command letter alone ("?", "g", "k", "D"). */
static enum gdb_error bare(struct gdb_cursor *c, struct gdb_command *cmd,
			   enum gdb_cmd_kind kind)
{
	cmd->kind = kind;
	return at_end(c);
}

enum gdb_error gdb_decode(const uint8_t *data, size_t len,
			  struct gdb_command *cmd)
{
	struct gdb_cursor c = { data + 1, len ? len - 1 : 0 };

	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = GDB_CMD_UNSUPPORTED;
	if (len == 0)
		return GDB_OK;
	switch (data[0]) {
	case '?':
		return bare(&c, cmd, GDB_CMD_HALT_REASON);
	case 'g':
		return bare(&c, cmd, GDB_CMD_READ_REGS);
	case 'k':
		return bare(&c, cmd, GDB_CMD_KILL);
	case 'D':
		return bare(&c, cmd, GDB_CMD_DETACH);
	case 'G':
		cmd->kind = GDB_CMD_WRITE_REGS;
		return hex_rest(&c, &cmd->u.regs.hex, &cmd->u.regs.hex_len);
	case 'p':
		cmd->kind = GDB_CMD_READ_REG;
		return decode_reg(&c, cmd, false);
	case 'P':
		cmd->kind = GDB_CMD_WRITE_REG;
		return decode_reg(&c, cmd, true);
	case 'm':
		cmd->kind = GDB_CMD_READ_MEM;
		{
			enum gdb_error e = mem_range(&c, cmd);

			return e != GDB_OK ? e : at_end(&c);
		}
	case 'M':
		cmd->kind = GDB_CMD_WRITE_MEM;
		return decode_write_mem(&c, cmd);
	case 'c':
		cmd->kind = GDB_CMD_CONTINUE;
		return decode_resume(&c, cmd);
	case 's':
		cmd->kind = GDB_CMD_STEP;
		return decode_resume(&c, cmd);
	case 'v':
		if (is_rest(&c, "Cont?")) {
			cmd->kind = GDB_CMD_VCONT_QUERY;
		} else if (eat_str(&c, "Cont") && c.left && c.p[0] == ';') {
			cmd->kind = GDB_CMD_VCONT;
			return decode_vcont(&c, cmd);
		}
		return GDB_OK;
	case 'Z':
	case 'z':
		cmd->kind = data[0] == 'Z' ? GDB_CMD_INSERT_BREAK
					   : GDB_CMD_REMOVE_BREAK;
		return decode_break(&c, cmd);
	case 'H':
		cmd->kind = GDB_CMD_SET_THREAD;
		return decode_set_thread(&c, cmd);
	case 'q':
		return gdb_decode_query(&c, cmd);
	default:
		return GDB_OK;
	}
}
