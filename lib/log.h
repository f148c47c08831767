/* Levelled console logging on top of lib/format. */
#ifndef NESTOR_LIB_LOG_H
#define NESTOR_LIB_LOG_H

#include <stdarg.h>
#include "lib/compiler.h"

/* The console's levels and their names, the one list for loglevel= on the
 * command line (boot/cmdline_options.c) and the shell's `loglevel`
 * (vmx/shell_parse.c). X(ENUM, name, value) */
#define LOG_LEVELS(X)              \
	X(LOG_QUIET, "quiet", 0)   \
	X(LOG_ERROR, "error", 1)   \
	X(LOG_WARN, "warn", 2)     \
	X(LOG_INFO, "info", 3)     \
	X(LOG_DEBUG, "debug", 4)

enum log_level {
#define X(e, name, value) e = value,
	LOG_LEVELS(X)
#undef X
};

typedef void (*log_sink_fn)(char c);

void log_set_sink(log_sink_fn sink);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Printed when `level` <= the configured level; LOG_QUIET always prints. */
void log_printf(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
