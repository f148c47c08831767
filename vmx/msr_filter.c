/* The operator's guest MSR filter (pure): parses and validates the value of
 * msr_filter=, decides one access, and describes the filter for the boot
 * log. Syntax and semantics are in vmx/msr_filter.h; they follow KVM's
 * KVM_X86_SET_MSR_FILTER (Documentation/virt/kvm/api.rst): first matching
 * range wins, DEFAULT decides the rest, the x2APIC MSRs 0x800-0x8ff are
 * never filtered, and "deny" with no range is refused. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/msr_filter.h"
#include "lib/parse.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

#define MSR_MAX 0xffffffffu

/* One comma-separated item of the value: index 0 is DEFAULT, then the
 * ranges numbered from 1 as the operator counts them. */
struct item {
	const char *s;
	size_t len;
	unsigned index;
};

struct errbuf {
	char *buf;
	size_t len;
};

/* Copies at most MSR_FILTER_MAX_QUOTE bytes of s for quoting, with "..."
 * when cut; bytes that are not printable ASCII (a NUL included) become '?'
 * so the message stays one readable, NUL-terminated line. */
static void quote(char q[MSR_FILTER_MAX_QUOTE + 4], const char *s, size_t len)
{
	size_t n = len > MSR_FILTER_MAX_QUOTE ? MSR_FILTER_MAX_QUOTE : len;
	size_t i;

	for (i = 0; i < n; i++)
		q[i] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
	if (n < len) {
		memcpy(q + i, "...", 3);
		i += 3;
	}
	q[i] = '\0';
}

/* "msr_filter: range N 'ITEM': WHY" (or "default 'ITEM'"); returns -1. */
static int fail(const struct errbuf *e, const struct item *it, const char *why)
{
	char q[MSR_FILTER_MAX_QUOTE + 4];

	quote(q, it->s, it->len);
	if (it->index == 0)
		fmt_snprintf(e->buf, e->len, "msr_filter: default '%s': %s", q,
			     why);
	else
		fmt_snprintf(e->buf, e->len, "msr_filter: range %u '%s': %s",
			     it->index, q, why);
	return -1;
}

/* As fail(), with WHY = "NAME 'FIELD' PROBLEM" quoting one field. */
static int fail_field(const struct errbuf *e, const struct item *it,
		      const char *name, const char *field, size_t len,
		      const char *problem)
{
	char q[MSR_FILTER_MAX_QUOTE + 4];
	char why[128];

	quote(q, field, len);
	fmt_snprintf(why, sizeof(why), "%s '%s' %s", name, q, problem);
	return fail(e, it, why);
}

static bool is_word(const char *s, size_t len, const char *word)
{
	return parse_word_is(s, len, word);
}

/* Index of the first c in s[from, len), or len. */
static size_t find_byte(const char *s, size_t len, size_t from, char c)
{
	while (from < len && s[from] != c)
		from++;
	return from;
}

static bool is_digit_in_base(char c, bool hex)
{
	if (c >= '0' && c <= '9')
		return true;
	return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

/* Decimal, or "0x"/"0X" then hex digits; at least one digit, no sign. */
static bool is_number(const char *s, size_t len)
{
	bool hex = len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t i = hex ? 2 : 0;

	if (i == len)
		return false;
	for (; i < len; i++)
		if (!is_digit_in_base(s[i], hex))
			return false;
	return true;
}

static int parse_number(const struct errbuf *e, const struct item *it,
			const char *name, const char *s, size_t len,
			uint32_t *out)
{
	uint64_t v;

	if (len == 0)
		return fail_field(e, it, name, s, len, "is missing");
	if (!is_number(s, len))
		return fail_field(e, it, name, s, len,
				  "is not a decimal or 0x-hex number");
	if (parse_uint(s, len, MSR_MAX, &v))
		return fail_field(e, it, name, s, len, "is above 0xffffffff");
	*out = (uint32_t)v;
	return 0;
}

/* FIRST[+COUNT | -LAST], the third field of a range. */
static int parse_span(const struct errbuf *e, const struct item *it,
		      const char *s, size_t len, struct msr_filter_range *r)
{
	size_t op = 0;
	uint32_t second;

	while (op < len && s[op] != '+' && s[op] != '-')
		op++;
	if (parse_number(e, it, "FIRST", s, op, &r->first))
		return -1;
	r->last = r->first;
	if (op == len)
		return 0;
	if (s[op] == '+') {
		if (parse_number(e, it, "COUNT", s + op + 1, len - op - 1,
				 &second))
			return -1;
		if (second == 0)
			return fail(e, it, "empty range: COUNT is 0");
		/* FIRST + COUNT - 1 must still be an MSR number (32 bits). */
		if ((uint64_t)r->first + second - 1 > MSR_MAX)
			return fail(e, it, "range ends past MSR 0xffffffff");
		r->last = r->first + (second - 1);
		return 0;
	}
	if (parse_number(e, it, "LAST", s + op + 1, len - op - 1, &second))
		return -1;
	if (second < r->first)
		return fail(e, it, "empty range: LAST is below FIRST");
	r->last = second;
	return 0;
}

static int parse_access(const char *s, size_t len, uint8_t *access)
{
	if (is_word(s, len, "r"))
		*access = MSR_FILTER_READ;
	else if (is_word(s, len, "w"))
		*access = MSR_FILTER_WRITE;
	else if (is_word(s, len, "rw"))
		*access = MSR_FILTER_READ | MSR_FILTER_WRITE;
	else
		return -1;
	return 0;
}

/* ACTION:ACCESS:FIRST[+COUNT | -LAST] */
static int parse_range(const struct errbuf *e, const struct item *it,
		       struct msr_filter_range *r)
{
	const char *s = it->s;
	size_t c1 = find_byte(s, it->len, 0, ':');
	size_t c2 = c1 < it->len ? find_byte(s, it->len, c1 + 1, ':') : it->len;

	if (it->len == 0)
		return fail(e, it, "empty item (',,' or a trailing ',')");
	if (c2 == it->len)
		return fail(e, it, "missing fields: a range is ACTION:ACCESS:FIRST[+COUNT|-LAST]");
	if (find_byte(s, it->len, c2 + 1, ':') != it->len)
		return fail(e, it, "too many ':' fields: a range is ACTION:ACCESS:FIRST[+COUNT|-LAST]");
	if (is_word(s, c1, "allow"))
		r->allow = true;
	else if (is_word(s, c1, "deny"))
		r->allow = false;
	else
		return fail_field(e, it, "action", s, c1,
				  "must be allow or deny");
	if (parse_access(s + c1 + 1, c2 - c1 - 1, &r->access))
		return fail_field(e, it, "access", s + c1 + 1, c2 - c1 - 1,
				  "must be r, w or rw");
	return parse_span(e, it, s + c2 + 1, it->len - c2 - 1, r);
}

static int parse_default(const struct errbuf *e, const struct item *it,
			 bool *allow)
{
	if (is_word(it->s, it->len, "allow"))
		*allow = true;
	else if (is_word(it->s, it->len, "deny"))
		*allow = false;
	else
		return fail(e, it, "must be allow or deny");
	return 0;
}

static int parse_items(const struct errbuf *e, const char *s, size_t len,
		       struct msr_filter *f)
{
	struct item it = { .s = s, .index = 0 };
	size_t pos = 0;

	for (;;) {
		size_t end = find_byte(s, len, pos, ',');

		it.s = s + pos;
		it.len = end - pos;
		if (it.index == 0) {
			if (parse_default(e, &it, &f->default_allow))
				return -1;
		} else if (f->nranges == MSR_FILTER_MAX_RANGES) {
			return fail(e, &it, "more than 16 ranges");
		} else if (parse_range(e, &it, &f->range[f->nranges])) {
			return -1;
		} else {
			f->nranges++;
		}
		if (end == len)
			return 0;
		pos = end + 1;
		it.index++;
	}
}

int msr_filter_parse(const char *s, size_t len, struct msr_filter *out,
		     char *err, size_t errlen)
{
	const struct errbuf e = { err, errlen };
	struct msr_filter f;

	memset(&f, 0, sizeof(f));
	if (out)
		memset(out, 0, sizeof(*out));
	if (errlen > 0 && err)
		err[0] = '\0';
	if (!out) {
		fmt_snprintf(err, errlen, "msr_filter: no place for the result");
		return -1;
	}
	if (!s || len == 0) {
		fmt_snprintf(err, errlen,
			     "msr_filter: empty value: expected allow or deny, then ranges ACTION:ACCESS:FIRST[+COUNT|-LAST]");
		return -1;
	}
	if (parse_items(&e, s, len, &f))
		return -1;
	/* KVM refuses DEFAULT_DENY with no ranges (api.rst, KVM_X86_SET_MSR_
	 * FILTER): it would deny every MSR but the x2APIC ones. */
	if (!f.default_allow && f.nranges == 0) {
		fmt_snprintf(err, errlen,
			     "msr_filter: 'deny' with no ranges denies every MSR but the x2APIC ones: refused, as KVM does (add allow ranges)");
		return -1;
	}
	f.present = true;
	*out = f;
	return 0;
}

static bool range_decides(const struct msr_filter_range *r, uint32_t msr,
			  bool write)
{
	uint8_t kind = write ? MSR_FILTER_WRITE : MSR_FILTER_READ;

	return msr >= r->first && msr <= r->last && (r->access & kind);
}

bool msr_filter_allows(const struct msr_filter *f, uint32_t msr, bool write)
{
	unsigned n;

	if (!f || !f->present)
		return true;
	if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
		return true; /* never filtered (KVM api.rst) */
	n = f->nranges < MSR_FILTER_MAX_RANGES ? f->nranges
					       : MSR_FILTER_MAX_RANGES;
	for (unsigned i = 0; i < n; i++)
		if (range_decides(&f->range[i], msr, write))
			return f->range[i].allow;
	return f->default_allow;
}

bool msr_filter_x2apic_overlap(const struct msr_filter_range *r,
			       uint32_t *first, uint32_t *last)
{
	if (!r || r->last < MSR_X2APIC_FIRST || r->first > MSR_X2APIC_LAST)
		return false;
	if (first)
		*first = r->first > MSR_X2APIC_FIRST ? r->first
						     : MSR_X2APIC_FIRST;
	if (last)
		*last = r->last < MSR_X2APIC_LAST ? r->last : MSR_X2APIC_LAST;
	return true;
}

/* A bounded character sink that keeps counting past the end (snprintf). */
struct sink {
	char *buf;
	size_t len;
	size_t n;
};

static void sink_emit(void *ctx, char c)
{
	struct sink *k = ctx;

	if (k->n + 1 < k->len)
		k->buf[k->n] = c;
	k->n++;
}

static void PRINTF_LIKE(2, 3) put(struct sink *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(sink_emit, k, fmt, ap);
	va_end(ap);
}

static const char *access_name(uint8_t access)
{
	switch (access) {
	case MSR_FILTER_READ:
		return "r";
	case MSR_FILTER_WRITE:
		return "w";
	case MSR_FILTER_READ | MSR_FILTER_WRITE:
		return "rw";
	default:
		return "?";
	}
}

int msr_filter_format(const struct msr_filter *f, char *buf, size_t len)
{
	struct sink k = { buf, buf ? len : 0, 0 };

	if (!f || !f->present) {
		put(&k, "none");
	} else {
		put(&k, "%s", f->default_allow ? "allow" : "deny");
		for (unsigned i = 0; i < f->nranges && i < MSR_FILTER_MAX_RANGES;
		     i++) {
			const struct msr_filter_range *r = &f->range[i];

			put(&k, ",%s:%s:0x%x", r->allow ? "allow" : "deny",
			    access_name(r->access), r->first);
			if (r->last != r->first)
				put(&k, "-0x%x", r->last);
		}
	}
	if (k.len > 0)
		k.buf[k.n < k.len ? k.n : k.len - 1] = '\0';
	return k.n > 0x7fffffff ? -1 : (int)k.n;
}
