/* The 16550A UART Nestor shows a guest when the guest's console and
 * Nestor's are the same port (issue 16 item 1), as a register-level model:
 * the registers at offsets 0-7, 16-byte RX and TX FIFOs (or the 16450's one
 * byte holding registers with the FIFOs off) and the interrupt logic, with
 * the side effects Linux's 8250 driver and polling guests rely on. It does
 * no port I/O: the I/O exit handler calls guest_read/guest_write, feeds
 * what the real port received through host_rx, forwards what the guest sent
 * from host_tx_take, and raises the guest's IRQ4 while irq_pending says so.
 *
 * Layer: vmx/, beside the other models of what the guest sees (mtrr.c,
 * apic_icr.c) and below its one user, the I/O exit path (vmx/exit_io.c);
 * it needs nothing but <stdint.h>. Not in lib/: lib/ holds what is not
 * about a guest (printf, parsing, the GDB codec).
 *
 * Not modelled: baud-rate timing (a byte is sent when the caller takes it,
 * received when the caller gives it), parity/framing errors and breaks
 * from the line (only overrun is ever set), DMA mode (FCR bit 3 is kept
 * and ignored). Every function is safe for any input and any sequence. */
#ifndef NESTOR_VMX_UART16550_H
#define NESTOR_VMX_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART16550_FIFO_SIZE 16

/* Register offsets from the base port. With LCR.DLAB set, offsets 0 and 1
 * are the divisor latch (DLL, DLM) instead of RBR/THR and IER. */
enum {
	UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
	UART_IER = 1, UART_DLM = 1,
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

/* IER */
#define UART_IER_RDI  0x01 /* received data available (and timeout) */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI  0x08 /* modem status */
#define UART_IER_MASK 0x0f /* bits 7:4 read 0 on a 16550A */

/* IIR: bits 3:0 the identification, 7:6 = 11 while the FIFOs are on. */
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_ID     0x0f
#define UART_IIR_FIFO   0xc0

/* FCR */
#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_DMA      0x08
#define UART_FCR_TRIGGER  0xc0 /* RX trigger level 1, 4, 8, 14 */

/* LCR */
#define UART_LCR_DLAB 0x80

/* MCR */
#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* gates the interrupt line on a PC */
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

/* LSR */
#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

/* MSR: bits 3:0 the deltas, 7:4 the modem inputs. */
#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_INPUTS 0xf0

struct uart16550_fifo {
	uint8_t buf[UART16550_FIFO_SIZE];
	uint8_t head;  /* index of the oldest byte, < UART16550_FIFO_SIZE */
	uint8_t count; /* <= the capacity: 16 with FIFOs on, 1 without */
};

struct uart16550 {
	struct uart16550_fifo rx, tx;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_errors;  /* the sticky LSR error bits (OE) */
	uint8_t msr;         /* inputs (7:4) and deltas (3:0) */
	uint8_t line_inputs; /* the modem inputs outside loopback (7:4) */
	bool thre_pending;   /* THRE identification, until IIR read or THR write */
	bool timeout_pending; /* character timeout, until RBR read or a byte arrives */
};

/* Power-on state: FIFOs off, no interrupt enabled, transmitter empty, the
 * modem inputs DCD, DSR and CTS asserted (a console with nobody hanging
 * up). */
void uart16550_init(struct uart16550 *u);

/* The guest's IN/OUT of one byte at base + offset (offsets above 7 read
 * 0xff and ignore writes). */
uint8_t uart16550_guest_read(struct uart16550 *u, unsigned offset);
void uart16550_guest_write(struct uart16550 *u, unsigned offset, uint8_t value);

/* A byte the real port received: false (dropped) in loopback, where the
 * line is disconnected; when the RX FIFO is full the byte is lost and
 * LSR.OE set (with FIFOs off it replaces the unread one, as a 16450's
 * RBR). */
bool uart16550_host_rx(struct uart16550 *u, uint8_t byte);
/* How many bytes host_rx takes now without an overrun. */
unsigned uart16550_host_rx_room(const struct uart16550 *u);
/* The oldest byte the guest transmitted, to forward: false if none. */
bool uart16550_host_tx_take(struct uart16550 *u, uint8_t *byte);
/* The caller says four character times passed with no byte received or
 * read: with FIFOs on and bytes below the trigger level, the character
 * timeout interrupt. */
void uart16550_rx_idle(struct uart16550 *u);
/* New levels of the modem inputs (UART_MSR_CTS..DCD) from the line. */
void uart16550_host_lines(struct uart16550 *u, uint8_t inputs);

/* IIR as a read would return it, without the read's side effect. */
uint8_t uart16550_iir(const struct uart16550 *u);
/* The interrupt line: an interrupt identified, MCR.OUT2 set and not in
 * loopback (which forces OUT2's pin inactive). */
bool uart16550_irq_pending(const struct uart16550 *u);

#endif
