/* The test guests' C entry: console, IDT, PIC, boot information and command
 * line, then the program's guest_main(), then the exit (rt/rt.h). */
#include "tests/guests/rt/rt.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define BOCHS_SHUTDOWN_PORT 0x8900

/* The legacy 8259 PICs keep the BIOS's vectors 8-15 for IRQ 0-7, which
 * would look like exceptions: mask every IRQ line (OCW1, 8259A data sheet)
 * so that only the local APIC interrupts us. */
static void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static const char *entry_mode_name(void)
{
	return rt_entry.mode == 64 ? "64-bit mode" : "32-bit protected mode";
}

static void print_banner(void)
{
	const struct rt_boot_info *b = rt_boot();

	rt_printf("%s: entered in %s, magic %#lx (%s), info at %#lx, TSC %lu\n",
		  guest_name, entry_mode_name(), rt_entry.magic,
		  rt_protocol_name(b->protocol), rt_entry.info, rt_entry.tsc);
	if (b->error)
		rt_printf("%s: bad boot information: %s\n", guest_name,
			  b->error);
	rt_printf("%s: command line \"%s\"\n", guest_name,
		  b->cmdline ? b->cmdline : "");
}

/* exit_status=N replaces the program's status. */
static int final_status(int status)
{
	uint64_t n;
	bool bad;

	if (rt_option_uint("exit_status", &n, &bad)) {
		if (n <= 255)
			return (int)n;
		bad = true;
	}
	if (bad)
		rt_printf("rt: warning: exit_status= wants 0..255; ignored\n");
	return status;
}

static void check_exit_via(void)
{
	if (rt_option_present("exit_via") &&
	    !rt_option_is("exit_via", "hypercall") &&
	    !rt_option_is("exit_via", "port"))
		rt_printf("rt: warning: exit_via= wants hypercall or port; "
			  "using port\n");
}

/* triple_fault_once / reset_once: under Nestor's on_guest_reset=restart,
 * the first run resets (triple fault or NESTOR_HC_RESET) and the run after
 * the restart (NESTOR_HC_RESTARTS >= 1) goes on normally. */
static void reset_once(void)
{
	int64_t restarts = -1;

	if (!rt_hypercall(NESTOR_HC_RESTARTS, 0, 0, 0, &restarts, NULL) ||
	    restarts < 0) {
		rt_printf("%s: NESTOR_HC_RESTARTS failed: not under Nestor?\n",
			  guest_name);
		rt_exit(1);
	}
	rt_printf("%s: restarts so far: %ld\n", guest_name, restarts);
	if (restarts > 0)
		return;
	if (rt_option_present("triple_fault_once"))
		rt_triple_fault();
	rt_printf("%s: asking Nestor for a reset (NESTOR_HC_RESET)\n", guest_name);
	rt_console_flush();
	rt_hypercall(NESTOR_HC_RESET, 0, 0, 0, NULL, NULL);
	rt_printf("%s: NESTOR_HC_RESET returned\n", guest_name);
	rt_exit(1);
}

void rt_main(void)
{
	rt_console_init();
	rt_traps_init();
	pic_mask_all();
	rt_bootinfo_init(rt_entry.magic, rt_entry.info);
	rt_options_init(rt_boot()->cmdline);
	print_banner();
	rt_options_warn_unknown(guest_options);
	check_exit_via();
	if (rt_option_present("triple_fault"))
		rt_triple_fault();
	if (rt_option_present("triple_fault_once") || rt_option_present("reset_once"))
		reset_once();
	rt_exit(final_status(guest_main()));
}

void rt_triple_fault(void)
{
	static const struct descriptor_table_ptr empty_idt = { 0, 0 };

	rt_printf("%s: triple fault on purpose: empty IDT, then INT3\n",
		  guest_name);
	rt_console_flush();
	cli();
	lidt(&empty_idt);
	__asm__ __volatile__("int3");
	for (;;)
		hlt();
}

void rt_exit(int status)
{
	static const char bochs_shutdown[] = "Shutdown";
	uint8_t s = (uint8_t)status;

	cli();
	if (rt_option_is("exit_via", "hypercall")) {
		rt_printf("%s: exit status %u via NESTOR_HC_EXIT\n", guest_name, s);
		rt_console_flush();
		rt_hypercall(NESTOR_HC_EXIT, s, 0, 0, NULL, NULL);
		rt_printf("%s: NESTOR_HC_EXIT returned; exiting via port %#x\n",
			  guest_name, NESTOR_EXIT_PORT);
	} else {
		rt_printf("%s: exit status %u via port %#x\n", guest_name, s,
			  NESTOR_EXIT_PORT);
	}
	rt_console_flush();
	outb(NESTOR_EXIT_PORT, s);
	for (const char *p = bochs_shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		hlt();
}
