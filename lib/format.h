/* printf-style formatting for the hypervisor console (pure code, no I/O).
 *
 * Supported, with ISO C11 7.21.6.1 (fprintf) semantics: conversions
 * d i u x X o p s c %; flags - 0 + space #; field width and precision as
 * digits or '*'; length modifiers hh h l ll z t j.  Deliberate differences
 * from C, all in cases C leaves undefined:
 *  - %p prints "0x" plus 2*sizeof(void *) hex digits (NULL included), so
 *    addresses line up in dumps; only width and '-' affect it.
 *  - %s with NULL prints "(null)" (precision still truncates it).
 *  - An unknown or malformed conversion ("%q", "%n", "%f", "%ls", a trailing
 *    lone "%") is copied to the output literally and reads no argument.
 *  - Field width is clamped to FMT_MAX_WIDTH and integer precision to
 *    FMT_MAX_PRECISION, so hostile formats cannot make huge output.
 *  - The result is -1 if the output length would not fit in an int
 *    (POSIX EOVERFLOW), or if emit/buf/fmt is NULL where it is needed. */
#ifndef NESTOR_LIB_FORMAT_H
#define NESTOR_LIB_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/compiler.h"

#define FMT_MAX_WIDTH 4096
#define FMT_MAX_PRECISION 4096

/* Receives one output character; ctx is passed through unchanged. */
typedef void (*fmt_emit_fn)(void *ctx, char c);

/* Format to a character sink.  Returns the number of characters emitted,
 * or -1 on a NULL emit/fmt or a count above INT_MAX. */
int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/* C11 7.21.6.12 vsnprintf semantics: writes at most size-1 characters and
 * a NUL terminator when size > 0 (buf may be NULL only when size == 0);
 * returns the length the full output would have had, not counting the
 * NUL, or -1 as for fmt_vformat (buf NULL with size > 0 is also -1). */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* C11 7.21.6.5 snprintf; see fmt_vsnprintf. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* For checkers that explain a refusal: formats the reason into err (if
 * err and errlen are set) and returns -1. */
int fmt_fail(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Output built in pieces into one caller buffer (dumps, help text):
 * fmt_append() adds to what is there, truncating as snprintf does, and
 * fmt_buf_result() is the length of everything appended (which may exceed
 * size), or -1 if a piece failed. fmt_buf_start() begins with an empty
 * string in buf (which may be NULL when size is 0). */
struct fmt_buf {
	char *buf;
	size_t size;
	size_t len;
	bool failed;
};

struct fmt_buf fmt_buf_start(char *buf, size_t size);
void fmt_append(struct fmt_buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
int fmt_buf_result(const struct fmt_buf *b);

#endif
