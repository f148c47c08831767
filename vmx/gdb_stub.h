/* The GDB remote stub for the guest (issue 16 item 4): gdb=<port>[,wait].
 * The glue between the pure codec (lib/gdb_*.c, vmx/gdb_regs.c) and the
 * vCPU; see vmx/gdb_stub.c. Its breakpoints and step are
 * vmx/guest_debug.c's, shared with the console shell. */
#ifndef NESTOR_VMX_GDB_STUB_H
#define NESTOR_VMX_GDB_STUB_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* The stub's UART, 0 when gdb= is off. State owner: vmx/gdb_stub.c. */
extern uint16_t gdb_stub_port;

static inline bool gdb_stub_on(void)
{
	return gdb_stub_port != 0;
}

/* Preemption-timer ticks (TSC >> the rate of IA32_VMX_MISC[4:0]) between
 * exits, for Ctrl-C, on vmcs01 and on vmcs02 (nested/l2.c) alike: with
 * Bochs' clock sync=none a tick is an instruction. */
#define GDB_STUB_TIMER_TICKS (1u << 20)

/* Launch (vmx/vmx_start.c, the VMCS programmed, before VMLAUNCH): the UART,
 * the preemption timer, and with ,wait the first stop, served until GDB
 * continues. The controls it wants are then synced by the caller
 * (VCPU_REQ_CONTROLS). */
void gdb_stub_launch(struct vcpu *v);

/* The exit path (vmx/exit_dispatch.c), after the handler, at every exit
 * (L1's or L2's): polls the UART for GDB's Ctrl-C, and serves GDB while
 * the guest is stopped (a breakpoint, a step, an interrupt), showing the
 * level that runs (`monitor level 1`: stops at L1's exits only). */
void gdb_stub_exit(struct vcpu *v);

/* nested_switch() (nested/l2.c), vmcs01 current again after L2: what the
 * breakpoints changed while stopped in L2 reaches vmcs01
 * (guest_debug_sync()); with gdb=, a stop that came with L2's exit to L1
 * (a step of L2's, a Ctrl-C) is served here, L1 at its host RIP. */
void gdb_stub_l1_current(struct vcpu *v);

#endif
