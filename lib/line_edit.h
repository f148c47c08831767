/* The line editor of the debug shell (issue 16): input arrives from the UART
 * one byte at a time, and each byte says what to echo back. Pure: no I/O,
 * the caller writes le->echo to the port after every byte.
 *
 * In lib/ because it knows nothing about commands: the same editor can serve
 * any line-based console (the parser of the shell's commands, which needs
 * the VMCS field table, is vmx/shell_parse.c).
 *
 *  - printable ASCII (0x20..0x7e) is appended and echoed; the line holds at
 *    most LINE_EDIT_MAX bytes. A byte past that is dropped (echo: BEL), and
 *    the line, when it ends, is refused as LINE_EDIT_TOO_LONG with a message
 *    in the echo: a too-long line never runs half of itself.
 *  - backspace (0x08) and DEL (0x7f) erase the last byte ("\b \b").
 *  - CR or LF ends the line (echo "\r\n"); CR then LF, as terminals send
 *    it, ends one line, not a line and an empty one.
 *  - Ctrl-U (0x15) clears the line (echo "^U\r\n", the caller prompts anew).
 *  - Ctrl-C (0x03) abandons the line (echo "^C\r\n").
 *  - every other byte (other controls, ESC sequences, bytes >= 0x80) is
 *    ignored without echo. */
#ifndef NESTOR_LIB_LINE_EDIT_H
#define NESTOR_LIB_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_EDIT_MAX 128
/* The longest echo of one byte: the too-long message. */
#define LINE_EDIT_ECHO_MAX 64

enum line_edit_result {
	LINE_EDIT_MORE,      /* the line goes on */
	LINE_EDIT_DONE,      /* a line ended: line_edit_line() has it */
	LINE_EDIT_CLEARED,   /* Ctrl-U: the line is empty again */
	LINE_EDIT_CANCELLED, /* Ctrl-C: the line was abandoned */
	LINE_EDIT_TOO_LONG,  /* a line ended that did not fit: dropped */
};

struct line_edit {
	char buf[LINE_EDIT_MAX + 1]; /* NUL-terminated after LINE_EDIT_DONE */
	size_t len;
	bool overflow;   /* a byte was dropped since the line began */
	bool after_cr;   /* the previous byte was CR: a LF now is its pair */
	bool line_ended; /* the previous byte returned a line: start anew */
	/* What to write back for the last byte fed; not NUL-terminated. */
	char echo[LINE_EDIT_ECHO_MAX];
	size_t echo_len;
};

void line_edit_init(struct line_edit *le);

/* Feeds one input byte; le->echo/echo_len say what to write back. After
 * LINE_EDIT_DONE the line stays readable until the next byte is fed. */
enum line_edit_result line_edit_feed(struct line_edit *le, uint8_t byte);

/* The finished line (NUL-terminated) and its length. */
const char *line_edit_line(const struct line_edit *le, size_t *len);

#endif
