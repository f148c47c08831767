/* What boot/ tells vmx/: the command-line settings VMX code needs and the
 * one boot service it calls back (reloading the guest image for a
 * restart). boot/main.c fills vmx_options before vmx_configure(); vmx/
 * never includes boot/ (docs/architecture.md, "Layers"). */
#ifndef NESTOR_VMX_VMX_OPTIONS_H
#define NESTOR_VMX_VMX_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct vcpu;
struct guest_entry;

struct vmx_options {
	/* test_vmxon_fault=1: leave CR4.VMXE clear so VMXON faults
	 * (vmx/vmx_enable.c). */
	bool test_vmxon_fault;
	/* test_fault=vmx_panic: panic with the guest's VMCS loaded, right
	 * before the first VMLAUNCH (vmx/vmx_start.c). */
	bool test_vmx_panic;
	/* test_break_guest=: the VMCS field to corrupt before the first VM
	 * entry, "" for none (vmx/entry_failure.c). */
	const char *test_break_guest;
	/* test_pool_spare=N: leave only N pages free in the pool after the
	 * launch (vmx/vmx_start.c), to meet an empty pool while the guest
	 * runs. 0: off. */
	unsigned test_pool_spare;
	/* nested=on: the guest is shown VMX (nested/, vmx/exit_cpuid.c,
	 * vmx/exit_msr.c, vmx/exit_cr.c). */
	bool nested;
	/* gdb=<port>[,wait]: the GDB stub's UART, 0 for none, and whether
	 * the guest waits for GDB before its first instruction
	 * (vmx/gdb_stub.c). */
	uint16_t gdb_port;
	bool gdb_wait;
	/* console_share=emulate (the default) with Nestor's console on the
	 * guest's console UART, COM1: emulate it (vmx/guest_console.c) with
	 * console_escape= as the escape character. */
	bool console_emulate;
	uint16_t console_port;
	uint8_t console_escape;
	/* on_guest_reset=restart: load the guest's image again into *e;
	 * non-zero with a reason in why (boot/guest_boot.c). */
	int (*reload_guest)(struct vcpu *v, struct guest_entry *e, char *why,
			    size_t whylen);
};

extern struct vmx_options vmx_options;

#endif
