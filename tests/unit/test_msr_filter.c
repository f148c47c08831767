/* Unit tests for vmx/msr_filter.c: every syntax form of msr_filter=, the
 * limits (16 ranges, 32-bit MSR numbers), every refusal and its message,
 * hostile input (long numbers, NUL bytes, unterminated buffers), the
 * first-match decision with KVM's x2APIC exemption, the x2APIC overlap
 * helper, and the canonical description. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/msr_filter.h"

#define RD false
#define WR true
#define RW (MSR_FILTER_READ | MSR_FILTER_WRITE)

/* Parses s from an exactly-sized heap copy (no NUL after it, so ASan
 * catches any read past len). */
static int parse_exact(const char *s, size_t len, struct msr_filter *f,
		       char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, len);
	rc = msr_filter_parse(copy, len, f, err, errlen);
	free(copy);
	return rc;
}

static void parse_ok(const char *s, struct msr_filter *f)
{
	char err[200];

	memset(err, 0, sizeof(err));
	if (parse_exact(s, strlen(s), f, err, sizeof(err)))
		fail_msg("\"%s\" refused: %s", s, err);
	assert_true(f->present);
	assert_int_equal(err[0], '\0');
}

/* Parses s expecting a refusal whose message contains every non-NULL
 * needle; checks *out was cleared from garbage. */
static void parse_bad_len(const char *s, size_t len, const char *n1,
			  const char *n2)
{
	struct msr_filter f;
	char err[200];

	memset(&f, 0xa5, sizeof(f));
	memset(err, 'Z', sizeof(err));
	if (parse_exact(s, len, &f, err, sizeof(err)) != -1)
		fail_msg("\"%.*s\" accepted", (int)len, s);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_false(f.present);
	assert_int_equal(f.nranges, 0);
	assert_false(f.default_allow);
	assert_non_null(strstr(err, "msr_filter: "));
	if (n1 && !strstr(err, n1))
		fail_msg("\"%.*s\": message \"%s\" lacks \"%s\"", (int)len, s,
			 err, n1);
	if (n2 && !strstr(err, n2))
		fail_msg("\"%.*s\": message \"%s\" lacks \"%s\"", (int)len, s,
			 err, n2);
}

static void parse_bad(const char *s, const char *n1, const char *n2)
{
	parse_bad_len(s, strlen(s), n1, n2);
}

static void assert_range(const struct msr_filter *f, unsigned i, bool allow,
			 uint8_t access, uint32_t first, uint32_t last)
{
	assert_true(i < f->nranges);
	assert_int_equal(f->range[i].allow, allow);
	assert_int_equal(f->range[i].access, access);
	assert_int_equal(f->range[i].first, first);
	assert_int_equal(f->range[i].last, last);
}

/* ---- parser: accepted forms -------------------------------------------- */

static void test_parse_default_only(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow", &f);
	assert_true(f.default_allow);
	assert_int_equal(f.nranges, 0);
}

static void test_parse_examples(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:w:0x10", &f);
	assert_true(f.default_allow);
	assert_int_equal(f.nranges, 1);
	assert_range(&f, 0, false, MSR_FILTER_WRITE, 0x10, 0x10);

	parse_ok("deny,allow:rw:0x0-0x1fff,allow:r:0xc0000080+2", &f);
	assert_false(f.default_allow);
	assert_int_equal(f.nranges, 2);
	assert_range(&f, 0, true, RW, 0x0, 0x1fff);
	assert_range(&f, 1, true, MSR_FILTER_READ, 0xc0000080, 0xc0000081);
}

static void test_parse_number_forms(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:r:16,deny:w:100-200,deny:rw:0X1F+0x10,"
		 "deny:r:0xABCDEF,deny:w:0xaBcD-0XAbCe,deny:r:0+1,deny:w:0", &f);
	assert_int_equal(f.nranges, 7);
	assert_range(&f, 0, false, MSR_FILTER_READ, 16, 16);
	assert_range(&f, 1, false, MSR_FILTER_WRITE, 100, 200);
	assert_range(&f, 2, false, RW, 0x1f, 0x2e);
	assert_range(&f, 3, false, MSR_FILTER_READ, 0xabcdef, 0xabcdef);
	assert_range(&f, 4, false, MSR_FILTER_WRITE, 0xabcd, 0xabce);
	assert_range(&f, 5, false, MSR_FILTER_READ, 0, 0);
	assert_range(&f, 6, false, MSR_FILTER_WRITE, 0, 0);
	/* -LAST equal to FIRST is one MSR. */
	parse_ok("deny,allow:rw:0x10-0x10", &f);
	assert_range(&f, 0, true, RW, 0x10, 0x10);
	/* Decimal and hex limits. */
	parse_ok("allow,deny:r:4294967295,deny:w:0-0xffffffff", &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 0xffffffff, 0xffffffff);
	assert_range(&f, 1, false, MSR_FILTER_WRITE, 0, 0xffffffff);
	/* Many leading zeros are still a small number. */
	parse_ok("allow,deny:r:0x000000000000000000000000000000000000000000000000001f,"
		 "deny:w:00000000000000000000000000000000000000000000000000000007",
		 &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 0x1f, 0x1f);
	assert_range(&f, 1, false, MSR_FILTER_WRITE, 7, 7);
}

/* 32-bit boundary: FIRST + COUNT - 1 may be 0xffffffff, not more. */
static void test_parse_overflow_boundary(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:r:0xffffffff+1", &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 0xffffffff, 0xffffffff);
	parse_ok("allow,deny:r:0xfffffffe+2", &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 0xfffffffe, 0xffffffff);
	parse_ok("allow,deny:r:0x1+0xffffffff", &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 1, 0xffffffff);
	parse_ok("allow,deny:r:0+0xffffffff", &f);
	assert_range(&f, 0, false, MSR_FILTER_READ, 0, 0xfffffffe);
	parse_bad("allow,deny:r:0xffffffff+2", "range 1 'deny:r:0xffffffff+2'",
		  "ends past MSR 0xffffffff");
	parse_bad("allow,deny:r:0xfffffffe+3", "range 1", "ends past");
	parse_bad("allow,deny:r:0x2+0xffffffff", "range 1", "ends past");
	parse_bad("allow,deny:r:0x100000000", "FIRST '0x100000000'",
		  "above 0xffffffff");
	parse_bad("allow,deny:r:4294967296", "FIRST '4294967296'",
		  "above 0xffffffff");
	parse_bad("allow,deny:r:0x10+0x100000000", "COUNT '0x100000000'",
		  "above 0xffffffff");
	parse_bad("allow,deny:r:0x10-0x100000000", "LAST '0x100000000'",
		  "above 0xffffffff");
}

static void test_parse_sixteen_ranges(void **state)
{
	char s[512] = "deny";
	struct msr_filter f;

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		char r[32];

		snprintf(r, sizeof(r), ",allow:rw:0x%x", 0x100 + i);
		strcat(s, r);
	}
	parse_ok(s, &f);
	assert_int_equal(f.nranges, MSR_FILTER_MAX_RANGES);
	assert_int_equal(MSR_FILTER_MAX_RANGES, 16);
	assert_range(&f, 15, true, RW, 0x10f, 0x10f);
	strcat(s, ",deny:w:0x999");
	parse_bad(s, "range 17 'deny:w:0x999'", "more than 16 ranges");
	/* The 17th is refused even when it is empty or broken. */
	s[strlen(s) - strlen(",deny:w:0x999")] = '\0';
	strcat(s, ",");
	parse_bad(s, "range 17", "more than 16 ranges");
}

/* ---- parser: refusals -------------------------------------------------- */

static void test_parse_empty_and_default(void **state)
{
	struct msr_filter f;
	char err[200];

	(void)state;
	parse_bad("", "empty value", NULL);
	memset(&f, 0xff, sizeof(f));
	assert_int_equal(msr_filter_parse(NULL, 0, &f, err, sizeof(err)), -1);
	assert_false(f.present);
	assert_non_null(strstr(err, "empty value"));
	assert_int_equal(msr_filter_parse(NULL, 5, &f, err, sizeof(err)), -1);
	assert_false(f.present);
	parse_bad("bogus", "default 'bogus'", "must be allow or deny");
	parse_bad("Allow", "default 'Allow'", "must be allow or deny");
	parse_bad("allowx", "default 'allowx'", NULL);
	parse_bad("deny:r:0x10", "default 'deny:r:0x10'", NULL);
	parse_bad(",allow:r:1", "default ''", "must be allow or deny");
	parse_bad("deny", "'deny' with no ranges", "denies every MSR");
	parse_bad("deny", "refused", NULL);
}

static void test_parse_bad_items(void **state)
{
	(void)state;
	parse_bad("allow,", "range 1 ''", "empty item");
	parse_bad("allow,,deny:r:1", "range 1 ''", "empty item");
	parse_bad("allow,deny:r:1,", "range 2 ''", "empty item");
	parse_bad("allow,deny", "range 1 'deny'", "missing fields");
	parse_bad("allow,deny:r", "range 1 'deny:r'", "missing fields");
	parse_bad("allow,deny:r:", "range 1 'deny:r:'", "FIRST '' is missing");
	parse_bad("allow,deny:r:1,allow:x:0x10", "range 2 'allow:x:0x10'",
		  "access 'x' must be r, w or rw");
	parse_bad("allow,deny:w:1,deny:w:2,allow:x:0x10",
		  "msr_filter: range 3 'allow:x:0x10': access 'x' must be r, w or rw",
		  NULL);
	parse_bad("allow,deny:wr:1", "access 'wr'", NULL);
	parse_bad("allow,deny:R:1", "access 'R'", NULL);
	parse_bad("allow,deny::1", "access ''", NULL);
	parse_bad("allow,block:r:1", "range 1 'block:r:1'",
		  "action 'block' must be allow or deny");
	parse_bad("allow,:r:1", "action ''", NULL);
	parse_bad("allow,deny:r:0x10:5", "range 1 'deny:r:0x10:5'",
		  "too many ':'");
	parse_bad("allow,deny:r:0x10zz", "FIRST '0x10zz'",
		  "is not a decimal or 0x-hex number");
	parse_bad("allow,deny:r:12a", "FIRST '12a'", "not a decimal");
	parse_bad("allow,deny:r:0x", "FIRST '0x'", "not a decimal");
	parse_bad("allow,deny:r:0xg", "FIRST '0xg'", NULL);
	parse_bad("allow,deny:r:-5", "FIRST '' is missing", NULL);
	parse_bad("allow,deny:r:+5", "FIRST '' is missing", NULL);
	parse_bad("allow,deny:r: 0x10", "FIRST ' 0x10'", NULL);
	parse_bad("allow,deny:r:0x10+", "COUNT '' is missing", NULL);
	parse_bad("allow,deny:r:0x10+1+2", "COUNT '1+2'", "not a decimal");
	parse_bad("allow,deny:r:0x10+-1", "COUNT '-1'", NULL);
	parse_bad("allow,deny:r:0x10-", "LAST '' is missing", NULL);
	parse_bad("allow,deny:r:0x10--0x20", "LAST '-0x20'", NULL);
	parse_bad("allow,deny:r:0x10-0x20-0x30", "LAST '0x20-0x30'", NULL);
	parse_bad("allow,deny:rw:1;", "FIRST '1;'", NULL);
	parse_bad("allow,deny:rw:1 ", "FIRST '1 '", NULL);
}

static void test_parse_empty_ranges(void **state)
{
	(void)state;
	parse_bad("allow,deny:r:0x10+0", "range 1 'deny:r:0x10+0'",
		  "empty range: COUNT is 0");
	parse_bad("allow,deny:r:0x10+0x0", "COUNT is 0", NULL);
	parse_bad("allow,deny:r:0x10-0xf", "range 1 'deny:r:0x10-0xf'",
		  "empty range: LAST is below FIRST");
	parse_bad("allow,deny:r:0xffffffff-0", "LAST is below FIRST", NULL);
}

/* ---- parser: hostile input --------------------------------------------- */

static void test_parse_long_numbers(void **state)
{
	char s[1200] = "allow,deny:r:";
	struct msr_filter f;
	char err[200];

	(void)state;
	memset(s + strlen(s), '9', 1000);
	parse_bad(s, "FIRST '9999999999999999999999999999999999999999...'",
		  "above 0xffffffff");
	/* The quoted range is cut at 40 bytes too. */
	parse_bad(s, "range 1 'deny:r:999999999999999999999999999999999...'",
		  NULL);
	strcpy(s, "allow,deny:r:0x");
	memset(s + strlen(s), 'f', 1000);
	parse_bad(s, "above 0xffffffff", NULL);
	/* A tiny error buffer still gets a terminated prefix. */
	memset(err, 'Z', sizeof(err));
	assert_int_equal(parse_exact(s, strlen(s), &f, err, 8), -1);
	assert_string_equal(err, "msr_fil");
	assert_int_equal(err[8], 'Z');
	/* No error buffer at all. */
	assert_int_equal(parse_exact(s, strlen(s), &f, NULL, 0), -1);
	assert_false(f.present);
	/* No result buffer. */
	assert_int_equal(msr_filter_parse("allow", 5, NULL, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "msr_filter: "));
	/* A long garbage default is quoted cut. */
	memset(s, 'a', 1000);
	s[1000] = '\0';
	parse_bad(s, "default 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
		  NULL);
}

static void test_parse_nul_bytes(void **state)
{
	static const char nul_in_number[] = "allow,deny:r:0x1\0";
	static const char nul_in_default[] = "allow\0,deny:r:1";
	static const char nul_item[] = "allow,\0";
	struct msr_filter f;

	(void)state;
	/* A NUL inside len is a bad byte, shown as '?'. */
	parse_bad_len(nul_in_number, sizeof(nul_in_number) - 1,
		      "range 1 'deny:r:0x1?'", "FIRST '0x1?'");
	parse_bad_len(nul_in_default, sizeof(nul_in_default) - 1,
		      "default 'allow?'", NULL);
	parse_bad_len(nul_item, sizeof(nul_item) - 1, "range 1 '?'", NULL);
	parse_bad_len("allow,deny:\x01:1", 14, "access '?'", NULL);
	/* Only len bytes count: what follows is ignored. */
	assert_int_equal(msr_filter_parse("allow,deny:w:0x10GARBAGE", 17, &f,
					  NULL, 0), 0);
	assert_range(&f, 0, false, MSR_FILTER_WRITE, 0x10, 0x10);
	assert_int_equal(parse_exact("deny,allow:r:0x1234", 19, &f, NULL, 0),
			 0);
	assert_range(&f, 0, true, MSR_FILTER_READ, 0x1234, 0x1234);
	assert_int_equal(parse_exact("allow", 5, &f, NULL, 0), 0);
	assert_true(f.default_allow);
	/* Cut inside a word: "allo" is no default. */
	parse_bad_len("allow", 4, "default 'allo'", NULL);
}

/* A refusal after a good parse leaves no trace of the old filter. */
static void test_parse_failure_clears_out(void **state)
{
	struct msr_filter f;
	char err[200];

	(void)state;
	parse_ok("deny,allow:rw:0x0-0x1fff", &f);
	assert_int_equal(msr_filter_parse("deny,allow:rw:0x0-0x1fff,x", 26, &f,
					  err, sizeof(err)), -1);
	assert_false(f.present);
	assert_int_equal(f.nranges, 0);
	assert_true(msr_filter_allows(&f, 0x10, RD));
	assert_true(msr_filter_allows(&f, 0xc0000080, WR));
}

/* ---- msr_filter_allows() ----------------------------------------------- */

static void test_allows_first_match_wins(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:rw:0x10-0x20,allow:rw:0x15", &f);
	assert_false(msr_filter_allows(&f, 0x15, RD));
	assert_false(msr_filter_allows(&f, 0x15, WR));
	assert_false(msr_filter_allows(&f, 0x10, RD));
	assert_false(msr_filter_allows(&f, 0x20, WR));
	assert_true(msr_filter_allows(&f, 0xf, RD));
	assert_true(msr_filter_allows(&f, 0x21, WR));
	parse_ok("allow,allow:rw:0x15,deny:rw:0x10-0x20", &f);
	assert_true(msr_filter_allows(&f, 0x15, RD));
	assert_true(msr_filter_allows(&f, 0x15, WR));
	assert_false(msr_filter_allows(&f, 0x14, RD));
	assert_false(msr_filter_allows(&f, 0x16, WR));
	parse_ok("deny,allow:r:0x10-0x1f,deny:rw:0x10-0x1f,allow:rw:0x0-0xff", &f);
	assert_true(msr_filter_allows(&f, 0x18, RD));
	assert_false(msr_filter_allows(&f, 0x18, WR));
	assert_true(msr_filter_allows(&f, 0x20, WR));
	assert_false(msr_filter_allows(&f, 0x100, RD));
}

/* A range whose ACCESS lacks the kind of access does not decide it: the
 * next range or the default does. */
static void test_allows_access_kinds(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("deny,allow:r:0x10", &f);
	assert_true(msr_filter_allows(&f, 0x10, RD));
	assert_false(msr_filter_allows(&f, 0x10, WR));
	parse_ok("allow,deny:w:0x10", &f);
	assert_true(msr_filter_allows(&f, 0x10, RD));
	assert_false(msr_filter_allows(&f, 0x10, WR));
	parse_ok("deny,allow:r:0x10-0x20,allow:w:0x18,deny:r:0x10", &f);
	assert_true(msr_filter_allows(&f, 0x18, WR));
	assert_false(msr_filter_allows(&f, 0x19, WR));
	assert_true(msr_filter_allows(&f, 0x10, RD));
	assert_true(msr_filter_allows(&f, 0x19, RD));
	parse_ok("allow,deny:r:0x10,allow:r:0x10,deny:w:0x10", &f);
	assert_false(msr_filter_allows(&f, 0x10, RD));
	assert_false(msr_filter_allows(&f, 0x10, WR));
}

static void test_allows_default(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow", &f);
	assert_true(msr_filter_allows(&f, 0x0, RD));
	assert_true(msr_filter_allows(&f, 0xffffffff, WR));
	parse_ok("deny,allow:rw:0x10", &f);
	assert_false(msr_filter_allows(&f, 0x0, RD));
	assert_false(msr_filter_allows(&f, 0xf, WR));
	assert_false(msr_filter_allows(&f, 0x11, RD));
	assert_false(msr_filter_allows(&f, 0xffffffff, WR));
	assert_true(msr_filter_allows(&f, 0x10, WR));
	parse_ok("deny,allow:rw:0xffffffff", &f);
	assert_true(msr_filter_allows(&f, 0xffffffff, RD));
	assert_false(msr_filter_allows(&f, 0xfffffffe, RD));
	/* No filter, or a refused one: everything allowed. */
	assert_true(msr_filter_allows(NULL, 0x10, WR));
	memset(&f, 0, sizeof(f));
	f.default_allow = false;
	f.nranges = 0;
	assert_true(msr_filter_allows(&f, 0x10, WR));
}

/* KVM's rule: 0x800-0x8ff always allowed, whatever the filter says. */
static void test_allows_x2apic_never_filtered(void **state)
{
	static const char *const filters[] = {
		"deny,allow:r:0x10",
		"allow,deny:rw:0x0-0xffffffff",
		"deny,deny:rw:0x800-0x8ff",
		"allow,deny:w:0x830",
	};
	struct msr_filter f;

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(filters); k++) {
		parse_ok(filters[k], &f);
		for (uint32_t m = 0x800; m <= 0x8ff; m++) {
			assert_true(msr_filter_allows(&f, m, RD));
			assert_true(msr_filter_allows(&f, m, WR));
		}
	}
	parse_ok("allow,deny:rw:0x0-0xffffffff", &f);
	assert_false(msr_filter_allows(&f, 0x7ff, RD));
	assert_true(msr_filter_allows(&f, 0x800, WR));
	assert_true(msr_filter_allows(&f, 0x8ff, RD));
	assert_false(msr_filter_allows(&f, 0x900, WR));
	parse_ok("deny,allow:r:0x10", &f);
	assert_false(msr_filter_allows(&f, 0x7ff, WR));
	assert_true(msr_filter_allows(&f, 0x800, WR));
	assert_true(msr_filter_allows(&f, 0x8ff, WR));
	assert_false(msr_filter_allows(&f, 0x900, RD));
	/* Not aliased into the high range. */
	assert_false(msr_filter_allows(&f, 0xc0000800, RD));
}

/* A corrupted range count must not read past the array. */
static void test_allows_clamps_nranges(void **state)
{
	struct msr_filter f;

	(void)state;
	parse_ok("allow,deny:r:0x10", &f);
	f.nranges = 1000;
	assert_false(msr_filter_allows(&f, 0x10, RD));
	assert_true(msr_filter_allows(&f, 0x11, RD));
}

/* ---- msr_filter_x2apic_overlap() --------------------------------------- */

static void expect_overlap(uint32_t first, uint32_t last, bool want,
			   uint32_t want_first, uint32_t want_last)
{
	struct msr_filter_range r = { first, last, RW, false };
	uint32_t a = 0x12345678, b = 0x12345678;

	assert_int_equal(msr_filter_x2apic_overlap(&r, &a, &b), want);
	if (want) {
		assert_int_equal(a, want_first);
		assert_int_equal(b, want_last);
	} else {
		assert_int_equal(a, 0x12345678);
		assert_int_equal(b, 0x12345678);
	}
}

static void test_x2apic_overlap(void **state)
{
	struct msr_filter_range r = { 0x830, 0x830, RW, false };

	(void)state;
	expect_overlap(0x0, 0x7ff, false, 0, 0);
	expect_overlap(0x900, 0xffffffff, false, 0, 0);
	expect_overlap(0x7ff, 0x800, true, 0x800, 0x800);
	expect_overlap(0x8ff, 0x900, true, 0x8ff, 0x8ff);
	expect_overlap(0x0, 0xffffffff, true, 0x800, 0x8ff);
	expect_overlap(0x800, 0x8ff, true, 0x800, 0x8ff);
	expect_overlap(0x830, 0x830, true, 0x830, 0x830);
	expect_overlap(0x810, 0x2000, true, 0x810, 0x8ff);
	expect_overlap(0xc0000800, 0xc00008ff, false, 0, 0);
	assert_true(msr_filter_x2apic_overlap(&r, NULL, NULL));
	assert_false(msr_filter_x2apic_overlap(NULL, NULL, NULL));
}

/* ---- msr_filter_format() ----------------------------------------------- */

static void expect_format(const char *in, const char *want)
{
	struct msr_filter f, back;
	char buf[MSR_FILTER_FORMAT_LEN];

	parse_ok(in, &f);
	assert_int_equal(msr_filter_format(&f, buf, sizeof(buf)),
			 (int)strlen(want));
	assert_string_equal(buf, want);
	/* The description parses back to the same filter. */
	parse_ok(buf, &back);
	assert_memory_equal(&f, &back, sizeof(f));
}

static void test_format(void **state)
{
	char buf[64];
	struct msr_filter f;

	(void)state;
	expect_format("allow", "allow");
	expect_format("allow,deny:w:0x10", "allow,deny:w:0x10");
	expect_format("deny,allow:rw:0x0-0x1fff,allow:r:0xc0000080+2",
		      "deny,allow:rw:0x0-0x1fff,allow:r:0xc0000080-0xc0000081");
	expect_format("deny,allow:rw:16-0X20,deny:w:0xFFFFFFFF",
		      "deny,allow:rw:0x10-0x20,deny:w:0xffffffff");
	expect_format("allow,deny:r:0x10-0x10", "allow,deny:r:0x10");
	assert_int_equal(msr_filter_format(NULL, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "none");
	memset(&f, 0, sizeof(f));
	assert_int_equal(msr_filter_format(&f, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "none");
	/* Truncation: snprintf semantics. */
	parse_ok("allow,deny:w:0x10", &f);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(msr_filter_format(&f, buf, 6), 17);
	assert_string_equal(buf, "allow");
	assert_int_equal(buf[6], 'Z');
	assert_int_equal(msr_filter_format(&f, NULL, 0), 17);
	assert_int_equal(msr_filter_format(&f, buf, 1), 17);
	assert_int_equal(buf[0], '\0');
}

/* The longest possible description fits MSR_FILTER_FORMAT_LEN. */
static void test_format_longest(void **state)
{
	struct msr_filter f;
	char buf[MSR_FILTER_FORMAT_LEN];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.present = true;
	f.default_allow = true;
	f.nranges = MSR_FILTER_MAX_RANGES;
	for (unsigned i = 0; i < MSR_FILTER_MAX_RANGES; i++)
		f.range[i] = (struct msr_filter_range){ 0xfffffffe, 0xffffffff,
							RW, true };
	assert_int_equal(msr_filter_format(&f, buf, sizeof(buf)), 501);
	assert_int_equal(strlen(buf), 501);
	assert_true(501 < MSR_FILTER_FORMAT_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_parse_default_only),
		T(test_parse_examples),
		T(test_parse_number_forms),
		T(test_parse_overflow_boundary),
		T(test_parse_sixteen_ranges),
		T(test_parse_empty_and_default),
		T(test_parse_bad_items),
		T(test_parse_empty_ranges),
		T(test_parse_long_numbers),
		T(test_parse_nul_bytes),
		T(test_parse_failure_clears_out),
		T(test_allows_first_match_wins),
		T(test_allows_access_kinds),
		T(test_allows_default),
		T(test_allows_x2apic_never_filtered),
		T(test_allows_clamps_nranges),
		T(test_x2apic_overlap),
		T(test_format),
		T(test_format_longest),
#undef T
	};

	return cmocka_run_group_tests_name("msr_filter", tests, NULL, NULL);
}
