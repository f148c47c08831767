/* The shared console's pure logic (vmx/console_mux.h). */
#include "vmx/console_mux.h"

void console_esc_feed(struct console_esc *e, uint8_t esc, uint8_t byte,
		      struct console_esc_out *out)
{
	out->action = CONSOLE_ESC_BYTES;
	out->n = 0;
	if (!e->armed) {
		if (byte == esc)
			e->armed = true;
		else
			out->bytes[out->n++] = byte;
		return;
	}
	e->armed = false;
	switch (byte) {
	case 'c': case 'C':
		out->action = CONSOLE_ESC_SHELL;
		return;
	case 'x': case 'X':
		out->action = CONSOLE_ESC_POWEROFF;
		return;
	}
	out->bytes[out->n++] = esc;
	if (byte != esc)
		out->bytes[out->n++] = byte;
}

void console_out_init(struct console_out *co, console_emit_fn emit, void *ctx)
{
	*co = (struct console_out){ .emit = emit, .ctx = ctx };
}

static void end_line(struct console_out *co)
{
	co->emit(co->ctx, '\r');
	co->emit(co->ctx, '\n');
}

void console_out_guest_flush(struct console_out *co)
{
	if (!co->len)
		return;
	if (co->nestor_mid_line) {
		end_line(co);
		co->nestor_mid_line = false;
	}
	for (unsigned i = 0; i < co->len; i++)
		co->emit(co->ctx, co->line[i]);
	co->guest_mid_line = co->line[co->len - 1] != '\n';
	co->len = 0;
}

void console_out_guest(struct console_out *co, uint8_t byte)
{
	co->line[co->len++] = byte;
	if (byte == '\n' || co->len == CONSOLE_LINE_MAX)
		console_out_guest_flush(co);
}

void console_out_nestor(struct console_out *co, char c)
{
	if (!co->nestor_mid_line) {
		console_out_guest_flush(co);
		if (co->guest_mid_line) {
			end_line(co);
			co->guest_mid_line = false;
		}
	}
	if (c == '\n')
		co->emit(co->ctx, '\r');
	co->emit(co->ctx, (uint8_t)c);
	co->nestor_mid_line = c != '\n';
}

void pic_snoop_write(struct pic_snoop *p, unsigned offset, uint8_t value)
{
	if (offset == 0) {
		/* ICW1 has bit 4 set; OCW2/OCW3 (bit 4 clear) change nothing
		 * here. */
		if (value & 0x10)
			p->expect_icw2 = true;
		return;
	}
	if (offset == 1 && p->expect_icw2) {
		p->expect_icw2 = false;
		p->base = value & 0xf8;
		p->base_known = true;
	}
	/* Else OCW1 (the mask), or ICW3/ICW4: read back from the PIC when
	 * needed (IMR), or not needed. */
}

int console_irq_vector(uint64_t rte, const struct pic_snoop *pic,
		       uint8_t pic_imr)
{
	if (!(rte & IOAPIC_RTE_MASKED)) {
		unsigned dm = (unsigned)((rte & IOAPIC_RTE_DELIVERY) >> 8);
		unsigned vec = (unsigned)(rte & IOAPIC_RTE_VECTOR);

		/* Fixed or lowest priority with a vector an interrupt may
		 * have (16..255; SDM Vol. 3A 11.5.2 calls 0-15 illegal). SMI,
		 * NMI, INIT, ExtINT: not a vector Nestor can give. */
		if ((dm == 0 || dm == 1) && vec >= 16)
			return (int)vec;
		return -1;
	}
	if (pic->base_known && !(pic_imr & 0x10))
		return pic->base + 4;
	return -1;
}
