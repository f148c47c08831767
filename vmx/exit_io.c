/* I/O instruction exits (exit qualification: SDM Vol. 3C, 27.2.1,
 * Table 27-5). Only accesses that touch a port Nestor owns exit
 * (vmx/io_bitmap.c; an access of N bytes exits if any of its ports is
 * intercepted, 25.1.3).
 *
 * A one-byte access exits only on a port of Nestor's. A wider one that
 * covers one of Nestor's ports is handled a byte (a port) at a time, in
 * ascending port order, wrapping at 0xffff (an access that wraps always
 * exits, 25.1.3): the bytes that fall on the guest's own ports reach them
 * with IN/OUT of one byte, the bytes on Nestor's ports are Nestor's (reads
 * give all ones, like an empty ISA bus; a byte written to the exit port
 * stops the guest with that byte as status once the access is done; bytes
 * to Bochs' shutdown port are dropped; the emulated console UART's and the
 * snooped PIC's go to vmx/guest_console.c). A device next to Nestor's ports
 * that needs the access's full width sees byte accesses instead (a known
 * gap, docs/architecture.md). IN and OUT at CPL 0 never fault. */
#include "vmx/exits.h"
#include "arch/x86/io.h"
#include "lib/log.h"
#include "vmx/guest_console.h"
#include "vmx/hypercall_abi.h"
#include "vmx/io_bitmap.h"
#include "vmx/vmcs.h"

void handle_io(struct vcpu *v)
{
	uint64_t q = exit_get(&v->exit, EF_QUAL);
	unsigned size = (q & 7) + 1;
	bool in = q & (1u << 3), string = q & (1u << 4);
	uint16_t port = (uint16_t)(q >> 16);
	uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
	uint64_t val = 0, out = v->regs->rax;
	int exit_status = -1;

	if (string)
		guest_unsupported(v, "string I/O (INS/OUTS) to a port Nestor intercepts");
	if (likely(size == 1) && io_port_owner(port) < IO_PORT_CONSOLE_UART) {
		/* One byte exits only on a port of Nestor's. */
		if (in) {
			v->regs->rax |= 0xff;
		} else if (io_port_owner(port) == IO_PORT_NESTOR_EXIT) {
			guest_stop(v, (int)(v->regs->rax & 0xff), "exited");
		}
		skip_instruction(v);
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t byte = (uint8_t)(out >> (8 * i));

		switch (io_port_owner(p)) {
		case IO_PORT_GUEST:
			if (in)
				val |= (uint64_t)inb(p) << (8 * i);
			else
				outb(p, byte);
			break;
		case IO_PORT_NESTOR_EXIT:
			if (in)
				val |= 0xffull << (8 * i);
			else
				exit_status = byte;
			break;
		case IO_PORT_CONSOLE_UART:
			if (in)
				val |= (uint64_t)guest_console_in(p) << (8 * i);
			else
				guest_console_out(p, byte);
			break;
		case IO_PORT_PIC_SNOOP:
			if (in) {
				val |= (uint64_t)inb(p) << (8 * i);
			} else {
				outb(p, byte);
				guest_console_pic_write(p, byte);
			}
			break;
		case IO_PORT_BOCHS_SHUTDOWN:
			if (in)
				val |= 0xffull << (8 * i);
			else
				pr_debug("nestor: guest OUT 0x%x to port 0x%x ignored\n",
					 byte, p);
			break;
		}
	}
	if (exit_status >= 0)
		guest_stop(v, exit_status, "exited");
	/* IN of 1 or 2 bytes keeps the rest of RAX; of 4 bytes it zero-
	 * extends into RAX in 64-bit mode (Vol. 2A IN; Vol. 1 3.4.1.1). */
	if (in)
		v->regs->rax = size == 4 ? val : (v->regs->rax & ~mask) | val;
	skip_instruction(v);
}
