/* Command-line options for the test guests. Same syntax as Nestor's own
 * (boot/cmdline.h): words separated by spaces, tabs or newlines, each
 * `name=value` or a bare `name`; a value may be double-quoted
 * (name="a b"), and so may the whole word ("name=a b", which is how GRUB
 * passes an argument that holds spaces); a first word starting with '/'
 * without '=' (a kernel path) is skipped; when a name repeats, the last one
 * counts. */
#ifndef NESTOR_GUESTS_RT_OPTIONS_H
#define NESTOR_GUESTS_RT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One parsed word. val/val_len exclude the quotes; has_value is false for a
 * bare name. */
struct rt_word {
	const char *name;
	size_t name_len;
	const char *val;
	size_t val_len;
	bool has_value;
};

/* Parses the word at *pos, advancing *pos past it. False at the end. */
bool rt_next_word(const char **pos, struct rt_word *w);

/* Uses `cmdline` (NULL = empty) for the lookups below. */
void rt_options_init(const char *cmdline);
const char *rt_cmdline(void);

/* The last word named `name`: true if there is one (*w filled). */
bool rt_option(const char *name, struct rt_word *w);
bool rt_option_present(const char *name);
/* True if the option is given with exactly the value `value`. */
bool rt_option_is(const char *name, const char *value);
/* The value as an unsigned number (decimal or 0x hex): true if present and
 * well formed; false otherwise (*bad set when present but malformed). */
bool rt_option_uint(const char *name, uint64_t *out, bool *bad);

/* Prints a warning for each word whose name is not in the NULL-terminated
 * list `known` nor one of the runtime's own options. */
void rt_options_warn_unknown(const char *const *known);

#endif
