/* Unit tests for the command-line tokenizer/dispatcher (boot/cmdline.c) and
 * the option registry (boot/cmdline_options.c). Every diagnostic is checked
 * word for word through a capturing diag callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot/cmdline.h"
#include "boot/config.h"

#define CONSOLE_ACC "com1..com4 or an I/O port (0x3f8), optionally ,baud (e.g. console=com2,57600)"
#define LOGLEVEL_ACC "quiet, error, warn, info, debug or 0..4"
#define FAULT_ACC "none, pf, ud, de, gp, panic or vmx_panic"

#define MAX_DIAGS 16
#define MAX_MSG 512

struct capture {
	int n;
	enum cmdline_severity sev[MAX_DIAGS];
	char msg[MAX_DIAGS][MAX_MSG];
};

static void capture_diag(void *ctx, enum cmdline_severity sev, const char *msg)
{
	struct capture *c = ctx;

	assert_non_null(msg);
	assert_true(c->n < MAX_DIAGS);
	assert_true(strlen(msg) < MAX_MSG);
	c->sev[c->n] = sev;
	strcpy(c->msg[c->n], msg);
	c->n++;
}

/* Parses len bytes of s with the real registry into a defaulted cfg. */
static int parse_n(const char *s, size_t len, struct nestor_config *cfg,
		   struct capture *c)
{
	memset(c, 0, sizeof(*c));
	config_set_defaults(cfg);
	return cmdline_parse(s, len, cmdline_options, cmdline_option_count,
			     cfg, capture_diag, c);
}

static int parse(const char *s, struct nestor_config *cfg, struct capture *c)
{
	return parse_n(s, strlen(s), cfg, c);
}

static void expect_diag(const struct capture *c, int i,
			enum cmdline_severity sev, const char *msg)
{
	assert_true(i < c->n);
	assert_int_equal(c->sev[i], sev);
	assert_string_equal(c->msg[i], msg);
}

/* Exactly one diagnostic, and the config is still the default. */
static void expect_one_default(const struct capture *c,
			       const struct nestor_config *cfg,
			       enum cmdline_severity sev, const char *msg)
{
	struct nestor_config def;

	assert_int_equal(c->n, 1);
	expect_diag(c, 0, sev, msg);
	config_set_defaults(&def);
	assert_memory_equal(cfg, &def, sizeof(def));
}

static void expect_clean(const struct capture *c, int errors)
{
	assert_int_equal(errors, 0);
	assert_int_equal(c->n, 0);
}

static void assert_default_config(const struct nestor_config *cfg)
{
	assert_int_equal(cfg->console.port, 0x3f8);
	assert_int_equal(cfg->console.baud, 115200);
	assert_int_equal(cfg->loglevel, LOG_INFO);
	assert_int_equal(cfg->test_fault, TEST_FAULT_NONE);
}

/* ---- defaults and empty input ---- */

static void test_defaults(void **state)
{
	struct nestor_config cfg;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	config_set_defaults(&cfg);
	assert_default_config(&cfg);
}

static void test_null_and_empty(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse_n(NULL, 0, &cfg, &c));
	assert_default_config(&cfg);
	expect_clean(&c, parse_n(NULL, 1000, &cfg, &c));
	assert_default_config(&cfg);
	expect_clean(&c, parse("", &cfg, &c));
	expect_clean(&c, parse(" \t\n  \n", &cfg, &c));
	assert_default_config(&cfg);
	/* len 0 ignores whatever s holds. */
	expect_clean(&c, parse_n("loglevel=nope", 0, &cfg, &c));
	assert_default_config(&cfg);
}

static void test_null_diag_still_counts(void **state)
{
	struct nestor_config cfg;
	const char *s = "loglevel=9 foo console=0";

	(void)state;
	config_set_defaults(&cfg);
	assert_int_equal(cmdline_parse(s, strlen(s), cmdline_options,
				       cmdline_option_count, &cfg, NULL, NULL),
			 2);
	assert_default_config(&cfg);
}

static void test_stops_at_len_and_nul(void **state)
{
	static const char buf[] = "loglevel=debug\0console=com2";
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse_n(buf, sizeof(buf), &cfg, &c));
	assert_int_equal(cfg.loglevel, LOG_DEBUG);
	assert_int_equal(cfg.console.port, 0x3f8);

	/* The value is cut at len: "loglevel=deb". */
	assert_int_equal(parse_n("loglevel=debug", 12, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value 'deb' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");

	/* A NUL inside a word ends the line there. */
	assert_int_equal(parse_n("loglevel=de\0bug", 15, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value 'de' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");
}

/* ---- console= ---- */

struct console_case {
	const char *val;
	uint16_t port;
	uint32_t baud;
};

static void test_console_good(void **state)
{
	static const struct console_case cases[] = {
		{ "com1", 0x3f8, 115200 },
		{ "com2", 0x2f8, 115200 },
		{ "com3", 0x3e8, 115200 },
		{ "com4", 0x2e8, 115200 },
		{ "0x3f8", 0x3f8, 115200 },
		{ "0x3F8", 0x3f8, 115200 },
		{ "0X2e8", 0x2e8, 115200 },
		{ "1016", 0x3f8, 115200 },
		{ "1", 1, 115200 },
		{ "0x1", 1, 115200 },
		{ "0xfff8", 0xfff8, 115200 },
		{ "65528", 0xfff8, 115200 },
		{ "com2,57600", 0x2f8, 57600 },
		{ "com1,300", 0x3f8, 300 },
		{ "com1,115200", 0x3f8, 115200 },
		{ "com4,9600", 0x2e8, 9600 },
		{ "0x2f8,19200", 0x2f8, 19200 },
		{ "com1,0x4b0", 0x3f8, 1200 },
		{ "com1,000300", 0x3f8, 300 },
		{ "com1,320", 0x3f8, 320 },	/* 115200 / 360 */
	};
	char line[64];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "console=%s", cases[i].val);
		expect_clean(&c, parse(line, &cfg, &c));
		assert_int_equal(cfg.console.port, cases[i].port);
		assert_int_equal(cfg.console.baud, cases[i].baud);
		assert_int_equal(cfg.loglevel, LOG_INFO);
	}
}

static void test_console_bad(void **state)
{
	static const char *const bad[] = {
		"", "com0", "com5", "COM1", "com", "com1x", "com12",
		"0", "0x0", "00", "0x", "0x10000", "65536", "0xfff9", "65529",
		"-1", "+1", "1.5", "0x3f8h", "3f8",
		"99999999999999999999", "0x1ffffffffffffffff",
		"com1,", "com1,0", "com1,7", "com1,115201", "com1,299",
		"com1,150", "com1,230400", "com1,301", "com1,9600,1",
		"com1,,9600", ",9600", "com1,99999999999999999999",
		"com1,-9600", "com1,abc", "com1,0x", "com1,1e3", "com1;9600",
	};
	char line[128], want[MAX_MSG];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A bad value leaves the earlier good one in place. */
		snprintf(line, sizeof(line), "console=com2,9600 console=%s",
			 bad[i]);
		snprintf(want, sizeof(want),
			 "bad value '%s' for option 'console' (accepted: "
			 CONSOLE_ACC ")", bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
		assert_int_equal(c.n, 1);
		expect_diag(&c, 0, CMDLINE_ERROR, want);
		assert_int_equal(cfg.console.port, 0x2f8);
		assert_int_equal(cfg.console.baud, 9600);
	}
}

static void test_console_later_wins_and_baud_resets(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("console=com2,9600 console=com3", &cfg, &c));
	assert_int_equal(cfg.console.port, 0x3e8);
	assert_int_equal(cfg.console.baud, 115200);
}

/* ---- loglevel= ---- */

static void test_loglevel_good(void **state)
{
	static const struct {
		const char *val;
		enum log_level level;
	} cases[] = {
		{ "quiet", LOG_QUIET }, { "error", LOG_ERROR },
		{ "warn", LOG_WARN }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG }, { "0", LOG_QUIET }, { "1", LOG_ERROR },
		{ "2", LOG_WARN }, { "3", LOG_INFO }, { "4", LOG_DEBUG },
		{ "0x4", LOG_DEBUG }, { "00", LOG_QUIET },
	};
	char line[64];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Start from a level other than the expected one. */
		snprintf(line, sizeof(line), "loglevel=%s loglevel=%s",
			 cases[i].level == LOG_DEBUG ? "quiet" : "debug",
			 cases[i].val);
		expect_clean(&c, parse(line, &cfg, &c));
		assert_int_equal(cfg.loglevel, cases[i].level);
	}
}

static void test_loglevel_bad(void **state)
{
	static const char *const bad[] = {
		"", "5", "0x5", "INFO", "Debug", "-1", "info,", "warning",
		"infox", "inf", "99999999999999999999", "0x", "4 ",
	};
	char line[64], want[MAX_MSG];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Quoted, so that "4 " keeps its space. */
		snprintf(line, sizeof(line), "loglevel=\"%s\"", bad[i]);
		snprintf(want, sizeof(want),
			 "bad value '%s' for option 'loglevel' (accepted: "
			 LOGLEVEL_ACC ")", bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	}
}

/* ---- test_fault= ---- */

/* The number of words in an accepted text "a, b, c or d". */
static size_t accepted_words(const char *acc)
{
	size_t n = 1;

	for (; *acc; acc++)
		if (*acc == ',' || strncmp(acc, " or ", 4) == 0)
			n++;
	return n;
}

static void test_test_fault_good(void **state)
{
	static const struct {
		const char *val;
		enum test_fault fault;
	} cases[] = {
		{ "pf", TEST_FAULT_PF }, { "ud", TEST_FAULT_UD },
		{ "de", TEST_FAULT_DE }, { "gp", TEST_FAULT_GP },
		{ "panic", TEST_FAULT_PANIC }, { "none", TEST_FAULT_NONE },
		{ "vmx_panic", TEST_FAULT_VMX_PANIC },
	};
	char line[64];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	/* One case per word the registry accepts: a new fault needs one. */
	assert_int_equal(sizeof(cases) / sizeof(cases[0]),
			 accepted_words(FAULT_ACC));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "test_fault=gp test_fault=%s",
			 cases[i].val);
		expect_clean(&c, parse(line, &cfg, &c));
		assert_int_equal(cfg.test_fault, cases[i].fault);
	}
}

static void test_test_fault_bad(void **state)
{
	static const char *const bad[] = {
		"", "PF", "0", "1", "pf,ud", "panic!", "nonee", "p",
	};
	char line[64], want[MAX_MSG];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "test_fault=%s", bad[i]);
		snprintf(want, sizeof(want),
			 "bad value '%s' for option 'test_fault' (accepted: "
			 FAULT_ACC ")", bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	}
}

/* ---- test_vmxon_fault= and test_break_guest= ---- */

static void test_test_vmxon_fault(void **state)
{
	static const struct { const char *val; bool on; } good[] = {
		{ "1", true }, { "yes", true }, { "0", false }, { "no", false },
	};
	static const char *const bad[] = { "", "2", "YES", "true", "on" };
	char line[64], want[MAX_MSG];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "test_vmxon_fault=%s", good[i].val);
		expect_clean(&c, parse(line, &cfg, &c));
		assert_int_equal(cfg.test_vmxon_fault, good[i].on);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "test_vmxon_fault=%s", bad[i]);
		snprintf(want, sizeof(want),
			 "bad value '%s' for option 'test_vmxon_fault' (accepted: 0, 1, no or yes)",
			 bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	}
}

static void test_test_break_guest(void **state)
{
	static const char *const good[] = { "rflags", "cs_ar", "cr4", "host_cr4" };
	static const char *const bad[] = { "", "rip", "RFLAGS", "rflags2", "cr" };
	char line[64], want[MAX_MSG];
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "test_break_guest=%s", good[i]);
		expect_clean(&c, parse(line, &cfg, &c));
		assert_string_equal(cfg.test_break_guest, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "test_break_guest=%s", bad[i]);
		snprintf(want, sizeof(want),
			 "bad value '%s' for option 'test_break_guest' (accepted: rflags, cs_ar, cr4 or host_cr4)",
			 bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	}
}

/* ---- words, names and values ---- */

static void test_bare_known_name_needs_value(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("console", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "option 'console' needs a value (accepted: "
			   CONSOLE_ACC ")");
	assert_int_equal(parse("  test_fault  ", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "option 'test_fault' needs a value (accepted: "
			   FAULT_ACC ")");
}

static void test_unknown_is_warning_only(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("foo=bar loglevel=debug baz", &cfg, &c), 0);
	assert_int_equal(c.n, 2);
	expect_diag(&c, 0, CMDLINE_WARNING, "unknown option 'foo' ignored");
	expect_diag(&c, 1, CMDLINE_WARNING, "unknown option 'baz' ignored");
	assert_int_equal(cfg.loglevel, LOG_DEBUG);

	/* Names are case-sensitive. */
	assert_int_equal(parse("LogLevel=debug", &cfg, &c), 0);
	expect_one_default(&c, &cfg, CMDLINE_WARNING,
			   "unknown option 'LogLevel' ignored");
	/* A prefix or extension of a name is another name. */
	assert_int_equal(parse("log=debug loglevels=debug", &cfg, &c), 0);
	assert_int_equal(c.n, 2);
	expect_diag(&c, 0, CMDLINE_WARNING, "unknown option 'log' ignored");
	expect_diag(&c, 1, CMDLINE_WARNING,
		    "unknown option 'loglevels' ignored");
	assert_default_config(&cfg);
}

static void test_missing_name(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("=debug", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "missing option name before '=' at offset 0");
	assert_int_equal(parse("loglevel=warn  =", &cfg, &c), 1);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "missing option name before '=' at offset 15");
	assert_int_equal(cfg.loglevel, LOG_WARN);
}

static void test_value_with_equals(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("loglevel==debug", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value '=debug' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");
}

static void test_separators(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("\t loglevel=debug\tconsole=com2\n\ntest_fault=gp \n",
			       &cfg, &c));
	assert_int_equal(cfg.loglevel, LOG_DEBUG);
	assert_int_equal(cfg.console.port, 0x2f8);
	assert_int_equal(cfg.test_fault, TEST_FAULT_GP);
}

static void test_duplicates_later_wins(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("loglevel=debug loglevel=quiet", &cfg, &c));
	assert_int_equal(cfg.loglevel, LOG_QUIET);
	expect_clean(&c, parse("test_fault=pf test_fault=none", &cfg, &c));
	assert_int_equal(cfg.test_fault, TEST_FAULT_NONE);
}

static void test_multiple_errors_counted(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("loglevel=9 foo console=com9 test_fault=x bar=1 console",
			       &cfg, &c), 4);
	assert_int_equal(c.n, 6);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "bad value '9' for option 'loglevel' (accepted: "
		    LOGLEVEL_ACC ")");
	expect_diag(&c, 1, CMDLINE_WARNING, "unknown option 'foo' ignored");
	expect_diag(&c, 2, CMDLINE_ERROR,
		    "bad value 'com9' for option 'console' (accepted: "
		    CONSOLE_ACC ")");
	expect_diag(&c, 3, CMDLINE_ERROR,
		    "bad value 'x' for option 'test_fault' (accepted: "
		    FAULT_ACC ")");
	expect_diag(&c, 4, CMDLINE_WARNING, "unknown option 'bar' ignored");
	expect_diag(&c, 5, CMDLINE_ERROR,
		    "option 'console' needs a value (accepted: "
		    CONSOLE_ACC ")");
	assert_default_config(&cfg);
}

/* ---- quoting ---- */

static void test_quoted_values(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("console=\"com2,9600\" loglevel=\"debug\"",
			       &cfg, &c));
	assert_int_equal(cfg.console.port, 0x2f8);
	assert_int_equal(cfg.console.baud, 9600);
	assert_int_equal(cfg.loglevel, LOG_DEBUG);

	assert_int_equal(parse("loglevel=\"de bug\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value 'de bug' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");
	assert_int_equal(parse("loglevel=\"\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value '' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");
	/* A quoted value may hold separators of any kind. */
	assert_int_equal(parse("loglevel=\"a\tb\nc\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "bad value 'a\tb\nc' for option 'loglevel' (accepted: "
			   LOGLEVEL_ACC ")");
	/* Unknown option with a quoted value: a warning, value skipped. */
	assert_int_equal(parse("foo=\"a b=c\" loglevel=warn", &cfg, &c), 0);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_WARNING, "unknown option 'foo' ignored");
	assert_int_equal(cfg.loglevel, LOG_WARN);
}

static void test_unterminated_quote(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("loglevel=\"debug", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unterminated quote at offset 9");
	/* It swallows the rest of the line. */
	assert_int_equal(parse("test_fault=ud loglevel=\"debug console=com2",
			       &cfg, &c), 1);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_ERROR, "unterminated quote at offset 23");
	assert_int_equal(cfg.test_fault, TEST_FAULT_UD);
	assert_int_equal(cfg.console.port, 0x3f8);
	/* A lone quote as the whole value, at the very end. */
	assert_int_equal(parse("loglevel=\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unterminated quote at offset 9");
	/* It wins over a bad byte seen before it is known unterminated. */
	assert_int_equal(parse("loglevel=\"\x01", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unterminated quote at offset 9");
}

static void test_misplaced_quotes(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("loglevel=\"debug\"x console=com2", &cfg, &c), 1);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "unexpected character after the closing quote at offset 16");
	assert_int_equal(cfg.loglevel, LOG_INFO);
	assert_int_equal(cfg.console.port, 0x2f8);

	assert_int_equal(parse("log\"level=debug", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unexpected '\"' at offset 3 (only a whole value may be quoted: name=\"value\")");
	assert_int_equal(parse("loglevel=de\"bug\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unexpected '\"' at offset 11 (only a whole value may be quoted: name=\"value\")");
	assert_int_equal(parse("\"loglevel=debug\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unexpected '\"' at offset 0 (only a whole value may be quoted: name=\"value\")");
	/* Two quoted pieces glued together. */
	assert_int_equal(parse("loglevel=\"de\"\"bug\"", &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "unexpected character after the closing quote at offset 13");
}

/* ---- kernel path ---- */

static void test_kernel_path_first_word(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("/boot/nestor.elf loglevel=debug", &cfg, &c));
	assert_int_equal(cfg.loglevel, LOG_DEBUG);
	expect_clean(&c, parse("  \t/boot/nestor.elf", &cfg, &c));
	assert_default_config(&cfg);
	expect_clean(&c, parse("/", &cfg, &c));
}

static void test_kernel_path_only_first(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("loglevel=debug /boot/nestor.elf", &cfg, &c), 0);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_WARNING,
		    "unknown option '/boot/nestor.elf' ignored");
	assert_int_equal(cfg.loglevel, LOG_DEBUG);

	assert_int_equal(parse("/boot/a /boot/b", &cfg, &c), 0);
	expect_one_default(&c, &cfg, CMDLINE_WARNING,
			   "unknown option '/boot/b' ignored");
	/* With an '=' it is an option, not a path. */
	assert_int_equal(parse("/path=1", &cfg, &c), 0);
	expect_one_default(&c, &cfg, CMDLINE_WARNING,
			   "unknown option '/path' ignored");
	/* Without the leading '/' it is an option too. */
	assert_int_equal(parse("nestor.elf", &cfg, &c), 0);
	expect_one_default(&c, &cfg, CMDLINE_WARNING,
			   "unknown option 'nestor.elf' ignored");
	/* After a malformed first word, a path is no longer first. */
	assert_int_equal(parse("=x /boot/n", &cfg, &c), 1);
	assert_int_equal(c.n, 2);
	expect_diag(&c, 1, CMDLINE_WARNING, "unknown option '/boot/n' ignored");
	/* The path itself must still be clean. */
	assert_int_equal(parse("/boot/ne\x01stor loglevel=warn", &cfg, &c), 1);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "invalid byte 0x01 at offset 8 of the command line");
	assert_int_equal(cfg.loglevel, LOG_WARN);
}

/* ---- hostile bytes and lengths ---- */

static void test_control_and_high_bytes(void **state)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "loglevel=de\x01" "bug",
		  "invalid byte 0x01 at offset 11 of the command line" },
		{ "loglevel=debug\x7f",
		  "invalid byte 0x7f at offset 14 of the command line" },
		{ "loglevel=\x80",
		  "invalid byte 0x80 at offset 9 of the command line" },
		{ "\xff",
		  "invalid byte 0xff at offset 0 of the command line" },
		{ "loglevel=debug\r",
		  "invalid byte 0x0d at offset 14 of the command line" },
		{ "log\x1b" "level=debug",
		  "invalid byte 0x1b at offset 3 of the command line" },
		{ "  loglevel=\"de\x02" "bug\"",
		  "invalid byte 0x02 at offset 14 of the command line" },
		{ "loglevel=\x0b\x0c",	/* vertical tab, form feed */
		  "invalid byte 0x0b at offset 9 of the command line" },
		{ "\x1f",
		  "invalid byte 0x1f at offset 0 of the command line" },
	};
	struct nestor_config cfg;
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].line, &cfg, &c), 1);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, cases[i].msg);
	}
	/* One error per word, the next word still parsed. */
	assert_int_equal(parse("a\x01\x02=\x03 loglevel=quiet b=\x80", &cfg,
			       &c), 2);
	assert_int_equal(c.n, 2);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "invalid byte 0x01 at offset 1 of the command line");
	expect_diag(&c, 1, CMDLINE_ERROR,
		    "invalid byte 0x80 at offset 23 of the command line");
	assert_int_equal(cfg.loglevel, LOG_QUIET);
	/* The most printable bytes are fine: space and '~'. */
	assert_int_equal(parse("~=\" ~\"", &cfg, &c), 0);
	expect_one_default(&c, &cfg, CMDLINE_WARNING,
			   "unknown option '~' ignored");
}

static void fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

static void test_long_words(void **state)
{
	char line[600], want[MAX_MSG], a48[49];
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	fill(a48, 'a', 48);

	/* A 255-byte unknown name: quoted back cut to 48 bytes. */
	fill(line, 'a', 255);
	assert_int_equal(parse(line, &cfg, &c), 0);
	snprintf(want, sizeof(want), "unknown option '%s...' ignored", a48);
	expect_one_default(&c, &cfg, CMDLINE_WARNING, want);

	/* 256 bytes is an error, not a truncation. */
	fill(line, 'a', 256);
	assert_int_equal(parse(line, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "word at offset 0 is too long (256 bytes, max 255)");

	/* 48 bytes: quoted whole; 49: cut with "...". */
	fill(line, 'a', 48);
	assert_int_equal(parse(line, &cfg, &c), 0);
	snprintf(want, sizeof(want), "unknown option '%s' ignored", a48);
	expect_one_default(&c, &cfg, CMDLINE_WARNING, want);
	fill(line, 'a', 49);
	assert_int_equal(parse(line, &cfg, &c), 0);
	snprintf(want, sizeof(want), "unknown option '%s...' ignored", a48);
	expect_one_default(&c, &cfg, CMDLINE_WARNING, want);

	/* A 255-byte word with a long bad value. */
	strcpy(line, "loglevel=");
	fill(line + 9, 'a', 246);
	assert_int_equal(parse(line, &cfg, &c), 1);
	snprintf(want, sizeof(want),
		 "bad value '%s...' for option 'loglevel' (accepted: "
		 LOGLEVEL_ACC ")", a48);
	expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	fill(line + 9, 'a', 247);
	assert_int_equal(parse(line, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "word at offset 0 is too long (256 bytes, max 255)");

	/* Quotes count: 9 + 1 + 244 + 1 = 255 bytes. */
	strcpy(line, "loglevel=\"");
	fill(line + 10, 'a', 244);
	strcat(line, "\"");
	assert_int_equal(parse(line, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	strcpy(line, "loglevel=\"");
	fill(line + 10, 'a', 245);
	strcat(line, "\"");
	assert_int_equal(parse(line, &cfg, &c), 1);
	expect_one_default(&c, &cfg, CMDLINE_ERROR,
			   "word at offset 0 is too long (256 bytes, max 255)");

	/* A long number is too long, not silently wrapped; offset counts. */
	strcpy(line, "loglevel=warn console=");
	fill(line + 22, '1', 300);
	assert_int_equal(parse(line, &cfg, &c), 1);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_ERROR,
		    "word at offset 14 is too long (308 bytes, max 255)");
	assert_int_equal(cfg.loglevel, LOG_WARN);
	assert_int_equal(cfg.console.port, 0x3f8);
}

/* Every option's longest error message fits without being cut. */
static void test_messages_never_cut(void **state)
{
	char line[300], want[MAX_MSG], v48[49];
	struct nestor_config cfg;
	struct capture c;
	size_t i, n;

	(void)state;
	fill(v48, '~', 48);
	for (i = 0; i < cmdline_option_count; i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		n = (size_t)snprintf(line, sizeof(line), "%s=", o->name);
		fill(line + n, '~', 255 - n);
		assert_int_equal(parse(line, &cfg, &c), 1);
		if (o->explain) /* the option's own message, checked below */
			continue;
		snprintf(want, sizeof(want),
			 "bad value '%s...' for option '%s' (accepted: %s)",
			 v48, o->name, o->accepted);
		expect_one_default(&c, &cfg, CMDLINE_ERROR, want);
	}
}

/* ---- gdb= ---- */

static void test_gdb_option(void **state)
{
	static const char *const bad[] = { "com5", "com2,", "com2,wai",
					   "com2,waitx", "com2,115200", "0",
					   ",wait" };
	char line[64];
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	expect_clean(&c, parse("", &cfg, &c));
	assert_int_equal(cfg.gdb.port, 0);
	expect_clean(&c, parse("gdb=com2", &cfg, &c));
	assert_int_equal(cfg.gdb.port, 0x2f8);
	assert_false(cfg.gdb.wait);
	expect_clean(&c, parse("gdb=0x2e8,wait", &cfg, &c));
	assert_int_equal(cfg.gdb.port, 0x2e8);
	assert_true(cfg.gdb.wait);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "gdb=%s", bad[i]);
		assert_int_equal(parse(line, &cfg, &c), 1);
	}
}

/* ---- the registry ---- */

static void test_registry_rows(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(cmdline_option_count, 16);
	assert_string_equal(cmdline_options[13].name, "gdb");
	assert_string_equal(cmdline_options[0].name, "console");
	assert_string_equal(cmdline_options[1].name, "loglevel");
	assert_string_equal(cmdline_options[2].name, "guest_maxphyaddr");
	assert_string_equal(cmdline_options[3].name, "msr_filter");
	assert_string_equal(cmdline_options[4].name, "panic");
	assert_string_equal(cmdline_options[5].name, "on_guest_reset");
	assert_string_equal(cmdline_options[6].name, "nested");
	assert_string_equal(cmdline_options[7].name, "nestor_mem");
	assert_string_equal(cmdline_options[8].name, "test_fault");
	assert_string_equal(cmdline_options[11].name, "test_crash_nmi");
	assert_string_equal(cmdline_options[12].name, "test_pool_spare");
	assert_non_null(strstr(cmdline_options[12].help, "TEST ONLY"));
	assert_string_equal(cmdline_options[0].accepted, CONSOLE_ACC);
	assert_non_null(strstr(cmdline_options[8].help, "TEST ONLY"));
	assert_non_null(strstr(cmdline_options[10].help, "TEST ONLY"));
	assert_non_null(cmdline_options[3].explain);
	for (i = 0; i < cmdline_option_count; i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		assert_non_null(o->name);
		assert_non_null(o->parse);
		assert_non_null(o->accepted);
		assert_non_null(o->help);
		assert_true(strlen(o->name) > 0 && strlen(o->name) <= 32);
		assert_null(strpbrk(o->name, "= \t\n\"/"));
		assert_true(strlen(o->help) > 0);
		for (j = i + 1; j < cmdline_option_count; j++)
			assert_string_not_equal(o->name,
						cmdline_options[j].name);
	}
}

/* ---- the dispatcher with a caller's table ---- */

static const char *seen_val;
static size_t seen_len;

static int record_parse(const char *val, size_t len, struct nestor_config *cfg)
{
	seen_val = val;
	seen_len = len;
	cfg->test_fault = TEST_FAULT_PANIC;
	return 0;
}

static void test_custom_table(void **state)
{
	static const struct cmdline_option opts[] = {
		{ "x", record_parse, "anything", "records its value", NULL },
	};
	const char *s;
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	/* The parser gets a pointer into the line, unquoted, not
	 * NUL-terminated. */
	s = "x=\"ab cd\" y";
	memset(&c, 0, sizeof(c));
	config_set_defaults(&cfg);
	assert_int_equal(cmdline_parse(s, strlen(s), opts, 1, &cfg,
				       capture_diag, &c), 0);
	assert_ptr_equal(seen_val, s + 3);
	assert_int_equal(seen_len, 5);
	assert_int_equal(cfg.test_fault, TEST_FAULT_PANIC);
	assert_int_equal(c.n, 1);
	expect_diag(&c, 0, CMDLINE_WARNING, "unknown option 'y' ignored");

	/* An empty value is passed as such. */
	s = "x=";
	assert_int_equal(cmdline_parse(s, 2, opts, 1, &cfg, NULL, NULL), 0);
	assert_ptr_equal(seen_val, s + 2);
	assert_int_equal(seen_len, 0);

	/* No options at all: everything is unknown. */
	memset(&c, 0, sizeof(c));
	config_set_defaults(&cfg);
	s = "x=1 loglevel=debug";
	assert_int_equal(cmdline_parse(s, strlen(s), NULL, 5, &cfg,
				       capture_diag, &c), 0);
	assert_int_equal(c.n, 2);
	expect_diag(&c, 1, CMDLINE_WARNING,
		    "unknown option 'loglevel' ignored");
	assert_default_config(&cfg);
}

/* ---- helpers ---- */

static int uint_of(const char *s, uint64_t max, uint64_t *out)
{
	return cmdline_parse_uint(s, strlen(s), max, out);
}

static void test_parse_uint(void **state)
{
	uint64_t v = 12345;

	(void)state;
	assert_int_equal(uint_of("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(uint_of("10", 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(uint_of("11", 10, &v), -1);
	assert_int_equal(uint_of("0xA", 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(uint_of("0xb", 10, &v), -1);
	assert_int_equal(uint_of("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(uint_of("0xffffffffffffffff", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(uint_of("18446744073709551616", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("0x10000000000000000", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("99999999999999999999", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("0x", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("0X", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("x1", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("0xg", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("1a", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("+1", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("-0", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of(" 1", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("0x0x1", UINT64_MAX, &v), -1);
	assert_int_equal(uint_of("5", 0, &v), -1);
	assert_true(v == 7);	/* untouched on failure */
	assert_int_equal(uint_of("000", 0, &v), 0);
	assert_true(v == 0);
	assert_int_equal(cmdline_parse_uint(NULL, 0, 10, &v), -1);
	/* Only len bytes are read. */
	assert_int_equal(cmdline_parse_uint("12x", 2, 100, &v), 0);
	assert_true(v == 12);
}

/* guest_maxphyaddr=: 32..52 here (the CPU's width is checked at boot). */
static void test_guest_maxphyaddr(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("guest_maxphyaddr=36", &cfg, &c), 0);
	assert_int_equal(cfg.guest_maxphyaddr, 36);
	assert_int_equal(parse("guest_maxphyaddr=32", &cfg, &c), 0);
	assert_int_equal(cfg.guest_maxphyaddr, 32);
	assert_int_equal(parse("guest_maxphyaddr=0x34", &cfg, &c), 0);
	assert_int_equal(cfg.guest_maxphyaddr, 52);
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_int_equal(cfg.guest_maxphyaddr, 0); /* default: the CPU's */
	for (unsigned i = 0; i < 5; i++) {
		static const char *const bad[] = {
			"guest_maxphyaddr=31", "guest_maxphyaddr=53",
			"guest_maxphyaddr=0", "guest_maxphyaddr=-36",
			"guest_maxphyaddr=36bits",
		};

		assert_int_equal(parse(bad[i], &cfg, &c), 1);
		assert_int_equal(cfg.guest_maxphyaddr, 0);
		assert_non_null(strstr(c.msg[0], "option 'guest_maxphyaddr'"));
		assert_non_null(strstr(c.msg[0], "32..52"));
	}
}

/* nestor_mem=: MiB in 2..3072; whether the RAM exists is checked at boot. */
static void test_nestor_mem(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("nestor_mem=64", &cfg, &c), 0);
	assert_int_equal(cfg.nestor_mem_mib, 64);
	assert_int_equal(parse("nestor_mem=2", &cfg, &c), 0);
	assert_int_equal(cfg.nestor_mem_mib, 2);
	assert_int_equal(parse("nestor_mem=3072", &cfg, &c), 0);
	assert_int_equal(cfg.nestor_mem_mib, 3072);
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_int_equal(cfg.nestor_mem_mib, 0); /* default: from RAM */
	for (unsigned i = 0; i < 5; i++) {
		static const char *const bad[] = {
			"nestor_mem=1", "nestor_mem=3073", "nestor_mem=0",
			"nestor_mem=64M", "nestor_mem=",
		};

		assert_int_equal(parse(bad[i], &cfg, &c), 1);
		assert_int_equal(cfg.nestor_mem_mib, 0);
		assert_non_null(strstr(c.msg[0], "option 'nestor_mem'"));
		assert_non_null(strstr(c.msg[0], "2..3072 (MiB)"));
	}
}

static void test_pool_spare_option(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("test_pool_spare=3", &cfg, &c), 0);
	assert_int_equal(cfg.test_pool_spare, 3);
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_int_equal(cfg.test_pool_spare, 0);
	assert_int_equal(parse("test_pool_spare=0", &cfg, &c), 1);
	assert_int_equal(parse("test_pool_spare=4097", &cfg, &c), 1);
	assert_non_null(strstr(c.msg[0], "1..4096 (pages)"));
	assert_int_equal(cfg.test_pool_spare, 0);
}

/* msr_filter=: parsed into the config; a bad one is an error that names
 * the offending item (vmx/msr_filter.c's message), and leaves no filter. */
static void test_msr_filter_option(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("msr_filter=allow,deny:w:0x10", &cfg, &c), 0);
	assert_true(cfg.msr_filter.present);
	assert_int_equal(cfg.msr_filter.nranges, 1);
	assert_int_equal(cfg.msr_filter.range[0].first, 0x10);
	assert_false(cfg.msr_filter.range[0].allow);

	assert_int_equal(parse("msr_filter=deny", &cfg, &c), 1);
	assert_false(cfg.msr_filter.present);
	assert_int_equal(c.sev[0], CMDLINE_ERROR);
	assert_non_null(strstr(c.msg[0], "msr_filter"));
	assert_non_null(strstr(c.msg[0], "no ranges"));

	assert_int_equal(parse("msr_filter=allow,allow:x:0x10", &cfg, &c), 1);
	assert_false(cfg.msr_filter.present);
	assert_non_null(strstr(c.msg[0], "'allow:x:0x10'"));

	/* The later word wins, as for every option; a bad later word keeps
	 * the earlier good filter but the boot stops on the error anyway. */
	assert_int_equal(parse("msr_filter=deny,allow:r:0x10 msr_filter=allow",
			       &cfg, &c), 0);
	assert_true(cfg.msr_filter.present);
	assert_true(cfg.msr_filter.default_allow);
	assert_int_equal(cfg.msr_filter.nranges, 0);
}

/* nested=: on (default) or off, nothing else. */
static void test_nested_option(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_true(cfg.nested);
	assert_int_equal(parse("nested=off", &cfg, &c), 0);
	assert_false(cfg.nested);
	assert_int_equal(parse("nested=off nested=on", &cfg, &c), 0);
	assert_true(cfg.nested);
	assert_int_equal(parse("nested=yes", &cfg, &c), 1);
	assert_int_equal(parse("nested=", &cfg, &c), 1);
	assert_int_equal(parse("nested=0", &cfg, &c), 1);
}

/* console_share=: a keyword; console_escape=: a control character that is
 * not CR, LF or BS. */
static void test_console_share_options(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_false(cfg.console_passthrough);
	assert_int_equal(cfg.console_escape, 0x01);
	assert_int_equal(parse("console_share=passthrough", &cfg, &c), 0);
	assert_true(cfg.console_passthrough);
	assert_int_equal(parse("console_share=passthrough console_share=emulate", &cfg, &c), 0);
	assert_false(cfg.console_passthrough);
	assert_int_equal(parse("console_share=off", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=0x1d", &cfg, &c), 0);
	assert_int_equal(cfg.console_escape, 0x1d);
	assert_int_equal(parse("console_escape=2", &cfg, &c), 0);
	assert_int_equal(cfg.console_escape, 2);
	assert_int_equal(parse("console_escape=0", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=0x0d", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=0x0a", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=0x08", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=0x20", &cfg, &c), 1);
	assert_int_equal(parse("console_escape=a", &cfg, &c), 1);
}

/* panic=, on_guest_reset=, test_crash_nmi=: keywords only. */
static void test_crash_options(void **state)
{
	struct nestor_config cfg;
	struct capture c;

	(void)state;
	assert_int_equal(parse("", &cfg, &c), 0);
	assert_false(cfg.panic_reboot);
	assert_false(cfg.guest_reset_restart);
	assert_int_equal(cfg.test_crash_nmi, 0);
	assert_int_equal(parse("panic=reboot on_guest_reset=restart test_crash_nmi=guest",
			       &cfg, &c), 0);
	assert_true(cfg.panic_reboot);
	assert_true(cfg.guest_reset_restart);
	assert_int_equal(cfg.test_crash_nmi, 3);
	assert_int_equal(parse("panic=halt on_guest_reset=poweroff test_crash_nmi=vmclear",
			       &cfg, &c), 0);
	assert_false(cfg.panic_reboot);
	assert_false(cfg.guest_reset_restart);
	assert_int_equal(cfg.test_crash_nmi, 2);
	assert_int_equal(parse("test_crash_nmi=l2", &cfg, &c), 0);
	assert_int_equal(cfg.test_crash_nmi, 4);
	assert_int_equal(parse("test_crash_nmi=vmptrld", &cfg, &c), 0);
	assert_int_equal(cfg.test_crash_nmi, 1);
	assert_int_equal(parse("test_crash_nmi=guest test_crash_nmi=none", &cfg, &c), 0);
	assert_int_equal(cfg.test_crash_nmi, 0);
	assert_int_equal(parse("panic=restart", &cfg, &c), 1);
	assert_non_null(strstr(c.msg[0], "halt or reboot"));
	assert_int_equal(parse("on_guest_reset=reboot", &cfg, &c), 1);
	assert_int_equal(parse("test_crash_nmi=VMCLEAR", &cfg, &c), 1);
}

static void test_keywords(void **state)
{
	static const struct cmdline_keyword kw[] = {
		{ "a", 1 }, { "ab", 2 }, { "", 3 },
	};
	int v = -5;

	(void)state;
	assert_true(cmdline_value_is("abc", 3, "abc"));
	assert_false(cmdline_value_is("abc", 2, "abc"));
	assert_false(cmdline_value_is("abc", 3, "ab"));
	assert_true(cmdline_value_is("abc", 2, "ab"));
	assert_true(cmdline_value_is(NULL, 0, ""));
	assert_false(cmdline_value_is(NULL, 0, "a"));

	assert_int_equal(cmdline_match_keyword("ab", 2, kw, 3, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(cmdline_match_keyword("ab", 1, kw, 3, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cmdline_match_keyword("", 0, kw, 3, &v), 0);
	assert_int_equal(v, 3);
	v = -5;
	assert_int_equal(cmdline_match_keyword("b", 1, kw, 3, &v), -1);
	assert_int_equal(cmdline_match_keyword("ab", 2, kw, 0, &v), -1);
	assert_int_equal(v, -5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_null_diag_still_counts),
		cmocka_unit_test(test_stops_at_len_and_nul),
		cmocka_unit_test(test_console_good),
		cmocka_unit_test(test_gdb_option),
		cmocka_unit_test(test_console_bad),
		cmocka_unit_test(test_console_later_wins_and_baud_resets),
		cmocka_unit_test(test_loglevel_good),
		cmocka_unit_test(test_loglevel_bad),
		cmocka_unit_test(test_test_fault_good),
		cmocka_unit_test(test_test_fault_bad),
		cmocka_unit_test(test_test_vmxon_fault),
		cmocka_unit_test(test_test_break_guest),
		cmocka_unit_test(test_bare_known_name_needs_value),
		cmocka_unit_test(test_unknown_is_warning_only),
		cmocka_unit_test(test_missing_name),
		cmocka_unit_test(test_value_with_equals),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_duplicates_later_wins),
		cmocka_unit_test(test_multiple_errors_counted),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_misplaced_quotes),
		cmocka_unit_test(test_kernel_path_first_word),
		cmocka_unit_test(test_kernel_path_only_first),
		cmocka_unit_test(test_control_and_high_bytes),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_messages_never_cut),
		cmocka_unit_test(test_registry_rows),
		cmocka_unit_test(test_custom_table),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_guest_maxphyaddr),
		cmocka_unit_test(test_nestor_mem),
		cmocka_unit_test(test_pool_spare_option),
		cmocka_unit_test(test_msr_filter_option),
		cmocka_unit_test(test_nested_option),
		cmocka_unit_test(test_crash_options),
		cmocka_unit_test(test_console_share_options),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
