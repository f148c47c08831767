/* The hypervisor command line: a generic tokenizer/dispatcher (cmdline.c)
 * driven by one table of options (cmdline_options.c, the registry).
 *
 * Syntax (the string comes from the Multiboot2 "Boot command line" tag,
 * Multiboot2 spec 3.6.2): words separated by space, tab or newline; each word
 * is `name=value` or a bare `name`. A value may be double-quoted
 * (name="a b"). GRUB puts the kernel path first; a first word starting with
 * '/' and containing no '=' is skipped. Names are case-sensitive; when an
 * option is given twice the later one wins. */
#ifndef NESTOR_BOOT_CMDLINE_H
#define NESTOR_BOOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/config.h"
#include "lib/parse.h"

/* Longest word (name, '=', value and its quotes) accepted, in bytes. Longer
 * words are an error, never truncated. */
#define CMDLINE_MAX_WORD 255

/* Longest piece of user text quoted back in a diagnostic, in bytes. */
#define CMDLINE_MAX_QUOTE 48

enum cmdline_severity {
	CMDLINE_WARNING,
	CMDLINE_ERROR,
	CMDLINE_NOTICE,
};

/* Receives each diagnostic; msg is NUL-terminated and only valid during the
 * call. */
typedef void (*cmdline_diag_fn)(void *ctx, enum cmdline_severity sev,
				const char *msg);

/* One row of the registry. parse() gets the value bytes (val, NOT
 * NUL-terminated, len bytes, quotes already removed); it updates cfg and
 * returns 0, or returns -1 on a bad value and leaves cfg untouched. accepted
 * describes the good values for the error message; help says what the
 * option does. Every option needs a value: a bare name is an error. */
struct cmdline_option {
	const char *name;
	int (*parse)(const char *val, size_t len, struct nestor_config *cfg);
	const char *accepted;
	const char *help;
	/* Optional: for values with an inner syntax, writes into msg (always
	 * NUL-terminated) an error that names the offending item; used
	 * instead of the generic "bad value ... (accepted: ...)" message. */
	void (*explain)(const char *val, size_t len, char *msg, size_t msglen);
};

/* The registry (boot/cmdline_options.c). */
extern const struct cmdline_option cmdline_options[];
extern const size_t cmdline_option_count;

/* Fills cfg with the defaults: console com1 (0x3f8) at 115200 baud,
 * loglevel LOG_INFO, test_fault TEST_FAULT_NONE. */
void config_set_defaults(struct nestor_config *cfg);

/* Parses the command line s (len bytes at most, stops early at a NUL; s may
 * be NULL, meaning empty) against the nopts options in opts, updating cfg.
 * Each problem is reported through diag (which may be NULL). Returns the
 * number of errors; warnings (unknown options) are not counted. */
int cmdline_parse(const char *s, size_t len, const struct cmdline_option *opts,
		  size_t nopts, struct nestor_config *cfg,
		  cmdline_diag_fn diag, void *ctx);

/* Helpers for value parsers. */

/* The generic parsers of lib/parse.h, under the names the options use. */
static inline int cmdline_parse_uint(const char *val, size_t len, uint64_t max,
				     uint64_t *out)
{
	return parse_uint(val, len, max, out);
}

static inline bool cmdline_value_is(const char *val, size_t len,
				    const char *word)
{
	return parse_word_is(val, len, word);
}

struct cmdline_keyword {
	const char *word;
	int value;
};

/* Looks val up among n keywords (exact, case-sensitive). Returns 0 and sets
 * *out to the keyword's value, or -1 when none matches. */
int cmdline_match_keyword(const char *val, size_t len,
			  const struct cmdline_keyword *kw, size_t n, int *out);

#endif
