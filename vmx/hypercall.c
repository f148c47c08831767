/* VMCALL: Nestor's hypercalls (ABI in vmx/hypercall_abi.h). VMCALL in VMX
 * non-root operation always exits (SDM Vol. 3C, 25.1.2). */
#include "vmx/exits.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "vmx/guest_access.h"
#include "vmx/hypercall_abi.h"
#include "vmx/vmcs.h"

extern uint64_t boot_tsc; /* boot/entry.asm: TSC at GRUB's hand-off */

static int64_t hc_print(struct vcpu *v, uint64_t la, uint64_t len)
{
	char buf[NESTOR_HC_PRINT_MAX];

	if (len > NESTOR_HC_PRINT_MAX)
		return NESTOR_HC_EINVAL;
	if (guest_read_linear(v, la, buf, len))
		return NESTOR_HC_EFAULT;
	/* Control characters other than newline/tab are shown as '?', so a
	 * guest cannot drive the console. */
	for (uint64_t i = 0; i < len; i++)
		if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t') ||
		    buf[i] == 0x7f)
			buf[i] = '?';
	log_printf(LOG_QUIET, "guest: %.*s%s", (int)len, buf,
		   len && buf[len - 1] == '\n' ? "" : "\n");
	return (int64_t)len;
}

void handle_vmcall(struct vcpu *v)
{
	uint64_t fn = v->regs->rax, a = v->regs->rbx, b = v->regs->rcx;
	int64_t ret;

	if (guest_cpl() != 0) {
		ret = NESTOR_HC_EPERM;
		goto out;
	}
	switch (fn) {
	case NESTOR_HC_VERSION:
		ret = (NESTOR_VERSION_MAJOR << 16) | NESTOR_VERSION_MINOR;
		break;
	case NESTOR_HC_PRINT:
		ret = hc_print(v, a, b);
		break;
	case NESTOR_HC_EXIT:
		guest_stop(v, (int)(a & 0xff), "exited");
	case NESTOR_HC_EXIT_COUNT:
		/* This VMCALL is already counted: leave it out. */
		ret = a < EXIT_REASON_MAX ? (int64_t)v->stats.count[a] -
						    (a == EXIT_REASON_VMCALL)
					  : NESTOR_HC_EINVAL;
		break;
	case NESTOR_HC_BOOT_TSC:
		ret = (int64_t)boot_tsc;
		break;
	case NESTOR_HC_RESET:
		guest_reset(v, true);
		return; /* a fresh guest: nothing to skip or return */
	case NESTOR_HC_RESTARTS:
		ret = v->restarts;
		break;
	case NESTOR_HC_VMCS_ACCESSES:
		ret = a == 0 ? (int64_t)vmcs_accesses.reads
		    : a == 1 ? (int64_t)vmcs_accesses.writes : NESTOR_HC_EINVAL;
		break;
	default:
		ret = NESTOR_HC_ENOSYS;
	}
out:
	v->regs->rax = (uint64_t)ret;
	skip_instruction(v);
}
