/* Fuzz target: arbitrary bytes as the hypervisor command line, parsed
 * against the real option registry. Checks that parsing always returns,
 * that every diagnostic is a short NUL-terminated printable message, and
 * that the resulting config is always valid. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/config.h"

#define MSG_LIMIT 320	/* the dispatcher's message buffer */

struct fuzz_ctx {
	int errors;
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void fuzz_diag(void *ctx, enum cmdline_severity sev, const char *msg)
{
	struct fuzz_ctx *f = ctx;
	size_t len = strnlen(msg, MSG_LIMIT);

	size_t i;

	check(len > 0 && len < MSG_LIMIT);
	/* Bad bytes are reported by offset, never echoed; only separators
	 * from a quoted value may appear besides printable ASCII. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];

		check((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n');
	}
	check(sev == CMDLINE_WARNING || sev == CMDLINE_ERROR ||
	      sev == CMDLINE_NOTICE);
	if (sev == CMDLINE_ERROR)
		f->errors++;
}

/* The rules the registry's parsers promise (see boot/cmdline_options.c). */
static void check_config(const struct nestor_config *cfg)
{
	check(cfg->console.port >= 1 && cfg->console.port <= 0xfff8);
	check(cfg->console.baud >= 300 && cfg->console.baud <= 115200);
	check(115200 % cfg->console.baud == 0);
	check(cfg->loglevel >= LOG_QUIET && cfg->loglevel <= LOG_DEBUG);
	check(cfg->test_fault >= TEST_FAULT_NONE &&
	      cfg->test_fault <= TEST_FAULT_PANIC);
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
	check_config(&cfg);
	return 0;
}
