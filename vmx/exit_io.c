/* I/O instruction exits (exit qualification: SDM Vol. 3C, 27.2.1,
 * Table 27-5). Only the ports in vmx/io_bitmap.c exit. */
#include "vmx/exits.h"
#include "lib/log.h"
#include "vmx/hypercall_abi.h"
#include "vmx/io_bitmap.h"
#include "vmx/vmcs.h"

void handle_io(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned size = (q & 7) + 1;
	bool in = q & (1u << 3), string = q & (1u << 4);
	uint16_t port = (uint16_t)(q >> 16);
	uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;

	if (string)
		guest_unsupported(v, "string I/O (INS/OUTS) to a port Nestor intercepts");
	if (in) {
		/* Nothing answers on these ports: all ones, like an empty
		 * ISA bus. Sizes 1 and 2 keep the rest of RAX (Vol. 2A IN). */
		v->regs->rax = size == 4 ? mask : (v->regs->rax | mask);
		skip_instruction(v);
		return;
	}
	if (port == NESTOR_EXIT_PORT)
		guest_stop(v, (int)(v->regs->rax & 0xff), "exited");
	/* Port 0x8900/0x8901: Bochs' shutdown port. */
	pr_debug("nestor: guest OUT 0x%lx to port 0x%x ignored\n",
		 v->regs->rax & mask, port);
	skip_instruction(v);
}
