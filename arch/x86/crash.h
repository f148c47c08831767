/* The crash path: every fatal stop (a fault inside Nestor, panic(), a failed
 * assertion, a fatal exit) and every NMI taken while a crash is under way
 * goes through here, and it always leaves VMX cleanly on every CPU before
 * the machine stops or resets. A VMCS left active in a CPU's VMCS cache
 * could be written back over memory later (after a reboot into another
 * kernel, say) and corrupt it silently (seed 003, second series).
 *
 * There is no flag to enable it: the VMX side registers its per-CPU
 * teardown once (crash_set_cpu_teardown) and the crash path always calls it.
 * The teardown must be idempotent and safe from NMI context at any
 * instruction (vmx/vmcs_track.c). */
#ifndef NESTOR_ARCH_X86_CRASH_H
#define NESTOR_ARCH_X86_CRASH_H

#include <stdbool.h>
#include "lib/compiler.h"

enum crash_action {
	CRASH_HALT,   /* panic=halt (default): stop (power_off's status) */
	CRASH_REBOOT, /* panic=reboot: reset the machine */
};

void crash_set_action(enum crash_action a);

/* fn(why): VMCLEAR every VMCS loaded on this CPU, VMXOFF, CR4.VMXE = 0. */
void crash_set_cpu_teardown(void (*fn)(const char *why));

/* fn(): what the VMX side prints about this CPU when a crash begins (its
 * vCPU's last exits), before the teardown; lock-free, safe from NMI
 * context at any instruction. Not called for a power off, nor for a crash
 * inside the crash, nor by the other CPUs' NMIs. */
void crash_set_cpu_report(void (*fn)(void));

/* Calls the registered teardown on this CPU (if any). */
void crash_teardown_this_cpu(const char *why);

/* Count of CPUs in VMX operation (VMX enable/teardown keep it). */
void crash_vmx_cpu_enter(void);
void crash_vmx_cpu_leave(void);

/* The crash: tear down this CPU, NMI the other CPUs in VMX and wait for
 * them (bounded), then halt or reboot. */
NORETURN void crash_stop(int status, const char *why);

/* From the NMI handler: true when the NMI belonged to the crash path (a
 * crash is under way, or a test armed it) and has been handled. */
bool crash_nmi(void);

/* Test only (test_crash_nmi=): the next NMI enters the crash path's
 * teardown, then calls verify() (which may re-enter VMX) and returns to the
 * interrupted code instead of stopping. */
void crash_test_arm(void (*verify)(void));
bool crash_test_armed(void);

#endif
