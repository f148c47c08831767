/* Generic value parsers (pure): numbers and words in text that is not
 * NUL-terminated. Used by the command line (boot/cmdline.c) and the MSR
 * filter syntax (vmx/msr_filter.c). */
#ifndef NESTOR_LIB_PARSE_H
#define NESTOR_LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses an unsigned number: decimal digits, or "0x"/"0X" then hex digits.
 * No sign, no spaces, not empty. Returns 0 and sets *out, or -1 on bad
 * syntax or a value above max. */
int parse_uint(const char *val, size_t len, uint64_t max, uint64_t *out);

/* The value of a hex digit (either case), or -1. */
int parse_hex_digit(char c);

/* True when the len bytes at val are exactly the string word. */
bool parse_word_is(const char *val, size_t len, const char *word);

#endif
