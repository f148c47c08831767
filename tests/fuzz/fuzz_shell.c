/* Fuzz target: arbitrary bytes typed into the debug shell. The bytes go
 * through the line editor one at a time; every line it returns goes to the
 * parser, and the raw input is parsed as one line too (the parser must take
 * any bytes, not only the editor's). Invariants: the line never exceeds
 * LINE_EDIT_MAX and is NUL-terminated, the echo fits its buffer; every
 * parse is either a command of a known kind with its fields in range, or a
 * refusal with a non-empty, printable, NUL-terminated message and a zeroed
 * command. The formatters run on the input too (ASan checks the buffers). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/line_edit.h"
#include "vmx/shell_format.h"
#include "vmx/shell_parse.h"
#include "vmx/vmcs_layout.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void check_cmd(const struct shell_cmd *c)
{
	check(c->kind < SHELL_KIND_COUNT);
	check(c->nfields <= SHELL_VMCS_MAX_FIELDS);
	for (unsigned i = 0; i < c->nfields; i++)
		check(c->field_rows[i] < vmcs_field_count);
	check(c->vmcs <= SHELL_VMCS_SHADOW);
	check(c->level <= LOG_DEBUG);
	check(c->topic < SHELL_KIND_COUNT);
	switch (c->kind) {
	case SHELL_MEM:
		check(c->len >= 1 && c->len <= SHELL_MEM_MAX_LEN);
		check(c->addr.virt || c->addr.addr + c->len - 1 <= SHELL_GPA_MAX);
		check(!c->addr.virt || c->addr.addr + (c->len - 1) >= c->addr.addr);
		break;
	case SHELL_EPT:
		check(!c->addr.virt && c->addr.addr <= SHELL_GPA_MAX);
		break;
	case SHELL_WALK:
		check(c->addr.virt);
		break;
	case SHELL_TRACE:
		check(c->n >= 1 && c->n <= SHELL_TRACE_MAX);
		break;
	case SHELL_DELETE:
		check(c->n <= SHELL_BREAK_MAX);
		break;
	default:
		break;
	}
	if (c->kind == SHELL_BREAK || c->kind == SHELL_MEM)
		check(c->addr.virt || c->addr.addr <= SHELL_GPA_MAX);
}

static void parse_one(const char *line, size_t len)
{
	struct shell_cmd cmd;
	char err[SHELL_ERR_LEN];
	size_t n;

	memset(err, 0x55, sizeof(err));
	if (shell_parse(line, len, &cmd, err, sizeof(err)) == 0) {
		check(err[0] == '\0');
		check_cmd(&cmd);
		if (cmd.kind == SHELL_HELP) {
			char help[2048];
			int m = shell_help(cmd.topic, help, sizeof(help));

			check(m > 0 && (size_t)m < sizeof(help));
		}
		return;
	}
	n = strnlen(err, sizeof(err));
	check(n > 0 && n < sizeof(err));
	for (size_t i = 0; i < n; i++)
		check(err[i] >= 0x20 && err[i] <= 0x7e);
	check(cmd.kind == SHELL_NONE && cmd.nfields == 0);
}

static void format_all(const uint8_t *data, size_t size)
{
	char buf[SHELL_HEXDUMP_LINE_LEN * 4 + 1], small[7];
	uint64_t entry = 0;
	struct shell_regs r;
	size_t n = size < 64 ? size : 64;

	memcpy(&entry, data, size < 8 ? size : 8);
	check(shell_hexdump(buf, sizeof(buf), entry, data, n) ==
	      (int)(((n + 15) / 16) * SHELL_HEXDUMP_LINE_LEN));
	check(shell_hexdump(small, sizeof(small), entry, data, n) >= 0);
	for (unsigned level = 0; level <= 6; level++) {
		check(shell_format_pte(buf, sizeof(buf), level, entry) > 0);
		check(shell_format_ept_entry(small, sizeof(small), level, entry) > 0);
	}
	memset(&r, 0, sizeof(r));
	memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
	check(shell_format_regs(small, sizeof(small), &r) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line_edit le;

	line_edit_init(&le);
	for (size_t i = 0; i < size; i++) {
		enum line_edit_result r = line_edit_feed(&le, data[i]);
		size_t len;
		const char *line;

		check(le.len <= LINE_EDIT_MAX);
		check(le.echo_len <= LINE_EDIT_ECHO_MAX);
		if (r != LINE_EDIT_DONE)
			continue;
		line = line_edit_line(&le, &len);
		check(len <= LINE_EDIT_MAX && line[len] == '\0');
		check(strlen(line) == len);
		parse_one(line, len);
	}
	parse_one((const char *)data, size);
	format_all(data, size);
	return 0;
}
