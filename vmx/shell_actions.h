/* The debug shell's actions (issue 16 item 2): what each parsed command
 * (vmx/shell_parse.h) does to the stopped guest, printing through the pure
 * formatters (vmx/shell_format.h). vmx/guest_console.c's shell loop only
 * reads lines and dispatches here; see vmx/shell_actions.c. */
#ifndef NESTOR_VMX_SHELL_ACTIONS_H
#define NESTOR_VMX_SHELL_ACTIONS_H

#include <stdbool.h>

struct vcpu;
struct shell_cmd;

/* One command, run in the exit path with the guest stopped. True when the
 * guest is to run again (cont, step, reset): the shell loop then ends. */
bool shell_action(struct vcpu *v, const struct shell_cmd *cmd);

/* A stop the shell asked for (its step ended, or one of its breakpoints
 * was hit) came at this exit: says which, and true; false when no such
 * stop is pending (or the GDB stub owns the stops). */
bool shell_action_stopped(struct vcpu *v);

#endif
