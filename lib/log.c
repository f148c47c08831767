/* Levelled logging: formats with lib/format straight into the console sink. */
#include "lib/log.h"
#include "lib/format.h"

static log_sink_fn log_sink;
static enum log_level log_level = LOG_INFO;

void log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

static void emit_to_sink(void *ctx, char c)
{
	(void)ctx;
	log_sink(c);
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	if (!log_sink || (level != LOG_QUIET && level > log_level))
		return;
	fmt_vformat(emit_to_sink, NULL, fmt, ap);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
