/* Test runner for the test guests (see rt/testing.h). */
#include "tests/guests/rt/testing.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "lib/format.h"
#include "lib/string.h"
#include "tests/guests/rt/console.h"
#include "tests/guests/rt/traps.h"

#define REASON_LEN 200

static const char *current_test = "?";
static unsigned failures; /* of the current test */
static char first_reason[REASON_LEN];
static bool skipped;      /* the current test called rt_skip() */
static char skip_reason[REASON_LEN];

enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP };

void rt_fail(const char *fmt, ...)
{
	char msg[REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (failures++ == 0)
		memcpy(first_reason, msg, sizeof(first_reason));
	else
		rt_printf("  %s: also: %s\n", current_test, msg);
}

void rt_note(const char *fmt, ...)
{
	va_list ap;

	rt_printf("  %s: ", current_test);
	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
	rt_putc('\n');
}

void rt_skip(const char *fmt, ...)
{
	va_list ap;

	if (skipped)
		return; /* the first reason stands */
	va_start(ap, fmt);
	fmt_vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	skipped = true;
}

static void call_test(void *arg)
{
	const struct rt_test *t = arg;

	t->fn();
}

struct indexed_call {
	void (*run)(size_t i);
	size_t i;
};

static void call_indexed(void *arg)
{
	const struct indexed_call *c = arg;

	c->run(c->i);
}

static enum outcome run_one(const char *name, void (*fn)(void *), void *arg)
{
	struct rt_exception e;

	current_test = name;
	failures = 0;
	first_reason[0] = '\0';
	skipped = false;
	skip_reason[0] = '\0';
	if (rt_catch(fn, arg, &e) != RT_NO_EXCEPTION)
		rt_fail("unexpected exception %s (vector %d), error code %#lx, "
			"rip %#lx, cr2 %#lx", rt_vector_name(e.vector), e.vector,
			e.error_code, e.rip, e.cr2);
	cli(); /* whatever the test did */
	if (failures == 0 && skipped) {
		rt_printf("SKIP %s: %s\n", name, skip_reason);
		return OUTCOME_SKIP;
	}
	if (failures == 0) {
		rt_printf("PASS %s\n", name);
		return OUTCOME_PASS;
	}
	if (failures > 1)
		rt_printf("FAIL %s: %s (and %u more)\n", name, first_reason,
			  failures - 1);
	else
		rt_printf("FAIL %s: %s\n", name, first_reason);
	return OUTCOME_FAIL;
}

static void closing_line(const unsigned count[3])
{
	current_test = "?";
	rt_printf("%u passed, %u failed, %u skipped\n", count[OUTCOME_PASS],
		  count[OUTCOME_FAIL], count[OUTCOME_SKIP]);
}

unsigned rt_run_tests(const struct rt_test *tests, size_t n)
{
	unsigned count[3] = { 0, 0, 0 };

	for (size_t i = 0; i < n; i++)
		count[run_one(tests[i].name, call_test, (void *)&tests[i])]++;
	closing_line(count);
	return count[OUTCOME_FAIL];
}

unsigned rt_run_indexed(size_t n, const char *(*name)(size_t i),
			void (*run)(size_t i))
{
	unsigned count[3] = { 0, 0, 0 };

	for (size_t i = 0; i < n; i++) {
		struct indexed_call c = { run, i };

		count[run_one(name(i), call_indexed, &c)]++;
	}
	closing_line(count);
	return count[OUTCOME_FAIL];
}
