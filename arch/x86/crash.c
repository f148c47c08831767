/* The crash path (see arch/x86/crash.h). */
#include "arch/x86/crash.h"
#include <stddef.h>
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/power.h"
#include "lib/log.h"

/* How long the crashing CPU waits for the others' acknowledgements: each
 * needs only a few VMCLEARs and a VMXOFF. Bounded, so a CPU that cannot
 * take NMIs (stuck with NMIs blocked) does not hang the crash. */
#define OTHERS_WAIT_LOOPS 50000000u

#define PCI_RESET_PORT 0xcf9      /* reset control register (PCH datasheets) */
#define PCI_RESET_HARD 0x06       /* full reset, then reset the CPU */
#define KBC_COMMAND_PORT 0x64     /* 8042: command 0xFE pulses reset */
#define KBC_PULSE_RESET 0xfe

static enum crash_action action = CRASH_HALT;
static void (*volatile cpu_teardown)(const char *why);
static void (*volatile cpu_report)(void);
static volatile int vmx_cpus;       /* CPUs in VMX operation */
/* 0, or the crashing CPU's APIC ID + 1: one store says both that a crash
 * began and which CPU runs it. */
static volatile uint64_t crashing;
static volatile int acks;           /* other CPUs that tore down */
static void (*volatile test_verify)(void);

void crash_set_action(enum crash_action a)
{
	action = a;
}

void crash_set_cpu_teardown(void (*fn)(const char *why))
{
	cpu_teardown = fn;
}

void crash_set_cpu_report(void (*fn)(void))
{
	cpu_report = fn;
}

/* Once per crash, on the CPU that runs it, before the teardown clears
 * the VMCSes the report may read. */
static void report_this_cpu(void)
{
	void (*fn)(void) = cpu_report;

	if (fn)
		fn();
}

void crash_teardown_this_cpu(const char *why)
{
	void (*fn)(const char *) = cpu_teardown;

	if (fn)
		fn(why);
}

void crash_vmx_cpu_enter(void)
{
	__atomic_add_fetch(&vmx_cpus, 1, __ATOMIC_SEQ_CST);
}

void crash_vmx_cpu_leave(void)
{
	__atomic_sub_fetch(&vmx_cpus, 1, __ATOMIC_SEQ_CST);
}

static NORETURN void reset_machine(void)
{
	static const struct descriptor_table_ptr no_idt = { 0, 0 };

	log_printf(LOG_QUIET, "nestor: resetting the machine (panic=reboot)\n");
	outb(PCI_RESET_PORT, PCI_RESET_HARD);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	/* Last resort: an exception with no IDT shuts the CPU down, which
	 * the chipset turns into a reset (SDM Vol. 3A 6.15 "Double Fault"). */
	lidt(&no_idt);
	__asm__ __volatile__("int3");
	for (;;)
		hlt();
}

static void stop_other_cpus(void)
{
	int others = __atomic_load_n(&vmx_cpus, __ATOMIC_SEQ_CST);

	if (others <= 0)
		return;
	log_printf(LOG_QUIET, "nestor: crash: NMI to the other CPUs (%d in VMX)\n",
		   others);
	apic_send_nmi_others();
	for (unsigned i = 0; i < OTHERS_WAIT_LOOPS; i++) {
		if (__atomic_load_n(&acks, __ATOMIC_SEQ_CST) >= others)
			return;
		cpu_relax();
	}
	log_printf(LOG_QUIET, "nestor: crash: %d of %d other CPUs did not answer; their VMCSes may stay active\n",
		   others - acks, others);
}

void crash_stop(int status, const char *why)
{
	uint64_t none = 0;

	cli();
	if (!__atomic_compare_exchange_n(&crashing, &none,
					 (uint64_t)apic_id() + 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		/* A crash inside the crash: this CPU's state, then stop. */
		crash_teardown_this_cpu(why);
		power_off(status);
	}
	log_printf(LOG_QUIET, "nestor: crash (%s): leaving VMX on every CPU\n", why);
	report_this_cpu();
	crash_teardown_this_cpu(why);
	stop_other_cpus();
	if (action == CRASH_REBOOT)
		reset_machine();
	power_off(status);
}

bool crash_nmi(void)
{
	void (*verify)(void) = test_verify;

	if (verify) {
		test_verify = NULL;
		log_printf(LOG_QUIET, "nestor: crash path entered from an NMI (test)\n");
		report_this_cpu();
		crash_teardown_this_cpu("NMI, test");
		verify();
		return true;
	}
	if (!__atomic_load_n(&crashing, __ATOMIC_SEQ_CST))
		return false;
	/* A crash is under way: leave VMX here too (idempotent if this is
	 * the crashing CPU, whose crash path then goes on). */
	crash_teardown_this_cpu("NMI during a crash");
	if ((uint64_t)apic_id() + 1 == __atomic_load_n(&crashing, __ATOMIC_SEQ_CST))
		return true;
	__atomic_add_fetch(&acks, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		cli();
		hlt();
	}
}

void crash_test_arm(void (*verify)(void))
{
	test_verify = verify;
}

bool crash_test_armed(void)
{
	return test_verify != NULL;
}
