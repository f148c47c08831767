/* The target of the shell system test (issue 16 item 6, the `console-shell`
 * scenario): prints its own CR3 and the address of a variable, then spins
 * until it sees that it was stopped (a TSC gap far beyond a VM exit's: with
 * Bochs' clock sync=none the TSC counts instructions, and Nestor's shell
 * loop runs millions while the guest waits), or gives up after a bound;
 * then it says so, calls shell_target_after() (where the test's breakpoint
 * is) and exits 0. The test compares `regs`' CR3 and `walk`'s
 * final address with what it printed. */
#include "tests/guests/rt/rt.h"

const char guest_name[] = "shell_target";
const char *const guest_options[] = { NULL };

#define STOP_GAP (1ull << 23)      /* a stop: no VM exit costs a thousandth of this */
#define GIVE_UP (1ull << 36)

volatile uint64_t shell_target_var = 0x5e11ab1e;

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Where the test sets a breakpoint: called once, after the spin. */
__attribute__((noinline)) void shell_target_after(void)
{
	__asm__ volatile("" ::: "memory");
	rt_printf("shell-target: after the spin\n");
}

int guest_main(void)
{
	uint64_t cr3, start, last, now, gap = 0;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	/* CR3 as the shell's `regs` prints it; the variable's address as
	 * `walk` prints the physical one (the runtime's paging is identity). */
	rt_printf("shell-target: cr3 %016lx var %#lx\n", cr3,
		  (uint64_t)(uintptr_t)&shell_target_var);
	rt_printf("shell-target: after at %#lx\n",
		  (uint64_t)(uintptr_t)shell_target_after);
	rt_printf("shell-target: spinning\n");
	start = last = tsc();
	for (;;) {
		now = tsc();
		if (now - last > STOP_GAP) {
			gap = now - last;
			break;
		}
		if (now - start > GIVE_UP)
			break;
		last = now;
		shell_target_var++;
	}
	if (gap)
		rt_printf("shell-target: was stopped for %lu ticks\n", gap);
	else
		rt_printf("shell-target: never stopped\n");
	shell_target_after();
	rt_printf("shell-target: done\n");
	return 0;
}
