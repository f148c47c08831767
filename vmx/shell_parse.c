/* The debug shell's command parser (see vmx/shell_parse.h). */
#include <stdarg.h>

#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "vmx/shell_parse.h"
#include "vmx/vmcs_layout.h"

/* Words after the command: the most any command takes (vmcs: which and
 * SHELL_VMCS_MAX_FIELDS fields), plus one to quote the first extra word. */
#define MAX_ARGS (SHELL_VMCS_MAX_FIELDS + 1)
/* How much of a word an error quotes. */
#define QUOTE_MAX 24

struct word {
	const char *s;
	size_t len;
};

struct ctx;
typedef int (*parse_fn)(const struct ctx *c, struct shell_cmd *cmd);

struct cmd_def {
	const char *name;
	enum shell_cmd_kind kind;
	unsigned min_args, max_args;
	parse_fn parse; /* NULL: the command takes no arguments */
	const char *usage;
	const char *help;
};

struct ctx {
	const struct cmd_def *def;
	struct word arg[MAX_ARGS + 1];
	unsigned nargs; /* all the words after the command, stored or not */
	char *err;
	size_t errlen;
};

/* A word as an error shows it: at most QUOTE_MAX bytes, anything not
 * printable as '?', so a message stays one printable line. */
struct quoted {
	char s[QUOTE_MAX + 4];
};

static struct quoted quote(const struct word *w)
{
	struct quoted q;
	size_t n = w->len < QUOTE_MAX ? w->len : QUOTE_MAX;

	for (size_t i = 0; i < n; i++)
		q.s[i] = w->s[i] >= 0x20 && w->s[i] <= 0x7e ? w->s[i] : '?';
	q.s[n] = '\0';
	if (n < w->len)
		memcpy(&q.s[n], "...", 4);
	return q;
}

/* "NAME: WHY" (NAME the command's) into the error buffer; returns -1. */
static int PRINTF_LIKE(2, 3) fail(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || c->errlen == 0)
		return -1;
	n = fmt_snprintf(c->err, c->errlen, "%s: ", c->def->name);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A number in [min, max]; what names it in errors ("length"). */
static int number(const struct ctx *c, const struct word *w, const char *what,
		  uint64_t min, uint64_t max, uint64_t *out)
{
	char lim[24];
	uint64_t n, bound;

	if (parse_uint(w->s, w->len, UINT64_MAX, &n) != 0)
		return fail(c, "%s '%s' is not a number (decimal or 0x hex, below 2^64)",
			    what, quote(w).s);
	if (n < min || n > max) {
		bound = n < min ? min : max;
		if (bound > 0xffff)
			fmt_snprintf(lim, sizeof(lim), "0x%llx", (unsigned long long)bound);
		else
			fmt_snprintf(lim, sizeof(lim), "%llu", (unsigned long long)bound);
		return fail(c, "%s %s is %s %s", what, quote(w).s,
			    n < min ? "below" : "above", lim);
	}
	*out = n;
	return 0;
}

static bool canonical57(uint64_t va)
{
	uint64_t top = va >> 56; /* bits 63:56 */

	return top == 0 || top == 0xff;
}

/* A guest address; prefix 'p' or 'v' already taken off (or implied). */
static int address(const struct ctx *c, const struct word *w, bool virt,
		   struct shell_addr *out)
{
	uint64_t n;

	if (number(c, w, "address", 0, virt ? UINT64_MAX : SHELL_GPA_MAX, &n))
		return -1;
	if (virt && !canonical57(n))
		return fail(c, "address %s is not canonical (bits 63:56 must be all 0 or all 1)",
			    quote(w).s);
	out->virt = virt;
	out->addr = n;
	return 0;
}

/* p:NUMBER or v:NUMBER, the form of mem and break. */
static int prefixed_address(const struct ctx *c, const struct word *w,
			    struct shell_addr *out)
{
	struct word rest = { w->s + 2, w->len - 2 };

	if (w->len < 2 || w->s[1] != ':' || (w->s[0] != 'p' && w->s[0] != 'v'))
		return fail(c, "address '%s' needs p: (guest-physical) or v: (guest-virtual) before it",
			    quote(w).s);
	return address(c, &rest, w->s[0] == 'v', out);
}

/* ept GPA / walk GVA: the kind is implied, its prefix allowed. */
static int implied_address(const struct ctx *c, bool virt,
			   struct shell_cmd *cmd)
{
	const struct word *w = &c->arg[0];
	char own = virt ? 'v' : 'p', other = virt ? 'p' : 'v';

	if (w->len >= 2 && w->s[1] == ':' && w->s[0] == other)
		return fail(c, "takes a guest-%s address, not %c:",
			    virt ? "virtual" : "physical", other);
	if (w->len >= 2 && w->s[1] == ':' && w->s[0] == own)
		return prefixed_address(c, w, &cmd->addr);
	return address(c, w, virt, &cmd->addr);
}

static int parse_ept(const struct ctx *c, struct shell_cmd *cmd)
{
	return implied_address(c, false, cmd);
}

static int parse_walk(const struct ctx *c, struct shell_cmd *cmd)
{
	return implied_address(c, true, cmd);
}

static int parse_mem(const struct ctx *c, struct shell_cmd *cmd)
{
	uint64_t len, last_ok;

	if (prefixed_address(c, &c->arg[0], &cmd->addr) ||
	    number(c, &c->arg[1], "length", 1, SHELL_MEM_MAX_LEN, &len))
		return -1;
	last_ok = cmd->addr.virt ? UINT64_MAX : SHELL_GPA_MAX;
	if (cmd->addr.addr > last_ok - (len - 1))
		return fail(c, "%s bytes at %s run past 0x%llx", quote(&c->arg[1]).s,
			    quote(&c->arg[0]).s, (unsigned long long)last_ok);
	cmd->len = (uint32_t)len;
	return 0;
}

static int parse_break(const struct ctx *c, struct shell_cmd *cmd)
{
	return prefixed_address(c, &c->arg[0], &cmd->addr);
}

/* An optional count: trace [N], delete [N]. */
static int optional_count(const struct ctx *c, const char *what, unsigned min,
			  unsigned max, unsigned dflt, unsigned *out)
{
	uint64_t n = dflt;

	if (c->nargs > 0 && number(c, &c->arg[0], what, min, max, &n))
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int parse_trace(const struct ctx *c, struct shell_cmd *cmd)
{
	return optional_count(c, "count", 1, SHELL_TRACE_MAX,
			      SHELL_TRACE_DEFAULT, &cmd->n);
}

static int parse_delete(const struct ctx *c, struct shell_cmd *cmd)
{
	return optional_count(c, "breakpoint", 1, SHELL_BREAK_MAX, 0, &cmd->n);
}

static bool word_is_nocase(const struct word *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->len && name[i]; i++) {
		char a = w->s[i], b = name[i];

		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 'a' + 'A');
		if (a != b)
			return false;
	}
	return i == w->len && name[i] == '\0';
}

static const struct {
	const char *word;
	enum shell_vmcs_which which;
} vmcs_names[] = {
	{ "01", SHELL_VMCS_01 },
	{ "02", SHELL_VMCS_02 },
	{ "12", SHELL_VMCS_12 },
	{ "shadow", SHELL_VMCS_SHADOW },
};

static int parse_vmcs(const struct ctx *c, struct shell_cmd *cmd)
{
	unsigned i = 0;

	for (unsigned k = 0; c->nargs > 0 && k < ARRAY_SIZE(vmcs_names); k++)
		if (parse_word_is(c->arg[0].s, c->arg[0].len, vmcs_names[k].word)) {
			cmd->vmcs = vmcs_names[k].which;
			i = 1;
		}
	if (c->nargs - i > SHELL_VMCS_MAX_FIELDS)
		return fail(c, "more than %u fields", SHELL_VMCS_MAX_FIELDS);
	for (; i < c->nargs; i++) {
		unsigned row = 0;

		while (row < vmcs_field_count &&
		       !word_is_nocase(&c->arg[i], vmcs_field_table[row].name))
			row++;
		if (row == vmcs_field_count)
			return fail(c, "no field named '%s' (the names of vmx/vmcs_fields.h, e.g. GUEST_RIP)",
				    quote(&c->arg[i]).s);
		cmd->field_rows[cmd->nfields++] = (uint16_t)row;
	}
	return 0;
}

static const struct {
	const char *name;
	enum log_level level;
} level_names[] = {
#define X(e, name, value) { name, e },
	LOG_LEVELS(X)
#undef X
};

static int parse_loglevel(const struct ctx *c, struct shell_cmd *cmd)
{
	const struct word *w = &c->arg[0];
	uint64_t n;

	for (unsigned k = 0; k < ARRAY_SIZE(level_names); k++)
		if (parse_word_is(w->s, w->len, level_names[k].name)) {
			cmd->level = level_names[k].level;
			return 0;
		}
	if (parse_uint(w->s, w->len, LOG_DEBUG, &n) != 0)
		return fail(c, "'%s' is not a level (quiet, error, warn, info, debug or 0..4)",
			    quote(w).s);
	cmd->level = (enum log_level)n;
	return 0;
}

static int parse_help(const struct ctx *c, struct shell_cmd *cmd);

static const struct cmd_def commands[] = {
	{ "regs", SHELL_REGS, 0, 0, NULL, "regs",
	  "GPRs, RIP, RFLAGS, CRs, EFER and segments of L1, or of L2 while it runs" },
	{ "vmcs", SHELL_VMCS, 0, MAX_ARGS, parse_vmcs,
	  "vmcs [01|02|12|shadow] [FIELD...]",
	  "VMCS fields by name (vmx/vmcs_fields.h), all without FIELD; the current VMCS, or vmcs01/02, L1's vmcs12, the shadow VMCS" },
	{ "ept", SHELL_EPT, 1, 1, parse_ept, "ept GPA",
	  "the EPT walk of a guest-physical address, each entry's bits: EPT01; while L2 runs EPT12, EPT02, EPT01" },
	{ "walk", SHELL_WALK, 1, 1, parse_walk, "walk GVA",
	  "the guest page walk of a guest-virtual address, each entry's bits" },
	{ "mem", SHELL_MEM, 2, 2, parse_mem, "mem p:GPA|v:GVA LEN",
	  "hexdump of LEN (1..4096) bytes of guest memory, physical (p:) or virtual (v:)" },
	{ "exits", SHELL_EXITS, 0, 0, NULL, "exits", "VM-exit statistics, all levels together and per level (L1, L2 reflected / in L0)" },
	{ "trace", SHELL_TRACE, 0, 1, parse_trace, "trace [N]",
	  "the last N exits (1..64, default 16): reason, qualification, RIP, level, TSC" },
	{ "step", SHELL_STEP, 0, 0, NULL, "step", "run one guest instruction (L1; MTF or TF), then the shell again" },
	{ "break", SHELL_BREAK, 1, 1, parse_break, "break p:GPA|v:GVA",
	  "a breakpoint in L1: v:GVA in DR0-DR3 (1..4), p:GPA by EPT execute-disable (5..8)" },
	{ "delete", SHELL_DELETE, 0, 1, parse_delete, "delete [N]",
	  "delete breakpoint N (1..8), or all of them" },
	{ "cont", SHELL_CONT, 0, 0, NULL, "cont", "leave the shell, the guest runs on" },
	{ "nmi", SHELL_NMI, 0, 0, NULL, "nmi", "queue an NMI for the guest" },
	{ "reset", SHELL_RESET, 0, 0, NULL, "reset", "reset the guest (as on_guest_reset= says)" },
	{ "loglevel", SHELL_LOGLEVEL, 1, 1, parse_loglevel,
	  "loglevel NAME|0..4",
	  "the console's log level: quiet, error, warn, info or debug (0..4)" },
	{ "help", SHELL_HELP, 0, 1, parse_help, "help [CMD]",
	  "this list, or the line of one command" },
};

static const struct cmd_def *find_command(const struct word *w)
{
	for (unsigned k = 0; k < ARRAY_SIZE(commands); k++)
		if (parse_word_is(w->s, w->len, commands[k].name))
			return &commands[k];
	return NULL;
}

static int parse_help(const struct ctx *c, struct shell_cmd *cmd)
{
	const struct cmd_def *topic;

	if (c->nargs == 0)
		return 0;
	topic = find_command(&c->arg[0]);
	if (!topic)
		return fail(c, "no command named '%s'", quote(&c->arg[0]).s);
	cmd->topic = topic->kind;
	return 0;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Splits line into the command word and its arguments. */
static void split(const char *line, size_t len, struct word *name,
		  struct ctx *c)
{
	size_t i = 0;
	unsigned nwords = 0;

	name->len = 0;
	while (i < len) {
		struct word w;

		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		w.s = &line[i];
		while (i < len && !is_space(line[i]))
			i++;
		w.len = (size_t)(&line[i] - w.s);
		if (nwords == 0)
			*name = w;
		else if (nwords - 1 < ARRAY_SIZE(c->arg))
			c->arg[nwords - 1] = w;
		nwords++;
	}
	c->nargs = nwords > 0 ? nwords - 1 : 0;
}

int shell_parse(const char *line, size_t len, struct shell_cmd *cmd,
		char *err, size_t errlen)
{
	static const struct cmd_def unknown = { .name = "shell" };
	struct ctx c = { .def = &unknown, .err = err, .errlen = errlen };
	struct word name;

	if (err && errlen > 0)
		err[0] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (!line && len > 0)
		return fail(&c, "no line");
	split(line, len, &name, &c);
	if (name.len == 0)
		return 0;
	c.def = find_command(&name);
	if (!c.def) {
		if (err && errlen > 0)
			fmt_snprintf(err, errlen, "unknown command '%s' (help lists them)",
				     quote(&name).s);
		return -1;
	}
	if (c.nargs < c.def->min_args)
		return fail(&c, "missing argument (usage: %s)", c.def->usage);
	if (c.nargs > c.def->max_args)
		return fail(&c, "unexpected argument '%s' (usage: %s)",
			    quote(&c.arg[c.def->max_args]).s, c.def->usage);
	cmd->kind = c.def->kind;
	if (c.def->parse && c.def->parse(&c, cmd) != 0) {
		memset(cmd, 0, sizeof(*cmd));
		return -1;
	}
	return 0;
}

int shell_help(enum shell_cmd_kind topic, char *buf, size_t size)
{
	struct fmt_buf b = fmt_buf_start(buf, size);

	for (unsigned k = 0; k < ARRAY_SIZE(commands); k++)
		if (topic == SHELL_NONE || commands[k].kind == topic)
			fmt_append(&b, "%-34s %s\n", commands[k].usage,
				   commands[k].help);
	return fmt_buf_result(&b);
}

const char *shell_cmd_name(enum shell_cmd_kind kind)
{
	for (unsigned k = 0; k < ARRAY_SIZE(commands); k++)
		if (commands[k].kind == kind)
			return commands[k].name;
	return NULL;
}
