/* power_off(): one way out for every path (success, refusal, crash). */
#include "arch/x86/power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/crash.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"
#include "lib/log.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

void power_off(int status)
{
	static const char bochs_shutdown[] = "Shutdown";

	cli();
	/* Every way out leaves VMX first, VMCSes cleared (arch/x86/crash.h). */
	crash_teardown_this_cpu("power off");
	log_printf(LOG_QUIET, "nestor: power off (status %d)\n", status);
	serial_flush();
	outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);
	for (const char *p = bochs_shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		hlt();
}
