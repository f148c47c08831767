/* The pure parts of the shared console (issue 16 item 1; the run-time
 * glue is vmx/guest_console.c): the escape-key state machine on what the
 * real port receives, the output mux that keeps Nestor's lines and the
 * guest's from interleaving mid-line, the snoop of the master 8259's ICW2
 * and the choice of the vector for the guest's ISA IRQ4. No port I/O, no
 * VMCS: unit tested (tests/unit/test_console_mux.c). */
#ifndef NESTOR_VMX_CONSOLE_MUX_H
#define NESTOR_VMX_CONSOLE_MUX_H

#include <stdbool.h>
#include <stdint.h>

/* ---- escape keys: ESC c (shell and back), ESC x (power off) ---------- */

#define CONSOLE_ESCAPE_DEFAULT 0x01 /* Ctrl-A, as QEMU's -serial mon:stdio */

enum console_esc_action {
	CONSOLE_ESC_BYTES,    /* out->bytes[0..n) are ordinary input */
	CONSOLE_ESC_SHELL,    /* ESC c: input to Nestor's shell, or back */
	CONSOLE_ESC_POWEROFF, /* ESC x */
};

struct console_esc {
	bool armed; /* the escape character was the last byte */
};

struct console_esc_out {
	enum console_esc_action action;
	uint8_t bytes[2];
	unsigned n; /* 0..2 with CONSOLE_ESC_BYTES, else 0 */
};

/* One received byte. The escape character alone is held (n = 0); after
 * it, c/C toggles the shell, x/X powers off, the escape character again
 * gives it once as input, and any other byte gives both as input. */
void console_esc_feed(struct console_esc *e, uint8_t esc, uint8_t byte,
		      struct console_esc_out *out);

/* ---- output mux ------------------------------------------------------ */

/* The guest's bytes wait here for their newline (or for this many, or for
 * console_out_guest_flush()). */
#define CONSOLE_LINE_MAX 256

typedef void (*console_emit_fn)(void *ctx, uint8_t byte);

struct console_out {
	uint8_t line[CONSOLE_LINE_MAX]; /* the guest's partial line */
	unsigned len;
	bool guest_mid_line;  /* a guest line was begun on the wire */
	bool nestor_mid_line; /* a Nestor line was begun on the wire */
	console_emit_fn emit; /* a raw byte to the real port */
	void *ctx;
};

void console_out_init(struct console_out *co, console_emit_fn emit, void *ctx);
/* A byte the guest transmitted (raw: its own CR/LF). */
void console_out_guest(struct console_out *co, uint8_t byte);
/* The guest's partial line goes out now (a prompt without newline,
 * flushed after a quiet time; before the shell starts). */
void console_out_guest_flush(struct console_out *co);
/* One character of Nestor's (its '\n' goes out as CR LF). Before the
 * first character of a Nestor line, the guest's partial line is flushed
 * and ended with CR LF: Nestor's lines are never held back (they may
 * report a failure that stops everything), and never start mid-line. */
void console_out_nestor(struct console_out *co, char c);

/* ---- the guest's interrupt controllers ------------------------------- */

/* The master 8259 as the guest programs it (ports 0x20/0x21 written
 * through, snooped): ICW1 (port 0x20, bit 4 set) makes the next write to
 * 0x21 ICW2, whose bits 7:3 are the vector base. */
struct pic_snoop {
	bool expect_icw2;
	bool base_known;
	uint8_t base;
};

void pic_snoop_write(struct pic_snoop *p, unsigned offset, uint8_t value);

#define IOAPIC_RTE_VECTOR 0xffull
#define IOAPIC_RTE_DELIVERY (7ull << 8) /* 000 fixed, 001 lowest priority */
#define IOAPIC_RTE_MASKED (1ull << 16)

/* The vector the guest's IRQ4 would arrive with: the IOAPIC redirection
 * entry of GSI 4 when it is unmasked and delivers fixed or lowest
 * priority with a vector of 16..255; else, when the IOAPIC entry is
 * masked, the PIC's base + 4 if ICW2 was seen and IMR bit 4 is clear.
 * -1: the guest routes IRQ4 nowhere Nestor can inject (nothing is). */
int console_irq_vector(uint64_t rte, const struct pic_snoop *pic,
		       uint8_t pic_imr);

#endif
