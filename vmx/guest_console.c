/* The emulated console UART at run time (vmx/guest_console.h); its pure
 * parts are vmx/uart16550.c and vmx/console_mux.c.
 *
 * Output: the guest's bytes are taken from the model's TX FIFO as soon as
 * it writes them (THRE comes back at once: no baud-rate timing) into the
 * mux's line buffer, which sends a line at its newline, at 256 bytes, or
 * after FLUSH_TICKS without a newline (a shell prompt). Nestor's own
 * output (the log sink) goes through the same mux, which ends a guest's
 * partial line before a Nestor line starts: Nestor's lines are never held.
 * While Nestor's shell has the input, the guest is stopped: Nestor stays
 * in root mode at the exit that saw the escape, polling the real port and
 * running the shell's commands (vmx/shell_actions.c), until `cont`, `step`,
 * `reset` or the escape again; nothing the guest wrote before is taken
 * from the TX FIFO meanwhile, so its output never mixes with the shell.
 *
 * Input: the real port's LSR.DR is polled at VM exits, at most once per
 * POLL_MIN_TICKS TSC ticks (an IN from a real UART costs about a
 * microsecond); each byte goes through the escape keys and then to the
 * model's RX FIFO (host_rx) or to the shell's line editor. When the model's
 * RX FIFO is full, bytes stay in the real UART's. For liveness when the
 * guest rarely exits, the VMX-preemption timer (where the CPU has it; on
 * vmcs02 too while L2 runs, unless L1 uses its own: nested/l2.c) expires
 * every POLL_TICKS TSC ticks: about 1.4 ms at 3 GHz, 4 M instructions on
 * Bochs with clock sync=none. A poll that finds no byte tells the model
 * that the line was idle (the character timeout interrupt that Linux's
 * 8250 driver, with an RX trigger of 8 bytes, relies on for a keystroke).
 *
 * Interrupts: the guest's PIC, IOAPIC and LAPIC are its own (passed
 * through), so the UART's IRQ4 is injected as the external interrupt with
 * the vector the guest programmed for it (console_irq_vector()): the
 * IOAPIC redirection entry of GSI 4 (ISA IRQ4 = GSI 4: Bochs' MADT has no
 * interrupt source override for IRQ4, and PCs conventionally have none;
 * the IOAPIC is assumed at 0xfec00000, Nestor reads no MADT: a known gap),
 * or the master PIC's ICW2 base + 4 when that entry is masked. One
 * interrupt per rising edge of the model's line, edge-triggered as ISA
 * IRQs are. EOI: the guest's EOI to its LAPIC finds no ISR bit set for a
 * vector that was injected rather than delivered by the LAPIC; the LAPIC
 * then does nothing (an EOI with an empty ISR is harmless, SDM Vol. 3A
 * 11.8.5), and an IOAPIC edge entry has no Remote IRR to clear. A PIC
 * route likewise never sets the 8259's ISR; its EOI (OCW2) clears nothing.
 * While L2 runs, the line is not looked at: a rise is seen when L1 runs. */
#include "vmx/guest_console.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"
#include "lib/line_edit.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/console_mux.h"
#include "vmx/exits.h"
#include "vmx/gdb_stub.h"
#include "vmx/guest_debug.h"
#include "vmx/io_bitmap.h"
#include "vmx/shell_actions.h"
#include "vmx/shell_parse.h"
#include "vmx/uart16550.h"
#include "vmx/vmcs.h"
#include "vmx/write_step.h"

#define POLL_TICKS (1ull << 22)     /* the preemption timer's period */
#define POLL_MIN_TICKS (1ull << 16) /* at most one poll per this */
#define FLUSH_TICKS (1ull << 20)    /* a guest's partial line waits this */
#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_GSI 4

bool guest_console_on;

static struct {
	uint16_t base;
	uint8_t esc;
	struct uart16550 uart;
	struct console_out out;
	struct console_esc esc_state;
	struct pic_snoop pic;
	bool shell;           /* the input goes to Nestor's shell */
	struct line_edit le;
	bool line_high;       /* the model's IRQ line at the last exit */
	uint64_t last_poll;   /* TSC of the last poll of the real port */
	uint64_t out_since;   /* TSC when the partial line began */
} gc;

static void emit_raw(void *ctx, uint8_t byte)
{
	(void)ctx;
	serial_putb(byte);
}

static void log_sink(char c)
{
	console_out_nestor(&gc.out, c);
}

static void shell_puts(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_out_nestor(&gc.out, s[i]);
}

#define SHELL_PROMPT "nestor> "

void guest_console_setup(uint16_t base, uint8_t esc)
{
	gc.base = base;
	gc.esc = esc;
	uart16550_init(&gc.uart);
	console_out_init(&gc.out, emit_raw, NULL);
	line_edit_init(&gc.le);
	io_console_base = base;
	guest_console_on = true;
	log_set_sink(log_sink);
	pr_info("nestor: guest console: port %#x is emulated for the guest (16550A, IRQ4); "
		"escape 0x%02x then c: Nestor's shell and back, then x: power off\n",
		base, esc);
}

void guest_console_program(struct vcpu *v)
{
	uint64_t value;

	if (!guest_console_on)
		return;
	/* A launch or a restart (on_guest_reset=restart) is a machine reset
	 * for the guest: its UART and the PIC programming seen so far go back
	 * to power-on; its partial line is sent as it was. */
	console_out_guest_flush(&gc.out);
	uart16550_init(&gc.uart);
	gc.pic = (struct pic_snoop){ 0 };
	gc.line_high = false;
	if (!v->cfg->preemption_timer)
		return;
	/* 25.5.1: the timer counts down at the TSC rate >> IA32_VMX_MISC[4:0];
	 * without "save VMX-preemption timer value" every VM entry starts it
	 * from this field again. */
	value = POLL_TICKS >> v->cfg->preemption_timer_shift;
	vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, value ? value : 1);
	v->wants.preemption_timer = true;
}

/* ---- the shell: the guest stopped, the commands in vmx/shell_actions.c */

static void shell_enter(void)
{
	console_out_guest_flush(&gc.out);
	gc.shell = true;
	line_edit_init(&gc.le);
	log_printf(LOG_QUIET, "\nnestor: shell (the guest is stopped; cont or escape 0x%02x c: "
		   "back to the guest, escape x: power off; help)\n",
		   gc.esc);
	shell_puts(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
}

static void shell_leave(void)
{
	gc.shell = false;
	log_printf(LOG_QUIET, "\nnestor: input goes to the guest again\n");
}

/* One line; true when the guest runs again (the shell has ended). */
static bool shell_line(struct vcpu *v, const char *line, size_t len)
{
	/* Static: the whole help text is longer than the exit stack likes. */
	static char buf[4096];
	struct shell_cmd cmd;
	int n;

	if (shell_parse(line, len, &cmd, buf, sizeof(buf)) != 0) {
		log_printf(LOG_QUIET, "%s\n", buf);
		return false;
	}
	if (cmd.kind == SHELL_HELP) {
		n = shell_help(cmd.topic, buf, sizeof(buf));
		if (n > 0)
			shell_puts(buf, (size_t)n < sizeof(buf) ? (size_t)n
								: sizeof(buf) - 1);
		return false;
	}
	if (!shell_action(v, &cmd))
		return false;
	if (cmd.kind == SHELL_STEP)
		gc.shell = false; /* back at once: no need to say so */
	else
		shell_leave();
	return true;
}

static void shell_byte(struct vcpu *v, uint8_t byte)
{
	enum line_edit_result r = line_edit_feed(&gc.le, byte);
	size_t len;
	const char *line;

	shell_puts(gc.le.echo, gc.le.echo_len);
	if (r == LINE_EDIT_DONE) {
		line = line_edit_line(&gc.le, &len);
		if (shell_line(v, line, len))
			return;
	}
	if (r != LINE_EDIT_MORE && r != LINE_EDIT_CLEARED)
		shell_puts(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
}

/* ---- input ---------------------------------------------------------- */

static void input_byte(struct vcpu *v, uint8_t byte)
{
	struct console_esc_out o;

	console_esc_feed(&gc.esc_state, gc.esc, byte, &o);
	switch (o.action) {
	case CONSOLE_ESC_SHELL:
		if (gc.shell) {
			shell_leave();
			/* At a breakpoint: RF, so that it does not fire again
			 * at once (GDB's stops are GDB's to leave). */
			if (!gdb_stub_on())
				guest_debug_resume(v, false);
		} else {
			shell_enter();
		}
		return;
	case CONSOLE_ESC_POWEROFF:
		console_out_guest_flush(&gc.out);
		guest_stop(v, 0, "powered off from the console (escape x)");
	case CONSOLE_ESC_BYTES:
		break;
	}
	for (unsigned i = 0; i < o.n; i++) {
		if (gc.shell)
			shell_byte(v, o.bytes[i]);
		else
			uart16550_host_rx(&gc.uart, o.bytes[i]);
	}
}

static void poll_port(struct vcpu *v, uint64_t tsc)
{
	bool got = false;
	uint8_t byte;

	if (tsc - gc.last_poll < POLL_MIN_TICKS)
		return;
	gc.last_poll = tsc;
	/* Two bytes of room: an escape then an ordinary byte gives both. */
	while ((gc.shell || uart16550_host_rx_room(&gc.uart) >= 2) &&
	       serial_getb(&byte)) {
		input_byte(v, byte);
		got = true;
	}
	if (!got)
		uart16550_rx_idle(&gc.uart);
}

/* The guest is stopped while the shell has the input: Nestor stays here
 * in root mode, reading the real port, until a command or the escape lets
 * the guest run (or powers it off). The rest of the exit goes on after.
 * Not while a write step is open (vmx/write_step.c: its TF, IF = 0, pages
 * on the sink or executable for an EPT breakpoint): the stop waits for the
 * next exit, which closes the step, so the shell sees the guest's own
 * state and a `step` starts from it. */
static void shell_stop(struct vcpu *v)
{
	uint8_t byte;

	if (write_step_open(&v->step))
		return;
	while (gc.shell) {
		if (serial_getb(&byte))
			input_byte(v, byte);
		else
			cpu_relax();
	}
	gc.last_poll = rdtsc();
}

/* ---- output --------------------------------------------------------- */

static void take_tx(void)
{
	uint8_t byte;

	if (gc.shell)
		return;
	while (uart16550_host_tx_take(&gc.uart, &byte)) {
		if (!gc.out.len)
			gc.out_since = rdtsc();
		console_out_guest(&gc.out, byte);
	}
}

uint8_t guest_console_in(uint16_t port)
{
	/* A read never gives the transmitter a byte: nothing to take. */
	return uart16550_guest_read(&gc.uart, (unsigned)(port - gc.base));
}

void guest_console_out(uint16_t port, uint8_t byte)
{
	uart16550_guest_write(&gc.uart, (unsigned)(port - gc.base), byte);
	take_tx();
}

void guest_console_pic_write(uint16_t port, uint8_t byte)
{
	pic_snoop_write(&gc.pic, (unsigned)(port - PIC_MASTER_PORT), byte);
}

/* ---- the interrupt -------------------------------------------------- */

/* The guest's IOAPIC redirection entry for GSI 4 (low dword: vector,
 * delivery mode, mask). The guest may have selected a register and not yet
 * read IOWIN when it exited: IOREGSEL is put back as it was. */
static uint64_t ioapic_rte(void)
{
	volatile uint32_t *sel = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint32_t *win = (volatile uint32_t *)(IOAPIC_BASE + 0x10);
	uint32_t old = *sel, lo;

	*sel = 0x10 + 2 * IOAPIC_GSI;
	lo = *win;
	*sel = old;
	return lo;
}

static void raise_irq(struct vcpu *v)
{
	int vec = console_irq_vector(ioapic_rte(), &gc.pic, inb(PIC_MASTER_PORT + 1));

	if (vec < 0)
		return;
	event_queue_interrupt(&v->events, (uint8_t)vec);
	/* A guest waiting in the HLT activity state (vmx/exit_simple.c)
	 * resumes after its HLT to take it, as an interrupt would wake it. */
	if (v->cfg->activity_hlt)
		vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
}

void guest_console_exit_work(struct vcpu *v, uint64_t tsc)
{
	bool line;

	poll_port(v, tsc);
	/* The shell's step ended or its breakpoint was hit: the shell again. */
	if (!gc.shell && shell_action_stopped(v))
		shell_enter();
	shell_stop(v);
	take_tx();
	if (gc.out.len && tsc - gc.out_since >= FLUSH_TICKS)
		console_out_guest_flush(&gc.out);
	if (v->level != VCPU_L1)
		return;
	line = uart16550_irq_pending(&gc.uart);
	if (line && !gc.line_high)
		raise_irq(v);
	gc.line_high = line;
}

/* The preemption timer (console emulation or gdb=) only makes an exit
 * happen: guest_console_exit() and gdb_stub_exit() poll their ports after
 * every handler. */
void handle_preemption_timer(struct vcpu *v)
{
	(void)v;
}
