/* Fuzz target: arbitrary bytes as the hypervisor command line, parsed
 * against the real option registry (boot/cmdline_options.c). Checks that
 * parsing always returns, that every diagnostic is a short printable
 * message, that the error count is right, and that the config holds, for
 * every option, only what that option's parser can produce.
 *
 * The invariants come from the registry, not from a copy of its values:
 * - every registry row has a rule below naming the config field it sets,
 *   and every rule a row (checked at start: a new option without a rule
 *   stops the fuzzer at once, with its name);
 * - a field differs from its default only when the input names its option;
 * - an option whose `accepted` text is a list of words and small ranges
 *   ("none, pf, ud or vmx_panic", "quiet, ... or 0..4") can only leave its
 *   field as one of the values those words give: each is parsed once at
 *   start ("name=word", which must be accepted and change nothing outside
 *   the field), and the field must then equal one of them;
 * - an option whose `accepted` text starts with a range "A..B" leaves its
 *   field at the default or within [A, B], and the range's ends are checked
 *   against the parser at start (A and B accepted, A-1 and B+1 refused);
 * - console= and msr_filter= have their own rules (the UART's, and a valid
 *   filter that formats and parses back to itself). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/config.h"
#include "vmx/msr_filter.h"

#define MSG_LIMIT 320	/* the dispatcher's message buffer */
#define MAX_VALUES 16	/* words (and range members) per option */
#define MAX_FIELD 32	/* bytes of a field whose values are recorded */

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* A broken rule or registry row: say which, then stop. */
static void setup_fail(const char *option, const char *why)
{
	fprintf(stderr, "fuzz_cmdline: option '%s': %s\n", option, why);
	abort();
}

/* ------------------------------------------------------------ the rules */

enum values {
	VALUES_WORDS,  /* `accepted` lists every value: words and A..B */
	VALUES_RANGE,  /* `accepted` starts with A..B: default or in [A, B] */
	VALUES_CUSTOM, /* only valid() */
};

struct rule {
	const char *name;
	size_t off, size;   /* the config field the option sets */
	bool string;        /* a NUL-terminated string field */
	enum values values;
	bool (*valid)(const struct nestor_config *cfg);
	/* Filled at start. */
	const struct cmdline_option *opt;
	unsigned nvalues;
	uint8_t value[MAX_VALUES][MAX_FIELD];
	uint64_t lo, hi;    /* VALUES_RANGE */
};

#define FIELD(f) offsetof(struct nestor_config, f), \
	sizeof(((struct nestor_config *)0)->f)

/* The PC16550D's divisor: 115200 / n baud, n in 1..384 (300 baud), a port
 * base that leaves room for its 8 registers. */
static bool console_valid(const struct nestor_config *cfg)
{
	return cfg->console.port >= 1 && cfg->console.port <= 0xfff8 &&
	       cfg->console.baud >= 300 && cfg->console.baud <= 115200 &&
	       115200 % cfg->console.baud == 0;
}

/* gdb=: a port as console='s (the same port is refused later, at boot,
 * boot/main.c), and wait only with a port. */
static bool gdb_valid(const struct nestor_config *cfg)
{
	return (cfg->gdb.port >= 1 && cfg->gdb.port <= 0xfff8) ||
	       (cfg->gdb.port == 0 && !cfg->gdb.wait);
}

/* console_escape=: a control character the shell's line editor does not
 * need (not BS, LF, CR). */
static bool console_escape_valid(const struct nestor_config *cfg)
{
	uint8_t e = cfg->console_escape;

	return e >= 1 && e <= 0x1f && e != 0x08 && e != 0x0a && e != 0x0d;
}

static bool msr_filter_valid(const struct nestor_config *cfg)
{
	static const struct msr_filter none;
	const struct msr_filter *f = &cfg->msr_filter;
	char text[MSR_FILTER_FORMAT_LEN];
	struct msr_filter back;
	int n;

	if (!f->present)
		return memcmp(f, &none, sizeof(none)) == 0;
	if (f->nranges > MSR_FILTER_MAX_RANGES ||
	    (!f->default_allow && f->nranges == 0))
		return false;
	for (unsigned i = 0; i < f->nranges; i++)
		if (f->range[i].first > f->range[i].last ||
		    f->range[i].access < MSR_FILTER_READ ||
		    f->range[i].access > (MSR_FILTER_READ | MSR_FILTER_WRITE))
			return false;
	n = msr_filter_format(f, text, sizeof(text));
	if (n <= 0 || (size_t)n >= sizeof(text) ||
	    msr_filter_parse(text, (size_t)n, &back, NULL, 0) != 0)
		return false;
	if (back.default_allow != f->default_allow || back.nranges != f->nranges)
		return false;
	for (unsigned i = 0; i < f->nranges; i++)
		if (back.range[i].first != f->range[i].first ||
		    back.range[i].last != f->range[i].last ||
		    back.range[i].access != f->range[i].access ||
		    back.range[i].allow != f->range[i].allow)
			return false;
	return true;
}

static struct rule rules[] = {
	{ "console", FIELD(console), false, VALUES_CUSTOM, console_valid },
	{ "loglevel", FIELD(loglevel), false, VALUES_WORDS, NULL },
	{ "guest_maxphyaddr", FIELD(guest_maxphyaddr), false, VALUES_RANGE, NULL },
	{ "msr_filter", FIELD(msr_filter), false, VALUES_CUSTOM, msr_filter_valid },
	{ "panic", FIELD(panic_reboot), false, VALUES_WORDS, NULL },
	{ "on_guest_reset", FIELD(guest_reset_restart), false, VALUES_WORDS, NULL },
	{ "nested", FIELD(nested), false, VALUES_WORDS, NULL },
	{ "test_fault", FIELD(test_fault), false, VALUES_WORDS, NULL },
	{ "test_vmxon_fault", FIELD(test_vmxon_fault), false, VALUES_WORDS, NULL },
	{ "test_break_guest", FIELD(test_break_guest), true, VALUES_WORDS, NULL },
	{ "test_crash_nmi", FIELD(test_crash_nmi), false, VALUES_WORDS, NULL },
	{ "nestor_mem", FIELD(nestor_mem_mib), false, VALUES_RANGE, NULL },
	{ "test_pool_spare", FIELD(test_pool_spare), false, VALUES_RANGE, NULL },
	{ "gdb", FIELD(gdb), false, VALUES_CUSTOM, gdb_valid },
	{ "console_share", FIELD(console_passthrough), false, VALUES_WORDS, NULL },
	{ "console_escape", FIELD(console_escape), false, VALUES_CUSTOM, console_escape_valid },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static struct nestor_config defaults;

/* --------------------------------------------------- field comparisons */

static const uint8_t *field(const struct nestor_config *cfg,
			    const struct rule *r)
{
	return (const uint8_t *)cfg + r->off;
}

static bool field_equal(const struct rule *r, const uint8_t *a,
			const uint8_t *b)
{
	if (r->string)
		return strncmp((const char *)a, (const char *)b, r->size) == 0;
	return memcmp(a, b, r->size) == 0;
}

static uint64_t field_uint(const struct rule *r, const struct nestor_config *cfg)
{
	uint64_t v = 0;

	memcpy(&v, field(cfg, r), r->size < sizeof(v) ? r->size : sizeof(v));
	return v;
}

/* True when cfg and defaults differ outside rule r's field (a string
 * field: only up to its NUL and the NUL itself). */
static bool changed_outside(const struct nestor_config *cfg,
			    const struct rule *r)
{
	const uint8_t *a = (const uint8_t *)cfg, *b = (const uint8_t *)&defaults;
	size_t end = r->off + r->size;

	for (size_t i = 0; i < sizeof(*cfg); i++)
		if ((i < r->off || i >= end) && a[i] != b[i])
			return true;
	return false;
}

/* ------------------------------------------------------------ at start */

/* Parses "name=value" alone into cfg; returns the number of errors. */
static int parse_one(const char *name, const char *value, size_t len,
		     struct nestor_config *cfg)
{
	char line[CMDLINE_MAX_WORD + 1];
	int n = snprintf(line, sizeof(line), "%s=%.*s", name, (int)len, value);

	check(n > 0 && (size_t)n < sizeof(line));
	config_set_defaults(cfg);
	return cmdline_parse(line, (size_t)n, cmdline_options,
			     cmdline_option_count, cfg, NULL, NULL);
}

static void record_value(struct rule *r, const char *word, size_t len)
{
	struct nestor_config cfg;

	if (parse_one(r->name, word, len, &cfg) != 0)
		setup_fail(r->name, "a value its accepted text names is refused");
	if (changed_outside(&cfg, r))
		setup_fail(r->name, "a value changes the config outside its field");
	if (r->nvalues == MAX_VALUES || r->size > MAX_FIELD)
		setup_fail(r->name, "too many values or too wide a field to record");
	memcpy(r->value[r->nvalues++], field(&cfg, r), r->size);
}

/* "A..B" at s (len bytes, nothing after it when whole): true with *lo, *hi. */
static bool parse_range(const char *s, size_t len, bool whole, uint64_t *lo,
			uint64_t *hi)
{
	char *end;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return false;
	*lo = strtoull(s, &end, 10);
	if ((size_t)(end - s) + 2 > len || end[0] != '.' || end[1] != '.' ||
	    end[2] < '0' || end[2] > '9')
		return false;
	*hi = strtoull(end + 2, &end, 10);
	return *lo <= *hi && (!whole || (size_t)(end - s) == len);
}

/* The words of "a, b, c or d": each word or range in turn. */
static void record_words(struct rule *r)
{
	const char *s = r->opt->accepted;

	while (*s) {
		size_t len = strcspn(s, ", ");
		uint64_t lo, hi;

		if (len == 0)
			setup_fail(r->name, "accepted text is not a list of words");
		if (parse_range(s, len, true, &lo, &hi)) {
			if (hi - lo >= MAX_VALUES)
				setup_fail(r->name, "a range too wide to list");
			for (uint64_t v = lo; v <= hi; v++) {
				char num[24];

				record_value(r, num, (size_t)snprintf(num, sizeof(num),
							 "%llu", (unsigned long long)v));
			}
		} else {
			record_value(r, s, len);
		}
		s += len;
		if (strncmp(s, ", ", 2) == 0)
			s += 2;
		else if (strncmp(s, " or ", 4) == 0)
			s += 4;
		else if (*s)
			setup_fail(r->name, "accepted text is not 'a, b or c'");
	}
	if (r->nvalues < 2)
		setup_fail(r->name, "fewer than two values");
}

static void check_range_ends(struct rule *r)
{
	const char *acc = r->opt->accepted;
	struct nestor_config cfg;
	char num[24];
	int n;

	if (!parse_range(acc, strlen(acc), false, &r->lo, &r->hi))
		setup_fail(r->name, "accepted text does not start with A..B");
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)r->lo);
	if (parse_one(r->name, num, (size_t)n, &cfg) != 0 ||
	    field_uint(r, &cfg) != r->lo || changed_outside(&cfg, r))
		setup_fail(r->name, "the low end of its range is refused");
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)r->hi);
	if (parse_one(r->name, num, (size_t)n, &cfg) != 0 ||
	    field_uint(r, &cfg) != r->hi)
		setup_fail(r->name, "the high end of its range is refused");
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)r->hi + 1);
	if (parse_one(r->name, num, (size_t)n, &cfg) == 0)
		setup_fail(r->name, "a value above its range is accepted");
	if (r->lo > 0) {
		n = snprintf(num, sizeof(num), "%llu", (unsigned long long)r->lo - 1);
		if (parse_one(r->name, num, (size_t)n, &cfg) == 0)
			setup_fail(r->name, "a value below its range is accepted");
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	config_set_defaults(&defaults);
	for (size_t i = 0; i < cmdline_option_count; i++) {
		const struct cmdline_option *o = &cmdline_options[i];
		size_t j;

		for (j = 0; j < NRULES && strcmp(rules[j].name, o->name); j++)
			;
		if (j == NRULES)
			setup_fail(o->name, "no rule in tests/fuzz/fuzz_cmdline.c");
		if (rules[j].opt)
			setup_fail(o->name, "two registry rows");
		rules[j].opt = o;
	}
	for (size_t j = 0; j < NRULES; j++) {
		struct rule *r = &rules[j];

		if (!r->opt)
			setup_fail(r->name, "a rule without a registry row");
		if (r->values == VALUES_WORDS)
			record_words(r);
		else if (r->values == VALUES_RANGE)
			check_range_ends(r);
	}
	return 0;
}

/* ------------------------------------------------------------ per input */

struct fuzz_ctx {
	int errors;
};

static void fuzz_diag(void *ctx, enum cmdline_severity sev, const char *msg)
{
	struct fuzz_ctx *f = ctx;
	size_t len = strnlen(msg, MSG_LIMIT);

	check(len > 0 && len < MSG_LIMIT);
	/* Bad bytes are reported by offset, never echoed; only separators
	 * from a quoted value may appear besides printable ASCII. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];

		check((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n');
	}
	check(sev == CMDLINE_WARNING || sev == CMDLINE_ERROR ||
	      sev == CMDLINE_NOTICE);
	if (sev == CMDLINE_ERROR)
		f->errors++;
}

static bool names(const uint8_t *data, size_t size, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n < size; i++)
		if (data[i + n] == '=' && memcmp(data + i, name, n) == 0)
			return true;
	return false;
}

static void check_rule(const struct rule *r, const struct nestor_config *cfg,
		       const uint8_t *data, size_t size)
{
	const uint8_t *f = field(cfg, r);
	bool found = false;

	if (r->string)
		check(memchr(f, '\0', r->size) != NULL);
	if (r->valid)
		check(r->valid(cfg));
	if (field_equal(r, f, field(&defaults, r)))
		return;
	check(names(data, size, r->name));
	switch (r->values) {
	case VALUES_WORDS:
		for (unsigned i = 0; i < r->nvalues && !found; i++)
			found = field_equal(r, f, r->value[i]);
		check(found);
		break;
	case VALUES_RANGE:
		check(field_uint(r, cfg) >= r->lo && field_uint(r, cfg) <= r->hi);
		break;
	case VALUES_CUSTOM:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nestor_config cfg;
	struct fuzz_ctx f = { 0 };
	int errors;

	config_set_defaults(&cfg);
	errors = cmdline_parse((const char *)data, size, cmdline_options,
			       cmdline_option_count, &cfg, fuzz_diag, &f);
	check(errors == f.errors);
	check(errors >= 0 && (size_t)errors <= size);
	for (size_t j = 0; j < NRULES; j++)
		check_rule(&rules[j], &cfg, data, size);
	return 0;
}
