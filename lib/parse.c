/* Generic value parsers (see lib/parse.h). */
#include "lib/parse.h"
#include "lib/string.h"

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_uint(const char *val, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t base = 10, n = 0;
	size_t i = 0;

	if (len >= 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		int d = parse_hex_digit(val[i]);

		if (d < 0 || (uint64_t)d >= base)
			return -1;
		/* n * base + d <= max, without overflowing. */
		if ((uint64_t)d > max || n > (max - (uint64_t)d) / base)
			return -1;
		n = n * base + (uint64_t)d;
	}
	*out = n;
	return 0;
}

bool parse_word_is(const char *val, size_t len, const char *word)
{
	/* word[len] is readable once word is known to hold len bytes. */
	if (strnlen(word, len) != len || word[len] != '\0')
		return false;
	return len == 0 || memcmp(val, word, len) == 0;
}
