/* VMCALL wrappers for the test guests (ABI: vmx/hypercall_abi.h). */
#include "tests/guests/rt/hypercall.h"

#include <stddef.h>

#include "arch/x86/cpu.h"
#include "lib/string.h"

static void do_vmcall(void *arg)
{
	struct rt_hc_regs *r = arg;
	uint64_t rax = r->rax, rbx = r->rbx, rcx = r->rcx, rdx = r->rdx;

	__asm__ __volatile__("vmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
			     :
			     : "memory");
	r->rax = rax;
	r->rbx = rbx;
	r->rcx = rcx;
	r->rdx = rdx;
}

bool rt_vmcall(struct rt_hc_regs *r, struct rt_exception *exc)
{
	return rt_catch(do_vmcall, r, exc) == RT_NO_EXCEPTION;
}

bool rt_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
		  int64_t *ret, struct rt_exception *exc)
{
	struct rt_hc_regs r = { .rax = fn, .rbx = a1, .rcx = a2, .rdx = a3 };

	if (!rt_vmcall(&r, exc))
		return false;
	if (ret)
		*ret = (int64_t)r.rax;
	return true;
}

uint32_t rt_hv_signature(char sig[13])
{
	struct cpuid_regs r = cpuid(NESTOR_CPUID_LEAF, 0);

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	return r.eax;
}
