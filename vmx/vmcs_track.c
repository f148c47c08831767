/* This CPU's VMX state and the teardown that leaves VMX with every loaded
 * VMCS cleared (see vmx/vmcs_track.h). */
#include "vmx/vmcs_track.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/crash.h"
#include "arch/x86/extable.h"
#include "arch/x86/regs.h"
#include "arch/x86/traps.h"
#include "lib/log.h"
#include "vmx/exits.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_enable.h"

#define TEST_NMI_WAIT_LOOPS 100000000u

struct vmx_cpu {
	struct loaded_vmcs_list loaded;
	volatile bool in_vmx;
	uint64_t vmxon_pa;
	struct loaded_vmcs *current;  /* the last one VMPTRLD made current */
	struct loaded_vmcs *clearing; /* inside vmcs_clear() */
	/* What the last teardown cleared, in list order (crash test). */
	struct loaded_vmcs *cleared[LOADED_VMCS_MAX];
	unsigned ncleared;
	enum crash_test_point test_point;
};

/* One CPU runs VMX today (the boot CPU); the state is per CPU so that more
 * can join: each owns its list and only its own NMI walks it. */
static struct vmx_cpu boot_cpu;

static struct vmx_cpu *this_cpu(void)
{
	return &boot_cpu;
}

/* Sends this CPU an NMI and waits (bounded) until the crash path has run
 * in its handler. */
static void test_nmi_now(enum crash_test_point at);

/* The crash path's report (arch/x86/crash.h): this CPU's vCPU's last
 * exits, read from NMI context without locks (vmx/exit_trace.h). */
static void report_this_cpu(void)
{
	exit_trace_report(this_vcpu());
}

void vmx_cpu_init(enum crash_test_point test_point)
{
	struct vmx_cpu *c = this_cpu();

	if (loaded_vmcs_list_init(&c->loaded, 0) != LOADED_VMCS_OK)
		panic("cannot set up the loaded-VMCS list");
	c->test_point = test_point;
	crash_set_cpu_teardown(vmx_cpu_teardown);
	crash_set_cpu_report(report_this_cpu);
}

void vmx_cpu_entered(uint64_t vmxon_pa)
{
	struct vmx_cpu *c = this_cpu();

	c->vmxon_pa = vmxon_pa;
	c->in_vmx = true;
	crash_vmx_cpu_enter();
}

void vmx_cpu_left(void)
{
	if (__atomic_exchange_n(&this_cpu()->in_vmx, false, __ATOMIC_SEQ_CST))
		crash_vmx_cpu_leave();
}

bool vmx_cpu_in_vmx(void)
{
	return this_cpu()->in_vmx;
}

bool vmx_cpu_has_current_vmcs(void)
{
	struct vmx_cpu *c = this_cpu();

	return c->in_vmx && c->current;
}

bool vmx_cpu_current_is(const struct loaded_vmcs *lv)
{
	struct vmx_cpu *c = this_cpu();

	return c->in_vmx && c->current == lv;
}

enum vmx_status vmcs_load(struct loaded_vmcs *lv)
{
	struct vmx_cpu *c = this_cpu();
	enum loaded_vmcs_status ls;
	enum vmx_status st;

	/* NOVA's make_current(): this CPU knows its current VMCS (24.1), so
	 * loading it again is skipped; it is on the list already. */
	if (c->in_vmx && c->current == lv)
		return VMX_OK;
	/* A VMCS this CPU loaded before and has not cleared (vmcs01 again
	 * after nested/'s shadow VMCS) is on the list already: VMPTRLD only. */
	if (lv->cpu != c->loaded.cpu) {
		ls = loaded_vmcs_publish(&c->loaded, lv);
		if (ls != LOADED_VMCS_OK)
			panic("VMCS 0x%lx cannot be tracked: %s", lv->pa,
			      loaded_vmcs_strerror(ls));
	}
	if (c->test_point == CRASH_TEST_VMPTRLD)
		test_nmi_now(CRASH_TEST_VMPTRLD);
	/* No current VMCS as far as NMI context can tell while VMPTRLD
	 * switches it: the NMI hook then leaves the VMCS alone (nested/'s
	 * shadow VMCS is made current and left again in the exit path). */
	c->current = NULL;
	__asm__ __volatile__("" ::: "memory");
	st = vmptrld(lv->pa);
	if (st == VMX_OK)
		c->current = lv;
	return st;
}

enum vmx_status vmcs_clear(struct loaded_vmcs *lv)
{
	struct vmx_cpu *c = this_cpu();
	enum vmx_status st;
	enum loaded_vmcs_status ls;

	c->clearing = lv;
	st = vmclear(lv->pa);
	if (c->test_point == CRASH_TEST_VMCLEAR)
		test_nmi_now(CRASH_TEST_VMCLEAR);
	ls = loaded_vmcs_unlink(&c->loaded, lv);
	if (ls != LOADED_VMCS_OK && ls != LOADED_VMCS_ERR_NOT_ON_LIST)
		panic("VMCS 0x%lx: %s", lv->pa, loaded_vmcs_strerror(ls));
	if (c->current == lv)
		c->current = NULL;
	c->clearing = NULL;
	return st;
}

static void clear_one(struct loaded_vmcs *lv, void *ctx)
{
	struct vmx_cpu *c = ctx;
	unsigned st = vmclear_checked(lv->pa);

	log_printf(LOG_QUIET, "nestor: VMCLEAR VMCS 0x%lx (CPU %d, %s): %s\n",
		   lv->pa, lv->cpu, lv->launched ? "launched" : "not launched",
		   st == VMX_OK ? "cleared" :
		   (st & EXTABLE_FAULTED) ? "not in VMX operation any more" :
					    "VMCLEAR failed");
	if (c->ncleared < LOADED_VMCS_MAX)
		c->cleared[c->ncleared++] = lv;
}

void vmx_cpu_teardown(const char *why)
{
	struct vmx_cpu *c = this_cpu();
	enum loaded_vmcs_status ls;
	unsigned n = 0;

	if (!c->in_vmx && !loaded_vmcs_first(&c->loaded))
		return; /* never entered, or already left */
	c->ncleared = 0;
	ls = loaded_vmcs_crash_walk(&c->loaded, clear_one, c, &n);
	if (ls != LOADED_VMCS_OK)
		log_printf(LOG_QUIET, "nestor: loaded-VMCS list: %s after %u entries\n",
			   loaded_vmcs_strerror(ls), n);
	loaded_vmcs_list_forget(&c->loaded);
	c->current = NULL;
	/* Exactly one caller (the interrupted one or an NMI) leaves: the
	 * exchange makes the count and the VMXOFF happen once. */
	if (__atomic_exchange_n(&c->in_vmx, false, __ATOMIC_SEQ_CST)) {
		/* 30.3 VMXOFF; CR4.VMXE may be cleared only outside VMX
		 * operation (23.8): after VMXOFF succeeded, or when VMXOFF
		 * raised #UD because VMX was already off. */
		unsigned st = vmxoff_checked();

		if (st == VMX_OK || st == (EXTABLE_FAULTED | 6))
			write_cr4(read_cr4() & ~CR4_VMXE);
		crash_vmx_cpu_leave();
		log_printf(LOG_QUIET, "nestor: VMX off on CPU 0 (%s): %u VMCS(es) cleared, VMXOFF %s, CR4.VMXE clear\n",
			   why, n, st == VMX_OK ? "done" : "failed");
	}
}

int vmx_cpu_reenter(void)
{
	struct vcpu *v = this_vcpu();

	return vmx_enable(v->cfg, this_cpu()->vmxon_pa);
}

/* test_crash_nmi=: after the crash path's teardown (in the NMI handler),
 * enter VMX again and load the same VMCS regions again, in the order they
 * were loaded, so that the interrupted code goes on; the VMLAUNCH that
 * follows succeeds only if their launch state was cleared (26.1). */
static void test_verify(void)
{
	struct vmx_cpu *c = this_cpu();
	struct loaded_vmcs *again[LOADED_VMCS_MAX];
	unsigned n = c->ncleared;

	if (vmx_cpu_reenter())
		panic("crash test: VMXON again failed");
	for (unsigned i = 0; i < n; i++)
		again[i] = c->cleared[n - 1 - i]; /* list is newest first */
	for (unsigned i = 0; i < n; i++) {
		if (again[i] == c->clearing)
			continue; /* its VMCLEAR was done; it stays cleared */
		if (vmcs_load(again[i]) != VMX_OK)
			panic("crash test: VMPTRLD 0x%lx again failed", again[i]->pa);
		log_printf(LOG_QUIET, "nestor: crash test: VMCS 0x%lx loaded again\n",
			   again[i]->pa);
		this_vcpu()->announce_launch = true;
	}
}

static volatile bool test_nmi_done;

static void test_verify_and_note(void)
{
	test_verify();
	test_nmi_done = true;
}

static void test_nmi_now(enum crash_test_point at)
{
	static const char *const names[] = { "", "vmptrld", "vmclear", "guest", "an L2 exit's" };
	struct vmx_cpu *c = this_cpu();

	c->test_point = CRASH_TEST_NONE; /* once */
	log_printf(LOG_QUIET, "nestor: crash test: NMI to self inside %s bookkeeping\n",
		   names[at]);
	test_nmi_done = false;
	crash_test_arm(test_verify_and_note);
	apic_send_nmi_self();
	for (unsigned i = 0; i < TEST_NMI_WAIT_LOOPS && !test_nmi_done; i++)
		cpu_relax();
	if (!test_nmi_done)
		panic("crash test: the NMI to self never arrived");
}

bool crash_test_guest_nmi(void)
{
	struct vmx_cpu *c = this_cpu();

	if (c->test_point != CRASH_TEST_GUEST)
		return false;
	c->test_point = CRASH_TEST_NONE;
	log_printf(LOG_QUIET, "nestor: crash test: the guest's NMI enters the crash path\n");
	/* The same path the NMI handler takes (arch/x86/crash.c). */
	crash_test_arm(test_verify);
	return crash_nmi();
}

void crash_test_l2_exit(void)
{
	if (unlikely(this_cpu()->test_point == CRASH_TEST_L2))
		test_nmi_now(CRASH_TEST_L2);
}
