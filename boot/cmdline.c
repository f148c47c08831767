/* Splits the hypervisor command line into words and hands each `name=value`
 * to its option's parser from the registry, reporting every problem through
 * the caller's diagnostic callback. Knows nothing about individual options.
 *
 * The line comes from the Multiboot2 "Boot command line" tag (Multiboot2 spec
 * 3.6.2): a zero-terminated UTF-8 string. Nestor accepts only printable ASCII
 * in it; see boot/cmdline.h for the syntax. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/cmdline.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

/* Room for the longest diagnostic: two quoted pieces of user text of
 * CMDLINE_MAX_QUOTE bytes plus an option's accepted string. */
#define CMDLINE_MSG_MAX 320

/* What can be wrong with a word before its option is even looked up. */
enum word_error {
	WORD_OK,
	WORD_BAD_BYTE,		/* control byte or non-ASCII */
	WORD_STRAY_QUOTE,	/* '"' not opening a value */
	WORD_UNTERMINATED,	/* opening '"' without a closing one */
	WORD_AFTER_QUOTE,	/* bytes after the closing '"' */
	WORD_TOO_LONG,		/* more than CMDLINE_MAX_WORD bytes */
	WORD_NO_NAME,		/* word starts with '=' */
};

/* One word of the line; all positions are byte offsets into the line. */
struct word {
	size_t start;		/* first byte of the word */
	size_t end;		/* one past its last byte (closing quote included) */
	size_t name_len;	/* the name is line[start, start + name_len) */
	bool has_value;		/* an '=' follows the name */
	size_t val_start;	/* the value, quotes removed */
	size_t val_len;
	enum word_error err;	/* the first problem found */
	size_t err_off;		/* where it is */
};

struct parser {
	const char *line;
	size_t len;
	const struct cmdline_option *opts;
	size_t nopts;
	struct nestor_config *cfg;
	cmdline_diag_fn diag;
	void *ctx;
	int errors;
};

/* Word separators: space, tab and newline. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Only printable ASCII (0x20..0x7e) may appear inside a word. */
static bool is_bad_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u >= 0x7f;
}

static void word_fail(struct word *w, enum word_error err, size_t off)
{
	if (w->err == WORD_OK) {
		w->err = err;
		w->err_off = off;
	}
}

/* Checks the unquoted byte at line[i]; '"' may only open a value. */
static void check_plain_byte(const char *line, size_t i, struct word *w)
{
	if (is_bad_byte(line[i]))
		word_fail(w, WORD_BAD_BYTE, i);
	else if (line[i] == '"')
		word_fail(w, WORD_STRAY_QUOTE, i);
}

/* Scans an unquoted name or value from i up to a separator or, when
 * stop_at_eq, an '='. Returns the offset where it stopped. */
static size_t scan_plain(const char *line, size_t len, size_t i,
			 bool stop_at_eq, struct word *w)
{
	while (i < len && !is_space(line[i]) && !(stop_at_eq && line[i] == '=')) {
		check_plain_byte(line, i, w);
		i++;
	}
	return i;
}

/* Scans a quoted value; open is the offset of its opening '"'. Separators
 * are allowed inside the quotes. Returns the offset just past the word. */
static size_t scan_quoted(const char *line, size_t len, size_t open,
			  struct word *w)
{
	size_t i = open + 1;

	w->val_start = i;
	while (i < len && line[i] != '"') {
		if (!is_space(line[i]) && is_bad_byte(line[i]))
			word_fail(w, WORD_BAD_BYTE, i);
		i++;
	}
	if (i == len) {
		/* Structural: overrides any earlier problem in the word. */
		w->err = WORD_UNTERMINATED;
		w->err_off = open;
		w->val_len = i - w->val_start;
		return i;
	}
	w->val_len = i - w->val_start;
	i++;
	if (i < len && !is_space(line[i])) {
		word_fail(w, WORD_AFTER_QUOTE, i);
		while (i < len && !is_space(line[i]))
			i++;
	}
	return i;
}

/* Splits the word starting at the non-separator byte line[pos]. Always
 * consumes at least one byte. */
static void scan_word(const char *line, size_t len, size_t pos, struct word *w)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->start = pos;
	i = scan_plain(line, len, pos, true, w);
	w->name_len = i - pos;
	if (i < len && line[i] == '=') {
		w->has_value = true;
		if (i + 1 < len && line[i + 1] == '"') {
			i = scan_quoted(line, len, i + 1, w);
		} else {
			w->val_start = i + 1;
			i = scan_plain(line, len, i + 1, false, w);
			w->val_len = i - w->val_start;
		}
	}
	w->end = i;
	if (w->end - w->start > CMDLINE_MAX_WORD)
		word_fail(w, WORD_TOO_LONG, w->start);
	if (w->name_len == 0)
		word_fail(w, WORD_NO_NAME, w->start);
}

static size_t skip_spaces(const char *line, size_t len, size_t pos)
{
	while (pos < len && is_space(line[pos]))
		pos++;
	return pos;
}

static void emit(struct parser *p, enum cmdline_severity sev, const char *msg)
{
	if (sev == CMDLINE_ERROR && p->errors < INT32_MAX)
		p->errors++;
	if (p->diag)
		p->diag(p->ctx, sev, msg);
}

/* Length of user text to quote in a message, and the mark that says it was
 * cut short. */
static int quote_len(size_t len)
{
	return (int)(len > CMDLINE_MAX_QUOTE ? CMDLINE_MAX_QUOTE : len);
}

static const char *quote_cut(size_t len)
{
	return len > CMDLINE_MAX_QUOTE ? "..." : "";
}

/* Reports a malformed word. The messages quote no user bytes: the word may
 * hold the very bytes that are wrong, so they give offsets instead. */
static void report_word_error(struct parser *p, const struct word *w)
{
	char msg[CMDLINE_MSG_MAX];
	size_t off = w->err_off;

	switch (w->err) {
	case WORD_BAD_BYTE:
		fmt_snprintf(msg, sizeof(msg),
			     "invalid byte 0x%02x at offset %zu of the command line",
			     (unsigned int)(unsigned char)p->line[off], off);
		break;
	case WORD_STRAY_QUOTE:
		fmt_snprintf(msg, sizeof(msg),
			     "unexpected '\"' at offset %zu (only a whole value may be quoted: name=\"value\")",
			     off);
		break;
	case WORD_UNTERMINATED:
		fmt_snprintf(msg, sizeof(msg),
			     "unterminated quote at offset %zu", off);
		break;
	case WORD_AFTER_QUOTE:
		fmt_snprintf(msg, sizeof(msg),
			     "unexpected character after the closing quote at offset %zu",
			     off);
		break;
	case WORD_TOO_LONG:
		fmt_snprintf(msg, sizeof(msg),
			     "word at offset %zu is too long (%zu bytes, max %d)",
			     off, w->end - w->start, CMDLINE_MAX_WORD);
		break;
	case WORD_NO_NAME:
		fmt_snprintf(msg, sizeof(msg),
			     "missing option name before '=' at offset %zu", off);
		break;
	default:
		fmt_snprintf(msg, sizeof(msg),
			     "malformed word at offset %zu", w->start);
		break;
	}
	emit(p, CMDLINE_ERROR, msg);
}

static const struct cmdline_option *find_option(const struct parser *p,
						const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->nopts; i++) {
		if (cmdline_value_is(name, len, p->opts[i].name))
			return &p->opts[i];
	}
	return NULL;
}

/* Looks the word's option up and runs its parser. */
static void apply_word(struct parser *p, const struct word *w)
{
	const char *name = p->line + w->start;
	const char *val = p->line + w->val_start;
	const struct cmdline_option *opt = find_option(p, name, w->name_len);
	char msg[CMDLINE_MSG_MAX];
	int nl = quote_len(w->name_len);

	if (!opt) {
		fmt_snprintf(msg, sizeof(msg), "unknown option '%.*s%s' ignored",
			     nl, name, quote_cut(w->name_len));
		emit(p, CMDLINE_WARNING, msg);
		return;
	}
	if (!w->has_value) {
		fmt_snprintf(msg, sizeof(msg),
			     "option '%s' needs a value (accepted: %s)",
			     opt->name, opt->accepted);
		emit(p, CMDLINE_ERROR, msg);
		return;
	}
	if (opt->parse(val, w->val_len, p->cfg) == 0)
		return;
	if (opt->explain) {
		/* The option says itself what is wrong (and quotes it). */
		opt->explain(val, w->val_len, msg, sizeof(msg));
		emit(p, CMDLINE_ERROR, msg);
	} else {
		fmt_snprintf(msg, sizeof(msg),
			     "bad value '%.*s%s' for option '%s' (accepted: %s)",
			     quote_len(w->val_len), val, quote_cut(w->val_len),
			     opt->name, opt->accepted);
		emit(p, CMDLINE_ERROR, msg);
	}
}

/* GRUB passes the kernel image path as the first word of the command line
 * (e.g. "/boot/nestor.elf loglevel=debug"): a word starting with '/' that
 * has no '='. */
static bool is_kernel_path(const struct parser *p, const struct word *w)
{
	return p->line[w->start] == '/' && !w->has_value;
}

int cmdline_parse(const char *s, size_t len, const struct cmdline_option *opts,
		  size_t nopts, struct nestor_config *cfg,
		  cmdline_diag_fn diag, void *ctx)
{
	struct parser p = {
		.line = s, .len = s ? strnlen(s, len) : 0,
		.opts = opts, .nopts = opts ? nopts : 0,
		.cfg = cfg, .diag = diag, .ctx = ctx,
	};
	size_t pos = 0;
	bool first = true;
	struct word w;

	while ((pos = skip_spaces(p.line, p.len, pos)) < p.len) {
		scan_word(p.line, p.len, pos, &w);
		if (w.err != WORD_OK)
			report_word_error(&p, &w);
		else if (!(first && is_kernel_path(&p, &w)))
			apply_word(&p, &w);
		first = false;
		pos = w.end;
	}
	return p.errors;
}

int cmdline_match_keyword(const char *val, size_t len,
			  const struct cmdline_keyword *kw, size_t n, int *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cmdline_value_is(val, len, kw[i].word)) {
			*out = kw[i].value;
			return 0;
		}
	}
	return -1;
}
