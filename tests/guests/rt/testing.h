/* The test guests' test runner: a table of named tests, each run under a
 * catch-all try context (an unexpected exception fails that test, not the
 * guest), reported as "PASS name", "FAIL name: reason" or "SKIP name: why",
 * then one final line "N passed, N failed, N skipped". A skip is its own
 * outcome, never a pass: the system tests decide which skips a CPU model
 * allows (tests/system/scenarios.py). */
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

/* Marks the running test skipped: it does not apply here (an option the
 * run lacks, a CPU feature the model lacks); the caller then returns. The
 * reason goes on its SKIP line. A test that also failed is reported FAIL. */
void rt_skip(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Runs the n tests in order. Returns the number that failed (skips are
 * not failures). */
unsigned rt_run_tests(const struct rt_test *tests, size_t n);

/* The same for table-driven tests: test i is named name(i) and runs
 * run(i), for i in [0, n). One closing line for all of them. */
unsigned rt_run_indexed(size_t n, const char *(*name)(size_t i),
			void (*run)(size_t i));

/* CHECK: fails the test with the message if cond is false, returns cond.
 * REQUIRE: the same, then returns from the test function. */
#define CHECK(cond, ...) (likely(cond) ? true : (rt_fail(__VA_ARGS__), false))
#define REQUIRE(cond, ...)                      \
	do {                                    \
		if (!CHECK(cond, __VA_ARGS__))  \
			return;                 \
	} while (0)

#endif
