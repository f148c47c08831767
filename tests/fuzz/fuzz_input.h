/* The fuzz targets' reader of their input: little-endian numbers taken
 * from the front, zeros once the input is used up (so every input is a
 * whole test case). */
#ifndef NESTOR_TESTS_FUZZ_INPUT_H
#define NESTOR_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		uint64_t b = 0;

		if (c->left) {
			b = *c->p++;
			c->left--;
		}
		v |= b << (8 * i);
	}
	return v;
}

#endif
