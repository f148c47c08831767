/* printf-style formatter: turns a format string and arguments into a stream
 * of characters for a caller-supplied sink (see lib/format.h).
 *
 * References are to ISO C11 7.21.6.1 (the fprintf function); pN is the
 * paragraph number. */
#include <stdbool.h>
#include <stdint.h>

#include "lib/format.h"
#include "lib/string.h"

#define INT_MAX_VALUE ((int)(~0u >> 1))

/* p6: flag characters. */
#define FLAG_LEFT  (1u << 0)	/* '-' */
#define FLAG_ZERO  (1u << 1)	/* '0' */
#define FLAG_PLUS  (1u << 2)	/* '+' */
#define FLAG_SPACE (1u << 3)	/* ' ' */
#define FLAG_ALT   (1u << 4)	/* '#' */

/* p7: length modifiers. */
enum fmt_length {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

#define PRECISION_NONE (-1)

/* One parsed conversion specification (p4). */
struct fmt_spec {
	unsigned int flags;
	int width;
	int precision;		/* PRECISION_NONE when omitted */
	bool width_star;
	bool precision_star;
	enum fmt_length length;
	char conv;		/* '\0' if the format string ended first */
};

/* Where characters go, and how many went there. */
struct fmt_out {
	fmt_emit_fn emit;
	void *ctx;
	size_t count;
};

/* Octal needs the most digits: ceil(bits / 3). */
#define MAX_DIGITS ((sizeof(uintmax_t) * 8 + 2) / 3)

/* %tu reads a size_t and %zd a ptrdiff_t: they must share one size. */
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "size_t vs ptrdiff_t");

static void out_char(struct fmt_out *out, char c)
{
	out->emit(out->ctx, c);
	if (out->count < SIZE_MAX)
		out->count++;
}

static void out_repeat(struct fmt_out *out, char c, size_t n)
{
	while (n--)
		out_char(out, c);
}

static void out_mem(struct fmt_out *out, const char *s, size_t n)
{
	while (n--)
		out_char(out, *s++);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse a decimal number, saturating at cap instead of overflowing. */
static const char *parse_number(const char *p, int cap, int *out)
{
	int v = 0;

	while (is_digit(*p)) {
		int d = *p++ - '0';

		v = v > (cap - d) / 10 ? cap : v * 10 + d;
	}
	*out = v;
	return p;
}

/* p6: any number of flags, in any order. */
static const char *parse_flags(const char *p, unsigned int *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-': *flags |= FLAG_LEFT; break;
		case '0': *flags |= FLAG_ZERO; break;
		case '+': *flags |= FLAG_PLUS; break;
		case ' ': *flags |= FLAG_SPACE; break;
		case '#': *flags |= FLAG_ALT; break;
		default: return p;
		}
	}
}

/* p5: width is '*' or a decimal integer (no leading 0: that is a flag). */
static const char *parse_width(const char *p, struct fmt_spec *spec)
{
	if (*p == '*') {
		spec->width_star = true;
		return p + 1;
	}
	return parse_number(p, FMT_MAX_WIDTH, &spec->width);
}

/* p5: '.' then '*' or an optional decimal integer ("." alone means 0). */
static const char *parse_precision(const char *p, struct fmt_spec *spec)
{
	if (*p != '.')
		return p;
	p++;
	if (*p == '*') {
		spec->precision_star = true;
		return p + 1;
	}
	return parse_number(p, INT_MAX_VALUE, &spec->precision);
}

/* p7: hh h l ll z t j (L and q are not supported). */
static const char *parse_length(const char *p, enum fmt_length *length)
{
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*length = LEN_HH;
			return p + 2;
		}
		*length = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*length = LEN_LL;
			return p + 2;
		}
		*length = LEN_L;
		return p + 1;
	case 'z': *length = LEN_Z; return p + 1;
	case 't': *length = LEN_T; return p + 1;
	case 'j': *length = LEN_J; return p + 1;
	default: return p;
	}
}

/* Parse the specification after a '%' (p4).  Returns the first character
 * after it; spec->conv is '\0' if the string ended before a conversion. */
static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){ .precision = PRECISION_NONE };
	p = parse_flags(p, &spec->flags);
	p = parse_width(p, spec);
	p = parse_precision(p, spec);
	p = parse_length(p, &spec->length);
	spec->conv = *p;
	return *p ? p + 1 : p;
}

/* Only the conversions we implement are valid; length modifiers only with
 * integer conversions (we have no wide characters, p7 "l" with c/s); and
 * "%%" only bare (p8: "the complete conversion specification shall be %%").
 * Anything else is undefined in C (p9) and is printed literally here. */
static bool spec_is_supported(const struct fmt_spec *spec, size_t spec_len)
{
	switch (spec->conv) {
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		return true;
	case 'c': case 's': case 'p':
		return spec->length == LEN_NONE;
	case '%':
		return spec_len == 2;
	default:
		return false;
	}
}

/* p5: a negative '*' width is a '-' flag plus a positive width. */
static void fetch_width(struct fmt_spec *spec, va_list *ap)
{
	int w = va_arg(*ap, int);

	if (w < 0) {
		spec->flags |= FLAG_LEFT;
		spec->width = w < -FMT_MAX_WIDTH ? FMT_MAX_WIDTH : -w;
	} else {
		spec->width = w > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : w;
	}
}

/* p5: a negative '*' precision is taken as if it were omitted. */
static void fetch_precision(struct fmt_spec *spec, va_list *ap)
{
	int p = va_arg(*ap, int);

	spec->precision = p < 0 ? PRECISION_NONE : p;
}

/* p7: the argument is promoted, then converted back to the named type. */
static uintmax_t fetch_unsigned(enum fmt_length length, va_list *ap)
{
	switch (length) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static intmax_t fetch_signed(enum fmt_length length, va_list *ap)
{
	switch (length) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return va_arg(*ap, ptrdiff_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

/* Write the digits of v in base into the end of buf; return the count. */
static size_t format_digits(uintmax_t v, unsigned int base, bool upper,
			    char buf[MAX_DIGITS])
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;

	while (v) {
		buf[MAX_DIGITS - 1 - n++] = digits[v % base];
		v /= base;
	}
	return n;
}

/* Emit [pad][sign/prefix][zeros][body][pad] for a field of the given width. */
static void emit_field(struct fmt_out *out, const struct fmt_spec *spec,
		       const char *prefix, size_t zeros,
		       const char *body, size_t body_len)
{
	size_t prefix_len = strlen(prefix);
	size_t len = prefix_len + zeros + body_len;
	size_t pad = (size_t)spec->width > len ? (size_t)spec->width - len : 0;

	if (!(spec->flags & FLAG_LEFT))
		out_repeat(out, ' ', pad);
	out_mem(out, prefix, prefix_len);
	out_repeat(out, '0', zeros);
	out_mem(out, body, body_len);
	if (spec->flags & FLAG_LEFT)
		out_repeat(out, ' ', pad);
}

/* p6 '+' and ' ' apply only to signed conversions; '+' wins over ' '. */
static const char *sign_prefix(const struct fmt_spec *spec, bool negative)
{
	if (negative)
		return "-";
	if (spec->flags & FLAG_PLUS)
		return "+";
	if (spec->flags & FLAG_SPACE)
		return " ";
	return "";
}

/* p6 '#': 0x/0X before a nonzero hex value (octal is handled by zeros). */
static const char *alt_prefix(const struct fmt_spec *spec, uintmax_t mag)
{
	if (!(spec->flags & FLAG_ALT) || mag == 0)
		return "";
	if (spec->conv == 'x')
		return "0x";
	if (spec->conv == 'X')
		return "0X";
	return "";
}

/* p8 d,i,o,u,x,X: precision is the minimum digit count (default 1, and
 * 0 with value 0 gives no digits); '0' pads to width unless '-' or a
 * precision is given (p6); '#' with o forces a leading zero digit. */
static void emit_integer(struct fmt_out *out, const struct fmt_spec *spec,
			 uintmax_t mag, bool negative)
{
	unsigned int base = spec->conv == 'o' ? 8 :
			    (spec->conv == 'x' || spec->conv == 'X') ? 16 : 10;
	char digits[MAX_DIGITS];
	size_t n = format_digits(mag, base, spec->conv == 'X', digits);
	bool is_signed = spec->conv == 'd' || spec->conv == 'i';
	const char *prefix = is_signed ? sign_prefix(spec, negative) :
			     alt_prefix(spec, mag);
	int precision = spec->precision;
	size_t zeros;

	if (precision == PRECISION_NONE)
		precision = 1;
	else if (precision > FMT_MAX_PRECISION)
		precision = FMT_MAX_PRECISION;
	zeros = (size_t)precision > n ? (size_t)precision - n : 0;
	if (base == 8 && (spec->flags & FLAG_ALT) && zeros == 0 &&
	    (n == 0 || digits[MAX_DIGITS - n] != '0'))
		zeros = 1;
	if ((spec->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO &&
	    spec->precision == PRECISION_NONE) {
		size_t len = strlen(prefix) + zeros + n;

		if ((size_t)spec->width > len)
			zeros += (size_t)spec->width - len;
	}
	emit_field(out, spec, prefix, zeros, digits + MAX_DIGITS - n, n);
}

static void convert_integer(struct fmt_out *out, const struct fmt_spec *spec,
			    va_list *ap)
{
	if (spec->conv == 'd' || spec->conv == 'i') {
		intmax_t v = fetch_signed(spec->length, ap);
		/* Negate in unsigned arithmetic: no overflow for INTMAX_MIN. */
		uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v :
				(uintmax_t)v;

		emit_integer(out, spec, mag, v < 0);
	} else {
		emit_integer(out, spec, fetch_unsigned(spec->length, ap), false);
	}
}

/* p8 p: implementation-defined; here always 0x + every hex digit. */
static void convert_pointer(struct fmt_out *out, const struct fmt_spec *spec,
			    va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);
	char body[2 + sizeof(v) * 2];
	size_t i;

	body[0] = '0';
	body[1] = 'x';
	for (i = 0; i < sizeof(v) * 2; i++) {
		unsigned int shift = (unsigned int)(sizeof(v) * 2 - 1 - i) * 4;

		body[2 + i] = "0123456789abcdef"[(v >> shift) & 0xf];
	}
	emit_field(out, spec, "", 0, body, sizeof(body));
}

/* p8 s: precision is the most characters written, and the array need not
 * be NUL-terminated within it (so strnlen reads no further). */
static void convert_string(struct fmt_out *out, const struct fmt_spec *spec,
			   va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t len;

	if (!s)
		s = "(null)";
	if (spec->precision == PRECISION_NONE)
		len = strlen(s);
	else
		len = strnlen(s, (size_t)spec->precision);
	emit_field(out, spec, "", 0, s, len);
}

/* p8 c: the int argument converted to unsigned char. */
static void convert_char(struct fmt_out *out, const struct fmt_spec *spec,
			 va_list *ap)
{
	char c = (char)(unsigned char)va_arg(*ap, int);

	emit_field(out, spec, "", 0, &c, 1);
}

/* Fetch '*' arguments and the value, in format order (p5), and emit. */
static void convert(struct fmt_out *out, struct fmt_spec *spec, va_list *ap)
{
	if (spec->width_star)
		fetch_width(spec, ap);
	if (spec->precision_star)
		fetch_precision(spec, ap);
	switch (spec->conv) {
	case 'p':
		convert_pointer(out, spec, ap);
		break;
	case 's':
		convert_string(out, spec, ap);
		break;
	case 'c':
		convert_char(out, spec, ap);
		break;
	case '%':
		out_char(out, '%');
		break;
	default:
		convert_integer(out, spec, ap);
		break;
	}
}

/* Handle one '%...' at p; return where the ordinary text resumes. */
static const char *format_one(struct fmt_out *out, const char *p, va_list *ap)
{
	struct fmt_spec spec;
	const char *end = parse_spec(p + 1, &spec);
	size_t spec_len = (size_t)(end - p);

	if (spec_is_supported(&spec, spec_len))
		convert(out, &spec, ap);
	else
		out_mem(out, p, spec_len);
	return end;
}

int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out out = { .emit = emit, .ctx = ctx, .count = 0 };
	va_list args;

	if (!emit || !fmt)
		return -1;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt == '%')
			fmt = format_one(&out, fmt, &args);
		else
			out_char(&out, *fmt++);
	}
	va_end(args);
	return out.count > (size_t)INT_MAX_VALUE ? -1 : (int)out.count;
}

/* Sink for fmt_vsnprintf: keeps the first size-1 characters. */
struct buf_sink {
	char *buf;
	size_t cap;		/* characters that fit before the NUL */
	size_t pos;
};

static void buf_emit(void *ctx, char c)
{
	struct buf_sink *sink = ctx;

	if (sink->pos < sink->cap)
		sink->buf[sink->pos] = c;
	if (sink->pos < SIZE_MAX)
		sink->pos++;
}

/* C11 7.21.6.12 (vsnprintf) / 7.21.6.5 p2-p3 (snprintf). */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink sink = { .buf = buf, .cap = size ? size - 1 : 0 };
	int ret;

	if (!buf && size)
		return -1;
	ret = fmt_vformat(buf_emit, &sink, fmt, ap);
	if (size)
		buf[sink.pos < sink.cap ? sink.pos : sink.cap] = '\0';
	return ret;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

int fmt_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

struct fmt_buf fmt_buf_start(char *buf, size_t size)
{
	struct fmt_buf b = { buf, buf ? size : 0, 0, false };

	if (b.size > 0)
		buf[0] = '\0';
	return b;
}

void fmt_append(struct fmt_buf *b, const char *fmt, ...)
{
	bool room = b->buf && b->len < b->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(room ? b->buf + b->len : NULL,
			  room ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > (size_t)INT_MAX_VALUE - b->len)
		b->failed = true;
	else
		b->len += (size_t)n;
}

int fmt_buf_result(const struct fmt_buf *b)
{
	return b->failed ? -1 : (int)b->len;
}
