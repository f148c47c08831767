/* A real cmocka binary for tests/selftest: two tests pass, one calls
 * skip(), and with -DWITH_FAILURE a fourth fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void passes_one(void **state)
{
	(void)state;
	assert_int_equal(1 + 1, 2);
}

static void passes_two(void **state)
{
	(void)state;
	assert_true(1);
}

static void skips(void **state)
{
	(void)state;
	skip();
}

#ifdef WITH_FAILURE
static void fails(void **state)
{
	(void)state;
	assert_int_equal(1, 2);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes_one),
		cmocka_unit_test(passes_two),
		cmocka_unit_test(skips),
#ifdef WITH_FAILURE
		cmocka_unit_test(fails),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
