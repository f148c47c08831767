/* The test guests' test runner: a table of named tests, each run under a
 * catch-all try context (an unexpected exception fails that test, not the
 * guest), reported as "PASS name" or "FAIL name: reason", then one final
 * line "N passed, N failed". */
#ifndef NESTOR_GUESTS_RT_TESTING_H
#define NESTOR_GUESTS_RT_TESTING_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/compiler.h"

struct rt_test {
	const char *name;
	void (*fn)(void);
};

/* Marks the running test failed. The first reason goes on its FAIL line;
 * later ones are printed as they come. */
void rt_fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Prints "<test name>: <message>" (information, not a verdict). */
void rt_note(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Runs the n tests in order. Returns the number that failed. */
unsigned rt_run_tests(const struct rt_test *tests, size_t n);

/* CHECK: fails the test with the message if cond is false, returns cond.
 * REQUIRE: the same, then returns from the test function. */
#define CHECK(cond, ...) (likely(cond) ? true : (rt_fail(__VA_ARGS__), false))
#define REQUIRE(cond, ...)                      \
	do {                                    \
		if (!CHECK(cond, __VA_ARGS__))  \
			return;                 \
	} while (0)

#endif
