/* Fuzz target: arbitrary bytes as the value of msr_filter=. On success the
 * filter must be valid (present, at most 16 ranges, first <= last, access
 * 1..3, not deny-with-no-ranges), the x2APIC MSRs always allowed, every
 * decision equal to a naive reference, and the canonical description must
 * parse back to the same filter. On failure the filter must be cleared and
 * the message a non-empty, printable, NUL-terminated line. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmx/msr_filter.h"

#define ERR_LEN 160

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* Reference decision, written differently on purpose: walk the ranges from
 * the last to the first and let every match overwrite the answer, so the
 * first match in command-line order is the one that sticks. */
static bool ref_allows(const struct msr_filter *f, uint32_t msr, bool write)
{
	uint8_t kind = write ? MSR_FILTER_WRITE : MSR_FILTER_READ;
	bool allow = f->default_allow;

	if (msr >= 0x800 && msr <= 0x8ff)
		return true;
	for (unsigned i = f->nranges; i-- > 0;) {
		const struct msr_filter_range *r = &f->range[i];

		if ((r->access & kind) && r->first <= msr && msr <= r->last)
			allow = r->allow;
	}
	return allow;
}

static void check_decision(const struct msr_filter *f, uint32_t msr)
{
	check(msr_filter_allows(f, msr, false) == ref_allows(f, msr, false));
	check(msr_filter_allows(f, msr, true) == ref_allows(f, msr, true));
}

static void check_range(const struct msr_filter_range *r)
{
	uint32_t a, b;
	bool overlaps = r->first <= 0x8ff && r->last >= 0x800;

	check(r->first <= r->last);
	check(r->access >= 1 && r->access <= 3);
	check(msr_filter_x2apic_overlap(r, &a, &b) == overlaps);
	if (overlaps) {
		check(a >= 0x800 && b <= 0x8ff && a <= b);
		check(a >= r->first && b <= r->last);
	}
}

static void check_valid(const struct msr_filter *f, const uint8_t *data,
			size_t size)
{
	static const uint32_t fixed[] = { 0, 0x10, 0x7ff, 0x800, 0x830, 0x8ff,
					  0x900, 0x1fff, 0xc0000080,
					  0xffffffff };
	char text[MSR_FILTER_FORMAT_LEN];
	struct msr_filter back;
	int n;

	check(f->present);
	check(f->nranges <= MSR_FILTER_MAX_RANGES);
	check(f->default_allow || f->nranges > 0);
	for (unsigned i = 0; i < f->nranges; i++) {
		const struct msr_filter_range *r = &f->range[i];

		check_range(r);
		check_decision(f, r->first);
		check_decision(f, r->last);
		check_decision(f, r->first - 1);
		check_decision(f, r->last + 1);
	}
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_decision(f, fixed[i]);
	/* A few MSR numbers taken from the input bytes. */
	for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
		uint32_t m;

		memcpy(&m, data + i, 4);
		check_decision(f, m);
	}
	for (uint32_t m = 0x800; m <= 0x8ff; m += 0x11) {
		check(msr_filter_allows(f, m, false));
		check(msr_filter_allows(f, m, true));
	}
	n = msr_filter_format(f, text, sizeof(text));
	check(n > 0 && (size_t)n < sizeof(text) && strlen(text) == (size_t)n);
	check(msr_filter_parse(text, (size_t)n, &back, NULL, 0) == 0);
	check(memcmp(f, &back, sizeof(back)) == 0);
}

static void check_refused(const struct msr_filter *f, const char *err)
{
	const char *nul = memchr(err, '\0', ERR_LEN);

	check(!f->present && f->nranges == 0);
	check(nul != NULL && nul > err);
	check(strncmp(err, "msr_filter: ", 12) == 0);
	for (const char *p = err; p < nul; p++)
		check(*p >= 0x20 && *p <= 0x7e);
	check(msr_filter_allows(f, 0x10, true));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msr_filter f;
	char err[ERR_LEN];

	memset(&f, 0xa5, sizeof(f));
	memset(err, 0x7f, sizeof(err));
	if (msr_filter_parse((const char *)data, size, &f, err, sizeof(err)) ==
	    0) {
		check(err[0] == '\0');
		check_valid(&f, data, size);
	} else {
		check_refused(&f, err);
	}
	return 0;
}
