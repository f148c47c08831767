/* The shell's line editor (see lib/line_edit.h). */
#include "lib/line_edit.h"
#include "lib/format.h"
#include "lib/string.h"

#define CTRL_C 0x03
#define BACKSPACE 0x08
#define CTRL_U 0x15
#define DEL 0x7f
#define BEL "\a"

static void echo(struct line_edit *le, const char *s)
{
	size_t n = strnlen(s, sizeof(le->echo));

	memcpy(le->echo, s, n);
	le->echo_len = n;
}

static void restart(struct line_edit *le)
{
	le->len = 0;
	le->buf[0] = '\0';
	le->overflow = false;
}

void line_edit_init(struct line_edit *le)
{
	memset(le, 0, sizeof(*le));
}

static enum line_edit_result end_line(struct line_edit *le)
{
	le->line_ended = true;
	if (le->overflow) {
		int n = fmt_snprintf(le->echo, sizeof(le->echo),
				     "\r\nline too long: more than %u bytes, ignored\r\n",
				     (unsigned)LINE_EDIT_MAX);

		le->echo_len = n > 0 && (size_t)n < sizeof(le->echo) ? (size_t)n : 0;
		restart(le);
		return LINE_EDIT_TOO_LONG;
	}
	echo(le, "\r\n");
	le->buf[le->len] = '\0';
	return LINE_EDIT_DONE;
}

enum line_edit_result line_edit_feed(struct line_edit *le, uint8_t byte)
{
	bool after_cr = le->after_cr;

	le->echo_len = 0;
	le->after_cr = byte == '\r';
	if (le->line_ended) {
		le->line_ended = false;
		restart(le);
	}
	if (byte == '\n' && after_cr)
		return LINE_EDIT_MORE; /* the LF of a CRLF: that line has ended */
	if (byte == '\r' || byte == '\n')
		return end_line(le);
	switch (byte) {
	case CTRL_C:
		restart(le);
		echo(le, "^C\r\n");
		return LINE_EDIT_CANCELLED;
	case CTRL_U:
		restart(le);
		echo(le, "^U\r\n");
		return LINE_EDIT_CLEARED;
	case BACKSPACE:
	case DEL:
		/* Past an overflow the screen no longer matches the buffer:
		 * erasing is refused too, the line is lost anyway. */
		if (le->len > 0 && !le->overflow) {
			le->len--;
			le->buf[le->len] = '\0';
			echo(le, "\b \b");
		}
		return LINE_EDIT_MORE;
	default:
		break;
	}
	if (byte < 0x20 || byte > 0x7e)
		return LINE_EDIT_MORE;
	if (le->overflow || le->len >= LINE_EDIT_MAX) {
		le->overflow = true;
		echo(le, BEL);
		return LINE_EDIT_MORE;
	}
	le->buf[le->len++] = (char)byte;
	le->buf[le->len] = '\0';
	le->echo[0] = (char)byte;
	le->echo_len = 1;
	return LINE_EDIT_MORE;
}

const char *line_edit_line(const struct line_edit *le, size_t *len)
{
	if (len)
		*len = le->len;
	return le->buf;
}
