/* Exceptions inside Nestor (SDM Vol. 3A, chapter 6): every one of vectors
 * 0-31 lands here. An NMI is logged and resumed; anything else is a bug in
 * Nestor (the guest's exceptions arrive as VM exits, not here), so it is
 * reported in full and the machine is stopped. panic() shares the report. */
#include "arch/x86/traps.h"
#include "arch/x86/crash.h"
#include "arch/x86/cpu.h"
#include "arch/x86/descriptors.h"
#include "arch/x86/extable.h"
#include "arch/x86/power.h"
#include "lib/log.h"

#define MAX_BACKTRACE 32

/* Mnemonics and names per SDM Vol. 3A, Table 6-1. */
static const char *const exception_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

const char *exception_name(unsigned vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return "reserved";
}

/* Walk the RBP chain (built with -fno-omit-frame-pointer). Each step must stay
 * inside the same known stack and move strictly upwards, so a corrupt chain
 * ends the walk instead of faulting again. */
static void backtrace_from(uint64_t rip, uint64_t rbp)
{
	uint64_t lo, hi;

	log_printf(LOG_QUIET, "backtrace (addr2line -e build/nestor.elf ADDR):\n");
	log_printf(LOG_QUIET, "  #0  %016lx\n", rip);
	if (!stack_bounds(rbp, &lo, &hi))
		return;
	for (int depth = 1; depth < MAX_BACKTRACE; depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t next;

		if (rbp & 7 || rbp < lo || rbp + 16 > hi)
			return;
		if (frame[1] == 0)
			return;
		log_printf(LOG_QUIET, "  #%-2d %016lx\n", depth, frame[1]);
		next = frame[0];
		if (next <= rbp)
			return;
		rbp = next;
	}
}

void dump_frame(const struct trap_frame *f)
{
	log_printf(LOG_QUIET,
		   "RIP=%016lx CS=%04lx RFLAGS=%016lx RSP=%016lx SS=%04lx\n",
		   f->rip, f->cs, f->rflags, f->rsp, f->ss);
	log_printf(LOG_QUIET, "RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n",
		   f->rax, f->rbx, f->rcx, f->rdx);
	log_printf(LOG_QUIET, "RSI=%016lx RDI=%016lx RBP=%016lx\n", f->rsi,
		   f->rdi, f->rbp);
	log_printf(LOG_QUIET, "R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n",
		   f->r8, f->r9, f->r10, f->r11);
	log_printf(LOG_QUIET, "R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n",
		   f->r12, f->r13, f->r14, f->r15);
	log_printf(LOG_QUIET, "CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx\n",
		   read_cr0(), read_cr2(), read_cr3(), read_cr4());
	backtrace_from(f->rip, f->rbp);
}

/* Set while a fatal report is being printed: a fault during the report must
 * not recurse, it just stops the machine. */
static volatile int in_fatal_report;

static NORETURN void fatal_exception(struct trap_frame *f)
{
	if (in_fatal_report++)
		power_off(NESTOR_EXIT_FAULT);
	log_printf(LOG_QUIET,
		   "\nnestor: FATAL EXCEPTION %s (vector %lu) in Nestor, error code 0x%lx\n",
		   exception_name((unsigned)f->vector), f->vector, f->error_code);
	if (f->vector == 14)
		log_printf(LOG_QUIET, "nestor: page-fault address CR2=%016lx\n",
			   read_cr2());
	dump_frame(f);
	crash_stop(NESTOR_EXIT_FAULT, "fatal exception");
}

static void (*volatile nmi_hook)(void);

void traps_set_nmi_hook(void (*fn)(void))
{
	nmi_hook = fn;
}

void trap_dispatch(struct trap_frame *f)
{
	uint64_t fixup = extable_lookup(f->rip);

	/* Only the faults these instructions can raise on a bad input
	 * (#UD, #GP, #PF); a #DB, #MC or NMI there is not theirs. */
	if (fixup && (f->vector == 6 || f->vector == 13 || f->vector == 14)) {
		/* An expected fault (arch/x86/extable.h): resume at the fixup
		 * and tell the code which exception it was. */
		f->rip = fixup;
		f->rax = EXTABLE_FAULTED | f->vector;
		return;
	}
	if (f->vector == 2) {
		/* An NMI that arrives while Nestor runs (between a VM exit
		 * and the next entry): it belongs to whoever registered for
		 * it (the guest, which owns the devices); before that it is
		 * only noted. */
		if (crash_nmi())
			return;
		if (nmi_hook)
			nmi_hook();
		else
			pr_warn("nestor: NMI received at RIP=%016lx; ignored\n", f->rip);
		return;
	}
	fatal_exception(f);
}

/* Capture the caller-visible registers for a panic report. */
static NORETURN void panic_report(void)
{
	struct trap_frame f = { 0 };

	__asm__ __volatile__("mov %%rbx, %0\n\t"
			     "mov %%r12, %1\n\t"
			     "mov %%r13, %2\n\t"
			     "mov %%r14, %3\n\t"
			     "mov %%r15, %4\n\t"
			     "mov %%rsp, %5\n\t"
			     : "=m"(f.rbx), "=m"(f.r12), "=m"(f.r13),
			       "=m"(f.r14), "=m"(f.r15), "=m"(f.rsp));
	f.rbp = read_rbp();
	f.rflags = read_rflags();
	f.rip = (uint64_t)__builtin_return_address(0);
	f.vector = ~0ULL;
	dump_frame(&f);
	crash_stop(NESTOR_EXIT_PANIC, "panic");
}

void panic(const char *fmt, ...)
{
	va_list ap;

	cli();
	if (in_fatal_report++)
		power_off(NESTOR_EXIT_PANIC);
	log_printf(LOG_QUIET, "\nnestor: PANIC: ");
	va_start(ap, fmt);
	log_vprintf(LOG_QUIET, fmt, ap);
	va_end(ap);
	log_printf(LOG_QUIET, "\n");
	panic_report();
}
