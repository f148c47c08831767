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
 * the intercepts of the breakpoints changed while stopped in L2; with
 * gdb=, a stop that came with L2's exit to L1 (a step of L2's, a Ctrl-C)
 * is served here, L1 at its host RIP. */
void gdb_stub_l1_current(struct vcpu *v);

/* A #DB exit (qualification: B0-B3, BS; SDM Vol. 3C Table 27-1): true if
 * it was the stub's (a breakpoint of GDB's, or GDB's single step). */
bool gdb_stub_debug_exception(struct vcpu *v, uint64_t qual);

/* A monitor-trap-flag exit: true if it ends GDB's single step. */
bool gdb_stub_mtf(struct vcpu *v);

/* L2 (gdb= or the shell, stopped at an exit of L2's):
 *  - a step is one instruction of L2's by MTF or TF on vmcs02, ended by
 *    its own trap or MTF exit, or by L2's exit to L1 that the instruction
 *    causes (then the stop is L1's, at its host RIP, and
 *    gdb_stub_step_left_l2() says so once); gdb_stub_step_refusal(): why
 *    no step can be made now, else NULL;
 *  - breakpoints are at guest-linear addresses of whichever level runs:
 *    both vmcs01's and vmcs02's DR7 enable them (vmcs02's not with
 *    `monitor level 1`), each level's own DR7 kept aside meanwhile;
 *  - nested/l2.c and nested/l2_exit.c call in: gdb_stub_l2_wants() (the
 *    #DB and MOV-DR intercepts vmcs02 needs for them), at the end of
 *    each entry to L2 gdb_stub_l2_entered() (L2's own DR7 kept, the
 *    breakpoints' put in; dr7_is_l1s: the vmcs12 does not load DR7),
 *    at each exit of L2 gdb_stub_l2_debug_exit() (the #DB or MTF exit is
 *    the stub's: L0's, not L1's), at the start of each exit to L1
 *    gdb_stub_l2_leaving() (before L2's state goes to the vmcs12, which
 *    never sees the stub's DR7, TF, BS or RF), and where the exit loads
 *    L1's host DR7 (27.5.1) gdb_stub_l1_dr7_loaded(). */
const char *gdb_stub_step_refusal(struct vcpu *v);
void gdb_stub_l2_wants(bool *db, bool *mov_dr);
bool gdb_stub_l2_debug_exit(struct vcpu *v, unsigned basic);
void gdb_stub_l2_entered(struct vcpu *v, bool dr7_is_l1s);
void gdb_stub_l2_leaving(struct vcpu *v, uint32_t reason);
void gdb_stub_l1_dr7_loaded(struct vcpu *v);
bool gdb_stub_step_left_l2(uint32_t *reason);

/* The console shell's use of the same machinery (vmx/shell_actions.c),
 * while gdb= is off: a hardware execute breakpoint at guest-linear addr
 * (either level's; the slot, DR0-DR3, or -1 when all are taken);
 * slot's removed (false if it held none); slot's address;
 * leaving a stop (RF set; with step, one
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
