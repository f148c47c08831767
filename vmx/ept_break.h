/* EPT execute-disable breakpoints on L1's guest-physical addresses (issue
 * 16 items 2 and 4): the shell's `break p:GPA` and GDB's Z0 once DR0-DR3
 * are full. Nothing is ever written into guest memory. See
 * vmx/ept_break.c; the table itself is vmx/ept_break_table.c (pure). */
#ifndef NESTOR_VMX_EPT_BREAK_H
#define NESTOR_VMX_EPT_BREAK_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* A breakpoint at L1's guest-physical gpa: its number (5..8; the one
 * already there if gpa has one), or 0 with *why saying why not (nothing
 * changed then). */
unsigned ept_break_insert(struct vcpu *v, uint64_t gpa, const char **why);

/* The same at the guest-physical address guest-virtual gva translates to
 * now, through L1's page tables (GDB's Z0); the breakpoint remembers gva
 * for ept_break_remove_gva(). A later remap of gva is not followed. */
unsigned ept_break_insert_gva(struct vcpu *v, uint64_t gva, const char **why);

/* Breakpoint n removed (false if n is none): the page's X comes back
 * with its last breakpoint (a large leaf split for it stays split). */
bool ept_break_remove(struct vcpu *v, unsigned n);
bool ept_break_remove_gva(struct vcpu *v, uint64_t gva);
unsigned ept_break_remove_all(struct vcpu *v);

/* Breakpoint n's address; false if n is none. */
bool ept_break_addr(unsigned n, uint64_t *gpa);

/* An EPT violation (vmx/exit_ept.c): true if it was an instruction fetch
 * from a page holding breakpoints, now handled (a hit stops the guest, any
 * other instruction is stepped with X back). */
bool ept_break_violation(struct vcpu *v, uint64_t gpa, uint64_t qual);

/* The breakpoint whose hit made the stop being reported, 0 if none; the
 * call forgets it. */
unsigned ept_break_hit_take(void);

/* vmx/write_step.c: X on the page of gpa while one instruction is
 * stepped (on), and off again after it (off: only if the page still has a
 * breakpoint). The caller invalidates (INVEPT). */
void ept_break_page_exec(struct vcpu *v, uint64_t gpa, bool on);

/* nested/ept02.c: EPT_X for an L1 page whose X is off for a breakpoint,
 * else 0. The breakpoints are L1's: L2's fetches keep X in EPT02. */
unsigned ept_break_l2_exec(uint64_t l1_gpa);

#endif
