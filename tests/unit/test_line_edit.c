/* Unit tests for lib/line_edit.c: appending and echo, erase, CR/LF/CRLF,
 * Ctrl-U, Ctrl-C, ignored bytes, and a line at and past its bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/line_edit.h"

/* Feeds s; returns the last result, with every echo concatenated. */
static enum line_edit_result feed(struct line_edit *le, const char *s,
				  size_t n, char *echo, size_t echolen)
{
	enum line_edit_result r = LINE_EDIT_MORE;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		r = line_edit_feed(le, (uint8_t)s[i]);
		assert_true(le->echo_len <= LINE_EDIT_ECHO_MAX);
		assert_true(at + le->echo_len < echolen);
		memcpy(echo + at, le->echo, le->echo_len);
		at += le->echo_len;
	}
	echo[at] = '\0';
	return r;
}

#define FEED(le, lit, echo) feed(le, lit, sizeof(lit) - 1, echo, sizeof(echo))

static void test_typing_and_enter(void **state)
{
	struct line_edit le;
	char echo[512];
	size_t len;

	(void)state;
	line_edit_init(&le);
	assert_int_equal(FEED(&le, "regs", echo), LINE_EDIT_MORE);
	assert_string_equal(echo, "regs");
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
	assert_string_equal(echo, "\r\n");
	assert_string_equal(line_edit_line(&le, &len), "regs");
	assert_int_equal(len, 4);
	/* The LF of CRLF is swallowed; the next line starts empty. */
	assert_int_equal(FEED(&le, "\n", echo), LINE_EDIT_MORE);
	assert_string_equal(echo, "");
	assert_int_equal(FEED(&le, "step\n", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "step");
	/* LF alone, then an empty line, each end a line. */
	assert_int_equal(FEED(&le, "\n", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, &len), "");
	assert_int_equal(len, 0);
	/* CR CR: two lines (only LF pairs with CR). */
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
}

static void test_erase(void **state)
{
	struct line_edit le;
	char echo[512];

	(void)state;
	line_edit_init(&le);
	/* Erase on an empty line echoes nothing. */
	assert_int_equal(FEED(&le, "\b\x7f", echo), LINE_EDIT_MORE);
	assert_string_equal(echo, "");
	assert_int_equal(FEED(&le, "mex\x7fm\b\bem", echo), LINE_EDIT_MORE);
	assert_string_equal(echo, "mex\b \bm\b \b\b \bem");
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "mem");
}

static void test_ctrl_u_and_ctrl_c(void **state)
{
	struct line_edit le;
	char echo[512];

	(void)state;
	line_edit_init(&le);
	assert_int_equal(FEED(&le, "junk\x15", echo), LINE_EDIT_CLEARED);
	assert_string_equal(echo, "junk^U\r\n");
	assert_int_equal(FEED(&le, "cont\r", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "cont");
	assert_int_equal(FEED(&le, "nmi\x03", echo), LINE_EDIT_CANCELLED);
	assert_string_equal(echo, "nmi^C\r\n");
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "");
}

static void test_ignored_bytes(void **state)
{
	struct line_edit le;
	char echo[512];

	(void)state;
	line_edit_init(&le);
	assert_int_equal(FEED(&le, "a\x00\t\x1b[A\x80\xff" "b\r", echo),
			 LINE_EDIT_DONE);
	/* ESC is dropped; '[' and 'A' of its sequence are printable. */
	assert_string_equal(line_edit_line(&le, NULL), "a[Ab");
	assert_string_equal(echo, "a[Ab\r\n");
}

static void test_bound(void **state)
{
	struct line_edit le;
	char line[LINE_EDIT_MAX + 2], echo[1024];

	(void)state;
	line_edit_init(&le);
	memset(line, 'x', sizeof(line));
	/* Exactly LINE_EDIT_MAX bytes fit. */
	assert_int_equal(feed(&le, line, LINE_EDIT_MAX, echo, sizeof(echo)),
			 LINE_EDIT_MORE);
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_DONE);
	assert_int_equal(strlen(line_edit_line(&le, NULL)), LINE_EDIT_MAX);
	/* One more rings the bell, erase cannot bring it back, and the
	 * line is refused with a message. */
	assert_int_equal(feed(&le, line, LINE_EDIT_MAX + 1, echo, sizeof(echo)),
			 LINE_EDIT_MORE);
	assert_int_equal(echo[LINE_EDIT_MAX], '\a');
	assert_int_equal(FEED(&le, "yy\b", echo), LINE_EDIT_MORE);
	assert_string_equal(echo, "\a\a");
	assert_int_equal(le.len, LINE_EDIT_MAX);
	assert_int_equal(FEED(&le, "\r", echo), LINE_EDIT_TOO_LONG);
	assert_string_equal(echo,
			    "\r\nline too long: more than 128 bytes, ignored\r\n");
	assert_int_equal(FEED(&le, "\nok\r", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "ok");
	/* Ctrl-C also ends an overflowed line. */
	feed(&le, line, LINE_EDIT_MAX + 2, echo, sizeof(echo));
	assert_int_equal(FEED(&le, "\x03" "a\r", echo), LINE_EDIT_DONE);
	assert_string_equal(line_edit_line(&le, NULL), "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typing_and_enter),
		cmocka_unit_test(test_erase),
		cmocka_unit_test(test_ctrl_u_and_ctrl_c),
		cmocka_unit_test(test_ignored_bytes),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
