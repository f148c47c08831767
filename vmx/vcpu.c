/* vCPU helpers: register numbering and the guest-physical accessor. */
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"

static struct vm boot_vm;
struct vcpu boot_vcpu = { .vm = &boot_vm };

/* Architectural register numbers (SDM Vol. 3C, Table 27-3 and 27-13):
 * 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15. */
static uint64_t *gpr_slot(struct vcpu *v, unsigned n)
{
	uint64_t *base = &v->regs->rax;

	return n < 4 ? base + n : base + n - 1;
}

uint64_t gpr_read(struct vcpu *v, unsigned n)
{
	n &= 15;
	if (n == 4)
		return vmcs_read(VMCS_GUEST_RSP);
	return *gpr_slot(v, n);
}

void gpr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	n &= 15;
	if (n == 4)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		*gpr_slot(v, n) = val;
}

bool in_nestor_memory(const struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nhidden; i++)
		if (gpa >= ALIGN_DOWN(vm->hidden[i].start, PAGE_SIZE) &&
		    gpa < ALIGN_UP(vm->hidden[i].end, PAGE_SIZE))
			return true;
	return false;
}

void *guest_phys_ptr(const struct vcpu *v, uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa + len < gpa)
		return NULL;
	for (unsigned i = 0; i < v->vm->mem.nram; i++) {
		const struct phys_range *r = &v->vm->mem.ram[i];

		if (gpa >= r->start && gpa + len <= r->end)
			return (void *)gpa; /* identity: guest RAM == host RAM */
	}
	return NULL;
}
