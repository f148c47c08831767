/* Fuzz target: the shared console's pure logic (vmx/console_mux.c) under
 * any sequence of received bytes, guest and Nestor output, flushes, PIC
 * writes and IOAPIC entries. It checks, after every operation:
 *  - the escape keys give at most 2 bytes, none with a shell or power-off
 *    action, and hold a byte only right after the escape character;
 *  - the guest's partial line stays below CONSOLE_LINE_MAX; after the first
 *    character of a Nestor line it is empty (flushed first: bytes the
 *    guest sends while a Nestor line is open wait for its end), and a Nestor line starts with
 *    no guest line open on the wire; a guest line that goes out finds no
 *    Nestor line open (the mux puts CR LF between them);
 *  - IRQ4's vector is -1, 16..255 from an unmasked IOAPIC entry, or the
 *    snooped PIC base + 4.
 * Input: operations, each a kind byte then its operands:
 *   0 esc feed: u8 esc, u8 byte   1 guest byte: u8
 *   2 nestor char: u8             3 guest flush
 *   4 pic write: u8 offset, u8    5 vector: u64 rte, u8 imr */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmx/console_mux.h"
#include "tests/fuzz/fuzz_input.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void emit(void *ctx, uint8_t b)
{
	(void)ctx;
	(void)b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	struct console_esc e = { 0 };
	struct console_out co;
	struct pic_snoop pic = { 0 };
	unsigned ops = 0;

	console_out_init(&co, emit, NULL);
	while (c.left && ops++ < 4096) {
		unsigned kind = (unsigned)take(&c, 1) % 6;
		struct console_esc_out o;
		uint8_t a, b;
		int vec;

		switch (kind) {
		case 0:
			a = (uint8_t)take(&c, 1);
			b = (uint8_t)take(&c, 1);
			console_esc_feed(&e, a, b, &o);
			CHECK(o.n <= 2);
			CHECK(o.action == CONSOLE_ESC_BYTES || o.n == 0);
			CHECK(o.n > 0 || o.action != CONSOLE_ESC_BYTES || e.armed);
			break;
		case 1:
			a = (uint8_t)take(&c, 1);
			console_out_guest(&co, a);
			/* A line that went out ended Nestor's first. */
			if (co.len == 0)
				CHECK(!co.nestor_mid_line);
			break;
		case 2: {
			bool line_start = !co.nestor_mid_line;

			a = (uint8_t)take(&c, 1);
			console_out_nestor(&co, (char)a);
			if (line_start)
				CHECK(co.len == 0 && !co.guest_mid_line);
			CHECK(co.nestor_mid_line == (a != '\n'));
			break;
		}
		case 3: {
			bool had = co.len != 0;

			console_out_guest_flush(&co);
			CHECK(co.len == 0);
			if (had)
				CHECK(!co.nestor_mid_line);
			break;
		}
		case 4:
			a = (uint8_t)take(&c, 1);
			b = (uint8_t)take(&c, 1);
			pic_snoop_write(&pic, a % 3, b);
			CHECK(!pic.base_known || (pic.base & 7) == 0);
			break;
		case 5:
		{
			uint64_t rte = take(&c, 8);

			vec = console_irq_vector(rte, &pic, (uint8_t)take(&c, 1));
			/* The PIC's base + 4 is what the 8259 would give, even
			 * below 32 (0x0c with the BIOS's base 0x08). */
			CHECK(vec >= -1 && vec <= 255);
			if (!(rte & IOAPIC_RTE_MASKED))
				CHECK(vec == -1 || vec >= 16);
			if (rte & IOAPIC_RTE_MASKED)
				CHECK(vec == -1 || (pic.base_known && vec == pic.base + 4));
		}
			break;
		}
		CHECK(co.len < CONSOLE_LINE_MAX);
	}
	return 0;
}
