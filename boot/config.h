/* Nestor's run-time configuration, filled from the hypervisor command line.
 *
 * Every option lives in the registry in boot/cmdline_options.c; features add
 * their fields here and their option there. */
#ifndef NESTOR_BOOT_CONFIG_H
#define NESTOR_BOOT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/log.h"
#include "vmx/msr_filter.h"


/* Test-only fault injection (test_fault=): makes Nestor fault on purpose so
 * the system tests can check the exception report. */
enum test_fault {
	TEST_FAULT_NONE = 0,
	TEST_FAULT_PF,  /* read from an unmapped address */
	TEST_FAULT_UD,  /* ud2 */
	TEST_FAULT_DE,  /* divide by zero */
	TEST_FAULT_GP,  /* non-canonical address */
	TEST_FAULT_PANIC, /* explicit panic() */
	TEST_FAULT_VMX_PANIC, /* panic() in VMX operation, VMCS loaded */
};

struct nestor_config {
	struct {
		uint16_t port;  /* UART I/O base, e.g. 0x3f8 for com1 */
		uint32_t baud;  /* 115200 by default */
	} console;
	/* gdb=<port>[,wait]: the GDB remote stub's UART (vmx/gdb_stub.c);
	 * port 0 = no stub. wait: the guest stops before its first
	 * instruction until GDB continues it. */
	struct {
		uint16_t port;
		bool wait;
	} gdb;
	/* console_share=emulate (default) | passthrough: with the console on
	 * COM1, the guest's console UART, Nestor emulates it for the guest
	 * (vmx/guest_console.c); console_escape= its escape character. */
	bool console_passthrough;
	uint8_t console_escape;
	enum log_level loglevel; /* LOG_INFO by default */
	/* The guest's physical-address width (CPUID.80000008H:EAX[7:0]);
	 * 0 = the CPU's. Checked against the CPU's at boot (boot/main.c). */
	unsigned guest_maxphyaddr;
	/* nestor_mem= in MiB: Nestor's memory pool (mm/nestor_mem.h);
	 * 0 = the default for this machine's RAM. */
	unsigned nestor_mem_mib;
	/* msr_filter= (vmx/msr_filter.h); present = false: no filter. */
	struct msr_filter msr_filter;
	enum test_fault test_fault;
	bool test_vmxon_fault;     /* test only: leave CR4.VMXE clear for VMXON */
	bool panic_reboot;         /* panic=reboot (default halt) */
	bool guest_reset_restart;  /* on_guest_reset=restart (default poweroff) */
	bool nested;               /* nested=on (default) | off: VMX shown to the guest */
	/* test only: where Nestor NMIs itself into the crash path (enum
	 * crash_test_point, vmx/vmcs_track.h); 0 = never. */
	unsigned test_crash_nmi;
	char test_break_guest[24]; /* test only: guest-state field to corrupt */
	/* test only: pages of Nestor's memory left free after the launch
	 * (mm/pool.h); 0 = all. */
	unsigned test_pool_spare;
};

#endif
