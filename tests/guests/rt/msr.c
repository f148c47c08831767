/* See rt/msr.h. */
#include "tests/guests/rt/msr.h"
#include "arch/x86/cpu.h"
#include "tests/guests/rt/hypercall.h"
#include "tests/guests/rt/testing.h"
#include "vmx/hypercall_abi.h"

struct msr_op {
	uint32_t msr;
	uint64_t val;
};

static void do_rdmsr(void *arg)
{
	struct msr_op *m = arg;

	m->val = rdmsr(m->msr);
}

static void do_wrmsr(void *arg)
{
	struct msr_op *m = arg;

	wrmsr(m->msr, m->val);
}

int rdmsr_safe(uint32_t msr, uint64_t *val, struct rt_exception *e)
{
	struct msr_op m = { .msr = msr };
	int v = rt_catch(do_rdmsr, &m, e);

	*val = m.val;
	return v;
}

int wrmsr_safe(uint32_t msr, uint64_t val, struct rt_exception *e)
{
	struct msr_op m = { .msr = msr, .val = val };

	return rt_catch(do_wrmsr, &m, e);
}

bool exit_count(uint64_t reason, uint64_t *count)
{
	struct rt_exception e;
	int64_t v;

	if (!rt_hypercall(NESTOR_HC_EXIT_COUNT, reason, 0, 0, &v, &e)) {
		rt_fail("NESTOR_HC_EXIT_COUNT: VMCALL raised %s (not under "
			"Nestor?)", rt_vector_name(e.vector));
		return false;
	}
	if (v < 0) {
		rt_fail("NESTOR_HC_EXIT_COUNT(%lu) returned error %ld", reason, v);
		return false;
	}
	*count = (uint64_t)v;
	return true;
}
