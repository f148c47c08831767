/* The GDB remote stub for the guest (issue 16 item 4): gdb=<port>[,wait].
 * The glue between the pure codec (lib/gdb_*.c, vmx/gdb_regs.c) and the
 * vCPU; see vmx/gdb_stub.c. */
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

/* nested_switch() (nested/l2.c), vmcs01 current again after L2: DR7 and
 * the intercepts of the breakpoints GDB changed while stopped in L2. */
void gdb_stub_l1_current(struct vcpu *v);

/* A #DB exit (qualification: B0-B3, BS; SDM Vol. 3C Table 27-1): true if
 * it was the stub's (a breakpoint of GDB's, or GDB's single step). */
bool gdb_stub_debug_exception(struct vcpu *v, uint64_t qual);

/* A monitor-trap-flag exit: true if it ends GDB's single step. */
bool gdb_stub_mtf(struct vcpu *v);

/* The console shell's use of the same machinery (vmx/shell_actions.c),
 * while gdb= is off: a hardware execute breakpoint at guest-linear addr
 * (the slot, DR0-DR3, or -1 when all are taken); slot's removed (false if
 * it held none); slot's address; leaving a stop (RF set; with step, one
 * instruction by MTF or TF); and whether a stop (the step's end, a
 * breakpoint) came since the last call. */
int gdb_stub_break_insert(struct vcpu *v, uint64_t addr);
bool gdb_stub_break_remove(struct vcpu *v, unsigned slot);
bool gdb_stub_break_addr(unsigned slot, uint64_t *addr);
void gdb_stub_resume(struct vcpu *v, bool step);
bool gdb_stub_stop_take(void);

/* For EPT breakpoints (vmx/ept_break.c) and the write step
 * (vmx/write_step.c), which steps their instructions: whether GDB's or the
 * shell's step is under way, and with MTF; that step ended with the write
 * step's instruction (true: it was under way, the stop is recorded); a
 * breakpoint hit, the guest stopped before the instruction (a step under
 * way ends there). */
bool gdb_stub_stepping(void);
bool gdb_stub_wants_mtf(void);
bool gdb_stub_step_retired(struct vcpu *v);
void gdb_stub_stop_break(struct vcpu *v);

#endif
