/* Unit tests for lib/format.c: the host C library's snprintf is used as an
 * oracle over a broad grid of flags/widths/precisions/lengths/values, and
 * explicit expected strings cover the cases where we deliberately differ
 * from C (%p, NULL %s, unknown conversions, clamping) and truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/format.h"

#define BUF_SIZE 8192

/* Same as fmt_snprintf but without the printf attribute, so tests can pass
 * formats that GCC's -Wformat would (rightly) reject. */
static int fmt_noattr(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

/* Sink that records everything emitted, to check fmt_vformat directly. */
struct record {
	char buf[BUF_SIZE];
	size_t len;
};

static void record_emit(void *ctx, char c)
{
	struct record *r = ctx;

	if (r->len < sizeof(r->buf))
		r->buf[r->len] = c;
	r->len++;
}

static int vformat_record(struct record *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	r->len = 0;
	va_start(ap, fmt);
	ret = fmt_vformat(record_emit, r, fmt, ap);
	va_end(ap);
	return ret;
}

/* Format with the host C library, fmt_vsnprintf and fmt_vformat; all
 * three must agree byte for byte (including any embedded NUL from %c). */
static void check_oracle(const char *fmt, ...)
{
	static char want[BUF_SIZE], got[BUF_SIZE];
	static struct record rec;
	va_list ap, ap2, ap3;
	int want_len, got_len, rec_len;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	va_copy(ap3, ap);
	want_len = vsnprintf(want, sizeof(want), fmt, ap);
	got_len = fmt_vsnprintf(got, sizeof(got), fmt, ap2);
	rec.len = 0;
	rec_len = fmt_vformat(record_emit, &rec, fmt, ap3);
	va_end(ap3);
	va_end(ap2);
	va_end(ap);

	if (want_len != got_len || memcmp(want, got, (size_t)want_len + 1))
		fail_msg("fmt \"%s\": want \"%s\" (%d), got \"%s\" (%d)",
			 fmt, want, want_len, got, got_len);
	assert_int_equal(rec_len, want_len);
	assert_int_equal(rec.len, (size_t)want_len);
	assert_memory_equal(rec.buf, want, (size_t)want_len);
}

/* Expect exactly `want` (a C string) from the already-formatted result. */
#define EXPECT(want, ...)						\
	do {								\
		char b_[BUF_SIZE];					\
		int r_ = fmt_snprintf(b_, sizeof(b_), __VA_ARGS__);	\
		assert_string_equal(b_, want);				\
		assert_int_equal(r_, (int)strlen(want));		\
	} while (0)

/* Same, for formats -Wformat must not see. */
#define EXPECT_RAW(want, ...)						\
	do {								\
		char b_[BUF_SIZE];					\
		int r_ = fmt_noattr(b_, sizeof(b_), __VA_ARGS__);	\
		assert_string_equal(b_, want);				\
		assert_int_equal(r_, (int)strlen(want));		\
	} while (0)

/* ---- oracle grid over integer conversions ---- */

enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_COUNT };
static const char *const len_str[L_COUNT] = {
	"", "hh", "h", "l", "ll", "z", "t", "j",
};

static const uint64_t raw_values[] = {
	0, 1, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 1234567890123ull, 0x7fffffffffffffffull,
	0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
	(uint64_t)-42, (uint64_t)-1000000,
};

/* Widths and precisions are passed through '*'; width 0 is the same as no
 * width and a negative precision the same as none (C11 7.21.6.1p5). */
static const int star_widths[] = { 0, 1, 2, 5, 24, -1, -7, -24 };
static const int star_precisions[] = { -1, 0, 1, 2, 5, 30 };

/* Pass the value as the type the length modifier names (after default
 * argument promotion, as a real caller would). */
static void check_int_value(const char *fmt, bool is_signed, enum len len,
			    int w, int p, uint64_t raw)
{
	switch (len) {
	case L_NONE:
	case L_HH:
	case L_H:
		/* int/unsigned int: %hh and %h must narrow it themselves. */
		if (is_signed)
			check_oracle(fmt, w, p, (int)raw);
		else
			check_oracle(fmt, w, p, (unsigned int)raw);
		break;
	case L_L:
		if (is_signed)
			check_oracle(fmt, w, p, (long)raw);
		else
			check_oracle(fmt, w, p, (unsigned long)raw);
		break;
	case L_LL:
		if (is_signed)
			check_oracle(fmt, w, p, (long long)raw);
		else
			check_oracle(fmt, w, p, (unsigned long long)raw);
		break;
	case L_Z:
	case L_T:
		if (is_signed)
			check_oracle(fmt, w, p, (ptrdiff_t)raw);
		else
			check_oracle(fmt, w, p, (size_t)raw);
		break;
	default:
		if (is_signed)
			check_oracle(fmt, w, p, (intmax_t)raw);
		else
			check_oracle(fmt, w, p, (uintmax_t)raw);
		break;
	}
}

/* Build "%<flags>*.*<len><conv>" for every subset of the five flags. */
static void build_fmt(char *out, unsigned int flag_mask, enum len len,
		      char conv)
{
	static const char flag_chars[] = "-0+ #";
	size_t i, n = 0;

	out[n++] = '%';
	for (i = 0; i < 5; i++)
		if (flag_mask & (1u << i))
			out[n++] = flag_chars[i];
	memcpy(out + n, "*.*", 3);
	n += 3;
	memcpy(out + n, len_str[len], strlen(len_str[len]));
	n += strlen(len_str[len]);
	out[n++] = conv;
	out[n] = '\0';
}

static void test_oracle_integers(void **state)
{
	static const char convs[] = "diuoxX";
	unsigned int mask;
	size_t c, wi, pi, vi;
	enum len len;
	char fmt[32];

	(void)state;
	for (c = 0; convs[c]; c++) {
		bool is_signed = convs[c] == 'd' || convs[c] == 'i';

		for (mask = 0; mask < 32; mask++) {
			/* '#' with d/i/u is undefined in C: not an oracle case. */
			if ((mask & 16) && (is_signed || convs[c] == 'u'))
				continue;
			for (len = L_NONE; len < L_COUNT; len++) {
				build_fmt(fmt, mask, len, convs[c]);
				for (wi = 0; wi < ARRAY_SIZE(star_widths); wi++)
					for (pi = 0; pi < ARRAY_SIZE(star_precisions); pi++)
						for (vi = 0; vi < ARRAY_SIZE(raw_values); vi++)
							check_int_value(fmt, is_signed, len,
									star_widths[wi],
									star_precisions[pi],
									raw_values[vi]);
			}
		}
	}
}

/* Literal digit widths/precisions (not via '*'), checked against libc. */
static void test_oracle_literal_widths(void **state)
{
	static const char *const fmts[] = {
		"%d", "%5d", "%-5d|", "%05d", "%.3d", "%8.3d", "%-8.3d|",
		"%08.3d", "%+.0d", "% d", "%+d", "%+ d", "% +d", "%-+05d|",
		"%.d", "%10.d", "%010d", "%0-10d|", "%.10d", "%1d", "%20d",
		"[%3d|%-3d|%03d]", "%%%d%%", "x%dy%dz",
	};
	static const int values[] = { 0, 1, -1, 42, -42, 12345, INT_MAX, INT_MIN };
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(fmts); f++)
		for (v = 0; v < ARRAY_SIZE(values); v++)
			check_oracle(fmts[f], values[v], values[v]);
}

static void test_oracle_strings(void **state)
{
	static const char *const strs[] = {
		"", "a", "ab", "hello", "hello, world", "tab\there", "\xff\x80",
	};
	static const char *const fmts[] = { "%*.*s", "%-*.*s|" };
	size_t f, s, wi, pi;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(fmts); f++)
		for (s = 0; s < ARRAY_SIZE(strs); s++)
			for (wi = 0; wi < ARRAY_SIZE(star_widths); wi++)
				for (pi = 0; pi < ARRAY_SIZE(star_precisions); pi++)
					check_oracle(fmts[f], star_widths[wi],
						     star_precisions[pi], strs[s]);
	check_oracle("%s%s", "abc", "def");
	check_oracle("%.2s|%10s|%-10s|%.0s|", "abc", "def", "ghi", "jkl");
}

static void test_oracle_chars(void **state)
{
	static const int chars[] = { 'a', 'Z', ' ', '%', 0, 255, 0x141, -1 };
	size_t c, wi;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(chars); c++) {
		for (wi = 0; wi < ARRAY_SIZE(star_widths); wi++) {
			check_oracle("%*c", star_widths[wi], chars[c]);
			check_oracle("%-*c|", star_widths[wi], chars[c]);
		}
		check_oracle("[%c]", chars[c]);
	}
	check_oracle("%c%c%c", 'a', 'b', 'c');
}

/* ---- explicit expectations ---- */

static void test_basic_conversions(void **state)
{
	(void)state;
	EXPECT("", "%s", "");
	EXPECT("plain text", "plain text");
	EXPECT("42 -42 42", "%d %i %u", 42, -42, 42u);
	EXPECT("ff FF 377", "%x %X %o", 255u, 255u, 255u);
	EXPECT("c=x s=str %", "c=%c s=%s %%", 'x', "str");
	EXPECT("0x1f 0X1F 017", "%#x %#X %#o", 31u, 31u, 15u);
	EXPECT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
	EXPECT_RAW("5 5 5", "%+u % u %+x", 5u, 5u, 5u);
	EXPECT("00042|42   |   42", "%05d|%-5d|%5d", 42, 42, 42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("  007", "%5.3d", 7);
	EXPECT_RAW("  007", "%05.3d", 7);	/* precision disables '0' */
	EXPECT("0x00ff", "%#06x", 255u);
	EXPECT("0xff  |", "%-#6x|", 255u);
	EXPECT("+0042", "%+05d", 42);
	EXPECT(" 0042", "% 05d", 42);
}

static void test_zero_value_edges(void **state)
{
	(void)state;
	EXPECT("", "%.0d", 0);
	EXPECT("", "%.0x", 0u);
	EXPECT("   ", "%3.0d", 0);
	EXPECT("0", "%#x", 0u);		/* no 0x before zero */
	EXPECT("", "%#.0x", 0u);
	EXPECT("0", "%#o", 0u);
	EXPECT("0", "%#.0o", 0u);	/* '#' forces one zero digit */
	EXPECT("010", "%#o", 8u);
	EXPECT("010", "%#.3o", 8u);
	EXPECT("0010", "%#.4o", 8u);
	EXPECT("+", "%+.0d", 0);
	EXPECT(" ", "% .0d", 0);
	EXPECT("0", "%d", 0);
}

static void test_pointer(void **state)
{
	char b[64];

	(void)state;
	EXPECT("0x0000000000000000", "%p", (void *)0);
	EXPECT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT("0xffff800000000000", "%p", (void *)0xffff800000000000ull);
	EXPECT("  0x00000000deadbeef", "%20p", (void *)0xdeadbeef);
	EXPECT("0x00000000deadbeef  |", "%-20p|", (void *)0xdeadbeef);
	EXPECT("0x00000000deadbeef", "%5p", (void *)0xdeadbeef);
	EXPECT("[0x0000000000000001][0x0000000000000002]", "[%p][%p]",
	       (void *)1, (void *)2);
	/* Flags and precision that C leaves undefined for %p are ignored. */
	EXPECT_RAW("  0x0000000000000010", "%020.3p", (void *)16);
	EXPECT_RAW("0x0000000000000010", "%+#p", (void *)16);
	/* The address of a real object also has the fixed width. */
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%p", (void *)b), 18);
	assert_int_equal((int)strlen(b), 18);
	assert_memory_equal(b, "0x", 2);
}

static void test_null_string(void **state)
{
	const char *volatile null_str = NULL;

	(void)state;
	EXPECT("(null)", "%s", null_str);
	EXPECT("  (null)", "%8s", null_str);
	EXPECT("(null)  |", "%-8s|", null_str);
	EXPECT("(nu", "%.3s", null_str);
	EXPECT("", "%.0s", null_str);
	EXPECT("a(null)b", "a%sb", null_str);
}

static void test_string_precision_no_overread(void **state)
{
	/* Not NUL-terminated: precision must stop the read (C11 7.21.6.1p8). */
	static const char unterminated[3] = { 'a', 'b', 'c' };

	(void)state;
	EXPECT("abc", "%.3s", unterminated);
	EXPECT("ab", "%.*s", 2, unterminated);
	EXPECT("  abc", "%5.3s", unterminated);
	/* Huge precision for %s is a maximum, not padding: not clamped. */
	EXPECT("abc", "%.100000s", "abc");
	EXPECT("abc", "%.*s", INT_MAX, "abc");
}

static void test_zero_flag_ignored_for_non_integers(void **state)
{
	(void)state;
	EXPECT_RAW("   ab", "%05s", "ab");
	EXPECT_RAW("    c", "%05c", 'c');
	EXPECT_RAW("c", "%.0c", 'c');		/* precision ignored for %c */
	EXPECT_RAW("ab   |", "%-05s|", "ab");
}

static void test_unknown_conversions(void **state)
{
	int sentinel = 12345;

	(void)state;
	EXPECT_RAW("%q", "%q");
	EXPECT_RAW("%", "%");
	EXPECT_RAW("abc%", "abc%");
	EXPECT_RAW("%-05", "%-05");
	EXPECT_RAW("%-05.3l", "%-05.3l");
	EXPECT_RAW("%#-+ 0", "%#-+ 0");
	EXPECT_RAW("%.", "%.");
	EXPECT_RAW("%*", "%*");
	EXPECT_RAW("%.*", "%.*");
	EXPECT_RAW("%f %e %g %a %L", "%f %e %g %a %L");
	EXPECT_RAW("%Lf", "%Lf");
	EXPECT_RAW("%ls %lc %hhp %zs", "%ls %lc %hhp %zs");
	EXPECT_RAW("%5%", "%5%");
	EXPECT_RAW("%-%", "%-%");
	EXPECT_RAW("%\x01", "%\x01");
	EXPECT_RAW("%\xff", "%\xff");
	EXPECT_RAW("%lll", "%lll");
	/* None of them may consume an argument: the next one still sees 42. */
	EXPECT_RAW("%q 42", "%q %d", 42);
	EXPECT_RAW("%*q 42", "%*q %d", 42);
	EXPECT_RAW("%-*.*q 42", "%-*.*q %d", 42);
	EXPECT_RAW("%*5 42", "%*5 %d", 42);	/* '*' and digits: invalid */
	EXPECT_RAW("%.*5 42", "%.*5 %d", 42);
	EXPECT_RAW("%f 42", "%f %d", 42);
	EXPECT_RAW("%ls 42", "%ls %d", 42);
	EXPECT_RAW("%5% 42", "%5% %d", 42);
	/* %n is never supported: nothing is written through the pointer. */
	EXPECT_RAW("%n 42", "%n %d", 42);
	EXPECT_RAW("%n", "%n", &sentinel);
	EXPECT_RAW("%hhn", "%hhn", &sentinel);
	assert_int_equal(sentinel, 12345);
	/* A valid spec after an invalid one still works. */
	EXPECT_RAW("%y-7 |", "%y%-3d|", -7);
	EXPECT_RAW("100%%", "%d%%%", 100);	/* "%%" then a lone "%" */
}

static void test_negative_star_width(void **state)
{
	char b[BUF_SIZE];

	(void)state;
	EXPECT("42   |", "%*d|", -5, 42);
	EXPECT("42   |", "%-*d|", -5, 42);
	EXPECT("42   |", "%0*d|", -5, 42);	/* '-' beats '0' */
	EXPECT("ab  |", "%*s|", -4, "ab");
	EXPECT("x  |", "%*c|", -3, 'x');
	EXPECT("0x0000000000000001  |", "%*p|", -20, (void *)1);
	EXPECT("42", "%*d", 0, 42);
	/* INT_MIN cannot be negated: it is clamped, left-aligned. */
	assert_int_equal(fmt_noattr(b, sizeof(b), "%*d|", INT_MIN, 7),
			 FMT_MAX_WIDTH + 1);
	assert_int_equal(b[0], '7');
	assert_int_equal(b[1], ' ');
	assert_int_equal(b[FMT_MAX_WIDTH - 1], ' ');
	assert_int_equal(b[FMT_MAX_WIDTH], '|');
	/* Negative precision means "omitted", so '0' pads again. */
	EXPECT_RAW("00042", "%0*.*d", 5, -1, 42);
	EXPECT("abcdef", "%.*s", -3, "abcdef");
}

static void test_huge_width_and_precision_clamped(void **state)
{
	static char b[BUF_SIZE];
	int i;

	(void)state;
	assert_int_equal(fmt_noattr(b, sizeof(b), "%99999999999999999999d", 1),
			 FMT_MAX_WIDTH);
	assert_int_equal(b[FMT_MAX_WIDTH - 1], '1');
	assert_int_equal(b[0], ' ');
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%*d", INT_MAX, 1),
			 FMT_MAX_WIDTH);
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%4097d", 1), FMT_MAX_WIDTH);
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%4096d", 1), FMT_MAX_WIDTH);
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%4095d", 1), 4095);
	assert_int_equal(fmt_noattr(b, sizeof(b), "%.99999999999999999999d", 1),
			 FMT_MAX_PRECISION);
	for (i = 0; i < FMT_MAX_PRECISION - 1; i++)
		assert_int_equal(b[i], '0');
	assert_int_equal(b[FMT_MAX_PRECISION - 1], '1');
	assert_int_equal(fmt_noattr(b, sizeof(b), "%.*d", INT_MAX, -1),
			 FMT_MAX_PRECISION + 1);
	assert_int_equal(b[0], '-');
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%*.*x", INT_MAX, INT_MAX, 1u),
			 FMT_MAX_PRECISION);
	/* Width and precision clamps together, with a sign and a prefix. */
	assert_int_equal(fmt_noattr(b, sizeof(b), "%#*.*x", 10, INT_MAX, 1u),
			 FMT_MAX_PRECISION + 2);
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%*s", INT_MAX, "x"),
			 FMT_MAX_WIDTH);
	/* Into a tiny buffer: still the full length, still terminated. */
	assert_int_equal(fmt_snprintf(b, 4, "%*d", INT_MAX, 5), FMT_MAX_WIDTH);
	assert_string_equal(b, "   ");
}

static void test_truncation(void **state)
{
	char b[16];

	(void)state;
	/* size 0: nothing written, NULL allowed, full length returned. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 0, "hello %d", 42), 8);
	assert_int_equal(b[0], 'Z');
	assert_int_equal(fmt_snprintf(NULL, 0, "hello %d", 42), 8);
	/* size 1: only the terminator. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 1, "hello %d", 42), 8);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Z');
	/* exact fit: 8 characters + NUL in 9 bytes. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 9, "hello %d", 42), 8);
	assert_string_equal(b, "hello 42");
	assert_int_equal(b[9], 'Z');
	/* one short: last character dropped for the NUL. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 8, "hello %d", 42), 8);
	assert_string_equal(b, "hello 4");
	assert_int_equal(b[8], 'Z');
	/* mid-conversion cut, with padding. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 5, "%8x", 0xabcu), 8);
	assert_string_equal(b, "    ");
	assert_int_equal(b[5], 'Z');
	/* empty output still terminates. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%s", ""), 0);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Z');
	/* larger buffer: the bytes after the NUL are untouched. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt_snprintf(b, sizeof(b), "%c", 'q'), 1);
	assert_string_equal(b, "q");
	assert_int_equal(b[2], 'Z');
}

static void test_truncation_matches_libc(void **state)
{
	static const char *const strs[] = { "", "x", "hello", "hello, world!" };
	char want[32], got[32];
	size_t s, size;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(strs); s++) {
		for (size = 0; size <= 20; size++) {
			int wl, gl;

			memset(want, 'Z', sizeof(want));
			memset(got, 'Z', sizeof(got));
			wl = snprintf(want, size, "[%s|%5d]", strs[s], -12);
			gl = fmt_snprintf(got, size, "[%s|%5d]", strs[s], -12);
			assert_int_equal(gl, wl);
			assert_memory_equal(got, want, sizeof(want));
		}
	}
}

static void test_bad_arguments(void **state)
{
	const char *volatile null_fmt = NULL;
	char b[8] = "ZZZZZZZ";
	struct record rec;

	(void)state;
	assert_int_equal(fmt_noattr(NULL, 5, "abc"), -1);
	assert_int_equal(fmt_noattr(b, sizeof(b), null_fmt), -1);
	assert_int_equal(b[0], '\0');		/* still terminated */
	assert_int_equal(fmt_noattr(NULL, 0, null_fmt), -1);
	assert_int_equal(vformat_record(&rec, "%d", 5), 1);
	assert_memory_equal(rec.buf, "5", 1);
	rec.len = 0;
	assert_int_equal(vformat_record(&rec, null_fmt), -1);
	assert_int_equal(rec.len, 0);
}

static int vformat_null_emit(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vformat(NULL, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

static void test_vformat(void **state)
{
	struct record rec;

	(void)state;
	assert_int_equal(vformat_null_emit("abc"), -1);
	assert_int_equal(vformat_record(&rec, "a%cb", 0), 3);
	assert_int_equal(rec.len, 3);
	assert_memory_equal(rec.buf, "a\0b", 3);	/* NUL passes through */
	assert_int_equal(vformat_record(&rec, "%s=%#x", "cr3", 0x1000u), 10);
	assert_memory_equal(rec.buf, "cr3=0x1000", 10);
	assert_int_equal(vformat_record(&rec, ""), 0);
	assert_int_equal(rec.len, 0);
}

/* Every length modifier at its type's extremes (C11 7.21.6.1p7). */
static void test_length_modifier_limits(void **state)
{
	(void)state;
	EXPECT("-128 127", "%hhd %hhd", SCHAR_MIN, SCHAR_MAX);
	EXPECT("0 255 ff 377", "%hhu %hhu %hhx %hho", 0, UCHAR_MAX, UCHAR_MAX,
	       UCHAR_MAX);
	EXPECT("44 -1", "%hhd %hhd", 300, 255);	/* narrowed to signed char */
	EXPECT("44", "%hhu", 300);
	EXPECT("-32768 32767", "%hd %hd", SHRT_MIN, SHRT_MAX);
	EXPECT("65535 ffff 177777", "%hu %hx %ho", USHRT_MAX, USHRT_MAX, USHRT_MAX);
	EXPECT("-1 0", "%hd %hu", 65535, 65536);
	EXPECT("-2147483648 2147483647", "%d %i", INT_MIN, INT_MAX);
	EXPECT("4294967295 ffffffff 37777777777", "%u %x %o", UINT_MAX,
	       UINT_MAX, UINT_MAX);
	EXPECT("-9223372036854775808 9223372036854775807", "%ld %ld",
	       LONG_MIN, LONG_MAX);
	EXPECT("18446744073709551615 ffffffffffffffff", "%lu %lx", ULONG_MAX,
	       ULONG_MAX);
	EXPECT("-9223372036854775808 9223372036854775807", "%lld %lli",
	       LLONG_MIN, LLONG_MAX);
	EXPECT("18446744073709551615 FFFFFFFFFFFFFFFF 1777777777777777777777",
	       "%llu %llX %llo", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	EXPECT("18446744073709551615 0", "%zu %zu", SIZE_MAX, (size_t)0);
	EXPECT("ffffffffffffffff", "%zx", SIZE_MAX);
	EXPECT("-9223372036854775808 9223372036854775807", "%td %td",
	       PTRDIFF_MIN, PTRDIFF_MAX);
	EXPECT("-9223372036854775808 9223372036854775807", "%jd %jd",
	       INTMAX_MIN, INTMAX_MAX);
	EXPECT("18446744073709551615 ffffffffffffffff", "%ju %jx",
	       UINTMAX_MAX, UINTMAX_MAX);
	EXPECT("-9223372036854775808", "%" PRId64, INT64_MIN);
	/* Minimum values with every flag that touches the sign. */
	EXPECT("+2147483647 -2147483648", "%+d %+d", INT_MAX, INT_MIN);
	EXPECT("-009223372036854775808", "%022lld", LLONG_MIN);
	EXPECT("-9223372036854775808  |", "%-22lld|", LLONG_MIN);
	EXPECT("-0009223372036854775808", "%.22lld", LLONG_MIN);
	EXPECT("0x8000000000000000", "%#llx", (unsigned long long)LLONG_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_conversions),
		cmocka_unit_test(test_zero_value_edges),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_string_precision_no_overread),
		cmocka_unit_test(test_zero_flag_ignored_for_non_integers),
		cmocka_unit_test(test_unknown_conversions),
		cmocka_unit_test(test_negative_star_width),
		cmocka_unit_test(test_huge_width_and_precision_clamped),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_matches_libc),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_vformat),
		cmocka_unit_test(test_length_modifier_limits),
		cmocka_unit_test(test_oracle_literal_widths),
		cmocka_unit_test(test_oracle_strings),
		cmocka_unit_test(test_oracle_chars),
		cmocka_unit_test(test_oracle_integers),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
